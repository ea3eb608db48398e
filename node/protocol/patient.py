"""The patient a clinical message is about (docs/protocol.md §18.3).

JSON: ``{"birth_name", "first_names", "birth_date": "YYYY-MM-DD", "sex": "F"|"M"|"U",
"ins": str|null, "weight_kg": number|null, "ins_status": str|null}`` (the INS status only in
a prescription, §19.3, and a version 2 handoff, §18.4; each carries it after the patient).
Wire::

    birth_name bytes16 || first_names bytes16 || birth_date (u16 year, u8 month, u8 day)
    || sex u8 || ins bytes8 (15 ASCII characters, empty when absent)
    || weight u32 (grams, 0 when absent)
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from .errors import ClinicalError
from .identifiers import check_ins, check_nir_holder
from .validation import (
    JsonFields,
    check_date,
    check_line,
    check_not_after,
    decode_date,
    decode_utf8,
    encode_date,
    remote,
    required,
    utf8,
)
from .wire import Reader, Writer

MAX_NAME_CHARS: Final = 100
MAX_WEIGHT_GRAMS: Final = 500_000
CHILD_AGE_LIMIT: Final = 15  # a prescription for a younger patient states the weight


class Sex(IntEnum):
    UNKNOWN = 0  # unknown or indeterminate
    FEMALE = 1
    MALE = 2

    @property
    def letter(self) -> str:
        return _LETTERS[self]

    @classmethod
    def from_letter(cls, value: object, field: str = "sex") -> Sex:
        for sex, letter in _LETTERS.items():
            if value == letter:
                return sex
        raise ClinicalError(field, "invalid_sex")


_LETTERS: Final = {Sex.UNKNOWN: "U", Sex.FEMALE: "F", Sex.MALE: "M"}


class InsStatus(IntEnum):
    """The confidence status of the patient's identity (Référentiel national
    d'identitovigilance, RNIV 1, "statuts de l'identité numérique"): provisional (no proof
    seen), retrieved (INS returned by the INSi service, identity not checked against a
    document), validated (checked against an ID document), qualified (both). The INS may be
    used and sent only for a qualified identity (RNIV 1; Référentiel INS, ANS)."""

    PROVISIONAL = 1
    RETRIEVED = 2
    VALIDATED = 3
    QUALIFIED = 4

    @property
    def json_name(self) -> str:
        return self.name.lower()

    @classmethod
    def from_json(cls, value: object, field: str = "ins_status") -> InsStatus | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ClinicalError(field, "invalid_type")
        for status in cls:
            if status.json_name == value:
                return status
        raise ClinicalError(field, "invalid_choice")


_JSON_KEYS: Final = ("birth_name", "first_names", "birth_date", "sex", "ins", "weight_kg")


@dataclass(frozen=True)
class Patient:
    """Checked on construction, except the clock-dependent rule (:meth:`check_dates`)."""

    birth_name: str
    first_names: str
    birth_date: datetime.date
    sex: Sex
    ins: str | None = None
    weight_kg: float | None = None
    # Carried by prescriptions (§19.3) and version 2 handoffs (§18.4); None: not stated
    # (or a v1 message, or a handoff sent before the status).
    ins_status: InsStatus | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "birth_name", check_line(self.birth_name, "birth_name", MAX_NAME_CHARS))
        set_(self, "first_names", check_line(self.first_names, "first_names", MAX_NAME_CHARS))
        set_(self, "birth_date", check_date(self.birth_date, "birth_date"))
        if not isinstance(self.sex, Sex):
            raise ClinicalError("sex", "invalid_sex")
        if self.ins is not None:
            if not isinstance(self.ins, str):
                raise ClinicalError("ins", "invalid_ins")
            set_(self, "ins", check_ins(self.ins, "ins"))
        if self.weight_kg is not None:
            set_(self, "weight_kg", _weight_grams(self.weight_kg) / 1000)

    def check_identity(self) -> None:
        """Identity vigilance: the INS agrees with the sex and birth year and month that the
        NIR holds (identifiers.check_nir_holder). Not applied when decoding a v1 prescription
        or a handoff sent without an INS status, so that stored messages stay readable."""
        if self.ins is not None:
            check_nir_holder(
                self.ins, self.sex.letter, self.birth_date.year, self.birth_date.month, "ins"
            )

    def check_ins_may_travel(self) -> None:
        """An INS travels only with a qualified identity (RNIV 1, Référentiel INS)."""
        if self.ins is not None and self.ins_status is not InsStatus.QUALIFIED:
            raise ClinicalError("ins_status", "ins_not_qualified")

    @property
    def weight_grams(self) -> int:
        return 0 if self.weight_kg is None else round(self.weight_kg * 1000)

    def age_on(self, date: datetime.date) -> int:
        """Completed years on ``date`` (someone born on 29 February ages on 1 March)."""
        before_birthday = (date.month, date.day) < (self.birth_date.month, self.birth_date.day)
        return date.year - self.birth_date.year - before_birthday

    def check_dates(self, today: datetime.date) -> None:
        """The rule that needs a clock: born today at the latest."""
        check_not_after(self.birth_date, today, "birth_date")

    # --- JSON ---

    @classmethod
    def from_json(
        cls, obj: object, today: datetime.date | None = None, *, with_status: bool = False
    ) -> Patient:
        """What a person typed; ``with_status``: the form has an ``ins_status`` (a
        prescription, a handoff). The INS is checked against the sex and birth date here, on every
        form."""
        fields = JsonFields(obj)
        values = {key: fields.get(key) for key in _JSON_KEYS}
        status = InsStatus.from_json(fields.get("ins_status"))
        fields.done()
        if status is not None and not with_status:
            raise ClinicalError("ins_status", "unknown_field")  # not carried by this message
        weight = values["weight_kg"]
        patient = cls(
            birth_name=check_line(values["birth_name"], "birth_name", MAX_NAME_CHARS),
            first_names=check_line(values["first_names"], "first_names", MAX_NAME_CHARS),
            birth_date=check_date(required(values["birth_date"], "birth_date"), "birth_date"),
            sex=Sex.from_letter(required(values["sex"], "sex")),
            ins=_optional_ins(values["ins"]),
            weight_kg=None if weight is None else _weight_grams(weight) / 1000,
            ins_status=status,
        )
        patient.check_identity()
        if today is not None:
            patient.check_dates(today)
        return patient

    def to_json(self) -> dict[str, Any]:
        return {
            "birth_name": self.birth_name,
            "first_names": self.first_names,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex.letter,
            "ins": self.ins,
            "weight_kg": self.weight_kg,
            "ins_status": None if self.ins_status is None else self.ins_status.json_name,
        }

    # --- Wire ---

    def encode_into(self, writer: Writer) -> None:
        writer.bytes16(utf8(self.birth_name)).bytes16(utf8(self.first_names))
        encode_date(writer, self.birth_date)
        writer.u8(self.sex).bytes8(b"" if self.ins is None else self.ins.encode("ascii"))
        writer.u32(self.weight_grams)

    @classmethod
    def decode_from(cls, reader: Reader) -> Patient:
        birth_name = decode_utf8(reader.bytes16(), reader)
        first_names = decode_utf8(reader.bytes16(), reader)
        birth_date = decode_date(reader)
        try:
            sex = Sex(reader.u8())
        except ValueError:
            raise reader.fail("unknown sex code") from None
        ins = decode_utf8(reader.bytes8(), reader) or None
        grams = reader.u32()
        return remote(
            "patient",
            lambda: cls(birth_name, first_names, birth_date, sex, ins, grams / 1000 or None),
        )


def _optional_ins(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ClinicalError("ins", "invalid_type")
    return value


def _weight_grams(value: object) -> int:
    """A weight in kilograms as whole grams, 1 g to 500 kg."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClinicalError("weight_kg", "invalid_weight")
    if not math.isfinite(value) or not 0 < value <= MAX_WEIGHT_GRAMS / 1000:
        raise ClinicalError("weight_kg", "invalid_weight")
    grams = round(value * 1000)
    if not 1 <= grams <= MAX_WEIGHT_GRAMS:
        raise ClinicalError("weight_kg", "invalid_weight")
    return grams
