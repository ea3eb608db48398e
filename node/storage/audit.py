"""The audit log (docs/architecture.md invariant 7): append-only, hash-chained, tamper-evident.

Each clinically relevant event is one row of the ``audit`` table: when, what, who (this node's
user or the contact), and at most two 16-byte ids (the contact's node id, the message id).
Never content, never a patient field: :meth:`AuditLog.append` accepts nothing else.

Chain (anyone holding an export can re-check it, without any key)::

    hash = BLAKE2b-256( "releve/audit/entry/v1" 0x00 || prev_hash (32) || encoding )
    encoding = u64 position || i64 at (whole microseconds since 1970-01-01 UTC)
               || u32 len || event (ASCII) || u32 len || actor (ASCII)
               || id(contact_id) || id(message_id) [ || u32 len || subject (ASCII) ]
    id(x) = 0x00 if NULL, else 0x01 || x (16 bytes);  integers big-endian;
    prev_hash of position 1 = 32 zero bytes.

The subject (the account an entry is about, on a clinic server: node.core.accounts) is
encoded only when there is one, so every entry written before it existed keeps its hash; the
encoding stays unambiguous (the part before it parses on its own). The actor is "local" (the
node's user, or the operator of a clinic server), "contact", "anonymous" (a failed login that
named no account) or "account:" and an account id (the person logged in).

Seal: the chain alone cannot show that its last entries were deleted, or that the whole chain
was rebuilt. So the head (position, hash) is sealed with HMAC-SHA256 under a key derived from
a secret of the node and kept in the store's (encrypted) settings, written in the same batch
as the entry. A seal that does not match the table at load puts the log in "unsealed" mode:
entries keep being chained, but the seal is never rewritten, so the evidence survives restarts.

Limits: a fresh log has no seal, so deleting every entry *and* the seal reads as a fresh log;
restoring an older copy of the whole database is not detectable locally (an earlier export's
head, given to :func:`verify_lines`, is).

Failed commits: :meth:`AuditLog.append` moves the in-memory head before the caller commits,
and :meth:`AuditLog.submitted` tells it which batch carries the entries. The batch writer
fails a batch and everything queued behind it, then calls ``on_failure``; that must call
:meth:`AuditLog.rewind`, which takes the head back to the newest committed batch at once. An
entry's INSERT also fails unless its predecessor is in the table, so entries never submitted
(or submitted out of order) fail the next batch instead of breaking the chain.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
import re
import struct
from collections import deque
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from node.core.records import Reason, Verification
from node.protocol.errors import CorruptState
from node.storage.batch_writer import Overwrite, Statement

if TYPE_CHECKING:
    from node.storage.store import Store

log = logging.getLogger(__name__)

EVENTS: Final = frozenset(
    {
        "paired",
        "unpaired",
        "revoked",
        "verified",
        "sent",
        "received",
        "delivered",
        "read",
        "acknowledged",
        "exported",
        "printed",
        "saved",
        "viewed",  # a message shown in full: once per message per UTC day (docs/audit.md)
        "refused",  # a peer's prescription refused: bad signature, not its prescriber...
        "restored",  # this node was brought back from a backup (docs/protocol.md §20)
        "renewed",  # the session with a contact renewed after a restore (§20)
        "escalated",  # the backup contact told of an urgent message left unacknowledged
        # A clinic server's people (node.core.accounts), the subject naming the account:
        "user_added",
        "user_disabled",
        "user_enabled",
        "user_reset",
        "password_set",
        "login",
        "login_failed",
        "unlocked",  # the password typed again on an idle-locked screen
        "logout",
        "session_ended",  # a session revoked by its person or an admin
        "session_refused",  # a session cookie presented from another address: ended
        # A clinic server's mailboxes (node.core.mailboxes):
        "mailbox_added",
        "mailbox_removed",
        "mailbox_members_changed",
        "mailbox_default_changed",
        "forbidden",  # a person asked for a mailbox or message they may not read (403)
    }
)
ACTORS: Final = frozenset({"local", "contact", "anonymous"})
_ACCOUNT_ACTOR: Final = re.compile(r"account:[0-9a-f]{32}")
_SUBJECT: Final = re.compile(r"[0-9a-f]{32}")
ID_SIZE: Final = 16
HASH_SIZE: Final = 32
GENESIS: Final = bytes(HASH_SIZE)
SEAL_SETTING: Final = "audit_seal"
MIN_SECRET_SIZE: Final = 16
# Latest accepted time (year 2286): whole microseconds stay exact in a double below 2**53.
MAX_AT: Final = 10_000_000_000.0
PAGE_SIZE: Final = 1000
# How far past the highest known position an out-of-place entry's own position is searched.
SEARCH_SLACK: Final = 4096


_ENTRY_DOMAIN: Final = b"releve/audit/entry/v1\x00"
_SEAL_KEY_DOMAIN: Final = b"releve/audit/seal-key/v1"
_SEAL_DOMAIN: Final = b"releve/audit/seal/v1\x00"
_SEAL_SIZE: Final = 8 + HASH_SIZE + 32
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_COLUMNS: Final = "position, at, event, actor, contact_id, message_id, prev_hash, hash, subject"
_LINE_KEYS: Final = ("position", "at", "event", "actor", "contact", "message", "prev_hash", "hash")
_SUBJECT_KEY: Final = "subject"  # in a line only when the entry has one


@dataclass(frozen=True)
class _Fields:
    at_us: int
    event: str
    actor: str
    contact_id: bytes | None
    message_id: bytes | None
    subject: str | None = None


@dataclass(frozen=True)
class _Record:
    """An entry as found in the table or a file; ``None`` where a value is malformed."""

    position: int | None
    fields: _Fields | None
    prev_hash: bytes | None
    hash: bytes | None


@dataclass(frozen=True)
class _Seal:
    position: int
    hash: bytes


class _BadSeal:
    """A seal that is present but does not decrypt or authenticate."""


_BAD_SEAL: Final = _BadSeal()


# --- the chain (pure) -----------------------------------------------------------------


def _id(value: bytes | None, name: str) -> bytes | None:
    if value is None:
        return None
    if type(value) is not bytes:
        raise TypeError(f"{name} must be bytes or None")
    if len(value) != ID_SIZE:
        raise ValueError(f"{name} must be {ID_SIZE} bytes")
    return value


def _make_fields(
    event: object,
    actor: object,
    contact_id: Any,
    message_id: Any,
    at_us: int,
    subject: object = None,
) -> _Fields:
    if not isinstance(event, str) or event not in EVENTS:
        raise ValueError("unknown audit event")
    if not isinstance(actor, str) or not (actor in ACTORS or _ACCOUNT_ACTOR.fullmatch(actor)):
        raise ValueError("unknown audit actor")
    if subject is not None and not (isinstance(subject, str) and _SUBJECT.fullmatch(subject)):
        raise ValueError("an audit subject is an account id (32 hex digits)")
    if not 0 <= at_us <= MAX_AT * 1_000_000:
        raise ValueError("audit time out of range")
    return _Fields(
        at_us,
        event,
        actor,
        _id(contact_id, "contact_id"),
        _id(message_id, "message_id"),
        subject,
    )


def _to_microseconds(at: object) -> int:
    if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at):
        raise ValueError("audit time must be a finite number of seconds")
    if not 0 <= at <= MAX_AT:
        raise ValueError("audit time out of range")
    return round(at * 1_000_000)


def _text(value: str) -> bytes:
    data = value.encode("ascii")
    return struct.pack(">I", len(data)) + data


def _optional_id(value: bytes | None) -> bytes:
    return b"\x00" if value is None else b"\x01" + value


def _tail(fields: _Fields) -> bytes:
    """The encoding after the position."""
    return b"".join(
        (
            struct.pack(">q", fields.at_us),
            _text(fields.event),
            _text(fields.actor),
            _optional_id(fields.contact_id),
            _optional_id(fields.message_id),
            b"" if fields.subject is None else _text(fields.subject),
        )
    )


def _hash(prev_hash: bytes, position: int, fields: _Fields) -> bytes:
    data = _ENTRY_DOMAIN + prev_hash + struct.pack(">Q", position) + _tail(fields)
    return hashlib.blake2b(data, digest_size=HASH_SIZE).digest()


def _verifies_at(record: _Record, position: int) -> bool:
    if record.fields is None or record.prev_hash is None or record.hash is None:
        return False
    if not 1 <= position < 2**64:
        return False
    return hmac.compare_digest(_hash(record.prev_hash, position, record.fields), record.hash)


class _Chain:
    """Walks records in position order and names the first problem.

    Classifying needs at most one record of look-ahead: an intact entry found below its own
    position is either part of a block that slid down (entries before it were deleted and
    the rest renumbered: "missing") or one of two swapped entries ("reordered").
    """

    def __init__(
        self, bound: int, watch: Iterable[int] = (), present: set[int] | None = None
    ) -> None:
        self._bound = bound
        self._present = present  # every position in a file (its lines may be out of order)
        self._watch = set(watch)
        self.seen: dict[int, bytes] = {}  # hashes at the watched positions, once checked
        self.count = 0
        self.last_position = 0
        self.last_hash = GENESIS
        self.problem: tuple[int, Reason] | None = None
        self._displaced: _Record | None = None

    def feed(self, record: _Record) -> None:
        self.count += 1
        if self.problem is not None:
            return
        if self._displaced is not None:
            moved, self._displaced = self._displaced, None
            assert moved.position is not None
            assert moved.hash is not None
            slid = record.prev_hash is not None and hmac.compare_digest(
                record.prev_hash, moved.hash
            )
            self.problem = (moved.position, "missing" if slid else "reordered")
            return
        expected = self.last_position + 1
        position = record.position
        if position is None or position < 1:
            self.problem = (expected, "changed")
        elif position < expected:
            self.problem = (expected, "reordered")
        elif position > expected:
            later = self._present is not None and expected in self._present
            self.problem = (expected, "reordered" if later else "missing")
        elif (
            record.prev_hash is not None
            and hmac.compare_digest(record.prev_hash, self.last_hash)
            and _verifies_at(record, position)
        ):
            assert record.hash is not None
            self.last_position, self.last_hash = position, record.hash
            if position in self._watch:
                self.seen[position] = record.hash
        else:
            self._misplaced(record, position)

    def _misplaced(self, record: _Record, position: int) -> None:
        home = self._home(record, position)
        if home is None:
            # Its fields, its links or its hash were altered.
            self.problem = (position, "changed")
        elif home == position:
            # Intact here, but the entry before it is not the one it was chained to: that
            # one was rewritten (with a recomputed hash) or replaced.
            self.problem = (max(position - 1, 1), "changed")
        elif home < position:
            # An entry that belongs lower: what sits at home..position-1 was inserted.
            self.problem = (home, "changed")
        else:
            self._displaced = record

    def _home(self, record: _Record, position: int) -> int | None:
        """The position whose hash this record carries, if it is intact."""
        if _verifies_at(record, position):
            return position
        if record.fields is None or record.prev_hash is None or record.hash is None:
            return None
        # Only the position varies: hash the common prefix once.
        prefix = hashlib.blake2b(_ENTRY_DOMAIN + record.prev_hash, digest_size=HASH_SIZE)
        tail = _tail(record.fields)
        for candidate in range(1, max(self._bound, position) + SEARCH_SLACK + 1):
            digest = prefix.copy()
            digest.update(struct.pack(">Q", candidate) + tail)
            if candidate != position and hmac.compare_digest(digest.digest(), record.hash):
                return candidate
        return None

    def finish(self) -> None:
        if self._displaced is not None and self.problem is None:
            assert self._displaced.position is not None
            self.problem = (self._displaced.position, "missing")
            self._displaced = None


# --- records from the table and from an export ------------------------------------------


def _as_bytes(value: object, size: int) -> bytes | None:
    return value if isinstance(value, bytes) and len(value) == size else None


def _optional_bytes(value: object) -> bytes | None:
    """A stored id: NULL or exactly 16 bytes (anything else is a tampered value)."""
    if value is None:
        return None
    if isinstance(value, bytes) and len(value) == ID_SIZE:
        return value
    raise ValueError("malformed id")


def _record_from_row(row: Sequence[Any]) -> _Record:
    position, at, event, actor, contact_id, message_id, prev_hash, entry_hash, subject = row
    fields: _Fields | None
    try:
        if isinstance(at, bool) or not isinstance(at, int | float):
            raise ValueError("malformed time")
        fields = _make_fields(
            event,
            actor,
            _optional_bytes(contact_id),
            _optional_bytes(message_id),
            _to_microseconds(at),
            subject,
        )
    except (TypeError, ValueError):
        fields = None
    return _Record(
        position if isinstance(position, int) else None,
        fields,
        _as_bytes(prev_hash, HASH_SIZE),
        _as_bytes(entry_hash, HASH_SIZE),
    )


def _iso(at_us: int) -> str:
    moment = _EPOCH + timedelta(microseconds=at_us)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _from_iso(text: object) -> int:
    if not isinstance(text, str):
        raise ValueError("malformed time")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("time without a time zone")
    return (moment - _EPOCH) // _MICROSECOND


def _from_hex(text: object, size: int) -> bytes:
    if not isinstance(text, str) or len(text) != 2 * size:
        raise ValueError("malformed hex")
    return bytes.fromhex(text)


def _optional_hex(text: object) -> bytes | None:
    return None if text is None else _from_hex(text, ID_SIZE)


def _record_from_line(line: str) -> _Record:
    try:
        item = json.loads(line)
    except ValueError:
        return _Record(None, None, None, None)
    if not isinstance(item, dict) or set(item) - {_SUBJECT_KEY} != set(_LINE_KEYS):
        return _Record(None, None, None, None)
    raw_position = item["position"]
    position = (
        raw_position
        if isinstance(raw_position, int) and not isinstance(raw_position, bool)
        else None
    )
    fields: _Fields | None
    try:
        fields = _make_fields(
            item["event"],
            item["actor"],
            _optional_hex(item["contact"]),
            _optional_hex(item["message"]),
            _from_iso(item["at"]),
            item.get(_SUBJECT_KEY),
        )
    except (TypeError, ValueError, OverflowError):
        fields = None
    hashes: list[bytes | None] = []
    for key in ("prev_hash", "hash"):
        try:
            hashes.append(_from_hex(item[key], HASH_SIZE))
        except ValueError:
            hashes.append(None)
    return _Record(position, fields, hashes[0], hashes[1])


def _line(row: Sequence[Any]) -> str:
    """One exported entry; a tampered value is exported as found (the check flags it)."""
    position, at, event, actor, contact_id, message_id, prev_hash, entry_hash, subject = row

    def plain(value: object) -> object:
        if value is None or isinstance(value, int | float | str):
            return value
        if isinstance(value, bytes):
            return value.hex()
        return repr(value)

    try:
        when: object = _iso(_to_microseconds(at))
    except (TypeError, ValueError, OverflowError):
        when = plain(at)
    values = (position, when, event, actor, contact_id, message_id, prev_hash, entry_hash)
    item = {key: plain(value) for key, value in zip(_LINE_KEYS, values, strict=True)}
    if subject is not None:
        item[_SUBJECT_KEY] = plain(subject)
    return json.dumps(item, separators=(",", ":"))


def verify_lines(lines: Iterable[str], head: tuple[int, bytes] | None = None) -> Verification:
    """Re-checks an exported audit file's chain, without any key.

    ``head`` (position, hash), noted from an earlier check or export, also reveals a file cut
    short ("truncated") or an entry at that position that is not the one noted ("changed").
    Blank lines are ignored. The whole file is held in memory (about 300 bytes an entry).
    """
    records = [_record_from_line(line) for line in lines if line.strip()]
    bound = max(len(records), head[0] if head else 0)
    present = {record.position for record in records if record.position is not None}
    chain = _Chain(bound, [head[0]] if head else [], present)
    for record in records:
        chain.feed(record)
        if chain.problem is not None:
            break
    chain.finish()
    if chain.problem is not None:
        position, reason = chain.problem
        return Verification(False, len(records), position, reason)
    if head is not None:
        head_position, head_hash = head
        if head_position > chain.last_position:
            return Verification(False, len(records), chain.last_position + 1, "truncated")
        seen = chain.seen.get(head_position)
        if head_position >= 1 and (seen is None or not hmac.compare_digest(seen, head_hash)):
            return Verification(False, len(records), head_position, "changed")
    return Verification(True, len(records))


# --- the log in the store ----------------------------------------------------------------


async def _rows(store: Store) -> AsyncIterator[Sequence[Any]]:
    """Every row in position order, a page at a time (bounded memory)."""
    after = 0
    while True:
        page = await store.audit_page(after, PAGE_SIZE)
        for row in page:
            yield tuple(row)
        if len(page) < PAGE_SIZE:
            return
        after = int(page[-1][0])


def _seal_key(secret: bytes) -> bytes:
    return hmac.new(secret, _SEAL_KEY_DOMAIN, hashlib.sha256).digest()


def _seal_mac(key: bytes, position: int, head_hash: bytes) -> bytes:
    message = _SEAL_DOMAIN + struct.pack(">Q", position) + head_hash
    return hmac.new(key, message, hashlib.sha256).digest()


class AuditLog:
    """The node's audit log. One instance per store, used from one event loop."""

    def __init__(self, store: Store, key: bytes) -> None:
        self._store = store
        self._key = key
        self._position = 0
        self._hash = GENESIS
        self._sealed = True
        # Batches carrying entries, each with the head after it, oldest first; and the head
        # of the newest batch known committed: where a failed commit takes the head back.
        self._batches: deque[tuple[asyncio.Future[None], tuple[int, bytes]]] = deque()
        self._committed: tuple[int, bytes] = (0, GENESIS)

    def __repr__(self) -> str:  # never print the key
        return f"AuditLog(position={self._position}, sealed={self._sealed})"

    @classmethod
    async def load(cls, store: Store, seal_key: bytes) -> AuditLog:
        """Reads the head; ``seal_key`` is a secret of the node (at least 16 bytes) that
        must stay the same for the life of the database (not the identity: it can change)."""
        if not isinstance(seal_key, bytes) or len(seal_key) < MIN_SECRET_SIZE:
            raise ValueError(f"the audit seal key must be at least {MIN_SECRET_SIZE} bytes")
        audit = cls(store, _seal_key(seal_key))
        await audit._read_head()
        return audit

    @property
    def head(self) -> tuple[int, bytes]:
        """(position, hash) of the last entry appended (zeros before the first)."""
        return self._position, self._hash

    @property
    def sealed(self) -> bool:
        """False once the seal was found not to match the table: the log stays flagged."""
        return self._sealed

    async def _read_head(self) -> None:
        row = await self._store.audit_head()
        position = 0 if row is None else int(row[0])
        # A malformed head hash is already evidence (the check flags that entry); chaining
        # onto zeros keeps the log writable.
        head_hash = GENESIS if row is None else _as_bytes(row[1], HASH_SIZE) or GENESIS
        seal = await self._read_seal()
        if seal is None:
            sealed = position == 0
        else:
            sealed = (
                isinstance(seal, _Seal)
                and seal.position == position
                and hmac.compare_digest(seal.hash, head_hash)
            )
        if not sealed and self._sealed:
            log.warning(
                "the audit log's seal does not match its last entry (position %d): it was"
                " altered outside Relève; entries are still chained but no longer sealed",
                position,
            )
        self._position, self._hash, self._sealed = position, head_hash, sealed
        self._committed = (position, head_hash)

    async def _read_seal(self) -> _Seal | _BadSeal | None:
        try:
            value = await self._store.get_setting(SEAL_SETTING)
        except CorruptState:
            return _BAD_SEAL
        if value is None:
            return None
        if len(value) != _SEAL_SIZE:
            return _BAD_SEAL
        position = struct.unpack(">Q", value[:8])[0]
        head_hash, mac = value[8 : 8 + HASH_SIZE], value[8 + HASH_SIZE :]
        if not hmac.compare_digest(mac, _seal_mac(self._key, position, head_hash)):
            return _BAD_SEAL
        return _Seal(position, head_hash)

    # --- writing ----------------------------------------------------------------------

    def append(
        self,
        event: str,
        actor: str,
        contact_id: bytes | None,
        message_id: bytes | None,
        at: float,
        subject: str | None = None,
    ) -> list[Statement]:
        """The statements that record one event, to commit in the same batch as the event.

        Synchronous, so that entries are chained in the order of the calls; submit the
        statements to the writer before any ``await``. ``at`` is kept to the microsecond.
        Raises ValueError (unknown event or actor, a time out of range, an id not 16 bytes),
        TypeError (an id not ``bytes``). Tell :meth:`submitted` which batch carries them.
        ``subject``: the account the entry is about (node.core.accounts), if any.
        """
        fields = _make_fields(event, actor, contact_id, message_id, _to_microseconds(at), subject)
        position = self._position + 1
        entry_hash = _hash(self._hash, position, fields)
        values = (
            fields.at_us / 1_000_000,
            fields.event,
            fields.actor,
            fields.contact_id,
            fields.message_id,
        )
        subject_value = fields.subject
        statements: list[Statement]
        if position == 1:
            statements = [
                Statement(
                    f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant
                    (position, *values, GENESIS, entry_hash, subject_value),
                )
            ]
        else:
            # prev_hash is NULL (NOT NULL fails the batch) unless the predecessor is written.
            statements = [
                Statement(
                    f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?,"  # noqa: S608 - constant
                    " (SELECT ? WHERE EXISTS (SELECT 1 FROM audit WHERE position = ?)), ?, ?)",
                    (position, *values, self._hash, position - 1, entry_hash, subject_value),
                )
            ]
        if self._sealed:
            statements.append(self._seal_statement(position, entry_hash))
        self._position, self._hash = position, entry_hash
        return statements

    def _seal_statement(self, position: int, entry_hash: bytes) -> Statement:
        value = struct.pack(">Q", position) + entry_hash
        value += _seal_mac(self._key, position, entry_hash)
        statement = self._store.put_setting(SEAL_SETTING, value)
        # Several appends in one batch: only the newest seal needs writing.
        return Overwrite(statement.sql, statement.params, key=("setting", SEAL_SETTING.encode()))

    def submitted(self, future: asyncio.Future[None]) -> None:
        """The entries appended so far were submitted to the writer as ``future``'s batch."""
        self._settle(failing=False)
        self._batches.append((future, self.head))

    def rewind(self) -> None:
        """A commit failed (the writer's ``on_failure``), and with it every batch queued
        behind it: the head goes back, at once, to that of the newest batch committed, so
        that the next append chains onto what the table holds."""
        self._position, self._hash = self._settle(failing=True)

    def _settle(self, failing: bool) -> tuple[int, bytes]:
        """Forgets the batches that are settled (all of them when ``failing``: those not yet
        committed are failing too) and returns the head of the newest one committed."""
        while self._batches and (failing or self._batches[0][0].done()):
            future, head = self._batches.popleft()
            if future.done() and not future.cancelled() and future.exception() is None:
                self._committed = head
        return self._committed

    # --- checking and exporting ---------------------------------------------------------

    async def verify(self, store: Store) -> Verification:
        """Re-checks the whole chain and the seal; reads the table a page at a time.

        Appends committed while it runs are not mistaken for tampering: the seal is read
        before and after the rows, and every legitimate commit moves it with its entry.
        """
        before = await self._read_seal()
        top = await store.audit_top()
        watch = [before.position] if isinstance(before, _Seal) else []
        chain = _Chain(max(top, *watch, 0), watch)
        async for row in _rows(store):
            chain.feed(_record_from_row(row))
            if chain.problem is not None:
                break
        chain.finish()
        if chain.problem is not None:
            position, reason = chain.problem
            entries = await store.audit_count()
            return Verification(False, entries, position, reason)
        after = await self._read_seal()
        problem = self._seal_problem(before, after, chain)
        if problem is not None:
            return Verification(False, chain.count, *problem)
        return Verification(True, chain.count)

    @staticmethod
    def _seal_problem(
        before: _Seal | _BadSeal | None, after: _Seal | _BadSeal | None, chain: _Chain
    ) -> tuple[int, Reason] | None:
        last = chain.last_position
        head = max(last, 1)
        if isinstance(before, _BadSeal) or isinstance(after, _BadSeal):
            return head, "seal"  # a wrong key, or a seal that was altered
        if after is None:
            return None if last == 0 else (head, "seal")  # entries but no seal
        if last > after.position:
            return after.position + 1, "seal"  # entries added without the key
        if before is not None:
            if before.position > last:
                return last + 1, "truncated"  # sealed entries that are gone
            seen = chain.seen.get(before.position)
            if seen is None or not hmac.compare_digest(seen, before.hash):
                return before.position, "seal"  # a chain rebuilt without the key
        if after.position == last and not hmac.compare_digest(chain.last_hash, after.hash):
            return last, "seal"
        # after.position > last: appends committed after the rows were read.
        return None

    async def iter_export_lines(self, store: Store) -> AsyncIterator[str]:
        """One JSON object per entry (no newline), in position order, a page at a time."""
        async for row in _rows(store):
            yield _line(row)

    async def export_lines(self, store: Store) -> list[str]:
        """Every entry as a JSON line (no newline): position, at (ISO 8601 UTC, to the
        microsecond), event, actor, contact and message (hex or null), prev_hash, hash (hex)."""
        return [line async for line in self.iter_export_lines(store)]
