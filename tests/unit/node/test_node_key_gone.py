"""A packet sent again long after the first copy (docs/protocol.md §11; issue 12), through
the live outbox: a message the receiver stored is recognised and confirmed again weeks later
(same chain; test_node_late_resend covers a forgotten chain); one it never stored, whose
skipped key has expired, is refused for good (GONE), and the sender marks it failed at once
rather than retrying it until the maximum age."""

from __future__ import annotations

from pathlib import Path

from node.core.errors import Verdict
from node.protocol.ratchet import SKIPPED_KEY_TTL_SECONDS
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    MemoryNetwork,
    audit_events,
    paired,
    text,
    wait_until,
)

# Long enough that the outbox's maximum age plays no part.
SETTINGS = {"outbox_max_age_hours": 24 * 30.0, "redelivery_seconds": 60.0}


async def has_status(node: LocalNode, message_id: bytes, status: str) -> bool:
    row = await node.store.message(message_id)
    return row is not None and row.status == status


async def kept(network: MemoryNetwork, node: LocalNode, count: int) -> list[bytes]:
    def distinct() -> list[bytes]:
        return list(dict.fromkeys(network.held.get(node.node_id, [])))

    await wait_until(lambda: len(distinct()) >= count)
    packets, network.held[node.node_id] = distinct(), []
    assert len(packets) == count
    return packets


async def test_a_stored_message_sent_again_weeks_later_is_confirmed_again(
    tmp_path: Path,
) -> None:
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, clock, live=True, **SETTINGS)
    try:
        network.holding.add(pharmacy.node_id)
        network.holding.add(gp.node_id)
        row = await gp.core.sending.send("Pharmacie", *text("Avant les congés"))
        (packet,) = await kept(network, pharmacy, 1)
        assert await network.hand(pharmacy.node_id, packet) == "stored"
        await kept(network, gp, 1)  # its delivery receipt, lost

        clock.advance(SKIPPED_KEY_TTL_SECONDS + 3600)
        assert await network.hand(pharmacy.node_id, packet) == "duplicate"
        (receipt,) = await kept(network, gp, 1)
        assert await network.hand(gp.node_id, receipt) == "stored"
        assert await has_status(gp, row.message_id, "delivered")
        assert await audit_events(pharmacy, row.message_id) == ["received"]
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_message_whose_key_is_gone_is_refused_for_good_and_fails_at_the_sender(
    tmp_path: Path,
) -> None:
    """The first of two messages is lost; the second opened (the first one's key kept as a
    skipped key, for two weeks). The first comes back after that: GONE."""
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, clock, live=True, **SETTINGS)
    try:
        network.holding.add(pharmacy.node_id)
        first = await gp.core.sending.send("Pharmacie", *text("Premier"))
        second = await gp.core.sending.send("Pharmacie", *text("Second"))
        lost, arrived = await kept(network, pharmacy, 2)
        assert await network.hand(pharmacy.node_id, arrived) == "stored"
        await wait_until(lambda: has_status(gp, second.message_id, "delivered"))

        clock.advance(SKIPPED_KEY_TTL_SECONDS + 3600)
        assert await network.hand(pharmacy.node_id, lost) is Verdict.GONE
        assert await pharmacy.store.message(first.message_id) is None
        # The second is shown (its hold is long over); the first never will be.
        assert [m.message_id for m in await pharmacy.core.reading.unread()] == [second.message_id]

        # The sender's redelivery meets the same refusal: the message fails visibly.
        network.holding.discard(pharmacy.node_id)
        gp.ctx.wake_outbox()
        await wait_until(lambda: has_status(gp, first.message_id, "failed"))
        assert await gp.core.reading.failed_count() == 1
        assert await gp.core.reading.outbox_depth() == {}
    finally:
        await gp.close()
        await pharmacy.close()
