"""The relay's wire definitions (version 2): round trips, the auth signature over the deposit
hash, deposit capabilities, and decoders that raise only RelayProtocolError whatever the
bytes."""

from __future__ import annotations

from pathlib import Path

import nacl.bindings as sodium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol.relay_wire import (
    BLOB_ID_SIZE,
    CAPABILITY_SIZE,
    MAX_ACK_IDS,
    MAX_BLOB_SIZE,
    MAX_DEPOSIT_BATCH,
    NONCE_SIZE,
    VERSION,
    Ack,
    Auth,
    Blob,
    Challenge,
    Error,
    ErrorCode,
    Frame,
    FrameType,
    RelayProtocolError,
    Welcome,
    auth_message,
    blob_id_for,
    capability_matches,
    decode_deposits,
    decode_frame,
    deposit_capability_for,
    deposit_hash_for,
    encode_deposits,
    is_legacy_auth,
    mailbox_id_for,
    parse_capability,
    parse_mailbox_id,
    single_deposit_path,
)

KEY = bytes(range(32))
PUBLIC, SECRET = sodium.crypto_sign_seed_keypair(KEY)
NONCE = b"\x07" * NONCE_SIZE
CAPABILITY = deposit_capability_for(KEY)
DEPOSIT_HASH = deposit_hash_for(CAPABILITY)
C = b"c" * CAPABILITY_SIZE

SAMPLES: list[Frame] = [
    Challenge(NONCE),
    Welcome(0),
    Welcome(2**32 - 1),
    Blob(b"\x01" * BLOB_ID_SIZE, b"x"),
    Blob(b"\x02" * BLOB_ID_SIZE, b"y" * MAX_BLOB_SIZE),
    Error(ErrorCode.AUTH_FAILED, "the signature does not match"),
    Error(ErrorCode.SHUTTING_DOWN, ""),
    Auth.sign(NONCE, PUBLIC, SECRET, DEPOSIT_HASH),
    Ack((b"\x03" * BLOB_ID_SIZE,)),
    Ack(tuple(i.to_bytes(BLOB_ID_SIZE, "big") for i in range(MAX_ACK_IDS))),
]


@pytest.mark.parametrize("frame", SAMPLES, ids=lambda f: type(f).__name__)
def test_frames_round_trip(frame: Frame) -> None:
    encoded = frame.encode()
    assert (
        encoded[0]
        == {
            Challenge: FrameType.CHALLENGE,
            Welcome: FrameType.WELCOME,
            Blob: FrameType.BLOB,
            Error: FrameType.ERROR,
            Auth: FrameType.AUTH,
            Ack: FrameType.ACK,
        }[type(frame)]
    )
    assert decode_frame(encoded) == frame
    assert decode_frame(bytearray(encoded)) == frame  # type: ignore[arg-type]  # accepted too


def test_frame_layouts_are_as_documented() -> None:
    assert VERSION == 2
    assert Challenge(NONCE).encode() == b"\x01\x02" + NONCE
    assert Welcome(258).encode() == b"\x02\x00\x00\x01\x02"
    assert Blob(b"i" * 16, b"blob").encode() == b"\x03" + b"i" * 16 + b"blob"
    assert Error(ErrorCode.REPLACED, "é").encode() == b"\x04\x00\x0a\xc3\xa9"
    auth = Auth.sign(NONCE, PUBLIC, SECRET, DEPOSIT_HASH)
    assert auth.encode() == b"\x11" + PUBLIC + DEPOSIT_HASH + auth.signature
    assert len(auth.encode()) == 129
    assert Ack((b"a" * 16, b"b" * 16)).encode() == b"\x12\x00\x02" + b"a" * 16 + b"b" * 16
    assert encode_deposits([(b"m" * 16, C, b"xyz")]) == b"m" * 16 + C + b"\x00\x00\x00\x03xyz"
    assert single_deposit_path(b"\xab" * 16) == "/v2/mailboxes/" + "ab" * 16 + "/blobs"


def test_auth_signs_the_nonce_the_key_and_the_deposit_hash() -> None:
    auth = Auth.sign(NONCE, PUBLIC, SECRET, DEPOSIT_HASH)
    assert auth.mailbox_id == mailbox_id_for(PUBLIC)
    assert auth.verify(NONCE)
    assert not auth.verify(b"\x08" * NONCE_SIZE)  # a replay against another challenge
    other_public, other_secret = sodium.crypto_sign_seed_keypair(b"\x01" * 32)
    assert not Auth(other_public, DEPOSIT_HASH, auth.signature).verify(NONCE)
    # Whoever relays the frame cannot swap in a capability of its own.
    assert not Auth(PUBLIC, deposit_hash_for(C), auth.signature).verify(NONCE)
    stolen = Auth.sign(NONCE, PUBLIC, other_secret, DEPOSIT_HASH)  # a key it does not hold
    assert not stolen.verify(NONCE)
    signature = sodium.crypto_sign(auth_message(NONCE, PUBLIC, DEPOSIT_HASH), SECRET)[:64]
    assert signature == auth.signature
    with pytest.raises(ValueError, match="deposit hash"):
        Auth.sign(NONCE, PUBLIC, SECRET, b"short")


def test_a_version_1_auth_is_recognised_as_such() -> None:
    legacy = b"\x11" + bytes(PUBLIC) + b"s" * 64  # 97 bytes: key and signature only
    assert is_legacy_auth(legacy)
    assert not is_legacy_auth(Auth.sign(NONCE, PUBLIC, SECRET, DEPOSIT_HASH).encode())
    with pytest.raises(RelayProtocolError):
        decode_frame(legacy)


def test_the_deposit_capability_is_derived_and_checked_through_its_hash() -> None:
    assert len(CAPABILITY) == len(DEPOSIT_HASH) == 32
    assert deposit_capability_for(KEY) == CAPABILITY  # deterministic
    assert deposit_capability_for(b"\x01" * 32) != CAPABILITY
    assert CAPABILITY not in (bytes(PUBLIC), bytes(SECRET)[:32], mailbox_id_for(PUBLIC))
    assert DEPOSIT_HASH != CAPABILITY
    assert capability_matches(CAPABILITY, DEPOSIT_HASH)
    assert not capability_matches(C, DEPOSIT_HASH)
    assert not capability_matches(b"", DEPOSIT_HASH)
    flipped = bytes([CAPABILITY[0] ^ 1]) + CAPABILITY[1:]
    assert not capability_matches(flipped, DEPOSIT_HASH)
    with pytest.raises(ValueError, match="seed"):
        deposit_capability_for(b"short")


@pytest.mark.parametrize("text", ["", "ab", "zz" * 32, "ab" * 31, "ab" * 33])
def test_bad_capability_headers_are_refused(text: str) -> None:
    with pytest.raises(RelayProtocolError):
        parse_capability(text)
    assert parse_capability("Ab" * 32) == b"\xab" * 32


def test_ids_are_blake2b_128() -> None:
    assert len(mailbox_id_for(PUBLIC)) == 16
    assert mailbox_id_for(PUBLIC) != blob_id_for(PUBLIC)  # personalised
    assert len(blob_id_for(b"x")) == 16


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00",
        b"\x01\x01",
        b"\x02\x00\x00\x00",
        b"\x03" + b"i" * 16,
        b"\x03" + b"i" * 16 + b"x" * (MAX_BLOB_SIZE + 1),
        b"\x04\x00",
        b"\x04\x00\x63",
        b"\x04\x00\x01\xff",
        b"\x11" + b"k" * 95,
        b"\x11" + b"k" * 96,  # version 1 AUTH
        b"\x11" + b"k" * 127,
        b"\x12\x00\x00",
        b"\x12\x00\x02" + b"a" * 16,
        b"\x12" + (MAX_ACK_IDS + 1).to_bytes(2, "big") + b"a" * 16 * (MAX_ACK_IDS + 1),
        b"\xff",
    ],
)
def test_bad_frames_are_refused(data: bytes) -> None:
    with pytest.raises(RelayProtocolError):
        decode_frame(data)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"m" * 16 + C + b"\x00\x00\x00",
        b"m" * 16 + C + b"\x00\x00\x00\x00",
        b"m" * 16 + C + b"\x00\x00\x00\x05abc",
        b"m" * 16 + C + (MAX_BLOB_SIZE + 1).to_bytes(4, "big") + b"x" * (MAX_BLOB_SIZE + 1),
        b"m" * 16 + b"\x00\x00\x00\x03xyz",  # a version 1 deposit: no capability
        encode_deposits([(b"m" * 16, C, b"x")] * (MAX_DEPOSIT_BATCH + 1)),
    ],
)
def test_bad_deposit_batches_are_refused(data: bytes) -> None:
    with pytest.raises(RelayProtocolError):
        decode_deposits(data)


def test_deposit_batches_round_trip() -> None:
    deposits = [
        (bytes([i]) * 16, bytes([i + 1]) * 32, bytes([i]) * (i + 1))
        for i in range(MAX_DEPOSIT_BATCH)
    ]
    assert decode_deposits(encode_deposits(deposits)) == deposits


@pytest.mark.parametrize("text", ["", "ab", "zz" * 16, "ab" * 17, "ab" * 15 + "a"])
def test_bad_mailbox_ids_are_refused(text: str) -> None:
    with pytest.raises(RelayProtocolError):
        parse_mailbox_id(text)
    assert parse_mailbox_id("Ab" * 16) == b"\xab" * 16


def _decode_anything(data: bytes) -> None:
    try:
        frame = decode_frame(data)
    except RelayProtocolError:
        return
    assert decode_frame(frame.encode()) == frame
    if isinstance(frame, Auth):
        assert frame.verify(NONCE) in (True, False)  # never raises


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash_the_frame_decoder(data: bytes) -> None:
    _decode_anything(data)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([int(t) for t in FrameType]), st.binary(max_size=120))
def test_random_bodies_never_crash_the_frame_decoder(kind: int, body: bytes) -> None:
    _decode_anything(bytes([kind]) + body)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([s.encode() for s in SAMPLES if not isinstance(s, Blob | Ack)]),
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=255),
)
def test_mutated_frames_never_crash_the_decoder(frame: bytes, position: int, value: int) -> None:
    mutated = bytearray(frame)
    mutated[position % len(mutated)] = value
    _decode_anything(bytes(mutated))
    _decode_anything(frame[: position % len(frame)])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_deposit_decoder(data: bytes) -> None:
    try:
        deposits = decode_deposits(data)
    except RelayProtocolError:
        return
    assert encode_deposits(deposits) == data


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.binary(min_size=16, max_size=16),
            st.binary(min_size=32, max_size=32),
            st.binary(min_size=1, max_size=50),
        ),
        min_size=1,
        max_size=MAX_DEPOSIT_BATCH,
    )
)
def test_deposit_batches_round_trip_property(deposits: list[tuple[bytes, bytes, bytes]]) -> None:
    assert decode_deposits(encode_deposits(deposits)) == deposits


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_random_text_never_crashes_the_mailbox_id_parser(text: str) -> None:
    try:
        assert len(parse_mailbox_id(text)) == 16
    except RelayProtocolError:
        pass


def test_the_documented_test_vector() -> None:
    """docs/relay-protocol.md §15, recomputed."""
    document = (Path(__file__).resolve().parents[3] / "docs" / "relay-protocol.md").read_text()
    public, secret = sodium.crypto_sign_seed_keypair(bytes(range(32)))
    capability = deposit_capability_for(bytes(range(32)))
    auth = Auth.sign(b"\x07" * NONCE_SIZE, public, secret, deposit_hash_for(capability))
    blob_id = blob_id_for(b"hello")
    for value in (
        public,
        mailbox_id_for(public),
        capability,
        deposit_hash_for(capability),
        auth.signature,
        auth.encode(),
        blob_id,
        encode_deposits([(mailbox_id_for(public), capability, b"hello")]),
        Ack((blob_id,)).encode(),
        Welcome(3).encode(),
        Error(ErrorCode.REPLACED, "another connection subscribed").encode(),
        auth_message(b"", b"", b""),
    ):
        assert value.hex() in document
