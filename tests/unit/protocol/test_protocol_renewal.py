"""Session renewal after a restore (docs/protocol.md §20): the offer and answer agree on a
fresh session that talks both ways; only the contact's identity key makes an answer or an
offer that verifies; any changed bit is refused; random bytes never crash the decoder."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import Identity, PayloadKind, Session, open_packet, system_random
from node.protocol import renewal as wire
from node.protocol.envelope import RatchetMessage, RenewalInner
from node.protocol.errors import RemoteProtocolError
from node.protocol.restored import decode_restored, encode_restored

NOW = 1_790_000_000.0
CARD = (PayloadKind.RESTORED, encode_restored(123))  # any body that decodes


def _renewed() -> tuple[Identity, Identity, Session, Session]:
    restored, contact = Identity.generate(system_random), Identity.generate(system_random)
    offer, private = wire.make_offer(restored, contact.public, b"", NOW, system_random)
    received = wire.decode(offer.encode())
    assert isinstance(received, wire.RenewalOffer)
    received.verify(restored.public, contact.public)
    reply, contact_session, first = wire.answer(
        contact, restored.public, received, CARD, 7, 11, NOW, system_random
    )
    decoded = wire.decode(reply.encode())
    assert isinstance(decoded, wire.RenewalAnswer)
    restored_session, opened = wire.complete(
        restored, contact.public, private, decoded, NOW, system_random
    )
    assert opened == first
    assert (restored_session.next_seq, contact_session.next_seq) == (11, 8)
    return restored, contact, restored_session, contact_session


def _exchange(sender: Session, recipient: Session, recipient_identity: Identity) -> bytes:
    payload, packet = sender.seal(PayloadKind.RESTORED, encode_restored(1), NOW, system_random)
    inner = open_packet(packet, recipient_identity.public.dh_key, recipient_identity.dh_private)
    assert isinstance(inner, RatchetMessage)
    assert recipient.open(inner, NOW, system_random) == payload
    return payload.message_id


def test_a_renewed_session_talks_both_ways() -> None:
    restored, contact, restored_session, contact_session = _renewed()
    for _ in range(3):
        _exchange(restored_session, contact_session, contact)
        _exchange(contact_session, restored_session, restored)


def test_an_offer_signed_by_another_key_is_refused() -> None:
    restored, contact = Identity.generate(system_random), Identity.generate(system_random)
    stranger = Identity.generate(system_random)
    offer, _ = wire.make_offer(stranger, contact.public, b"", NOW, system_random)
    with pytest.raises(RemoteProtocolError):
        offer.verify(restored.public, contact.public)


def test_an_answer_to_another_offer_or_altered_is_refused() -> None:
    restored, contact = Identity.generate(system_random), Identity.generate(system_random)
    offer, private = wire.make_offer(restored, contact.public, b"", NOW, system_random)
    reply, _, _ = wire.answer(contact, restored.public, offer, CARD, 0, 0, NOW, system_random)
    _, other_private = wire.make_offer(restored, contact.public, b"", NOW, system_random)
    with pytest.raises(RemoteProtocolError):
        wire.complete(restored, contact.public, other_private, reply, NOW, system_random)
    data = bytearray(reply.encode())
    for index in range(1 + 16 + 2, len(data), 7):
        flipped = bytearray(data)
        flipped[index] ^= 0x01
        try:
            decoded = wire.decode(bytes(flipped))
        except RemoteProtocolError:
            continue
        assert isinstance(decoded, wire.RenewalAnswer)
        with pytest.raises(RemoteProtocolError):
            wire.complete(restored, contact.public, private, decoded, NOW, system_random)
    # Signed by the right key but by someone impersonating the contact: refused.
    impostor = Identity.generate(system_random)
    forged, _, _ = wire.answer(impostor, restored.public, offer, CARD, 0, 0, NOW, system_random)
    with pytest.raises(RemoteProtocolError):
        wire.complete(restored, contact.public, private, forged, NOW, system_random)


def test_the_placeholder_neither_seals_nor_opens() -> None:
    restored, contact, _, contact_session = _renewed()
    _, private = wire.make_offer(restored, contact.public, b"", NOW, system_random)
    placeholder = wire.placeholder(restored, contact.public, private)
    assert not placeholder.can_send
    _, packet = contact_session.seal(PayloadKind.RESTORED, encode_restored(1), NOW, system_random)
    inner = open_packet(packet, restored.public.dh_key, restored.dh_private)
    assert isinstance(inner, RatchetMessage)
    with pytest.raises(RemoteProtocolError):
        placeholder.open(inner, NOW, system_random)


def test_renewal_inner_round_trips_through_a_packet() -> None:
    restored, contact = Identity.generate(system_random), Identity.generate(system_random)
    offer, _ = wire.make_offer(restored, contact.public, b"card", NOW, system_random)
    from node.protocol import seal_packet

    packet = seal_packet(RenewalInner(offer.encode()), contact.public.dh_key, system_random)
    inner = open_packet(packet, contact.public.dh_key, contact.dh_private)
    assert isinstance(inner, RenewalInner)
    assert wire.decode(inner.data) == offer


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_decoders(data: bytes) -> None:
    for candidate in (data, bytes([wire.INNER_TYPE]) + data):
        try:
            wire.decode(candidate)
        except RemoteProtocolError:
            pass
    try:
        decode_restored(data)
    except RemoteProtocolError:
        pass
