"""Sending (docs/local-api.md, POST /v1/messages and /v1/files): a text, a handoff, a
prescription or a file is sealed and queued in the outbox, with its audit entry, in one commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from node.core.accounts import acting_account
from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import Invalid, NotFound
from node.core.mailboxes import MailboxBook
from node.core.ports import AuditEvent
from node.core.records import CONVERSATION_KIND_CODES, MessageRow, message_row
from node.protocol import Payload, PayloadKind, Session
from node.protocol.conversation import (
    AttachmentManifest,
    Content,
    Meta,
    encode_conversation,
)
from node.protocol.errors import ClinicalError, LocalProtocolError
from node.protocol.kinds import MESSAGE_ID_SIZE
from node.protocol.prescription_signature import SIGNED_KINDS, sign_body
from node.protocol.primitives import RandomSource


def invalid_field(exc: ClinicalError) -> Invalid:
    """A refused clinical form, naming the field and the reason (never the value)."""
    return Invalid("invalid_field", str(exc), {"field": exc.field, "reason": exc.reason})


class Sending:
    def __init__(self, ctx: NodeContext, mailboxes: MailboxBook | None = None) -> None:
        self._ctx = ctx
        # A clinic server's mailboxes: a person's message leaves from one of theirs.
        self.mailboxes = mailboxes

    async def send(
        self, reference: str, meta: Meta, content: Content, mailbox: bytes | None = None
    ) -> MessageRow:
        return await self.send_to(
            self._ctx.contacts.resolve(reference), meta, content, mailbox=mailbox
        )

    async def send_to(
        self,
        contact: Contact,
        meta: Meta,
        content: Content,
        events: Sequence[AuditEvent] = (),
        mailbox: bytes | None = None,
    ) -> MessageRow:
        """A message to a contact; a prescription or cancellation is signed (§19.2) with
        our identity key over the message id, which is therefore chosen before sealing.
        ``events``: audit entries committed with it (beside its "sent"); ``mailbox``: ours
        it is sent from (a clinic server's, node.core.mailboxes)."""
        await self._check_recipient(contact, meta)
        if mailbox is None and self.mailboxes is not None:
            mailbox = await self.mailboxes.sent_from(acting_account(), meta.reply_to)
        try:
            kind, body = encode_conversation(meta, content)
        except ClinicalError as exc:
            raise invalid_field(exc) from None
        except LocalProtocolError as exc:
            raise Invalid("text_too_long", str(exc)) from None
        message_id = None
        if kind in SIGNED_KINDS:
            ctx = self._ctx
            message_id = ctx.rand(MESSAGE_ID_SIZE)
            body = sign_body(ctx.identity, kind, contact.contact_id, message_id, body)
        return await self._seal_and_queue(
            contact, kind, body, meta, content, None, message_id, events, mailbox
        )

    async def send_file(
        self,
        reference: str,
        file_name: str,
        data: bytes,
        meta: Meta,
        caption: str | None,
        mailbox: bytes | None = None,
    ) -> MessageRow:
        """A file as a manifest (shown as the message) followed by its chunks, all queued in
        one commit: the outbox then carries them across restarts until each is confirmed."""
        contact = await self._recipient(reference, meta)
        if mailbox is None and self.mailboxes is not None:
            mailbox = await self.mailboxes.sent_from(acting_account(), meta.reply_to)
        try:
            manifest = AttachmentManifest.for_file(file_name, data, caption)
            kind, body = encode_conversation(meta, manifest)
        except ClinicalError as exc:
            raise invalid_field(exc) from None
        return await self._seal_and_queue(
            contact, kind, body, meta, manifest, data, mailbox=mailbox
        )

    async def _recipient(self, reference: str, meta: Meta) -> Contact:
        contact = self._ctx.contacts.resolve(reference)
        await self._check_recipient(contact, meta)
        return contact

    async def _check_recipient(self, contact: Contact, meta: Meta) -> None:
        """An active contact; a reply answers a message of the same conversation; a
        mailbox only to a contact that listed it (an older node would refuse it, §9.6)."""
        contact.require_active()
        listed = contact.row.mailboxes
        if meta.mailbox is not None and (listed is None or listed.get(meta.mailbox) is None):
            raise NotFound("mailbox_not_found", "the contact has no such mailbox")
        if meta.reply_to is not None:
            row = await self._ctx.repo.message(meta.reply_to)
            if (
                row is None
                or row.contact_id != contact.contact_id
                or row.kind not in CONVERSATION_KIND_CODES
            ):
                raise NotFound(
                    "message_not_found", "the message answered is not in this conversation"
                )

    async def _seal_and_queue(
        self,
        contact: Contact,
        kind: PayloadKind,
        body: bytes,
        meta: Meta,
        content: Content,
        data: bytes | None = None,
        message_id: bytes | None = None,
        events: Sequence[AuditEvent] = (),
        mailbox: bytes | None = None,
    ) -> MessageRow:
        """Seals the message (and a file's chunks after it) and queues everything, with the
        message's audit entry, in one commit. ``message_id``: the id a signed body names."""
        ctx = self._ctx
        repo, contact_id = ctx.repo, contact.contact_id
        async with contact.lock:
            session = await ctx.session_of(contact)
            now = ctx.clock()
            rand = ctx.rand if message_id is None else _drawing_first(message_id, ctx.rand)
            seal = session.seal if session.can_send else _unsealed(session)
            payload, packet = seal(kind, body, now, rand)
            if message_id is not None and payload.message_id != message_id:
                # The session drew something else first: the signature would not verify.
                contact.session = None
                raise LocalProtocolError("the sealed message id is not the one signed")
            row = message_row(payload, contact_id, "out", "queued", conversation=(meta, content))
            row.mailbox = mailbox  # ours it leaves from (the meta names the contact's)
            changes = [repo.insert_message(row)]
            if packet is not None:
                changes.append(repo.enqueue(contact_id, packet, payload.message_id, now))
            if isinstance(content, AttachmentManifest) and data is not None:
                for chunk in content.chunks(data, row.message_id):
                    part, packet = seal(PayloadKind.CHUNK, chunk.encode(), now, ctx.rand)
                    changes.append(
                        repo.insert_message(message_row(part, contact_id, "out", "queued"))
                    )
                    if packet is not None:
                        changes.append(repo.enqueue(contact_id, packet, part.message_id, now))
            changes.append(repo.update_session(contact_id, session))
            sent: AuditEvent = ("sent", "local", contact_id, row.message_id)
            future = ctx.submit(changes, [sent, *events])
        await ctx.await_commit(future)
        ctx.wake_outbox()
        return row


def _unsealed(session: Session) -> Callable[..., tuple[Payload, bytes | None]]:
    """While the session is renewed after a restore (docs/protocol.md §20) nothing may be
    sealed under a stale key: the message is queued without a packet, and sealed with its id
    under the new session once the contact has answered (node.core.renewal)."""

    def queue(
        kind: PayloadKind, body: bytes, now: float, rand: RandomSource
    ) -> tuple[Payload, bytes | None]:
        return Payload.new(kind, body, session.next_seq, now, rand), None

    return queue


def _drawing_first(message_id: bytes, rand: RandomSource) -> RandomSource:
    """``rand`` whose first draw is ``message_id``: a payload's message id is the first
    thing its sealing draws (docs/protocol.md §9.1, §15.2), and a signed body must name its
    id before it is sealed. The caller checks the sealed id."""
    drawn = False

    def draw(size: int) -> bytes:
        nonlocal drawn
        if not drawn:
            drawn = True
            if size == len(message_id):
                return message_id
        return rand(size)

    return draw
