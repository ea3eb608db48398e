"""Forward secrecy and post-compromise security (invariant 6 of docs/architecture.md; protocol §8):
a machine stolen today does not open yesterday's captured traffic, and once both sides have
taken new ratchet steps, a copy of the stolen state is locked out again."""

from __future__ import annotations

import pytest

from node.protocol import (
    DecryptionFailed,
    DuplicateMessage,
    Payload,
    PayloadKind,
    RatchetMessage,
    RemoteProtocolError,
    Session,
    system_random,
)
from node.protocol.kdf import kdf_ck
from node.protocol.payload import decode_text_body, encode_text
from node.protocol.ratchet import SKIPPED_KEY_TTL_SECONDS
from tests.unit.protocol.protocol_support import T0, Node, Party, pair


def key_material(party: Party) -> set[bytes]:
    """Every secret in a party's ratchet right now, and the key of its next message."""
    ratchet = party.session.ratchet
    secrets = {ratchet.root_key, ratchet.dh_private}
    for chain in (ratchet.send_chain, ratchet.recv_chain):
        if chain is not None:
            secrets |= set(kdf_ck(chain)) | {chain}
    secrets |= {message_key for message_key, _ in ratchet.skipped.values()}
    return secrets


def test_captured_traffic_cannot_be_read_from_a_later_snapshot(
    alice_and_bob: tuple[Party, Party],
) -> None:
    alice, bob = alice_and_bob
    captured: list[tuple[Party, bytes]] = []  # (receiver, packet) as an eavesdropper saw it
    old_secrets: set[bytes] = set()
    for turn in range(6):
        sender, receiver = (alice, bob) if turn % 2 == 0 else (bob, alice)
        for i in range(3):
            old_secrets |= key_material(sender) | key_material(receiver)
            payload, packet = sender.send(f"turn {turn} #{i}: données patient")
            captured.append((receiver, packet))
            assert receiver.receive(packet) == payload
    # Life goes on: one more full round of new ratchet keys on both sides.
    for sender, receiver in ((alice, bob), (bob, alice), (alice, bob)):
        payload, packet = sender.send("later")
        assert receiver.receive(packet) == payload

    # Both machines are stolen now: their stored sessions (and identity keys).
    snapshots = {id(alice): alice.state(), id(bob): bob.state()}
    assert len(old_secrets) > 50
    for snapshot in snapshots.values():
        assert not [secret for secret in old_secrets if secret in snapshot]
    for receiver, packet in captured:
        thief = Session.decode(snapshots[id(receiver)])
        assert not thief.ratchet.skipped  # no message key was kept for later
        assert not key_material(Party(receiver.node, thief)) & old_secrets
        inner = receiver.node.open(packet)  # the identity key opens the outer layer...
        assert isinstance(inner, RatchetMessage)
        with pytest.raises((DuplicateMessage, DecryptionFailed)):  # ...but not the message
            thief.open(inner, T0, system_random)


def test_an_undelivered_message_keeps_its_key_only_until_it_expires(
    alice_and_bob: tuple[Party, Party],
) -> None:
    alice, bob = alice_and_bob
    _, delayed = alice.send("still travelling")
    payload, packet = alice.send("arrived")
    assert bob.receive(packet) == payload
    assert len(bob.session.ratchet.skipped) == 1  # readable later, by design
    later = T0 + SKIPPED_KEY_TTL_SECONDS + 1
    payload, packet = alice.send("two weeks later")
    assert bob.receive(packet, later) == payload
    assert not bob.session.ratchet.skipped  # expired while decrypting the next message
    with pytest.raises(DuplicateMessage):
        bob.receive(delayed, later)


def test_a_stolen_state_is_locked_out_after_new_ratchet_steps() -> None:
    alice, bob = pair("post-compromise")
    for sender, receiver in ((alice, bob), (bob, alice), (alice, bob), (bob, alice)):
        payload, packet = sender.send("before the theft")
        assert receiver.receive(packet) == payload
    # The thief copies Bob's machine: identity key and session state. Bob's last message
    # was delivered, so Alice's next message already carries a new ratchet key.
    stolen = bob.state()
    # The thief's randomness is its own: with Bob's seeded stream it would draw Bob's keys.
    stolen_node = Node(bob.node.identity, bob.node.profile, bob.node.reachability, system_random)
    thief = Party(stolen_node, Session.decode(stolen))
    forger = Session.decode(stolen)  # keeps Bob's sending chain as it was when stolen
    alice_at_theft = Session.decode(alice.state())

    m1, packet1 = alice.send("A sends")
    assert bob.receive(packet1) == m1
    assert thief.receive(packet1) == m1  # the compromise is real
    m2, packet2 = bob.send("B replies")
    assert alice.receive(packet2) == m2
    m3, packet3 = alice.send("A sends again")
    assert bob.receive(packet3) == m3
    before = thief.state()
    with pytest.raises(DecryptionFailed):
        thief.receive(packet3)
    assert thief.state() == before
    for text in ("and", "again"):  # locked out for good, in both directions
        payload, packet = alice.send(text)
        assert bob.receive(packet) == payload
        with pytest.raises(DecryptionFailed):
            thief.receive(packet)
        payload, packet = bob.send(text)
        assert alice.receive(packet) == payload

    # The thief cannot speak as Bob either: Bob's stolen sending chain is finished.
    _, forged_packet = forger.seal(PayloadKind.TEXT, encode_text("forged order"), T0, system_random)
    forged = alice.node.open(forged_packet)
    assert isinstance(forged, RatchetMessage)
    accepted: Payload = alice_at_theft.open(forged, T0, system_random)  # before healing: yes
    assert decode_text_body(accepted.body) == "forged order"
    before = alice.state()
    with pytest.raises(RemoteProtocolError):
        alice.session.open(forged, T0, system_random)
    assert alice.state() == before
