"""Conversational messages: text, handoff, prescription, attachment (docs/protocol.md §18).

Each is a payload whose body is the :class:`Meta` (priority, and the message it answers)
followed by its content::

    meta = priority u8 (0 normal, 1 urgent) || reply flag u8 (0 or 1) || [reply_to (16)]
    TEXT         body = meta || UTF-8 text (the rest of the body)
    HANDOFF      body = meta || handoff       (handoff.py)
    PRESCRIPTION body = meta || prescription  (prescription.py)
    ATTACHMENT   body = meta || manifest      (attachment.py)

The bodies carry no version byte of their own: the payload's version byte (§9.1) covers the
layout of every kind, and a changed layout would be a new payload kind.

Two paths build a content and both run the same checks. :func:`content_from_json` (what a
clinician typed, through the local API) raises :class:`ClinicalError` naming the field, and
also applies the rules that need a clock ("not in the future"). :func:`decode_conversation`
(a peer's body) raises :class:`MalformedInput`; it has no clock, so the future-date rules are
not applied to received messages (a sender's clock may be ahead; the receiver shows the date).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from .attachment import AttachmentManifest
from .characters import has_control_in_message
from .errors import ClinicalError, LocalProtocolError, MalformedInput
from .handoff import Handoff
from .kinds import MESSAGE_ID_SIZE, PayloadKind
from .patient import Patient, Sex
from .prescription import Prescriber, Prescription, PrescriptionLine
from .validation import JsonFields, remote
from .wire import Reader, Writer

MAX_TEXT_BYTES: Final = 60_000
# Every conversational body fits one packet with room to spare (envelope.py's largest
# ratchet plaintext is 65,413 bytes, the payload header 34).
MAX_BODY_BYTES: Final = 61_440

__all__ = [
    "CONVERSATION_KINDS",
    "MAX_BODY_BYTES",
    "MAX_TEXT_BYTES",
    "AttachmentManifest",
    "Content",
    "Handoff",
    "Meta",
    "Patient",
    "Prescriber",
    "Prescription",
    "PrescriptionLine",
    "Priority",
    "Sex",
    "TextContent",
    "content_from_json",
    "decode_conversation",
    "encode_conversation",
    "kind_name",
    "meta_from_json",
]


class Priority(IntEnum):
    NORMAL = 0
    URGENT = 1  # asks the recipient for a human acknowledgement (ReceiptType.ACKNOWLEDGED)


@dataclass(frozen=True)
class Meta:
    """What every conversational message says besides its content."""

    priority: Priority = Priority.NORMAL
    reply_to: bytes | None = None  # the message id of the message this one answers

    def __post_init__(self) -> None:
        if not isinstance(self.priority, Priority):
            raise LocalProtocolError("priority must be a Priority")
        if self.reply_to is not None and len(self.reply_to) != MESSAGE_ID_SIZE:
            raise LocalProtocolError("reply_to must be a 16-byte message id")

    def encode_into(self, writer: Writer) -> None:
        writer.u8(self.priority)
        if self.reply_to is None:
            writer.u8(0)
        else:
            writer.u8(1).raw(self.reply_to)

    @classmethod
    def decode_from(cls, reader: Reader) -> Meta:
        try:
            priority = Priority(reader.u8())
        except ValueError:
            raise reader.fail("unknown priority") from None
        flag = reader.u8()
        if flag not in (0, 1):
            raise reader.fail("bad reply flag")
        return cls(priority, reader.raw(MESSAGE_ID_SIZE) if flag else None)

    def to_json(self) -> dict[str, Any]:
        return {
            "priority": self.priority.name.lower(),
            "reply_to": None if self.reply_to is None else self.reply_to.hex(),
        }


def meta_from_json(priority: object = None, reply_to: object = None) -> Meta:
    """The meta from the API's ``priority`` ("normal"/"urgent", default normal) and
    ``reply_to`` (32 hex digits or null)."""
    if priority is None:
        level = Priority.NORMAL
    elif priority in ("normal", "urgent"):
        level = Priority[str(priority).upper()]
    else:
        raise ClinicalError("priority", "invalid_choice")
    if reply_to is None:
        return Meta(level)
    if not isinstance(reply_to, str) or len(reply_to) != 2 * MESSAGE_ID_SIZE:
        raise ClinicalError("reply_to", "invalid_id")
    try:
        message_id = bytes.fromhex(reply_to)
    except ValueError:
        raise ClinicalError("reply_to", "invalid_id") from None
    return Meta(level, message_id)


@dataclass(frozen=True)
class TextContent:
    """A plain text message: not blank, at most :data:`MAX_TEXT_BYTES` in UTF-8. Kept as
    typed (not stripped); control characters other than tab and line breaks are refused
    (a terminal escape sequence from a peer must not reach the CLI's screen)."""

    text: str

    def __post_init__(self) -> None:
        text = self.text
        if not isinstance(text, str):
            raise ClinicalError("text", "required" if text is None else "invalid_type")
        if not text.strip():
            raise ClinicalError("text", "required")
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            raise ClinicalError("text", "invalid_text") from None
        if size > MAX_TEXT_BYTES:
            raise ClinicalError("text", "too_long")
        if has_control_in_message(text):
            raise ClinicalError("text", "invalid_text")

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text}

    @classmethod
    def from_json(cls, obj: object) -> TextContent:
        """From ``{"text": ...}`` or from the text itself."""
        if isinstance(obj, str):
            return cls(obj)
        fields = JsonFields(obj)
        text = fields.get("text")
        fields.done()
        if text is None or not isinstance(text, str):
            raise ClinicalError("text", "required" if text is None else "invalid_type")
        return cls(text)


Content = TextContent | Handoff | Prescription | AttachmentManifest

CONVERSATION_KINDS: Final = frozenset(
    {PayloadKind.TEXT, PayloadKind.HANDOFF, PayloadKind.PRESCRIPTION, PayloadKind.ATTACHMENT}
)
_KIND_OF: Final[dict[type, PayloadKind]] = {
    TextContent: PayloadKind.TEXT,
    Handoff: PayloadKind.HANDOFF,
    Prescription: PayloadKind.PRESCRIPTION,
    AttachmentManifest: PayloadKind.ATTACHMENT,
}
_NAMES: Final = {
    PayloadKind.TEXT: "text",
    PayloadKind.HANDOFF: "handoff",
    PayloadKind.PRESCRIPTION: "prescription",
    PayloadKind.ATTACHMENT: "attachment",
}


def kind_name(kind: PayloadKind) -> str:
    """The API's name of a conversational kind: "text", "handoff", "prescription",
    "attachment"."""
    return _NAMES[kind]


def encode_conversation(meta: Meta, content: Content) -> tuple[PayloadKind, bytes]:
    """The payload kind and body of a message; :class:`ClinicalError` (field "message",
    reason "too_long") when the body would not fit one packet."""
    kind = _KIND_OF[type(content)]
    writer = Writer()
    meta.encode_into(writer)
    if isinstance(content, TextContent):
        writer.raw(content.text.encode("utf-8"))
    else:
        content.encode_into(writer)
    body = writer.getvalue()
    if len(body) > MAX_BODY_BYTES:
        raise ClinicalError("message", "too_long")
    return kind, body


def decode_conversation(kind: PayloadKind, body: bytes) -> tuple[Meta, Content]:
    """A peer's message; raises only :class:`MalformedInput` on a bad body (including
    content that :func:`content_from_json` would refuse, the future-date rules aside)."""
    what = _NAMES.get(kind)
    if what is None:
        raise MalformedInput(f"payload kind {kind!r} is not a conversational message")
    reader = Reader(body, what)
    if len(body) > MAX_BODY_BYTES:
        raise reader.fail("body too long")
    meta = Meta.decode_from(reader)
    content: Content
    if kind is PayloadKind.TEXT:
        data = reader.rest()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise reader.fail("text is not UTF-8") from None
        content = remote("text", lambda: TextContent(text))
    elif kind is PayloadKind.HANDOFF:
        content = Handoff.decode_from(reader)
    elif kind is PayloadKind.PRESCRIPTION:
        content = Prescription.decode_from(reader)
    else:
        content = AttachmentManifest.decode_from(reader)
    reader.done()
    return meta, content


def content_from_json(kind: str, obj: object, today: datetime.date) -> Content:
    """The content of a message the local API received: ``kind`` is "text", "handoff" or
    "prescription" (a file comes as bytes: :meth:`AttachmentManifest.for_file`). ``today``
    is the local date, for the rules against dates in the future. Raises
    :class:`ClinicalError`. The checks done, the body must also fit one packet."""
    content: Content
    if kind == "text":
        content = TextContent.from_json(obj)
    elif kind == "handoff":
        content = Handoff.from_json(obj, today)
    elif kind == "prescription":
        content = Prescription.from_json(obj, today)
    else:
        raise ClinicalError("kind", "invalid_choice")
    encode_conversation(Meta(), content)  # too long for one packet: refused now, not at sending
    return content
