"""Trust between two nodes (node/core/trust.py): a pairing ended by one side ends for the
other; a revoked identity's contact is told, and pairing again with the identity that replaces
it is a key change whose messages are held until the person verifies it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from node.core.errors import Conflict, Verdict
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    MemoryNetwork,
    audit_events,
    message,
    paired,
    settle,
    text,
    wait_until,
)


async def has_status(node: LocalNode, message_id: bytes, status: str) -> bool:
    row = await node.store.message(message_id)
    return row is not None and row.status == status


def state_is(node: LocalNode, contact_id: bytes, state: str) -> bool:
    contact = node.ctx.contacts.get(contact_id)
    return contact is not None and contact.row.state == state


async def contact_events(node: LocalNode, contact_id: bytes) -> list[tuple[str, str]]:
    events = []
    async for line in node.store.audit_lines():
        entry = json.loads(line)
        if entry["contact"] == contact_id.hex() and entry["message"] is None:
            events.append((entry["event"], entry["actor"]))
    return events


async def test_an_unpaired_contact_can_no_longer_be_written_to(tmp_path: Path) -> None:
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, ManualClock(), live=True)
    try:
        gp_id = gp.node_id
        await gp.core.trust.unpair("Pharmacie")
        assert state_is(gp, pharmacy.node_id, "unpaired")
        await wait_until(lambda: state_is(pharmacy, gp_id, "unpaired_by_peer"))

        # Committed a moment after the state changed in memory: waited for.
        async def unpair_recorded() -> bool:
            return ("unpaired", "contact") in await contact_events(pharmacy, gp_id)

        await wait_until(unpair_recorded)
        stored = await pharmacy.store.contact(gp_id)
        assert stored is not None
        assert stored.state == "unpaired_by_peer"
        assert ("unpaired", "contact") in await contact_events(pharmacy, gp_id)

        with pytest.raises(Conflict) as caught:
            await pharmacy.core.sending.send("Dr Martin", *text("Encore là ?"))
        assert caught.value.code == "contact_inactive"
        with pytest.raises(Conflict) as caught:
            await gp.core.sending.send("Pharmacie", *text("Oubli"))
        assert caught.value.code == "contact_inactive"
    finally:
        await gp.close()
        await pharmacy.close()


async def test_what_was_on_its_way_when_the_pairing_ended_fails_visibly(tmp_path: Path) -> None:
    """The pharmacy's message is with a relay when the GP unpairs: the GP refuses it for good
    (GONE), and at the pharmacy it is failed, not left queued."""
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, ManualClock(), live=True)
    try:
        network.holding.add(gp.node_id)
        row = await pharmacy.core.sending.send("Dr Martin", *text("Stock épuisé"))
        await wait_until(lambda: bool(network.held.get(gp.node_id)))
        await gp.core.trust.unpair("Pharmacie")
        assert await network.release(gp.node_id, lambda packets: packets[:1]) == [Verdict.GONE]
        await wait_until(lambda: has_status(pharmacy, row.message_id, "failed"))
        assert await pharmacy.core.reading.failed_count() == 1
        assert await gp.store.message(row.message_id) is None
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_revoked_identity_pairs_again_as_a_key_change_held_until_verified(
    tmp_path: Path,
) -> None:
    """The GP's machine was stolen: from a backup, the GP revokes the identity (the same node
    goes on with the new one), invites the pharmacy again, and writes. The pharmacy keeps the
    new contact's messages held until its user compared the safety number."""
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, ManualClock(), live=True)
    try:
        old_id = gp.node_id
        successor, told = await gp.core.trust.revoke()
        assert told == 1
        assert gp.node_id == successor.public.node_id != old_id
        network.receivers[gp.node_id] = gp  # the same node, reached under its new id
        assert state_is(gp, pharmacy.node_id, "revoked")
        await wait_until(lambda: state_is(pharmacy, old_id, "revoked_by_peer"))
        revoked = pharmacy.ctx.contacts[old_id].row
        assert revoked.successor == successor.public.keys

        # The contact's state changes in memory as the notice is handled; its audit entry
        # is committed with it a moment later: waited for, not read "right after".
        async def revocation_recorded() -> bool:
            return ("revoked", "contact") in await contact_events(pharmacy, old_id)

        await wait_until(revocation_recorded)
        with pytest.raises(Conflict) as caught:
            await pharmacy.core.sending.send(old_id.hex()[:8], *text("Encore ?"))
        assert caught.value.code == "contact_inactive"

        invitation = await gp.core.pairing.invite(600)
        contact, _ = await pharmacy.core.pairing.accept(invitation.to_text())
        assert contact.contact_id == gp.node_id
        assert contact.row.predecessor == old_id
        assert contact.row.held
        await wait_until(lambda: state_is(gp, pharmacy.node_id, "active"))

        row = await gp.core.sending.send("Pharmacie", *text("Nouvelle clé"))
        await wait_until(lambda: has_status(pharmacy, row.message_id, "held"))
        assert await pharmacy.core.reading.unread() == []
        assert await pharmacy.core.reading.unread_count() == 0

        await pharmacy.core.trust.verify("Dr Martin")
        assert (await message(pharmacy, row.message_id)).status == "received"
        assert [m.message_id for m in await pharmacy.core.reading.unread()] == [row.message_id]
        assert ("verified", "local") in await contact_events(pharmacy, gp.node_id)
        # Once verified, a new message is shown at once.
        later = await gp.core.sending.send("Pharmacie", *text("Vérifié"))
        await wait_until(lambda: has_status(pharmacy, later.message_id, "received"))
        await settle(gp, pharmacy)
        assert await audit_events(pharmacy, later.message_id) == ["received"]
    finally:
        await gp.close()
        await pharmacy.close()
