"""The relay's in-memory mailbox store (no I/O; the clock is a parameter).

A mailbox holds sealed blobs in deposit order until its owner acknowledges them or their
TTL ends (docs/relay-protocol.md, "Storage"). Every blob is accounted as its length plus
``BLOB_OVERHEAD`` (the Python objects that index it, measured by
tests/unit/relay/test_mailboxes.py), and every non-empty mailbox adds ``MAILBOX_OVERHEAD``;
deposits that would exceed a limit are refused, old blobs are never dropped to make room.

Delivery state: at most one subscription per mailbox is current (its *generation*). For it
the mailbox keeps the blobs not yet pushed (``pending``, FIFO) and those pushed but not yet
acknowledged (``in_flight``); a new subscription puts every queued blob back into
``pending``, so unacknowledged blobs are pushed again in deposit order.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Final

from node.protocol.relay_wire import MAILBOX_ID_SIZE, ErrorCode, blob_id_for
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
    ) -> None:
        self._clock = clock
        self._max_blob_bytes = max_blob_bytes
        self._max_mailbox_blobs = max_mailbox_blobs
        self._max_mailbox_bytes = max_mailbox_bytes
        self._max_total_bytes = max_total_bytes
        self._ttl = ttl_seconds
        self._mailboxes: dict[bytes, _Mailbox] = {}
        # (mailbox id, blob id) -> expiry time, oldest first: with one TTL for all, also the
        # order in which they expire. Only bytes, floats and tuples of them per blob, which
        # the garbage collector stops tracking: its full passes stay short with many blobs.
        self._by_age: OrderedDict[tuple[bytes, bytes], float] = OrderedDict()
        self._bytes = 0
        self._generations = 0

    @classmethod
    def from_config(cls, config: RelayConfig, clock: Callable[[], float]) -> MailboxStore:
        return cls(
            clock=clock,
            max_blob_bytes=config.max_blob_bytes,
            max_mailbox_blobs=config.max_mailbox_blobs,
            max_mailbox_bytes=config.max_mailbox_bytes,
            max_total_bytes=config.max_total_bytes,
            ttl_seconds=config.blob_ttl_seconds,
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

    # --- deposits ---------------------------------------------------------------------------

    def deposit(self, mailbox_id: bytes, blob: bytes) -> tuple[bool, bytes]:
        """Queues ``blob``; returns (True: stored, False: already queued there; blob id).

        Raises :class:`Refused` (MALFORMED, TOO_LARGE, MAILBOX_FULL or RELAY_FULL)."""
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
        if mailbox is None:
            mailbox_id = bytes(mailbox_id)
            mailbox = self._mailboxes[mailbox_id] = _Mailbox(mailbox_id)
        mailbox.blobs[blob_id] = bytes(blob)
        mailbox.pending[blob_id] = None
        mailbox.size += cost
        self._by_age[mailbox.mailbox_id, blob_id] = self._clock() + self._ttl
        self._bytes += total_cost
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
            (mailbox_id, blob_id), expires_at = next(iter(self._by_age.items()))
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
        del self._by_age[mailbox.mailbox_id, blob_id]
        cost = len(blob) + BLOB_OVERHEAD
        mailbox.size -= cost
        self._bytes -= cost
        if not mailbox.blobs:
            self._bytes -= MAILBOX_OVERHEAD
            if not mailbox.generation:
                del self._mailboxes[mailbox.mailbox_id]
