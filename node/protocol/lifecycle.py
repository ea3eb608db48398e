"""What happens to a prescription after it is sent (docs/protocol.md §19.5, §19.6): the
prescriber cancels it (a signed CANCELLATION), or replaces it (a signed prescription whose
``replaces`` names it: prescription.py), and the pharmacist says what was dispensed (a
DISPENSING report, deniable like any message: it is the pharmacist's word to the prescriber,
not a document a third party relies on).

Both name the prescription in their meta's ``reply_to`` (required). JSON and wire (after the
meta, conversation.py)::

    CANCELLATION {"date": "YYYY-MM-DD", "reason": str}
        date (u16 year, u8 month, u8 day) || reason bytes16 || signature (64, §19.2)
    DISPENSING   {"state": "dispensed"|"partly_dispensed"|"refused", "note": str|null,
                  "confirmed_by_phone": bool}
        state u8 (1, 2, 3) || note bytes16 (required unless dispensed) || confirmed u8 (0, 1)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from .errors import ClinicalError
from .validation import (
    JsonFields,
    check_date,
    check_optional_paragraphs,
    check_paragraphs,
    decode_date,
    decode_optional_utf8,
    decode_utf8,
    encode_date,
    optional_utf8,
    remote,
    required,
    utf8,
)
from .wire import Reader, Writer

MAX_REASON_CHARS: Final = 1_000


@dataclass(frozen=True)
class Cancellation:
    """The prescriber withdraws a prescription: "ne pas délivrer"."""

    date: datetime.date
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "date", check_date(self.date, "date"))
        object.__setattr__(
            self, "reason", check_paragraphs(self.reason, "reason", MAX_REASON_CHARS)
        )

    @classmethod
    def from_json(cls, obj: object, today: datetime.date) -> Cancellation:
        """From ``{"reason": ...}``; dated today."""
        fields = JsonFields(obj)
        reason = fields.get("reason")
        fields.done()
        return cls(today, check_paragraphs(required(reason, "reason"), "reason", MAX_REASON_CHARS))

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "reason": self.reason}

    def encode_into(self, writer: Writer) -> None:
        encode_date(writer, self.date)
        writer.bytes16(utf8(self.reason))

    @classmethod
    def decode_from(cls, reader: Reader) -> Cancellation:
        date = decode_date(reader)
        reason = decode_utf8(reader.bytes16(), reader)
        return remote("cancellation", lambda: cls(date, reason))


class DispensingState(IntEnum):
    DISPENSED = 1
    PARTLY_DISPENSED = 2
    REFUSED = 3

    @property
    def json_name(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Dispensing:
    """The pharmacist's report on a prescription: dispensed, partly dispensed (say what), or
    refused (say why), and whether they confirmed it by phone with the prescriber (the
    practice tolerated for faxed prescriptions)."""

    state: DispensingState
    note: str | None = None
    confirmed_by_phone: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.state, DispensingState):
            raise ClinicalError("state", "invalid_choice")
        note = check_optional_paragraphs(self.note, "note", MAX_REASON_CHARS)
        if note is None and self.state is not DispensingState.DISPENSED:
            raise ClinicalError("note", "required")
        object.__setattr__(self, "note", note)
        if not isinstance(self.confirmed_by_phone, bool):
            raise ClinicalError("confirmed_by_phone", "invalid_type")

    @classmethod
    def from_json(cls, obj: object) -> Dispensing:
        fields = JsonFields(obj)
        state, note = fields.get("state"), fields.get("note")
        confirmed = fields.get("confirmed_by_phone")
        fields.done()
        chosen = None
        for option in DispensingState:
            if state == option.json_name:
                chosen = option
        if chosen is None:
            raise ClinicalError("state", "required" if state is None else "invalid_choice")
        if note is not None and not isinstance(note, str):
            raise ClinicalError("note", "invalid_type")
        if confirmed is None:
            confirmed = False
        if not isinstance(confirmed, bool):
            raise ClinicalError("confirmed_by_phone", "invalid_type")
        return cls(chosen, note, confirmed)

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.json_name,
            "note": self.note,
            "confirmed_by_phone": self.confirmed_by_phone,
        }

    def encode_into(self, writer: Writer) -> None:
        writer.u8(self.state).bytes16(optional_utf8(self.note)).u8(int(self.confirmed_by_phone))

    @classmethod
    def decode_from(cls, reader: Reader) -> Dispensing:
        try:
            state = DispensingState(reader.u8())
        except ValueError:
            raise reader.fail("unknown dispensing state") from None
        note = decode_optional_utf8(reader.bytes16(), reader)
        confirmed = reader.u8()
        if confirmed not in (0, 1):
            raise reader.fail("bad confirmation flag")
        return remote("dispensing", lambda: cls(state, note, bool(confirmed)))
