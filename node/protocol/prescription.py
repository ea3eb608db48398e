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

Version 2 (kind SIGNED_PRESCRIPTION, docs/protocol.md §19) adds what a pharmacist relies on,
and is the only version a node sends: the prescriber's e-mail; per line the INN (DCI) and the
reason a line is not substitutable; the patient's INS status; the prescription it replaces
(an amendment). Its rules (below, each with its source) are checked on the sender's form and
again when a peer's body is decoded. Version 1 (kind PRESCRIPTION) is only decoded, so that
prescriptions stored before version 2 stay readable ("unsigned, before v2")::

    flags u8 (bit 0: replaces follows) || [replaces (16)]
    || prescriber (as v1) || email bytes16 || date || patient || ins_status u8 (0: none)
    || line count u8 || lines: (line as v1) || inn bytes16 || non_substitutable u8 (0: none)
    || notes bytes16
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any, Final

from .errors import ClinicalError
from .identifiers import check_email, check_phone, check_rpps
from .kinds import MESSAGE_ID_SIZE
from .narcotics import narcotic_in
from .patient import CHILD_AGE_LIMIT, InsStatus, Patient
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
MAX_INN_CHARS: Final = 200
# CSP R.5132-21: a prescription cannot be made for a treatment longer than twelve months,
# renewals included. Counted in days: a month is 30 days, a year 365, so that twelve months
# (360 days) pass and "1 mois" renewed 12 times (390 days) does not.
MAX_TREATMENT_DAYS: Final = 365
# CSP R.5132-22: a prescription is dispensed for the first time within three months of its
# date; after that the pharmacist may not dispense it.
VALIDITY_MONTHS: Final = 3
VERSION_1: Final = 1  # unsigned, before issue #16: decoded only
VERSION_2: Final = 2  # signed (§19), what a node sends
_REPLACES_FLAG: Final = 0x01
_UNIT_DAYS: Final = {
    "j": 1, "jour": 1, "jours": 1, "d": 1, "day": 1, "days": 1,
    "sem": 7, "semaine": 7, "semaines": 7, "w": 7, "week": 7, "weeks": 7,
    "mois": 30, "month": 30, "months": 30,
    "an": 365, "ans": 365, "annee": 365, "annees": 365, "année": 365, "années": 365,
    "y": 365, "year": 365, "years": 365,
}  # fmt: skip
_DURATION: Final = re.compile(r"([0-9]{1,3})\s*([^\W\d_]+)\.?")


class NonSubstitution(IntEnum):
    """Why a line may not be substituted by a generic (CSP L.5125-23; arrêté du 12 novembre
    2019 précisant les situations médicales dans lesquelles peut être exclue la substitution):
    the prescriber writes "non substituable" with one of these reasons beside the line."""

    MTE = 1  # marge thérapeutique étroite: narrow therapeutic margin, stable patient
    EFG = 2  # enfant de moins de 6 ans, no generic with a suitable form
    CIF = 3  # contre-indication formelle to an excipient of every generic

    @classmethod
    def from_json(cls, value: object, field: str = "non_substitutable") -> NonSubstitution | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ClinicalError(field, "invalid_type")
        try:
            return cls[value]
        except KeyError:
            raise ClinicalError(field, "invalid_choice") from None


def duration_days(text: str) -> int | None:
    """A duration as a number of days ("7 jours", "3 mois", "2 weeks", "1 an"), or None
    when it is not a number followed by a known unit."""
    match = _DURATION.fullmatch(text.strip().casefold())
    if match is None:
        return None
    unit = _UNIT_DAYS.get(match[2])
    return None if unit is None else int(match[1]) * unit


def valid_until(date: datetime.date) -> datetime.date:
    """The last day a prescription may be dispensed for the first time (R.5132-22): three
    calendar months after its date (the 30 November's three months end on 28 or 29 February)."""
    month0 = date.month - 1 + VALIDITY_MONTHS
    year, month = date.year + month0 // 12, month0 % 12 + 1
    return date.replace(
        year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class Prescriber:
    name: str
    specialty: str
    rpps: str
    address: str
    phone: str
    email: str | None = None  # required in version 2 (R.5132-3: the prescriber's e-mail)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.email is not None:
            set_(self, "email", check_email(_string(self.email, "email"), "email"))
        set_(self, "name", check_line(self.name, "name", MAX_NAME_CHARS))
        set_(self, "specialty", check_line(self.specialty, "specialty", MAX_SPECIALTY_CHARS))
        set_(self, "rpps", check_rpps(_string(self.rpps, "rpps"), "rpps"))
        set_(self, "address", check_paragraphs(self.address, "address", MAX_ADDRESS_CHARS))
        set_(self, "phone", check_phone(_string(self.phone, "phone"), "phone"))

    @classmethod
    def from_json(cls, obj: object) -> Prescriber:
        fields = JsonFields(obj)
        values = {key: fields.get(key) for key in _PRESCRIBER_KEYS}
        email = _optional_string(fields.get("email"), "email")
        fields.done()
        return cls(**{key: _string(value, key) for key, value in values.items()}, email=email)

    def to_json(self) -> dict[str, Any]:
        return {**{key: getattr(self, key) for key in _PRESCRIBER_KEYS}, "email": self.email}

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
    inn: str | None = None  # the INN (DCI) beside a brand name; required in version 2
    non_substitutable: NonSubstitution | None = None  # with its reason (L.5125-23)

    def __post_init__(self) -> None:
        if self.non_substitutable is not None and not isinstance(
            self.non_substitutable, NonSubstitution
        ):
            raise ClinicalError("non_substitutable", "invalid_choice")
        object.__setattr__(self, "inn", check_optional_line(self.inn, "inn", MAX_INN_CHARS))
        set_ = object.__setattr__
        set_(self, "medicine", check_line(self.medicine, "medicine", MAX_MEDICINE_CHARS))
        set_(self, "strength", check_line(self.strength, "strength", MAX_STRENGTH_CHARS))
        set_(self, "dosage", check_paragraphs(self.dosage, "dosage", MAX_DOSAGE_CHARS))
        set_(self, "duration", check_optional_line(self.duration, "duration", MAX_AMOUNT_CHARS))
        set_(self, "quantity", check_optional_line(self.quantity, "quantity", MAX_AMOUNT_CHARS))
        if self.duration is None and self.quantity is None:
            raise ClinicalError("duration", "duration_or_quantity")
        check_int(self.renewals, "renewals", 0, MAX_RENEWALS)

    def check_version_2(self) -> None:
        """The rules a signed prescription's line follows (checked on both sides)."""
        # CSP L.5121-1-2: a prescription names each medicine by its INN (DCI), beside a
        # brand name if the prescriber writes one.
        if self.inn is None:
            raise ClinicalError("inn", "required")
        # CSP R.5132-5, R.5132-29, R.5132-30: narcotics need a secure paper prescription
        # (narcotics.py has the list, its source and date).
        if narcotic_in(self.medicine, self.inn) is not None:
            raise ClinicalError("medicine", "narcotic")
        # CSP R.5132-21: twelve months of treatment at most, renewals included.
        if self.duration is not None:
            days = duration_days(self.duration)
            if days is None:
                raise ClinicalError("duration", "invalid_duration")
            if days * (1 + self.renewals) > MAX_TREATMENT_DAYS:
                raise ClinicalError("renewals", "treatment_too_long")

    @classmethod
    def from_json(cls, obj: object) -> PrescriptionLine:
        fields = JsonFields(obj)
        values = {key: fields.get(key) for key in _LINE_KEYS}
        inn = _optional_string(fields.get("inn"), "inn")
        non_substitutable = NonSubstitution.from_json(fields.get("non_substitutable"))
        fields.done()
        renewals = 0 if values["renewals"] is None else values["renewals"]
        return cls(
            medicine=_string(values["medicine"], "medicine"),
            strength=_string(values["strength"], "strength"),
            dosage=_string(values["dosage"], "dosage"),
            duration=_optional_string(values["duration"], "duration"),
            quantity=_optional_string(values["quantity"], "quantity"),
            renewals=check_int(renewals, "renewals", 0, MAX_RENEWALS),
            inn=inn,
            non_substitutable=non_substitutable,
        )

    def to_json(self) -> dict[str, Any]:
        reason = self.non_substitutable
        return {
            **{key: getattr(self, key) for key in _LINE_KEYS},
            "inn": self.inn,
            "non_substitutable": None if reason is None else reason.name,
        }

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

    def encode_v2_into(self, writer: Writer) -> None:
        self.encode_into(writer)
        writer.bytes16(optional_utf8(self.inn)).u8(self.non_substitutable or 0)

    @classmethod
    def decode_v2_from(cls, reader: Reader) -> PrescriptionLine:
        line = cls.decode_from(reader)
        inn = decode_optional_utf8(reader.bytes16(), reader)
        code = reader.u8()
        try:
            reason = NonSubstitution(code) if code else None
        except ValueError:
            raise reader.fail("unknown non-substitution reason") from None
        return remote("line", lambda: replace(line, inn=inn, non_substitutable=reason))


_LINE_KEYS: Final = ("medicine", "strength", "dosage", "duration", "quantity", "renewals")


@dataclass(frozen=True)
class Prescription:
    """Checked on construction, except the clock-dependent rules (:meth:`check_dates`)."""

    prescriber: Prescriber
    date: datetime.date
    patient: Patient
    lines: tuple[PrescriptionLine, ...]
    notes: str | None = None
    replaces: bytes | None = None  # version 2: the message id of the prescription amended
    version: int = VERSION_1

    def __post_init__(self) -> None:
        if self.version not in (VERSION_1, VERSION_2):
            raise ClinicalError("version", "invalid_choice")
        if self.replaces is not None and (
            self.version == VERSION_1 or len(self.replaces) != MESSAGE_ID_SIZE
        ):
            raise ClinicalError("replaces", "invalid_id")
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
        if self.version == VERSION_2:
            self._check_version_2()

    def _check_version_2(self) -> None:
        """The rules of a signed prescription, on the sender's form and on decoding."""
        # CSP R.5132-3: the prescription states the prescriber's e-mail address.
        if self.prescriber.email is None:
            raise ClinicalError("prescriber.email", "required")
        with within("patient"):
            self.patient.check_identity()
            self.patient.check_ins_may_travel()
        for index, line in enumerate(self.lines):
            with within(f"lines.{index}"):
                line.check_version_2()

    @property
    def valid_until(self) -> datetime.date:
        """The last day of its first dispensing (R.5132-22)."""
        return valid_until(self.date)

    def check_dates(self, today: datetime.date) -> None:
        """The rules that need a clock: dated at most one day ahead, and not past its validity
        (a pharmacist could not dispense it: CSP R.5132-22, first dispensing within three
        months of its date); patient born by today. Not applied on decoding: a prescription
        that arrives late is shown past its validity, not refused."""
        check_not_after(self.date, today + FUTURE_TOLERANCE, "date")
        if today > valid_until(self.date):
            raise ClinicalError("date", "prescription_expired")
        with within("patient"):
            self.patient.check_dates(today)

    @classmethod
    def from_json(
        cls,
        obj: object,
        today: datetime.date | None = None,
        prescriber: Prescriber | None = None,
        replaces: bytes | None = None,
    ) -> Prescription:
        """A version 2 prescription from a form. ``prescriber``: the node's own profile (the
        form then has no "prescriber" member: ``prescriber_from_profile``); without it the
        form names the prescriber (tests, vectors)."""
        fields = JsonFields(obj)
        values = {key: fields.get(key) for key in ("prescriber", "date", "patient", "lines")}
        notes = fields.get("notes")
        # What to_json adds, derived or set by the node: accepted back and not used, so that
        # a prescription's JSON can be sent again as a form (an amendment).
        for derived in ("version", "replaces", "valid_until"):
            fields.get(derived)
        fields.done()
        if prescriber is not None:
            if values["prescriber"] is not None:
                raise ClinicalError("prescriber", "prescriber_from_profile")
        else:
            with within("prescriber"):
                prescriber = Prescriber.from_json(required(values["prescriber"]))
        date = check_date(required(values["date"], "date"), "date")
        with within("patient"):
            patient = Patient.from_json(required(values["patient"]), with_status=True)
        raw_lines = required(values["lines"], "lines")
        if not isinstance(raw_lines, list):
            raise ClinicalError("lines", "invalid_type")
        _check_line_count(raw_lines)
        lines = []
        for index, line in enumerate(raw_lines):
            with within(f"lines.{index}"):
                lines.append(PrescriptionLine.from_json(line))
        notes_text = _optional_string(notes, "notes")
        prescription = cls(prescriber, date, patient, tuple(lines), notes_text, replaces, VERSION_2)
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
            "version": self.version,
            "replaces": None if self.replaces is None else self.replaces.hex(),
            "valid_until": self.valid_until.isoformat(),
        }

    def encode_into(self, writer: Writer) -> None:
        if self.version == VERSION_2:
            self._encode_v2_into(writer)
            return
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

    def _encode_v2_into(self, writer: Writer) -> None:
        if self.replaces is None:
            writer.u8(0)
        else:
            writer.u8(_REPLACES_FLAG).raw(self.replaces)
        self.prescriber.encode_into(writer)
        writer.bytes16(optional_utf8(self.prescriber.email))
        encode_date(writer, self.date)
        self.patient.encode_into(writer)
        writer.u8(self.patient.ins_status or 0)
        writer.u8(len(self.lines))
        for line in self.lines:
            line.encode_v2_into(writer)
        writer.bytes16(optional_utf8(self.notes))

    @classmethod
    def decode_v2_from(cls, reader: Reader) -> Prescription:
        flags = reader.u8()
        if flags & ~_REPLACES_FLAG:
            raise reader.fail("unknown prescription flags")
        replaces = reader.raw(MESSAGE_ID_SIZE) if flags & _REPLACES_FLAG else None
        prescriber = Prescriber.decode_from(reader)
        email = decode_optional_utf8(reader.bytes16(), reader)
        date = decode_date(reader)
        patient = Patient.decode_from(reader)
        code = reader.u8()
        try:
            status = InsStatus(code) if code else None
        except ValueError:
            raise reader.fail("unknown INS status") from None
        count = reader.u8()
        if not 1 <= count <= MAX_LINES:
            raise reader.fail(f"a prescription has 1 to {MAX_LINES} lines")
        lines = tuple(PrescriptionLine.decode_v2_from(reader) for _ in range(count))
        notes = decode_optional_utf8(reader.bytes16(), reader)
        return remote(
            "prescription",
            lambda: cls(
                replace(prescriber, email=email),
                date,
                replace(patient, ins_status=status),
                lines,
                notes,
                replaces,
                VERSION_2,
            ),
        )


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
