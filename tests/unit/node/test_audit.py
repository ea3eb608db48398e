"""The audit log: a hash chain in a real SQLite file, sealed; tampering is found and named.

The tampering is done the way an intruder would: with sqlite3 on the database file, and with
this file's own implementation of the documented hash format (node/storage/audit.py docstring).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import sqlite3
import struct
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import node.storage.audit
from node.core.records import Verification
from node.storage.audit import EVENTS, SEAL_SETTING, AuditLog, verify_lines
from node.storage.batch_writer import Statement
from node.storage.keystore import FieldCipher
from node.storage.store import Store

SCHEMA = """
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE audit (
    position   INTEGER PRIMARY KEY,
    at         REAL NOT NULL,
    event      TEXT NOT NULL,
    actor      TEXT NOT NULL,
    contact_id BLOB,
    message_id BLOB,
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL,
    subject    TEXT
);
"""
DATA_KEY = bytes(range(32))
SECRET = b"audit seal secret of this node!!"
OTHER_SECRET = b"another node's audit seal secret"
CONTACT_A = bytes(range(16))
CONTACT_B = bytes(range(16, 32))
T0 = 1_764_400_000.25


def mid(n: int) -> bytes:
    return bytes([n]) * 16


Event = tuple[str, str, bytes | None, bytes | None]
HISTORY: list[Event] = [
    ("paired", "local", CONTACT_A, None),
    ("sent", "local", CONTACT_A, mid(1)),
    ("delivered", "contact", CONTACT_A, mid(1)),
    ("received", "contact", CONTACT_B, mid(2)),
    ("read", "local", CONTACT_B, mid(2)),
    ("exported", "local", None, mid(2)),
]


# --- the documented format, implemented independently --------------------------------------


def documented_hash(
    prev: bytes,
    position: int,
    at_us: int,
    event: str,
    actor: str,
    contact: bytes | None,
    message: bytes | None,
) -> bytes:
    def text(value: str) -> bytes:
        return struct.pack(">I", len(value)) + value.encode("ascii")

    def ident(value: bytes | None) -> bytes:
        return b"\x00" if value is None else b"\x01" + value

    data = (
        b"releve/audit/entry/v1\x00"
        + prev
        + struct.pack(">Q", position)
        + struct.pack(">q", at_us)
        + text(event)
        + text(actor)
        + ident(contact)
        + ident(message)
    )
    return hashlib.blake2b(data, digest_size=32).digest()


def row_hash(row: tuple[Any, ...], prev: bytes, position: int | None = None) -> bytes:
    """The documented hash of a stored row (optionally as if it sat at another position)."""
    pos, at, event, actor, contact, message = row[:6]
    return documented_hash(
        prev, pos if position is None else position, round(at * 1e6), event, actor, contact, message
    )


# --- a node's store on a real file ------------------------------------------------------------


@dataclass
class Node:
    path: Path
    store: Store
    audit: AuditLog
    failures: list[bool] = field(default_factory=list)
    closed: bool = False

    async def record(self, events: list[Event], start: int = 0) -> None:
        statements: list[Statement] = []
        for index, (event, actor, contact, message) in enumerate(events, start):
            statements += self.audit.append(event, actor, contact, message, T0 + index * 1.5)
        assert self.store.writer is not None
        future = self.store.writer.submit(statements)
        self.audit.submitted(future)
        await future

    async def verify(self) -> Verification:
        return await self.audit.verify(self.store)


async def open_node(path: Path, secret: bytes = SECRET) -> Node:
    if not path.exists():
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.executescript(SCHEMA)
    reader = await aiosqlite.connect(path, isolation_level=None)
    store = Store(path, reader, FieldCipher(DATA_KEY))
    failures: list[bool] = []
    holder: list[AuditLog] = []

    def on_failure() -> None:
        failures.append(True)
        holder[0].rewind()

    await store.start_writer(on_failure)
    audit = await AuditLog.load(store, secret)
    holder.append(audit)
    return Node(path, store, audit, failures)


async def close_node(node: Node) -> None:
    if not node.closed:
        node.closed = True
        await node.store.close()


@pytest.fixture
async def fresh(tmp_path: Path) -> AsyncIterator[Node]:
    node = await open_node(tmp_path / "releve.db")
    yield node
    await close_node(node)


@pytest.fixture
async def node_with_history(fresh: Node) -> Node:
    await fresh.record(HISTORY)
    assert await fresh.verify() == Verification(True, 6)
    return fresh


def tamper(path: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        for sql, params in statements:
            db.execute(sql, params)
        db.commit()


def rows(path: Path) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return list(
            db.execute(
                "SELECT position, at, event, actor, contact_id, message_id, prev_hash, hash"
                " FROM audit ORDER BY position"
            )
        )


# --- writing and checking ----------------------------------------------------------------


async def test_entries_are_chained_sealed_and_reloaded(fresh: Node) -> None:
    assert fresh.audit.head == (0, bytes(32))
    assert await fresh.verify() == Verification(True, 0)
    await fresh.record(HISTORY[:2])
    await fresh.record(HISTORY[2:])  # several entries in one batch: one seal, the newest
    assert await fresh.verify() == Verification(True, 6)
    stored = rows(fresh.path)
    assert [row[0] for row in stored] == [1, 2, 3, 4, 5, 6]
    assert fresh.audit.head == (6, stored[-1][7])
    prev = bytes(32)
    for row in stored:  # the hash is exactly the documented one
        assert row[6] == prev
        assert row[7] == row_hash(row, prev)
        prev = row[7]
    assert stored[1][1:6] == (T0 + 1.5, "sent", "local", CONTACT_A, mid(1))

    # A restart reads the head back and keeps chaining.
    await close_node(fresh)
    again = await open_node(fresh.path)
    try:
        assert again.audit.sealed
        assert again.audit.head == fresh.audit.head
        await again.record([("acknowledged", "contact", CONTACT_A, mid(1))], start=6)
        assert await again.verify() == Verification(True, 7)
    finally:
        await close_node(again)


async def test_time_is_kept_to_the_microsecond(fresh: Node) -> None:
    assert fresh.store.writer is not None
    at = 1_764_400_000.123456789
    await fresh.store.writer.submit(fresh.audit.append("sent", "local", None, mid(1), at))
    assert rows(fresh.path)[0][1] == 1_764_400_000.123457
    (line,) = await fresh.audit.export_lines(fresh.store)
    assert json.loads(line)["at"] == "2025-11-29T07:06:40.123457Z"
    assert await fresh.verify() == Verification(True, 1)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (("deleted", "local", None, None, T0), ValueError),
        (("sent: DUPONT Marie", "local", None, mid(1), T0), ValueError),
        (("sent", "pharmacist", None, mid(1), T0), ValueError),
        (("sent", "local", "DUPONT Marie", mid(1), T0), TypeError),
        (("sent", "local", bytearray(16), mid(1), T0), TypeError),
        (("sent", "local", CONTACT_A, 16, T0), TypeError),
        (("sent", "local", CONTACT_A + b"x", mid(1), T0), ValueError),
        (("sent", "local", CONTACT_A, b"Marie Dupont, diabetic", T0), ValueError),
        (("sent", "local", CONTACT_A, b"", T0), ValueError),
        (("sent", "local", CONTACT_A, mid(1), math.nan), ValueError),
        (("sent", "local", CONTACT_A, mid(1), math.inf), ValueError),
        (("sent", "local", CONTACT_A, mid(1), -1.0), ValueError),
        (("sent", "local", CONTACT_A, mid(1), 1e11), ValueError),
        (("sent", "local", CONTACT_A, mid(1), True), ValueError),
        (("sent", "local", CONTACT_A, mid(1), "2026-01-01"), ValueError),
    ],
)
async def test_nothing_but_known_events_and_ids_goes_in(
    fresh: Node, arguments: tuple[Any, ...], error: type[Exception]
) -> None:
    with pytest.raises(error):
        fresh.audit.append(*arguments)
    assert fresh.audit.head == (0, bytes(32))  # a refused append changes nothing


def test_the_events_are_the_specified_ones() -> None:
    specified = {
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
        "viewed",  # a message shown in full, once a day (issue #16)
        "refused",  # a contact's prescription refused (issue #16)
        "escalated",  # the backup contact told of a waiting urgent message (issue #16)
        "restored",  # this node brought back from a backup (issue #17)
        "renewed",  # a session renewed after a restore (issue #17)
        # a clinic server's people (issue #15)
        "user_added",
        "user_disabled",
        "user_enabled",
        "user_reset",
        "password_set",
        "login",
        "login_failed",
        "unlocked",
        "logout",
        "session_ended",
        "session_refused",
        # a clinic server's mailboxes (issue #15)
        "mailbox_added",
        "mailbox_removed",
        "mailbox_members_changed",
        "mailbox_default_changed",
        "forbidden",
    }
    assert specified == EVENTS


async def test_the_seal_key_must_be_a_real_secret(fresh: Node) -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        await AuditLog.load(fresh.store, b"short")


# --- tampering with the database --------------------------------------------------------


def _set(column: str, value: object, position: int = 3) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        tamper(path, (f"UPDATE audit SET {column} = ? WHERE position = ?", (value, position)))

    return apply


def _rewrite_entry_3(path: Path) -> None:
    """Entry 3 changed and its hash recomputed: entry 4 no longer follows it."""
    row = rows(path)[2]
    changed = (*row[:2], "read", *row[3:])
    tamper(
        path,
        (
            "UPDATE audit SET event = 'read', hash = ? WHERE position = 3",
            (row_hash(changed, row[6]),),
        ),
    )


def _delete_middle(path: Path) -> None:
    tamper(path, ("DELETE FROM audit WHERE position = 3", ()))


def _delete_middle_and_renumber(path: Path) -> None:
    tamper(
        path,
        ("DELETE FROM audit WHERE position = 3", ()),
        ("UPDATE audit SET position = position - 1 WHERE position > 3", ()),
    )


def _delete_last_two(path: Path) -> None:
    tamper(path, ("DELETE FROM audit WHERE position > 4", ()))


def _delete_all(path: Path) -> None:
    tamper(path, ("DELETE FROM audit", ()))


def _swap(first: int, second: int) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        tamper(
            path,
            ("UPDATE audit SET position = -1 WHERE position = ?", (first,)),
            ("UPDATE audit SET position = ? WHERE position = ?", (first, second)),
            ("UPDATE audit SET position = ? WHERE position = -1", (second,)),
        )

    return apply


def _forge(path: Path, position: int, prev: bytes) -> tuple[str, tuple[Any, ...]]:
    at_us = round((T0 + 100) * 1e6)
    forged = documented_hash(prev, position, at_us, "read", "contact", CONTACT_B, mid(9))
    return (
        "INSERT INTO audit (position, at, event, actor, contact_id, message_id, prev_hash, hash)"
        " VALUES (?, ?, 'read', 'contact', ?, ?, ?, ?)",
        (position, at_us / 1e6, CONTACT_B, mid(9), prev, forged),
    )


def _forge_at_the_end(path: Path) -> None:
    tamper(path, _forge(path, 7, rows(path)[-1][7]))


def _forge_in_the_middle(path: Path) -> None:
    prev = rows(path)[1][7]
    tamper(
        path,
        ("UPDATE audit SET position = position + 100 WHERE position >= 3", ()),
        ("UPDATE audit SET position = position - 99 WHERE position > 100", ()),
        _forge(path, 3, prev),
    )


def _rebuild_the_chain(path: Path) -> None:
    """Entry 2 changed and every hash from there recomputed: a consistent chain."""
    stored = rows(path)
    prev = stored[0][7]
    statements: list[tuple[str, tuple[Any, ...]]] = []
    for row in stored[1:]:
        event = "read" if row[0] == 2 else row[2]
        new = row_hash((*row[:2], event, *row[3:]), prev)
        statements.append(
            (
                "UPDATE audit SET event = ?, prev_hash = ?, hash = ? WHERE position = ?",
                (event, prev, new, row[0]),
            )
        )
        prev = new
    tamper(path, *statements)


def _delete_the_seal(path: Path) -> None:
    tamper(path, ("DELETE FROM settings WHERE key = ?", (SEAL_SETTING,)))


def _garble_the_seal(path: Path) -> None:
    tamper(path, ("UPDATE settings SET value = ? WHERE key = ?", (bytes(96), SEAL_SETTING)))


TAMPERING: dict[str, tuple[Callable[[Path], None], int, str]] = {
    "time": (_set("at", T0 + 60), 3, "changed"),
    "event": (_set("event", "read"), 3, "changed"),
    "actor": (_set("actor", "local"), 3, "changed"),
    "contact": (_set("contact_id", CONTACT_B), 3, "changed"),
    "contact removed": (_set("contact_id", None), 3, "changed"),
    "message": (_set("message_id", mid(7)), 3, "changed"),
    "prev_hash": (_set("prev_hash", bytes(32)), 3, "changed"),
    "hash": (_set("hash", bytes(32)), 3, "changed"),
    "first entry": (_set("event", "unpaired", 1), 1, "changed"),
    "last entry": (_set("actor", "contact", 6), 6, "changed"),
    "time as text": (_set("at", "yesterday"), 3, "changed"),
    "id too short": (_set("message_id", bytes(15)), 3, "changed"),
    "id as text": (_set("contact_id", "DUPONT"), 3, "changed"),
    "rewritten with its hash": (_rewrite_entry_3, 3, "changed"),
    "deleted in the middle": (_delete_middle, 3, "missing"),
    "deleted and renumbered": (_delete_middle_and_renumber, 3, "missing"),
    "last entries deleted": (_delete_last_two, 5, "truncated"),
    "every entry deleted": (_delete_all, 1, "truncated"),
    "swapped": (_swap(2, 5), 2, "reordered"),
    "neighbours swapped": (_swap(3, 4), 3, "reordered"),
    "first and last swapped": (_swap(1, 6), 1, "reordered"),
    "forged at the end": (_forge_at_the_end, 7, "seal"),
    "forged in the middle": (_forge_in_the_middle, 3, "changed"),
    "chain rebuilt without the key": (_rebuild_the_chain, 6, "seal"),
    "seal deleted": (_delete_the_seal, 6, "seal"),
    "seal garbled": (_garble_the_seal, 6, "seal"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
async def test_tampering_is_found_and_named(node_with_history: Node, case: str) -> None:
    node = node_with_history
    change, position, reason = TAMPERING[case]
    change(node.path)
    result = await node.verify()
    assert not result.ok
    assert (result.position, result.reason) == (position, reason)
    assert result.entries == len(rows(node.path))
    assert result.as_json() == {
        "ok": False,
        "entries": result.entries,
        "problem": {"position": position, "reason": reason},
    }


@pytest.mark.parametrize(
    "case", ["last entries deleted", "forged at the end", "chain rebuilt without the key"]
)
async def test_the_evidence_survives_a_restart_and_new_entries(
    node_with_history: Node, case: str
) -> None:
    node = node_with_history
    TAMPERING[case][0](node.path)
    await close_node(node)
    again = await open_node(node.path)
    try:
        assert not again.audit.sealed  # the seal no longer matches: it is never rewritten
        start = len(rows(node.path))
        await again.record(HISTORY[:4], start=start)
        result = await again.verify()
        assert not result.ok
        assert result.reason in ("truncated", "seal")
        # The new entries are still chained onto the table's last entry.
        stored = rows(node.path)
        assert stored[-1][6] == stored[-2][7]
        assert stored[-1][7] == row_hash(stored[-1], stored[-2][7])
    finally:
        await close_node(again)


async def test_a_wrong_seal_key_is_detected(node_with_history: Node) -> None:
    await close_node(node_with_history)
    other = await open_node(node_with_history.path, OTHER_SECRET)
    try:
        assert not other.audit.sealed
        assert await other.verify() == Verification(False, 6, 6, "seal")
    finally:
        await close_node(other)


# --- failed commits ---------------------------------------------------------------------------


async def test_a_failed_commit_rolls_the_head_back(node_with_history: Node) -> None:
    node = node_with_history
    assert node.store.writer is not None
    statements = node.audit.append("read", "contact", CONTACT_A, mid(1), T0 + 20)
    # The event's own statement fails: nothing of the batch is written.
    statements.append(Statement("INSERT INTO settings (key, value) VALUES ('x', NULL)", ()))
    future = node.store.writer.submit(statements)
    node.audit.submitted(future)
    with pytest.raises(sqlite3.IntegrityError):
        await future
    assert node.failures == [True]
    assert node.audit.head == (
        6,
        rows(node.path)[-1][7],
    )  # back at once: nothing to wait for
    await node.record([("read", "contact", CONTACT_A, mid(1))], start=7)
    assert await node.verify() == Verification(True, 7)


async def test_failures_in_a_row_leave_one_consistent_head(node_with_history: Node) -> None:
    node = node_with_history
    node.audit.append("read", "local", CONTACT_B, mid(2), T0 + 20)  # never committed
    node.audit.rewind()
    node.audit.rewind()  # a second failure right after the first
    assert node.audit.head == (6, rows(node.path)[-1][7])
    assert node.audit.sealed
    await node.record(HISTORY[:2], start=6)
    assert await node.verify() == Verification(True, 8)


async def test_an_entry_committed_before_its_predecessor_fails_its_batch(fresh: Node) -> None:
    assert fresh.store.writer is not None
    fresh.audit.append(*HISTORY[0], T0)
    second = fresh.audit.append(*HISTORY[1], T0 + 1)
    with pytest.raises(sqlite3.IntegrityError):
        await fresh.store.writer.submit(second)  # the first was never submitted
    assert rows(fresh.path) == []
    assert fresh.failures == [True]  # the writer's on_failure rewound the head
    assert fresh.audit.head == (0, bytes(32))
    await fresh.record(HISTORY)
    assert await fresh.verify() == Verification(True, 6)


async def test_checking_while_entries_are_committed_raises_no_false_alarm(
    fresh: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        node.storage.audit, "PAGE_SIZE", 7
    )  # many pages, so commits land between them
    done = asyncio.Event()

    async def keep_appending() -> None:
        for batch in range(60):
            await fresh.record(HISTORY[: 1 + batch % 3], start=batch * 3)
            await asyncio.sleep(0)
        done.set()

    writer = asyncio.create_task(keep_appending())
    checks = 0
    async with asyncio.timeout(30):
        while not done.is_set():
            result = await fresh.verify()
            assert result.ok, result
            checks += 1
        await writer
    assert checks >= 2
    assert await fresh.verify() == Verification(True, len(rows(fresh.path)))


# --- exports --------------------------------------------------------------------------------


async def export_file(node: Node, tmp_path: Path) -> list[str]:
    lines = await node.audit.export_lines(node.store)
    streamed = [line async for line in node.audit.iter_export_lines(node.store)]
    assert streamed == lines
    file = tmp_path / "audit.ndjson"
    file.write_text("".join(line + "\n" for line in lines))
    return file.read_text().splitlines()


async def test_an_export_holds_ids_only_and_checks_without_the_key(
    node_with_history: Node, tmp_path: Path
) -> None:
    lines = await export_file(node_with_history, tmp_path)
    assert len(lines) == 6
    items = [json.loads(line) for line in lines]
    assert items[1] == {
        "position": 2,
        "at": "2025-11-29T07:06:41.750000Z",
        "event": "sent",
        "actor": "local",
        "contact": CONTACT_A.hex(),
        "message": mid(1).hex(),
        "prev_hash": items[0]["hash"],
        "hash": rows(node_with_history.path)[1][7].hex(),
    }
    assert items[0]["message"] is None
    assert items[5]["contact"] is None
    assert items[0]["prev_hash"] == "00" * 32
    assert datetime.fromisoformat(items[0]["at"]) == datetime.fromtimestamp(T0, UTC)
    assert verify_lines(lines) == Verification(True, 6)
    head = node_with_history.audit.head
    assert verify_lines(lines, head) == Verification(True, 6)
    assert verify_lines([*lines, "", "  "]) == Verification(True, 6)
    assert verify_lines([]) == Verification(True, 0)


def _edit(index: int, key: str, value: object) -> Callable[[list[str]], list[str]]:
    def apply(lines: list[str]) -> list[str]:
        item = json.loads(lines[index])
        item[key] = value
        return [*lines[:index], json.dumps(item), *lines[index + 1 :]]

    return apply


def _swap_lines(lines: list[str]) -> list[str]:
    return [lines[0], lines[4], lines[2], lines[3], lines[1], lines[5]]


def _swap_positions(lines: list[str]) -> list[str]:
    second, fifth = json.loads(lines[1]), json.loads(lines[4])
    second["position"], fifth["position"] = 5, 2
    return [lines[0], json.dumps(fifth), *lines[2:4], json.dumps(second), lines[5]]


def _drop(index: int) -> Callable[[list[str]], list[str]]:
    return lambda lines: [*lines[:index], *lines[index + 1 :]]


LINE_TAMPERING: dict[str, tuple[Callable[[list[str]], list[str]], int, str]] = {
    "event": (_edit(2, "event", "read"), 3, "changed"),
    "time": (_edit(2, "at", "2025-11-29T07:06:43.000001Z"), 3, "changed"),
    "time without zone": (_edit(2, "at", "2025-11-29T07:06:43"), 3, "changed"),
    "contact": (_edit(2, "contact", CONTACT_B.hex()), 3, "changed"),
    "message removed": (_edit(2, "message", None), 3, "changed"),
    "hash": (_edit(2, "hash", "ab" * 32), 3, "changed"),
    "position as text": (_edit(2, "position", "3"), 3, "changed"),
    "extra field": (_edit(2, "note", "DUPONT Marie"), 3, "changed"),
    "not json": (lambda lines: [*lines[:2], "{not json", *lines[3:]], 3, "changed"),
    "line deleted": (_drop(2), 3, "missing"),
    "lines swapped": (_swap_lines, 2, "reordered"),
    "positions swapped": (_swap_positions, 2, "reordered"),
    "line repeated": (lambda lines: [*lines[:3], lines[2], *lines[3:]], 4, "reordered"),
}


@pytest.mark.parametrize("case", list(LINE_TAMPERING))
async def test_a_tampered_export_is_found(
    node_with_history: Node, tmp_path: Path, case: str
) -> None:
    lines = await export_file(node_with_history, tmp_path)
    change, position, reason = LINE_TAMPERING[case]
    result = verify_lines(change(lines))
    assert (result.ok, result.position, result.reason) == (False, position, reason)


async def test_a_shortened_export_needs_the_noted_head(
    node_with_history: Node, tmp_path: Path
) -> None:
    lines = await export_file(node_with_history, tmp_path)
    head = node_with_history.audit.head
    # Without the head, a file cut at an entry boundary is a valid (shorter) chain.
    assert verify_lines(lines[:4]) == Verification(True, 4)
    assert verify_lines(lines[:4], head) == Verification(False, 4, 5, "truncated")
    assert verify_lines(lines, (6, bytes(32))) == Verification(False, 6, 6, "changed")


# --- properties of the pure check ----------------------------------------------------------

ids = st.none() | st.binary(min_size=16, max_size=16)
entries = st.lists(
    st.tuples(
        st.sampled_from(sorted(EVENTS)),
        st.sampled_from(["local", "contact"]),
        ids,
        ids,
        st.integers(min_value=0, max_value=5_000_000),
    ),
    min_size=1,
    max_size=12,
)


def documented_lines(chain: list[tuple[str, str, bytes | None, bytes | None, int]]) -> list[str]:
    lines, prev, at_us = [], bytes(32), 1_700_000_000_000_000
    for position, (event, actor, contact, message, step) in enumerate(chain, 1):
        at_us += step
        entry = documented_hash(prev, position, at_us, event, actor, contact, message)
        moment = datetime.fromtimestamp(at_us // 10**6, UTC).replace(microsecond=at_us % 10**6)
        item = {
            "position": position,
            "at": moment.isoformat().replace("+00:00", "Z"),
            "event": event,
            "actor": actor,
            "contact": contact and contact.hex(),
            "message": message and message.hex(),
            "prev_hash": prev.hex(),
            "hash": entry.hex(),
        }
        lines.append(json.dumps(item))
        prev = entry
    return lines


@settings(max_examples=60, deadline=None)
@given(entries, st.data())
def test_any_single_change_to_an_exported_entry_is_found(
    chain: list[tuple[str, str, bytes | None, bytes | None, int]], data: st.DataObject
) -> None:
    lines = documented_lines(chain)
    assert verify_lines(lines) == Verification(True, len(lines))
    index = data.draw(st.integers(0, len(lines) - 1))
    item = json.loads(lines[index])
    key = data.draw(st.sampled_from(["at", "event", "actor", "contact", "message", "hash"]))
    if key == "at":
        item["at"] = item["at"].replace("Z", "+01:00")  # another instant
    elif key == "event":
        item["event"] = data.draw(st.sampled_from(sorted(EVENTS - {item["event"]})))
    elif key == "actor":
        item["actor"] = "local" if item["actor"] == "contact" else "contact"
    elif key in ("contact", "message"):
        replacement = data.draw(ids.filter(lambda v: (v and v.hex()) != item[key]))
        item[key] = replacement and replacement.hex()
    else:
        item["hash"] = data.draw(st.binary(min_size=32, max_size=32)).hex()
        if item["hash"] == json.loads(lines[index])["hash"]:
            return
    tampered = [*lines[:index], json.dumps(item), *lines[index + 1 :]]
    result = verify_lines(tampered)
    assert not result.ok
    assert result.position is not None
    assert result.position <= index + 1
