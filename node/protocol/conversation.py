"""Conversational messages: text, handoff, prescription, attachment (docs/protocol.md §18).

Each is a payload whose body is the :class:`Meta` (priority, and the message it answers)
followed by its content::

    meta = priority u8 (0 normal, 1 urgent) || flags u8 (0x01 reply, 0x02 mailbox)
           || [reply_to (16)] || [mailbox (8), §9.6: only to a node that listed its mailboxes]
    TEXT         body = meta || UTF-8 text (the rest of the body)
    HANDOFF      body = meta || handoff       (handoff.py)
    PRESCRIPTION body = meta || prescription  (prescription.py, version 1: decoded only)
    ATTACHMENT   body = meta || manifest      (attachment.py)
    SIGNED_PRESCRIPTION body = meta || prescription v2 || signature (§19)
    CANCELLATION body = meta (reply_to required) || cancellation || signature (lifecycle.py)
    DISPENSING   body = meta (reply_to required) || dispensing report (lifecycle.py)
    ESCALATION   body = meta || the backup contact's notice (escalation.py, §18.9)

A signed body is encoded here with a placeholder signature (prescription_signature.py); the
sender signs it once it knows the message id.

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
from .characters import utf8_has_control_in_message
from .errors import ClinicalError, LocalProtocolError, MalformedInput
from .escalation import EscalationNotice
from .handoff import VERSION_2 as HANDOFF_VERSION_2
from .handoff import Handoff, ReadBack
from .kinds import MESSAGE_ID_SIZE, PayloadKind
from .lifecycle import Cancellation, Dispensing
from .mailbox import MAILBOX_ID_SIZE
from .patient import Patient, Sex
from .prescription import VERSION_2, Prescriber, Prescription, PrescriptionLine
from .prescription_signature import PLACEHOLDER, SIGNED_KINDS
from .primitives import SIGNATURE_SIZE
from .validation import JsonFields, remote
from .wire import Reader, Writer

MAX_TEXT_BYTES: Final = 60_000
# Every conversational body fits one packet with room to spare (envelope.py's largest
# ratchet plaintext is 65,413 bytes, the payload header 34).
MAX_BODY_BYTES: Final = 61_440

__all__ = [
    "CONVERSATION_KINDS",
    "HANDOFF_KINDS",
    "MAX_BODY_BYTES",
    "MAX_TEXT_BYTES",
    "AttachmentManifest",
    "Cancellation",
    "Content",
    "Dispensing",
    "EscalationNotice",
    "Handoff",
    "Meta",
    "Patient",
    "Prescriber",
    "Prescription",
    "PrescriptionLine",
    "Priority",
    "ReadBack",
    "Sex",
    "TextContent",
    "check_text_body",
    "content_from_json",
    "decode_conversation",
    "encode_conversation",
    "kind_name",
    "meta_from_json",
]


_REPLY: Final = 0x01  # meta flags (§18.1)
_MAILBOX: Final = 0x02


class Priority(IntEnum):
    NORMAL = 0
    URGENT = 1  # asks the recipient for a human acknowledgement (ReceiptType.ACKNOWLEDGED)


@dataclass(frozen=True)
class Meta:
    """What every conversational message says besides its content."""

    priority: Priority = Priority.NORMAL
    reply_to: bytes | None = None  # the message id of the message this one answers
    # The recipient practice's mailbox (§9.6, §18.1); None encodes exactly as before it.
    mailbox: bytes | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.priority, Priority):
            raise LocalProtocolError("priority must be a Priority")
        if self.reply_to is not None and len(self.reply_to) != MESSAGE_ID_SIZE:
            raise LocalProtocolError("reply_to must be a 16-byte message id")
        if self.mailbox is not None and len(self.mailbox) != MAILBOX_ID_SIZE:
            raise LocalProtocolError("mailbox must be an 8-byte mailbox id")

    def encode_into(self, writer: Writer) -> None:
        writer.u8(self.priority)
        flags = (_REPLY if self.reply_to is not None else 0) | (
            _MAILBOX if self.mailbox is not None else 0
        )
        writer.u8(flags)
        if self.reply_to is not None:
            writer.raw(self.reply_to)
        if self.mailbox is not None:
            writer.raw(self.mailbox)

    @classmethod
    def decode_from(cls, reader: Reader) -> Meta:
        try:
            priority = Priority(reader.u8())
        except ValueError:
            raise reader.fail("unknown priority") from None
        flags = reader.u8()
        if flags & ~(_REPLY | _MAILBOX):
            raise reader.fail("bad reply flag")
        reply_to = reader.raw(MESSAGE_ID_SIZE) if flags & _REPLY else None
        mailbox = reader.raw(MAILBOX_ID_SIZE) if flags & _MAILBOX else None
        return cls(priority, reply_to, mailbox)

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
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: never blank, so the order is moot
            raise ClinicalError("text", "invalid_text") from None
        _check_text(text, data)

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


def _check_text(text: str, data: bytes) -> None:
    """:class:`TextContent`'s checks of a text and its UTF-8 encoding ``data``."""
    if not text or text.isspace():  # `not text.strip()`, without the copy
        raise ClinicalError("text", "required")
    if len(data) > MAX_TEXT_BYTES:
        raise ClinicalError("text", "too_long")
    if utf8_has_control_in_message(data):
        raise ClinicalError("text", "invalid_text")


Content = (
    TextContent
    | Handoff
    | Prescription
    | AttachmentManifest
    | Cancellation
    | Dispensing
    | ReadBack
    | EscalationNotice
)

CONVERSATION_KINDS: Final = frozenset(
    {
        PayloadKind.TEXT,
        PayloadKind.HANDOFF,
        PayloadKind.PRESCRIPTION,
        PayloadKind.ATTACHMENT,
        PayloadKind.SIGNED_PRESCRIPTION,
        PayloadKind.CANCELLATION,
        PayloadKind.DISPENSING,
        PayloadKind.HANDOFF_V2,
        PayloadKind.READ_BACK,
        PayloadKind.ESCALATION,
    }
)
# The kinds that answer a prescription or a handoff: their meta names it (reply_to).
LIFECYCLE_KINDS: Final = frozenset(
    {PayloadKind.CANCELLATION, PayloadKind.DISPENSING, PayloadKind.READ_BACK}
)
HANDOFF_KINDS: Final = frozenset({PayloadKind.HANDOFF, PayloadKind.HANDOFF_V2})
PRESCRIPTION_KINDS: Final = frozenset({PayloadKind.PRESCRIPTION, PayloadKind.SIGNED_PRESCRIPTION})
_KIND_OF: Final[dict[type, PayloadKind]] = {
    TextContent: PayloadKind.TEXT,
    Handoff: PayloadKind.HANDOFF,
    Prescription: PayloadKind.PRESCRIPTION,
    AttachmentManifest: PayloadKind.ATTACHMENT,
    Cancellation: PayloadKind.CANCELLATION,
    Dispensing: PayloadKind.DISPENSING,
    ReadBack: PayloadKind.READ_BACK,
    EscalationNotice: PayloadKind.ESCALATION,
}
_NAMES: Final = {
    PayloadKind.TEXT: "text",
    PayloadKind.HANDOFF: "handoff",
    PayloadKind.PRESCRIPTION: "prescription",
    PayloadKind.ATTACHMENT: "attachment",
    PayloadKind.SIGNED_PRESCRIPTION: "prescription",
    PayloadKind.CANCELLATION: "cancellation",
    PayloadKind.DISPENSING: "dispensing",
    PayloadKind.HANDOFF_V2: "handoff",
    PayloadKind.READ_BACK: "read_back",
    PayloadKind.ESCALATION: "escalation",
}


def kind_name(kind: PayloadKind) -> str:
    """The API's name of a conversational kind: "text", "handoff", "prescription" (either
    version), "attachment", "cancellation", "dispensing", "read_back", "escalation"."""
    return _NAMES[kind]


def kind_of(content: Content) -> PayloadKind:
    if isinstance(content, Prescription) and content.version == VERSION_2:
        return PayloadKind.SIGNED_PRESCRIPTION
    if isinstance(content, Handoff) and content.version == HANDOFF_VERSION_2:
        return PayloadKind.HANDOFF_V2
    return _KIND_OF[type(content)]


def encode_conversation(meta: Meta, content: Content) -> tuple[PayloadKind, bytes]:
    """The payload kind and body of a message; :class:`ClinicalError` (field "message",
    reason "too_long") when the body would not fit one packet."""
    kind = kind_of(content)
    writer = Writer()
    meta.encode_into(writer)
    if isinstance(content, TextContent):
        writer.raw(content.text.encode("utf-8"))
    else:
        content.encode_into(writer)
    if kind in SIGNED_KINDS:
        writer.raw(PLACEHOLDER)
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
    elif kind is PayloadKind.HANDOFF_V2:
        content = Handoff.decode_v2_from(reader)
    elif kind is PayloadKind.READ_BACK:
        content = ReadBack.decode_from(reader)
    elif kind is PayloadKind.PRESCRIPTION:
        content = Prescription.decode_from(reader)
    elif kind is PayloadKind.SIGNED_PRESCRIPTION:
        content = Prescription.decode_v2_from(reader)
        if content.replaces is not None and meta.reply_to != content.replaces:
            raise reader.fail("an amendment answers the prescription it replaces")
    elif kind is PayloadKind.CANCELLATION:
        content = Cancellation.decode_from(reader)
    elif kind is PayloadKind.DISPENSING:
        content = Dispensing.decode_from(reader)
    elif kind is PayloadKind.ESCALATION:
        content = EscalationNotice.decode_from(reader)
    else:
        content = AttachmentManifest.decode_from(reader)
    if kind in LIFECYCLE_KINDS and meta.reply_to is None:
        raise reader.fail("a cancellation, dispensing report or read-back names its message")
    if kind in SIGNED_KINDS:
        reader.raw(SIGNATURE_SIZE)
    reader.done()
    return meta, content


def check_text_body(body: bytes) -> None:
    """Raises what ``decode_conversation(PayloadKind.TEXT, body)`` raises, without building
    its objects: a payload's body is checked when sealed and when opened (§9.2)."""
    if type(body) is bytes and 2 <= len(body) <= MAX_BODY_BYTES:
        priority, flag = body[0], body[1]
        if priority in _PRIORITIES and (flag == 0 or (flag == 1 and len(body) >= _REPLY_END)):
            data = body[_REPLY_END:] if flag else body[2:]
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedInput("text: text is not UTF-8") from None
            try:
                # A text decoded from UTF-8 holds no surrogate and encodes back to `data`.
                _check_text(text, data)
            except ClinicalError as exc:
                raise MalformedInput(f"text: {exc}") from None
            return
    decode_conversation(PayloadKind.TEXT, body)  # names what is wrong


_PRIORITIES: Final = frozenset(Priority)
_REPLY_END: Final = 2 + MESSAGE_ID_SIZE


def content_from_json(
    kind: str,
    obj: object,
    today: datetime.date,
    prescriber: Prescriber | None = None,
    callback: str | None = None,
) -> Content:
    """The content of a message the local API received: ``kind`` is "text", "handoff" or
        "prescription" (a file comes as bytes: :meth:`AttachmentManifest.for_file`). ``today``
        is the local date, for the rules against dates in the future; ``prescriber`` the node's
    own (a prescription, version 2, takes it from the profile). Raises
        :class:`ClinicalError`. The checks done, the body must also fit one packet."""
    content: Content
    if kind == "text":
        content = TextContent.from_json(obj)
    elif kind == "handoff":
        content = Handoff.from_json(obj, today, callback)  # version 2
    elif kind == "prescription":
        content = Prescription.from_json(obj, today, prescriber)
    else:
        raise ClinicalError("kind", "invalid_choice")
    encode_conversation(Meta(), content)  # too long for one packet: refused now, not at sending
    return content
