"""Handoff version 2 (issue #16; docs/protocol.md §18.4): what the next carer needs, each
field checked on the sender's form (ClinicalError) and in a peer's body (MalformedInput);
version 1 handoffs stay readable; the read-back answers a handoff (§18.8)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Any

import pytest

from node.protocol import PayloadKind
from node.protocol.conversation import (
    Handoff,
    Meta,
    ReadBack,
    content_from_json,
    decode_conversation,
    encode_conversation,
)
from node.protocol.errors import ClinicalError, MalformedInput
from node.protocol.handoff import Severity
from node.protocol.patient import InsStatus
from tests.unit.protocol.test_protocol_clinical import TODAY, handoff_json, patient_json

FULL: dict[str, Any] = {
    "allergies": ["Pénicilline (urticaire)", "Iode"],
    "treatments": ["Apixaban 5 mg matin et soir", "Ramipril 5 mg le matin"],
    "contingency": "Si céphalées ou vomissements : appeler le 15.",
    "deadline": "2025-12-01T14:00:00+01:00",
    "home": {
        "address": "4 rue des Lilas\n29900 Concarneau",
        "phone": "02 98 11 22 33",
        "next_of_kin": {"name": "Paul Durand", "relationship": "fils", "phone": "06 12 34 56 78"},
    },
}


def form(**changes: Any) -> Handoff:
    handoff = content_from_json("handoff", handoff_json(**changes), TODAY)
    assert isinstance(handoff, Handoff)
    return handoff


def refused(**changes: Any) -> tuple[str, str]:
    with pytest.raises(ClinicalError) as caught:
        form(**changes)
    return caught.value.field, caught.value.reason


def test_a_full_handoff_round_trips_and_is_version_2() -> None:
    handoff = form(**FULL)
    kind, body = encode_conversation(Meta(), handoff)
    assert kind is PayloadKind.HANDOFF_V2
    _, decoded = decode_conversation(kind, body)
    assert decoded == handoff
    shown = handoff.to_json()
    assert shown["version"] == 2
    assert shown["severity"] == "watcher"
    assert shown["allergies"] == FULL["allergies"]
    assert shown["deadline"] == "2025-12-01T13:00:00Z"
    assert shown["home"]["next_of_kin"]["relationship"] == "fils"
    assert form(**{**shown}) == handoff  # the document reads back


def test_lists_distinguish_not_stated_from_none_known() -> None:
    assert form().allergies is None
    assert form(allergies=[]).allergies == ()
    for handoff in (form(), form(allergies=[], treatments=[])):
        kind, body = encode_conversation(Meta(), handoff)
        assert decode_conversation(kind, body)[1] == handoff


def test_the_callback_defaults_to_the_senders_phone() -> None:
    handoff = content_from_json(
        "handoff", handoff_json(callback=None), TODAY, callback="0102030405"
    )
    assert isinstance(handoff, Handoff)
    assert handoff.callback == "0102030405"
    assert refused(callback=None) == ("callback", "required")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"severity": None}, ("severity", "required")),
        ({"severity": "grave"}, ("severity", "invalid_choice")),
        ({"callback": "abc"}, ("callback", "invalid_phone")),
        ({"allergies": "iode"}, ("allergies", "invalid_type")),
        ({"allergies": ["x"] * 31}, ("allergies", "too_many")),
        ({"treatments": ["ok", "\x1b[2J"]}, ("treatments.1", "invalid_text")),
        ({"treatments": ["x" * 301]}, ("treatments.0", "too_long")),
        ({"deadline": "2025-12-01T14:00"}, ("deadline", "invalid_date")),
        ({"deadline": "demain"}, ("deadline", "invalid_date")),
        ({"contingency": "x" * 2001}, ("contingency", "too_long")),
        ({"home": {"phone": "12"}}, ("home.phone", "invalid_phone")),
        ({"home": {"next_of_kin": {"name": "Paul"}}}, ("home.next_of_kin.phone", "required")),
        ({"home": {"fax": "1"}}, ("home.fax", "unknown_field")),
        ({"version": 1}, ("version", "invalid_choice")),
    ],
)
def test_each_rule_on_the_form(changes: dict[str, Any], expected: tuple[str, str]) -> None:
    assert refused(**changes) == expected


def test_a_peer_body_breaking_a_rule_is_malformed() -> None:
    handoff = form(**FULL)
    # Built without the form's checks: what a modified sender could encode.
    for bad in (
        {"callback": "x"},
        {"allergies": ("",)},
        {"home_phone": "1"},
    ):
        forged = object.__new__(Handoff)
        for name, value in {**handoff.__dict__, **bad}.items():
            object.__setattr__(forged, name, value)
        kind, body = encode_conversation(Meta(), forged)
        with pytest.raises(MalformedInput):
            decode_conversation(kind, body)
    kind, body = encode_conversation(Meta(), handoff)
    # The last byte (the INS status) is optional: without it, the layout sent before it.
    unstated = decode_conversation(kind, body[:-1])[1]
    assert isinstance(unstated, Handoff)
    assert unstated.patient.ins_status is None
    for cut in range(len(body) - 2, len(body) - 40, -3):
        with pytest.raises(MalformedInput):
            decode_conversation(kind, body[:cut])
    with pytest.raises(MalformedInput):
        decode_conversation(kind, body + b"\x00")


def test_a_version_1_handoff_stays_readable() -> None:
    old = Handoff(replace(form().patient, ins_status=None), "S", "A", "E", "D")
    kind, body = encode_conversation(Meta(), old)
    assert kind is PayloadKind.HANDOFF
    _, decoded = decode_conversation(kind, body)
    assert isinstance(decoded, Handoff)
    assert decoded.version == 1
    assert decoded.severity is None
    assert "severity" not in decoded.to_json()


def test_a_read_back_names_its_handoff() -> None:
    handoff_id = bytes(range(16))
    kind, body = encode_conversation(Meta(reply_to=handoff_id), ReadBack("Surveillance 24 h."))
    assert kind is PayloadKind.READ_BACK
    meta, content = decode_conversation(kind, body)
    assert meta.reply_to == handoff_id
    assert content == ReadBack("Surveillance 24 h.")
    _, orphan = encode_conversation(Meta(), ReadBack("x"))
    with pytest.raises(MalformedInput):
        decode_conversation(kind, orphan)
    with pytest.raises(ClinicalError):
        ReadBack("  ")


# --- The INS status (RNIV), a trailing optional byte (§18.4) -----------------------------

# A full handoff (FULL, the INS without a status) as a node encoded it before the status:
# tests/unit/protocol/test_protocol_handoff_v2.py's form at commit 87cc1c2.
BEFORE_STATUS = bytes.fromhex(
    "000000064455504f4e54000c4d6172696520436c6169726507a4030e010f323536303337353132333435"
    "36353400000000001b436875746520c3a020646f6d6963696c65206365206d6174696e2e001f416e7469"
    "636f6167756cc3a965202841564b292e0a566974207365756c652e003048c3a96d61746f6d652066726f"
    "6e74616c2c2070617320646520706572746520646520636f6e6e61697373616e63652e001f5375727665"
    "696c6c616e6365206e6575726f6c6f676971756520323420682e020e3032203938203030203030203030"
    "0102001850c3a96e6963696c6c696e652028757274696361697265290004496f64650102001b41706978"
    "6162616e2035206d67206d6174696e20657420736f6972001652616d697072696c2035206d67206c6520"
    "6d6174696e002f53692063c3a97068616cc3a96573206f7520766f6d697373656d656e7473203a206170"
    "70656c6572206c652031352e00000000692d91500020342072756520646573204c696c61730a32393930"
    "3020436f6e6361726e6561750e303220393820313120323220333301000b5061756c20447572616e6400"
    "0466696c730e3036203132203334203536203738"
)


def test_the_ins_status_travels_with_the_handoff() -> None:
    handoff = form(**FULL)
    assert handoff.patient.ins_status is InsStatus.QUALIFIED
    kind, body = encode_conversation(Meta(), handoff)
    assert kind is PayloadKind.HANDOFF_V2
    decoded = decode_conversation(kind, body)[1]
    assert decoded == handoff
    assert decoded.to_json()["patient"]["ins_status"] == "qualified"
    assert form(**decoded.to_json()) == handoff  # the document reads back
    # Without an INS, any status (or none) may be stated, as in a prescription.
    for status in ("provisional", "retrieved", "validated", "qualified", None):
        patient = patient_json(ins=None, ins_status=status)
        alone = form(patient=patient)
        kind, body = encode_conversation(Meta(), alone)
        assert decode_conversation(kind, body)[1] == alone
        assert alone.to_json()["patient"]["ins_status"] == status


def test_old_and_new_nodes_read_each_others_handoffs() -> None:
    """New nodes read a handoff sent before the status; a handoff without a status is the
    very bytes an older node reads; one with a status is those bytes and one more, which an
    older node's decoder (it ends with the body's end, as ``body + b"\\x00"`` shows above)
    refuses as MalformedInput, its sender's message then failing (§9.2)."""
    kind, before = PayloadKind.HANDOFF_V2, BEFORE_STATUS
    old = decode_conversation(kind, before)[1]
    assert isinstance(old, Handoff)
    assert old.version == 2
    assert old.patient.ins == "256037512345654"
    assert old.patient.ins_status is None  # not stated: shown without a status
    assert old.to_json()["patient"]["ins_status"] is None
    assert encode_conversation(Meta(), old)[1] == before  # stored ones re-encode as they were
    handoff = form(**FULL)
    assert encode_conversation(Meta(), handoff)[1] == before + bytes([InsStatus.QUALIFIED])
    unstated = replace(handoff, patient=replace(handoff.patient, ins_status=None))
    assert encode_conversation(Meta(), unstated)[1] == before


def test_a_peers_ins_status_breaking_a_rule_is_malformed() -> None:
    kind, before = PayloadKind.HANDOFF_V2, BEFORE_STATUS
    for code in (0, 5, 255):  # 0 is not "none": a status absent is no byte at all
        with pytest.raises(MalformedInput):
            decode_conversation(kind, before + bytes([code]))
    for status in (InsStatus.PROVISIONAL, InsStatus.RETRIEVED, InsStatus.VALIDATED):
        with pytest.raises(MalformedInput):  # an INS only with a qualified identity
            decode_conversation(kind, before + bytes([status]))
    # With a status, the INS is checked against the sex and birth (a handoff of today).
    handoff = form(**FULL)
    forged = object.__new__(Handoff)
    for name, value in handoff.__dict__.items():
        object.__setattr__(forged, name, value)
    object.__setattr__(
        forged, "patient", replace(handoff.patient, birth_date=datetime.date(1957, 3, 14))
    )
    kind, body = encode_conversation(Meta(), forged)
    with pytest.raises(MalformedInput):
        decode_conversation(kind, body)
    # Without one (sent before it), stored handoffs stay readable as they were.
    stored = replace(forged, patient=replace(forged.patient, ins_status=None))
    kind, body = encode_conversation(Meta(), stored)
    assert decode_conversation(kind, body)[1] == stored


def test_the_form_states_the_ins_status_as_a_prescription_does() -> None:
    assert refused(patient=patient_json()) == ("patient.ins_status", "ins_not_qualified")
    assert refused(patient=patient_json(ins_status="retrieved")) == (
        "patient.ins_status",
        "ins_not_qualified",
    )
    assert refused(patient=patient_json(ins_status="sure")) == (
        "patient.ins_status",
        "invalid_choice",
    )
    with pytest.raises(ClinicalError):  # version 1 has no room for it
        Handoff(form().patient, "S", "A", "E", "D")


def test_severity_names() -> None:
    assert [s.name.lower() for s in Severity] == ["stable", "watcher", "unstable"]
    assert datetime.UTC is not None
