"""The readiness check (docs/protocol.md §9.5) between two nodes: a probe answered at once, by
which path and how fast; an unreachable contact and one who does not answer in time; the probe
never shown, stored, counted, exported or audited; no sequence number taken; one check at a
time; the answering node's rate limit; the same probe from two relays answered once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from node.core.errors import Conflict
from node.core.ports import MessageQuery
from node.core.readiness import ANSWER_BURST, ANSWER_INTERVAL_SECONDS, CheckReport
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    MemoryNetwork,
    deliver,
    paired,
    settle,
    text,
    wait_until,
)

PHONE = "01 23 45 67 89"
RELAY = "https://relais.example.fr"


async def footprint(node: LocalNode) -> tuple[int, int, int, int, int]:
    """What a message would leave: rows, audit entries, shown, unread, export candidates."""
    rows = await node.store._one("SELECT count(*) FROM messages")
    audit = len([line async for line in node.store.audit_lines()])
    shown = await node.core.reading.shown(MessageQuery())
    unread = await node.core.reading.unread_count()
    exported = await node.store.export_candidates(None, 100)
    return rows[0], audit, len(shown), unread, len(exported)


def line_of(report: CheckReport, node: LocalNode) -> dict[str, object]:
    lines: list[dict[str, object]] = report.as_json()["contacts"]
    (line,) = [c for c in lines if c["contact_id"] == node.node_id.hex()]
    return line


async def test_a_contact_answers_directly_and_nothing_is_stored(tmp_path: Path) -> None:
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, ManualClock(), phone=PHONE)
    try:
        await settle(gp, pharmacy)
        before = (await footprint(gp), await footprint(pharmacy))
        seq_before = (await gp.ctx.session_of(gp.contact(pharmacy))).next_seq

        report = await gp.core.readiness.check(timeout=10)

        line = line_of(report, pharmacy)
        assert line["state"] == "answered"
        assert (line["sent"], line["outbound"], line["inbound"]) == ("direct",) * 3
        assert isinstance(line["round_trip_ms"], int)
        assert line["round_trip_ms"] >= 0
        assert line["name"] == "Pharmacie du Port"
        assert line["phone"] == PHONE
        assert not report.running
        assert report.as_json()["answered"] == 1
        await settle(gp, pharmacy)
        # Not a message, on either side: no row, no audit entry, nothing shown or exported.
        assert (await footprint(gp), await footprint(pharmacy)) == before
        assert await gp.store.outbox_depth() == []
        assert await pharmacy.store.outbox_depth() == []
        # No sequence number taken: the next message is not held behind a gap.
        assert (await gp.ctx.session_of(gp.contact(pharmacy))).next_seq == seq_before
        row = await gp.core.sending.send("Pharmacie", *text("Toujours là ?"))
        await deliver(gp, pharmacy)
        shown = await pharmacy.core.reading.shown(MessageQuery())
        assert [r.message_id for r in shown] == [row.message_id]
        assert gp.core.readiness.last is report
    finally:
        await gp.close()
        await pharmacy.close()


async def test_the_path_each_way_and_the_round_trip(tmp_path: Path) -> None:
    network, clock = MemoryNetwork(), ManualClock()
    gp, pharmacy = await paired(tmp_path, network, clock)
    try:
        network.holding.add(pharmacy.node_id)  # the probe waits on a relay
        checking = asyncio.create_task(gp.core.readiness.check(timeout=10))
        await wait_until(lambda: network.held.get(pharmacy.node_id))
        (probe,) = network.held.pop(pharmacy.node_id)
        clock.advance(0.25)
        assert await pharmacy.core.receiver.receive(probe, via=RELAY) == "stored"
        # The same packet from a second relay: a duplicate, answered once.
        assert await pharmacy.core.receiver.receive(probe, via=RELAY + "/2") == "duplicate"
        report = await checking
        line = line_of(report, pharmacy)
        assert line["state"] == "answered"
        assert (line["sent"], line["outbound"], line["inbound"]) == ("relay", RELAY, "direct")
        assert line["round_trip_ms"] == 250
        await settle(gp, pharmacy)
        assert await pharmacy.core.reading.shown(MessageQuery()) == []
    finally:
        await gp.close()
        await pharmacy.close()


async def test_unreachable_and_silent_contacts_are_shown_with_their_phone(tmp_path: Path) -> None:
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, ManualClock(), phone=PHONE)
    try:
        network.down.add(pharmacy.node_id)
        report = await gp.core.readiness.check(timeout=10)
        line = line_of(report, pharmacy)
        assert (line["state"], line["sent"], line["phone"]) == ("unreachable", None, PHONE)
        assert line["round_trip_ms"] is None

        network.down.clear()
        network.holding.add(pharmacy.node_id)  # on a relay, never fetched within the bound
        report = await gp.core.readiness.check(timeout=0.3)
        line = line_of(report, pharmacy)
        assert (line["state"], line["sent"], line["phone"]) == ("no_answer", "relay", PHONE)
        assert not report.running
        # Its late answer is ignored: the report stays as it was.
        await network.release(pharmacy.node_id)
        await settle(gp, pharmacy)
        assert line_of(report, pharmacy)["state"] == "no_answer"
        assert await gp.core.reading.shown(MessageQuery()) == []
    finally:
        await gp.close()
        await pharmacy.close()


async def test_one_check_at_a_time(tmp_path: Path) -> None:
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, ManualClock())
    try:
        network.holding.add(pharmacy.node_id)
        checking = asyncio.create_task(gp.core.readiness.check(timeout=10))
        await wait_until(lambda: gp.core.readiness.running)
        assert gp.core.readiness.last is not None
        assert gp.core.readiness.last.running
        with pytest.raises(Conflict) as refused:
            await gp.core.readiness.check(timeout=1)
        assert refused.value.code == "check_running"
        await wait_until(lambda: network.held.get(pharmacy.node_id))  # the probe is on its way
        await network.release(pharmacy.node_id)
        assert line_of(await checking, pharmacy)["state"] == "answered"
    finally:
        await gp.close()
        await pharmacy.close()


async def test_the_answering_node_limits_its_answers(tmp_path: Path) -> None:
    network, clock = MemoryNetwork(), ManualClock()
    gp, pharmacy = await paired(tmp_path, network, clock)
    try:
        states = [
            line_of(await gp.core.readiness.check(timeout=0.3), pharmacy)["state"]
            for _ in range(ANSWER_BURST + 2)
        ]
        assert states == ["answered"] * ANSWER_BURST + ["no_answer"] * 2
        assert pharmacy.core.readiness.unanswered == 2
        # Every probe still spent its key: the session goes on (a message still reads).
        clock.advance(ANSWER_INTERVAL_SECONDS)
        assert line_of(await gp.core.readiness.check(timeout=5), pharmacy)["state"] == "answered"
        row = await gp.core.sending.send("Pharmacie", *text("Après les sondes"))
        await deliver(gp, pharmacy)
        shown = await pharmacy.core.reading.shown(MessageQuery())
        assert [r.message_id for r in shown] == [row.message_id]
    finally:
        await gp.close()
        await pharmacy.close()


async def test_the_inbox_never_lists_a_probe_or_its_answer(tmp_path: Path) -> None:
    """The inbox (unread, urgent, awaiting acknowledgement) never lists a probe, even while
    its answer is on the way."""
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, ManualClock())
    try:
        network.holding.add(gp.node_id)  # the answer waits on a relay
        report = await gp.core.readiness.check(timeout=0.3)
        assert line_of(report, pharmacy)["state"] == "no_answer"
        await settle(gp, pharmacy)
        for node in (gp, pharmacy):
            assert await node.core.reading.unread() == []
            assert await node.core.reading.incoming_urgent() == []
            assert await node.core.reading.awaiting_acknowledgement() == []
        assert await network.release(gp.node_id) == ["stored"]
        assert await gp.core.reading.unread() == []
    finally:
        await gp.close()
        await pharmacy.close()
