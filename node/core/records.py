"""What the node keeps about contacts, messages, the outbox and invitations: plain rows, as the
repository (node.storage) reads and writes them, and how a payload becomes a message row."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final, Literal

from node.protocol import ContactCard, Payload, PayloadKind, PendingInvitation, PublicIdentity
from node.protocol.attachment import Chunk
from node.protocol.conversation import (
    CONVERSATION_KINDS,
    AttachmentManifest,
    Content,
    Meta,
    decode_conversation,
)
from node.protocol.mailbox import Mailboxes

CONVERSATION_KIND_CODES: Final = tuple(int(kind) for kind in CONVERSATION_KINDS)


@dataclass
class ContactRow:
    contact_id: bytes
    public: PublicIdentity
    card: ContactCard
    paired_at: float
    verified: bool
    recv_mark: int
    state: str = "active"
    successor: bytes | None = None  # keys announced by the peer's revocation
    predecessor: bytes | None = None  # the revoked contact this one replaces (a key change)
    # The contact's public mailboxes (§9.6); None: never told (a node older than mailboxes).
    mailboxes: Mailboxes | None = None

    @property
    def held(self) -> bool:
        """A key change not yet verified: this contact's messages are held."""
        return self.predecessor is not None and not self.verified


@dataclass
class MessageRow:
    message_id: bytes
    contact_id: bytes
    direction: str
    seq: int
    kind: int
    body: bytes
    sent_at_ms: int
    received_at: float | None
    status: str
    delivered_at: float | None
    read_at: float | None
    priority: int = 0  # 1: urgent, asks for a person's acknowledgement
    reply_to: bytes | None = None
    acknowledged_at: float | None = None
    parent: bytes | None = None  # a chunk's attachment
    part: int | None = None  # a chunk's index
    parts: int | None = None  # an attachment's chunk count
    complete_at: float | None = None  # an incoming attachment: every chunk in, hash checked
    corrupt: bool = False  # an incoming attachment whose hash did not match
    # A clinic server's mailbox (node.core.mailboxes): theirs, where it was filed; ours, the
    # one it was sent from. None: no mailbox.
    mailbox: bytes | None = None

    @property
    def listed_at(self) -> float:
        """When it appears in a listing: received (theirs) or sent (ours)."""
        return self.received_at if self.received_at is not None else self.sent_at_ms / 1000


@dataclass(frozen=True)
class Mailbox:
    """A clinic server's mailbox (node.core.mailboxes); stored encrypted."""

    mailbox_id: bytes
    name: str
    kind: str  # "personal" or "shared"
    members: tuple[str, ...] = ()  # account ids
    public: bool = True  # listed to contacts
    default: bool = False  # where a message naming no (known) mailbox goes

    def encode(self) -> bytes:
        record = {
            "name": self.name,
            "kind": self.kind,
            "members": list(self.members),
            "public": self.public,
            "default": self.default,
        }
        return json.dumps(record, ensure_ascii=False).encode()

    @classmethod
    def decode(cls, mailbox_id: bytes, data: bytes) -> Mailbox:
        record = json.loads(data)
        return cls(
            mailbox_id,
            str(record["name"]),
            str(record["kind"]),
            tuple(str(m) for m in record["members"]),
            bool(record["public"]),
            bool(record["default"]),
        )


@dataclass
class OutboxRow:
    id: int
    contact_id: bytes
    message_id: bytes | None
    created_at: float
    attempts: int


@dataclass
class InvitationRow:
    tag: bytes
    pending: PendingInvitation | None
    expires_at: int
    used_by: bytes | None
    answer_hash: bytes | None


def message_row(
    payload: Payload,
    contact_id: bytes,
    direction: str,
    status: str,
    received_at: float | None = None,
    conversation: tuple[Meta, Content] | None = None,
) -> MessageRow:
    """The row of a payload sent or received. ``conversation`` is the meta and content a
    sender just encoded (so that they are not decoded again); a received body is decoded
    here, once, which also checks it."""
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
        meta, content = conversation or decode_conversation(payload.kind, payload.body)
        row.priority = int(meta.priority)
        row.reply_to = meta.reply_to
        row.mailbox = meta.mailbox  # the mailbox named; filed by node.core.mailboxes
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


def content_of(row: MessageRow) -> Content:
    return decode_conversation(PayloadKind(row.kind), row.body)[1]


# Where an audit log stops being evidence (node.storage.audit).
Reason = Literal["changed", "missing", "reordered", "truncated", "seal"]


@dataclass(frozen=True)
class Verification:
    """The result of a check: ``ok``, how many entries were read, and the first problem."""

    ok: bool
    entries: int
    position: int | None = None
    reason: Reason | None = None

    def as_json(self) -> dict[str, Any]:
        problem = None if self.ok else {"position": self.position, "reason": self.reason}
        return {"ok": self.ok, "entries": self.entries, "problem": problem}
