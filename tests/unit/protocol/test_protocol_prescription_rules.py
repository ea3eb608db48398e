"""The rules of a signed prescription (docs/protocol.md §19; issue #16), each on both sides:
the sender's form (``content_from_json``: ClinicalError naming the field and the reason) and a
peer's body (``decode_conversation``: MalformedInput), plus the profile's prescriber identity
and the signature's bytes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from node.protocol import Identity, PayloadKind, Profile, Role
from node.protocol.conversation import Meta, content_from_json, decode_conversation
from node.protocol.errors import ClinicalError, DecryptionFailed, LocalProtocolError, MalformedInput
from node.protocol.identifiers import check_nir_holder, ins_key, is_nia
from node.protocol.narcotics import narcotic_in
from node.protocol.patient import InsStatus
from node.protocol.prescription import (
    VERSION_2,
    NonSubstitution,
    Prescription,
    duration_days,
    valid_until,
)
from node.protocol.prescription_signature import (
    PLACEHOLDER,
    sign_body,
    signed_bytes,
    verify_body,
)
from node.protocol.profile import PrescriberIdentity
from node.protocol.wire import Reader, Writer
from tests.unit.protocol.test_protocol_clinical import TODAY, line_json, prescription_json


def nir(first12: str) -> str:
    """A NIR from its first 13 characters given as 12 + 1 (sex digit first), with its key."""
    return f"{first12}{ins_key(first12):02d}"


def refused_form(**changes: Any) -> ClinicalError:
    with pytest.raises(ClinicalError) as caught:
        content_from_json("prescription", prescription_json(**changes), TODAY)
    return caught.value


def unchecked(**changes: Any) -> Prescription:
    """A prescription built as version 1 (no version 2 rule checked), then labelled version 2:
    what a modified sender could encode."""
    base = content_from_json("prescription", prescription_json(), TODAY)
    assert isinstance(base, Prescription)
    prescription = _as_v1(base, prescription_json(**changes))
    object.__setattr__(prescription, "version", VERSION_2)
    return prescription


def _as_v1(base: Prescription, data: dict[str, Any]) -> Prescription:
    from node.protocol.patient import Patient
    from node.protocol.prescription import Prescriber, PrescriptionLine

    prescriber = Prescriber.from_json(data["prescriber"])
    patient_data = dict(data["patient"])
    status = patient_data.pop("ins_status", None)
    patient = Patient(
        patient_data["birth_name"],
        patient_data["first_names"],
        datetime.date.fromisoformat(patient_data["birth_date"]),
        base.patient.sex if patient_data["sex"] == base.patient.sex.letter else _sex(patient_data),
        None if patient_data["ins"] is None else patient_data["ins"].replace(" ", ""),
        patient_data["weight_kg"],
        InsStatus.from_json(status),
    )
    lines = tuple(PrescriptionLine.from_json(line) for line in data["lines"])
    return Prescription(
        prescriber, datetime.date.fromisoformat(data["date"]), patient, lines, data["notes"]
    )


def _sex(patient: dict[str, Any]) -> Any:
    from node.protocol.patient import Sex

    return Sex.from_letter(patient["sex"])


def refused_body(**changes: Any) -> None:
    writer = Writer()
    Meta().encode_into(writer)
    unchecked(**changes).encode_into(writer)
    body = writer.getvalue() + PLACEHOLDER
    with pytest.raises(MalformedInput):
        decode_conversation(PayloadKind.SIGNED_PRESCRIPTION, body)


ADULT_F_1956_03 = "256037512345654"  # the fixtures' patient: F, born 1956-03-14


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        # CSP R.5132-5, R.5132-29, R.5132-30: narcotics, by INN or brand name.
        (
            {"lines": [line_json(medicine="Skenan LP", inn="morphine")]},
            "lines.0.medicine",
            "narcotic",
        ),
        (
            {"lines": [line_json(medicine="Actiskénan", inn="sulfate de morphine")]},
            "lines.0.medicine",
            "narcotic",
        ),
        (
            {"lines": [line_json(medicine="Ritaline", inn="méthylphénidate")]},
            "lines.0.medicine",
            "narcotic",
        ),
        # CSP R.5132-21: twelve months with renewals.
        (
            {"lines": [line_json(duration="1 mois", renewals=12)]},
            "lines.0.renewals",
            "treatment_too_long",
        ),
        (
            {"lines": [line_json(duration="3 mois", renewals=4)]},
            "lines.0.renewals",
            "treatment_too_long",
        ),
        ({"lines": [line_json(duration="2 ans")]}, "lines.0.renewals", "treatment_too_long"),
        (
            {"lines": [line_json(duration="jusqu'à guérison")]},
            "lines.0.duration",
            "invalid_duration",
        ),
        # CSP L.5121-1-2: the INN beside the brand name.
        ({"lines": [line_json(inn=None)]}, "lines.0.inn", "required"),
        # R.5132-3: the prescriber's e-mail.
        (
            {"prescriber": {**prescription_json()["prescriber"], "email": None}},
            "prescriber.email",
            "required",
        ),
        # RNIV: an INS travels only with a qualified identity.
        (
            {"patient": {**prescription_json()["patient"], "ins_status": "validated"}},
            "patient.ins_status",
            "ins_not_qualified",
        ),
        (
            {"patient": {**prescription_json()["patient"], "ins_status": None}},
            "patient.ins_status",
            "ins_not_qualified",
        ),
        # The NIR holds the sex and birth year and month.
        (
            {"patient": {**prescription_json()["patient"], "sex": "M"}},
            "patient.ins",
            "ins_mismatch",
        ),
        (
            {"patient": {**prescription_json()["patient"], "birth_date": "1990-03-14"}},
            "patient.ins",
            "ins_mismatch",
        ),
        (
            {"patient": {**prescription_json()["patient"], "birth_date": "1956-07-14"}},
            "patient.ins",
            "ins_mismatch",
        ),
    ],
)
def test_each_rule_is_enforced_on_the_form_and_on_a_peers_body(
    changes: dict[str, Any], field: str, reason: str
) -> None:
    error = refused_form(**changes)
    assert (error.field, error.reason) == (field, reason)
    refused_body(**changes)


def test_a_peers_ins_that_does_not_match_its_holder_is_malformed() -> None:
    patient = {**prescription_json()["patient"], "sex": "M"}
    refused_body(patient=patient)


@pytest.mark.parametrize(
    ("duration", "renewals"),
    [("1 mois", 11), ("3 mois", 3), ("12 mois", 0), ("52 semaines", 0), ("1 an", 0), ("7 j", 12)],
)
def test_twelve_months_with_renewals_are_accepted(duration: str, renewals: int) -> None:
    line = line_json(duration=duration, renewals=renewals)
    assert content_from_json("prescription", prescription_json(lines=[line]), TODAY)


def test_durations_read_in_french_and_english() -> None:
    assert duration_days("7 jours") == 7
    assert duration_days("2 Semaines") == 14
    assert duration_days("3 mois") == 90
    assert duration_days("1 year") == 365
    assert duration_days("10j") == 10
    assert duration_days("quelques jours") is None
    assert duration_days("3 lunes") is None


def test_validity_is_three_calendar_months() -> None:
    # R.5132-22: first dispensing within three months.
    assert valid_until(datetime.date(2026, 11, 20)) == datetime.date(2027, 2, 20)
    assert valid_until(datetime.date(2026, 11, 30)) == datetime.date(2027, 2, 28)
    assert valid_until(datetime.date(2027, 11, 30)) == datetime.date(2028, 2, 29)


def test_non_substitution_travels_per_line_with_its_reason() -> None:
    lines = [line_json(non_substitutable="MTE"), line_json(non_substitutable=None)]
    prescription = content_from_json("prescription", prescription_json(lines=lines), TODAY)
    assert isinstance(prescription, Prescription)
    assert prescription.lines[0].non_substitutable is NonSubstitution.MTE
    assert prescription.to_json()["lines"][0]["non_substitutable"] == "MTE"
    from node.protocol.conversation import encode_conversation

    kind, body = encode_conversation(Meta(), prescription)
    assert kind is PayloadKind.SIGNED_PRESCRIPTION
    assert decode_conversation(kind, body)[1] == prescription
    error = refused_form(lines=[line_json(non_substitutable="oui")])
    assert (error.field, error.reason) == ("lines.0.non_substitutable", "invalid_choice")


def test_narcotics_match_words_not_parts_of_words() -> None:
    assert narcotic_in("Morphine 10 mg") == "morphine"
    assert narcotic_in("OXYCONTIN LP") == "oxycodone"
    assert narcotic_in("Méthadone AP-HP") == "methadone"
    assert narcotic_in("Morphinane") is None
    assert narcotic_in("Paracétamol", None, "") is None
    assert narcotic_in("Codéine") is None  # liste I since 2017, not a narcotic


def test_nir_holder_rules_and_their_exceptions() -> None:
    woman = nir("2560375123456")
    check_nir_holder(woman, "F", 1956, 3)
    check_nir_holder(woman, "U", 1956, 3)  # unknown sex: not compared
    for sex, year, month in (("M", 1956, 3), ("F", 1957, 3), ("F", 1956, 4)):
        with pytest.raises(ClinicalError) as caught:
            check_nir_holder(woman, sex, year, month)
        assert caught.value.reason == "ins_mismatch"
    # A month unknown at registration: 20 to 42, or 50 to 99 (99 "unknown"): not compared.
    for unknown in ("20", "42", "99"):
        check_nir_holder(nir(f"156{unknown}75123456"), "M", 1956, 7)
    # 3, 7 male; 4, 8 female (provisional numbers, NIA).
    check_nir_holder(nir("3560375123456"), "M", 1956, 3)
    check_nir_holder(nir("8560375123456"), "F", 1956, 3)
    assert is_nia(nir("7560375123456"))
    assert not is_nia(woman)


def test_a_nia_passes_the_form() -> None:
    patient = {**prescription_json()["patient"], "ins": nir("8560375123456")}
    assert content_from_json("prescription", prescription_json(patient=patient), TODAY)


def test_the_prescriber_identity_travels_in_the_profile() -> None:
    profile = Profile(
        "Dr Martin", Role.GP, "02 98 00 00 00", PrescriberIdentity("10001234565", "Dr Élise Martin")
    )
    writer = Writer()
    profile.encode_into(writer)
    data = writer.getvalue()
    assert data[len("Dr Martin") + 1] == Role.GP | 0x80 | 0x40
    assert Profile.decode_from(Reader(data, "profile")) == profile
    without = Profile("Dr Martin", Role.GP)
    plain = Writer()
    without.encode_into(plain)
    assert plain.getvalue() == bytes([9]) + b"Dr Martin" + bytes([Role.GP])
    with pytest.raises(LocalProtocolError):
        Profile("Pharmacie", Role.PHARMACIST, None, PrescriberIdentity("10001234565", "X"))
    # A pharmacist's card that claims an RPPS is read without it: no prescription accepted.
    claimed = bytearray(data)
    claimed[len("Dr Martin") + 1] = Role.PHARMACIST | 0x80 | 0x40
    decoded = Profile.decode_from(Reader(bytes(claimed), "profile"))
    assert (decoded.role, decoded.prescriber) == (Role.PHARMACIST, None)


def test_the_signature_covers_kind_ids_and_body() -> None:
    from node.protocol import system_random

    signer = Identity.generate(system_random)
    prescription = content_from_json("prescription", prescription_json(), TODAY)
    from node.protocol.conversation import encode_conversation

    kind, body = encode_conversation(Meta(), prescription)
    recipient, message_id = bytes(range(16)), bytes(range(16, 32))
    signed = sign_body(signer, kind, recipient, message_id, body)
    verify_body(signer.public, kind, recipient, message_id, signed)
    assert signed_bytes(kind, signer.public.node_id, recipient, message_id, signed[:-64])[:32] == (
        b"Releve prescription signature v2"
    )
    for args in (
        (PayloadKind.CANCELLATION, recipient, message_id, signed),
        (kind, bytes(16), message_id, signed),
        (kind, recipient, bytes(16), signed),
        (kind, recipient, message_id, signed[:40] + bytes([signed[40] ^ 1]) + signed[41:]),
    ):
        with pytest.raises(DecryptionFailed):
            verify_body(signer.public, *args)
    other = Identity.generate(system_random)
    with pytest.raises(DecryptionFailed):
        verify_body(other.public, kind, recipient, message_id, signed)
    with pytest.raises(LocalProtocolError):
        sign_body(signer, kind, recipient, message_id, signed)  # no placeholder: signed already
