"""A prescription (ordonnance) sent to a pharmacist (docs/protocol.md §18.5).

JSON::

    {"prescriber": {"name", "specialty", "rpps", "address", "phone"},
     "date": "YYYY-MM-DD", "patient": Patient,
     "lines": [{"medicine", "strength", "dosage", "duration": str|null,
                "quantity": str|null, "renewals": 0..12}],          # 1 to 50 lines
     "notes": str|null}

A line states a duration or a quantity (or both). A patient under 15 on the prescription
date must have a weight. Line errors name their field ``lines.<index>.<field>``, the index
counting from 0. Wire (after the meta, conversation.py)::

    prescriber: name bytes16 || specialty bytes16 || rpps bytes8 (11 ASCII digits)
                || address bytes16 || phone bytes8
    || date (u16 year, u8 month, u8 day) || patient || line count u8
    || lines: medicine bytes16 || strength bytes16 || dosage bytes16
              || duration bytes16 || quantity bytes16 || renewals u8
    || notes bytes16

An optional text field is empty on the wire when absent (a present one is never blank).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from .errors import ClinicalError
from .identifiers import check_phone, check_rpps
from .patient import CHILD_AGE_LIMIT, Patient
from .validation import (
    JsonFields,
    check_date,
    check_int,
    check_line,
    check_not_after,
    check_optional_line,
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
    within,
)
from .wire import Reader, Writer

MAX_LINES: Final = 50
MAX_RENEWALS: Final = 12
MAX_NAME_CHARS: Final = 100
MAX_SPECIALTY_CHARS: Final = 100
MAX_ADDRESS_CHARS: Final = 300
MAX_MEDICINE_CHARS: Final = 200
MAX_STRENGTH_CHARS: Final = 100
MAX_DOSAGE_CHARS: Final = 1_000
MAX_AMOUNT_CHARS: Final = 100  # duration, quantity
MAX_NOTES_CHARS: Final = 4_000
# "Not more than one day in the future": the prescriber's clock or time zone may be ahead.
FUTURE_TOLERANCE: Final = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Prescriber:
    name: str
    specialty: str
    rpps: str
    address: str
    phone: str

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "name", check_line(self.name, "name", MAX_NAME_CHARS))
        set_(self, "specialty", check_line(self.specialty, "specialty", MAX_SPECIALTY_CHARS))
        set_(self, "rpps", check_rpps(_string(self.rpps, "rpps"), "rpps"))
        set_(self, "address", check_paragraphs(self.address, "address", MAX_ADDRESS_CHARS))
        set_(self, "phone", check_phone(_string(self.phone, "phone"), "phone"))

    @classmethod
    def from_json(cls, obj: object) -> Prescriber:
        fields = JsonFields(obj)
        values = {key: fields.get(key) for key in _PRESCRIBER_KEYS}
        fields.done()
        return cls(**{key: _string(value, key) for key, value in values.items()})

    def to_json(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in _PRESCRIBER_KEYS}

    def encode_into(self, writer: Writer) -> None:
        writer.bytes16(utf8(self.name)).bytes16(utf8(self.specialty))
        writer.bytes8(self.rpps.encode("ascii")).bytes16(utf8(self.address))
        writer.bytes8(self.phone.encode("ascii"))

    @classmethod
    def decode_from(cls, reader: Reader) -> Prescriber:
        name = decode_utf8(reader.bytes16(), reader)
        specialty = decode_utf8(reader.bytes16(), reader)
        rpps = decode_utf8(reader.bytes8(), reader)
        address = decode_utf8(reader.bytes16(), reader)
        phone = decode_utf8(reader.bytes8(), reader)
        return remote("prescriber", lambda: cls(name, specialty, rpps, address, phone))


_PRESCRIBER_KEYS: Final = ("name", "specialty", "rpps", "address", "phone")


@dataclass(frozen=True)
class PrescriptionLine:
    medicine: str  # brand name or INN (DCI)
    strength: str  # "500 mg"
    dosage: str  # "1 comprimé 3 fois par jour"
    duration: str | None = None  # "7 jours"
    quantity: str | None = None  # "1 boîte"
    renewals: int = 0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "medicine", check_line(self.medicine, "medicine", MAX_MEDICINE_CHARS))
        set_(self, "strength", check_line(self.strength, "strength", MAX_STRENGTH_CHARS))
        set_(self, "dosage", check_paragraphs(self.dosage, "dosage", MAX_DOSAGE_CHARS))
        set_(self, "duration", check_optional_line(self.duration, "duration", MAX_AMOUNT_CHARS))
        set_(self, "quantity", check_optional_line(self.quantity, "quantity", MAX_AMOUNT_CHARS))
        if self.duration is None and self.quantity is None:
            raise ClinicalError("duration", "duration_or_quantity")
        check_int(self.renewals, "renewals", 0, MAX_RENEWALS)

    @classmethod
    def from_json(cls, obj: object) -> PrescriptionLine:
        fields = JsonFields(obj)
        values = {key: fields.get(key) for key in _LINE_KEYS}
        fields.done()
        renewals = 0 if values["renewals"] is None else values["renewals"]
        return cls(
            medicine=_string(values["medicine"], "medicine"),
            strength=_string(values["strength"], "strength"),
            dosage=_string(values["dosage"], "dosage"),
            duration=_optional_string(values["duration"], "duration"),
            quantity=_optional_string(values["quantity"], "quantity"),
            renewals=check_int(renewals, "renewals", 0, MAX_RENEWALS),
        )

    def to_json(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in _LINE_KEYS}

    def encode_into(self, writer: Writer) -> None:
        writer.bytes16(utf8(self.medicine)).bytes16(utf8(self.strength))
        writer.bytes16(utf8(self.dosage))
        writer.bytes16(optional_utf8(self.duration)).bytes16(optional_utf8(self.quantity))
        writer.u8(self.renewals)

    @classmethod
    def decode_from(cls, reader: Reader) -> PrescriptionLine:
        medicine = decode_utf8(reader.bytes16(), reader)
        strength = decode_utf8(reader.bytes16(), reader)
        dosage = decode_utf8(reader.bytes16(), reader)
        duration = decode_optional_utf8(reader.bytes16(), reader)
        quantity = decode_optional_utf8(reader.bytes16(), reader)
        renewals = reader.u8()
        return remote("line", lambda: cls(medicine, strength, dosage, duration, quantity, renewals))


_LINE_KEYS: Final = ("medicine", "strength", "dosage", "duration", "quantity", "renewals")


@dataclass(frozen=True)
class Prescription:
    """Checked on construction, except the clock-dependent rules (:meth:`check_dates`)."""

    prescriber: Prescriber
    date: datetime.date
    patient: Patient
    lines: tuple[PrescriptionLine, ...]
    notes: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "date", check_date(self.date, "date"))
        _check_line_count(self.lines)
        object.__setattr__(self, "lines", tuple(self.lines))
        notes = check_optional_paragraphs(self.notes, "notes", MAX_NOTES_CHARS)
        object.__setattr__(self, "notes", notes)
        # Clock-free consistency: nobody is prescribed for before their birth, and the
        # prescription's own date says whether the patient is a child.
        if self.patient.birth_date > self.date:
            raise ClinicalError("patient.birth_date", "future_date")
        if self.patient.weight_kg is None and self.patient.age_on(self.date) < CHILD_AGE_LIMIT:
            raise ClinicalError("patient.weight_kg", "weight_required")

    def check_dates(self, today: datetime.date) -> None:
        """The rules that need a clock: dated at most one day ahead; patient born by today."""
        check_not_after(self.date, today + FUTURE_TOLERANCE, "date")
        with within("patient"):
            self.patient.check_dates(today)

    @classmethod
    def from_json(cls, obj: object, today: datetime.date | None = None) -> Prescription:
        fields = JsonFields(obj)
        values = {key: fields.get(key) for key in ("prescriber", "date", "patient", "lines")}
        notes = fields.get("notes")
        fields.done()
        with within("prescriber"):
            prescriber = Prescriber.from_json(required(values["prescriber"]))
        date = check_date(required(values["date"], "date"), "date")
        with within("patient"):
            patient = Patient.from_json(required(values["patient"]))
        raw_lines = required(values["lines"], "lines")
        if not isinstance(raw_lines, list):
            raise ClinicalError("lines", "invalid_type")
        _check_line_count(raw_lines)
        lines = []
        for index, line in enumerate(raw_lines):
            with within(f"lines.{index}"):
                lines.append(PrescriptionLine.from_json(line))
        notes_text = _optional_string(notes, "notes")
        prescription = cls(prescriber, date, patient, tuple(lines), notes_text)
        if today is not None:
            prescription.check_dates(today)
        return prescription

    def to_json(self) -> dict[str, Any]:
        return {
            "prescriber": self.prescriber.to_json(),
            "date": self.date.isoformat(),
            "patient": self.patient.to_json(),
            "lines": [line.to_json() for line in self.lines],
            "notes": self.notes,
        }

    def encode_into(self, writer: Writer) -> None:
        self.prescriber.encode_into(writer)
        encode_date(writer, self.date)
        self.patient.encode_into(writer)
        writer.u8(len(self.lines))
        for line in self.lines:
            line.encode_into(writer)
        writer.bytes16(optional_utf8(self.notes))

    @classmethod
    def decode_from(cls, reader: Reader) -> Prescription:
        prescriber = Prescriber.decode_from(reader)
        date = decode_date(reader)
        patient = Patient.decode_from(reader)
        count = reader.u8()
        if not 1 <= count <= MAX_LINES:
            raise reader.fail(f"a prescription has 1 to {MAX_LINES} lines")
        lines = tuple(PrescriptionLine.decode_from(reader) for _ in range(count))
        notes = decode_optional_utf8(reader.bytes16(), reader)
        return remote("prescription", lambda: cls(prescriber, date, patient, lines, notes))


def _check_line_count(lines: Sequence[object]) -> None:
    if not lines:
        raise ClinicalError("lines", "required")
    if len(lines) > MAX_LINES:
        raise ClinicalError("lines", "too_many")


def _string(value: object, field: str) -> str:
    if value is None:
        raise ClinicalError(field, "required")
    if not isinstance(value, str):
        raise ClinicalError(field, "invalid_type")
    return value


def _optional_string(value: object, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ClinicalError(field, "invalid_type")
    return value
