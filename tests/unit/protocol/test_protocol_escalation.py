"""The backup contact's notice (docs/protocol.md §18.9): round trip, bounds, and a peer's bad
body refused as malformed, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from node.protocol import PayloadKind
from node.protocol.conversation import (
    EscalationNotice,
    Meta,
    decode_conversation,
    encode_conversation,
    kind_name,
)
from node.protocol.errors import ClinicalError, MalformedInput
from node.protocol.payload import check_body

NOTICE = EscalationNotice("Dr Martin", "Pharmacie du Port", 1_764_370_800_000, 31)


def test_a_notice_round_trips_as_its_own_kind() -> None:
    kind, body = encode_conversation(Meta(), NOTICE)
    assert kind is PayloadKind.ESCALATION
    assert int(kind) == 0x12
    assert kind_name(kind) == "escalation"
    assert decode_conversation(kind, body) == (Meta(), NOTICE)
    assert NOTICE.to_json() == {
        "from": "Dr Martin",
        "to": "Pharmacie du Port",
        "sent_at_ms": 1_764_370_800_000,
        "waited_minutes": 31,
    }
    check_body(kind, body)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "Pharmacie", 0, 1), "from"),
        (("Dr Martin", "Pharmacie\n2", 0, 1), "to"),
        (("Dr Martin", "P" * 65, 0, 1), "to"),
        (("Dr Martin", "Pharmacie", -1, 1), "sent_at_ms"),
        (("Dr Martin", "Pharmacie", 0, 2**32), "waited_minutes"),
        (("Dr Martin", "Pharmacie", 0, 1.5), "waited_minutes"),
    ],
)
def test_a_notice_is_checked(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(ClinicalError) as caught:
        EscalationNotice(*args)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_truncated_or_padded_body_is_malformed() -> None:
    _, body = encode_conversation(Meta(), NOTICE)
    for bad in (body[:-1], body + b"\x00", body[:2]):
        with pytest.raises(MalformedInput):
            decode_conversation(PayloadKind.ESCALATION, bad)


@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_decoder(data: bytes) -> None:
    try:
        decode_conversation(PayloadKind.ESCALATION, data)
    except MalformedInput:
        pass
