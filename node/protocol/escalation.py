"""The backup contact's notice (docs/protocol.md §18.9): an urgent message has waited,
unacknowledged, longer than the node's delay, and this contact is the one to tell.

Content-free by construction (invariant 8): who sent the urgent message to whom (the two
display names, clinicians or practices, never a patient), when it was sent and how many
minutes it has waited. No text, no patient field, not even the urgent message's id (it means
nothing on the backup's node). JSON and wire (after the meta, conversation.py)::

    ESCALATION {"from": str, "to": str, "sent_at_ms": int, "waited_minutes": int}
        from bytes16 || to bytes16 || sent_at_ms u64 || waited_minutes u32
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .errors import ClinicalError
from .profile import MAX_NAME_CHARS
from .validation import check_line, decode_utf8, remote, utf8
from .wire import Reader, Writer

MAX_WAITED_MINUTES: Final = 0xFFFF_FFFF
MAX_SENT_AT_MS: Final = 0xFFFF_FFFF_FFFF_FFFF


@dataclass(frozen=True)
class EscalationNotice:
    """ "An urgent message from ``sender`` to ``recipient`` has waited ``waited_minutes``
    minutes unacknowledged" (sent at ``sent_at_ms``, the sender's clock)."""

    sender: str
    recipient: str
    sent_at_ms: int
    waited_minutes: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "sender", check_line(self.sender, "from", MAX_NAME_CHARS))
        object.__setattr__(self, "recipient", check_line(self.recipient, "to", MAX_NAME_CHARS))
        for field, value, most in (
            ("sent_at_ms", self.sent_at_ms, MAX_SENT_AT_MS),
            ("waited_minutes", self.waited_minutes, MAX_WAITED_MINUTES),
        ):
            if type(value) is not int:
                raise ClinicalError(field, "invalid_type")
            if not 0 <= value <= most:
                raise ClinicalError(field, "invalid_number")

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.sender,
            "to": self.recipient,
            "sent_at_ms": self.sent_at_ms,
            "waited_minutes": self.waited_minutes,
        }

    def encode_into(self, writer: Writer) -> None:
        writer.bytes16(utf8(self.sender)).bytes16(utf8(self.recipient))
        writer.u64(self.sent_at_ms).u32(self.waited_minutes)

    @classmethod
    def decode_from(cls, reader: Reader) -> EscalationNotice:
        sender = decode_utf8(reader.bytes16(), reader)
        recipient = decode_utf8(reader.bytes16(), reader)
        sent_at_ms, waited = reader.u64(), reader.u32()
        return remote("escalation", lambda: cls(sender, recipient, sent_at_ms, waited))
