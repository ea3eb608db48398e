"""Packets (docs/protocol.md §10): bucket sizes only, sealed sender, bounded size, and only
the recipient's key opens them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import (
    DecryptionFailed,
    LocalProtocolError,
    MalformedInput,
    PayloadKind,
    RatchetMessage,
    Receipt,
    ReceiptType,
    UnsupportedVersion,
    open_packet,
    seal_packet,
)
from node.protocol.envelope import BUCKETS, MAX_INNER_SIZE, MAX_PACKET_SIZE
from node.protocol.payload import MAX_TEXT_BYTES, encode_text
from node.protocol.primitives import SEAL_OVERHEAD
from node.protocol.ratchet import Header
from tests.unit.protocol.protocol_support import T0, DeterministicRandom, Party, pair

# A text message's inner: type (1) + sender id (16) + ratchet header (40) + AEAD tag (16)
# around the payload: version, kind (2) + message id (16) + seq, sent at (16) + body.
TEXT_INNER_OVERHEAD = 1 + 16 + 40 + 16 + 2 + 16 + 16
# A packet: version (1) + sealed-box overhead (48) + padded inner (at least one padding byte).
PACKET_OVERHEAD = 1 + SEAL_OVERHEAD + 1


# A TEXT body starts with its meta (§18.1): normal priority, not a reply.
NORMAL_META = b"\x00\x00"


def largest_text_for(bucket: int) -> int:
    return bucket - PACKET_OVERHEAD - TEXT_INNER_OVERHEAD


def text_body(size: int, letter: bytes = b"x") -> bytes:
    """A valid TEXT body of exactly ``size`` bytes (at least 3: the meta and one letter)."""
    return NORMAL_META + letter * (size - len(NORMAL_META))


@pytest.fixture(scope="module")
def couple() -> tuple[Party, Party]:
    return pair("envelope")


@pytest.mark.parametrize("bucket", BUCKETS[:-1])
def test_texts_fill_each_bucket_up_to_its_edge(couple: tuple[Party, Party], bucket: int) -> None:
    alice, bob = couple
    largest = largest_text_for(bucket)
    for size, expected in ((largest, bucket), (largest + 1, BUCKETS[BUCKETS.index(bucket) + 1])):
        payload, packet = alice.session.seal(PayloadKind.TEXT, text_body(size), T0, alice.rand)
        assert len(packet) == expected
        assert bob.receive(packet) == payload


def test_the_largest_text_fits_the_largest_bucket(couple: tuple[Party, Party]) -> None:
    alice, bob = couple
    body = encode_text("y" * MAX_TEXT_BYTES)
    payload, packet = alice.session.seal(PayloadKind.TEXT, body, T0, alice.rand)
    assert len(packet) == MAX_PACKET_SIZE
    assert bob.receive(packet) == payload


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, MAX_TEXT_BYTES), kind=st.sampled_from(["text", "receipt"]))
def test_every_packet_is_exactly_a_bucket_size(size: int, kind: str) -> None:
    alice, bob = pair("buckets")
    if kind == "text":
        payload, packet = alice.session.seal(
            PayloadKind.TEXT, encode_text("z" * size), T0, alice.rand
        )
    else:
        body = Receipt(ReceiptType.DELIVERED, (bytes(16),)).encode()
        payload, packet = alice.session.seal(PayloadKind.RECEIPT, body, T0, alice.rand)
    assert len(packet) in BUCKETS
    overhead = PACKET_OVERHEAD + TEXT_INNER_OVERHEAD
    assert len(packet) == min(b for b in BUCKETS if b >= len(payload.body) + overhead)
    assert bob.receive(packet) == payload


def test_sealed_sender_reveals_neither_sender_nor_content() -> None:
    alice, bob = pair("sealed sender")
    for turn in range(3):  # a few ratchet steps, so that both sides have sent
        sender, receiver = (alice, bob) if turn % 2 == 0 else (bob, alice)
        payload, packet = sender.send("hello")
        assert receiver.receive(packet) == payload
    secret_text = "Mme Dupont, née le 03/04/1951 : INR à 4,2 ce matin"
    payload, packet = alice.send(secret_text)
    inner = bob.node.open(packet)
    assert isinstance(inner, RatchetMessage)
    alice_public = alice.node.identity.public
    visible_inside = {
        "sender node id": alice_public.node_id,
        "ratchet key": inner.header.dh,
        "header": inner.header.encode(),
    }
    assert inner.sender == alice_public.node_id
    assert inner.header.dh == alice.session.ratchet.dh_public
    hidden = {
        **visible_inside,
        "signing key": alice_public.signing_key,
        "DH key": alice_public.dh_key,
        "message id": payload.message_id,
        "plaintext": secret_text.encode(),
        "plaintext start": secret_text.encode()[:8],
        "ciphertext": inner.ciphertext[:16],
    }
    for name, needle in hidden.items():
        assert needle not in packet, name
    assert packet.startswith(b"\x01")


def test_the_same_message_twice_gives_unrelated_packets_of_one_size() -> None:
    alice, _ = pair("unlinkable")
    _, first = alice.send("identique")
    _, second = alice.send("identique")
    assert len(first) == len(second)
    assert first[1:33] != second[1:33]  # fresh ephemeral key for each packet
    assert first != second


def test_content_too_large_for_a_packet_is_a_local_error() -> None:
    rand = DeterministicRandom("too large")
    recipient = pair("too large")[1].node.identity.public.dh_key
    header = Header(bytes(32), 0, 0)
    fixed = 1 + 16 + 40  # type, sender, header
    fits = RatchetMessage(bytes(16), header, bytes(MAX_INNER_SIZE - fixed))
    assert len(seal_packet(fits, recipient, rand)) == MAX_PACKET_SIZE
    too_large = RatchetMessage(bytes(16), header, bytes(MAX_INNER_SIZE - fixed + 1))
    with pytest.raises(LocalProtocolError):
        seal_packet(too_large, recipient, rand)


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        (PayloadKind.TEXT, b"t" * (MAX_PACKET_SIZE - 100)),  # larger than any packet
        (PayloadKind.TEXT, NORMAL_META + b"t" * (MAX_TEXT_BYTES + 1)),  # the peer refuses it
        (PayloadKind.TEXT, NORMAL_META + b"\xff\xfe not UTF-8"),
        (PayloadKind.RECEIPT, b"\x01 too short"),
        (PayloadKind.CONTACT_CARD, b"\x00"),
    ],
    ids=["too large", "text too long", "not utf-8", "bad receipt", "bad card"],
)
def test_sealing_what_the_peer_would_refuse_is_a_local_error_and_changes_nothing(
    kind: PayloadKind, body: bytes
) -> None:
    alice, bob = pair(f"refused {kind} {len(body)}")
    before = alice.state()
    with pytest.raises(LocalProtocolError):
        alice.session.seal(kind, body, T0, alice.rand)
    assert alice.state() == before
    payload, packet = alice.send("the next message still goes through")
    assert payload.seq == 1
    assert bob.receive(packet) == payload


def test_only_the_recipients_key_opens_a_packet() -> None:
    alice, bob = pair("wrong key")
    _, packet = alice.send("for Bob")
    for public, private in (
        (alice.node.identity.public.dh_key, alice.node.identity.dh_private),
        (bob.node.identity.public.dh_key, alice.node.identity.dh_private),
        (bob.session.ratchet.dh_public, bob.session.ratchet.dh_private),
    ):
        with pytest.raises(DecryptionFailed):
            open_packet(packet, public, private)
    assert isinstance(bob.node.open(packet), RatchetMessage)


def test_packets_of_other_sizes_or_versions_are_refused() -> None:
    alice, bob = pair("framing")
    _, packet = alice.send("framing")
    for bad in (packet[:-1], packet + b"\x00", b"", packet[:255] + packet):
        with pytest.raises(MalformedInput):
            bob.node.open(bad)
    for version in (0, 2, 0xFF):
        with pytest.raises(UnsupportedVersion):
            bob.node.open(bytes([version]) + packet[1:])
