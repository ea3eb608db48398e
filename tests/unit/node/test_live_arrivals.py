"""Live updates on a clinic server: a message one person reads before the hub's next round (their
open conversation marks it read as it renders) is still announced to the colleagues who share
its mailbox. bench.clinic found tabs that were never told of such a message: the hub took an
arrival for "newly unread" only."""

from __future__ import annotations

from pathlib import Path

from node.core.accounts import acting_as
from node.edges.web.live import LiveHub
from node.protocol.conversation import Meta, Priority, TextContent
from tests.unit.node.node_support import ManualClock, MemoryNetwork, wait_until
from tests.unit.node.test_mailboxes import practice_and_pharmacy, staffed


async def test_a_message_read_at_once_by_one_is_still_announced_to_the_others(
    tmp_path: Path,
) -> None:
    practice, pharmacy = await practice_and_pharmacy(tmp_path, MemoryNetwork(), ManualClock())
    node = practice.node
    try:
        shared, _ = await staffed(practice)
        await wait_until(lambda: pharmacy.contact(node).row.mailboxes is not None)
        book = node.core.mailboxes
        people = practice.people
        hub = LiveHub(node.core)  # its rounds run by hand: the race made certain
        bob = await hub.subscribe(book.access_of(people["Bob"].account_id))
        doctor = await hub.subscribe(book.access_of(people["Claire Martin"].account_id))
        await hub._round(forced=True)  # what is there already: not news
        await pharmacy.core.sending.send(
            "Cabinet", Meta(Priority.NORMAL, mailbox=shared), TextContent("Commande prête")
        )
        reading = node.core.reading

        async def arrived() -> bool:
            return any(row.direction == "in" for row in await reading.unread())

        await wait_until(arrived, what="the message at the practice")
        [row] = [r for r in await reading.unread() if r.direction == "in"]
        assert row.mailbox == shared
        with acting_as(people["Alice"]):  # her open conversation read it first
            await reading.mark_read(row.message_id)
        assert await reading.unread() == []
        await hub._round(forced=True)
        told = [a.message_id for push in bob.pushes for a in push.arrivals]
        assert told == [row.message_id.hex()]
        # Not the doctor's mailbox: not told; and a later round announces it no more.
        assert not any(push.arrivals for push in doctor.pushes)
        bob.take()
        await hub._round(forced=True)
        assert not any(push.arrivals for push in bob.pushes)
    finally:
        await node.close()
        await pharmacy.close()
