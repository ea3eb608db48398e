"""The handoff and prescription forms of the web client, as the local API's JSON forms
(docs/local-api.md, POST /v1/messages): field names are the node's own field paths
("patient.ins", "lines.0.renewals", "home.next_of_kin.phone"), so that a ClinicalError names
the input it is about.

No rule lives here: a form becomes the API's JSON as typed (an unreadable weight or number is
passed on as text, and the node says ``invalid_weight``), and :func:`field_errors` asks the
node's own validation (the builder it is given) for every refused field, not only the first:
each refused field is replaced by a value the node accepts and the form checked again.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from node.protocol.errors import ClinicalError

TIME_ZONE: Final = ZoneInfo("Europe/Paris")
MAX_LINES: Final = 50  # node.protocol.prescription.MAX_LINES: more is refused there anyway
MAX_ROUNDS: Final = 80
SECTIONS: Final = ("situation", "background", "assessment", "request")
PATIENT: Final = ("birth_name", "first_names", "birth_date", "sex", "ins", "weight_kg")
LINE: Final = (
    "medicine",
    "inn",
    "strength",
    "dosage",
    "duration",
    "quantity",
    "renewals",
    "non_substitutable",
)
KIN: Final = ("name", "relationship", "phone")
_INDEX: Final = re.compile(r"^[0-9]+$")
_PHONE: Final = "01 02 03 04 05"

Form = Mapping[str, str]
Document = dict[str, Any]


def _value(form: Form, name: str) -> str | None:
    """A typed value; an empty one is absent (the node says ``required`` if it must be)."""
    value = form.get(name, "").replace("\r\n", "\n")
    return value if value.strip() else None


def _number(value: str | None, integer: bool) -> object:
    """A number as typed ("72,5"); text the node refuses with its own reason otherwise."""
    if value is None:
        return None
    cleaned = value.strip().replace(",", ".")
    try:
        return int(cleaned) if integer else float(cleaned)
    except ValueError:
        return value


def _items(form: Form, name: str) -> list[str] | None:
    """A list typed one item a line; "none known" ticked: an empty list; else not stated."""
    typed = [line for line in form.get(name, "").replace("\r\n", "\n").split("\n") if line.strip()]
    if typed:
        return typed
    return [] if form.get(f"{name}.none") == "1" else None


def _deadline(value: str | None) -> str | None:
    """``datetime-local`` (Europe/Paris) as ISO 8601 with its offset."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TIME_ZONE)
    return moment.isoformat()


def _patient(form: Form, with_status: bool) -> Document:
    patient: Document = {name: _value(form, f"patient.{name}") for name in PATIENT}
    patient["weight_kg"] = _number(patient["weight_kg"], integer=False)
    if with_status:
        patient["ins_status"] = _value(form, "patient.ins_status")
    return patient


def handoff_document(form: Form) -> Document:
    """The handoff form (version 2) as POST /v1/messages's ``handoff`` member."""
    document: Document = {"patient": _patient(form, with_status=True)}  # RNIV status, §18.4
    for name in SECTIONS:
        document[name] = _value(form, name)
    document["callback"] = _value(form, "callback")  # none: the node's phone (§18.4)
    document["severity"] = _value(form, "severity")
    document["allergies"] = _items(form, "allergies")
    document["treatments"] = _items(form, "treatments")
    document["contingency"] = _value(form, "contingency")
    document["deadline"] = _deadline(_value(form, "deadline"))
    kin = {name: _value(form, f"home.next_of_kin.{name}") for name in KIN}
    home = {
        "address": _value(form, "home.address"),
        "phone": _value(form, "home.phone"),
        "next_of_kin": kin if any(kin.values()) else None,
    }
    document["home"] = home if any(home.values()) else None
    return document


def line_count(form: Form) -> int:
    try:
        count = int(form.get("line_count", "1"))
    except ValueError:
        count = 1
    return min(max(count, 1), MAX_LINES)


def prescription_document(form: Form) -> Document:
    """The prescription form (version 2, without its prescriber: the node's profile) as
    POST /v1/messages's ``prescription`` member. A line left wholly empty is left out
    (unless it is the only one: the node then says what it lacks)."""
    lines = []
    for index in range(line_count(form)):
        line: Document = {name: _value(form, f"lines.{index}.{name}") for name in LINE}
        line["renewals"] = _number(line["renewals"], integer=True)
        lines.append(line)
    kept = [line for line in lines if any(value is not None for value in line.values())]
    return {
        "date": _value(form, "date"),
        "patient": _patient(form, with_status=True),
        "lines": kept or lines[:1],
        "notes": _value(form, "notes"),
    }


# --- back to a form (to edit after the review, or to amend a prescription) ---------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _patient_fields(patient: object, fields: dict[str, str]) -> None:
    if isinstance(patient, dict):
        for name in (*PATIENT, "ins_status"):
            fields[f"patient.{name}"] = _text(patient.get(name))


def _local_deadline(value: object) -> str:
    if not isinstance(value, str):
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(TIME_ZONE).strftime("%Y-%m-%dT%H:%M")


def handoff_fields(document: object) -> dict[str, str]:
    """A handoff's JSON as the form's fields."""
    fields: dict[str, str] = {}
    if not isinstance(document, dict):
        return fields
    _patient_fields(document.get("patient"), fields)
    for name in (*SECTIONS, "callback", "severity", "contingency"):
        fields[name] = _text(document.get(name))
    for name in ("allergies", "treatments"):
        items = document.get(name)
        if isinstance(items, list):
            fields[name] = "\n".join(_text(item) for item in items)
            if not items:
                fields[f"{name}.none"] = "1"
    fields["deadline"] = _local_deadline(document.get("deadline"))
    home = document.get("home")
    if isinstance(home, dict):
        fields["home.address"] = _text(home.get("address"))
        fields["home.phone"] = _text(home.get("phone"))
        kin = home.get("next_of_kin")
        if isinstance(kin, dict):
            for name in KIN:
                fields[f"home.next_of_kin.{name}"] = _text(kin.get(name))
    return fields


def prescription_fields(document: object) -> dict[str, str]:
    """A prescription's JSON (a form, or the MESSAGE document's ``prescription``) as the
    form's fields."""
    fields: dict[str, str] = {}
    if not isinstance(document, dict):
        return fields
    fields["date"] = _text(document.get("date"))
    _patient_fields(document.get("patient"), fields)
    lines = document.get("lines")
    lines = lines if isinstance(lines, list) else []
    for index, line in enumerate(lines[:MAX_LINES]):
        if isinstance(line, dict):
            for name in LINE:
                fields[f"lines.{index}.{name}"] = _text(line.get(name))
    fields["line_count"] = str(max(1, min(len(lines), MAX_LINES)))
    fields["notes"] = _text(document.get("notes"))
    return fields


# --- every refused field, by the node's own rules ------------------------------------------


def form_field(path: str) -> str:
    """The input a node's field path is about: ``lines.2.inn`` keeps its line;
    ``allergies.3`` (one item of a list) is the list's input."""
    parts = path.split(".")
    kept: list[str] = []
    for index, part in enumerate(parts):
        if _INDEX.match(part) and not (index == 1 and parts[0] == "lines"):
            break
        kept.append(part)
    return ".".join(kept)


def _placeholder(generic: str, today: date) -> tuple[bool, object]:
    """A value the node accepts for a field (to look for the next refused one)."""
    values: dict[str, object] = {
        "patient.birth_name": "X",
        "patient.first_names": "X",
        "patient.birth_date": "1970-01-01",
        "patient.sex": "U",
        "patient.ins": None,
        "patient.weight_kg": 70.0,
        "patient.ins_status": "qualified",
        "callback": _PHONE,
        "severity": "stable",
        "allergies": None,
        "treatments": None,
        "contingency": None,
        "deadline": None,
        "home": None,
        "home.address": None,
        "home.phone": None,
        "home.next_of_kin": None,
        "home.next_of_kin.name": "X",
        "home.next_of_kin.relationship": None,
        "home.next_of_kin.phone": _PHONE,
        "date": today.isoformat(),
        "notes": None,
        "lines.medicine": "X",
        "lines.inn": "X",
        "lines.strength": "X",
        "lines.dosage": "X",
        "lines.duration": "1 j",
        "lines.quantity": None,
        "lines.renewals": 0,
        "lines.non_substitutable": None,
        **{name: "X" for name in SECTIONS},
    }
    if generic in values:
        return True, values[generic]
    return False, None


def _set(document: Document, path: str, value: object) -> bool:
    parts = path.split(".")
    target: Any = document
    for part in parts[:-1]:
        if isinstance(target, list):
            if not _INDEX.match(part) or int(part) >= len(target):
                return False
            target = target[int(part)]
        else:
            target = target.get(part)
        if not isinstance(target, dict | list):
            return False
    last = parts[-1]
    if isinstance(target, list):
        return False
    target[last] = value
    return True


def field_errors(
    build: Callable[[Document], object], document: Document, today: date
) -> dict[str, str]:
    """Every field the node refuses (its input's name -> the node's reason code), found by
    running ``build`` (the node's validation) until it accepts the form."""
    document = copy.deepcopy(document)
    errors: dict[str, str] = {}
    for _ in range(MAX_ROUNDS):
        try:
            build(document)
            return errors
        except ClinicalError as exc:
            field = form_field(exc.field)
            if field in errors:
                return errors  # refused again with a value it accepts: a rule across fields
            errors[field] = exc.reason
            parts = field.split(".")
            generic = ".".join(parts[:1] + parts[2:]) if parts[0] == "lines" else field
            known, value = _placeholder(generic, today)
            if not known or not _set(document, field, value):
                return errors
            if field in ("patient.birth_date", "patient.sex"):
                _set(document, "patient.ins", None)  # else checked against a stand-in
            if exc.reason == "narcotic" and generic == "lines.medicine":
                _set(document, field.replace(".medicine", ".inn"), "X")  # both are looked up
    return errors


def today_utc(now: float) -> date:
    """The date the node checks forms against (the local API's)."""
    return datetime.fromtimestamp(now, UTC).date()
