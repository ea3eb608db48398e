"""Numbered SQL migrations; the schema version is SQLite's ``user_version``.

A database newer than this code is refused rather than half-understood.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Final

import aiosqlite

from node.core.errors import StoreError

MIGRATIONS: Final[tuple[str, ...]] = (
    # 1: contacts, sessions, invitations, messages, outbox, settings
    """
    CREATE TABLE contacts (
        contact_id  BLOB PRIMARY KEY,          -- the contact's node id (16 bytes)
        public_keys BLOB NOT NULL,             -- Ed25519 || X25519 public keys
        card        BLOB NOT NULL,             -- encrypted contact card (name, role, addresses)
        session     BLOB NOT NULL,             -- encrypted ratchet session
        paired_at   REAL NOT NULL,
        verified    INTEGER NOT NULL DEFAULT 0,
        recv_mark   INTEGER NOT NULL DEFAULT 0 -- every payload with seq < recv_mark arrived
    );
    CREATE TABLE invitations (
        tag         BLOB PRIMARY KEY,
        pending     BLOB,                      -- encrypted private half; NULL once used
        expires_at  INTEGER NOT NULL,
        used_at     REAL,
        used_by     BLOB,                      -- contact id of the acceptor
        answer_hash BLOB                       -- to recognise a retransmitted answer
    );
    CREATE TABLE messages (
        message_id  BLOB PRIMARY KEY,
        contact_id  BLOB NOT NULL REFERENCES contacts(contact_id),
        direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        seq         INTEGER NOT NULL,
        kind        INTEGER NOT NULL,
        body        BLOB NOT NULL,             -- encrypted payload body
        sent_at_ms  INTEGER NOT NULL,
        received_at REAL,
        ratchet_pos BLOB,                      -- incoming: header key || n, to re-send receipts
        -- status, out: queued/delivered/read/failed; in: received/read
        status      TEXT NOT NULL,
        delivered_at REAL,
        read_at     REAL
    );
    CREATE INDEX messages_by_contact ON messages (contact_id, direction, seq);
    CREATE UNIQUE INDEX messages_by_ratchet_pos ON messages (contact_id, ratchet_pos)
        WHERE ratchet_pos IS NOT NULL;
    CREATE INDEX messages_unread ON messages (direction, status);
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        contact_id      BLOB NOT NULL,
        message_id      BLOB,                  -- awaiting this payload's delivery receipt
        packet          BLOB NOT NULL,         -- sealed: safe at rest
        created_at      REAL NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        acked_at        REAL                   -- the peer's node committed it
    );
    CREATE INDEX outbox_by_contact ON outbox (contact_id, id);
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL                    -- encrypted
    );
    CREATE INDEX outbox_by_message ON outbox (message_id);
    """,
    # 2: trust: contact state, verification after a key change, signed notices
    """
    ALTER TABLE contacts ADD COLUMN state TEXT NOT NULL DEFAULT 'active';
        -- active | unpaired (by us) | unpaired_by_peer | revoked (by us) | revoked_by_peer
    ALTER TABLE contacts ADD COLUMN successor BLOB;   -- keys the peer announced on revoking
    ALTER TABLE contacts ADD COLUMN predecessor BLOB; -- the revoked contact this one replaces
    """,
    # 3: clinical messages: priority and threads, acknowledgements, attachments, audit trail
    """
    ALTER TABLE messages ADD COLUMN priority INTEGER NOT NULL DEFAULT 0; -- 1: urgent
    ALTER TABLE messages ADD COLUMN reply_to BLOB;        -- the message this one answers
    ALTER TABLE messages ADD COLUMN acknowledged_at REAL; -- a person acknowledged it (urgent)
    ALTER TABLE messages ADD COLUMN parent BLOB;          -- chunk: its attachment's message id
    ALTER TABLE messages ADD COLUMN part INTEGER;         -- chunk: its index in the file
    ALTER TABLE messages ADD COLUMN parts INTEGER;        -- attachment: how many chunks
    ALTER TABLE messages ADD COLUMN complete_at REAL;     -- incoming file: all in, hash checked
    ALTER TABLE messages ADD COLUMN corrupt INTEGER NOT NULL DEFAULT 0; -- hash did not match
    CREATE UNIQUE INDEX messages_by_part ON messages (contact_id, direction, parent, part)
        WHERE parent IS NOT NULL;
    CREATE TABLE audit (
        position   INTEGER PRIMARY KEY,      -- 1, 2, 3, ... no gaps
        at         REAL NOT NULL,            -- unix time
        event      TEXT NOT NULL,            -- paired, sent, delivered, read, acknowledged, ...
        actor      TEXT NOT NULL,            -- 'local' (this node's user) or 'contact'
        contact_id BLOB,
        message_id BLOB,
        prev_hash  BLOB NOT NULL,
        hash       BLOB NOT NULL
    );
    """,
    # 4: listings and counts served by indexes: when a message is listed (received, else
    # sent) becomes a column; partial indexes hold the few unread, failed and urgent ones.
    """
    ALTER TABLE messages ADD COLUMN listed_at REAL;
    UPDATE messages SET listed_at = COALESCE(received_at, sent_at_ms / 1000.0);
    CREATE INDEX messages_listed ON messages (listed_at, message_id);
    CREATE INDEX messages_listed_by_contact ON messages (contact_id, listed_at, message_id);
    CREATE INDEX messages_listed_unread ON messages (listed_at, message_id)
        WHERE direction = 'in' AND status = 'received';
    CREATE INDEX messages_failed ON messages (contact_id)
        WHERE direction = 'out' AND status = 'failed';
    CREATE INDEX messages_urgent ON messages (listed_at, message_id)
        WHERE priority = 1 AND acknowledged_at IS NULL;
    DROP INDEX messages_unread;
    """,
    # 5: the answers to a message (a prescription's cancellation, amendment, dispensing).
    """
    CREATE INDEX messages_replies ON messages (reply_to, contact_id) WHERE reply_to IS NOT NULL;
    """,
    # 6: the audit entries about a message ("viewed" at most once a day, docs/audit.md).
    """
    CREATE INDEX audit_by_message ON audit (message_id, event, at) WHERE message_id IS NOT NULL;
    """,
    # 7: the people of a clinic server (node.core.accounts); the account an audit entry is
    # about (a user added, disabled, reset; a login), whoever did it (docs/audit.md).
    """
    CREATE TABLE accounts (
        account_id TEXT PRIMARY KEY,            -- random, opaque (32 hex digits)
        record     BLOB NOT NULL,               -- encrypted: name, role, RPPS, password hash
        created_at REAL NOT NULL
    );
    ALTER TABLE audit ADD COLUMN subject TEXT;  -- an account id, or NULL
    CREATE INDEX audit_by_actor ON audit (actor, position);
    """,
    # 8: a clinic server's mailboxes (node.core.mailboxes): the mailboxes, the one a message
    # belongs to, who read or acknowledged it, and the mailboxes a contact told us (§9.6).
    """
    CREATE TABLE mailboxes (
        mailbox_id BLOB PRIMARY KEY,            -- 8 random bytes
        record     BLOB NOT NULL                -- encrypted: name, kind, members, public, default
    );
    ALTER TABLE messages ADD COLUMN mailbox BLOB;  -- theirs: filed in; ours: sent from
    CREATE INDEX messages_listed_by_mailbox ON messages (mailbox, listed_at, message_id)
        WHERE mailbox IS NOT NULL;
    CREATE TABLE message_marks (
        message_id BLOB NOT NULL,
        account_id TEXT NOT NULL,
        event      TEXT NOT NULL CHECK (event IN ('read', 'acknowledged')),
        at         REAL NOT NULL,
        PRIMARY KEY (message_id, account_id, event)
    );
    ALTER TABLE contacts ADD COLUMN mailboxes BLOB; -- encrypted; NULL: never told
    """,
)

SCHEMA_VERSION: Final = len(MIGRATIONS)


# A step in Python that runs inside a migration's transaction, after its SQL (for changes to
# encrypted columns, which SQL cannot read).
DataStep = Callable[[aiosqlite.Connection], Awaitable[None]]


async def migrate(db: aiosqlite.Connection, data_steps: Mapping[int, DataStep] = {}) -> int:
    """Brings the schema up to date; returns the version it found."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    found = int(row[0]) if row else 0
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the database (schema {found}) is newer than this Relève (schema {SCHEMA_VERSION});"
            " install the newer version",
            "database_too_new",
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        await db.executescript(f"BEGIN;\n{MIGRATIONS[version - 1]}")
        step = data_steps.get(version)
        if step is not None:
            await step(db)
        # execute(), not executescript(), which would commit the open transaction first.
        await db.execute(f"PRAGMA user_version = {version}")
        await db.execute("COMMIT")
    return found
