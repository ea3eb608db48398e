"""Schema migrations keep what an older database holds (node/storage/migrations.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import nacl.utils

from node.paths import HomeLayout
from node.protocol import PayloadKind
from node.protocol.conversation import Meta, TextContent, decode_conversation
from node.protocol.wire import Writer
from node.storage.keystore import FieldCipher
from node.storage.migrations import MIGRATIONS, SCHEMA_VERSION
from node.storage.store import Store, label


def test_the_legacy_text_prefix_is_an_encoded_default_meta() -> None:
    writer = Writer()
    Meta().encode_into(writer)
    assert writer.getvalue() == b"\x00\x00"


async def test_text_bodies_of_a_schema_2_database_are_readable_after_migration(
    tmp_path: Path,
) -> None:
    layout = HomeLayout(tmp_path)
    cipher = FieldCipher(nacl.utils.random(32))
    message_id, contact_id = b"\x01" * 16, b"\x02" * 16
    with sqlite3.connect(layout.database) as db:
        for script in MIGRATIONS[:2]:
            db.executescript(script)
        db.execute("PRAGMA user_version = 2")
        body = cipher.encrypt("Bonjour, écrit avant".encode(), label("message", message_id))
        db.execute(
            "INSERT INTO messages (message_id, contact_id, direction, seq, kind, body,"
            " sent_at_ms, status) VALUES (?, ?, 'in', 0, 1, ?, 0, 'received')",
            (message_id, contact_id, body),
        )
    store = await Store.open(layout, cipher)
    try:
        row = await store.message(message_id)
        assert row is not None
        meta, content = decode_conversation(PayloadKind.TEXT, row.body)
        assert (meta, content) == (Meta(), TextContent("Bonjour, écrit avant"))
    finally:
        await store.close()
    with sqlite3.connect(layout.database) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
