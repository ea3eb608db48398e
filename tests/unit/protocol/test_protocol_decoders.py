"""Every decoder of outside input raises only RemoteProtocolError subclasses, whatever the
bytes (never IndexError, struct.error, ValueError, UnicodeDecodeError, nacl's exceptions...),
and whatever it accepts encodes again to something that decodes to the same value."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import (
    ContactCard,
    Endpoint,
    Invitation,
    Payload,
    PayloadKind,
    Profile,
    RatchetMessage,
    Reachability,
    Receipt,
    ReceiptType,
    RemoteProtocolError,
    Role,
    SealedAnswer,
    open_packet,
)
from node.protocol.envelope import BUCKETS, RenewalInner, decode_inner
from node.protocol.invitation import URI_PREFIX
from node.protocol.pairing import Answer
from node.protocol.primitives import SEAL_OVERHEAD, pad, seal, seal_open
from node.protocol.ratchet import Header
from node.protocol.wire import Reader, Writer
from tests.unit.protocol.protocol_support import (
    T0,
    DeterministicRandom,
    Node,
    Pairing,
    pair,
    run_pairing,
)


@dataclass(frozen=True)
class Samples:
    """Valid encodings of every wire format, to mutate."""

    node: Node  # opens the packets below
    packets: tuple[bytes, ...]
    by_decoder: dict[str, tuple[bytes, ...]]
    invitation_text: str


def encode_with(encode_into: Callable[[Writer], None]) -> bytes:
    writer = Writer()
    encode_into(writer)
    return writer.getvalue()


@cache
def samples() -> Samples:
    rand = DeterministicRandom("decoder samples")
    alice, bob = pair("decoder samples")
    text, text_packet = alice.send("Patient vu ce matin : tension 14/9.")
    receipt_body = Receipt(ReceiptType.READ, (text.message_id,)).encode()
    receipt, receipt_packet = bob.session.seal(PayloadKind.RECEIPT, receipt_body, T0, bob.rand)
    card = ContactCard(
        Profile("Cécile Dürr-Ñúñez", Role.SPECIALIST),
        Reachability(
            (
                Endpoint.direct("2001:db8::7", 7440),
                Endpoint.direct("cabinet.local", 7440),
                Endpoint.relay("http://10.1.2.3:8080"),
            ),
        ),
    )
    pairing: Pairing = run_pairing(bob.node, Node.create("Dr Martin", Role.GP, rand))
    pending = pairing.pending
    sealed = bob.node.open(pairing.answer_packet)
    assert isinstance(sealed, SealedAnswer)
    answer = seal_open(pending.invitation.one_time_key, pending.one_time_private, sealed.sealed)
    inner = bob.node.open(text_packet)
    assert isinstance(inner, RatchetMessage)
    invitation = pending.invitation
    endpoints = invitation.reachability.endpoints + card.reachability.endpoints
    by_decoder = {
        "invitation": (invitation.encode(),),
        "payload": (text.encode(), receipt.encode(), alice.sent[0].encode()),
        "receipt": (receipt_body,),
        "contact card": (card.encode(), alice.node.card.encode()),
        "header": (inner.header.encode(),),
        "inner": (inner.encode(), sealed.encode()),
        "answer": (answer,),
        "endpoint": tuple(encode_with(e.encode_into) for e in endpoints),
        "reachability": (
            encode_with(invitation.reachability.encode_into),
            encode_with(card.reachability.encode_into),
        ),
        "profile": (encode_with(card.profile.encode_into),),
    }
    packets = (text_packet, receipt_packet, pairing.answer_packet)
    return Samples(bob.node, packets, by_decoder, invitation.to_text())


def mutated(valid: tuple[bytes, ...]) -> st.SearchStrategy[bytes]:
    """Random bytes, and valid encodings truncated, extended, spliced or with bytes changed."""

    def change(data: bytes, index: int, mask: int) -> bytes:
        index %= len(data)
        return data[:index] + bytes([data[index] ^ mask]) + data[index + 1 :]

    base = st.sampled_from(valid)
    return st.one_of(
        st.binary(max_size=300),
        st.builds(lambda d, n: d[: n % (len(d) + 1)], base, st.integers(0, 2**16)),
        st.builds(lambda d, extra: d + extra, base, st.binary(min_size=1, max_size=16)),
        st.builds(
            lambda d, n, extra: d[: n % (len(d) + 1)] + extra + d[n % (len(d) + 1) :],
            base,
            st.integers(0, 2**16),
            st.binary(min_size=1, max_size=8),
        ),
        st.builds(change, base, st.integers(0, 2**16), st.integers(1, 255)),
        st.builds(
            lambda d, changes: _apply(d, changes, change),
            base,
            st.lists(st.tuples(st.integers(0, 2**16), st.integers(1, 255)), max_size=6),
        ),
    )


def _apply(
    data: bytes, changes: list[tuple[int, int]], change: Callable[[bytes, int, int], bytes]
) -> bytes:
    for index, mask in changes:
        data = change(data, index, mask)
    return data


def read(decode_from: Callable[[Reader], object], what: str) -> Callable[[bytes], object]:
    return lambda data: decode_from(Reader(data, what))


def roundtrip(value: object) -> object:
    """Encodes an accepted value and decodes it again with the same decoder."""
    if isinstance(value, Invitation):
        return Invitation.decode(value.encode())
    if isinstance(value, Payload):
        return Payload.decode(value.encode())
    if isinstance(value, Receipt):
        return Receipt.decode(value.encode())
    if isinstance(value, ContactCard):
        return ContactCard.decode(value.encode())
    if isinstance(value, Header):
        return Header.decode(value.encode())
    if isinstance(value, RatchetMessage | SealedAnswer | RenewalInner):
        return decode_inner(value.encode())
    if isinstance(value, Answer):
        return Answer.decode(value.encode())
    if isinstance(value, Endpoint):
        return Endpoint.decode_from(Reader(encode_with(value.encode_into), "endpoint"))
    if isinstance(value, Reachability):
        return Reachability.decode_from(Reader(encode_with(value.encode_into), "reachability"))
    if isinstance(value, Profile):
        return Profile.decode_from(Reader(encode_with(value.encode_into), "profile"))
    raise AssertionError(f"no round trip for {type(value).__name__}")


DECODERS: dict[str, Callable[[bytes], object]] = {
    "invitation": Invitation.decode,
    "payload": Payload.decode,
    "receipt": Receipt.decode,
    "contact card": ContactCard.decode,
    "header": Header.decode,
    "inner": decode_inner,
    "answer": Answer.decode,
    "endpoint": read(Endpoint.decode_from, "endpoint"),
    "reachability": read(Reachability.decode_from, "reachability"),
    "profile": read(Profile.decode_from, "profile"),
}


def check_decoder(decode: Callable[[bytes], object], data: bytes) -> None:
    try:
        value = decode(data)
    except RemoteProtocolError:
        return
    assert roundtrip(value) == value


INPUTS = {name: mutated(samples().by_decoder[name]) for name in DECODERS}


@pytest.mark.parametrize("name", sorted(DECODERS))
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_decoder_raises_only_remote_protocol_errors(name: str, data: st.DataObject) -> None:
    check_decoder(DECODERS[name], data.draw(INPUTS[name], label="input"))


@pytest.mark.parametrize("name", sorted(DECODERS))
def test_decoder_accepts_its_valid_samples(name: str) -> None:
    for encoded in samples().by_decoder[name]:
        value = DECODERS[name](encoded)
        assert roundtrip(value) == value


def test_byte_exact_formats_reencode_identically() -> None:
    by_decoder = samples().by_decoder
    for encoded in by_decoder["payload"]:
        assert Payload.decode(encoded).encode() == encoded
    for encoded in by_decoder["receipt"]:
        assert Receipt.decode(encoded).encode() == encoded
    for encoded in by_decoder["header"]:
        assert Header.decode(encoded).encode() == encoded
    for encoded in by_decoder["inner"]:
        assert decode_inner(encoded).encode() == encoded
    for encoded in by_decoder["answer"]:
        assert Answer.decode(encoded).encode() == encoded
    for encoded in by_decoder["invitation"]:
        assert Invitation.decode(encoded).encode() == encoded


def test_decoders_refuse_what_is_not_bytes() -> None:
    for decode in DECODERS.values():
        with pytest.raises(RemoteProtocolError):
            decode("text, not bytes")  # type: ignore[arg-type]
        with pytest.raises(RemoteProtocolError):
            decode(b"")


# --- Packets -----------------------------------------------------------------------------------


BLOCK = BUCKETS[0] - 1 - SEAL_OVERHEAD  # the padded size inside the smallest packet


def open_as_sample_node(packet: bytes) -> object:
    node = samples().node
    return open_packet(packet, node.identity.public.dh_key, node.identity.dh_private)


PACKETS = st.one_of(
    mutated(samples().packets),
    st.sampled_from(BUCKETS[:2]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
)


def sealed_to_sample_node(body: bytes, seed: int) -> bytes:
    """A packet that opens (right version, right key) around an arbitrary padded body."""
    public = samples().node.identity.public.dh_key
    return b"\x01" + seal(public, body, DeterministicRandom(seed))


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_open_packet_raises_only_remote_protocol_errors(data: st.DataObject) -> None:
    check_packet(data.draw(PACKETS, label="packet"))


@settings(max_examples=150, deadline=None)
@given(
    content=st.one_of(st.binary(max_size=600), mutated(samples().by_decoder["inner"])),
    raw_block=st.binary(min_size=BLOCK, max_size=BLOCK),
    padded=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_open_packet_survives_any_sealed_content(
    content: bytes, raw_block: bytes, padded: bool, seed: int
) -> None:
    # Anyone can seal to a node's public key: what is inside must not crash it either.
    if padded:  # well-formed padding around arbitrary content, in the right bucket
        block = next(b - 1 - SEAL_OVERHEAD for b in BUCKETS if len(content) < b - 1 - SEAL_OVERHEAD)
        body = pad(content, block)
    else:  # one block of random bytes: the padding itself is random
        body = raw_block
    check_packet(sealed_to_sample_node(body, seed))


def check_packet(packet: bytes) -> None:
    try:
        inner = open_as_sample_node(packet)
    except RemoteProtocolError:
        return
    assert isinstance(inner, RatchetMessage | SealedAnswer | RenewalInner)
    assert decode_inner(inner.encode()) == inner


# --- Invitation text ---------------------------------------------------------------------------

BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def texts() -> st.SearchStrategy[str]:
    valid = samples().invitation_text

    def change(text: str, index: int, char: str) -> str:
        index %= len(text)
        return text[:index] + char + text[index + 1 :]

    return st.one_of(
        st.text(max_size=400),
        st.text(alphabet=BASE64URL, max_size=400).map(lambda body: URI_PREFIX + body),
        st.binary(max_size=300).map(
            lambda data: URI_PREFIX + base64.urlsafe_b64encode(data).decode().rstrip("=")
        ),
        st.builds(change, st.just(valid), st.integers(0, 2**16), st.characters()),
        st.builds(lambda n: valid[: n % (len(valid) + 1)], st.integers(0, 2**16)),
        st.builds(lambda extra: valid + extra, st.text(min_size=1, max_size=8)),
    )


@settings(max_examples=200, deadline=None)
@given(text=texts())
def test_invitation_from_text_raises_only_remote_protocol_errors(text: str) -> None:
    try:
        invitation = Invitation.from_text(text)
    except RemoteProtocolError:
        return
    assert Invitation.from_text(invitation.to_text()) == invitation
