"""A message the recipient already has is recognised however late it comes again (issue #12,
item 1): the recipient committed it, its delivery receipt was lost (a crash before it left,
or a lost answer), and by the time the sender sends the same packet again the recipient's
ratchet has moved past that message's keys. The recipient must answer "duplicate" and send
the receipt again, so that the sender shows "delivered", never "failed"."""

from __future__ import annotations

from pathlib import Path

from node.core.ports import MessageQuery
from node.protocol.conversation import Meta, TextContent
from node.protocol.ratchet import MAX_PAST_CHAINS
from tests.unit.node.node_support import LocalNode, deliver, paired, settle


async def _packets(sender: LocalNode, recipient: LocalNode) -> list[tuple[int, bytes]]:
    entries = await sender.store.due_for(recipient.node_id, sender.ctx.clock() + 3600, set(), 1000)
    packets = await sender.store.packets([entry.id for entry in entries])
    return [(entry.id, packets[entry.id]) for entry in entries]


async def _drop_outbox(node: LocalNode, other: LocalNode) -> None:
    """What a crash between commit and sending loses: the receipts not yet sent."""
    for entry_id, _packet in await _packets(node, other):
        await node.ctx.commit([node.store.outbox_done(entry_id)])


async def test_a_late_resend_after_the_ratchet_moved_on_is_answered_with_a_receipt(
    tmp_path: Path,
) -> None:
    gp, pharmacy = await paired(tmp_path)
    try:
        sent = await gp.core.sending.send("Pharmacie", Meta(), TextContent("Ordonnance prête ?"))
        ((entry, packet),) = await _packets(gp, pharmacy)
        # The test sends it again itself, late: the outbox must not do it early.
        await gp.ctx.commit([gp.store.outbox_done(entry)])
        assert await pharmacy.core.receiver.receive(packet) == "stored"
        await settle(gp, pharmacy)
        await _drop_outbox(pharmacy, gp)  # the delivery receipt never leaves

        # More round trips than the ratchet remembers finished chains: each one is a new DH
        # step, and the chain that carried the message is forgotten.
        for turn in range(MAX_PAST_CHAINS + 8):
            await pharmacy.core.sending.send("Dr Martin", Meta(), TextContent(f"tour {turn}"))
            await deliver(pharmacy, gp)
            await settle(gp, pharmacy)
            await gp.core.sending.send("Pharmacie", Meta(), TextContent(f"réponse {turn}"))
            await deliver(gp, pharmacy)
            await settle(gp, pharmacy)
        await deliver(pharmacy, gp)
        await settle(gp, pharmacy)
        row = await gp.store.message(sent.message_id)
        assert row is not None
        assert row.status == "queued"

        assert await pharmacy.core.receiver.receive(packet) == "duplicate"
        await settle(gp, pharmacy)
        await deliver(pharmacy, gp)
        row = await gp.store.message(sent.message_id)
        assert row is not None
        assert row.status == "delivered"
        shown = await pharmacy.core.reading.shown(MessageQuery(limit=100))
        assert [m.message_id for m in shown].count(sent.message_id) == 1
    finally:
        await gp.close()
        await pharmacy.close()
