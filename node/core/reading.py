"""What a person reads and does with received messages (docs/local-api.md): listings in the
sender's order, unread ones (waited for), marking read, acknowledging an urgent message, and
recording that a message was printed, saved or exported. Every action commits its audit entry
in the same batch as the action itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from typing import Final

from node.core.accounts import acting_account
from node.core.context import NodeContext
from node.core.errors import Conflict, NotFound
from node.core.mailboxes import MailboxBook
from node.core.ports import Change, MessageQuery
from node.core.receipts import Receipts
from node.core.records import CONVERSATION_KIND_CODES, MessageRow
from node.protocol.conversation import Priority
from node.protocol.payload import ReceiptType

# A message that arrived after a gap waits this long for the missing ones before it is shown.
HOLD_SECONDS: Final = 300.0
MAX_UNREAD: Final = 1000
MAX_URGENT: Final = 1000
DAY_SECONDS: Final = 86_400.0
# A long poll wakes up at least this often to look again (a message held back behind a gap
# is shown when its hold ends, which no arrival announces).
POLL_SECONDS: Final = 5.0


class Reading:
    def __init__(
        self, ctx: NodeContext, receipts: Receipts, mailboxes: MailboxBook | None = None
    ) -> None:
        self._ctx = ctx
        self._receipts = receipts
        # On a clinic server a person reads only their mailboxes' messages (the listings are
        # filtered, a message of another is refused, 403 and audited): the local API and the
        # web client alike, whoever is acting (node.core.accounts.acting_as).
        self._mailboxes = mailboxes
        # (message id, UTC day) already recorded as viewed: the log holds it too; this spares
        # a query and keeps two views at the same moment from writing two entries.
        self._viewed: set[tuple[bytes, int]] = set()
        self._viewed_day = 0

    def _hold_since(self) -> float:
        return self._ctx.clock() - HOLD_SECONDS

    async def shown(self, query: MessageQuery) -> list[MessageRow]:
        if self._mailboxes is not None and query.mailboxes is None:
            access = self._mailboxes.access_of(acting_account())
            query = dataclasses.replace(query, mailboxes=access.filter)
        return await self._ctx.repo.shown(query, self._hold_since())

    async def unread(self, mailboxes: tuple[bytes | None, ...] | None = None) -> list[MessageRow]:
        """``mailboxes``: only theirs (a person's on a clinic server, node.core.mailboxes)."""
        return await self.shown(MessageQuery(unread=True, limit=MAX_UNREAD, mailboxes=mailboxes))

    async def unread_count(self) -> int:
        if self._mailboxes is not None:
            access = self._mailboxes.access_of(acting_account())
            if not access.everything:  # a person on a clinic server: their mailboxes'
                return len(await self.unread())
        return await self._ctx.repo.unread_count(self._hold_since())

    async def failed_count(self) -> int:
        return await self._ctx.repo.failed_count()

    async def outbox_depth(self) -> dict[bytes, int]:
        return dict(await self._ctx.repo.outbox_depth())

    async def wait_unread(
        self, timeout: float, mailboxes: tuple[bytes | None, ...] | None = None
    ) -> list[MessageRow]:
        ctx = self._ctx
        deadline = ctx.clock() + timeout
        while True:
            messages = await self.unread(mailboxes)
            remaining = deadline - ctx.clock()
            if messages or remaining <= 0:
                return messages
            # asyncio.timeout rather than wait_for, which on Python 3.11 can lose the
            # cancellation of a shutdown and keep this request (and the node) waiting.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, POLL_SECONDS)), ctx.inbox_changed:
                    await ctx.inbox_changed.wait()

    async def awaiting_acknowledgement(self) -> list[MessageRow]:
        """Our urgent messages nobody has acknowledged yet."""
        rows = await self._ctx.repo.urgent_unacknowledged("out", self._hold_since(), MAX_URGENT)
        return self.readable(rows)

    async def incoming_urgent(self) -> list[MessageRow]:
        """Urgent messages we received and have not acknowledged."""
        rows = await self._ctx.repo.urgent_unacknowledged("in", self._hold_since(), MAX_URGENT)
        return self.readable(rows)

    def readable(self, rows: list[MessageRow]) -> list[MessageRow]:
        """The rows the person acting may read (a clinic server's mailboxes)."""
        if self._mailboxes is None:
            return rows
        access = self._mailboxes.access_of(acting_account())
        return rows if access.everything else [r for r in rows if access.may_read(r.mailbox)]

    async def message(self, message_id: bytes) -> MessageRow:
        """A conversation message (ours or theirs), by id."""
        row = await self._ctx.repo.message(message_id)
        if row is None or row.kind not in CONVERSATION_KIND_CODES:
            raise NotFound("message_not_found", "no message with that id")
        if self._mailboxes is not None:
            await self._mailboxes.check_read(acting_account(), row)
        return row

    async def mark_read(self, message_id: bytes) -> MessageRow:
        """Read by the person acting (on a clinic server each one's own mark, shown to
        colleagues); the sender gets one read receipt, at the first."""
        row = await self.message(message_id)
        if row.direction != "in":
            return row
        if row.status == "read":
            await self._mark_again(row, "read")
            return row
        await self._answer(row, [ReceiptType.READ], "read")
        return await self.message(message_id)

    async def _mark_again(self, row: MessageRow, event: str) -> None:
        """Another person read or acknowledged a message already answered: their own
        mark, no second receipt."""
        person = acting_account()
        if person is None or any(
            who == person and what == event for who, what, _ in await self.marks(row)
        ):
            return
        ctx = self._ctx
        await ctx.commit(
            [ctx.repo.mark(row.message_id, person, event, ctx.clock())],
            [(event, "local", row.contact_id, row.message_id)],
        )

    async def read_by_person(self, rows: list[MessageRow]) -> None:
        """The person acting has seen these received messages, read already (by a
        colleague): their own marks, in one commit, no receipt (the sender has had one)."""
        person = acting_account()
        ids = [r.message_id for r in rows if r.direction == "in" and r.status == "read"]
        if person is None or not ids or self._mailboxes is None or not self._mailboxes.all():
            return
        ctx = self._ctx
        done = await ctx.repo.marked(ids, person, "read")
        fresh = [r for r in rows if r.message_id in set(ids) - done]
        if fresh:
            now = ctx.clock()
            await ctx.commit(
                [ctx.repo.mark(r.message_id, person, "read", now) for r in fresh],
                [("read", "local", r.contact_id, r.message_id) for r in fresh],
            )

    async def marks(self, row: MessageRow) -> list[tuple[str, str, float]]:
        """Who read or acknowledged a message: (account id, "read" or "acknowledged",
        time), oldest first."""
        return await self._ctx.repo.marks(row.message_id)

    async def acknowledge(self, message_id: bytes) -> MessageRow:
        """A person confirms an urgent message: a receipt distinct from delivered and read."""
        row = await self.message(message_id)
        if row.direction != "in" or row.priority != Priority.URGENT:
            raise Conflict("not_urgent", "only a received urgent message can be acknowledged")
        if row.acknowledged_at is not None:
            await self._mark_again(row, "acknowledged")
            return row
        receipts = [ReceiptType.ACKNOWLEDGED]
        if row.status != "read":
            receipts.insert(0, ReceiptType.READ)
        await self._answer(row, receipts, "acknowledged")
        return await self.message(message_id)

    async def _answer(self, row: MessageRow, receipts: list[ReceiptType], event: str) -> None:
        """Sends our receipts for an incoming message and records what the person did."""
        ctx = self._ctx
        contact = ctx.contacts[row.contact_id]
        now = ctx.clock()
        async with contact.lock:
            changes: list[Change] = []
            for receipt_type in receipts:
                changes += await self._receipts.seal(contact, receipt_type, [row.message_id])
            if event == "read":
                changes.append(ctx.repo.set_read(row.message_id, now))
            else:
                changes.append(ctx.repo.acknowledge(row.message_id, now))
            person = acting_account()
            if person is not None:  # each person's own mark (node.core.mailboxes)
                changes.append(ctx.repo.mark(row.message_id, person, event, now))
                if event == "acknowledged" and ReceiptType.READ in receipts:
                    changes.append(ctx.repo.mark(row.message_id, person, "read", now))
            changes.append(await ctx.save_session(contact))
            future = ctx.submit(changes, [(event, "local", contact.contact_id, row.message_id)])
        await ctx.await_commit(future)
        ctx.wake_outbox()

    async def viewed(self, row: MessageRow) -> None:
        """A message shown in full (``GET /v1/messages/{id}``): recorded "viewed" once per
        message per UTC day, so that reading a message again and again does not flood the
        log (docs/audit.md, "Viewed")."""
        now = self._ctx.clock()
        day = int(now // DAY_SECONDS)
        if day != self._viewed_day:
            self._viewed, self._viewed_day = set(), day
        key = (row.message_id, day)
        if key in self._viewed:
            return
        self._viewed.add(key)
        try:
            if not await self._ctx.repo.audit_recorded("viewed", row.message_id, day * DAY_SECONDS):
                await self.record("viewed", [row])
        except BaseException:
            self._viewed.discard(key)
            raise

    async def record(self, event: str, rows: list[MessageRow]) -> None:
        """The person printed, saved or exported these messages (audit only)."""
        await self._ctx.commit(
            [], [(event, "local", row.contact_id, row.message_id) for row in rows]
        )
