"""Handoff version 2 (issue #16; docs/protocol.md §18.4): what the next carer needs, each
field checked on the sender's form (ClinicalError) and in a peer's body (MalformedInput);
version 1 handoffs stay readable; the read-back answers a handoff (§18.8)."""

from __future__ import annotations

import datetime
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
from tests.unit.protocol.test_protocol_clinical import TODAY, handoff_json

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
    for cut in range(len(body) - 1, len(body) - 40, -3):
        with pytest.raises(MalformedInput):
            decode_conversation(kind, body[:cut])
    with pytest.raises(MalformedInput):
        decode_conversation(kind, body + b"\x00")


def test_a_version_1_handoff_stays_readable() -> None:
    old = Handoff(form().patient, "S", "A", "E", "D")
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


def test_severity_names() -> None:
    assert [s.name.lower() for s in Severity] == ["stable", "watcher", "unstable"]
    assert datetime.UTC is not None
