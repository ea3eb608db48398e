"""A handoff's read-back (issue #16; docs/protocol.md §18.8): the receiver's reformulation goes
back with its acknowledgement and the sender sees it with the handoff; a read-back about a
handoff the node did not send is refused for good."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.core.errors import Conflict, Invalid, Verdict
from node.protocol.conversation import Meta, Priority, ReadBack, content_from_json
from tests.unit.node.node_support import (
    ManualClock,
    MemoryNetwork,
    audit_events,
    deliver,
    paired,
    settle,
    text,
)
from tests.unit.node.test_node_prescriptions import NOW, TODAY, hand_over, view
from tests.unit.protocol.test_protocol_clinical import handoff_json


async def test_the_sender_sees_the_read_back(tmp_path: Path) -> None:
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), ManualClock(NOW))
    try:
        handoff = content_from_json("handoff", handoff_json(), TODAY)
        sent = await gp.core.sending.send("Pharmacie du Port", Meta(Priority.URGENT), handoff)
        await deliver(gp, pharmacy)
        await settle(gp, pharmacy)
        received = await pharmacy.core.reading.message(sent.message_id)
        with pytest.raises(Invalid) as caught:
            await pharmacy.core.read_backs.send(received, "  ")
        assert caught.value.code == "invalid_field"
        with pytest.raises(Conflict):
            await gp.core.read_backs.send(sent, "not ours to read back")
        await pharmacy.core.read_backs.send(received, "Surveillance neuro 24 h, rappel si vomit.")
        await deliver(pharmacy, gp)
        await settle(gp, pharmacy)
        shown = await view(gp, sent.message_id)
        assert shown["handoff"]["severity"] == "watcher"
        assert [r["text"] for r in shown["read_backs"]] == [
            "Surveillance neuro 24 h, rappel si vomit."
        ]
        assert shown["read_backs"][0]["direction"] == "in"
        mine = await view(pharmacy, sent.message_id)
        assert mine["read_backs"][0]["direction"] == "out"
        assert (await view(gp, sent.message_id))["read_backs"] is not None
        # A text message has no read-backs member to speak of.
        note = await gp.core.sending.send("Pharmacie du Port", *text("Bonjour"))
        assert (await view(gp, note.message_id))["read_backs"] is None
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_read_back_of_an_unknown_handoff_is_refused(tmp_path: Path) -> None:
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), ManualClock(NOW))
    try:
        # A read-back of the pharmacy's own text: not a handoff the GP sent.
        own = await pharmacy.core.sending.send("Dr Martin", *text("Bonjour"))
        await deliver(pharmacy, gp)
        await settle(gp, pharmacy)
        contact = pharmacy.contact(gp)
        forged = await pharmacy.core.sending.send_to(
            contact, Meta(reply_to=own.message_id), ReadBack("Reçu.")
        )
        assert await hand_over(pharmacy, gp) == [Verdict.GONE]
        assert await gp.store.message(own.message_id) is not None
        assert await gp.store.message(forged.message_id) is None
        assert await audit_events(gp, forged.message_id) == ["refused"]
    finally:
        await gp.close()
        await pharmacy.close()
