"""Receiving (docs/protocol.md §11): a packet from a peer, whatever the path, is opened, its
payload committed with what it changes, and only then acknowledged. Messages are shown once and
in the sender's order: duplicates are recognised by their ratchet position, and a message that
came after a gap is held back (node.core.reading) until the missing ones arrive.
"""

from __future__ import annotations

import logging
from typing import Final

from node.core import read_backs
from node.core.attachments import Attachments
from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import PeerRefused, Verdict
from node.core.mailboxes import MailboxBook
from node.core.pairing import Pairing
from node.core.ports import AuditEvent, Change
from node.core.prescriptions import Prescriptions
from node.core.readiness import PROBE_KINDS, Readiness
from node.core.receipts import Receipts
from node.core.records import attachment_of, message_row
from node.core.refusals import SHOWN_KINDS as SHOWN_REFUSALS
from node.core.refusals import Refusals
from node.core.renewal import Renewal
from node.protocol import (
    ContactCard,
    DuplicateMessage,
    Payload,
    PayloadKind,
    ProtocolError,
    RatchetMessage,
    Receipt,
    RemoteProtocolError,
    Revocation,
    SealedAnswer,
    Session,
    Unpair,
    open_packet,
)
from node.protocol.conversation import CONVERSATION_KINDS
from node.protocol.envelope import RenewalInner
from node.protocol.errors import MalformedBody
from node.protocol.identity import format_node_id

log = logging.getLogger(__name__)

SHOWN_CODES: Final = frozenset(int(kind) for kind in SHOWN_REFUSALS)
# Kinds whose arrival is confirmed with a delivery receipt (§11.2).
RECEIPTED_KINDS: Final = frozenset(
    {*CONVERSATION_KINDS, PayloadKind.CHUNK, PayloadKind.CONTACT_CARD, PayloadKind.RESTORED}
)


class Receiver:
    def __init__(
        self,
        ctx: NodeContext,
        pairing: Pairing,
        receipts: Receipts,
        attachments: Attachments,
        prescriptions: Prescriptions,
        readiness: Readiness,
        renewal: Renewal | None = None,
        refusals: Refusals | None = None,
        mailboxes: MailboxBook | None = None,
    ) -> None:
        self._ctx = ctx
        self._pairing = pairing
        self._receipts = receipts
        self._attachments = attachments
        self._prescriptions = prescriptions
        self._readiness = readiness
        self._renewal = renewal  # sessions renewed after a restore (§20)
        self._refusals = refusals or Refusals(ctx)  # refused clinical payloads, shown
        self._mailboxes = mailboxes  # a clinic server's mailboxes (node.core.mailboxes)

    async def receive(self, packet: bytes, via: str | None = None) -> str:
        """One packet from a peer: "stored" or "duplicate" once committed; raises
        :class:`PeerRefused` otherwise. ``via``: the relay it came through (None: direct),
        which a readiness probe's answer reports (§9.5)."""
        ctx = self._ctx
        try:
            inner = open_packet(packet, ctx.identity.public.dh_key, ctx.identity.dh_private)
        except RemoteProtocolError as exc:
            raise PeerRefused(Verdict.MALFORMED, f"undecodable packet ({exc.code})") from None
        if isinstance(inner, SealedAnswer):
            return await self._pairing.complete(inner)
        if isinstance(inner, RenewalInner):
            if self._renewal is None:
                raise PeerRefused(Verdict.MALFORMED, "session renewal not accepted here")
            return await self._renewal.receive(inner)
        return await self._message(inner, via)

    async def _message(self, message: RatchetMessage, via: str | None) -> str:
        ctx = self._ctx
        contact = ctx.contacts.get(message.sender)
        if contact is None:
            raise PeerRefused(Verdict.UNKNOWN_SENDER, "packet from an unknown sender")
        if not contact.active:
            # Ended pairing: tell the sender for good, so that its message fails visibly.
            raise PeerRefused(Verdict.GONE, "packet from a contact no longer paired")
        position = message.header.dh + message.header.n.to_bytes(4, "big")
        async with contact.lock:
            session = await ctx.session_of(contact)
            try:
                payload = session.open(message, ctx.clock(), ctx.rand)
            except DuplicateMessage:
                return await self._duplicate(contact, position)
            except RemoteProtocolError as exc:
                # The ratchet forgets finished chains: a message we already have, sent again
                # after ours moved on (its receipt was lost), no longer opens. Its position
                # still names it (it is stored with the message), however late it comes.
                if position in contact.saving or await self._have(contact, position):
                    return await self._duplicate(contact, position)
                refused = PeerRefused(Verdict.MALFORMED, f"message refused ({exc.code})")
                if isinstance(exc, MalformedBody) and exc.kind in SHOWN_CODES:
                    # A prescription (or its answer) that breaks a rule: our user is told.
                    kind = PayloadKind(exc.kind)
                    await self._refused(
                        contact, session, kind, exc.message_id, "rule", exc.clinical
                    )
                raise refused from None
            if payload.kind in PROBE_KINDS:  # never stored, never shown (§9.5)
                return await self._readiness.take(contact, session, payload, position, via)
            if payload.kind is PayloadKind.MAILBOXES:  # the contact's mailboxes (§9.6)
                if self._mailboxes is None:
                    await ctx.commit([ctx.repo.update_session(contact.contact_id, session)])
                    return "stored"
                return await self._mailboxes.take(contact, session, payload)
            try:
                # A prescription must prove who signed it (docs/protocol.md §19.3).
                await self._prescriptions.check_incoming(contact, payload)
                await read_backs.check_incoming(self._ctx, contact, payload)  # §18.8
            except PeerRefused as refused:
                reason = refused.refusal or ""
                await self._refused(contact, session, payload.kind, payload.message_id, reason)
                raise refused from None
            changes, events = await self._accept(contact, payload, position)
            changes.append(ctx.repo.update_session(contact.contact_id, session))
            contact.saving.add(position)
            future = ctx.submit(changes, events)
        try:
            await future
        except Exception:
            raise PeerRefused(Verdict.BUSY, "store unavailable") from None
        finally:
            contact.saving.discard(position)
        if payload.kind in RECEIPTED_KINDS:
            self._receipts.owe(contact, payload.message_id)
        if payload.kind in (PayloadKind.ATTACHMENT, PayloadKind.CHUNK):
            self._attachments.part_arrived(contact, attachment_of(payload))
        ctx.wake_outbox()
        await ctx.inbox_changes()
        if self._mailboxes is not None:
            await self._mailboxes.ask_once(contact)
        return "stored"

    async def _refused(
        self,
        contact: Contact,
        session: Session,
        kind: PayloadKind,
        message_id: bytes,
        reason: str,
        clinical: tuple[str, str] | None = None,
    ) -> None:
        """A payload refused for good (the caller holds the contact's lock): its key is
        spent, so the session moves on; the refusal is on record (audit) and, for a
        clinical document, shown to our user (node.core.refusals)."""
        ctx = self._ctx
        event: AuditEvent = ("refused", "contact", contact.contact_id, message_id)
        changes = [ctx.repo.update_session(contact.contact_id, session)]
        changes += await self._refusals.record(
            contact.contact_id, kind, message_id, reason, clinical
        )
        try:
            await ctx.submit(changes, [event])
        except Exception:
            self._refusals.forget()
            raise PeerRefused(Verdict.BUSY, "store unavailable") from None
        await ctx.inbox_changes()

    async def _have(self, contact: Contact, position: bytes) -> bool:
        if self._readiness.seen(contact.contact_id, position):
            return True
        return await self._ctx.repo.message_at(contact.contact_id, position) is not None

    async def _duplicate(self, contact: Contact, position: bytes) -> str:
        """A message we cannot decrypt again: if we have it, the sender missed our receipt
        (send it again); if we never stored it, its key is gone and it can never be read."""
        if position in contact.saving:
            raise PeerRefused(Verdict.BUSY, "this message is still being saved")
        if self._readiness.seen(contact.contact_id, position):
            return "duplicate"  # a probe deposited on two relays, or its answer
        row = await self._ctx.repo.message_at(contact.contact_id, position)
        if row is None:
            raise PeerRefused(Verdict.GONE, "message key no longer available; send it again")
        if row.kind in RECEIPTED_KINDS:
            self._receipts.owe(contact, row.message_id)
        return "duplicate"

    async def _accept(
        self, contact: Contact, payload: Payload, position: bytes
    ) -> tuple[list[Change], list[AuditEvent]]:
        ctx = self._ctx
        status = "held" if contact.row.held else "received"
        row = message_row(payload, contact.contact_id, "in", status, received_at=ctx.clock())
        if self._mailboxes is not None and payload.kind in CONVERSATION_KINDS:
            answered = None if row.reply_to is None else await ctx.repo.message(row.reply_to)
            row.mailbox = self._mailboxes.filed(contact, row.mailbox, answered)
        else:
            row.mailbox = None
        changes = [ctx.repo.insert_message(row, position)]
        events: list[AuditEvent] = []
        if payload.kind is PayloadKind.RECEIPT:  # receipts take no place in the order
            receipt_changes, events = await self._receipts.accept(
                contact, Receipt.decode(payload.body)
            )
            return changes + receipt_changes, events
        changes += await self._advance_mark(contact, payload.seq)
        if payload.kind in CONVERSATION_KINDS:
            events.append(("received", "contact", contact.contact_id, payload.message_id))
        elif payload.kind is PayloadKind.CONTACT_CARD:
            card = ContactCard.decode(payload.body)
            contact.row.card = card
            changes.append(ctx.repo.update_card(contact.contact_id, card))
        elif payload.kind is PayloadKind.RESTORED and self._renewal is not None:
            changes += await self._renewal.restored_notice(contact, payload)
        elif payload.kind in (PayloadKind.UNPAIR, PayloadKind.REVOCATION):
            notice_changes = self._notice(contact, payload)
            if notice_changes:
                event = "unpaired" if payload.kind is PayloadKind.UNPAIR else "revoked"
                events.append((event, "contact", contact.contact_id, None))
            changes += notice_changes
        return changes, events

    def _notice(self, contact: Contact, payload: Payload) -> list[Change]:
        """A signed unpair or revocation notice: checked, then the contact is inactive and
        whatever still waits for it has failed."""
        ctx = self._ctx
        notice: Unpair | Revocation
        if payload.kind is PayloadKind.UNPAIR:
            notice, state = Unpair.decode(payload.body), "unpaired_by_peer"
        else:
            notice, state = Revocation.decode(payload.body), "revoked_by_peer"
        try:
            notice.verify(contact.row.public, ctx.identity.public)
        except ProtocolError:
            log.warning(
                "ignored a notice with a bad signature from %s", format_node_id(contact.contact_id)
            )
            return []
        successor = None
        if isinstance(notice, Revocation) and notice.successor is not None:
            successor = notice.successor.keys
            contact.row.successor = successor
        contact.row.state = state
        log.info("contact %s: %s", format_node_id(contact.contact_id), state.replace("_", " "))
        return [
            ctx.repo.set_contact_state(contact.contact_id, state, successor),
            *ctx.repo.abandon_outbox(contact.contact_id),
        ]

    async def _advance_mark(self, contact: Contact, seq: int) -> list[Change]:
        """Every payload below the mark has arrived: what was held behind a gap is shown."""
        if contact.above_mark is None:
            contact.above_mark = await self._ctx.repo.seqs_from(
                contact.contact_id, contact.row.recv_mark
            )
        mark = contact.row.recv_mark
        if seq < mark:
            return []
        contact.above_mark.add(seq)
        while mark in contact.above_mark:
            contact.above_mark.discard(mark)
            mark += 1
        if mark == contact.row.recv_mark:
            return []
        contact.row.recv_mark = mark
        return [self._ctx.repo.update_recv_mark(contact.contact_id, mark)]
