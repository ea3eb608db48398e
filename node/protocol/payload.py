"""What the ratchet encrypts: typed payloads (docs/protocol.md §9).

Every payload has a random 16-byte message id (for deduplication), a per-conversation
sequence number (for ordering), a kind, a sent-at time and a kind-specific body. The
conversational kinds (TEXT, HANDOFF, PRESCRIPTION, ATTACHMENT) are in conversation.py, the
chunks of a file in attachment.py (§18).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from .attachment import Chunk
from .conversation import (
    CONVERSATION_KINDS,
    MAX_TEXT_BYTES,
    Meta,
    TextContent,
    check_text_body,
    decode_conversation,
    encode_conversation,
)
from .errors import LocalProtocolError, MalformedBody, MalformedInput, UnsupportedVersion
from .kinds import MESSAGE_ID_SIZE, PayloadKind
from .mailbox import Mailboxes
from .notices import Revocation, Unpair
from .primitives import RandomSource
from .profile import Profile
from .reachability import Reachability
from .readiness import Probe, ProbeAnswer
from .restored import decode_restored
from .wire import Reader, Writer

__all__ = [
    "HEADER_SIZE",
    "MAX_RECEIPT_IDS",
    "MAX_TEXT_BYTES",
    "MESSAGE_ID_SIZE",
    "VERSION",
    "ContactCard",
    "Payload",
    "PayloadKind",
    "Receipt",
    "ReceiptType",
    "check_body",
    "decode_text_body",
    "encode_text",
]

VERSION: Final = 1
HEADER_SIZE: Final = 1 + 1 + MESSAGE_ID_SIZE + 8 + 8
MAX_RECEIPT_IDS: Final = 1024
_HEADER: Final = struct.Struct(f">BB{MESSAGE_ID_SIZE}sQQ")  # version, kind, id, seq, sent at
_KINDS: Final = {kind.value: kind for kind in PayloadKind}


class ReceiptType(IntEnum):
    DELIVERED = 0x01
    READ = 0x02
    ACKNOWLEDGED = 0x03  # a person confirmed an urgent message


@dataclass(frozen=True)
class Payload:
    message_id: bytes
    seq: int
    kind: PayloadKind
    sent_at_ms: int
    body: bytes

    def __post_init__(self) -> None:
        if len(self.message_id) != MESSAGE_ID_SIZE:
            raise LocalProtocolError("message id must be 16 bytes")
        if not (0 <= self.seq < 2**64 and 0 <= self.sent_at_ms < 2**64):
            raise LocalProtocolError("sequence number or time out of range")

    @classmethod
    def new(
        cls, kind: PayloadKind, body: bytes, seq: int, now: float, rand: RandomSource
    ) -> Payload:
        return cls(rand(MESSAGE_ID_SIZE), seq, kind, int(now * 1000), body)

    def encode(self) -> bytes:
        # The message id is 16 bytes and the numbers in range (checked on construction).
        header = _HEADER.pack(VERSION, self.kind, self.message_id, self.seq, self.sent_at_ms)
        return header + self.body

    @classmethod
    def decode(cls, data: bytes) -> Payload:
        if type(data) is bytes and len(data) >= HEADER_SIZE:
            version, code, message_id, seq, sent_at_ms = _HEADER.unpack_from(data)
            kind = _KINDS.get(code)
            if version == VERSION and kind is not None:
                payload = cls(message_id, seq, kind, sent_at_ms, data[HEADER_SIZE:])
                _check_body_of(payload)
                return payload
        reader = Reader(data, "payload")  # names what is wrong
        version = reader.u8()
        if version != VERSION:
            raise UnsupportedVersion(f"payload version {version} is not supported")
        try:
            kind = PayloadKind(reader.u8())
        except ValueError:
            raise reader.fail("unknown payload kind") from None
        message_id = reader.raw(MESSAGE_ID_SIZE)
        seq, sent_at_ms = reader.u64(), reader.u64()
        payload = cls(message_id, seq, kind, sent_at_ms, reader.rest())
        _check_body_of(payload)
        return payload


def _check_body_of(payload: Payload) -> None:
    """:func:`check_body`, the refusal naming the payload's kind and id (MalformedBody)."""
    try:
        check_body(payload.kind, payload.body)
    except MalformedBody:
        raise
    except MalformedInput as exc:
        raise MalformedBody(int(payload.kind), payload.message_id, str(exc), exc.clinical) from None


# --- Bodies ---------------------------------------------------------------------------


def encode_text(text: str, meta: Meta | None = None) -> bytes:
    """A TEXT body (meta + UTF-8 text); :class:`ClinicalError` (a local error) when the
    text is blank, longer than :data:`MAX_TEXT_BYTES` or holds control characters."""
    return encode_conversation(meta or Meta(), TextContent(text))[1]


def decode_text_body(body: bytes) -> str:
    """The text of a TEXT body (its meta: :func:`conversation.decode_conversation`)."""
    content = decode_conversation(PayloadKind.TEXT, body)[1]
    assert isinstance(content, TextContent)
    return content.text


@dataclass(frozen=True)
class Receipt:
    """One receipt for one or more messages (a node confirms a burst in one payload)."""

    type: ReceiptType
    message_ids: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.message_ids) <= MAX_RECEIPT_IDS:
            raise LocalProtocolError(f"a receipt names 1 to {MAX_RECEIPT_IDS} messages")
        if any(len(message_id) != MESSAGE_ID_SIZE for message_id in self.message_ids):
            raise LocalProtocolError("message id must be 16 bytes")

    def encode(self) -> bytes:
        writer = Writer().u8(self.type).u16(len(self.message_ids))
        for message_id in self.message_ids:
            writer.raw(message_id)
        return writer.getvalue()

    @classmethod
    def decode(cls, body: bytes) -> Receipt:
        reader = Reader(body, "receipt")
        try:
            receipt_type = ReceiptType(reader.u8())
        except ValueError:
            raise reader.fail("unknown receipt type") from None
        count = reader.u16()
        if not 1 <= count <= MAX_RECEIPT_IDS:
            raise reader.fail(f"a receipt names 1 to {MAX_RECEIPT_IDS} messages")
        message_ids = tuple(reader.raw(MESSAGE_ID_SIZE) for _ in range(count))
        reader.done()
        return cls(receipt_type, message_ids)


@dataclass(frozen=True)
class ContactCard:
    profile: Profile
    reachability: Reachability

    def encode(self) -> bytes:
        writer = Writer()
        self.profile.encode_into(writer)
        self.reachability.encode_into(writer)
        return writer.getvalue()

    @classmethod
    def decode(cls, body: bytes) -> ContactCard:
        reader = Reader(body, "contact card")
        card = cls(Profile.decode_from(reader), Reachability.decode_from(reader))
        reader.done()
        return card


def _conversation_check(kind: PayloadKind) -> Callable[[bytes], object]:
    return lambda body: decode_conversation(kind, body)


_BODY_CHECKS: Final[dict[PayloadKind, Callable[[bytes], object]]] = {
    PayloadKind.RECEIPT: Receipt.decode,
    PayloadKind.CONTACT_CARD: ContactCard.decode,
    PayloadKind.UNPAIR: Unpair.decode,
    PayloadKind.REVOCATION: Revocation.decode,
    PayloadKind.CHUNK: Chunk.decode,
    PayloadKind.RESTORED: decode_restored,
    PayloadKind.PROBE: Probe.decode,
    PayloadKind.PROBE_ANSWER: ProbeAnswer.decode,
    PayloadKind.MAILBOXES: Mailboxes.decode,
    **{kind: _conversation_check(kind) for kind in CONVERSATION_KINDS},
    # decode_conversation's checks of a text, without building the objects it returns
    PayloadKind.TEXT: check_text_body,
}


def check_body(kind: PayloadKind, body: bytes) -> None:
    """Raises :class:`MalformedInput` when a body of this kind does not decode."""
    _BODY_CHECKS[kind](body)
