"""The readiness check's payloads (docs/protocol.md §9.5): encoded and decoded exactly, every
malformed body refused with the project's own error, and neither takes a sequence number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from node.protocol import PayloadKind
from node.protocol.errors import LocalProtocolError, MalformedInput, ProtocolError
from node.protocol.payload import check_body
from node.protocol.readiness import MAX_RELAY_URL_BYTES, Arrival, Probe, ProbeAnswer
from node.protocol.session import UNORDERED_KINDS

PROBE_ID = bytes(range(16))


def test_a_probe_is_one_version_byte() -> None:
    assert Probe().encode() == b"\x01"
    assert Probe.decode(b"\x01") == Probe()
    check_body(PayloadKind.PROBE, b"\x01")


@pytest.mark.parametrize(
    "answer",
    [
        ProbeAnswer(PROBE_ID, Arrival.DIRECT),
        ProbeAnswer(PROBE_ID, Arrival.RELAY, "https://relais.example.fr"),
        ProbeAnswer(PROBE_ID, Arrival.RELAY, "h" * MAX_RELAY_URL_BYTES),
    ],
)
def test_an_answer_round_trips(answer: ProbeAnswer) -> None:
    body = answer.encode()
    assert ProbeAnswer.decode(body) == answer
    check_body(PayloadKind.PROBE_ANSWER, body)


def test_a_direct_answer_has_an_exact_layout() -> None:
    assert ProbeAnswer(PROBE_ID, Arrival.DIRECT).encode() == b"\x01" + PROBE_ID + b"\x00\x00"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x02",
        b"\x01\x00",
        b"\x01" + PROBE_ID,
        b"\x01" + PROBE_ID + b"\x02\x00",  # unknown path
        b"\x01" + PROBE_ID + b"\x00\x01x",  # direct with a relay URL
        b"\x01" + PROBE_ID + b"\x01\x00",  # relay without one
        b"\x01" + PROBE_ID + b"\x01\x02\xff\xfe",  # not UTF-8
        b"\x01" + PROBE_ID + b"\x01\x01\x07",  # a control character
        b"\x01" + PROBE_ID + b"\x01\xff" + b"h" * 255,  # longer than allowed
        b"\x01" + PROBE_ID + b"\x00\x00\x00",  # trailing bytes
    ],
)
def test_malformed_answers_are_refused(body: bytes) -> None:
    with pytest.raises(MalformedInput):
        check_body(PayloadKind.PROBE_ANSWER, body)


@pytest.mark.parametrize("body", [b"", b"\x02", b"\x01\x00"])
def test_malformed_probes_are_refused(body: bytes) -> None:
    with pytest.raises(MalformedInput):
        check_body(PayloadKind.PROBE, body)


def test_our_own_misuse_is_a_local_error() -> None:
    with pytest.raises(LocalProtocolError):
        ProbeAnswer(b"short", Arrival.DIRECT)
    with pytest.raises(LocalProtocolError):
        ProbeAnswer(PROBE_ID, Arrival.DIRECT, "https://relais.example.fr")
    with pytest.raises(LocalProtocolError):
        ProbeAnswer(PROBE_ID, Arrival.RELAY, "h" * (MAX_RELAY_URL_BYTES + 1))


def test_neither_takes_a_sequence_number() -> None:
    assert {PayloadKind.PROBE, PayloadKind.PROBE_ANSWER} <= UNORDERED_KINDS


@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_decoders(body: bytes) -> None:
    for kind in (PayloadKind.PROBE, PayloadKind.PROBE_ANSWER):
        try:
            check_body(kind, body)
        except ProtocolError:
            pass
