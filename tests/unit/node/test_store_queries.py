"""Reading does not get slower as the store grows: listings walk an index on when a message is
listed (keyset pages, newest first), and the counts in ``status`` read partial indexes that hold
only unread, failed or urgent messages. Checked on SQLite's own query plans, so it does not
depend on the machine's speed."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import nacl.utils
import pytest

from node.core.ports import MessageQuery
from node.core.records import ContactRow, MessageRow
from node.paths import HomeLayout
from node.protocol import ContactCard, Identity, Profile, Reachability, Role, system_random
from node.protocol.kinds import PayloadKind
from node.protocol.session import Session
from node.storage.keystore import FieldCipher
from node.storage.store import Store

NOW = 1_800_000_000.0


async def _store_with_messages(root: Path, count: int) -> tuple[Store, bytes]:
    store = await Store.open(HomeLayout(root), FieldCipher(nacl.utils.random(32)))
    await store.start()
    peer = Identity.generate(system_random).public
    card = ContactCard(Profile("Pharmacie", Role.PHARMACIST), Reachability())
    session = Session.__new__(Session)  # never read by these queries
    changes: list[Any] = []
    for index in range(count):
        row = MessageRow(
            message_id=index.to_bytes(16, "big"),
            contact_id=peer.node_id,
            direction="in" if index % 2 else "out",
            seq=index,
            kind=int(PayloadKind.TEXT),
            body=b"\x00\x00hello",
            sent_at_ms=int((NOW + index) * 1000),
            received_at=NOW + index if index % 2 else None,
            status="received" if index % 2 else "delivered",
            delivered_at=None,
            read_at=None,
        )
        changes.append(store.insert_message(row))
    contact = ContactRow(peer.node_id, peer, card, NOW, True, count)
    await store.writer.submit(  # type: ignore[union-attr]
        [_insert_contact(store, contact, session), *changes]
    )
    return store, peer.node_id


def _insert_contact(store: Store, contact: ContactRow, session: Session) -> Any:
    from node.storage.batch_writer import Statement

    return Statement(
        "INSERT INTO contacts (contact_id, public_keys, card, session, paired_at, verified,"
        " recv_mark) VALUES (?, ?, ?, x'00', ?, 1, ?)",
        (
            contact.contact_id,
            contact.public.keys,
            store.cipher.encrypt(contact.card.encode(), b"card:" + contact.contact_id),
            contact.paired_at,
            contact.recv_mark,
        ),
    )


class _Recorder:
    def __init__(self) -> None:
        self.queries: list[tuple[str, tuple[Any, ...]]] = []


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> _Recorder:
    """Every read the store makes, as SQL and parameters."""
    recorder = _Recorder()
    original_all, original_one = Store._all, Store._one

    async def all_rows(self: Store, sql: str, params: tuple[Any, ...] = ()) -> Any:
        recorder.queries.append((sql, params))
        return await original_all(self, sql, params)

    async def one_row(self: Store, sql: str, params: tuple[Any, ...] = ()) -> Any:
        recorder.queries.append((sql, params))
        return await original_one(self, sql, params)

    monkeypatch.setattr(Store, "_all", all_rows)
    monkeypatch.setattr(Store, "_one", one_row)
    return recorder


def _plan(database: Path, sql: str, params: tuple[Any, ...]) -> list[str]:
    with sqlite3.connect(database) as db:
        return [str(row[3]) for row in db.execute("EXPLAIN QUERY PLAN " + sql, params)]


def _full_scans(plan: list[str]) -> list[str]:
    """Steps that read a whole table or sort what they read: what makes a query slower as
    the store grows (an ordered walk down an index, stopped by LIMIT, is fine)."""
    return [
        step
        for step in plan
        if "TEMP B-TREE" in step
        or (step.startswith("SCAN") and "INDEX" not in step and not step.startswith("SCAN c"))
    ]


async def test_listings_and_status_counts_use_indexes(tmp_path: Path, recorded: _Recorder) -> None:
    store, contact_id = await _store_with_messages(tmp_path, 200)
    try:
        hold = NOW
        queries = {
            "listing": store.shown(MessageQuery(limit=50), hold),
            "listing of one contact": store.shown(MessageQuery(contact_id=contact_id), hold),
            "unread listing": store.shown(MessageQuery(unread=True), hold),
            "next page": store.shown(MessageQuery(before=(NOW + 100, b"\x00" * 16)), hold),
            "unread count": store.unread_count(hold),
            "failed count": store.failed_count(),
            "urgent": store.urgent_unacknowledged("in", hold, 100),
        }
        for name, query in queries.items():
            recorded.queries.clear()
            await query
            assert recorded.queries, name
            for sql, params in recorded.queries:
                plan = _plan(HomeLayout(tmp_path).database, sql, params)
                assert _full_scans(plan) == [], (name, plan)
    finally:
        await store.close()


async def test_pages_follow_each_other_without_gaps_or_repeats(tmp_path: Path) -> None:
    store, _ = await _store_with_messages(tmp_path, 120)
    try:
        seen: list[bytes] = []
        before = None
        while True:
            page = await store.shown(MessageQuery(limit=25, before=before), NOW + 1000)
            if not page:
                break
            seen += [row.message_id for row in page]
            oldest = min(page, key=lambda row: (row.listed_at, row.message_id))
            before = (oldest.listed_at, oldest.message_id)
        assert sorted(seen) == [index.to_bytes(16, "big") for index in range(120)]
        assert len(set(seen)) == 120
    finally:
        await store.close()
