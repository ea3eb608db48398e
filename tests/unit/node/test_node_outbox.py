"""The outbox (node/core/outbox.py) on a clock the test moves: an unreachable contact is retried
with exponential backoff, capped; it gets the message once back; a message older than the
maximum age fails visibly; nothing is handed over twice while it waits for its receipt."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from node.core.outbox import SWEEP_SECONDS
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    MemoryNetwork,
    audit_events,
    paired,
    settle,
    text,
    wait_until,
)

BASE, CAP = 10.0, 40.0


async def has_status(node: LocalNode, message_id: bytes, status: str) -> bool:
    row = await node.store.message(message_id)
    return row is not None and row.status == status


def distinct_held_are(network: MemoryNetwork, node: LocalNode, count: int) -> bool:
    return len(set(network.held.get(node.node_id, []))) == count


async def one_pass(node: LocalNode) -> None:
    """Wakes the outbox and waits until it has finished a pass and started the next one
    (the first pass has then started every attempt it decided on)."""
    for _ in range(2):
        node.ctx.wake_outbox()
        await wait_until(lambda: not node.ctx.outbox_due.is_set())


async def test_an_unreachable_contact_is_retried_with_backoff_then_reached(
    tmp_path: Path,
) -> None:
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(
        tmp_path, network, clock, live=True, retry_base_seconds=BASE, retry_max_seconds=CAP
    )
    try:
        network.down.add(pharmacy.node_id)
        handed = network.handed
        row = await gp.core.sending.send("Pharmacie", *text("Tu es là ?"))

        def attempts() -> int:
            return network.attempts.get(pharmacy.node_id, 0)

        def attempts_are(count: int) -> Callable[[], bool]:
            return lambda: attempts() == count

        before = attempts()
        await wait_until(lambda: attempts() == before + 1)
        # Each failure doubles the delay (jitter: between half of it and all of it), up to the cap.
        for failures, delay in enumerate((BASE, 2 * BASE, CAP, CAP)):
            tried = attempts()
            clock.advance(delay / 2 - 0.5)  # before the earliest retry: nothing
            await one_pass(gp)
            assert attempts() == tried, f"retried too early after {failures + 1} failures"
            clock.advance(delay / 2 + 0.6)  # after the latest: one retry
            gp.ctx.wake_outbox()
            await wait_until(attempts_are(tried + 1))
        assert await has_status(gp, row.message_id, "queued")
        assert network.handed == handed  # nothing reached the pharmacy meanwhile

        network.down.discard(pharmacy.node_id)
        clock.advance(CAP + 1)
        gp.ctx.wake_outbox()
        await wait_until(lambda: has_status(gp, row.message_id, "delivered"))
        assert [m.message_id for m in await pharmacy.core.reading.unread()] == [row.message_id]
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_message_older_than_the_maximum_age_fails(tmp_path: Path) -> None:
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, clock, live=True, outbox_max_age_hours=1)
    try:
        network.down.add(pharmacy.node_id)
        row = await gp.core.sending.send("Pharmacie", *text("Avant la garde"))
        await wait_until(lambda: network.attempts.get(pharmacy.node_id, 0) > 0)

        clock.advance(3600 - SWEEP_SECONDS)  # not yet: still waiting
        await one_pass(gp)
        assert await has_status(gp, row.message_id, "queued")
        assert await gp.core.reading.failed_count() == 0

        clock.advance(SWEEP_SECONDS + 1)
        gp.ctx.wake_outbox()
        await wait_until(lambda: has_status(gp, row.message_id, "failed"))
        assert await gp.core.reading.failed_count() == 1
        assert await gp.core.reading.outbox_depth() == {}
        assert await audit_events(gp, row.message_id) == ["sent"]

        # Back up: the failed message is not sent any more.
        network.down.discard(pharmacy.node_id)
        await one_pass(gp)
        await settle(gp, pharmacy)
        assert await pharmacy.store.message(row.message_id) is None
    finally:
        await gp.close()
        await pharmacy.close()


async def test_each_packet_is_handed_over_once_while_it_waits_for_its_receipt(
    tmp_path: Path,
) -> None:
    """A relay keeps the packets (the transport reports them relayed): each stays in the
    outbox until its receipt, and is not sent again before redelivery_seconds have passed.
    Several sends in a row wake the outbox while earlier attempts are being recorded."""
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, clock, live=True)
    try:
        network.holding.add(pharmacy.node_id)
        sent = 0
        for round_ in range(5):
            for index in range(3):
                await gp.core.sending.send("Pharmacie", *text(f"{round_}.{index}"))
                sent += 1
            await wait_until(partial(distinct_held_are, network, pharmacy, sent))
            await one_pass(gp)
            await settle(gp)
            held = network.held[pharmacy.node_id]
            assert len(held) == len(set(held)), (
                f"{len(held) - len(set(held))} packets handed over twice"
            )
    finally:
        await gp.close()
        await pharmacy.close()
