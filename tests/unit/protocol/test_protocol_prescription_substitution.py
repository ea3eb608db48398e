"""Non-substitution per line with its reason (CSP L.5125-23; arrêté du 12 novembre 2019: MTE,
EFG, CIF; docs/protocol.md §19) on both sides: the sender's form refuses a reason that is not
one of the three (test_protocol_prescription_rules.py), and a peer's body with a reason code
outside them is malformed input; each line keeps its own reason through the wire."""

from __future__ import annotations

import pytest

from node.protocol import MalformedInput, PayloadKind
from node.protocol.conversation import (
    Meta,
    content_from_json,
    decode_conversation,
    encode_conversation,
)
from node.protocol.prescription import NonSubstitution, Prescription
from tests.unit.protocol.test_protocol_clinical import TODAY, line_json, prescription_json


def _prescription(*reasons: str | None) -> Prescription:
    lines = [line_json(non_substitutable=reason) for reason in reasons]
    prescription = content_from_json("prescription", prescription_json(lines=lines), TODAY)
    assert isinstance(prescription, Prescription)
    return prescription


def test_each_line_keeps_its_own_reason_through_the_wire() -> None:
    prescription = _prescription("MTE", None, "EFG", "CIF")
    kind, body = encode_conversation(Meta(), prescription)
    assert kind is PayloadKind.SIGNED_PRESCRIPTION
    decoded = decode_conversation(kind, body)[1]
    assert isinstance(decoded, Prescription)
    assert [line.non_substitutable for line in decoded.lines] == [
        NonSubstitution.MTE,
        None,
        NonSubstitution.EFG,
        NonSubstitution.CIF,
    ]
    assert decoded.notes == prescription.notes  # the reason is the line's, not a free note


@pytest.mark.parametrize("code", [4, 9, 255])
def test_a_peers_unknown_reason_code_is_malformed(code: int) -> None:
    prescription = _prescription(None, "MTE")
    # What a modified sender could encode: a reason byte that is none of MTE, EFG, CIF.
    object.__setattr__(prescription.lines[1], "non_substitutable", code)
    kind, body = encode_conversation(Meta(), prescription)
    with pytest.raises(MalformedInput, match="non-substitution"):
        decode_conversation(kind, body)
