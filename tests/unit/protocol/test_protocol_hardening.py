"""Fixes found by review: each test fails on the code before its fix."""

from __future__ import annotations

import os

import nacl.bindings
import nacl.encoding
import nacl.hash
import pytest

from node.protocol import (
    Invitation,
    InvitationBook,
    LocalProtocolError,
    MalformedInput,
    PayloadKind,
    PendingInvitation,
    Profile,
    RatchetMessage,
    Reachability,
    Receipt,
    ReceiptType,
    Role,
    SealedAnswer,
    TooManySkipped,
    accept,
)
from node.protocol.identity import fingerprint, safety_number
from node.protocol.payload import decode_text_body
from node.protocol.primitives import blake2b, pad, unpad
from node.protocol.ratchet import Header
from node.protocol.reachability import Endpoint
from tests.unit.protocol.protocol_support import T0, inviter_and_acceptor, pair


@pytest.mark.parametrize("size", [16, 24, 32, 64])
@pytest.mark.parametrize("person", [b"", b"releve-node-id"])
def test_blake2b_is_libsodiums(size: int, person: bytes) -> None:
    data = os.urandom(77)
    expected = nacl.hash.blake2b(
        data, digest_size=size, person=person, encoder=nacl.encoding.RawEncoder
    )
    assert blake2b(data, size=size, person=person) == expected


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 207, 974])
def test_padding_is_libsodiums(length: int) -> None:
    data = os.urandom(length)
    for block in (16, 975, 4047):
        if length >= block:
            continue
        padded = pad(data, block)
        assert padded == nacl.bindings.sodium_pad(data, block)
        assert unpad(padded, block) == data


@pytest.mark.parametrize(
    "bad", [b"", b"\x00" * 16, b"\x01" * 16, b"abc\x80" + b"\x00" * 11 + b"\x01"]
)
def test_bad_padding_is_refused(bad: bytes) -> None:
    with pytest.raises(MalformedInput):
        unpad(bad, 16)


def test_invitation_from_a_newer_inviter_still_pairs() -> None:
    """An unknown role code is read as OTHER; the transcript must still sign the bytes sent."""
    inviter, acceptor = inviter_and_acceptor("newer-role")
    pending = inviter.invite()
    wire = bytearray(pending.invitation.encode())
    name = pending.invitation.profile.name.encode()
    role_offset = wire.index(bytes((len(name),)) + name) + 1 + len(name)
    wire[role_offset] = 0x2E  # a role this version does not know (codes are 0..63)
    invitation = Invitation.decode(bytes(wire))
    assert invitation.profile.role is Role.OTHER
    # The inviter's own pending invitation carries what it really sent.
    sent = PendingInvitation(Invitation.decode(bytes(wire)), pending.one_time_private)
    book = InvitationBook()
    book.add(sent)
    _, packet = accept(invitation, acceptor.identity, acceptor.card, T0, acceptor.rand)
    sealed = inviter.open(packet)
    assert isinstance(sealed, SealedAnswer)
    paired = book.complete(sealed, inviter.identity, T0, inviter.rand)
    assert paired.peer == acceptor.identity.public


@pytest.mark.parametrize("name", ["Dr\u202eMartin", "Dr\u200bMartin", "\ufeffPharmacie"])
def test_invisible_formatting_characters_are_refused_in_names(name: str) -> None:
    with pytest.raises(LocalProtocolError):
        Profile(name)


def test_message_number_at_the_counter_limit_is_refused() -> None:
    alice, bob = pair("counter")
    _, packet = alice.send("hello")
    inner = bob.node.open(packet)
    assert isinstance(inner, RatchetMessage)
    before = bob.session.encode()
    forged = RatchetMessage(inner.sender, Header(inner.header.dh, 0, 0xFFFFFFFF), inner.ciphertext)
    with pytest.raises(TooManySkipped):
        bob.session.open(forged, T0, bob.rand)
    assert bob.session.encode() == before
    assert decode_text_body(bob.receive(packet).body) == "hello"


def test_an_invitation_too_long_for_its_text_form_is_refused_when_made() -> None:
    inviter, _ = inviter_and_acceptor("long")
    hosts = tuple(Endpoint.relay(f"https://{'r' * 60}{i}.example.fr") for i in range(8))
    inviter.reachability = Reachability(hosts, os.urandom(16))
    with pytest.raises(LocalProtocolError):
        inviter.invite().invitation.to_text()


def test_safety_number_halves_are_each_partys_fingerprint() -> None:
    inviter, acceptor = inviter_and_acceptor("halves")
    a, b = inviter.identity.public, acceptor.identity.public
    number = safety_number(a, b)
    assert number == safety_number(b, a)
    assert sorted([number[:35], number[36:]]) == sorted([fingerprint(a), fingerprint(b)])


def test_receipts_take_no_sequence_number() -> None:
    """A lost receipt is never sent again: it must not open a gap in the order (§11.2)."""
    alice, _ = pair("seq")
    first, _ = alice.send("one")
    body = Receipt(ReceiptType.DELIVERED, (bytes(16),)).encode()
    receipt, _ = alice.session.seal(PayloadKind.RECEIPT, body, T0, alice.rand)
    second, _ = alice.send("two")
    assert receipt.seq == second.seq == first.seq + 1
