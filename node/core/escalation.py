"""Urgent messages waiting for a person's acknowledgement, both ways (docs/guide/urgent.md;
docs/local-api.md, ``GET /v1/status`` "urgent"):

- ours: how long since we sent it, overdue past ``escalate_after_minutes`` (the sender is
  asked to phone);
- theirs: how long since it arrived here, overdue likewise (the recipient keeps being
  reminded until someone acknowledges it);
- the backup contact (``[messages] backup_contact``), when there is one, is told once per
  message, content-free (docs/protocol.md §18.9), when one of either has waited
  ``backup_after_minutes``. The notice and the audit entry "escalated" (contact: the backup,
  message: the urgent message) are committed together: that entry is also what keeps a
  restart from telling twice.

Elapsed times are on our clock: ours from when we sent it, theirs from when it arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Final

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import RequestError
from node.core.reading import Reading
from node.core.records import MessageRow
from node.core.sending import Sending
from node.protocol import PayloadKind
from node.protocol.conversation import EscalationNotice, Meta
from node.protocol.errors import ClinicalError

log = logging.getLogger(__name__)

# How often the node looks for urgent messages whose backup delay has passed.
CHECK_SECONDS: Final = 30.0
STOP_SECONDS: Final = 5.0


@dataclass(frozen=True)
class Waiting:
    """An urgent message nobody has acknowledged yet, and how long it has waited."""

    row: MessageRow
    since: float  # ours: when we sent it; theirs: when it arrived
    waited_seconds: float
    overdue: bool  # past escalate_after_minutes
    backup_told: bool  # the backup contact was told about it

    @property
    def waited_minutes(self) -> int:
        return int(self.waited_seconds // 60)


class Escalation:
    def __init__(self, ctx: NodeContext, reading: Reading, sending: Sending) -> None:
        self._ctx = ctx
        self._reading = reading
        self._sending = sending
        self._told: set[bytes] = set()  # urgent messages the backup was told about
        self._runner: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._warned = False

    async def outgoing(self) -> list[Waiting]:
        """Our urgent messages not acknowledged yet."""
        rows = await self._reading.awaiting_acknowledgement()
        return [await self._waiting(row, row.sent_at_ms / 1000) for row in rows]

    async def incoming(self) -> list[Waiting]:
        """Urgent messages we received and nobody here has acknowledged."""
        rows = await self._reading.incoming_urgent()
        return [await self._waiting(row, row.listed_at) for row in rows]

    async def _waiting(self, row: MessageRow, since: float) -> Waiting:
        config = self._ctx.config
        waited = max(0.0, self._ctx.clock() - since)
        told = row.message_id in self._told
        if not told and config.backup_contact.strip():
            told = await self._recorded(row)
        return Waiting(row, since, waited, waited >= config.escalate_after_minutes * 60, told)

    async def _recorded(self, row: MessageRow) -> bool:
        if await self._ctx.repo.audit_recorded("escalated", row.message_id, 0.0):
            self._told.add(row.message_id)
            return True
        return False

    def backup(self) -> Contact | None:
        """The backup contact, when one is set and is an active contact."""
        reference = self._ctx.config.backup_contact
        if not reference.strip():
            return None
        try:
            contact = self._ctx.contacts.resolve(reference)
        except RequestError:
            contact = None
        if contact is None or not contact.active:
            if not self._warned:  # once: the check runs every half minute
                log.warning("backup_contact matches no active contact: nobody will be told")
                self._warned = True
            return None
        self._warned = False
        return contact

    async def check(self) -> int:
        """Tells the backup contact about every urgent message (ours or theirs, not one
        exchanged with the backup itself) that has waited ``backup_after_minutes``; returns
        how many it was told about."""
        backup = self.backup()
        if backup is None:
            return 0
        delay = self._ctx.config.backup_after_minutes * 60
        told = 0
        for waiting in [*await self.outgoing(), *await self.incoming()]:
            row = waiting.row
            if (
                waiting.backup_told
                or waiting.waited_seconds < delay
                or row.contact_id == backup.contact_id
                or row.kind == PayloadKind.ESCALATION
            ):
                continue
            if await self._tell(backup, waiting):
                told += 1
        return told

    async def _tell(self, backup: Contact, waiting: Waiting) -> bool:
        ctx = self._ctx
        row = waiting.row
        contact = ctx.contacts.get(row.contact_id)
        if contact is None:
            return False
        ours, theirs = ctx.profile.name, contact.name
        sender, recipient = (ours, theirs) if row.direction == "out" else (theirs, ours)
        try:
            notice = EscalationNotice(sender, recipient, row.sent_at_ms, waiting.waited_minutes)
        except ClinicalError as exc:
            log.warning("backup contact not told: a name does not fit the notice (%s)", exc.field)
            return False
        event = ("escalated", "local", backup.contact_id, row.message_id)
        await self._sending.send_to(backup, Meta(), notice, [event])
        self._told.add(row.message_id)
        log.info("backup contact told: an urgent message waited %d min", waiting.waited_minutes)
        return True

    # --- the loop the node runs once live ----------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._runner = asyncio.create_task(self._run(), name="escalation")

    async def stop(self) -> None:
        self._stop.set()
        if self._runner is not None:
            done, _ = await asyncio.wait({self._runner}, timeout=STOP_SECONDS)
            if not done:
                self._runner.cancel()
            self._runner = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.check()
            except RequestError as exc:  # the store is unavailable, the backup inactive...
                log.warning("backup contact not told now (%s); trying again", exc.code)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CHECK_SECONDS):
                    await self._stop.wait()
