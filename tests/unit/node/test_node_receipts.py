"""Receipts (docs/protocol.md §11.2) between two nodes: delivered, read, acknowledged; and the
sender's audit trail, which records each step once and in order even when a later receipt
overtakes an earlier one on the way back (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.core.errors import Conflict
from node.protocol.conversation import Meta, Priority, TextContent
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    MemoryNetwork,
    audit_events,
    message,
    paired,
    text,
    wait_until,
)

URGENT = Meta(priority=Priority.URGENT)


async def has_status(node: LocalNode, message_id: bytes, status: str) -> bool:
    row = await node.store.message(message_id)
    return row is not None and row.status == status


async def receipts_held(network: MemoryNetwork, node: LocalNode, count: int) -> list[bytes]:
    """Waits until ``count`` distinct packets are kept for the node; takes them."""

    def kept() -> list[bytes]:
        return list(dict.fromkeys(network.held.get(node.node_id, [])))

    await wait_until(lambda: len(kept()) >= count)
    packets, network.held[node.node_id] = kept(), []
    assert len(packets) == count
    return packets


async def test_a_message_is_delivered_then_read(tmp_path: Path) -> None:
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), ManualClock(), live=True)
    try:
        row = await gp.core.sending.send("Pharmacie", *text("Ordonnance prête ?"))
        await wait_until(lambda: has_status(gp, row.message_id, "delivered"))
        delivered = await message(gp, row.message_id)
        assert delivered.delivered_at is not None
        assert delivered.read_at is None

        await pharmacy.core.reading.mark_read(row.message_id)
        await wait_until(lambda: has_status(gp, row.message_id, "read"))
        read = await message(gp, row.message_id)
        assert read.read_at is not None
        assert read.delivered_at == delivered.delivered_at

        assert await audit_events(gp, row.message_id) == ["sent", "delivered", "read"]
        assert await audit_events(pharmacy, row.message_id) == ["received", "read"]
        # Marking read again sends nothing more.
        await pharmacy.core.reading.mark_read(row.message_id)
        assert await audit_events(pharmacy, row.message_id) == ["received", "read"]
    finally:
        await gp.close()
        await pharmacy.close()


async def test_an_urgent_message_acknowledged_is_acknowledged_at_the_sender(
    tmp_path: Path,
) -> None:
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), ManualClock(), live=True)
    try:
        row = await gp.core.sending.send("Pharmacie", URGENT, TextContent("Allergie : rappeler"))
        await wait_until(lambda: has_status(pharmacy, row.message_id, "received"))
        assert [m.message_id for m in await gp.core.reading.awaiting_acknowledgement()] == [
            row.message_id
        ]
        assert [m.message_id for m in await pharmacy.core.reading.incoming_urgent()] == [
            row.message_id
        ]

        acknowledged = await pharmacy.core.reading.acknowledge(row.message_id)
        assert acknowledged.acknowledged_at is not None
        assert acknowledged.status == "read"

        async def acknowledged_at_sender() -> bool:
            return (await message(gp, row.message_id)).acknowledged_at is not None

        await wait_until(acknowledged_at_sender)
        ours = await message(gp, row.message_id)
        assert ours.status == "read"
        assert ours.delivered_at is not None
        assert ours.read_at is not None
        assert await gp.core.reading.awaiting_acknowledgement() == []
        assert await pharmacy.core.reading.incoming_urgent() == []
        events = await audit_events(gp, row.message_id)
        assert events == ["sent", "delivered", "read", "acknowledged"]
    finally:
        await gp.close()
        await pharmacy.close()


async def test_only_a_received_urgent_message_can_be_acknowledged(tmp_path: Path) -> None:
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), ManualClock(), live=True)
    try:
        row = await gp.core.sending.send("Pharmacie", *text("Pas urgent"))
        await wait_until(lambda: has_status(pharmacy, row.message_id, "received"))
        with pytest.raises(Conflict) as caught:
            await pharmacy.core.reading.acknowledge(row.message_id)
        assert caught.value.code == "not_urgent"
        urgent = await gp.core.sending.send("Pharmacie", URGENT, TextContent("Urgent"))
        with pytest.raises(Conflict):  # our own message: the contact acknowledges it
            await gp.core.reading.acknowledge(urgent.message_id)
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_read_receipt_that_overtakes_the_delivery_receipt_is_audited_in_order(
    tmp_path: Path,
) -> None:
    """The defect of issue 11: the read receipt arrived first and set delivered_at, and the
    audit trail never recorded "delivered"."""
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, ManualClock(), live=True)
    try:
        network.holding.add(gp.node_id)  # what the pharmacy sends back is kept
        row = await gp.core.sending.send("Pharmacie", *text("Résultats INR"))
        (delivered,) = await receipts_held(network, gp, 1)
        await pharmacy.core.reading.mark_read(row.message_id)
        (read,) = await receipts_held(network, gp, 1)
        assert await has_status(gp, row.message_id, "queued")

        assert await network.hand(gp.node_id, read) == "stored"
        after_read = await message(gp, row.message_id)
        assert after_read.status == "read"
        assert after_read.delivered_at is not None
        assert await audit_events(gp, row.message_id) == ["sent", "delivered", "read"]

        assert await network.hand(gp.node_id, delivered) == "stored"
        after_both = await message(gp, row.message_id)
        assert after_both.status == "read"  # a late delivery receipt does not go back
        assert after_both.delivered_at == after_read.delivered_at
        assert await audit_events(gp, row.message_id) == ["sent", "delivered", "read"]
        assert (await gp.store.verify_audit()).ok
    finally:
        await gp.close()
        await pharmacy.close()


async def test_receipts_released_in_reverse_order_are_audited_once_each_in_order(
    tmp_path: Path,
) -> None:
    """An urgent message read and acknowledged: the three receipts come back in reverse
    (MemoryNetwork.release with an order), and each step is recorded once, in order."""
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network, ManualClock(), live=True)
    try:
        network.holding.add(gp.node_id)
        row = await gp.core.sending.send("Pharmacie", URGENT, TextContent("Rappel vaccin"))
        (delivered,) = await receipts_held(network, gp, 1)
        await pharmacy.core.reading.acknowledge(row.message_id)  # read, then acknowledged
        read, acknowledged = await receipts_held(network, gp, 2)
        network.held[gp.node_id] = [delivered, read, acknowledged]

        fates = await network.release(gp.node_id, lambda packets: packets[::-1])
        assert fates == ["stored", "stored", "stored"]
        ours = await message(gp, row.message_id)
        assert ours.status == "read"
        assert None not in (ours.delivered_at, ours.read_at, ours.acknowledged_at)
        events = await audit_events(gp, row.message_id)
        assert events == ["sent", "delivered", "read", "acknowledged"]
        assert (await gp.store.verify_audit()).ok
    finally:
        await gp.close()
        await pharmacy.close()
