"""The relay's in-memory mailbox store (no I/O; the clock is a parameter).

A mailbox holds sealed blobs in deposit order until its owner acknowledges them or their
TTL ends (docs/relay-protocol.md, "Storage"). Every blob is accounted as its length plus
``BLOB_OVERHEAD`` (the Python objects that index it, measured by
tests/unit/relay/test_mailboxes.py), and every non-empty mailbox adds ``MAILBOX_OVERHEAD``;
deposits that would exceed a limit are refused, old blobs are never dropped to make room.

Deposit capabilities (docs/relay-protocol.md §4): an owner registers the hash of its
mailbox's deposit capability each time it subscribes (:meth:`MailboxStore.register`); the
relay keeps it in memory only, for at most ``max_registered_mailboxes`` mailboxes (the least
recently registered one that is not subscribed is forgotten first). :meth:`check_deposit`
refuses a deposit into a mailbox without a registration (MAILBOX_UNKNOWN: retry once its
owner has subscribed again, e.g. after a restart) or with the wrong capability
(CAPABILITY_REFUSED); the deposit handlers call it before reading or storing anything else.

Fair share: besides the per-mailbox and total limits, the blobs deposited from one source
(node.protocol.admission.source_key: an IPv4 address or an IPv6 /64) may take at most
``max_source_bytes`` of the accounted memory (SOURCE_FULL).

Delivery state: at most one subscription per mailbox is current (its *generation*). For it
the mailbox keeps the blobs not yet pushed (``pending``, FIFO) and those pushed but not yet
acknowledged (``in_flight``); a new subscription puts every queued blob back into
``pending``, so unacknowledged blobs are pushed again in deposit order.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Final

from node.protocol.admission import source_key
from node.protocol.relay_wire import (
    CAPABILITY_SIZE,
    DEPOSIT_HASH_SIZE,
    MAILBOX_ID_SIZE,
    ErrorCode,
    blob_id_for,
    capability_matches,
)
from relay.config import RelayConfig
from relay.errors import RelayError

BLOB_OVERHEAD: Final = 512
MAILBOX_OVERHEAD: Final = 2048


class Refused(RelayError):
    """A deposit the store declines; ``code`` is answered to the depositor."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Mailbox:
    __slots__ = ("blobs", "generation", "in_flight", "mailbox_id", "pending", "size")

    def __init__(self, mailbox_id: bytes) -> None:
        self.mailbox_id = mailbox_id
        self.blobs: dict[bytes, bytes] = {}  # blob id -> blob, in deposit order
        self.size = 0  # accounted bytes of its blobs
        self.pending: OrderedDict[bytes, None] = OrderedDict()
        self.in_flight: set[bytes] = set()
        self.generation = 0  # of the current subscription; 0: none


class MailboxStore:
    def __init__(
        self,
        *,
        clock: Callable[[], float],
        max_blob_bytes: int,
        max_mailbox_blobs: int,
        max_mailbox_bytes: int,
        max_total_bytes: int,
        ttl_seconds: float,
        max_source_bytes: int | None = None,
        max_registered_mailboxes: int = 100_000,
    ) -> None:
        self._clock = clock
        self._max_blob_bytes = max_blob_bytes
        self._max_mailbox_blobs = max_mailbox_blobs
        self._max_mailbox_bytes = max_mailbox_bytes
        self._max_total_bytes = max_total_bytes
        # A share larger than the whole is the whole (a relay configured small for a test).
        self._max_source_bytes = min(max_source_bytes or max_total_bytes, max_total_bytes)
        self._max_registered = max_registered_mailboxes
        self._ttl = ttl_seconds
        self._mailboxes: dict[bytes, _Mailbox] = {}
        # (mailbox id, blob id) -> (expiry time, depositor's source key), oldest first: with
        # one TTL for all, also the order in which they expire. Only bytes, floats, str and
        # tuples of them per blob, which the garbage collector stops tracking: its full
        # passes stay short with many blobs. Source keys are shared strings (one per source).
        self._by_age: OrderedDict[tuple[bytes, bytes], tuple[float, str]] = OrderedDict()
        self._bytes = 0
        self._by_source: dict[str, int] = {}  # source key -> accounted bytes of its blobs
        self._generations = 0
        # mailbox id -> hash of its deposit capability, least recently registered first.
        self._registered: OrderedDict[bytes, bytes] = OrderedDict()

    @classmethod
    def from_config(cls, config: RelayConfig, clock: Callable[[], float]) -> MailboxStore:
        return cls(
            clock=clock,
            max_blob_bytes=config.max_blob_bytes,
            max_mailbox_blobs=config.max_mailbox_blobs,
            max_mailbox_bytes=config.max_mailbox_bytes,
            max_total_bytes=config.max_total_bytes,
            ttl_seconds=config.blob_ttl_seconds,
            max_source_bytes=config.max_source_bytes,
            max_registered_mailboxes=config.max_registered_mailboxes,
        )

    # --- counts (never ids) --------------------------------------------------------------

    @property
    def mailboxes(self) -> int:
        return len(self._mailboxes)

    @property
    def blobs(self) -> int:
        return len(self._by_age)

    @property
    def accounted_bytes(self) -> int:
        """Accounted memory: blob lengths plus the per-blob and per-mailbox overheads."""
        return self._bytes

    @property
    def registered(self) -> int:
        """Mailboxes whose deposit capability hash the relay holds."""
        return len(self._registered)

    def source_bytes(self, source: str) -> int:
        """Accounted bytes of the blobs deposited from ``source`` (its source key)."""
        return self._by_source.get(source_key(source), 0)

    # --- deposit capabilities ---------------------------------------------------------------

    def register(self, mailbox_id: bytes, deposit_hash: bytes) -> None:
        """The owner (authenticated) registers its capability's hash, replacing any earlier
        one. Beyond ``max_registered_mailboxes``, the least recently registered mailbox
        without a subscription is forgotten (its owner registers again when it subscribes)."""
        if len(mailbox_id) != MAILBOX_ID_SIZE or len(deposit_hash) != DEPOSIT_HASH_SIZE:
            raise ValueError("a mailbox id is 16 bytes, a deposit hash 32")
        key = bytes(mailbox_id)
        self._registered[key] = bytes(deposit_hash)
        self._registered.move_to_end(key)
        for _ in range(len(self._registered)):
            if len(self._registered) <= self._max_registered:
                break
            oldest = next(iter(self._registered))
            mailbox = self._mailboxes.get(oldest)
            if mailbox is not None and mailbox.generation:
                self._registered.move_to_end(oldest)  # subscribed now: kept
            else:
                del self._registered[oldest]

    def check_deposit(self, mailbox_id: bytes, capability: bytes) -> None:
        """Whether a deposit into ``mailbox_id`` with ``capability`` may go ahead; raises
        :class:`Refused` (MAILBOX_UNKNOWN or CAPABILITY_REFUSED). Constant time in the
        capability (it is compared through its hash)."""
        registered = self._registered.get(mailbox_id)
        if registered is None:
            raise Refused(
                ErrorCode.MAILBOX_UNKNOWN,
                "no owner registered this mailbox since the relay started: retry later",
            )
        if len(capability) != CAPABILITY_SIZE or not capability_matches(capability, registered):
            raise Refused(
                ErrorCode.CAPABILITY_REFUSED, "this is not the mailbox's deposit capability"
            )

    # --- deposits ---------------------------------------------------------------------------

    def deposit(self, mailbox_id: bytes, blob: bytes, source: str = "") -> tuple[bool, bytes]:
        """Queues ``blob`` deposited from ``source`` (an address); returns (True: stored,
        False: already queued there; blob id). The caller has checked the capability
        (:meth:`check_deposit`).

        Raises :class:`Refused` (MALFORMED, TOO_LARGE, MAILBOX_FULL, SOURCE_FULL or
        RELAY_FULL)."""
        if len(mailbox_id) != MAILBOX_ID_SIZE:
            raise Refused(ErrorCode.MALFORMED, "a mailbox id is 16 bytes")
        if not blob:
            raise Refused(ErrorCode.MALFORMED, "empty blob")
        if len(blob) > self._max_blob_bytes:
            raise Refused(ErrorCode.TOO_LARGE, f"a blob is at most {self._max_blob_bytes} bytes")
        blob_id = blob_id_for(blob)
        mailbox = self._mailboxes.get(mailbox_id)
        if mailbox is not None and blob_id in mailbox.blobs:
            return False, blob_id
        cost = len(blob) + BLOB_OVERHEAD
        if mailbox is not None and (
            len(mailbox.blobs) >= self._max_mailbox_blobs
            or mailbox.size + cost > self._max_mailbox_bytes
        ):
            raise Refused(ErrorCode.MAILBOX_FULL, "this mailbox is full")
        new_mailbox = mailbox is None or not mailbox.blobs
        total_cost = cost + (MAILBOX_OVERHEAD if new_mailbox else 0)
        if self._bytes + total_cost > self._max_total_bytes:
            raise Refused(ErrorCode.RELAY_FULL, "the relay is full")
        source = source_key(source)
        if self._by_source.get(source, 0) + cost > self._max_source_bytes:
            raise Refused(ErrorCode.SOURCE_FULL, "this address holds its share of the relay")
        if mailbox is None:
            mailbox_id = bytes(mailbox_id)
            mailbox = self._mailboxes[mailbox_id] = _Mailbox(mailbox_id)
        mailbox.blobs[blob_id] = bytes(blob)
        mailbox.pending[blob_id] = None
        mailbox.size += cost
        self._by_age[mailbox.mailbox_id, blob_id] = (self._clock() + self._ttl, source)
        self._bytes += total_cost
        self._by_source[source] = self._by_source.get(source, 0) + cost
        return True, blob_id

    def ack(self, mailbox_id: bytes, blob_ids: Iterable[bytes]) -> int:
        """Deletes the owner's acknowledged blobs; unknown ids are ignored. Returns how many."""
        mailbox = self._mailboxes.get(mailbox_id)
        if mailbox is None:
            return 0
        deleted = 0
        for blob_id in blob_ids:
            if blob_id in mailbox.blobs:
                self._remove(mailbox, blob_id)
                deleted += 1
        return deleted

    def expire(self, limit: int) -> int:
        """Deletes at most ``limit`` blobs whose TTL has ended; returns how many."""
        now = self._clock()
        expired = 0
        while expired < limit and self._by_age:
            (mailbox_id, blob_id), (expires_at, _) = next(iter(self._by_age.items()))
            if expires_at > now:
                break
            self._remove(self._mailboxes[mailbox_id], blob_id)
            expired += 1
        return expired

    # --- delivery ---------------------------------------------------------------------------

    def subscribe(self, mailbox_id: bytes) -> tuple[int, int]:
        """Makes a new subscription current; returns (its generation, queued blobs).

        Every queued blob, pushed before or not, is pending again (redelivery)."""
        mailbox = self._mailboxes.get(mailbox_id)
        if mailbox is None:
            mailbox = self._mailboxes[bytes(mailbox_id)] = _Mailbox(bytes(mailbox_id))
        self._generations += 1
        mailbox.generation = self._generations
        mailbox.pending = OrderedDict.fromkeys(mailbox.blobs)
        mailbox.in_flight = set()
        return mailbox.generation, len(mailbox.blobs)

    def unsubscribe(self, mailbox_id: bytes, generation: int) -> None:
        """Ends a subscription (nothing happens if a newer one replaced it)."""
        mailbox = self._mailboxes.get(mailbox_id)
        if mailbox is None or mailbox.generation != generation:
            return
        mailbox.generation = 0
        mailbox.pending = OrderedDict.fromkeys(mailbox.blobs)
        mailbox.in_flight = set()
        if not mailbox.blobs:
            del self._mailboxes[mailbox_id]

    def take_next(
        self, mailbox_id: bytes, generation: int, window: int
    ) -> tuple[bytes, bytes] | None:
        """The oldest pending (blob id, blob), now marked in flight; None if nothing is
        pending, ``window`` blobs are in flight already, or ``generation`` is not current.
        One at a time, so that a push interrupted midway leaves nothing taken and unsent."""
        mailbox = self._mailboxes.get(mailbox_id)
        if (
            mailbox is None
            or mailbox.generation != generation
            or not mailbox.pending
            or len(mailbox.in_flight) >= window
        ):
            return None
        blob_id, _ = mailbox.pending.popitem(last=False)
        mailbox.in_flight.add(blob_id)
        return blob_id, mailbox.blobs[blob_id]

    def take_unsent(
        self, mailbox_id: bytes, generation: int, window: int
    ) -> list[tuple[bytes, bytes]]:
        """Every blob :meth:`take_next` would give, in order."""
        taken = []
        while (blob := self.take_next(mailbox_id, generation, window)) is not None:
            taken.append(blob)
        return taken

    def take(
        self, mailbox_id: bytes, generation: int, window: int, count: int, size: int
    ) -> list[tuple[bytes, bytes]]:
        """What :meth:`take_next` would give, in order, in one call (the relay's push path,
        once per frame): at most ``count`` blobs, and no more once their lengths reach
        ``size`` bytes (at least one is taken). The caller sends them all at once."""
        mailbox = self._mailboxes.get(mailbox_id)
        if mailbox is None or mailbox.generation != generation or not mailbox.pending:
            return []
        room = min(count, window - len(mailbox.in_flight))
        pending, in_flight, blobs = mailbox.pending, mailbox.in_flight, mailbox.blobs
        taken: list[tuple[bytes, bytes]] = []
        total = 0
        while room > 0 and pending and total < size:
            blob_id, _ = pending.popitem(last=False)
            in_flight.add(blob_id)
            blob = blobs[blob_id]
            taken.append((blob_id, blob))
            total += len(blob)
            room -= 1
        return taken

    def can_push(self, mailbox_id: bytes, generation: int, window: int) -> bool:
        """Whether ``take_unsent`` would return something."""
        mailbox = self._mailboxes.get(mailbox_id)
        return (
            mailbox is not None
            and mailbox.generation == generation
            and bool(mailbox.pending)
            and len(mailbox.in_flight) < window
        )

    def in_flight(self, mailbox_id: bytes) -> int:
        mailbox = self._mailboxes.get(mailbox_id)
        return 0 if mailbox is None else len(mailbox.in_flight)

    # ------------------------------------------------------------------------------------------

    def _remove(self, mailbox: _Mailbox, blob_id: bytes) -> None:
        blob = mailbox.blobs.pop(blob_id)
        mailbox.pending.pop(blob_id, None)
        mailbox.in_flight.discard(blob_id)
        _, source = self._by_age.pop((mailbox.mailbox_id, blob_id))
        cost = len(blob) + BLOB_OVERHEAD
        mailbox.size -= cost
        self._bytes -= cost
        left = self._by_source[source] - cost
        if left:
            self._by_source[source] = left
        else:
            del self._by_source[source]
        if not mailbox.blobs:
            self._bytes -= MAILBOX_OVERHEAD
            if not mailbox.generation:
                del self._mailboxes[mailbox.mailbox_id]
