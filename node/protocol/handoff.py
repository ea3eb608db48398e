"""A patient handed over to another clinician: SAED (SBAR in English) (docs/protocol.md §18.4),
and the receiver's read-back of it (§18.8).

Version 1 (kind HANDOFF) is the four sections and the patient; it is still decoded (stored
handoffs and older peers). Version 2 (kind HANDOFF_V2, what a node sends) adds what the next
carer needs (HAS, "Sécuriser la communication entre professionnels de santé: SAED"; I-PASS):
a callback number, the allergies and current treatments as lists (null: not stated; empty:
none known), the illness severity, a contingency ("if this, then that"), a deadline, and for
home care the patient's address, phone and next of kin. Its patient carries the INS status
(RNIV) under the prescription's rules (§19.3): an INS travels only with a qualified identity.
JSON (version 2)::

    {"patient": Patient, "situation", "background", "assessment", "request",
     "callback": phone, "severity": "stable" | "watcher" | "unstable",
     "allergies": [str] | null, "treatments": [str] | null, "contingency": str | null,
     "deadline": "2026-11-21T14:00:00+01:00" | null,
     "home": {"address": str | null, "phone": str | null,
              "next_of_kin": {"name", "relationship": str | null, "phone"} | null} | null}

Wire (after the meta, conversation.py)::

    v1 = patient || situation bytes16 || background bytes16 || assessment bytes16
         || request bytes16
    v2 = v1 || u8(severity: 1 stable, 2 watcher, 3 unstable) || callback bytes8
         || list(allergies) || list(treatments) || contingency bytes16
         || u64(deadline: Unix seconds, 0 none) || address bytes16 || phone bytes8
         || u8(next of kin: 0 or 1) || [name bytes16 || relationship bytes16 || phone bytes8]
    list = u8(0: not stated) | u8(1) || u8(count) || bytes16 × count
    [|| u8(ins_status: 1 provisional, 2 retrieved, 3 validated, 4 qualified)]

The INS status is a trailing optional byte, written only when stated: a handoff without one
is the bytes a node sent before the status (older nodes keep reading it), one with it ends in
a byte that an older node refuses as trailing (MalformedInput, §9.2: never delivered, the
sender's message fails after the outbox's maximum age), and a node reads both. When present,
the INS rules are checked on decoding.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any, Final

from .errors import ClinicalError
from .identifiers import check_phone
from .patient import InsStatus, Patient
from .validation import (
    JsonFields,
    check_line,
    check_optional_line,
    check_optional_paragraphs,
    check_paragraphs,
    decode_optional_utf8,
    decode_utf8,
    optional_utf8,
    remote,
    required,
    utf8,
    within,
)
from .wire import Reader, Writer

MAX_SECTION_CHARS: Final = 8_000
SECTIONS: Final = ("situation", "background", "assessment", "request")
VERSION_1: Final = 1
VERSION_2: Final = 2
MAX_ALLERGIES: Final = 30
MAX_TREATMENTS: Final = 50
MAX_ITEM_CHARS: Final = 300
MAX_CONTINGENCY_CHARS: Final = 2_000
MAX_ADDRESS_CHARS: Final = 300
MAX_NAME_CHARS: Final = 100
MAX_READ_BACK_CHARS: Final = 2_000
_LATEST: Final = 253_402_300_799  # 9999-12-31T23:59:59Z


class Severity(IntEnum):
    """I-PASS illness severity."""

    STABLE = 1
    WATCHER = 2  # to watch: may worsen
    UNSTABLE = 3

    @classmethod
    def from_json(cls, value: object) -> Severity:
        if value is None:
            raise ClinicalError("severity", "required")
        if not isinstance(value, str):
            raise ClinicalError("severity", "invalid_type")
        try:
            return cls[value.upper()]
        except KeyError:
            raise ClinicalError("severity", "invalid_choice") from None


@dataclass(frozen=True)
class NextOfKin:
    name: str
    phone: str
    relationship: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", check_line(self.name, "name", MAX_NAME_CHARS))
        object.__setattr__(self, "phone", _phone(self.phone, "phone"))
        object.__setattr__(
            self,
            "relationship",
            check_optional_line(self.relationship, "relationship", MAX_NAME_CHARS),
        )

    @classmethod
    def from_json(cls, obj: object) -> NextOfKin:
        fields = JsonFields(obj)
        name, relationship, phone = (fields.get(k) for k in ("name", "relationship", "phone"))
        fields.done()
        return cls(
            check_line(name, "name", MAX_NAME_CHARS),
            _phone(required(phone, "phone"), "phone"),
            check_optional_line(relationship, "relationship", MAX_NAME_CHARS),
        )

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "relationship": self.relationship, "phone": self.phone}


@dataclass(frozen=True)
class Handoff:
    patient: Patient
    situation: str
    background: str
    assessment: str
    request: str
    # Version 2 (None in version 1):
    callback: str | None = None
    severity: Severity | None = None
    allergies: tuple[str, ...] | None = None  # None: not stated; (): none known
    treatments: tuple[str, ...] | None = None
    contingency: str | None = None
    deadline: datetime.datetime | None = None  # aware, UTC
    home_address: str | None = None
    home_phone: str | None = None
    next_of_kin: NextOfKin | None = None
    version: int = VERSION_1

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in SECTIONS:
            set_(self, name, check_paragraphs(getattr(self, name), name, MAX_SECTION_CHARS))
        if self.version == VERSION_1:
            if self.patient.ins_status is not None:  # no room for it in version 1
                raise ClinicalError("patient.ins_status", "unknown_field")
            return
        if self.version != VERSION_2:
            raise ClinicalError("version", "invalid_choice")
        set_(self, "callback", _phone(required(self.callback, "callback"), "callback"))
        if not isinstance(self.severity, Severity):
            raise ClinicalError("severity", "invalid_choice")
        set_(self, "allergies", _items(self.allergies, "allergies", MAX_ALLERGIES))
        set_(self, "treatments", _items(self.treatments, "treatments", MAX_TREATMENTS))
        set_(
            self,
            "contingency",
            check_optional_paragraphs(self.contingency, "contingency", MAX_CONTINGENCY_CHARS),
        )
        if self.deadline is not None:
            set_(self, "deadline", _deadline(self.deadline))
        with within("home"):
            set_(
                self,
                "home_address",
                check_optional_paragraphs(self.home_address, "address", MAX_ADDRESS_CHARS),
            )
            if self.home_phone is not None:
                set_(self, "home_phone", _phone(self.home_phone, "phone"))
            if self.next_of_kin is not None and not isinstance(self.next_of_kin, NextOfKin):
                raise ClinicalError("next_of_kin", "invalid_type")

    def check_dates(self, today: datetime.date) -> None:
        with within("patient"):
            self.patient.check_dates(today)

    @classmethod
    def from_json(
        cls, obj: object, today: datetime.date | None = None, callback: str | None = None
    ) -> Handoff:
        """A version 2 handoff from the form; ``callback`` is the default callback number
        (the sender's phone) when the form gives none."""
        fields = JsonFields(obj)
        keys = (
            "patient",
            *SECTIONS,
            "callback",
            "severity",
            "allergies",
            "treatments",
            "contingency",
            "deadline",
            "home",
        )
        values = {key: fields.get(key) for key in keys}
        if fields.get("version") not in (None, VERSION_2):  # a document read back: version 2
            raise ClinicalError("version", "invalid_choice")
        fields.done()
        with within("patient"):
            # INS vs sex and birth; an INS only with a qualified identity (RNIV 1, §19.3).
            patient = Patient.from_json(required(values["patient"]), with_status=True)
            patient.check_ins_may_travel()
        situation, background, assessment, request = (
            check_paragraphs(values[name], name, MAX_SECTION_CHARS) for name in SECTIONS
        )
        given = values["callback"]
        if given is None or (isinstance(given, str) and not given.strip()):
            given = callback
        address = phone = kin = None
        if values["home"] is not None:
            with within("home"):
                home = JsonFields(values["home"])
                address, phone, kin_json = (
                    home.get(k) for k in ("address", "phone", "next_of_kin")
                )
                home.done()
                if phone is not None and not (isinstance(phone, str) and phone.strip()):
                    phone = None
                if kin_json is not None:
                    with within("next_of_kin"):
                        kin = NextOfKin.from_json(kin_json)
        handoff = cls(
            patient,
            situation,
            background,
            assessment,
            request,
            callback=_string(required(given, "callback"), "callback"),
            severity=Severity.from_json(values["severity"]),
            allergies=_items_json(values["allergies"], "allergies"),
            treatments=_items_json(values["treatments"], "treatments"),
            contingency=_optional_string(values["contingency"], "contingency"),
            deadline=_deadline_json(values["deadline"]),
            home_address=_optional_string(address, "home.address"),
            home_phone=_optional_string(phone, "home.phone"),
            next_of_kin=kin,
            version=VERSION_2,
        )
        if today is not None:
            handoff.check_dates(today)
        return handoff

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "patient": self.patient.to_json(),
            **{name: getattr(self, name) for name in SECTIONS},
        }
        if self.version == VERSION_1:
            return data  # as before version 2: no "version" member
        assert self.severity is not None
        home = None
        if self.home_address or self.home_phone or self.next_of_kin:
            home = {
                "address": self.home_address,
                "phone": self.home_phone,
                "next_of_kin": None if self.next_of_kin is None else self.next_of_kin.to_json(),
            }
        return {
            "version": VERSION_2,
            **data,
            "callback": self.callback,
            "severity": self.severity.name.lower(),
            "allergies": None if self.allergies is None else list(self.allergies),
            "treatments": None if self.treatments is None else list(self.treatments),
            "contingency": self.contingency,
            "deadline": None
            if self.deadline is None
            else self.deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "home": home,
        }

    def encode_into(self, writer: Writer) -> None:
        self.patient.encode_into(writer)
        for name in SECTIONS:
            writer.bytes16(utf8(getattr(self, name)))
        if self.version == VERSION_1:
            return
        assert self.severity is not None
        assert self.callback is not None
        writer.u8(self.severity).bytes8(self.callback.encode("ascii"))
        _encode_items(writer, self.allergies)
        _encode_items(writer, self.treatments)
        writer.bytes16(optional_utf8(self.contingency))
        writer.u64(0 if self.deadline is None else int(self.deadline.timestamp()))
        writer.bytes16(optional_utf8(self.home_address))
        writer.bytes8(optional_utf8(self.home_phone))
        kin = self.next_of_kin
        if kin is None:
            writer.u8(0)
        else:
            writer.u8(1).bytes16(utf8(kin.name)).bytes16(optional_utf8(kin.relationship))
            writer.bytes8(kin.phone.encode("ascii"))
        if self.patient.ins_status is not None:  # optional, last (module docstring)
            writer.u8(self.patient.ins_status)

    @classmethod
    def decode_from(cls, reader: Reader) -> Handoff:
        patient = Patient.decode_from(reader)
        s, b, a, r = (decode_utf8(reader.bytes16(), reader) for _ in SECTIONS)
        return remote("handoff", lambda: cls(patient, s, b, a, r))

    @classmethod
    def decode_v2_from(cls, reader: Reader) -> Handoff:
        patient = Patient.decode_from(reader)
        s, b, a, r = (decode_utf8(reader.bytes16(), reader) for _ in SECTIONS)
        code = reader.u8()
        if code not in Severity._value2member_map_:
            raise reader.fail("unknown severity")
        callback = decode_utf8(reader.bytes8(), reader)
        allergies = _decode_items(reader)
        treatments = _decode_items(reader)
        contingency = decode_optional_utf8(reader.bytes16(), reader)
        seconds = reader.u64()
        if seconds > _LATEST:
            raise reader.fail("deadline out of range")
        deadline = None if seconds == 0 else datetime.datetime.fromtimestamp(seconds, datetime.UTC)
        address = decode_optional_utf8(reader.bytes16(), reader)
        phone = decode_optional_utf8(reader.bytes8(), reader)
        flag = reader.u8()
        if flag not in (0, 1):
            raise reader.fail("next of kin flag")
        kin_fields = None
        if flag:
            kin_fields = (
                decode_utf8(reader.bytes16(), reader),
                decode_optional_utf8(reader.bytes16(), reader),
                decode_utf8(reader.bytes8(), reader),
            )
        status = None
        if reader.remaining():
            try:
                status = InsStatus(reader.u8())
            except ValueError:
                raise reader.fail("unknown INS status") from None
            patient = replace(patient, ins_status=status)

        def build() -> Handoff:
            if status is not None:  # a handoff of today: the form's INS rules hold
                with within("patient"):
                    patient.check_identity()
                    patient.check_ins_may_travel()
            kin = None
            if kin_fields is not None:
                with within("home"), within("next_of_kin"):
                    kin = NextOfKin(kin_fields[0], kin_fields[2], kin_fields[1])
            return cls(
                patient,
                s,
                b,
                a,
                r,
                callback=callback,
                severity=Severity(code),
                allergies=allergies,
                treatments=treatments,
                contingency=contingency,
                deadline=deadline,
                home_address=address,
                home_phone=phone,
                next_of_kin=kin,
                version=VERSION_2,
            )

        return remote("handoff", build)


@dataclass(frozen=True)
class ReadBack:
    """The receiver's reformulation of a handoff (HAS asks for one; I-PASS's synthesis), sent
    with the acknowledgement; its meta's ``reply_to`` names the handoff."""

    text: str

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "text", check_paragraphs(self.text, "read_back", MAX_READ_BACK_CHARS)
        )

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text}

    def encode_into(self, writer: Writer) -> None:
        writer.bytes16(utf8(self.text))

    @classmethod
    def decode_from(cls, reader: Reader) -> ReadBack:
        text = decode_utf8(reader.bytes16(), reader)
        return remote("read-back", lambda: cls(text))


def _string(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise ClinicalError(field, "invalid_type")
    return value


def _optional_string(value: object, field: str) -> str | None:
    return None if value is None else _string(value, field)


def _phone(value: object, field: str) -> str:
    return check_phone(_string(value, field), field)


def _items(items: object, field: str, most: int) -> tuple[str, ...] | None:
    if items is None:
        return None
    if not isinstance(items, tuple | list):
        raise ClinicalError(field, "invalid_type")
    if len(items) > most:
        raise ClinicalError(field, "too_many")
    return tuple(
        check_line(item, f"{field}.{index}", MAX_ITEM_CHARS) for index, item in enumerate(items)
    )


def _items_json(value: object, field: str) -> tuple[str, ...] | None:
    if value is not None and not isinstance(value, list):
        raise ClinicalError(field, "invalid_type")
    return _items(value, field, MAX_ALLERGIES if field == "allergies" else MAX_TREATMENTS)


def _encode_items(writer: Writer, items: tuple[str, ...] | None) -> None:
    if items is None:
        writer.u8(0)
        return
    writer.u8(1).u8(len(items))
    for item in items:
        writer.bytes16(utf8(item))


def _decode_items(reader: Reader) -> tuple[str, ...] | None:
    flag = reader.u8()
    if flag == 0:
        return None
    if flag != 1:
        raise reader.fail("list flag")
    return tuple(decode_utf8(reader.bytes16(), reader) for _ in range(reader.u8()))


def _deadline(value: object) -> datetime.datetime:
    if not isinstance(value, datetime.datetime) or value.tzinfo is None:
        raise ClinicalError("deadline", "invalid_date")
    moment = value.astimezone(datetime.UTC).replace(microsecond=0)
    if not 0 < moment.timestamp() <= _LATEST:
        raise ClinicalError("deadline", "invalid_date")
    return moment


def _deadline_json(value: object) -> datetime.datetime | None:
    """ISO 8601 with its offset from UTC ("2026-11-21T14:00:00+01:00", or "Z")."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ClinicalError("deadline", "invalid_type")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ClinicalError("deadline", "invalid_date") from None
    return _deadline(moment)
