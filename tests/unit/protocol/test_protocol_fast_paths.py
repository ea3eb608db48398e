"""The hot paths of seal and open give exactly what the straightforward code gives
(docs/protocol.md §3 Unpad, §8.6, §9.2, §18.2): same results, same errors, same state."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import MalformedInput, PayloadKind, RatchetMessage, RemoteProtocolError
from node.protocol.characters import has_control_in_message, utf8_has_control_in_message
from node.protocol.conversation import check_text_body, decode_conversation
from node.protocol.primitives import unpad
from tests.unit.protocol.protocol_support import T0, flip_bit, pair

# --- Unpad -----------------------------------------------------------------------------------


def unpad_reference(data: bytes, block: int) -> bytes:
    """§3: the last 0x80 followed only by zero bytes, as first written."""
    stripped = data.rstrip(b"\x00")
    if not data or len(data) % block or not stripped or stripped[-1] != 0x80:
        raise MalformedInput("padding is invalid")
    return stripped[:-1]


PADDED = st.one_of(
    st.binary(max_size=64),
    st.builds(
        lambda head, marker, zeros: head + marker + bytes(zeros),
        st.binary(max_size=48),
        st.sampled_from([b"\x80", b"\x00", b"\x01", b"\x80\x80", b"\x80\x01"]),
        st.integers(0, 40),
    ),
)


@settings(max_examples=500)
@given(data=PADDED, block=st.integers(1, 64))
def test_unpad_is_the_reference(data: bytes, block: int) -> None:
    try:
        expected = unpad_reference(data, block)
    except MalformedInput:
        with pytest.raises(MalformedInput, match="padding is invalid"):
            unpad(data, block)
    else:
        assert unpad(data, block) == expected


# --- Control characters, on UTF-8 bytes ------------------------------------------------------


def test_every_one_or_two_byte_character_is_classified_alike() -> None:
    """From U+0800 on, every byte of a character's UTF-8 is 0x80 or more and none is 0xC2,
    so the characters below it are all the byte-level check can tell apart."""
    for code in range(0x800):
        for text in (chr(code), f"a{chr(code)}é", f"{chr(code)}\u00a0"):
            assert utf8_has_control_in_message(text.encode()) == has_control_in_message(text)


@settings(max_examples=1000)
@given(text=st.text())
def test_control_characters_are_found_in_utf8_as_in_text(text: str) -> None:
    assert utf8_has_control_in_message(text.encode()) == has_control_in_message(text)


# --- A text body's checks ----------------------------------------------------------------


def outcome(check: Callable[[bytes], object], body: bytes) -> tuple[str, str]:
    try:
        check(body)
    except RemoteProtocolError as exc:
        return type(exc).__name__, str(exc)
    return "ok", ""


TEXT_PIECES = st.lists(
    st.sampled_from(["a", "é", " ", "\t", "\n", "\r", "\x00", "\x1b", "\x85", "\u00a0", "€", "😀"])
    | st.text(max_size=8),
    max_size=12,
).map("".join)
META = st.one_of(
    st.binary(max_size=20),
    st.builds(
        lambda p, f, r: bytes((p, f)) + r,
        st.integers(0, 3),
        st.integers(0, 2),
        st.binary(max_size=17),
    ),
)
BODIES = st.one_of(
    st.binary(max_size=40),
    st.builds(lambda meta, text: meta + text.encode("utf-8", "surrogatepass"), META, TEXT_PIECES),
    st.builds(
        lambda meta, junk: meta + junk, META, st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])
    ),
)


@settings(max_examples=1000)
@given(body=BODIES)
def test_a_text_body_check_raises_what_decoding_raises(body: bytes) -> None:
    def decode(data: bytes) -> None:
        decode_conversation(PayloadKind.TEXT, data)

    assert outcome(check_text_body, body) == outcome(decode, body)


@pytest.mark.parametrize("size", [60_000, 60_001, 61_440 - 2, 61_440 - 1])
def test_a_text_body_check_agrees_at_the_size_limits(size: int) -> None:
    body = b"\x00\x00" + b"a" * size

    def decode(data: bytes) -> None:
        decode_conversation(PayloadKind.TEXT, data)

    assert outcome(check_text_body, body) == outcome(decode, body)


# --- The ratchet's steady state ------------------------------------------------------------


def test_a_forged_next_message_changes_nothing_and_the_real_one_still_opens() -> None:
    """The next message of the current chain is decrypted without a snapshot (§8.8): a
    failure must still leave the state exactly as it was."""
    alice, bob = pair(7)
    for turn in range(3):
        payload, packet = bob.send(f"message {turn}")
        assert alice.receive(packet) == payload
    payload, packet = bob.send("the next one")
    inner = alice.node.open(packet)
    assert isinstance(inner, RatchetMessage)
    forged = RatchetMessage(inner.sender, inner.header, flip_bit(inner.ciphertext, 0))
    before = alice.state()
    with pytest.raises(RemoteProtocolError):
        alice.session.open(forged, T0, alice.rand)
    assert alice.state() == before
    assert alice.receive(packet) == payload
