"""Signed unpair and revocation notices."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import (
    DecryptionFailed,
    Identity,
    PayloadKind,
    RemoteProtocolError,
    Revocation,
    Unpair,
)
from node.protocol.payload import check_body
from tests.unit.protocol.protocol_support import T0, DeterministicRandom, flip_bit

RAND = DeterministicRandom("notices")
ALICE, BOB, MALLORY, ALICE_NEW = (Identity.generate(RAND) for _ in range(4))


def test_unpair_verifies_for_its_sender_and_recipient_only() -> None:
    notice = Unpair.decode(Unpair.sign(ALICE, BOB.public, T0).encode())
    notice.verify(ALICE.public, BOB.public)
    with pytest.raises(DecryptionFailed):
        notice.verify(MALLORY.public, BOB.public)
    with pytest.raises(DecryptionFailed):
        notice.verify(ALICE.public, MALLORY.public)  # not replayable to another contact


@pytest.mark.parametrize("successor", [None, ALICE_NEW.public])
def test_revocation_round_trips_and_binds_the_successor(successor: object) -> None:
    notice = Revocation.sign(ALICE, BOB.public, successor, T0)  # type: ignore[arg-type]
    decoded = Revocation.decode(notice.encode())
    assert decoded == notice
    decoded.verify(ALICE.public, BOB.public)
    swapped = Revocation(notice.time_ms, MALLORY.public, notice.signature)
    with pytest.raises(DecryptionFailed):
        swapped.verify(ALICE.public, BOB.public)


def test_any_flipped_bit_is_refused() -> None:
    body = Revocation.sign(ALICE, BOB.public, ALICE_NEW.public, T0).encode()
    for bit in range(len(body) * 8):
        with pytest.raises(RemoteProtocolError):
            Revocation.decode(flip_bit(body, bit)).verify(ALICE.public, BOB.public)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bodies_raise_only_remote_errors(data: bytes) -> None:
    for kind in (PayloadKind.UNPAIR, PayloadKind.REVOCATION):
        try:
            check_body(kind, data)
        except RemoteProtocolError:
            pass
