"""Sending (docs/local-api.md, POST /v1/messages and /v1/files): a text, a handoff, a
prescription or a file is sealed and queued in the outbox, with its audit entry, in one commit.
"""

from __future__ import annotations

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import Invalid, NotFound
from node.core.records import CONVERSATION_KIND_CODES, MessageRow, message_row
from node.protocol import PayloadKind
from node.protocol.conversation import (
    AttachmentManifest,
    Content,
    Meta,
    encode_conversation,
)
from node.protocol.errors import ClinicalError, LocalProtocolError


def invalid_field(exc: ClinicalError) -> Invalid:
    """A refused clinical form, naming the field and the reason (never the value)."""
    return Invalid("invalid_field", str(exc), {"field": exc.field, "reason": exc.reason})


class Sending:
    def __init__(self, ctx: NodeContext) -> None:
        self._ctx = ctx

    async def send(self, reference: str, meta: Meta, content: Content) -> MessageRow:
        contact = await self._recipient(reference, meta)
        try:
            kind, body = encode_conversation(meta, content)
        except ClinicalError as exc:
            raise invalid_field(exc) from None
        except LocalProtocolError as exc:
            raise Invalid("text_too_long", str(exc)) from None
        return await self._seal_and_queue(contact, kind, body, meta, content)

    async def send_file(
        self, reference: str, file_name: str, data: bytes, meta: Meta, caption: str | None
    ) -> MessageRow:
        """A file as a manifest (shown as the message) followed by its chunks, all queued in
        one commit: the outbox then carries them across restarts until each is confirmed."""
        contact = await self._recipient(reference, meta)
        try:
            manifest = AttachmentManifest.for_file(file_name, data, caption)
            kind, body = encode_conversation(meta, manifest)
        except ClinicalError as exc:
            raise invalid_field(exc) from None
        return await self._seal_and_queue(contact, kind, body, meta, manifest, data)

    async def _recipient(self, reference: str, meta: Meta) -> Contact:
        """An active contact; a reply answers a message of the same conversation."""
        contact = self._ctx.contacts.resolve(reference)
        contact.require_active()
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
        return contact

    async def _seal_and_queue(
        self,
        contact: Contact,
        kind: PayloadKind,
        body: bytes,
        meta: Meta,
        content: Content,
        data: bytes | None = None,
    ) -> MessageRow:
        """Seals the message (and a file's chunks after it) and queues everything, with the
        message's audit entry, in one commit."""
        ctx = self._ctx
        repo, contact_id = ctx.repo, contact.contact_id
        async with contact.lock:
            session = await ctx.session_of(contact)
            now = ctx.clock()
            payload, packet = session.seal(kind, body, now, ctx.rand)
            row = message_row(payload, contact_id, "out", "queued", conversation=(meta, content))
            changes = [
                repo.insert_message(row),
                repo.enqueue(contact_id, packet, payload.message_id, now),
            ]
            if isinstance(content, AttachmentManifest) and data is not None:
                for chunk in content.chunks(data, row.message_id):
                    part, packet = session.seal(PayloadKind.CHUNK, chunk.encode(), now, ctx.rand)
                    changes += [
                        repo.insert_message(message_row(part, contact_id, "out", "queued")),
                        repo.enqueue(contact_id, packet, part.message_id, now),
                    ]
            changes.append(repo.update_session(contact_id, session))
            future = ctx.submit(changes, [("sent", "local", contact_id, row.message_id)])
        await ctx.await_commit(future)
        ctx.wake_outbox()
        return row
