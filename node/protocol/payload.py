"""What the ratchet encrypts: typed payloads (docs/protocol.md §9).

Every payload has a random 16-byte message id (for deduplication), a per-conversation
sequence number (for ordering), a kind, a sent-at time and a kind-specific body.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from .errors import LocalProtocolError, MalformedInput, UnsupportedVersion
from .notices import Revocation, Unpair
from .primitives import RandomSource
from .profile import Profile
from .reachability import Reachability
from .wire import Reader, Writer

VERSION: Final = 1
MESSAGE_ID_SIZE: Final = 16
HEADER_SIZE: Final = 1 + 1 + MESSAGE_ID_SIZE + 8 + 8
MAX_TEXT_BYTES: Final = 60_000
MAX_RECEIPT_IDS: Final = 1024


class PayloadKind(IntEnum):
    TEXT = 0x01
    RECEIPT = 0x02
    CONTACT_CARD = 0x03  # name, role and reachability: sent at pairing and when they change
    UNPAIR = 0x04  # the sender ends the pairing (signed notice, notices.py)
    REVOCATION = 0x05  # the sender's identity is revoked (signed notice, notices.py)


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
        return (
            Writer()
            .u8(VERSION)
            .u8(self.kind)
            .raw(self.message_id)
            .u64(self.seq)
            .u64(self.sent_at_ms)
            .raw(self.body)
            .getvalue()
        )

    @classmethod
    def decode(cls, data: bytes) -> Payload:
        reader = Reader(data, "payload")
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
        check_body(kind, payload.body)
        return payload


# --- Bodies ---------------------------------------------------------------------------


def encode_text(text: str) -> bytes:
    data = text.encode("utf-8")
    if len(data) > MAX_TEXT_BYTES:
        raise LocalProtocolError(f"text is longer than {MAX_TEXT_BYTES} bytes")
    return data


def decode_text_body(body: bytes) -> str:
    if len(body) > MAX_TEXT_BYTES:
        raise MalformedInput("text body too long")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInput("text body is not UTF-8") from None


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


_BODY_CHECKS: Final = {
    PayloadKind.TEXT: decode_text_body,
    PayloadKind.RECEIPT: Receipt.decode,
    PayloadKind.CONTACT_CARD: ContactCard.decode,
    PayloadKind.UNPAIR: Unpair.decode,
    PayloadKind.REVOCATION: Revocation.decode,
}


def check_body(kind: PayloadKind, body: bytes) -> None:
    """Raises :class:`MalformedInput` when a body of this kind does not decode."""
    _BODY_CHECKS[kind](body)
