"""A patient handed over to another clinician: SAED (SBAR in English) (docs/protocol.md §18.4).

JSON: ``{"patient": Patient, "situation", "background", "assessment", "request"}``, every
section required. Wire (after the meta, conversation.py)::

    patient || situation bytes16 || background bytes16 || assessment bytes16 || request bytes16
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Final

from .patient import Patient
from .validation import (
    JsonFields,
    check_paragraphs,
    decode_utf8,
    remote,
    required,
    utf8,
    within,
)
from .wire import Reader, Writer

MAX_SECTION_CHARS: Final = 8_000
SECTIONS: Final = ("situation", "background", "assessment", "request")


@dataclass(frozen=True)
class Handoff:
    patient: Patient
    situation: str
    background: str
    assessment: str
    request: str

    def __post_init__(self) -> None:
        for name in SECTIONS:
            text = check_paragraphs(getattr(self, name), name, MAX_SECTION_CHARS)
            object.__setattr__(self, name, text)

    def check_dates(self, today: datetime.date) -> None:
        with within("patient"):
            self.patient.check_dates(today)

    @classmethod
    def from_json(cls, obj: object, today: datetime.date | None = None) -> Handoff:
        fields = JsonFields(obj)
        values = {key: fields.get(key) for key in ("patient", *SECTIONS)}
        fields.done()
        with within("patient"):
            patient = Patient.from_json(required(values["patient"]))
        sections = [check_paragraphs(values[name], name, MAX_SECTION_CHARS) for name in SECTIONS]
        handoff = cls(patient, *sections)
        if today is not None:
            handoff.check_dates(today)
        return handoff

    def to_json(self) -> dict[str, Any]:
        return {
            "patient": self.patient.to_json(),
            **{name: getattr(self, name) for name in SECTIONS},
        }

    def encode_into(self, writer: Writer) -> None:
        self.patient.encode_into(writer)
        for name in SECTIONS:
            writer.bytes16(utf8(getattr(self, name)))

    @classmethod
    def decode_from(cls, reader: Reader) -> Handoff:
        patient = Patient.decode_from(reader)
        sections = [decode_utf8(reader.bytes16(), reader) for _ in SECTIONS]
        return remote("handoff", lambda: cls(patient, *sections))
