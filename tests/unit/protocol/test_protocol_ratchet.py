"""Double Ratchet properties through the Session API (docs/protocol.md §8, §11): any delivery
order, loss and duplication within the bounds decrypts every delivered message exactly once,
duplicates are refused without touching the state, and state survives storage at any point."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from node.protocol import DuplicateMessage, Payload, PayloadKind, Session, TooManySkipped
from node.protocol.payload import decode_text_body, encode_text
from node.protocol.ratchet import MAX_SKIP, MAX_SKIPPED_KEYS, SKIPPED_KEY_TTL_SECONDS, Ratchet
from tests.unit.protocol.protocol_support import T0, Party, pair

SEEDS = st.integers(min_value=0, max_value=2**32)
# Deliveries weigh most: each one that carries a new ratchet key makes a DH ratchet step.
ACTIONS = st.sampled_from(["deliver", "send", "deliver", "send", "deliver", "duplicate", "reload"])


@dataclass
class Flight:
    """One packet on its way: who it is for, what was sent, how often it was delivered."""

    to: int
    packet: bytes
    payload: Payload
    deliveries: int = 0


def deliver(parties: tuple[Party, Party], flight: Flight, now: float) -> None:
    """First delivery: the exact payload comes out. Later ones: DuplicateMessage, no change."""
    receiver = parties[flight.to]
    if flight.deliveries == 0:
        assert receiver.receive(flight.packet, now) == flight.payload
    else:
        before = receiver.state()
        with pytest.raises(DuplicateMessage):
            receiver.receive(flight.packet, now)
        assert receiver.state() == before
    flight.deliveries += 1


def send(parties: tuple[Party, Party], who: int, flights: list[Flight], now: float) -> Flight:
    payload, packet = parties[who].send(f"message {len(flights)} from {who}", now)
    flight = Flight(1 - who, packet, payload)
    flights.append(flight)
    return flight


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, data=st.data())
def test_any_interleaving_of_send_deliver_duplicate_and_reload(
    seed: int, data: st.DataObject
) -> None:
    parties = pair(seed)
    flights: list[Flight] = []
    ratchet_keys: set[bytes] = set()
    now = float(T0)
    for _ in range(data.draw(st.integers(1, 60), label="steps")):
        ratchet_keys.update(party.session.ratchet.dh_public for party in parties)
        now += 7.5
        action = data.draw(ACTIONS, label="action")
        if action == "send":
            send(parties, data.draw(st.integers(0, 1), label="sender"), flights, now)
        elif action == "reload":
            parties[data.draw(st.integers(0, 1), label="reloaded")].reload()
        else:
            first_time = action == "deliver"  # else a duplicate of a delivered one
            candidates = [f for f in flights if (f.deliveries == 0) == first_time]
            if candidates:
                deliver(parties, data.draw(st.sampled_from(candidates)), now)
    # Late arrivals: any subset of what is still in flight, in any order; the rest is lost.
    undelivered = [f for f in flights if f.deliveries == 0]
    for flight in data.draw(st.permutations(undelivered), label="late order"):
        if data.draw(st.booleans(), label="arrives"):
            deliver(parties, flight, now)
    # Both sessions still work in both directions after all that.
    for who in (0, 1):
        deliver(parties, send(parties, who, flights, now), now)
    event(f"DH ratchet keys used: {min(len(ratchet_keys), 6)} (6 = 6 or more)")
    event(f"duplicates replayed: {min(sum(f.deliveries > 1 for f in flights), 3)} (3 = 3 or more)")


@settings(max_examples=40, deadline=None)
@given(
    seed=SEEDS,
    turns=st.lists(st.integers(min_value=1, max_value=4), min_size=3, max_size=9),
    data=st.data(),
)
def test_alternating_turns_ratchet_every_turn_despite_reordering(
    seed: int, turns: list[int], data: st.DataObject
) -> None:
    """Both sides send in turn: each turn starts a new DH ratchet step on the receiving side,
    while held-back messages of earlier chains arrive late and duplicates are replayed."""
    parties = pair(seed)
    flights: list[Flight] = []
    held: list[Flight] = []
    now = float(T0)
    for turn, count in enumerate(turns):
        now += 60
        sender = turn % 2  # Alice (0) first
        receiver = parties[1 - sender]
        key_before = receiver.session.ratchet.dh_public
        batch = [send(parties, sender, flights, now) for _ in range(count)]
        order = data.draw(st.permutations(batch), label="order")
        arrive_now = data.draw(st.integers(1, count), label="arrive now")
        for flight in order[:arrive_now]:
            deliver(parties, flight, now)
        held.extend(order[arrive_now:])
        if turn > 0:  # turn 0 continues the chain the pairing started
            assert receiver.session.ratchet.dh_public != key_before
        for flight in list(held):
            if data.draw(st.booleans(), label="late arrival"):
                deliver(parties, flight, now)
                held.remove(flight)
        delivered = [f for f in flights if f.deliveries]
        if data.draw(st.booleans(), label="replay"):
            deliver(parties, data.draw(st.sampled_from(delivered), label="replayed"), now)
        if data.draw(st.booleans(), label="reload"):
            parties[data.draw(st.integers(0, 1), label="who reloads")].reload()
    for flight in held:  # what was held back the whole time still decrypts at the end
        deliver(parties, flight, now)
    assert all(f.deliveries >= 1 for f in flights)
    assert len({f.payload.message_id for f in flights}) == len(flights)


def test_several_dh_turns_each_change_both_ratchet_keys(alice_and_bob: tuple[Party, Party]) -> None:
    alice, bob = alice_and_bob
    seen_alice, seen_bob = {alice.session.ratchet.dh_public}, {bob.session.ratchet.dh_public}
    for turn in range(6):
        sender, receiver = (alice, bob) if turn % 2 == 0 else (bob, alice)
        payloads = [sender.send(f"turn {turn} #{i}") for i in range(3)]
        for payload, packet in reversed(payloads):
            assert receiver.receive(packet) == payload
        seen_alice.add(alice.session.ratchet.dh_public)
        seen_bob.add(bob.session.ratchet.dh_public)
    # Alice ratchets on turns 1, 3, 5; Bob on 2 and 4 (turn 0 used the pairing's chain).
    assert len(seen_alice) == 4
    assert len(seen_bob) == 3


def test_sequence_numbers_follow_the_senders_order(alice_and_bob: tuple[Party, Party]) -> None:
    alice, bob = alice_and_bob
    sent = [alice.send(f"{i}") for i in range(5)]
    received = [bob.receive(packet) for _, packet in reversed(sent)]
    # The pairing's contact card was Alice's seq 0.
    assert sorted(p.seq for p in received) == [1, 2, 3, 4, 5]
    ordered = sorted(received, key=lambda p: p.seq)
    assert [decode_text_body(p.body) for p in ordered] == ["0", "1", "2", "3", "4"]


def test_responder_cannot_send_before_it_has_received() -> None:
    ratchet = Ratchet.responder(bytes(32), bytes(range(32)), b"ad")
    assert not ratchet.can_send
    with pytest.raises(Exception, match="cannot send before it has received"):
        ratchet.encrypt(b"too early")


# --- Bounds: MAX_SKIP, MAX_SKIPPED_KEYS, SKIPPED_KEY_TTL_SECONDS -----------------------------


def test_a_gap_of_exactly_max_skip_still_decrypts_everything(
    alice_and_bob: tuple[Party, Party],
) -> None:
    alice, bob = alice_and_bob
    sent = [alice.send(f"{i}") for i in range(MAX_SKIP + 1)]
    payload, packet = sent[-1]
    assert bob.receive(packet) == payload
    assert len(bob.session.ratchet.skipped) == MAX_SKIP
    bob.reload()
    for payload, packet in reversed(sent[:-1]):
        assert bob.receive(packet) == payload
    assert len(bob.session.ratchet.skipped) == 0


def test_a_gap_beyond_max_skip_is_refused_without_changing_state(
    alice_and_bob: tuple[Party, Party],
) -> None:
    alice, bob = alice_and_bob
    sent = [alice.send(f"{i}") for i in range(MAX_SKIP + 2)]
    before = bob.state()
    with pytest.raises(TooManySkipped):
        bob.receive(sent[-1][1])
    assert bob.state() == before
    for payload, packet in sent[:3]:
        assert bob.receive(packet) == payload


def test_skipped_key_storage_is_bounded_oldest_first(alice_and_bob: tuple[Party, Party]) -> None:
    # Ratchet level (no packet sealing) to keep the test fast. Alice's message i has n = i + 1
    # (the pairing's contact card was n = 0): three gaps of MAX_SKIP keys each.
    alice, bob = alice_and_bob
    sender, receiver = alice.session.ratchet, bob.session.ratchet
    messages = [sender.encrypt(i.to_bytes(2, "big")) for i in range(3 * MAX_SKIP + 3)]
    received = [MAX_SKIP, 2 * MAX_SKIP + 1, 3 * MAX_SKIP + 2]
    for index in received:
        header, ciphertext = messages[index]
        assert receiver.decrypt(header, ciphertext, T0, bob.rand) == index.to_bytes(2, "big")
    skipped = [i for i in range(received[-1]) if i not in received]  # oldest first
    assert len(skipped) > MAX_SKIPPED_KEYS
    assert len(receiver.skipped) == MAX_SKIPPED_KEYS
    kept, evicted = skipped[-MAX_SKIPPED_KEYS:], skipped[:-MAX_SKIPPED_KEYS]
    header, ciphertext = messages[kept[0]]
    assert receiver.decrypt(header, ciphertext, T0, bob.rand) == kept[0].to_bytes(2, "big")
    header, ciphertext = messages[evicted[-1]]  # its key is gone: it can never be read
    with pytest.raises(DuplicateMessage):
        receiver.decrypt(header, ciphertext, T0, bob.rand)


def test_skipped_keys_expire(alice_and_bob: tuple[Party, Party]) -> None:
    alice, bob = alice_and_bob
    late, first_packet = alice.send("delayed for weeks")
    payload, packet = alice.send("arrives at once")
    assert bob.receive(packet, T0) == payload
    assert len(bob.session.ratchet.skipped) == 1
    with pytest.raises(DuplicateMessage):  # its key was dropped: it can never be read
        bob.receive(first_packet, T0 + SKIPPED_KEY_TTL_SECONDS + 1)
    assert len(bob.session.ratchet.skipped) == 1  # the failed attempt changed nothing
    assert bob.receive(first_packet, T0 + SKIPPED_KEY_TTL_SECONDS) == late


# --- State survives storage ------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, data=st.data())
def test_state_round_trips_byte_for_byte_at_any_point(seed: int, data: st.DataObject) -> None:
    parties = pair(seed)
    flights: list[Flight] = []
    for _ in range(data.draw(st.integers(1, 25), label="steps")):
        if data.draw(st.booleans(), label="send"):
            send(parties, data.draw(st.integers(0, 1)), flights, T0)
        else:
            pending = [f for f in flights if f.deliveries == 0]
            if pending:
                deliver(parties, data.draw(st.sampled_from(pending)), T0)
        for party in parties:
            encoded = party.session.encode()
            assert Session.decode(encoded).encode() == encoded
            ratchet = party.session.ratchet.encode()
            assert Ratchet.decode(ratchet).encode() == ratchet
            assert encoded.endswith(ratchet)


def test_a_restored_session_carries_on_where_the_original_stopped(
    alice_and_bob: tuple[Party, Party],
) -> None:
    alice, bob = alice_and_bob
    first, first_packet = alice.send("skipped for now")
    second, second_packet = alice.send("before the restart")
    assert bob.receive(second_packet) == second
    bob.reload()  # a skipped key and the sequence counter both survive
    assert bob.receive(first_packet) == first
    reply, reply_packet = bob.send("after the restart")
    assert reply.seq == 0
    alice.reload()
    assert alice.receive(reply_packet) == reply
    payload, packet = alice.session.seal(PayloadKind.TEXT, encode_text("again"), T0, alice.rand)
    assert payload.seq == 3
    assert bob.receive(packet) == payload
