"""A practice's mailboxes (docs/protocol.md §9.6, §18.1): the MAILBOXES payload, the mailbox
in a message's meta, and how both meet a node older than them (simulated by the previous
encoding)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import PayloadKind, RemoteProtocolError, payload
from node.protocol.conversation import (
    Meta,
    Priority,
    TextContent,
    decode_conversation,
    encode_conversation,
)
from node.protocol.errors import LocalProtocolError, MalformedInput
from node.protocol.mailbox import Mailboxes, PublicMailbox
from node.protocol.payload import check_body
from node.protocol.profile import PrescriberIdentity
from node.protocol.wire import Reader
from tests.unit.protocol.protocol_support import T0, Party, flip_bit

SECRETARIAT = PublicMailbox(b"\x01" * 8, "Secrétariat")
DOCTOR = PublicMailbox(b"\x02" * 8, "Dr Martin", PrescriberIdentity("10001234565", "Claire Martin"))
REPLY = bytes(range(16))


def _old_meta_decode(reader: Reader) -> Meta:
    """The meta as a node older than mailboxes decodes it (the previous encoding)."""
    priority = Priority(reader.u8())
    flag = reader.u8()
    if flag not in (0, 1):
        raise reader.fail("bad reply flag")
    return Meta(priority, reader.raw(16) if flag else None)


def test_mailboxes_round_trip() -> None:
    listing = Mailboxes((SECRETARIAT, DOCTOR), answer_requested=True)
    decoded = Mailboxes.decode(listing.encode())
    assert decoded == listing
    assert decoded.find("secrétariat") == SECRETARIAT
    assert decoded.find(DOCTOR.mailbox_id.hex()) == DOCTOR
    assert decoded.without_request().answer_requested is False
    assert Mailboxes.decode(Mailboxes().encode()) == Mailboxes()  # knows mailboxes, has none


def test_mailboxes_refuse_bad_construction() -> None:
    with pytest.raises(LocalProtocolError):
        PublicMailbox(b"\x01" * 7, "Secrétariat")
    with pytest.raises(LocalProtocolError):
        PublicMailbox(b"\x01" * 8, "   ")
    with pytest.raises(LocalProtocolError):
        PublicMailbox(b"\x01" * 8, "x" * 65)
    with pytest.raises(LocalProtocolError):
        PublicMailbox(b"\x01" * 8, "Secr\ud800tariat")  # a lone surrogate (from JSON)
    with pytest.raises(LocalProtocolError):
        PublicMailbox(b"\x01" * 8, "\U0001f600" * 64)  # 64 characters, 256 bytes
    with pytest.raises(LocalProtocolError):
        Mailboxes((SECRETARIAT, SECRETARIAT))
    with pytest.raises(LocalProtocolError):
        Mailboxes(tuple(PublicMailbox(bytes([i]) * 8, f"M{i}") for i in range(33)))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x02\x00\x00",  # unknown version
        b"\x01\x02\x00",  # unknown flag
        b"\x01\x00\x21",  # 33 mailboxes announced
        b"\x01\x00\x01" + b"\x01" * 8 + b"\x00\x00",  # empty name
        b"\x01\x00\x01" + b"\x01" * 8 + b"\x01A\x02",  # bad prescriber flag
        b"\x01\x00\x01" + b"\x01" * 8 + b"\x01A\x01\x03123\x00\x01B",  # bad RPPS
        Mailboxes((SECRETARIAT,)).encode() + b"\x00",  # trailing byte
    ],
)
def test_mailboxes_refuse_bad_bodies(body: bytes) -> None:
    with pytest.raises(MalformedInput):
        check_body(PayloadKind.MAILBOXES, body)


def test_a_flipped_bit_never_crashes_the_decoder() -> None:
    body = Mailboxes((SECRETARIAT, DOCTOR)).encode()
    for bit in range(len(body) * 8):
        try:
            Mailboxes.decode(flip_bit(body, bit))
        except MalformedInput:
            pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bodies_raise_only_remote_errors(data: bytes) -> None:
    try:
        check_body(PayloadKind.MAILBOXES, data)
    except RemoteProtocolError:
        pass


def test_meta_without_mailbox_is_the_previous_encoding_both_ways() -> None:
    # A new node writing to a node that never listed mailboxes: exactly the old bytes.
    for meta, old in [
        (Meta(), b"\x00\x00"),
        (Meta(Priority.URGENT, REPLY), b"\x01\x01" + REPLY),
    ]:
        kind, body = encode_conversation(meta, TextContent("Bonjour"))
        assert body == old + b"Bonjour"
        # ...which the old decoder reads, and which the new one reads from an old node.
        assert _old_meta_decode(Reader(body, "text")) == meta
        assert decode_conversation(kind, body)[0] == meta
        check_body(kind, body)


def test_meta_with_mailbox_round_trips_and_an_old_node_would_refuse_it() -> None:
    meta = Meta(Priority.URGENT, REPLY, SECRETARIAT.mailbox_id)
    kind, body = encode_conversation(meta, TextContent("Bonjour"))
    assert body[:2] == b"\x01\x03"
    assert decode_conversation(kind, body) == (meta, TextContent("Bonjour"))
    only_mailbox = encode_conversation(Meta(mailbox=DOCTOR.mailbox_id), TextContent("x"))[1]
    assert decode_conversation(kind, only_mailbox)[0] == Meta(mailbox=DOCTOR.mailbox_id)
    check_body(kind, body)  # the fast path falls back to the full decoder
    # Why a sender names a mailbox only to a node that listed its mailboxes (§9.6):
    with pytest.raises(MalformedInput):
        _old_meta_decode(Reader(body, "text"))
    with pytest.raises(MalformedInput):
        decode_conversation(kind, b"\x00\x04" + b"x")  # an unknown flag
    with pytest.raises(MalformedInput):
        decode_conversation(kind, b"\x00\x02\x01\x02")  # a cut mailbox id then text


def test_mailboxes_take_no_sequence_number_and_an_old_node_drops_them_harmlessly(
    alice_and_bob: tuple[Party, Party], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = alice_and_bob
    before = alice.session.next_seq
    listing = Mailboxes((SECRETARIAT,), answer_requested=True)
    sent, packet = alice.session.seal(PayloadKind.MAILBOXES, listing.encode(), T0, alice.rand)
    assert alice.session.next_seq == before  # like a probe: no gap in the order if lost
    # A new node opens it...
    new_bob_state = bob.state()
    assert Mailboxes.decode(bob.receive(packet).body) == listing
    # ...an old one (which does not know the kind) refuses it without changing its session,
    # and the next message still opens, in order.
    bob.session = type(bob.session).decode(new_bob_state)
    kinds = {code: kind for code, kind in payload._KINDS.items() if code != 0x14}
    monkeypatch.setattr(payload, "_KINDS", kinds)
    monkeypatch.setattr(payload, "PayloadKind", _OldKinds)
    with pytest.raises(RemoteProtocolError):
        bob.receive(packet)
    text, text_packet = alice.send("Bonjour")
    assert bob.receive(text_packet).seq == text.seq == before
    assert sent.seq == before


class _OldKinds:
    """PayloadKind as a node older than MAILBOXES knows it."""

    def __new__(cls, value: int) -> PayloadKind:  # type: ignore[misc]
        if value == 0x14:
            raise ValueError(value)
        return PayloadKind(value)
