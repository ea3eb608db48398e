"""Any single flipped bit is rejected with a RemoteProtocolError and changes nothing on the
receiving side (docs/protocol.md §7, §10, §12): in session packets, in what an attacker
re-seals to the recipient's public key, in pairing answers and in invitations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import (
    Invitation,
    InvitationBook,
    InvitationUsed,
    LocalProtocolError,
    PendingInvitation,
    RatchetMessage,
    RemoteProtocolError,
    SealedAnswer,
    accept,
    seal_packet,
)
from node.protocol.envelope import decode_inner
from node.protocol.primitives import seal, seal_open
from tests.unit.protocol.protocol_support import (
    T0,
    DeterministicRandom,
    Node,
    Party,
    flip_bit,
    inviter_and_acceptor,
    pair,
)

SEEDS = st.integers(min_value=0, max_value=2**32)
TEXT = "Ordonnance : amoxicilline 1 g trois fois par jour, 7 jours."


def converse(alice: Party, bob: Party, turns: int) -> None:
    """Moves both ratchets along: ``turns`` alternating messages, all delivered."""
    for turn in range(turns):
        sender, receiver = (alice, bob) if turn % 2 == 0 else (bob, alice)
        payload, packet = sender.send(f"turn {turn}")
        assert receiver.receive(packet) == payload


def assert_refused_without_change(receiver: Party, packet: bytes) -> None:
    before = receiver.state()
    with pytest.raises(RemoteProtocolError):
        receiver.receive(packet)
    assert receiver.state() == before


# --- Session packets ---------------------------------------------------------------------------


def test_every_bit_of_a_session_packet_is_protected(alice_and_bob: tuple[Party, Party]) -> None:
    alice, bob = alice_and_bob
    converse(alice, bob, 3)
    payload, packet = bob.send(TEXT)
    for bit in range(len(packet) * 8):
        assert_refused_without_change(alice, flip_bit(packet, bit))
    assert alice.receive(packet) == payload


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, turns=st.integers(0, 4), data=st.data())
def test_a_flipped_bit_in_any_session_packet_is_rejected(
    seed: int, turns: int, data: st.DataObject
) -> None:
    alice, bob = pair(seed)
    converse(alice, bob, turns)
    sender, receiver = (
        (alice, bob) if data.draw(st.booleans(), label="alice sends") else (bob, alice)
    )
    skipped = [sender.send(f"lost {i}") for i in range(data.draw(st.integers(0, 2)))]
    payload, packet = sender.send(TEXT * data.draw(st.integers(1, 30), label="length"))
    bit = data.draw(st.integers(0, len(packet) * 8 - 1), label="bit")
    assert_refused_without_change(receiver, flip_bit(packet, bit))
    assert receiver.receive(packet) == payload
    for earlier, earlier_packet in skipped:
        assert receiver.receive(earlier_packet) == earlier


def reseal_flipped(receiver: Party, packet: bytes, bit: int) -> bytes | None:
    """What an attacker who knows the receiver's public key can send: the packet's content
    with one bit flipped, sealed again. None when the content no longer decodes (the
    receiver's open_packet would refuse it just the same)."""
    content = receiver.node.open(packet).encode()
    try:
        forged = decode_inner(flip_bit(content, bit))
    except RemoteProtocolError:
        return None
    return seal_packet(forged, receiver.node.identity.public.dh_key, DeterministicRandom(bit))


def check_resealed(receiver: Party, packet: bytes, bit: int) -> None:
    forged = reseal_flipped(receiver, packet, bit)
    if forged is None:
        return
    inner = receiver.node.open(forged)
    assert isinstance(inner, RatchetMessage)
    if inner.sender != receiver.session.peer.node_id:
        # Another sender id: the node looks the sender up and finds no session; handing it
        # to this contact's session anyway is the caller's mistake, refused as such.
        before = receiver.state()
        with pytest.raises(LocalProtocolError):
            receiver.receive(forged)
        assert receiver.state() == before
    else:
        assert_refused_without_change(receiver, forged)


def test_every_bit_of_the_sealed_content_is_authenticated(
    alice_and_bob: tuple[Party, Party],
) -> None:
    # Sealed boxes do not authenticate the sender: anyone can seal to Bob. The ratchet's
    # AEAD (header included as associated data) is what rejects a modified message.
    alice, bob = alice_and_bob
    converse(alice, bob, 2)
    payload, packet = alice.send(TEXT)
    for bit in range(len(bob.node.open(packet).encode()) * 8):
        check_resealed(bob, packet, bit)
    assert bob.receive(packet) == payload


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, turns=st.integers(0, 4), data=st.data())
def test_a_flipped_bit_in_resealed_content_is_rejected(
    seed: int, turns: int, data: st.DataObject
) -> None:
    alice, bob = pair(seed)
    converse(alice, bob, turns)
    lost = [alice.send(f"lost {i}") for i in range(data.draw(st.integers(0, 2)))]
    payload, packet = alice.send(TEXT)
    size = len(bob.node.open(packet).encode())
    check_resealed(bob, packet, data.draw(st.integers(0, size * 8 - 1), label="bit"))
    assert bob.receive(packet) == payload
    for earlier, earlier_packet in lost:
        assert bob.receive(earlier_packet) == earlier


# --- Pairing -----------------------------------------------------------------------------------


def one_bit_per_byte(size: int) -> range:
    """Bits that touch every byte once, cycling through the bit positions."""
    return range(0, size * 8, 9)


def test_a_flipped_bit_in_the_answer_packet_is_rejected() -> None:
    inviter, acceptor = inviter_and_acceptor("answer-packet")
    pending = inviter.invite()
    book = InvitationBook()
    book.add(pending)
    _, packet = accept(pending.invitation, acceptor.identity, acceptor.card, T0, acceptor.rand)
    for bit in range(len(packet) * 8):
        with pytest.raises(RemoteProtocolError):
            inviter.open(flip_bit(packet, bit))
    sealed = inviter.open(packet)
    assert isinstance(sealed, SealedAnswer)
    assert (
        book.complete(sealed, inviter.identity, T0, inviter.rand).peer == acceptor.identity.public
    )


def test_a_flipped_bit_in_the_answer_itself_is_rejected() -> None:
    # Whoever saw the QR code knows the one-time key and can re-seal a modified answer:
    # the signature, the key-confirmation proof and the first message's AEAD must catch it.
    inviter, acceptor = inviter_and_acceptor("answer-content")
    pending = inviter.invite()
    book = InvitationBook()
    book.add(pending)
    _, packet = accept(pending.invitation, acceptor.identity, acceptor.card, T0, acceptor.rand)
    sealed = inviter.open(packet)
    assert isinstance(sealed, SealedAnswer)
    answer = seal_open(pending.invitation.one_time_key, pending.one_time_private, sealed.sealed)
    rand = DeterministicRandom("attacker")
    for bit in one_bit_per_byte(len(answer)):
        forged = seal(pending.invitation.one_time_key, flip_bit(answer, bit), rand)
        with pytest.raises(RemoteProtocolError):
            book.complete(SealedAnswer(sealed.tag, forged), inviter.identity, T0, inviter.rand)
    # The invitation is still pending: the genuine answer completes, once.
    assert (
        book.complete(sealed, inviter.identity, T0, inviter.rand).peer == acceptor.identity.public
    )
    with pytest.raises(InvitationUsed):
        book.complete(sealed, inviter.identity, T0, inviter.rand)


@settings(max_examples=40, deadline=None)
@given(seed=SEEDS, data=st.data())
def test_a_flipped_bit_in_the_answer_is_rejected_property(seed: int, data: st.DataObject) -> None:
    inviter, acceptor = inviter_and_acceptor(str(seed))
    pending = inviter.invite()
    book = InvitationBook()
    book.add(pending)
    _, packet = accept(pending.invitation, acceptor.identity, acceptor.card, T0, acceptor.rand)
    sealed = inviter.open(packet)
    assert isinstance(sealed, SealedAnswer)
    answer = seal_open(pending.invitation.one_time_key, pending.one_time_private, sealed.sealed)
    bit = data.draw(st.integers(0, len(answer) * 8 - 1), label="bit")
    forged = seal(pending.invitation.one_time_key, flip_bit(answer, bit), DeterministicRandom(seed))
    with pytest.raises(RemoteProtocolError):
        book.complete(SealedAnswer(sealed.tag, forged), inviter.identity, T0, inviter.rand)
    assert (
        book.complete(sealed, inviter.identity, T0, inviter.rand).peer == acceptor.identity.public
    )


def pair_through(inviter: Node, acceptor: Node, pending: PendingInvitation, encoded: bytes) -> None:
    """The whole pairing, from the invitation's binary form to the inviter's book."""
    book = InvitationBook()
    book.add(pending)
    invitation = Invitation.decode(encoded)
    _, packet = accept(invitation, acceptor.identity, acceptor.card, T0, acceptor.rand)
    sealed = inviter.open(packet)
    assert isinstance(sealed, SealedAnswer)
    book.complete(sealed, inviter.identity, T0, inviter.rand)


def test_a_flipped_bit_in_the_invitation_never_pairs() -> None:
    # Whatever one changed bit does, no pairing comes out of it: the change is refused when
    # decoding, when accepting (expired, bad key) or by the inviter (the transcript differs).
    # The binary form is flipped: the text form's last character may carry unused bits.
    inviter, acceptor = inviter_and_acceptor("invitation")
    pending = inviter.invite()
    encoded = pending.invitation.encode()
    for bit in range(len(encoded) * 8):
        with pytest.raises(RemoteProtocolError):
            pair_through(inviter, acceptor, pending, flip_bit(encoded, bit))
    pair_through(inviter, acceptor, pending, encoded)
