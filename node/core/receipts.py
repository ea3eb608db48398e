"""Receipts (docs/protocol.md §11.2): what we send when a message is committed (delivered),
read or acknowledged, and what a contact's receipts change on our messages and in the audit
log. Every receipt confirms delivery; a read receipt can overtake its delivery receipt, and the
audit log still records "delivered" first.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.ports import AuditEvent, Change
from node.protocol import PayloadKind, Receipt, ReceiptType
from node.protocol.payload import MAX_RECEIPT_IDS

log = logging.getLogger(__name__)

# Delivery receipts wait this long to be sent together.
RECEIPT_DELAY_SECONDS: Final = 0.02
# (status it gives our message, the time it sets, the audit event), in the order a contact
# goes through them; each receipt implies those before it.
_STEPS: Final = (
    (ReceiptType.DELIVERED, "delivered", "delivered_at", "delivered"),
    (ReceiptType.READ, "read", "read_at", "read"),
    (ReceiptType.ACKNOWLEDGED, "read", "acknowledged_at", "acknowledged"),
)
_STEP_OF: Final = {step[0]: index for index, step in enumerate(_STEPS)}


class Receipts:
    def __init__(self, ctx: NodeContext) -> None:
        self._ctx = ctx

    async def seal(
        self, contact: Contact, receipt_type: ReceiptType, message_ids: list[bytes]
    ) -> list[Change]:
        """Our receipt, queued (the caller holds the contact's lock and saves its session)."""
        body = Receipt(receipt_type, tuple(message_ids)).encode()
        return await self._ctx.seal_for(contact, PayloadKind.RECEIPT, body)

    def owe(self, contact: Contact, message_id: bytes) -> None:
        """A delivery receipt for a committed message; sent after RECEIPT_DELAY_SECONDS,
        together with the others owed to the same contact."""
        contact.owed_receipts.append(message_id)
        if not contact.receipts_scheduled:
            contact.receipts_scheduled = True
            asyncio.get_running_loop().call_later(
                RECEIPT_DELAY_SECONDS, lambda: self._ctx.background(self._send_owed(contact))
            )

    async def _send_owed(self, contact: Contact) -> None:
        contact.receipts_scheduled = False
        owed, contact.owed_receipts = contact.owed_receipts, []
        changes: list[Change] = []
        async with contact.lock:
            for start in range(0, len(owed), MAX_RECEIPT_IDS):
                chunk = owed[start : start + MAX_RECEIPT_IDS]
                changes += await self.seal(contact, ReceiptType.DELIVERED, chunk)
            if not changes:
                return
            changes.append(await self._ctx.save_session(contact))
            future = self._ctx.submit(changes)
        try:
            await future
        except Exception:
            log.warning("could not save %d delivery receipts", len(owed))
            return
        self._ctx.wake_outbox()

    async def accept(
        self, contact: Contact, receipt: Receipt
    ) -> tuple[list[Change], list[AuditEvent]]:
        """What a contact's receipt changes on our messages, and the audit entries for the
        conversation messages it moves on (not chunks; not a step already recorded)."""
        ctx, now = self._ctx, self._ctx.clock()
        reached = _STEP_OF[receipt.type]
        # Each update also sets delivered_at: a later step needs no delivered update of its own.
        updates = _STEPS[1 : reached + 1] or _STEPS[:1]
        changes: list[Change] = []
        for message_id in receipt.message_ids:
            changes.append(ctx.repo.outbox_delivered(contact.contact_id, message_id))
            for _type, status, column, _event in updates:
                changes.append(
                    ctx.repo.receipt_update(contact.contact_id, message_id, status, column, now)
                )
        events: list[AuditEvent] = []
        unconfirmed = {
            column: await ctx.repo.unconfirmed(contact.contact_id, receipt.message_ids, column)
            for _type, _status, column, _event in _STEPS[: reached + 1]
        }
        for message_id in receipt.message_ids:
            for _type, _status, column, event in _STEPS[: reached + 1]:
                if message_id in unconfirmed[column]:
                    events.append((event, "contact", contact.contact_id, message_id))
        return changes, events
