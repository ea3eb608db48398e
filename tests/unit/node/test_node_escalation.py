"""Escalation both ways (issue #16, node.core.escalation): the real time an urgent message has
waited on the sender and on the recipient, reminders until someone acknowledges it, and the
backup contact told once, content-free (docs/protocol.md §18.9), in the status document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from node.core.escalation import Escalation
from node.core.records import content_of
from node.protocol import PayloadKind
from node.protocol.conversation import EscalationNotice, Meta, Priority, TextContent
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    MemoryNetwork,
    audit_events,
    deliver,
    local_node,
    settle,
    wait_until,
)

URGENT = Meta(priority=Priority.URGENT)
SECRET = "Allergie amoxicilline DUPONT Marie 1 80 05 29 019 054 12"
TOKEN = "t" * 43
AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def pair(inviter: LocalNode, acceptor: LocalNode) -> None:
    invitation = await inviter.core.pairing.invite(600)
    await acceptor.core.pairing.accept(invitation.to_text())
    for _ in range(3):
        await deliver(acceptor, inviter)
        await deliver(inviter, acceptor)
        await settle(inviter, acceptor)


async def three(
    root: Path,
    clock: ManualClock,
    gp_settings: dict[str, Any],
    pharmacy_settings: dict[str, Any],
) -> tuple[LocalNode, LocalNode, LocalNode]:
    """A GP and a pharmacy, paired, and a colleague paired with both (the backup)."""
    network = MemoryNetwork()
    gp = await local_node(root / "gp", "Dr Martin", "gp", network, clock, **gp_settings)
    pharmacy = await local_node(
        root / "pharmacy", "Pharmacie du Port", "pharmacist", network, clock, **pharmacy_settings
    )
    backup = await local_node(root / "backup", "Dr Durand", "gp", network, clock)
    await pair(gp, pharmacy)
    await pair(backup, pharmacy)
    await pair(backup, gp)
    return gp, pharmacy, backup


async def close(*nodes: LocalNode) -> None:
    for node in nodes:
        await node.close()


async def test_both_sides_see_the_real_time_waited(tmp_path: Path) -> None:
    clock = ManualClock()
    gp, pharmacy, backup = await three(tmp_path, clock, {}, {})
    try:
        row = await gp.core.sending.send("Pharmacie", URGENT, TextContent(SECRET))
        clock.advance(120)
        await deliver(gp, pharmacy)  # arrives two minutes after it was sent
        [ours] = await gp.core.escalation.outgoing()
        [theirs] = await pharmacy.core.escalation.incoming()
        assert ours.row.message_id == theirs.row.message_id == row.message_id
        assert (ours.waited_minutes, ours.overdue) == (2, False)
        assert (theirs.waited_minutes, theirs.overdue) == (0, False)

        clock.advance(15 * 60)
        [ours] = await gp.core.escalation.outgoing()
        [theirs] = await pharmacy.core.escalation.incoming()
        # The real elapsed time, not the configured delay (15 min).
        assert (ours.waited_minutes, ours.overdue) == (17, True)
        assert (theirs.waited_minutes, theirs.overdue) == (15, True)
        assert not ours.backup_told
        assert not theirs.backup_told

        clock.advance(47 * 60)
        assert (await gp.core.escalation.outgoing())[0].waited_minutes == 64
        assert (await pharmacy.core.escalation.incoming())[0].waited_minutes == 62

        await pharmacy.core.reading.acknowledge(row.message_id)
        assert await pharmacy.core.escalation.incoming() == []
        await settle(pharmacy)
        await deliver(pharmacy, gp)
        assert await gp.core.escalation.outgoing() == []
    finally:
        await close(gp, pharmacy, backup)


async def test_the_recipients_backup_is_told_once_and_content_free(tmp_path: Path) -> None:
    clock = ManualClock()
    settings: dict[str, Any] = {"backup_contact": "Dr Durand", "backup_after_minutes": 30.0}
    gp, pharmacy, backup = await three(tmp_path, clock, {}, settings)
    try:
        row = await gp.core.sending.send("Pharmacie", URGENT, TextContent(SECRET))
        await deliver(gp, pharmacy)
        clock.advance(29 * 60)
        assert await pharmacy.core.escalation.check() == 0  # not yet
        clock.advance(2 * 60)
        assert await pharmacy.core.escalation.check() == 1
        assert await pharmacy.core.escalation.check() == 0  # once
        [waiting] = await pharmacy.core.escalation.incoming()
        assert waiting.backup_told
        # After a restart too: the audit entry says it was done.
        ctx = pharmacy.ctx
        fresh = Escalation(ctx, pharmacy.core.reading, pharmacy.core.sending)
        assert await fresh.check() == 0
        assert (await fresh.incoming())[0].backup_told
        assert await audit_events(pharmacy, row.message_id) == ["received", "escalated"]

        assert await deliver(pharmacy, backup) == 1
        [notice] = await backup.core.reading.unread()
        assert notice.kind == PayloadKind.ESCALATION
        assert notice.priority == Priority.NORMAL  # never escalated in its turn
        assert SECRET.encode() not in notice.body
        assert row.message_id not in notice.body
        told = content_of(notice)
        assert told == EscalationNotice("Dr Martin", "Pharmacie du Port", row.sent_at_ms, 31)
        # The sender's node has no backup: nobody is told on its side.
        assert await gp.core.escalation.check() == 0
    finally:
        await close(gp, pharmacy, backup)


async def test_the_senders_backup_is_told_and_never_about_itself(tmp_path: Path) -> None:
    clock = ManualClock()
    settings: dict[str, Any] = {"backup_contact": "Dr Durand", "backup_after_minutes": 20.0}
    gp, pharmacy, backup = await three(tmp_path, clock, settings, {})
    try:
        to_pharmacy = await gp.core.sending.send("Pharmacie", URGENT, TextContent(SECRET))
        to_backup = await gp.core.sending.send("Dr Durand", URGENT, TextContent(SECRET))
        await settle(gp)
        clock.advance(25 * 60)
        # Not delivered at all (the pharmacy's node is off): still its real time, still told.
        assert await gp.core.escalation.check() == 1
        await deliver(gp, backup)
        notices = [
            row for row in await backup.core.reading.unread() if row.kind == PayloadKind.ESCALATION
        ]
        assert [content_of(row) for row in notices] == [
            EscalationNotice("Dr Martin", "Pharmacie du Port", to_pharmacy.sent_at_ms, 25)
        ]
        assert "escalated" not in await audit_events(gp, to_backup.message_id)
    finally:
        await close(gp, pharmacy, backup)


async def test_acknowledged_in_time_or_no_backup_tells_nobody(tmp_path: Path) -> None:
    clock = ManualClock()
    settings: dict[str, Any] = {"backup_contact": "Dr Durand", "backup_after_minutes": 30.0}
    gp, pharmacy, backup = await three(tmp_path, clock, settings, {"backup_contact": "Nobody"})
    try:
        row = await gp.core.sending.send("Pharmacie", URGENT, TextContent(SECRET))
        await deliver(gp, pharmacy)
        clock.advance(10 * 60)
        await pharmacy.core.reading.acknowledge(row.message_id)
        await settle(pharmacy)
        await deliver(pharmacy, gp)
        clock.advance(60 * 60)
        assert await gp.core.escalation.check() == 0
        # A backup that is no contact: nobody told, nothing breaks.
        late = await gp.core.sending.send("Pharmacie", URGENT, TextContent("Rappel"))
        await deliver(gp, pharmacy)
        clock.advance(60 * 60)
        assert pharmacy.core.escalation.backup() is None
        assert await pharmacy.core.escalation.check() == 0
        assert "escalated" not in await audit_events(pharmacy, late.message_id)
    finally:
        await close(gp, pharmacy, backup)


async def test_the_live_node_tells_the_backup_by_itself(tmp_path: Path) -> None:
    clock = ManualClock()
    network = MemoryNetwork()
    settings: dict[str, Any] = {"backup_contact": "Dr Durand", "backup_after_minutes": 30.0}
    gp = await local_node(tmp_path / "gp", "Dr Martin", "gp", network, clock, **settings)
    backup = await local_node(tmp_path / "backup", "Dr Durand", "gp", network, clock)
    pharmacy = await local_node(
        tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist", network, clock
    )
    try:
        await pair(gp, pharmacy)
        await pair(backup, gp)
        network.down.add(pharmacy.node_id)
        await gp.core.sending.send("Pharmacie", URGENT, TextContent(SECRET))
        clock.advance(31 * 60)
        await gp.node.go_live(gp.node.reachability([]))  # its first check is at once

        async def told() -> bool:
            rows = await backup.core.reading.unread()
            return any(row.kind == PayloadKind.ESCALATION for row in rows)

        await wait_until(told)
    finally:
        await close(gp, pharmacy, backup)


async def test_the_status_document_shows_both_ways(tmp_path: Path) -> None:
    clock = ManualClock()
    settings: dict[str, Any] = {"backup_contact": "Dr Durand", "backup_after_minutes": 30.0}
    gp, pharmacy, backup = await three(tmp_path, clock, {}, settings)
    client = TestClient(TestServer(pharmacy.node.local_api(TOKEN, phone=False).create_app()))
    gp_client = TestClient(TestServer(gp.node.local_api(TOKEN, phone=False).create_app()))
    await client.start_server()
    await gp_client.start_server()
    try:
        row = await gp.core.sending.send("Pharmacie", URGENT, TextContent(SECRET))
        await deliver(gp, pharmacy)
        clock.advance(40 * 60)
        await pharmacy.core.escalation.check()
        status = await (await client.get("/v1/status", headers=AUTH)).json()
        urgent = status["urgent"]
        assert urgent["backup_contact"] == "Dr Durand"
        assert urgent["backup_after_minutes"] == 30.0
        assert urgent["awaiting_ack"] == []
        [entry] = urgent["incoming"]
        assert entry["message_id"] == row.message_id.hex()
        assert entry["contact_name"] == "Dr Martin"
        assert entry["waited_minutes"] == 40
        assert entry["overdue"] is True
        assert entry["backup_told"] is True
        assert entry["received_at"] is not None
        assert [m["message_id"] for m in status["incoming_urgent"]] == [row.message_id.hex()]

        ours = await (await gp_client.get("/v1/status", headers=AUTH)).json()
        [sent] = ours["urgent"]["awaiting_ack"]
        assert (sent["waited_minutes"], sent["overdue"], sent["backup_told"]) == (40, True, False)
        assert ours["urgent"]["backup_contact"] is None

        await deliver(pharmacy, backup)
        backup_client = TestClient(
            TestServer(backup.node.local_api(TOKEN, phone=False).create_app())
        )
        await backup_client.start_server()
        try:
            inbox = await (await backup_client.get("/v1/inbox", headers=AUTH)).json()
        finally:
            await backup_client.close()
        [notice] = inbox["messages"]
        assert notice["kind"] == "escalation"
        assert notice["text"] is None
        assert notice["escalation"] == {
            "from": "Dr Martin",
            "to": "Pharmacie du Port",
            "sent_at": notice["escalation"]["sent_at"],
            "waited_minutes": 40,
        }
        assert notice["escalation"]["sent_at"] == status["incoming_urgent"][0]["sent_at"]
        assert SECRET not in str(inbox)
    finally:
        await client.close()
        await gp_client.close()
        await close(gp, pharmacy, backup)
