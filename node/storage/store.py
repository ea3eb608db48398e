"""The node's SQLite database (aiosqlite): connections, reads, and the statements that the
service hands to the :class:`~node.storage.batch_writer.BatchWriter`.

Secret columns (sessions, contact cards, message bodies, pending invitations, settings) are
encrypted with the data key through :class:`~node.storage.keystore.FieldCipher`, each bound to its
row by a label.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Final

import aiosqlite

from node.core.accounts import AccountEvent, Action, actor_for
from node.core.errors import StoreError
from node.core.ports import AuditEvent, Change, MessageQuery
from node.core.records import (
    CONVERSATION_KIND_CODES,
    ContactRow,
    InvitationRow,
    Mailbox,
    MessageRow,
    OutboxRow,
    Verification,
)
from node.paths import HomeLayout
from node.protocol import ContactCard, PayloadKind, PendingInvitation, PublicIdentity, Session
from node.protocol.conversation import Priority
from node.protocol.mailbox import Mailboxes
from node.storage.audit import AuditLog
from node.storage.batch_writer import BatchWriter, Overwrite, Statement
from node.storage.keystore import FieldCipher
from node.storage.migrations import migrate

_BUSY_TIMEOUT_MS: Final = 10_000
_LEGACY_TEXT_META: Final = b"\x00\x00"  # Meta(): normal priority, no reply (§18)
_AUDIT_KEY_PURPOSE: Final = b"releve audit"


def _statement(change: Change) -> Statement:
    if not isinstance(change, Statement):  # the core hands back only what we made
        raise TypeError(f"not a change made by this store: {change!r}")
    return change


def label(kind: str, key: bytes) -> bytes:
    return kind.encode() + b":" + key


async def _text_bodies_gain_meta(cipher: FieldCipher, db: aiosqlite.Connection) -> None:
    """Migration 3: a stored text body becomes meta (normal priority, no reply) + text, the
    TEXT layout of docs/protocol.md §18 (before it, the body was the text alone)."""
    async with db.execute("SELECT message_id, body FROM messages WHERE kind = 1") as cursor:
        rows = [(bytes(r[0]), bytes(r[1])) for r in await cursor.fetchall()]
    for message_id, sealed in rows:
        text = cipher.decrypt(sealed, label("message", message_id))
        body = cipher.encrypt(_LEGACY_TEXT_META + text, label("message", message_id))
        await db.execute("UPDATE messages SET body = ? WHERE message_id = ?", (body, message_id))


_CONTACT_COLUMNS: Final = (
    "contact_id, public_keys, card, paired_at, verified, recv_mark, state, successor, predecessor,"
    " mailboxes"
)
_MESSAGE_COLUMNS: Final = (
    "message_id, contact_id, direction, seq, kind, body, sent_at_ms, received_at, status,"
    " delivered_at, read_at, priority, reply_to, acknowledged_at, parent, part, parts,"
    " complete_at, corrupt, mailbox"
)
_PREFIXED_COLUMNS: Final = ", ".join(f"m.{c.strip()}" for c in _MESSAGE_COLUMNS.split(","))
_AUDIT_COLUMNS: Final = (
    "position, at, event, actor, contact_id, message_id, prev_hash, hash, subject"
)
_RECEIPT_COLUMNS: Final = frozenset({"delivered_at", "read_at", "acknowledged_at"})
# Fixed clauses over ``messages m JOIN contacts c`` (never built from input).
_CONVERSATION: Final = "m.kind IN ({})".format(",".join(map(str, CONVERSATION_KIND_CODES)))
_UNREAD: Final = "m.direction = 'in' AND m.status = 'received'"
_URGENT_UNACKNOWLEDGED: Final = f"m.priority = {int(Priority.URGENT)} AND m.acknowledged_at IS NULL"
# Received messages are shown in the sender's order: one that came after a gap waits for the
# missing ones, until ``hold_since`` (docs/protocol.md §11).
_SHOWN: Final = "(m.direction = 'out' OR m.seq < c.recv_mark OR m.received_at < ?)"


def _mailbox_clause(mailboxes: tuple[bytes | None, ...]) -> str:
    """``m.mailbox`` among ``mailboxes`` (placeholders only; None: of no mailbox)."""
    named = sum(1 for m in mailboxes if m is not None)
    parts = [f"m.mailbox IN ({', '.join('?' * named)})"] if named else []
    if None in mailboxes:
        parts.append("m.mailbox IS NULL")
    return "(" + (" OR ".join(parts) or "0") + ")"


class Store:
    """The node's repository (node.core.ports.Repository). Two connections: one for the
    writer thread (WAL, synchronous=FULL), one for reads. The audit log rides along: its
    entries are committed in the same batch as the changes they record."""

    def __init__(self, path: Path, reader_db: aiosqlite.Connection, cipher: FieldCipher) -> None:
        self._path = path
        self._db = reader_db
        self.cipher = cipher
        self.writer: BatchWriter | None = None
        self._audit: AuditLog | None = None
        self._failure_listeners: list[Callable[[], None]] = []

    @classmethod
    async def open(cls, layout: HomeLayout, cipher: FieldCipher) -> Store:
        """Opens (creating or migrating) the database, for reading; :meth:`start` makes it
        writable."""
        try:
            async with aiosqlite.connect(layout.database, isolation_level=None) as db:
                await db.execute("PRAGMA journal_mode=WAL")
                await db.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
                await migrate(db, {3: partial(_text_bodies_gain_meta, cipher)})
            reader_db = await aiosqlite.connect(layout.database, isolation_level=None)
            await reader_db.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"the database cannot be opened: {exc}", "database_error") from None
        layout.database.chmod(0o600)
        return cls(layout.database, reader_db, cipher)

    async def start(self) -> None:
        """Starts the writer and loads the audit log's head."""
        await self.start_writer(self._failed)
        self._audit = await AuditLog.load(self, self.cipher.subkey(_AUDIT_KEY_PURPOSE))

    async def start_writer(self, on_failure: Callable[[], None]) -> BatchWriter:
        self.writer = BatchWriter(self._path, on_failure)
        await self.writer.start()
        return self.writer

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            raise RuntimeError("the store is not started")
        return self._audit

    def on_failure(self, listener: Callable[[], None]) -> None:
        self._failure_listeners.append(listener)

    def _failed(self) -> None:
        # The failed batch and every one queued behind it were not written (batch_writer):
        # the audit log goes back to the head of the last batch that was.
        if self._audit is not None:
            self._audit.rewind()
        for listener in self._failure_listeners:
            listener()

    def submit(
        self, changes: Sequence[Change], events: Iterable[AuditEvent], now: float
    ) -> asyncio.Future[None]:
        """Queues one batch with its audit entries. Synchronous, so that the log's chain is
        committed in the order it was built."""
        if self.writer is None:
            raise RuntimeError("the store is not started")
        statements = [_statement(change) for change in changes]
        appended = False
        for event, actor, contact_id, message_id in events:
            # On a clinic server, what the node's user did names the person logged in.
            actor = actor_for(actor)
            statements += self.audit.append(event, actor, contact_id, message_id, now)
            appended = True
        future = self.writer.submit(statements)
        if appended:
            self.audit.submitted(future)
        return future

    def submit_account(
        self, changes: Sequence[Change], events: Iterable[AccountEvent], now: float
    ) -> asyncio.Future[None]:
        """:meth:`submit` for node.core.accounts: each entry names the account it is about."""
        if self.writer is None:
            raise RuntimeError("the store is not started")
        statements = [_statement(change) for change in changes]
        appended = False
        for event, actor, subject in events:
            statements += self.audit.append(event, actor, None, None, now, subject)
            appended = True
        future = self.writer.submit(statements)
        if appended:
            self.audit.submitted(future)
        return future

    async def verify_audit(self) -> Verification:
        return await self.audit.verify(self)

    def audit_lines(self) -> AsyncIterator[str]:
        return self.audit.iter_export_lines(self)

    async def close(self) -> None:
        if self.writer is not None:
            await self.writer.close()
        await self._db.close()

    async def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        async with self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        async with self._db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    # --- settings ------------------------------------------------------------------

    async def get_setting(self, key: str) -> bytes | None:
        row = await self._one("SELECT value FROM settings WHERE key = ?", (key,))
        return None if row is None else self.cipher.decrypt(row[0], label("setting", key.encode()))

    def put_setting(self, key: str, value: bytes) -> Statement:
        encrypted = self.cipher.encrypt(value, label("setting", key.encode()))
        return Statement(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, encrypted)
        )

    # --- accounts (node.core.accounts) ---------------------------------------------

    async def account_records(self) -> list[tuple[str, bytes, float]]:
        rows = await self._all("SELECT account_id, record, created_at FROM accounts")
        return [
            (str(r[0]), self.cipher.decrypt(r[1], label("account", str(r[0]).encode())), r[2])
            for r in rows
        ]

    def put_account(self, account_id: str, record: bytes, created_at: float) -> Statement:
        sealed = self.cipher.encrypt(record, label("account", account_id.encode()))
        return Statement(
            "INSERT OR REPLACE INTO accounts (account_id, record, created_at) VALUES (?, ?, ?)",
            (account_id, sealed, created_at),
        )

    # --- contacts --------------------------------------------------------------------

    async def contacts(self) -> list[ContactRow]:
        rows = await self._all(
            f"SELECT {_CONTACT_COLUMNS} FROM contacts"  # noqa: S608
        )
        return [self._contact(row) for row in rows]

    async def contact(self, contact_id: bytes) -> ContactRow | None:
        row = await self._one(
            f"SELECT {_CONTACT_COLUMNS} FROM contacts WHERE contact_id = ?",  # noqa: S608
            (contact_id,),
        )
        return None if row is None else self._contact(row)

    def _contact(self, row: Any) -> ContactRow:
        contact_id, keys = bytes(row[0]), bytes(row[1])
        card = ContactCard.decode(self.cipher.decrypt(row[2], label("card", contact_id)))
        public = PublicIdentity(keys[:32], keys[32:])
        successor = None if row[7] is None else bytes(row[7])
        predecessor = None if row[8] is None else bytes(row[8])
        mailboxes = None
        if row[9] is not None:
            told = self.cipher.decrypt(row[9], label("mailboxes", contact_id))
            mailboxes = Mailboxes.decode(told)
        return ContactRow(
            contact_id,
            public,
            card,
            row[3],
            bool(row[4]),
            int(row[5]),
            row[6],
            successor,
            predecessor,
            mailboxes,
        )

    async def session(self, contact_id: bytes) -> Session:
        row = await self._one("SELECT session FROM contacts WHERE contact_id = ?", (contact_id,))
        if row is None:
            raise StoreError("no such contact", "contact_not_found")
        return Session.decode(self.cipher.decrypt(row[0], label("session", contact_id)))

    async def seqs_from(self, contact_id: bytes, mark: int) -> set[int]:
        rows = await self._all(
            "SELECT seq FROM messages WHERE contact_id = ? AND direction = 'in' AND seq >= ?",
            (contact_id, mark),
        )
        return {int(row[0]) for row in rows}

    def insert_contact(
        self,
        public: PublicIdentity,
        card: ContactCard,
        session: Session,
        now: float,
        predecessor: bytes | None = None,
    ) -> Statement:
        contact_id = public.node_id
        return Statement(
            "INSERT OR REPLACE INTO contacts (contact_id, public_keys, card, session, paired_at,"
            " verified, recv_mark, state, predecessor) VALUES (?, ?, ?, ?, ?, 0, 0, 'active', ?)",
            (
                contact_id,
                public.keys,
                self.cipher.encrypt(card.encode(), label("card", contact_id)),
                self.cipher.encrypt(session.encode(), label("session", contact_id)),
                now,
                predecessor,
            ),
        )

    @staticmethod
    def set_contact_state(
        contact_id: bytes, state: str, successor: bytes | None = None
    ) -> Statement:
        return Statement(
            "UPDATE contacts SET state = ?, successor = COALESCE(?, successor)"
            " WHERE contact_id = ?",
            (state, successor, contact_id),
        )

    @staticmethod
    def set_verified(contact_id: bytes) -> Statement:
        return Statement("UPDATE contacts SET verified = 1 WHERE contact_id = ?", (contact_id,))

    @staticmethod
    def release_held(contact_id: bytes) -> Statement:
        return Statement(
            "UPDATE messages SET status = 'received'"
            " WHERE contact_id = ? AND direction = 'in' AND status = 'held'",
            (contact_id,),
        )

    @staticmethod
    def abandon_outbox(contact_id: bytes) -> list[Change]:
        """The contact can no longer receive from us: what waits for it has failed."""
        return [
            Statement(
                "UPDATE messages SET status = 'failed' WHERE contact_id = ? AND direction = 'out'"
                " AND status = 'queued'",
                (contact_id,),
            ),
            Statement(
                "DELETE FROM outbox WHERE contact_id = ? AND message_id IS NOT NULL", (contact_id,)
            ),
        ]

    def update_session(self, contact_id: bytes, session: Session) -> Statement:
        encrypted = self.cipher.encrypt(session.encode(), label("session", contact_id))
        return Overwrite(
            "UPDATE contacts SET session = ? WHERE contact_id = ?",
            (encrypted, contact_id),
            key=("session", contact_id),
        )

    def update_card(self, contact_id: bytes, card: ContactCard) -> Statement:
        encrypted = self.cipher.encrypt(card.encode(), label("card", contact_id))
        return Statement(
            "UPDATE contacts SET card = ? WHERE contact_id = ?", (encrypted, contact_id)
        )

    def update_recv_mark(self, contact_id: bytes, mark: int) -> Statement:
        return Overwrite(
            "UPDATE contacts SET recv_mark = ? WHERE contact_id = ?",
            (mark, contact_id),
            key=("recv_mark", contact_id),
        )

    def update_contact_mailboxes(self, contact_id: bytes, body: bytes) -> Statement:
        encrypted = self.cipher.encrypt(body, label("mailboxes", contact_id))
        return Statement(
            "UPDATE contacts SET mailboxes = ? WHERE contact_id = ?", (encrypted, contact_id)
        )

    # --- mailboxes (node.core.mailboxes) ---------------------------------------------

    async def mailboxes(self) -> list[Mailbox]:
        rows = await self._all("SELECT mailbox_id, record FROM mailboxes")
        return [
            Mailbox.decode(bytes(r[0]), self.cipher.decrypt(r[1], label("mailbox", bytes(r[0]))))
            for r in rows
        ]

    def put_mailbox(self, mailbox_id: bytes, record: bytes) -> Statement:
        sealed = self.cipher.encrypt(record, label("mailbox", mailbox_id))
        return Statement(
            "INSERT OR REPLACE INTO mailboxes (mailbox_id, record) VALUES (?, ?)",
            (mailbox_id, sealed),
        )

    @staticmethod
    def delete_mailbox(mailbox_id: bytes) -> Statement:
        return Statement("DELETE FROM mailboxes WHERE mailbox_id = ?", (mailbox_id,))

    @staticmethod
    def mark(message_id: bytes, account_id: str, event: str, now: float) -> Statement:
        return Statement(
            "INSERT OR IGNORE INTO message_marks (message_id, account_id, event, at)"
            " VALUES (?, ?, ?, ?)",
            (message_id, account_id, event, now),
        )

    async def marks(self, message_id: bytes) -> list[tuple[str, str, float]]:
        rows = await self._all(
            "SELECT account_id, event, at FROM message_marks WHERE message_id = ?"
            " ORDER BY at, rowid",
            (message_id,),
        )
        return [(str(r[0]), str(r[1]), float(r[2])) for r in rows]

    async def marked(self, message_ids: list[bytes], account_id: str, event: str) -> set[bytes]:
        if not message_ids:
            return set()
        holes = ", ".join("?" * len(message_ids))
        rows = await self._all(
            f"SELECT message_id FROM message_marks WHERE account_id = ? AND event = ?"  # noqa: S608 - placeholders only
            f" AND message_id IN ({holes})",
            (account_id, event, *message_ids),
        )
        return {bytes(r[0]) for r in rows}

    # --- invitations ------------------------------------------------------------------

    def insert_invitation(self, pending: PendingInvitation) -> Statement:
        encrypted = self.cipher.encrypt(pending.encode(), label("invitation", pending.tag))
        return Statement(
            "INSERT INTO invitations (tag, pending, expires_at) VALUES (?, ?, ?)",
            (pending.tag, encrypted, pending.invitation.expires_at),
        )

    async def invitation(self, tag: bytes) -> InvitationRow | None:
        row = await self._one(
            "SELECT tag, pending, expires_at, used_by, answer_hash FROM invitations WHERE tag = ?",
            (tag,),
        )
        if row is None:
            return None
        pending = None
        if row[1] is not None:
            pending = PendingInvitation.decode(
                self.cipher.decrypt(row[1], label("invitation", tag))
            )
        return InvitationRow(bytes(row[0]), pending, int(row[2]), row[3], row[4])

    def use_invitation(
        self, tag: bytes, contact_id: bytes, answer_hash: bytes, now: float
    ) -> Statement:
        # The private half is erased at once: a used invitation cannot be answered again.
        return Statement(
            "UPDATE invitations SET pending = NULL, used_at = ?, used_by = ?, answer_hash = ?"
            " WHERE tag = ?",
            (now, contact_id, answer_hash, tag),
        )

    @staticmethod
    def forget_all_invitations() -> Statement:
        return Statement("DELETE FROM invitations", ())

    def forget_invitations(self, before: float) -> Statement:
        return Statement("DELETE FROM invitations WHERE expires_at < ?", (before,))

    # --- messages -----------------------------------------------------------------------

    def insert_message(self, row: MessageRow, ratchet_pos: bytes | None = None) -> Statement:
        body = self.cipher.encrypt(row.body, label("message", row.message_id))
        return Statement(
            f"INSERT OR IGNORE INTO messages ({_MESSAGE_COLUMNS}, ratchet_pos, listed_at)"  # noqa: S608 - constant SQL fragments
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.message_id,
                row.contact_id,
                row.direction,
                row.seq,
                row.kind,
                body,
                row.sent_at_ms,
                row.received_at,
                row.status,
                row.delivered_at,
                row.read_at,
                row.priority,
                row.reply_to,
                row.acknowledged_at,
                row.parent,
                row.part,
                row.parts,
                row.complete_at,
                int(row.corrupt),
                row.mailbox,
                ratchet_pos,
                row.listed_at,
            ),
        )

    def _message(self, row: Any) -> MessageRow:
        message_id = bytes(row[0])
        body = self.cipher.decrypt(row[5], label("message", message_id))
        return MessageRow(
            message_id,
            bytes(row[1]),
            row[2],
            row[3],
            row[4],
            body,
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            row[11],
            None if row[12] is None else bytes(row[12]),
            row[13],
            None if row[14] is None else bytes(row[14]),
            row[15],
            row[16],
            row[17],
            bool(row[18]),
            None if row[19] is None else bytes(row[19]),
        )

    async def message(self, message_id: bytes) -> MessageRow | None:
        row = await self._one(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE message_id = ?",  # noqa: S608
            (message_id,),
        )
        return None if row is None else self._message(row)

    async def replies(self, contact_id: bytes, message_id: bytes) -> list[MessageRow]:
        """The messages of a conversation that answer ``message_id`` (a prescription's
        cancellation, amendment and dispensing reports), oldest first."""
        rows = await self._all(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE reply_to = ? AND contact_id = ?"  # noqa: S608 - constant SQL fragments
            " ORDER BY seq, sent_at_ms",
            (message_id, contact_id),
        )
        return [self._message(row) for row in rows]

    async def message_at(self, contact_id: bytes, ratchet_pos: bytes) -> MessageRow | None:
        row = await self._one(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE contact_id = ? AND ratchet_pos = ?",  # noqa: S608 - constant SQL fragments
            (contact_id, ratchet_pos),
        )
        return None if row is None else self._message(row)

    async def _listed(
        self, where: str, params: tuple[Any, ...], limit: int, index: str = "messages_listed"
    ) -> list[MessageRow]:
        """The newest ``limit`` messages matching ``where`` (a constant of this module), walked
        down an index on listed_at, and given back in display order: by the sender's clock,
        ties in sequence order."""
        rows = await self._all(
            f"SELECT {_PREFIXED_COLUMNS} FROM messages m INDEXED BY {index}"  # noqa: S608 - constant SQL fragments
            f" JOIN contacts c USING (contact_id) WHERE {where}"
            " ORDER BY m.listed_at DESC, m.message_id DESC LIMIT ?",
            (*params, limit),
        )
        found = [self._message(row) for row in rows]
        return sorted(found, key=lambda m: (m.sent_at_ms, m.contact_id, m.seq))

    async def shown(self, query: MessageQuery, hold_since: float) -> list[MessageRow]:
        clauses = [_CONVERSATION, _SHOWN]
        params: list[Any] = [hold_since]
        index = "messages_listed"
        if query.contact_id is not None:
            clauses.append("m.contact_id = ?")
            params.append(query.contact_id)
            index = "messages_listed_by_contact"
        if query.direction is not None:
            clauses.append("m.direction = ?")
            params.append(query.direction)
        if query.unread:
            clauses.append(_UNREAD)
            index = "messages_listed_unread"
        if query.before is not None:
            clauses.append("(m.listed_at, m.message_id) < (?, ?)")
            params += query.before
        if query.mailboxes is not None:
            if not query.mailboxes:
                # No mailbox at all (a person in none of them): nothing, and no query (a
                # constant-false WHERE leaves SQLite no plan for the forced index).
                return []
            clauses.append(_mailbox_clause(query.mailboxes))
            params += [m for m in query.mailboxes if m is not None]
        return await self._listed(" AND ".join(clauses), tuple(params), query.limit, index)

    async def unread_count(self, hold_since: float) -> int:
        return await self._count(
            f"SELECT COUNT(*) FROM messages m INDEXED BY messages_listed_unread"  # noqa: S608 - constant SQL fragments
            f" JOIN contacts c USING (contact_id) WHERE {_UNREAD} AND {_CONVERSATION}"
            f" AND {_SHOWN}",
            (hold_since,),
        )

    async def failed_count(self) -> int:
        return await self._count(
            "SELECT COUNT(*) FROM messages INDEXED BY messages_failed"
            " WHERE direction = 'out' AND status = 'failed'"
        )

    async def urgent_unacknowledged(
        self, direction: str, hold_since: float, limit: int
    ) -> list[MessageRow]:
        """Urgent messages nobody acknowledged yet: ours (waiting for the contact) or theirs
        (shown to us, waiting for our acknowledgement)."""
        where = (
            f"{_URGENT_UNACKNOWLEDGED} AND m.direction = ? AND {_CONVERSATION}"
            f" AND m.status NOT IN ('failed', 'held') AND {_SHOWN}"
        )
        return await self._listed(where, (direction, hold_since), limit, "messages_urgent")

    async def export_candidates(self, since_ms: int | None, limit: int) -> list[MessageRow]:
        where = f"{_CONVERSATION} AND m.status != 'held' AND m.sent_at_ms >= ?"
        return await self._listed(where, (since_ms or 0,), limit)

    async def unchecked_attachments(self) -> list[MessageRow]:
        """Incoming files neither complete nor corrupt (their last part may have arrived
        just before a stop)."""
        rows = await self._all(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE direction = 'in' AND kind = ?"  # noqa: S608 - constant SQL fragments
            " AND complete_at IS NULL AND corrupt = 0",
            (int(PayloadKind.ATTACHMENT),),
        )
        return [self._message(row) for row in rows]

    @staticmethod
    def set_read(message_id: bytes, now: float) -> Statement:
        return Statement(
            "UPDATE messages SET status = 'read', read_at = COALESCE(read_at, ?)"
            " WHERE message_id = ?",
            (now, message_id),
        )

    @staticmethod
    def fail_if_queued(message_id: bytes) -> Statement:
        return Statement(
            "UPDATE messages SET status = 'failed' WHERE message_id = ? AND status = 'queued'",
            (message_id,),
        )

    # --- after a restore (docs/protocol.md §20) ------------------------------------------

    async def snapshot(self) -> bytes:
        """A consistent copy of the whole database (SQLite's backup API, in one step under one
        read transaction, while the node writes), as the bytes of a database file. Its secret
        fields stay encrypted under the data key."""
        target = sqlite3.connect(":memory:", check_same_thread=False)
        try:
            await self._db.backup(target)
            return bytes(target.serialize())
        finally:
            target.close()

    @staticmethod
    def drop_outbox(contact_id: bytes) -> Statement:
        """Every packet waiting for this contact: sealed under a session that is gone."""
        return Statement("DELETE FROM outbox WHERE contact_id = ?", (contact_id,))

    async def outgoing(
        self, contact_id: bytes, kinds: tuple[int, ...], since_ms: int | None, until_ms: int
    ) -> list[MessageRow]:
        """Our messages of these kinds to a contact, in the order they were sent: those still
        queued (``since_ms`` None), else those not queued, sent before ``until_ms``, and
        sent or delivered since ``since_ms`` (or never delivered)."""
        marks = ",".join("?" * len(kinds))
        params: tuple[int, ...] = ()
        if since_ms is None:
            where = "status = 'queued'"
        else:
            # Sent since, or delivered since (held on a relay while the backup was made).
            where = (
                "status != 'queued' AND sent_at_ms < ? AND (sent_at_ms >= ?"
                " OR delivered_at IS NULL OR delivered_at * 1000 >= ?)"
            )
            params = (until_ms, since_ms, since_ms)
        rows = await self._all(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE contact_id = ?"  # noqa: S608
            f" AND direction = 'out' AND kind IN ({marks}) AND {where} ORDER BY seq, rowid",
            (contact_id, *kinds, *params),
        )
        return [self._message(row) for row in rows]

    @staticmethod
    def receipt_update(
        contact_id: bytes, message_id: bytes, status: str, column: str, now: float
    ) -> Statement:
        if column not in _RECEIPT_COLUMNS:
            raise ValueError(f"not a receipt column: {column}")
        # A read receipt implies delivery; statuses only move forward (queued < delivered <
        # read); a time once set is kept.
        return Statement(
            f"UPDATE messages SET status = CASE WHEN status = 'read' THEN 'read' ELSE ? END,"  # noqa: S608 - constant SQL fragments
            f" {column} = COALESCE({column}, ?), delivered_at = COALESCE(delivered_at, ?)"
            " WHERE message_id = ? AND contact_id = ? AND direction = 'out'",
            (status, now, now, message_id, contact_id),
        )

    @staticmethod
    def acknowledge(message_id: bytes, now: float) -> Statement:
        """A person acknowledged an urgent message (ours: the peer's receipt; theirs: us)."""
        return Statement(
            "UPDATE messages SET acknowledged_at = COALESCE(acknowledged_at, ?),"
            " read_at = COALESCE(read_at, ?), delivered_at = COALESCE(delivered_at, ?),"
            " status = CASE WHEN direction = 'in' OR status != 'failed' THEN 'read' ELSE status END"
            " WHERE message_id = ?",
            (now, now, now, message_id),
        )

    async def unconfirmed(
        self, contact_id: bytes, message_ids: tuple[bytes, ...], column: str
    ) -> set[bytes]:
        """Which of our conversation messages to a contact have no ``column`` time yet: the
        receipts that change something, worth an audit entry."""
        if column not in _RECEIPT_COLUMNS:
            raise ValueError(f"not a receipt column: {column}")
        ids = ",".join("?" * len(message_ids))
        rows = await self._all(
            f"SELECT message_id FROM messages m WHERE contact_id = ? AND direction = 'out'"  # noqa: S608 - constant SQL fragments
            f" AND {column} IS NULL AND {_CONVERSATION} AND message_id IN ({ids})",
            (contact_id, *message_ids),
        )
        return {bytes(r[0]) for r in rows}

    async def parts_done(self, contact_id: bytes, parent: bytes, direction: str) -> int:
        """An attachment's chunks received (incoming) or delivered (outgoing)."""
        done = "" if direction == "in" else " AND status IN ('delivered', 'read')"
        return await self._count(
            "SELECT COUNT(*) FROM messages WHERE contact_id = ? AND direction = ?"  # noqa: S608 - constant SQL fragments
            f" AND parent = ?{done}",
            (contact_id, direction, parent),
        )

    async def part_bodies(self, contact_id: bytes, parent: bytes, direction: str) -> list[bytes]:
        """An attachment's chunk bodies in index order (decrypted)."""
        rows = await self._all(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE contact_id = ? AND direction = ?"  # noqa: S608 - constant SQL fragments
            " AND parent = ? ORDER BY part",
            (contact_id, direction, parent),
        )
        return [self._message(row).body for row in rows]

    @staticmethod
    def attachment_checked(message_id: bytes, now: float, ok: bool) -> Statement:
        return Statement(
            "UPDATE messages SET complete_at = CASE WHEN ? THEN ? END, corrupt = ?"
            " WHERE message_id = ?",
            (ok, now, int(not ok), message_id),
        )

    async def _count(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        row = await self._one(sql, params)
        return int(row[0]) if row else 0

    # --- audit (node.storage.audit holds the chain; these read its table) -------------------

    async def audit_head(self) -> Any:
        return await self._one("SELECT position, hash FROM audit ORDER BY position DESC LIMIT 1")

    async def audit_page(self, after: int, limit: int) -> list[sqlite3.Row]:
        return await self._all(
            f"SELECT {_AUDIT_COLUMNS} FROM audit WHERE position > ?"  # noqa: S608 - constant
            " ORDER BY position LIMIT ?",
            (after, limit),
        )

    async def audit_top(self) -> int:
        return await self._count("SELECT COALESCE(MAX(position), 0) FROM audit")

    async def audit_count(self) -> int:
        return await self._count("SELECT COUNT(*) FROM audit")

    async def audit_of(self, actor: str, limit: int) -> list[Action]:
        """One actor's entries, newest first (a person's own list, node.core.accounts)."""
        rows = await self._all(
            "SELECT position, at, event, contact_id, message_id, subject FROM audit"
            " WHERE actor = ? ORDER BY position DESC LIMIT ?",
            (actor, limit),
        )
        return [
            Action(
                int(r[0]),
                float(r[1]),
                str(r[2]),
                None if r[3] is None else bytes(r[3]),
                None if r[4] is None else bytes(r[4]),
                r[5],
            )
            for r in rows
        ]

    async def audit_recorded(self, event: str, message_id: bytes, since: float) -> bool:
        row = await self._one(
            "SELECT 1 FROM audit WHERE message_id = ? AND event = ? AND at >= ? LIMIT 1",
            (message_id, event, since),
        )
        return row is not None

    # --- outbox ---------------------------------------------------------------------------

    def enqueue(
        self, contact_id: bytes, packet: bytes, message_id: bytes | None, now: float
    ) -> Statement:
        return Statement(
            "INSERT INTO outbox (contact_id, message_id, packet, created_at, next_attempt_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (contact_id, message_id, packet, now, now),
        )

    async def due_contacts(self, now: float) -> list[bytes]:
        """Contacts with something to send now."""
        rows = await self._all(
            "SELECT DISTINCT contact_id FROM outbox WHERE next_attempt_at <= ?", (now,)
        )
        return [bytes(r[0]) for r in rows]

    async def due_for(
        self, contact_id: bytes, now: float, exclude: set[int], limit: int
    ) -> list[OutboxRow]:
        """A contact's entries to send now, in queue order (without their packets), skipping
        those in ``exclude`` (already in flight: a live set, which may change during the read)."""
        # An attempt in flight when the read starts may finish during it: its rows, read
        # before its outcome was committed, still look due. Excluding what was in flight at
        # the start as well as what is now keeps it from being sent twice.
        busy = set(exclude)
        rows = await self._all(
            "SELECT id, contact_id, message_id, created_at, attempts FROM outbox"
            " WHERE contact_id = ? AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            (contact_id, now, limit + len(busy)),
        )
        entries = [OutboxRow(r[0], bytes(r[1]), r[2] and bytes(r[2]), r[3], r[4]) for r in rows]
        return [e for e in entries if e.id not in busy and e.id not in exclude][:limit]

    def forget_contact(self, contact_id: bytes) -> list[Change]:
        """A pairing that never completed: nothing of it is kept."""
        return [
            Statement("DELETE FROM outbox WHERE contact_id = ?", (contact_id,)),
            Statement("DELETE FROM messages WHERE contact_id = ?", (contact_id,)),
            Statement("DELETE FROM contacts WHERE contact_id = ?", (contact_id,)),
        ]

    async def packets(self, entry_ids: list[int]) -> dict[int, bytes]:
        marks = ",".join("?" * len(entry_ids))
        rows = await self._all(
            f"SELECT id, packet FROM outbox WHERE id IN ({marks})",  # noqa: S608
            tuple(entry_ids),
        )
        return {int(r[0]): bytes(r[1]) for r in rows}

    async def next_due(self, after: float) -> float | None:
        row = await self._one(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE next_attempt_at > ?", (after,)
        )
        return None if row is None or row[0] is None else float(row[0])

    async def expired_outbox(self, before: float) -> list[tuple[int, bytes | None]]:
        rows = await self._all("SELECT id, message_id FROM outbox WHERE created_at < ?", (before,))
        return [(int(r[0]), r[1] and bytes(r[1])) for r in rows]

    async def outbox_depth(self) -> list[tuple[bytes, int]]:
        rows = await self._all(
            "SELECT contact_id, COUNT(*) FROM outbox WHERE message_id IS NOT NULL"
            " GROUP BY contact_id"
        )
        return [(bytes(r[0]), int(r[1])) for r in rows]

    async def outbox_waiting(self) -> list[tuple[bytes, int, float, int]]:
        """Per contact: messages waiting for their receipt, the oldest's queuing time, and
        how many of them a relay or the contact's node already took."""
        rows = await self._all(
            "SELECT contact_id, COUNT(*), MIN(created_at), SUM(acked_at IS NOT NULL)"
            " FROM outbox WHERE message_id IS NOT NULL GROUP BY contact_id"
        )
        return [(bytes(r[0]), int(r[1]), float(r[2]), int(r[3])) for r in rows]

    @staticmethod
    def outbox_done(entry_id: int) -> Statement:
        return Statement("DELETE FROM outbox WHERE id = ?", (entry_id,))

    @staticmethod
    def outbox_acked(entry_id: int, now: float, recheck_at: float) -> Statement:
        return Statement(
            "UPDATE outbox SET acked_at = ?, attempts = attempts + 1, next_attempt_at = ?"
            " WHERE id = ?",
            (now, recheck_at, entry_id),
        )

    @staticmethod
    def outbox_delivered(contact_id: bytes, message_id: bytes) -> Statement:
        return Statement(
            "DELETE FROM outbox WHERE contact_id = ? AND message_id = ?",
            (contact_id, message_id),
        )
