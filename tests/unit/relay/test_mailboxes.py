"""The in-memory mailbox store: dedupe, acknowledgement, TTL, every limit, honest accounting."""

from __future__ import annotations

import gc
import os
import tracemalloc

import pytest

from node.protocol.relay_wire import (
    ErrorCode,
    blob_id_for,
    deposit_capability_for,
    deposit_hash_for,
)
from relay.mailboxes import BLOB_OVERHEAD, MAILBOX_OVERHEAD, MailboxStore, Refused

A = b"\xaa" * 16
B = b"\xbb" * 16


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_store(clock: Clock | None = None, **limits: int | float) -> MailboxStore:
    settings: dict[str, int | float] = {
        "max_blob_bytes": 65536,
        "max_mailbox_blobs": 10_000,
        "max_mailbox_bytes": 64 << 20,
        "max_total_bytes": 256 << 20,
        "ttl_seconds": 3600.0,
    }
    settings.update(limits)
    return MailboxStore(
        clock=clock or Clock(),
        max_blob_bytes=int(settings["max_blob_bytes"]),
        max_mailbox_blobs=int(settings["max_mailbox_blobs"]),
        max_mailbox_bytes=int(settings["max_mailbox_bytes"]),
        max_total_bytes=int(settings["max_total_bytes"]),
        ttl_seconds=float(settings["ttl_seconds"]),
        max_source_bytes=int(settings.get("max_source_bytes", settings["max_total_bytes"])),
    )


def refused(store: MailboxStore, mailbox_id: bytes, blob: bytes) -> ErrorCode:
    with pytest.raises(Refused) as caught:
        store.deposit(mailbox_id, blob)
    return caught.value.code


def delivered(store: MailboxStore, mailbox_id: bytes, generation: int, window: int) -> list[bytes]:
    return [blob for _, blob in store.take_unsent(mailbox_id, generation, window)]


def test_deposit_returns_the_blob_id_and_stores_duplicates_once() -> None:
    store = make_store()
    assert store.deposit(A, b"one") == (True, blob_id_for(b"one"))
    assert store.deposit(A, b"one") == (False, blob_id_for(b"one"))
    assert store.deposit(B, b"one") == (True, blob_id_for(b"one"))  # another mailbox
    assert (store.mailboxes, store.blobs) == (2, 2)
    assert store.accounted_bytes == 2 * (3 + BLOB_OVERHEAD + MAILBOX_OVERHEAD)


def test_delivery_is_fifo_and_ack_deletes() -> None:
    store = make_store()
    for blob in (b"1", b"2", b"3"):
        store.deposit(A, blob)
    generation, queued = store.subscribe(A)
    assert queued == 3
    assert delivered(store, A, generation, 10) == [b"1", b"2", b"3"]
    assert delivered(store, A, generation, 10) == []  # nothing is pushed twice
    assert store.ack(A, [blob_id_for(b"2"), b"\x00" * 16]) == 1  # unknown ids are ignored
    store.deposit(A, b"4")
    assert delivered(store, A, generation, 10) == [b"4"]
    assert store.blobs == 3


def test_unacknowledged_blobs_are_pushed_again_on_the_next_subscription() -> None:
    store = make_store()
    for blob in (b"1", b"2", b"3"):
        store.deposit(A, blob)
    first, _ = store.subscribe(A)
    assert delivered(store, A, first, 10) == [b"1", b"2", b"3"]
    store.ack(A, [blob_id_for(b"1")])
    store.unsubscribe(A, first)
    second, queued = store.subscribe(A)
    assert queued == 2
    assert delivered(store, A, second, 10) == [b"2", b"3"]


def test_a_newer_subscription_takes_over_delivery() -> None:
    store = make_store()
    store.deposit(A, b"1")
    old, _ = store.subscribe(A)
    new, _ = store.subscribe(A)
    assert delivered(store, A, old, 10) == []
    store.unsubscribe(A, old)  # the old connection ending changes nothing
    assert delivered(store, A, new, 10) == [b"1"]


def test_window_bounds_blobs_in_flight() -> None:
    store = make_store()
    blobs = [bytes([i]) for i in range(1, 8)]
    for blob in blobs:
        store.deposit(A, blob)
    generation, _ = store.subscribe(A)
    assert delivered(store, A, generation, 3) == blobs[:3]
    assert delivered(store, A, generation, 3) == []
    assert store.in_flight(A) == 3
    store.ack(A, [blob_id_for(blobs[0]), blob_id_for(blobs[1])])
    assert delivered(store, A, generation, 3) == blobs[3:5]
    assert store.in_flight(A) == 3


def test_take_gives_a_frame_within_count_size_and_window() -> None:
    store = make_store()
    blobs = [bytes([i]) * 100 for i in range(1, 11)]
    for blob in blobs:
        store.deposit(A, blob)
    assert store.take(B, 1, 10, 10, 1 << 20) == []  # an empty mailbox
    generation, _ = store.subscribe(A)
    assert store.take(A, generation + 1, 10, 10, 1 << 20) == []  # not the current one
    first = store.take(A, generation, 6, 2, 1 << 20)  # count
    assert first == [(blob_id_for(b), b) for b in blobs[:2]]
    assert [b for _, b in store.take(A, generation, 6, 10, 250)] == blobs[2:5]  # size
    assert [b for _, b in store.take(A, generation, 6, 10, 1 << 20)] == blobs[5:6]  # window
    assert store.take(A, generation, 6, 10, 1 << 20) == []
    assert store.in_flight(A) == 6
    store.ack(A, [blob_id for blob_id, _ in first])
    assert [b for _, b in store.take(A, generation, 6, 10, 1)] == blobs[6:7]  # one at least
    # What was taken but not acknowledged is pushed again to the next subscription, in order.
    generation, _ = store.subscribe(A)
    assert delivered(store, A, generation, 100) == blobs[2:]


def test_accounting_returns_to_zero_after_acks() -> None:
    store = make_store()
    ids = [store.deposit(mailbox, os.urandom(100 + i))[1] for i, mailbox in enumerate([A, B] * 50)]
    generation, _ = store.subscribe(A)
    delivered(store, A, generation, 1000)
    assert store.ack(A, ids[0::2]) == 50
    assert store.ack(B, ids[1::2]) == 50
    assert (store.blobs, store.accounted_bytes) == (0, 0)
    assert store.mailboxes == 1  # A stays while subscribed
    store.unsubscribe(A, generation)
    assert store.mailboxes == 0


def test_blobs_expire_after_their_ttl_in_bounded_passes() -> None:
    clock = Clock()
    store = make_store(clock, ttl_seconds=60.0)
    for i in range(10):
        store.deposit(A, bytes([i + 1]))
    clock.now += 30
    store.deposit(B, b"late")
    assert store.expire(100) == 0
    clock.now += 30
    assert store.expire(4) == 4  # bounded work per pass
    assert store.expire(100) == 6
    assert (store.blobs, store.mailboxes) == (1, 1)
    clock.now += 30
    assert store.expire(100) == 1
    assert (store.blobs, store.mailboxes, store.accounted_bytes) == (0, 0, 0)


def test_expiring_blobs_in_flight_frees_the_window() -> None:
    clock = Clock()
    store = make_store(clock, ttl_seconds=60.0)
    store.deposit(A, b"1")
    store.deposit(A, b"2")
    generation, _ = store.subscribe(A)
    assert delivered(store, A, generation, 1) == [b"1"]
    clock.now += 61
    store.deposit(A, b"3")
    assert store.expire(100) == 2
    assert store.in_flight(A) == 0
    assert delivered(store, A, generation, 1) == [b"3"]


def test_a_redeposit_after_ack_is_stored_again() -> None:
    store = make_store()
    _, blob_id = store.deposit(A, b"1")
    store.ack(A, [blob_id])
    assert store.deposit(A, b"1") == (True, blob_id)


@pytest.mark.parametrize("blob", [b"", b"x" * 101])
def test_empty_and_oversized_blobs_are_refused(blob: bytes) -> None:
    store = make_store(max_blob_bytes=100)
    expected = ErrorCode.MALFORMED if not blob else ErrorCode.TOO_LARGE
    assert refused(store, A, blob) == expected
    assert refused(store, b"short", b"x") == ErrorCode.MALFORMED
    assert store.deposit(A, b"x" * 100)[0]


def test_mailbox_blob_count_limit() -> None:
    store = make_store(max_mailbox_blobs=3)
    for blob in (b"1", b"2", b"3"):
        store.deposit(A, blob)
    assert refused(store, A, b"4") == ErrorCode.MAILBOX_FULL
    assert store.deposit(A, b"3") == (False, blob_id_for(b"3"))  # a duplicate is still answered
    assert store.deposit(B, b"4")[0]  # other mailboxes are not affected


def test_mailbox_byte_limit() -> None:
    store = make_store(max_mailbox_bytes=2 * (1000 + BLOB_OVERHEAD))
    store.deposit(A, b"a" * 1000)
    store.deposit(A, b"b" * 1000)
    assert refused(store, A, b"c") == ErrorCode.MAILBOX_FULL
    store.ack(A, [blob_id_for(b"a" * 1000)])
    assert store.deposit(A, b"c")[0]


def test_relay_memory_limit_refuses_new_blobs_and_keeps_old_ones() -> None:
    cap = 4 * (1000 + BLOB_OVERHEAD) + 2 * MAILBOX_OVERHEAD
    store = make_store(max_total_bytes=cap, max_mailbox_bytes=cap)
    for i in range(3):
        store.deposit(A, bytes([i]) * 1000)
    store.deposit(B, b"b" * 1000)
    assert store.accounted_bytes == cap
    assert refused(store, A, b"x") == ErrorCode.RELAY_FULL
    assert refused(store, b"\xcc" * 16, b"x") == ErrorCode.RELAY_FULL
    assert store.blobs == 4
    assert store.accounted_bytes <= cap
    generation, _ = store.subscribe(A)
    assert len(delivered(store, A, generation, 10)) == 3  # nothing was dropped


def test_accounting_covers_the_real_memory_used() -> None:
    """BLOB_OVERHEAD and MAILBOX_OVERHEAD are at least what Python really allocates."""
    for mailbox_count, blob_count in ((1, 5000), (100, 5000), (3000, 3000)):
        store = make_store()
        mailbox_ids = [os.urandom(16) for _ in range(mailbox_count)]
        blobs = [os.urandom(64) for _ in range(blob_count)]
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for i, blob in enumerate(blobs):
                store.deposit(mailbox_ids[i % mailbox_count], blob)
            for mailbox_id in mailbox_ids:  # delivery state too
                generation, _ = store.subscribe(mailbox_id)
                store.take_unsent(mailbox_id, generation, 10)
            used = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        # The blobs themselves were allocated before; a received blob also has a header.
        real = used + blob_count * (64 + 33)
        assert real <= store.accounted_bytes, (mailbox_count, real, store.accounted_bytes)


# --- deposit capabilities and fair shares (issue 12, item 4) ---------------------------------


def refused_from(store: MailboxStore, mailbox_id: bytes, blob: bytes, source: str) -> ErrorCode:
    with pytest.raises(Refused) as caught:
        store.deposit(mailbox_id, blob, source)
    return caught.value.code


CAPABILITY = deposit_capability_for(b"\x01" * 32)
OTHER_CAPABILITY = deposit_capability_for(b"\x02" * 32)


def test_deposits_need_a_registered_mailbox_and_its_capability() -> None:
    store = make_store()
    with pytest.raises(Refused) as caught:
        store.check_deposit(A, CAPABILITY)
    assert caught.value.code is ErrorCode.MAILBOX_UNKNOWN  # e.g. a relay just restarted
    store.register(A, deposit_hash_for(CAPABILITY))
    store.check_deposit(A, CAPABILITY)
    for wrong in (OTHER_CAPABILITY, b"", CAPABILITY[:31], CAPABILITY + b"x", b"\x00" * 32):
        with pytest.raises(Refused) as caught:
            store.check_deposit(A, wrong)
        assert caught.value.code is ErrorCode.CAPABILITY_REFUSED
    with pytest.raises(Refused) as caught:
        store.check_deposit(B, CAPABILITY)  # registered for A only
    assert caught.value.code is ErrorCode.MAILBOX_UNKNOWN
    # A new subscription registers again, replacing the hash (a new mailbox seed).
    store.register(A, deposit_hash_for(OTHER_CAPABILITY))
    store.check_deposit(A, OTHER_CAPABILITY)
    with pytest.raises(Refused):
        store.check_deposit(A, CAPABILITY)
    assert store.registered == 1
    with pytest.raises(ValueError, match="deposit hash"):
        store.register(A, b"short")


def test_registrations_are_bounded_and_subscribed_mailboxes_keep_theirs() -> None:
    store = MailboxStore(
        clock=Clock(),
        max_blob_bytes=65536,
        max_mailbox_blobs=100,
        max_mailbox_bytes=1 << 20,
        max_total_bytes=1 << 20,
        ttl_seconds=60.0,
        max_registered_mailboxes=3,
    )
    subscribed = b"\x01" * 16
    store.subscribe(subscribed)
    store.register(subscribed, deposit_hash_for(CAPABILITY))
    others = [bytes([i]) * 16 for i in range(2, 12)]
    for mailbox_id in others:
        store.register(mailbox_id, deposit_hash_for(CAPABILITY))
    assert store.registered == 3
    store.check_deposit(subscribed, CAPABILITY)  # never forgotten while subscribed
    store.check_deposit(others[-1], CAPABILITY)  # the most recent kept
    with pytest.raises(Refused) as caught:
        store.check_deposit(others[0], CAPABILITY)
    assert caught.value.code is ErrorCode.MAILBOX_UNKNOWN


def test_one_source_gets_a_bounded_share_and_others_still_deposit() -> None:
    cost = 1000 + BLOB_OVERHEAD
    store = make_store(max_total_bytes=100 * cost, max_source_bytes=10 * cost)
    for i in range(10):
        store.deposit(A, i.to_bytes(4, "big") * 250, "203.0.113.7")
    assert refused_from(store, A, b"one more" * 125, "203.0.113.7") is ErrorCode.SOURCE_FULL
    stored = store.blobs
    assert stored == 10  # the mailbox overhead counts for the relay, not the source
    assert store.source_bytes("203.0.113.7") == 10 * cost
    # Another address of the same IPv6 /64 is the same source; another /64 is not.
    store.deposit(B, b"v6" * 500, "2001:db8::1")
    assert store.source_bytes("2001:db8::ffff") == cost
    store.deposit(B, b"ok" * 500, "198.51.100.1")  # another source still gets in
    # Acknowledged blobs give the share back.
    generation, _ = store.subscribe(A)
    taken = store.take_unsent(A, generation, 100)
    store.ack(A, [blob_id for blob_id, _ in taken])
    assert store.source_bytes("203.0.113.7") == 0
    store.deposit(A, b"again" * 200, "203.0.113.7")


def test_a_source_share_larger_than_the_relay_is_the_relay() -> None:
    store = make_store(max_total_bytes=4096, max_source_bytes=1 << 30)
    store.deposit(A, b"x" * 1000, "192.0.2.1")
    with pytest.raises(Refused) as caught:
        store.deposit(A, b"y" * 1000, "192.0.2.1")
    assert caught.value.code is ErrorCode.RELAY_FULL
