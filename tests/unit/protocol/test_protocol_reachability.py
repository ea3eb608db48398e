"""Reachability with the deposit capability (docs/protocol.md §6.3; issue 12, item 4): the
mailbox field is empty, the mailbox id with its capability (48 bytes), or, from a node older
than capabilities, the bare mailbox id (16 bytes: read, re-encoded as it came, and unusable
for relay deposits)."""

from __future__ import annotations

import pytest

from node.protocol import ContactCard, Endpoint, Profile, Reachability, Role
from node.protocol.errors import LocalProtocolError, MalformedInput
from node.protocol.relay_wire import deposit_capability_for
from node.protocol.wire import Reader, Writer

MAILBOX = bytes(range(16))
CAPABILITY = deposit_capability_for(b"\x42" * 32)
RELAY = Endpoint.relay("https://relais.example.org")


def encode(reachability: Reachability) -> bytes:
    writer = Writer()
    reachability.encode_into(writer)
    return writer.getvalue()


def decode(data: bytes) -> Reachability:
    reader = Reader(data, "reachability")
    value = Reachability.decode_from(reader)
    reader.done()
    return value


def test_the_capability_travels_with_the_mailbox_id() -> None:
    reachability = Reachability((RELAY,), MAILBOX, CAPABILITY)
    data = encode(reachability)
    assert data[0] == 48
    assert data[1:49] == MAILBOX + CAPABILITY
    assert decode(data) == reachability
    assert reachability.can_deposit
    assert CAPABILITY.hex() not in repr(reachability)  # a secret shared with contacts only
    card = ContactCard(Profile("Pharmacie du Port", Role.PHARMACIST), reachability)
    assert ContactCard.decode(card.encode()) == card


def test_an_older_nodes_card_is_read_but_cannot_be_deposited_for() -> None:
    legacy = bytes([16]) + MAILBOX + bytes([1]) + encode(Reachability((RELAY,)))[2:]
    reachability = decode(legacy)
    assert reachability.mailbox_id == MAILBOX
    assert reachability.deposit_capability == b""
    assert not reachability.can_deposit
    assert encode(reachability) == legacy  # a stored card re-encodes as it came
    assert not Reachability((RELAY,)).can_deposit
    assert decode(encode(Reachability())) == Reachability()


@pytest.mark.parametrize("size", [1, 15, 17, 32, 47, 49, 64])
def test_other_mailbox_field_sizes_are_refused(size: int) -> None:
    with pytest.raises(MalformedInput):
        decode(bytes([size]) + b"m" * size + b"\x00")


def test_a_capability_needs_a_mailbox_id_and_32_bytes() -> None:
    with pytest.raises(LocalProtocolError):
        Reachability((RELAY,), b"", CAPABILITY)
    with pytest.raises(LocalProtocolError):
        Reachability((RELAY,), MAILBOX, CAPABILITY[:16])
