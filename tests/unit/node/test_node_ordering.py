"""Ordering, hold-back and duplicates at the receiver (docs/protocol.md §11): messages are
shown once and in the sender's order; one that came after a gap waits for the missing ones,
or for HOLD_SECONDS; a packet handed twice is stored once and confirmed again."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from node.core.ports import MessageQuery
from node.core.reading import HOLD_SECONDS
from node.core.records import MessageRow
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


def ids(rows: list[MessageRow]) -> list[bytes]:
    return [row.message_id for row in rows]


async def unread(node: LocalNode) -> list[bytes]:
    return ids(await node.core.reading.unread())


def distinct(packets: list[bytes]) -> list[bytes]:
    return list(dict.fromkeys(packets))


async def held_for(network: MemoryNetwork, node: LocalNode, count: int) -> list[bytes]:
    """Waits until ``count`` packets are kept for the node; takes them from the network.
    (A packet the sender sent twice counts once here: test_node_outbox checks that.)"""
    await wait_until(lambda: len(distinct(network.held.get(node.node_id, []))) >= count)
    packets, network.held[node.node_id] = distinct(network.held[node.node_id]), []
    assert len(packets) == count
    return packets


async def send_held(
    gp: LocalNode, pharmacy: LocalNode, network: MemoryNetwork, count: int
) -> tuple[list[bytes], list[bytes]]:
    """The GP sends ``count`` texts that the network keeps: their ids and their packets."""
    network.holding.add(pharmacy.node_id)
    sent = []
    for index in range(count):
        row = await gp.core.sending.send("Pharmacie", *text(f"message {index}"))
        sent.append(row.message_id)
    return sent, await held_for(network, pharmacy, count)


async def test_messages_released_out_of_order_are_shown_in_the_senders_order(
    tmp_path: Path,
) -> None:
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, clock, live=True)
    try:
        sent, packets = await send_held(gp, pharmacy, network, 3)
        first, second, third = packets

        assert await network.hand(pharmacy.node_id, third) == "stored"
        assert await unread(pharmacy) == []  # after a gap: held back
        assert await network.hand(pharmacy.node_id, first) == "stored"
        assert await unread(pharmacy) == sent[:1]  # the third still waits for the second
        assert await network.hand(pharmacy.node_id, second) == "stored"
        assert await unread(pharmacy) == sent

        shown = await pharmacy.core.reading.shown(
            MessageQuery(contact_id=gp.node_id, direction="in")
        )
        assert ids(shown) == sent
        assert await pharmacy.core.reading.unread_count() == 3
        # Each one delivered at the sender, once its receipt came back.
        for message_id in sent:
            await wait_until(partial(_status, gp, message_id, "delivered"))
    finally:
        await gp.close()
        await pharmacy.close()


async def _status(node: LocalNode, message_id: bytes, status: str) -> bool:
    row = await node.store.message(message_id)
    return row is not None and row.status == status


async def test_a_message_after_a_gap_is_shown_once_the_hold_has_passed(tmp_path: Path) -> None:
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, clock, live=True)
    try:
        sent, (first, second) = await send_held(gp, pharmacy, network, 2)
        assert await network.hand(pharmacy.node_id, second) == "stored"
        assert await unread(pharmacy) == []
        assert await pharmacy.core.reading.unread_count() == 0

        clock.advance(HOLD_SECONDS - 1)
        assert await unread(pharmacy) == []
        clock.advance(2)
        assert await unread(pharmacy) == sent[1:]  # the missing one never came: shown anyway
        assert await pharmacy.core.reading.unread_count() == 1

        # The missing one arrives late: both are shown, in the sender's order.
        assert await network.hand(pharmacy.node_id, first) == "stored"
        assert await unread(pharmacy) == sent
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_wait_for_unread_messages_ends_when_the_gap_is_filled(tmp_path: Path) -> None:
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, clock, live=True)
    try:
        sent, (first, second) = await send_held(gp, pharmacy, network, 2)
        assert await network.hand(pharmacy.node_id, second) == "stored"
        # No wait on the manual clock: the held-back message alone is not worth waking up for.
        assert await pharmacy.core.reading.wait_unread(0) == []
        assert await network.hand(pharmacy.node_id, first) == "stored"
        assert ids(await pharmacy.core.reading.wait_unread(60)) == sent
    finally:
        await gp.close()
        await pharmacy.close()


async def test_the_same_packet_twice_is_stored_and_shown_once(tmp_path: Path) -> None:
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, clock, live=True)
    try:
        sent, (packet,) = await send_held(gp, pharmacy, network, 1)
        fates = await _release_twice(network, pharmacy, packet)
        assert fates == ["stored", "duplicate"]
        assert await unread(pharmacy) == sent
        shown = await pharmacy.core.reading.shown(MessageQuery(direction="in"))
        assert ids(shown) == sent
        assert await _audit_count(pharmacy, sent[0], "received") == 1
    finally:
        await gp.close()
        await pharmacy.close()


async def _release_twice(network: MemoryNetwork, node: LocalNode, packet: bytes) -> list[object]:
    network.held[node.node_id] = [packet]
    return list(await network.release(node.node_id, lambda packets: packets * 2))


async def _audit_count(node: LocalNode, message_id: bytes, event: str) -> int:
    return (await audit_events(node, message_id)).count(event)


async def test_a_duplicate_is_confirmed_again_when_the_first_receipt_was_lost(
    tmp_path: Path,
) -> None:
    """The receipt of the first copy is lost on the way back; the duplicate's receipt is the
    one that tells the sender."""
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, clock, live=True)
    try:
        sent, (packet,) = await send_held(gp, pharmacy, network, 1)
        network.holding.add(gp.node_id)  # what the pharmacy sends back is kept
        assert await network.hand(pharmacy.node_id, packet) == "stored"
        (lost,) = await held_for(network, gp, 1)
        assert await network.hand(pharmacy.node_id, packet) == "duplicate"
        (receipt,) = await held_for(network, gp, 1)
        assert receipt != lost
        assert await _status(gp, sent[0], "queued")

        assert await network.hand(gp.node_id, receipt) == "stored"
        assert await _status(gp, sent[0], "delivered")
        await settle(gp, pharmacy)
        assert await unread(pharmacy) == sent
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_lost_receipt_is_made_good_by_the_senders_redelivery(tmp_path: Path) -> None:
    """The whole loop: the receipt is lost, the sender's outbox sends the message again after
    redelivery_seconds, the recipient recognises it and confirms it again."""
    clock, network = ManualClock(), MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, clock, live=True, redelivery_seconds=30)
    try:
        network.holding.add(gp.node_id)
        row = await gp.core.sending.send("Pharmacie", *text("Renouvellement"))
        await held_for(network, gp, 1)  # the delivery receipt, lost
        network.holding.discard(gp.node_id)
        assert await _status(gp, row.message_id, "queued")
        handed = network.handed

        clock.advance(31)
        gp.ctx.wake_outbox()
        await wait_until(lambda: _status(gp, row.message_id, "delivered"))
        assert network.handed >= handed + 2  # the message again, and the new receipt
        assert await unread(pharmacy) == [row.message_id]
        assert await _audit_count(pharmacy, row.message_id, "received") == 1
        assert await _audit_count(gp, row.message_id, "delivered") == 1
    finally:
        await gp.close()
        await pharmacy.close()
