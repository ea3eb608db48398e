"""A clinic server's mailboxes (node.core.mailboxes, docs/protocol.md §9.6): a contact's
message to "Secrétariat" reaches each member and nobody else, read and acknowledged are kept
per person while the sender gets one receipt of each, and a node older than mailboxes
(simulated by the previous decoding) keeps exchanging messages with a practice both ways."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node.core.accounts import Account, Accounts, acting_as
from node.core.errors import Invalid, NotFound
from node.core.mailboxes import Forbidden
from node.core.ports import MessageQuery
from node.protocol import PayloadKind, payload
from node.protocol.conversation import Meta, Priority, TextContent
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    MemoryNetwork,
    audit_events,
    deliver,
    local_node,
    message,
    settle,
    text,
    wait_until,
)

RPPS = "10001234565"


class Practice:
    """A clinic server, its people and its mailboxes."""

    def __init__(self, node: LocalNode, accounts: Accounts) -> None:
        self.node = node
        self.accounts = accounts
        self.people: dict[str, Account] = {}

    async def person(self, name: str, role: str, rpps: str | None = None) -> Account:
        account = (await self.accounts.add(name, role, rpps)).account
        self.people[name] = account
        return account


async def practice_and_pharmacy(
    root: Path, network: MemoryNetwork, clock: ManualClock, live: bool = True, **settings: Any
) -> tuple[Practice, LocalNode]:
    clinic = await local_node(
        root / "clinic", "Cabinet du Parc", "practice", network, clock, live, **settings
    )
    pharmacy = await local_node(
        root / "pharmacy", "Pharmacie du Port", "pharmacist", network, clock, live
    )
    accounts = Accounts(clinic.store, clock)
    await accounts.load()
    clinic.core.mailboxes.people = accounts
    practice = Practice(clinic, accounts)
    invitation = await clinic.core.pairing.invite(600)
    await pharmacy.core.pairing.accept(invitation.to_text())
    if live:
        await wait_until(lambda: pharmacy.node_id in clinic.ctx.contacts)
        await settle(clinic, pharmacy)
    else:
        for _ in range(3):
            await deliver(pharmacy, clinic)
            await deliver(clinic, pharmacy)
            await settle(clinic, pharmacy)
    return practice, pharmacy


async def staffed(practice: Practice) -> tuple[bytes, bytes]:
    """Dr Martin (clinician, RPPS), Alice and Bob (secretaries); "Secrétariat" (Alice, Bob,
    default) and "Dr Martin" (personal)."""
    doctor = await practice.person("Claire Martin", "clinician", RPPS)
    alice = await practice.person("Alice", "secretary")
    bob = await practice.person("Bob", "secretary")
    book = practice.node.core.mailboxes
    shared = await book.add("Secrétariat", "shared", [alice.account_id, bob.account_id])
    shared = await book.set_default("secrétariat")
    personal = await book.add("Dr Martin", "personal", [doctor.account_id])
    return shared.mailbox_id, personal.mailbox_id


async def test_a_message_to_the_secretariat_reaches_each_member_and_nobody_else(
    tmp_path: Path,
) -> None:
    practice, pharmacy = await practice_and_pharmacy(tmp_path, MemoryNetwork(), ManualClock())
    clinic = practice.node
    try:
        shared, personal = await staffed(practice)
        # The pharmacy was told the public mailboxes, the doctor's with the RPPS.
        told = pharmacy.contact(clinic).row.mailboxes
        await wait_until(
            lambda: (
                (told := pharmacy.contact(clinic).row.mailboxes) is not None
                and len(told.mailboxes) == 2
            )
        )
        told = pharmacy.contact(clinic).row.mailboxes
        assert told is not None
        doctor_box = told.find("Dr Martin")
        assert doctor_box is not None
        assert doctor_box.prescriber is not None
        assert doctor_box.prescriber.rpps == RPPS
        # Stored, it survives a restart of the pharmacy's view of its contacts.
        stored = {row.contact_id: row for row in await pharmacy.store.contacts()}
        assert stored[clinic.node_id].mailboxes == told

        sent = await pharmacy.core.sending.send(
            "Cabinet", Meta(mailbox=shared), TextContent("Le traitement de Mme X est prêt")
        )
        await wait_until(lambda: clinic.store.message(sent.message_id))
        row = await message(clinic, sent.message_id)
        assert row.mailbox == shared

        book, reading = clinic.core.mailboxes, clinic.core.reading
        people = practice.people
        for name in ("Alice", "Bob"):
            access = book.access_of(people[name].account_id)
            assert access.may_read(row.mailbox)
            shown = await reading.shown(MessageQuery(mailboxes=access.filter))
            assert [r.message_id for r in shown] == [sent.message_id]
        doctor = people["Claire Martin"].account_id
        assert await reading.shown(MessageQuery(mailboxes=book.access_of(doctor).filter)) == []
        with pytest.raises(Forbidden):
            await book.check_read(doctor, row)
        assert "forbidden" in await audit_events(clinic, sent.message_id)
        # The operator (no person acting) reads everything.
        assert book.access_of(None).may_read(personal)
    finally:
        await clinic.close()
        await pharmacy.close()


async def test_read_and_acknowledged_per_person_one_receipt_each(tmp_path: Path) -> None:
    practice, pharmacy = await practice_and_pharmacy(tmp_path, MemoryNetwork(), ManualClock())
    clinic = practice.node
    try:
        shared, _ = await staffed(practice)
        await wait_until(lambda: pharmacy.contact(clinic).row.mailboxes is not None)
        sent = await pharmacy.core.sending.send(
            "Cabinet", Meta(Priority.URGENT, mailbox=shared), TextContent("Rappelez-moi")
        )
        await wait_until(lambda: clinic.store.message(sent.message_id))
        alice, bob = practice.people["Alice"], practice.people["Bob"]
        reading = clinic.core.reading
        with acting_as(alice):
            await reading.mark_read(sent.message_id)
            assert [r.message_id for r in await reading.incoming_urgent()] == [sent.message_id]
        # Until acknowledged, it is in its members' urgent lists only.
        with acting_as(practice.people["Claire Martin"]):
            assert await reading.incoming_urgent() == []
        with acting_as(bob):
            await reading.mark_read(sent.message_id)
            await reading.acknowledge(sent.message_id)
        with acting_as(alice):
            await reading.acknowledge(sent.message_id)
            await reading.mark_read(sent.message_id)  # again: nothing new

        marks = await reading.marks(await message(clinic, sent.message_id))
        assert [(who, what) for who, what, _ in marks] == [
            (alice.account_id, "read"),
            (bob.account_id, "read"),
            (bob.account_id, "acknowledged"),
            (alice.account_id, "acknowledged"),
        ]

        async def acknowledged() -> bool:
            row = await pharmacy.store.message(sent.message_id)
            return row is not None and row.acknowledged_at is not None

        await wait_until(acknowledged)
        await settle(clinic, pharmacy)
        # One delivery, one read and one acknowledgement reached the sender.
        assert await audit_events(pharmacy, sent.message_id) == [
            "sent",
            "delivered",
            "read",
            "acknowledged",
        ]
        # The practice's log names each person's action.
        events = await audit_events(clinic, sent.message_id)
        assert events.count("read") == 2
        assert events.count("acknowledged") == 2
    finally:
        await clinic.close()
        await pharmacy.close()


async def test_replies_and_unaddressed_messages_are_filed(tmp_path: Path) -> None:
    practice, pharmacy = await practice_and_pharmacy(tmp_path, MemoryNetwork(), ManualClock())
    clinic = practice.node
    try:
        shared, personal = await staffed(practice)
        # Sent from the doctor's mailbox: the pharmacy's answer goes back to it.
        question = await clinic.core.sending.send(
            "Pharmacie", *text("Avez-vous le produit ?"), mailbox=personal
        )
        await wait_until(lambda: pharmacy.store.message(question.message_id))
        answer = await pharmacy.core.sending.send(
            "Cabinet", Meta(reply_to=question.message_id), TextContent("Oui")
        )
        # A message naming no mailbox goes to the default one.
        plain = await pharmacy.core.sending.send("Cabinet", *text("Bonjour"))
        await wait_until(lambda: clinic.store.message(plain.message_id))
        await wait_until(lambda: clinic.store.message(answer.message_id))
        assert (await message(clinic, answer.message_id)).mailbox == personal
        assert (await message(clinic, plain.message_id)).mailbox == shared
        assert (await message(clinic, question.message_id)).mailbox == personal
        # A mailbox the contact did not list is refused before anything is sealed.
        with pytest.raises(NotFound):
            await pharmacy.core.sending.send("Cabinet", Meta(mailbox=b"\x09" * 8), *text("x")[1:])
        with pytest.raises(NotFound):
            await clinic.core.sending.send("Pharmacie", Meta(mailbox=shared), TextContent("x"))
    finally:
        await clinic.close()
        await pharmacy.close()


async def test_mailbox_changes_are_checked_and_told(tmp_path: Path) -> None:
    practice, pharmacy = await practice_and_pharmacy(tmp_path, MemoryNetwork(), ManualClock())
    clinic = practice.node
    book = clinic.core.mailboxes
    try:
        shared, personal = await staffed(practice)
        alice, doctor = practice.people["Alice"], practice.people["Claire Martin"]
        with pytest.raises(Invalid):
            await book.add("  ")
        with pytest.raises(Invalid):
            await book.change_members("Dr Martin", add=[alice.account_id])  # personal: one
        with pytest.raises(NotFound):
            await book.change_members("Secrétariat", add=["0" * 32])
        changed = await book.change_members("Secrétariat", remove=[alice.account_id])
        assert alice.account_id not in changed.members
        assert not book.access_of(alice.account_id).may_read(shared)
        assert book.sending_mailbox(doctor.account_id, None).mailbox_id == personal  # type: ignore[union-attr]
        with pytest.raises(Forbidden):
            book.sending_mailbox(alice.account_id, "Dr Martin")
        await book.remove("Dr Martin")
        # A message naming the removed mailbox (sent before the contact was told) is filed in
        # the default one.
        assert book.filed(clinic.contact(pharmacy), personal, None) == shared

        def told() -> int:
            listed = pharmacy.contact(clinic).row.mailboxes
            return -1 if listed is None else len(listed.mailboxes)

        await wait_until(lambda: told() == 1)
        # Kept across a restart of the practice.
        await book.load()
        assert [m.name for m in book.all()] == ["Secrétariat"]
    finally:
        await clinic.close()
        await pharmacy.close()


@contextlib.contextmanager
def older_than_mailboxes() -> Iterator[None]:
    """The payload decoder of a node older than mailboxes: kind 0x14 is unknown to it."""
    saved_kinds, original = payload._KINDS, payload.PayloadKind

    class OldKinds:
        def __new__(cls, value: int) -> PayloadKind:  # type: ignore[misc]
            if value == 0x14:
                raise ValueError(value)
            return original(value)

    setattr(payload, "_KINDS", {c: k for c, k in saved_kinds.items() if c != 0x14})  # noqa: B010
    setattr(payload, "PayloadKind", OldKinds)  # noqa: B010
    try:
        yield
    finally:
        setattr(payload, "_KINDS", saved_kinds)  # noqa: B010
        setattr(payload, "PayloadKind", original)  # noqa: B010


async def test_a_node_older_than_mailboxes_and_a_practice_exchange_both_ways(
    tmp_path: Path,
) -> None:
    network = MemoryNetwork()
    network.holding = set()
    practice, old = await practice_and_pharmacy(tmp_path, network, ManualClock(), live=False)
    clinic = practice.node
    try:
        network.holding.add(old.node_id)  # what the practice sends to it is kept, then handed
        shared, _ = await staffed(practice)
        await settle(clinic)
        with older_than_mailboxes():
            fates = await network.release(old.node_id)
        assert fates  # what the practice sent: its mailboxes, refused, so never told
        assert all(fate != "stored" for fate in fates)
        assert old.contact(clinic).row.mailboxes is None
        # Old -> practice: no mailbox named; filed in the default mailbox.
        sent = await old.core.sending.send("Cabinet", *text("Ordonnance prête"))
        await deliver(old, clinic)
        assert (await message(clinic, sent.message_id)).mailbox == shared
        # Practice -> old: the previous encoding (no mailbox in the meta), read as before.
        reply = await clinic.core.sending.send(
            "Pharmacie", Meta(reply_to=sent.message_id), TextContent("Merci"), mailbox=shared
        )
        await settle(clinic)
        network.holding.discard(old.node_id)
        with older_than_mailboxes():
            await deliver(clinic, old)
            row = await message(old, reply.message_id)
            assert row.reply_to == sent.message_id
            assert row.body[:2] == b"\x00\x01"  # priority, reply flag: the old layout
            await old.core.reading.mark_read(reply.message_id)
            await settle(old)
            await deliver(old, clinic)
        assert (await message(clinic, reply.message_id)).status == "read"
        # And a mailbox is never named to it.
        with pytest.raises(NotFound):
            await clinic.core.sending.send("Pharmacie", Meta(mailbox=shared), TextContent("x"))
    finally:
        await clinic.close()
        await old.close()
