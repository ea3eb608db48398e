"""Prescriptions a pharmacist can rely on (issue #16; docs/protocol.md §19), between two nodes
in one process: signed by the prescriber's node, verified by the pharmacy's, refused when the
signature, the prescriber or the sender is wrong; cancelled, replaced and dispensed, with
every view of the original saying so."""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from node.core.errors import Conflict, Invalid, NotFound, Verdict
from node.core.records import MessageRow
from node.core.sending import _drawing_first
from node.protocol import PayloadKind
from node.protocol.conversation import Meta, Priority, encode_conversation
from node.protocol.prescription import Prescriber, Prescription
from node.protocol.prescription_signature import sign_body
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    MemoryNetwork,
    audit_events,
    deliver,
    local_node,
    message,
    settle,
)

TODAY = datetime.date(2026, 11, 20)
NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC).timestamp()
RPPS = "10001234565"
OTHER_RPPS = "10000000017"
PRESCRIBER: dict[str, Any] = {
    "prescriber_name": "Dr Camille Martin",
    "rpps": RPPS,
    "specialty": "Médecine générale",
    "address": "3 rue du Port\n29900 Concarneau",
    "phone": "02 98 00 00 00",
    "email": "c.martin@cabinet.example.fr",
}
PATIENT: dict[str, Any] = {
    "birth_name": "DUPONT",
    "first_names": "Marie Claire",
    "birth_date": "1956-03-14",
    "sex": "F",
    "ins": "256037512345654",
    "weight_kg": None,
    "ins_status": "qualified",
}


def form(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "date": TODAY.isoformat(),
        "patient": dict(PATIENT),
        "lines": [
            {
                "medicine": "Doliprane",
                "inn": "paracétamol",
                "strength": "1 g",
                "dosage": "1 comprimé toutes les 6 heures si douleur",
                "duration": "5 jours",
                "quantity": None,
                "renewals": 0,
                "non_substitutable": None,
            }
        ],
        "notes": None,
    }
    value.update(changes)
    return value


async def pair(
    tmp_path: Path, gp_settings: dict[str, Any] | None = None, gp_role: str = "gp"
) -> tuple[LocalNode, LocalNode, ManualClock]:
    clock = ManualClock(NOW)
    network = MemoryNetwork()
    settings = PRESCRIBER if gp_settings is None else gp_settings
    gp = await local_node(tmp_path / "gp", "Dr Martin", gp_role, network, clock, **settings)
    pharmacy = await local_node(
        tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist", network, clock
    )
    invitation = await gp.core.pairing.invite(600)
    await pharmacy.core.pairing.accept(invitation.to_text())
    await exchange(gp, pharmacy)
    return gp, pharmacy, clock


async def exchange(gp: LocalNode, pharmacy: LocalNode) -> None:
    for _ in range(3):
        await deliver(pharmacy, gp)
        await deliver(gp, pharmacy)
        await settle(gp, pharmacy)


async def prescribe(gp: LocalNode, pharmacy: LocalNode, **changes: Any) -> MessageRow:
    return await gp.core.prescriptions.send(pharmacy_name(), Meta(), form(**changes), TODAY)


def pharmacy_name() -> str:
    return "Pharmacie du Port"


async def view(node: LocalNode, message_id: bytes) -> dict[str, Any]:
    from node.edges.api.server import LocalApi

    api = LocalApi(node.core, "token", NOW)
    return await api.message_json(await message(node, message_id))


async def test_a_signed_prescription_is_verified_and_shows_its_prescriber(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        card = pharmacy.contact(gp).row.card.profile.prescriber
        assert card is not None
        assert (card.rpps, card.name) == (RPPS, "Dr Camille Martin")
        row = await prescribe(gp, pharmacy)
        assert row.kind == PayloadKind.SIGNED_PRESCRIPTION
        await exchange(gp, pharmacy)
        shown = await view(pharmacy, row.message_id)
        assert shown["kind"] == "prescription"
        assert shown["signature"] == {
            "state": "verified",
            "rpps": RPPS,
            "name": "Dr Camille Martin",
        }
        assert shown["prescription"]["prescriber"]["email"] == PRESCRIBER["email"]
        assert shown["lifecycle"]["state"] == "active"
        assert shown["lifecycle"]["valid_until"] == "2027-02-20"
        assert shown["lifecycle"]["expired"] is False
        assert (await view(gp, row.message_id))["signature"]["state"] == "signed"
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_node_that_is_not_a_prescriber_cannot_send_one(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        with pytest.raises(Invalid) as caught:
            await pharmacy.core.prescriptions.send("Dr Martin", Meta(), form(), TODAY)
        assert caught.value.code == "not_prescriber"
    finally:
        await gp.close()
        await pharmacy.close()


async def test_an_incomplete_profile_names_the_missing_field(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path, {**PRESCRIBER, "email": ""})
    try:
        with pytest.raises(Invalid) as caught:
            await prescribe(gp, pharmacy)
        assert caught.value.code == "prescriber_incomplete"
        assert caught.value.details == {"field": "prescriber.email"}
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_form_naming_its_own_prescriber_is_refused(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        with pytest.raises(Invalid) as caught:
            await prescribe(gp, pharmacy, prescriber={"name": "Dr Autre"})
        assert caught.value.details == {
            "field": "prescriber",
            "reason": "prescriber_from_profile",
        }
    finally:
        await gp.close()
        await pharmacy.close()


async def forge(
    gp: LocalNode,
    pharmacy: LocalNode,
    body: bytes,
    kind: PayloadKind = PayloadKind.SIGNED_PRESCRIPTION,
    message_id: bytes | None = None,
) -> bytes:
    """Seals ``body`` as a payload from the GP's node, bypassing its checks (a modified or
    compromised sender), as message ``message_id`` if given; returns the message id."""
    contact = gp.contact(pharmacy)
    rand = gp.ctx.rand if message_id is None else _drawing_first(message_id, gp.ctx.rand)
    async with contact.lock:
        session = await gp.ctx.session_of(contact)
        payload, packet = session.seal(kind, body, gp.ctx.clock(), rand)
        assert message_id is None or payload.message_id == message_id
        changes = [
            gp.store.enqueue(contact.contact_id, packet, payload.message_id, gp.ctx.clock()),
            gp.store.update_session(contact.contact_id, session),
        ]
        await gp.ctx.commit(changes)
    return payload.message_id


def signed(
    gp: LocalNode, pharmacy: LocalNode, prescription: Prescription, message_id: bytes
) -> bytes:
    _, body = encode_conversation(Meta(), prescription)
    return sign_body(
        gp.ctx.identity, PayloadKind.SIGNED_PRESCRIPTION, pharmacy.node_id, message_id, body
    )


async def hand_over(sender: LocalNode, recipient: LocalNode) -> list[str | Verdict]:
    """Like ``deliver``, but a refused packet is dropped as the outbox drops it (GONE: the
    message failed) and its verdict returned."""
    store = sender.store
    entries = await store.due_for(recipient.node_id, sender.ctx.clock() + 3600, set(), 1000)
    packets = await store.packets([entry.id for entry in entries])
    fates: list[str | Verdict] = []
    for entry in entries:
        fate = await sender.network.hand(recipient.node_id, packets[entry.id])
        fates.append(fate)
        changes = [store.outbox_done(entry.id)]
        if fate is Verdict.GONE and entry.message_id is not None:
            changes.append(store.fail_if_queued(entry.message_id))
        await sender.ctx.commit(changes)
    return fates


async def refused(gp: LocalNode, pharmacy: LocalNode, message_id: bytes) -> None:
    """The pharmacy refused it: not stored, on record in its audit log, failed on the GP."""
    assert await hand_over(gp, pharmacy) == [Verdict.GONE]
    await settle(gp, pharmacy)
    assert await pharmacy.store.message(message_id) is None
    assert "refused" in await audit_events(pharmacy, message_id)


def own_prescription(gp: LocalNode, **changes: Any) -> Prescription:
    prescriber = gp.core.prescriptions.own_prescriber()
    return Prescription.from_json(form(**changes), TODAY, prescriber)


def _line(**changes: Any) -> dict[str, Any]:
    return {**form()["lines"][0], **changes}


TAMPERED: list[dict[str, Any]] = [
    {"date": "2026-11-19"},
    {"patient": {**PATIENT, "first_names": "Marie"}},
    {"patient": {**PATIENT, "ins": None, "ins_status": None}},
    {"patient": {**PATIENT, "weight_kg": 60}},
    {"lines": [_line(strength="2 g")]},
    {"lines": [_line(dosage="2 comprimés toutes les 6 heures")]},
    {"lines": [_line(duration="10 jours")]},
    {"lines": [_line(renewals=1)]},
    {"lines": [_line(quantity="2 boîtes")]},
    {"lines": [_line(inn="ibuprofène")]},
    {"lines": [_line(non_substitutable="MTE")]},
    {"lines": [_line(), _line()]},
    {"notes": "Ajout"},
]


async def test_every_tampered_field_breaks_the_signature(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        message_id = bytes(range(16))
        original = own_prescription(gp)
        signature = signed(gp, pharmacy, original, message_id)[-64:]
        prescriber = gp.core.prescriptions.own_prescriber()
        variants = [
            Prescription.from_json(form(**changes), TODAY, prescriber) for changes in TAMPERED
        ] + [
            replace(original, prescriber=replace(prescriber, **{name: value}))
            for name, value in (
                ("specialty", "Cardiologie"),
                ("address", "1 rue Autre\n75001 Paris"),
                ("phone", "01 00 00 00 00"),
                ("email", "autre@example.fr"),
            )
        ]
        for variant in variants:
            assert variant != original
            _, body = encode_conversation(Meta(), variant)
            forged = body[:-64] + signature
            await refused(gp, pharmacy, await forge(gp, pharmacy, forged, message_id=message_id))
        # The meta is signed too: priority, and the message answered.
        for meta in (Meta(Priority.URGENT), Meta(reply_to=bytes(16))):
            _, body = encode_conversation(meta, original)
            forged = body[:-64] + signature
            await refused(gp, pharmacy, await forge(gp, pharmacy, forged, message_id=message_id))
        # The signature itself, one bit flipped.
        body = signed(gp, pharmacy, original, message_id)
        flipped = body[:-1] + bytes([body[-1] ^ 1])
        await refused(gp, pharmacy, await forge(gp, pharmacy, flipped, message_id=message_id))
        # The untouched body under its own message id goes through.
        await forge(gp, pharmacy, body, message_id=message_id)
        assert await hand_over(gp, pharmacy) == ["stored"]
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_replayed_signature_in_a_new_message_is_refused(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        row = await prescribe(gp, pharmacy)
        await exchange(gp, pharmacy)
        assert await pharmacy.store.message(row.message_id) is not None
        replay = await forge(gp, pharmacy, row.body)  # the same signed body, a new message
        await refused(gp, pharmacy, replay)
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_wrong_key_or_another_recipient_is_refused(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        from node.protocol import Identity, system_random

        other = Identity.generate(system_random)
        _, body = encode_conversation(Meta(), own_prescription(gp))
        message_id = bytes(range(1, 17))
        forged_key = sign_body(
            other, PayloadKind.SIGNED_PRESCRIPTION, pharmacy.node_id, message_id, body
        )
        await refused(gp, pharmacy, await forge(gp, pharmacy, forged_key, message_id=message_id))
        message_id = bytes(range(2, 18))
        elsewhere = sign_body(
            gp.ctx.identity, PayloadKind.SIGNED_PRESCRIPTION, bytes(16), message_id, body
        )
        await refused(gp, pharmacy, await forge(gp, pharmacy, elsewhere, message_id=message_id))
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_prescription_in_another_doctors_name_is_refused(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        base = own_prescription(gp)
        contact = gp.contact(pharmacy)
        for name, rpps in (("Dr Autre Médecin", RPPS), ("Dr Camille Martin", OTHER_RPPS)):
            impostor = replace(base, prescriber=replace(base.prescriber, name=name, rpps=rpps))
            sent = await gp.core.sending.send_to(contact, Meta(), impostor)
            await refused(gp, pharmacy, sent.message_id)
            assert (await message(gp, sent.message_id)).status == "failed"
    finally:
        await gp.close()
        await pharmacy.close()


async def test_a_non_prescriber_contact_cannot_get_a_prescription_through(tmp_path: Path) -> None:
    # A nurse's node signs properly, with an RPPS in its config: the pharmacy still refuses,
    # the role on the card (and so no prescriber identity) says it is not a prescriber.
    gp, pharmacy, _ = await pair(tmp_path, PRESCRIBER, gp_role="nurse")
    try:
        assert pharmacy.contact(gp).row.card.profile.prescriber is None
        prescriber = Prescriber(
            PRESCRIBER["prescriber_name"],
            "Soins",
            RPPS,
            "1 rue\n29000 Q",
            "02 98 00 00 00",
            PRESCRIBER["email"],
        )
        content = Prescription.from_json(form(), TODAY, prescriber)
        sent = await gp.core.sending.send_to(gp.contact(pharmacy), Meta(), content)
        await refused(gp, pharmacy, sent.message_id)
    finally:
        await gp.close()
        await pharmacy.close()


async def test_cancel_amend_and_dispense_end_to_end(tmp_path: Path) -> None:
    gp, pharmacy, clock = await pair(tmp_path)
    try:
        first = await prescribe(gp, pharmacy)
        second = await prescribe(gp, pharmacy)
        await exchange(gp, pharmacy)

        cancel = await gp.core.prescriptions.cancel(
            first.message_id, {"reason": "Erreur de patient"}, TODAY
        )
        assert cancel.kind == PayloadKind.CANCELLATION
        with pytest.raises(Conflict) as closed:
            await gp.core.prescriptions.cancel(first.message_id, {"reason": "encore"}, TODAY)
        assert closed.value.code == "prescription_closed"
        amended = await gp.core.prescriptions.amend(
            second.message_id, form(notes="Dose réduite"), TODAY, Meta()
        )
        await exchange(gp, pharmacy)

        for node in (gp, pharmacy):
            first_view = await view(node, first.message_id)
            assert first_view["lifecycle"]["state"] == "cancelled"
            assert first_view["lifecycle"]["by"] == cancel.message_id.hex()
            assert first_view["lifecycle"]["reason"] == "Erreur de patient"
            second_view = await view(node, second.message_id)
            assert second_view["lifecycle"]["state"] == "replaced"
            assert second_view["lifecycle"]["by"] == amended.message_id.hex()
            amended_view = await view(node, amended.message_id)
            assert amended_view["prescription"]["replaces"] == second.message_id.hex()
            assert amended_view["lifecycle"]["state"] == "active"
        assert (await view(pharmacy, cancel.message_id))["cancellation"] == {
            "date": TODAY.isoformat(),
            "reason": "Erreur de patient",
        }

        with pytest.raises(Invalid) as not_pharmacist:
            await gp.core.prescriptions.dispense(amended.message_id, {"state": "dispensed"})
        assert not_pharmacist.value.code == "not_pharmacist"
        with pytest.raises(Invalid):
            await pharmacy.core.prescriptions.dispense(amended.message_id, {"state": "refused"})
        report = await pharmacy.core.prescriptions.dispense(
            amended.message_id,
            {"state": "partly_dispensed", "note": "1 boîte sur 2", "confirmed_by_phone": True},
        )
        await exchange(gp, pharmacy)
        shown = await view(gp, amended.message_id)
        assert shown["lifecycle"]["dispensing"] == [
            {
                "message_id": report.message_id.hex(),
                "at": shown["lifecycle"]["dispensing"][0]["at"],
                "state": "partly_dispensed",
                "note": "1 boîte sur 2",
                "confirmed_by_phone": True,
            }
        ]
        # Four months later: the cancelled one is past its validity, the dispensed one not.
        clock.advance(120 * 86400)
        assert (await view(gp, amended.message_id))["lifecycle"]["expired"] is False
        assert (await view(gp, first.message_id))["lifecycle"]["expired"] is True
    finally:
        await gp.close()
        await pharmacy.close()


async def test_answers_about_unknown_prescriptions_are_refused(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    try:
        text = await gp.core.sending.send(pharmacy_name(), Meta(), _text("Bonjour"))
        await exchange(gp, pharmacy)
        with pytest.raises(NotFound):
            await gp.core.prescriptions.cancel(text.message_id, {"reason": "x"}, TODAY)
        # A forged cancellation naming a text (or nothing we have) is refused by the pharmacy.
        from node.protocol.lifecycle import Cancellation

        _, body = encode_conversation(Meta(reply_to=text.message_id), Cancellation(TODAY, "x"))
        message_id = bytes(16)
        forged_body = sign_body(
            gp.ctx.identity, PayloadKind.CANCELLATION, pharmacy.node_id, message_id, body
        )
        forged = await forge(gp, pharmacy, forged_body, PayloadKind.CANCELLATION, message_id)
        await refused(gp, pharmacy, forged)
    finally:
        await gp.close()
        await pharmacy.close()


def _text(words: str) -> Any:
    from node.protocol.conversation import TextContent

    return TextContent(words)
