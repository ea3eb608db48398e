"""What a clinician does with conversation messages through the local API: send a text,
a handoff, a prescription or a file; read; acknowledge an urgent message; and what the
node records when a message is printed, saved or exported (docs/local-api.md).

Every action commits its audit entry in the same batch as the action itself.
"""

from __future__ import annotations

from node.core.errors import ApiError
from node.core.records import CONVERSATION_KIND_CODES, message_row
from node.core.service import Contact, NodeService
from node.protocol import PayloadKind
from node.protocol.conversation import (
    AttachmentManifest,
    Content,
    Meta,
    Priority,
    encode_conversation,
)
from node.protocol.errors import ClinicalError, LocalProtocolError
from node.protocol.payload import ReceiptType
from node.storage.store import MessageRow


def invalid_field(exc: ClinicalError) -> ApiError:
    return ApiError(400, "invalid_field", str(exc), {"field": exc.field, "reason": exc.reason})


async def check_reply(service: NodeService, contact: Contact, meta: Meta) -> None:
    """A reply answers a message of the same conversation."""
    if meta.reply_to is None:
        return
    row = await service.store.message(meta.reply_to)
    if (
        row is None
        or row.contact_id != contact.contact_id
        or row.kind not in CONVERSATION_KIND_CODES
    ):
        raise ApiError(404, "message_not_found", "the message answered is not in this conversation")


async def send(service: NodeService, reference: str, meta: Meta, content: Content) -> MessageRow:
    contact = service.resolve_contact(reference)
    service.require_active(contact)
    await check_reply(service, contact, meta)
    try:
        kind, body = encode_conversation(meta, content)
    except ClinicalError as exc:
        raise invalid_field(exc) from None
    except LocalProtocolError as exc:
        raise ApiError(400, "text_too_long", str(exc)) from None
    return await _seal_and_queue(service, contact, kind, body)


async def send_file(
    service: NodeService,
    reference: str,
    file_name: str,
    data: bytes,
    meta: Meta,
    caption: str | None,
) -> MessageRow:
    """A file as a manifest (shown as the message) followed by its chunks, all queued in
    one commit: the outbox then carries them across restarts until each is confirmed."""
    contact = service.resolve_contact(reference)
    service.require_active(contact)
    await check_reply(service, contact, meta)
    try:
        manifest = AttachmentManifest.for_file(file_name, data, caption)
        kind, body = encode_conversation(meta, manifest)
    except ClinicalError as exc:
        raise invalid_field(exc) from None
    return await _seal_and_queue(service, contact, kind, body, file=(manifest, data))


async def _seal_and_queue(
    service: NodeService,
    contact: Contact,
    kind: PayloadKind,
    body: bytes,
    file: tuple[AttachmentManifest, bytes] | None = None,
) -> MessageRow:
    """Seals the message (and the file's chunks after it) and queues everything, with the
    message's audit entry, in one commit."""
    store = service.store
    contact_id = contact.contact_id
    async with contact.lock:
        session = await service.session_of(contact)
        now = service.clock()
        payload, packet = session.seal(kind, body, now, service.rand)
        row = message_row(payload, contact_id, "out", "queued")
        statements = [
            store.insert_message(row),
            store.enqueue(contact_id, packet, payload.message_id, now),
        ]
        if file is not None:
            manifest, data = file
            for chunk in manifest.chunks(data, row.message_id):
                part, packet = session.seal(PayloadKind.CHUNK, chunk.encode(), now, service.rand)
                statements += [
                    store.insert_message(message_row(part, contact_id, "out", "queued")),
                    store.enqueue(contact_id, packet, part.message_id, now),
                ]
        statements.append(store.update_session(contact_id, session))
        future = service.submit(statements, [("sent", "local", contact_id, row.message_id)])
    await service.await_commit(future)
    service.on_outbox()
    return row


async def conversation_message(service: NodeService, message_id: bytes) -> MessageRow:
    row = await service.store.message(message_id)
    if row is None or row.kind not in CONVERSATION_KIND_CODES:
        raise ApiError(404, "message_not_found", "no message with that id")
    return row


async def _answer(
    service: NodeService, row: MessageRow, receipts: list[ReceiptType], event: str
) -> None:
    """Sends our receipts for an incoming message and records what the person did."""
    contact = service.contacts[row.contact_id]
    now = service.clock()
    async with contact.lock:
        statements = []
        for receipt_type in receipts:
            statements += await service.receipt(contact, receipt_type, [row.message_id])
        if event == "read":
            statements.append(service.store.set_message_status(row.message_id, "read", read_at=now))
        else:
            statements.append(service.store.acknowledge(row.message_id, now))
        session = await service.session_of(contact)
        statements.append(service.store.update_session(contact.contact_id, session))
        future = service.submit(statements, [(event, "local", contact.contact_id, row.message_id)])
    await service.await_commit(future)
    service.on_outbox()


async def mark_read(service: NodeService, message_id: bytes) -> MessageRow:
    row = await conversation_message(service, message_id)
    if row.direction != "in" or row.status == "read":
        return row
    await _answer(service, row, [ReceiptType.READ], "read")
    return await conversation_message(service, message_id)


async def acknowledge(service: NodeService, message_id: bytes) -> MessageRow:
    """A person confirms an urgent message: a receipt distinct from delivered and read."""
    row = await conversation_message(service, message_id)
    if row.direction != "in" or row.priority != Priority.URGENT:
        raise ApiError(409, "not_urgent", "only a received urgent message can be acknowledged")
    if row.acknowledged_at is not None:
        return row
    receipts = [ReceiptType.ACKNOWLEDGED]
    if row.status != "read":
        receipts.insert(0, ReceiptType.READ)
    await _answer(service, row, receipts, "acknowledged")
    return await conversation_message(service, message_id)


async def record(service: NodeService, event: str, rows: list[MessageRow]) -> None:
    """The person printed, saved or exported these messages (audit only)."""
    await service.commit([], [(event, "local", row.contact_id, row.message_id) for row in rows])


def _urgent_clause(direction: str) -> str:
    kinds = ",".join(str(kind) for kind in CONVERSATION_KIND_CODES)
    return (
        f"m.direction = '{direction}' AND m.priority = {int(Priority.URGENT)}"
        f" AND m.acknowledged_at IS NULL AND m.status NOT IN ('failed', 'held')"
        f" AND m.kind IN ({kinds})"
    )


async def awaiting_acknowledgement(service: NodeService) -> list[MessageRow]:
    """Our urgent messages nobody has acknowledged yet."""
    return await service.store.messages(_urgent_clause("out"), (), 1000)


async def incoming_urgent(service: NodeService) -> list[MessageRow]:
    """Urgent messages we received and have not acknowledged."""
    visible, params = service.visible_clause()
    return await service.store.messages(f"{_urgent_clause('in')} AND {visible}", params, 1000)
