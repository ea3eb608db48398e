"""What a stored message is, beyond its encrypted body: the columns a payload fills (priority,
thread, attachment parts) and the JSON record that the local API, printing and the FHIR export
show (docs/local-api.md, "Message")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from node.protocol import Payload, PayloadKind
from node.protocol.attachment import Chunk
from node.protocol.conversation import (
    CONVERSATION_KINDS,
    AttachmentManifest,
    Handoff,
    Prescription,
    Priority,
    TextContent,
    decode_conversation,
)
from node.protocol.identity import format_node_id
from node.protocol.profile import Profile
from node.storage.store import MessageRow

KIND_NAMES = {
    PayloadKind.TEXT: "text",
    PayloadKind.HANDOFF: "handoff",
    PayloadKind.PRESCRIPTION: "prescription",
    PayloadKind.ATTACHMENT: "attachment",
}
CONVERSATION_KIND_CODES = tuple(int(kind) for kind in CONVERSATION_KINDS)


def iso(timestamp: float | None) -> str | None:
    """UTC with milliseconds, as every time in the local API."""
    if timestamp is None:
        return None
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def message_row(
    payload: Payload,
    contact_id: bytes,
    direction: str,
    status: str,
    received_at: float | None = None,
) -> MessageRow:
    """The row of a payload sent or received; the body was checked when it was decoded
    (incoming) or encoded (outgoing)."""
    row = MessageRow(
        message_id=payload.message_id,
        contact_id=contact_id,
        direction=direction,
        seq=payload.seq,
        kind=int(payload.kind),
        body=payload.body,
        sent_at_ms=payload.sent_at_ms,
        received_at=received_at,
        status=status,
        delivered_at=None,
        read_at=None,
    )
    if payload.kind in CONVERSATION_KINDS:
        meta, content = decode_conversation(payload.kind, payload.body)
        row.priority = int(meta.priority)
        row.reply_to = meta.reply_to
        if isinstance(content, AttachmentManifest):
            row.parts = content.chunk_count
    elif payload.kind is PayloadKind.CHUNK:
        chunk = Chunk.decode(payload.body)
        row.parent, row.part = chunk.attachment_id, chunk.index
    return row


def attachment_of(payload: Payload) -> bytes:
    """The attachment an ATTACHMENT or CHUNK payload belongs to."""
    if payload.kind is PayloadKind.CHUNK:
        return Chunk.decode(payload.body).attachment_id
    return payload.message_id


def content_of(row: MessageRow) -> TextContent | Handoff | Prescription | AttachmentManifest:
    return decode_conversation(PayloadKind(row.kind), row.body)[1]


def party(profile: Profile, node_id: bytes) -> dict[str, Any]:
    return {
        "name": profile.name,
        "node_id": format_node_id(node_id),
        "role": profile.role.name.lower(),
        "phone": profile.phone,
    }


def message_record(
    row: MessageRow,
    me: dict[str, Any],
    contact: dict[str, Any] | None,
    parts_done: int | None,
) -> dict[str, Any]:
    """The JSON form of a conversation message. ``me``/``contact`` are :func:`party` dicts;
    ``parts_done`` counts an attachment's chunks delivered (ours) or received (theirs)."""
    content = content_of(row)
    incoming = row.direction == "in"
    record: dict[str, Any] = {
        "message_id": row.message_id.hex(),
        "direction": row.direction,
        "contact_id": row.contact_id.hex(),
        "contact_name": contact["name"] if contact else None,
        "contact_phone": contact["phone"] if contact else None,
        "seq": row.seq,
        "kind": KIND_NAMES[PayloadKind(row.kind)],
        "priority": Priority(row.priority).name.lower(),
        "reply_to": None if row.reply_to is None else row.reply_to.hex(),
        "text": content.text if isinstance(content, TextContent) else None,
        "handoff": content.to_json() if isinstance(content, Handoff) else None,
        "prescription": content.to_json() if isinstance(content, Prescription) else None,
        "attachment": None,
        "sent_at": iso(row.sent_at_ms / 1000),
        "received_at": iso(row.received_at),
        "status": row.status,
        "delivered_at": iso(row.delivered_at),
        "read_at": iso(row.read_at),
        "acknowledged_at": iso(row.acknowledged_at),
        "sender": contact if incoming else me,
        "recipient": me if incoming else contact,
    }
    if isinstance(content, AttachmentManifest):
        record["attachment"] = {
            **content.to_json(),
            "chunks": content.chunk_count,
            "done": parts_done or 0,
            "complete": (row.complete_at is not None)
            if incoming
            else parts_done == content.chunk_count,
            "corrupt": row.corrupt,
        }
    return record
