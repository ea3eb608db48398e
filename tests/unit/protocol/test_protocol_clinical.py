"""Clinical messages (docs/protocol.md §18): the JSON path refuses what is wrong with a field
name and a stable reason, the binary path refuses the same from a peer as malformed input,
and every content survives encode/decode and to_json/from_json."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from node.protocol import MalformedInput, PayloadKind, RemoteProtocolError
from node.protocol.conversation import (
    CONVERSATION_KINDS,
    MAX_BODY_BYTES,
    MAX_TEXT_BYTES,
    Content,
    Handoff,
    Meta,
    Priority,
    TextContent,
    content_from_json,
    decode_conversation,
    encode_conversation,
    kind_name,
    meta_from_json,
)
from node.protocol.errors import CLINICAL_REASONS, ClinicalError, LocalProtocolError
from node.protocol.identifiers import check_ins, check_phone, check_rpps, ins_key, luhn_valid
from node.protocol.patient import Patient, Sex
from node.protocol.payload import _BODY_CHECKS, check_body, decode_text_body, encode_text
from node.protocol.prescription import MAX_LINES, Prescription
from node.protocol.wire import Writer

TODAY = datetime.date(2025, 12, 1)
RPPS = "10001234565"  # Luhn-valid (the shared spec's example 10001234567 is not)


def patient_json(**changes: Any) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "birth_name": "DUPONT",
        "first_names": "Marie Claire",
        "birth_date": "1956-03-14",
        "sex": "F",
        "ins": "2 56 03 75 123 456 54",
        "weight_kg": None,
    }
    patient.update(changes)
    return patient


def handoff_json(**changes: Any) -> dict[str, Any]:
    handoff: dict[str, Any] = {
        "patient": patient_json(ins_status="qualified"),  # an INS only when qualified
        "situation": "Chute à domicile ce matin.",
        "background": "Anticoagulée (AVK).\nVit seule.",
        "assessment": "Hématome frontal, pas de perte de connaissance.",
        "request": "Surveillance neurologique 24 h.",
        "callback": "02 98 00 00 00",
        "severity": "watcher",
    }
    handoff.update(changes)
    return handoff


def line_json(**changes: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "medicine": "Amoxicilline",
        "strength": "1 g",
        "dosage": "1 comprimé 3 fois par jour",
        "duration": "7 jours",
        "quantity": None,
        "renewals": 0,
        "inn": "amoxicilline",
        "non_substitutable": None,
    }
    line.update(changes)
    return line


def prescription_json(**changes: Any) -> dict[str, Any]:
    prescription: dict[str, Any] = {
        "prescriber": {
            "name": "Dr Élise Martin",
            "specialty": "Médecine générale",
            "rpps": RPPS,
            "address": "3 rue des Écoles\n75005 Paris",
            "phone": "+33 1 23 45 67 89",
            "email": "e.martin@cabinet.example.fr",
        },
        "date": "2025-11-29",
        "patient": patient_json(ins_status="qualified"),
        "lines": [
            line_json(),
            line_json(medicine="Doliprane", inn="paracétamol", duration=None, quantity="1 boîte"),
        ],
        "notes": None,
    }
    prescription.update(changes)
    return prescription


def refused(kind: str, obj: object, today: datetime.date = TODAY) -> ClinicalError:
    with pytest.raises(ClinicalError) as caught:
        content_from_json(kind, obj, today)
    assert caught.value.reason in CLINICAL_REASONS
    return caught.value


def roundtrip(meta: Meta, content: Content) -> None:
    kind, body = encode_conversation(meta, content)
    assert decode_conversation(kind, body) == (meta, content)
    check_body(kind, body)


# --- Identifiers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("2 56 03 75 123 456 54", "256037512345654"),
        ("180032a12345652", "180032A12345652"),  # Corsica 2A, lower case accepted
        ("1 80 03 2B 123 456 " + f"{ins_key('180032B123456'):02d}", None),
        ("7 85 01 99 123 456 " + f"{ins_key('7850199123456'):02d}", None),  # provisional
    ],
)
def test_valid_ins_are_normalised(typed: str, normalised: str | None) -> None:
    result = check_ins(typed)
    assert result == (normalised or typed.replace(" ", "").upper())


def test_corsica_is_read_as_19_and_18() -> None:
    assert ins_key("18003" + "2A" + "123456") == 97 - int("1800319123456") % 97
    assert ins_key("18003" + "2B" + "123456") == 97 - int("1800318123456") % 97


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("25603751234567", "invalid_ins"),  # 14 characters
        ("556037512345677", "invalid_ins"),  # sex digit 5
        ("2560375123456AB", "invalid_ins"),
        ("25603751234567٧", "invalid_ins"),  # an Arabic-Indic digit is not a digit here
        ("256037512345678", "ins_key"),
        ("1800320A2345652", "invalid_ins"),  # 2A only as the department
    ],
)
def test_invalid_ins_are_refused(typed: str, reason: str) -> None:
    with pytest.raises(ClinicalError) as caught:
        check_ins(typed, "patient.ins")
    assert (caught.value.field, caught.value.reason) == ("patient.ins", reason)
    assert typed not in str(caught.value)


def test_rpps_format_and_luhn_key() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert check_rpps("10001 23456 5") == RPPS
    for typed, reason in [
        ("1000123456", "invalid_rpps"),
        ("100012345650", "invalid_rpps"),
        ("1000123456A", "invalid_rpps"),
        ("10001234567", "rpps_key"),
    ]:
        with pytest.raises(ClinicalError) as caught:
            check_rpps(typed)
        assert caught.value.reason == reason
        assert typed not in str(caught.value)


@pytest.mark.parametrize(
    "phone", ["+33 (0)1 23 45 67 89", "12345", "1" * 21, "", "01 23 45 67 89 poste 12"]
)
def test_bad_phones_are_refused(phone: str) -> None:
    with pytest.raises(ClinicalError) as caught:
        check_phone(phone)
    assert (caught.value.field, caught.value.reason) == ("phone", "invalid_phone")


def test_good_phones_are_kept_as_typed() -> None:
    assert check_phone(" 04.95.12.34.56 ") == "04.95.12.34.56"
    assert check_phone("+33-4-95-12-34-56") == "+33-4-95-12-34-56"
    assert check_phone("01 23 45 67 89") == "01 23 45 67 89"


# --- Handoff -----------------------------------------------------------------------------------


def test_a_handoff_round_trips_through_json_and_wire() -> None:
    handoff = content_from_json("handoff", handoff_json(), TODAY)
    assert isinstance(handoff, Handoff)
    assert handoff.patient.ins == "256037512345654"
    assert handoff.patient.sex is Sex.FEMALE
    assert content_from_json("handoff", handoff.to_json(), TODAY) == handoff
    roundtrip(Meta(Priority.URGENT, bytes(range(16))), handoff)


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"situation": "   "}, "situation", "required"),
        ({"background": None}, "background", "required"),
        ({"request": "x" * 8_001}, "request", "too_long"),
        ({"assessment": "bip\x1b[31m"}, "assessment", "invalid_text"),
        ({"assessment": 42}, "assessment", "invalid_type"),
        ({"plan": "?"}, "plan", "unknown_field"),
        ({"patient": None}, "patient", "required"),
        ({"patient": patient_json(ins="256037512345678")}, "patient.ins", "ins_key"),
        ({"patient": patient_json(ins="3560375")}, "patient.ins", "invalid_ins"),
        ({"patient": patient_json(sex="X")}, "patient.sex", "invalid_sex"),
        ({"patient": patient_json(birth_name="")}, "patient.birth_name", "required"),
        ({"patient": patient_json(first_names="x" * 101)}, "patient.first_names", "too_long"),
        (
            {"patient": patient_json(birth_name="Du\u202epont")},
            "patient.birth_name",
            "invalid_text",
        ),
        ({"patient": patient_json(birth_date="1956-02-30")}, "patient.birth_date", "invalid_date"),
        ({"patient": patient_json(birth_date="14/03/1956")}, "patient.birth_date", "invalid_date"),
        ({"patient": patient_json(birth_date="1899-12-31")}, "patient.birth_date", "invalid_date"),
        (
            {"patient": patient_json(birth_date="2025-12-02", ins=None)},
            "patient.birth_date",
            "future_date",
        ),
        # Identity vigilance on every form: the NIR holds the sex and birth year and month.
        ({"patient": patient_json(sex="M")}, "patient.ins", "ins_mismatch"),
        ({"patient": patient_json(birth_date="1957-03-14")}, "patient.ins", "ins_mismatch"),
        ({"patient": patient_json(birth_date="1956-04-14")}, "patient.ins", "ins_mismatch"),
        # An INS travels only with a qualified identity (RNIV 1), as in a prescription.
        ({"patient": patient_json()}, "patient.ins_status", "ins_not_qualified"),
        (
            {"patient": patient_json(ins_status="validated")},
            "patient.ins_status",
            "ins_not_qualified",
        ),
        ({"patient": patient_json(ins_status="sure")}, "patient.ins_status", "invalid_choice"),
        ({"patient": patient_json(weight_kg=0)}, "patient.weight_kg", "invalid_weight"),
        ({"patient": patient_json(weight_kg=True)}, "patient.weight_kg", "invalid_weight"),
        ({"patient": patient_json(weight_kg=float("nan"))}, "patient.weight_kg", "invalid_weight"),
        ({"patient": patient_json(weight_kg=1e308)}, "patient.weight_kg", "invalid_weight"),
        ({"patient": patient_json(height_cm=180)}, "patient.height_cm", "unknown_field"),
    ],
)
def test_bad_handoffs_name_the_field_and_the_reason(
    changes: dict[str, Any], field: str, reason: str
) -> None:
    error = refused("handoff", handoff_json(**changes))
    assert (error.field, error.reason) == (field, reason)
    assert isinstance(error, LocalProtocolError)
    assert error.code == "invalid_field"


def test_errors_never_quote_the_value() -> None:
    error = refused("handoff", handoff_json(patient=patient_json(ins="2 56 03 75 123 456 78")))
    assert "256037512345678" not in str(error)
    assert "123 456" not in str(error)
    assert "DUPONT" not in str(error)


def test_a_peers_invalid_handoff_is_malformed_input() -> None:
    valid = content_from_json("handoff", handoff_json(), TODAY)
    assert isinstance(valid, Handoff)
    writer = Writer()
    Meta().encode_into(writer)
    valid.patient.encode_into(writer)
    for section in ("Situation", "  ", "Assessment", "Request"):  # blank background
        writer.bytes16(section.encode())
    with pytest.raises(MalformedInput):
        decode_conversation(PayloadKind.HANDOFF, writer.getvalue())
    with pytest.raises(MalformedInput):
        check_body(PayloadKind.HANDOFF, writer.getvalue())


def test_a_peers_bad_ins_key_is_malformed_input() -> None:
    handoff = content_from_json("handoff", handoff_json(), TODAY)
    kind, body = encode_conversation(Meta(), handoff)
    tampered = body.replace(b"256037512345654", b"256037512345678")
    assert tampered != body
    with pytest.raises(MalformedInput):
        decode_conversation(kind, tampered)


# --- Prescription ------------------------------------------------------------------------------


def test_a_prescription_round_trips_through_json_and_wire() -> None:
    prescription = content_from_json("prescription", prescription_json(), TODAY)
    assert isinstance(prescription, Prescription)
    assert prescription.lines[1].duration is None
    assert prescription.lines[1].quantity == "1 boîte"
    assert prescription.lines[1].inn == "paracétamol"
    assert prescription.prescriber.rpps == RPPS
    assert content_from_json("prescription", prescription.to_json(), TODAY) == prescription
    roundtrip(Meta(reply_to=bytes(16)), prescription)


def test_a_child_needs_a_weight_on_the_prescription_date() -> None:
    # 15 on 2025-11-30: a child on the 29th, no longer on the 30th.
    child = patient_json(birth_date="2010-11-30", ins=None, ins_status=None)
    error = refused("prescription", prescription_json(patient=child))
    assert (error.field, error.reason) == ("patient.weight_kg", "weight_required")
    weighed = content_from_json(
        "prescription", prescription_json(patient={**child, "weight_kg": 48.25}), TODAY
    )
    assert isinstance(weighed, Prescription)
    assert weighed.patient.weight_kg == 48.25
    assert content_from_json(
        "prescription", prescription_json(patient=child, date="2025-11-30"), TODAY
    )


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"lines": []}, "lines", "required"),
        ({"lines": [line_json()] * (MAX_LINES + 1)}, "lines", "too_many"),
        ({"lines": "Amoxicilline"}, "lines", "invalid_type"),
        (
            {"lines": [line_json(), line_json(duration=None)]},
            "lines.1.duration",
            "duration_or_quantity",
        ),
        (
            {"lines": [line_json(duration="  ", quantity=None)]},
            "lines.0.duration",
            "duration_or_quantity",
        ),
        ({"lines": [line_json(renewals=13)]}, "lines.0.renewals", "invalid_number"),
        ({"lines": [line_json(renewals=-1)]}, "lines.0.renewals", "invalid_number"),
        ({"lines": [line_json(renewals=1.5)]}, "lines.0.renewals", "invalid_number"),
        ({"lines": [line_json(medicine="")]}, "lines.0.medicine", "required"),
        ({"lines": [line_json(route="oral")]}, "lines.0.route", "unknown_field"),
        ({"date": "2025-12-03"}, "date", "future_date"),
        ({"date": "2025-13-01"}, "date", "invalid_date"),
        ({"date": None}, "date", "required"),
        ({"notes": ["?"]}, "notes", "invalid_type"),
        ({"signature": "?"}, "signature", "unknown_field"),
        (
            {"patient": patient_json(birth_date="2025-11-30", ins=None)},
            "patient.birth_date",
            "future_date",
        ),
    ],
)
def test_bad_prescriptions_name_the_field_and_the_reason(
    changes: dict[str, Any], field: str, reason: str
) -> None:
    error = refused("prescription", prescription_json(**changes))
    assert (error.field, error.reason) == (field, reason)


@pytest.mark.parametrize(
    ("member", "value", "reason"),
    [
        ("rpps", "1000123456", "invalid_rpps"),
        ("rpps", "10001234567", "rpps_key"),
        ("rpps", 10001234565, "invalid_type"),
        ("phone", "appeler le cabinet", "invalid_phone"),
        ("phone", "12 34", "invalid_phone"),
        ("name", " ", "required"),
        ("fax", "01 02 03 04 05", "unknown_field"),
    ],
)
def test_bad_prescribers_are_refused(member: str, value: object, reason: str) -> None:
    data = prescription_json()
    data["prescriber"] = {**data["prescriber"], member: value}
    error = refused("prescription", data)
    assert (error.field, error.reason) == (f"prescriber.{member}", reason)


def test_a_date_one_day_ahead_is_accepted_two_are_not() -> None:
    assert content_from_json("prescription", prescription_json(date="2025-12-02"), TODAY)
    assert refused("prescription", prescription_json(date="2025-12-03")).reason == "future_date"


def test_decoding_has_no_clock_so_future_dates_from_a_peer_are_accepted() -> None:
    later = datetime.date(2030, 1, 1)
    prescription = content_from_json("prescription", prescription_json(date="2029-12-31"), later)
    kind, body = encode_conversation(Meta(), prescription)
    assert decode_conversation(kind, body)[1] == prescription  # in the future for TODAY


def test_a_peers_child_prescription_without_weight_is_malformed() -> None:
    prescription = content_from_json("prescription", prescription_json(), TODAY)
    assert isinstance(prescription, Prescription)
    kind, body = encode_conversation(Meta(), prescription)
    # The patient's birth date (u16 year) moved to 2015: a child without a weight.
    tampered = body.replace(
        bytes([1956 >> 8, 1956 & 0xFF, 3, 14]), bytes([2015 >> 8, 2015 & 0xFF, 3, 14])
    )
    assert tampered != body
    with pytest.raises(MalformedInput):
        decode_conversation(kind, tampered)


def test_a_body_too_long_for_one_packet_is_refused_with_the_message_field() -> None:
    huge = handoff_json(
        **{name: "é" * 8_000 for name in ("situation", "background", "assessment", "request")}
    )
    error = refused("handoff", huge)
    assert (error.field, error.reason) == ("message", "too_long")


# --- Text and meta -----------------------------------------------------------------------------


def test_text_content() -> None:
    assert content_from_json("text", {"text": "Bonjour"}, TODAY) == TextContent("Bonjour")
    assert content_from_json("text", "Bonjour\n", TODAY) == TextContent("Bonjour\n")
    assert refused("text", {"text": " \n "}).reason == "required"
    assert refused("text", {"text": "x" * (MAX_TEXT_BYTES + 1)}).reason == "too_long"
    assert refused("text", {"text": "\x1b]0;pwned\x07"}).reason == "invalid_text"
    assert refused("text", {"text": "ok", "urgent": True}).field == "urgent"
    assert refused("text", {"text": "\ud800"}).reason == "invalid_text"
    assert refused("fax", {"text": "ok"}).field == "kind"
    roundtrip(Meta(), TextContent("é" * (MAX_TEXT_BYTES // 2)))
    urgent = encode_text("Rappelez-moi", Meta(Priority.URGENT))
    assert urgent[:2] == b"\x01\x00"
    assert decode_text_body(urgent) == "Rappelez-moi"


def test_meta_from_json() -> None:
    assert meta_from_json() == Meta()
    assert meta_from_json("urgent", "00" * 16) == Meta(Priority.URGENT, bytes(16))
    assert Meta(Priority.URGENT, bytes(16)).to_json() == {
        "priority": "urgent",
        "reply_to": "00" * 16,
    }
    for priority, reply_to, field, reason in [
        ("URGENT", None, "priority", "invalid_choice"),
        (1, None, "priority", "invalid_choice"),
        ("normal", "00" * 15, "reply_to", "invalid_id"),
        ("normal", "zz" * 16, "reply_to", "invalid_id"),
    ]:
        with pytest.raises(ClinicalError) as caught:
            meta_from_json(priority, reply_to)
        assert (caught.value.field, caught.value.reason) == (field, reason)
    with pytest.raises(LocalProtocolError):
        Meta(reply_to=bytes(15))


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00", b"\x02\x00hi", b"\x00\x02hi", b"\x00\x01" + bytes(15), b"\x00\x00\xff"],
)
def test_bad_meta_or_text_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedInput):
        decode_conversation(PayloadKind.TEXT, body)


def test_every_kind_has_a_body_check() -> None:
    assert set(_BODY_CHECKS) == set(PayloadKind)
    assert {kind_name(kind) for kind in CONVERSATION_KINDS} == {
        "text",
        "handoff",
        "prescription",
        "attachment",
        "cancellation",
        "dispensing",
        "read_back",
        "escalation",
    }
    with pytest.raises(MalformedInput):
        decode_conversation(PayloadKind.RECEIPT, b"\x00\x00")


def test_the_json_forms_are_not_shared_between_objects() -> None:
    """to_json returns fresh dicts: a caller editing one does not change the content."""
    handoff = content_from_json("handoff", handoff_json(), TODAY)
    data = handoff.to_json()
    before = copy.deepcopy(data)
    data["patient"]["birth_name"] = "AUTRE"
    assert handoff.to_json() == before


def test_patient_age() -> None:
    born = Patient("A", "B", datetime.date(2012, 2, 29), Sex.UNKNOWN)
    assert born.age_on(datetime.date(2027, 2, 28)) == 14
    assert born.age_on(datetime.date(2027, 3, 1)) == 15


def test_body_limit_leaves_room_in_the_largest_packet() -> None:
    from node.protocol.envelope import MAX_RATCHET_PLAINTEXT
    from node.protocol.payload import HEADER_SIZE

    assert MAX_BODY_BYTES + HEADER_SIZE < MAX_RATCHET_PLAINTEXT


def test_remote_errors_are_remote() -> None:
    assert issubclass(MalformedInput, RemoteProtocolError)
    assert not issubclass(ClinicalError, RemoteProtocolError)
