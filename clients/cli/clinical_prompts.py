"""The handoff and prescription forms, asked field by field on the terminal.

The node validates (docs/local-api.md, ``invalid_field``); this module only asks, turns what is
typed into the JSON forms of the spec (a date typed 14/03/1956 becomes 1956-03-14, a weight
18,5 becomes 18.5) and, when the node refuses a field, says why in the user's words and asks
for that field again. Questions go to stderr so that stdout keeps the message id alone.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Final, TextIO

from .errors import CliError
from .fields import field_label, split_path
from .i18n import Translator

JsonObject = dict[str, Any]

# How each field is asked (the generic path: prescription lines without their index).
FIELD_KINDS: Final = {
    "patient.birth_name": "line",
    "patient.first_names": "line",
    "patient.birth_date": "date",
    "patient.sex": "sex",
    "patient.ins": "optional",
    "patient.weight_kg": "weight",
    "situation": "multiline",
    "background": "multiline",
    "assessment": "multiline",
    "request": "multiline",
    "patient.ins_status": "ins_status",
    "date": "date",
    "lines.medicine": "line",
    "lines.inn": "line",
    "lines.non_substitutable": "non_substitutable",
    "lines.strength": "line",
    "lines.dosage": "line",
    "lines.duration": "optional",
    "lines.quantity": "optional",
    "lines.renewals": "count",
    "notes": "optional_multiline",
    # Handoff version 2 (docs/protocol.md §18.4).
    "callback": "optional",
    "severity": "severity",
    "allergies": "list",
    "treatments": "list",
    "contingency": "optional_multiline",
    "deadline": "deadline",
    "home.address": "optional_multiline",
    "home.phone": "optional",
    "home.next_of_kin.name": "optional",
    "home.next_of_kin.relationship": "optional",
    "home.next_of_kin.phone": "optional",
}
PATIENT_FIELDS: Final = ("birth_name", "first_names", "birth_date", "sex", "ins")
LINE_FIELDS: Final = (
    "medicine",
    "inn",
    "strength",
    "dosage",
    "duration",
    "quantity",
    "renewals",
    "non_substitutable",
)
SAED: Final = ("situation", "background", "assessment", "request")
# What is typed for the identity status (RNIV) and a line's non-substitution reason.
_INS_STATUS: Final = {
    "p": "provisional",
    "provisoire": "provisional",
    "r": "retrieved",
    "récupérée": "retrieved",
    "recuperee": "retrieved",
    "v": "validated",
    "validée": "validated",
    "validee": "validated",
    "q": "qualified",
    "qualifiée": "qualified",
    "qualifiee": "qualified",
}
MAX_LINES: Final = 50
_FRENCH_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_SEX = {"f": "F", "m": "M", "h": "M", "u": "U", "i": "U"}
_SEVERITY = {
    "s": "stable",
    "stable": "stable",
    "w": "watcher",
    "watcher": "watcher",
    "a": "watcher",
    "à surveiller": "watcher",
    "a surveiller": "watcher",
    "u": "unstable",
    "i": "unstable",
    "instable": "unstable",
    "unstable": "unstable",
}
_NONE_KNOWN = frozenset({"-", "aucune", "aucun", "none"})
_FRENCH_TIME = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s+(\d{1,2})[:h](\d{2})\s*$")
_YES = frozenset({"o", "oui", "y", "yes"})


def typed_date(text: str) -> str:
    """14/03/1956 (the French way) as 1956-03-14; anything else unchanged, for the node."""
    match = _FRENCH_DATE.match(text)
    if match is None:
        return text.strip()
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text.strip()  # 31/02: the node says invalid_date in the user's words


def typed_deadline(text: str) -> str | None:
    """21/11/2026 14:00 (local time) as ISO 8601 with this machine's UTC offset; an ISO text
    unchanged; empty: no deadline. The node refuses a time without its offset."""
    text = text.strip()
    if not text:
        return None
    match = _FRENCH_TIME.match(text)
    if match is None:
        return text
    day, month, year, hour, minute = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute).astimezone().isoformat()
    except ValueError:
        return text


class Prompter:
    """Questions on ``err`` in ``tr``'s language, answers from ``inp`` (the terminal, or a
    script's stdin)."""

    def __init__(
        self, tr: Translator, inp: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        self.tr = tr
        self.inp = inp if inp is not None else sys.stdin
        self.err = err if err is not None else sys.stderr

    def say(self, text: str = "") -> None:
        print(text, file=self.err, flush=True)

    def _read(self, question: str) -> str:
        self.err.write(question)
        self.err.flush()
        answer = self.inp.readline()
        if not answer:
            raise CliError("error.input_ended")
        return answer.rstrip("\r\n")

    def line(self, label: str, *, default: str | None = None, hint: str | None = None) -> str:
        shown = f"{label} ({hint})" if hint else label
        if default:
            shown += f" [{default}]"
        answer = self._read(f"{shown} : " if self.tr.french else f"{shown}: ").strip()
        return answer if answer or default is None else default

    def multiline(self, label: str) -> str:
        self.say(f"{label} ({self.tr('form.multiline')})")
        lines: list[str] = []
        while True:
            line = self._read("> ")
            if not line.strip():
                return "\n".join(lines).strip()
            lines.append(line)

    def yes(self, question: str) -> bool:
        return self._read(question).strip().lower() in _YES

    def ask(self, path: str, default: object = None) -> object:
        """Asks one field (a concrete path such as lines.2.renewals); returns its JSON value."""
        generic, _ = split_path(path)
        kind = FIELD_KINDS[generic]
        label = field_label(self.tr, path)
        given = None if default is None else str(default)
        if kind == "multiline":
            return self.multiline(label)
        if kind == "optional_multiline":
            return self.multiline(f"{label} ({self.tr('form.optional')})") or None
        if kind == "date":
            return typed_date(self.line(label, default=given, hint=self.tr("form.date_hint")))
        if kind == "sex":
            answer = self.line(label, default=given, hint=self.tr("form.sex_hint"))
            return _SEX.get(answer.lower(), answer.upper())
        if kind == "optional":
            return self.line(label, default=given, hint=self.tr("form.optional")) or None
        if kind == "weight":
            return self._weight(label)
        if kind == "ins_status":
            answer = self.line(label, default=given).strip().lower()
            return _INS_STATUS.get(answer, answer) or None
        if kind == "non_substitutable":
            answer = self.line(label, default=given, hint=self.tr("form.optional"))
            return answer.strip().upper() or None
        if kind == "count":
            return self._count(label, given or "0")
        if kind == "severity":
            answer = self.line(label, default=given, hint=self.tr("form.severity_hint"))
            return _SEVERITY.get(answer.strip().lower(), answer.strip().lower()) or None
        if kind == "list":
            return self._list(label)
        if kind == "deadline":
            hint = f"{self.tr('form.optional')}, {self.tr('form.deadline_hint')}"
            return typed_deadline(self.line(label, hint=hint))
        return self.line(label, default=given)

    def _list(self, label: str) -> list[str] | None:
        """One item a line, an empty line to end; "-" alone: none known; nothing: not
        stated."""
        self.say(f"{label} ({self.tr('form.list_hint')})")
        items: list[str] = []
        while True:
            line = self._read("> ").strip()
            if not line:
                return items or None
            if not items and line.lower() in _NONE_KNOWN:
                return []
            items.append(line)

    def _weight(self, label: str) -> float | None:
        while True:
            answer = self.line(
                label, hint=f"{self.tr('form.optional')}, {self.tr('form.weight_hint')}"
            )
            if not answer:
                return None
            try:
                return float(answer.replace(",", ".").removesuffix("kg").strip())
            except ValueError:
                self.say(self.tr("form.not_a_decimal"))

    def _count(self, label: str, default: str) -> int:
        while True:
            answer = self.line(label, default=default)
            try:
                return int(answer)
            except ValueError:
                self.say(self.tr("form.not_a_number"))


# -- paths into the content ---------------------------------------------------------------------


def _steps(path: str) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in path.split(".")]


def get_path(content: JsonObject, path: str) -> object:
    value: Any = content
    for step in _steps(path):
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return None
            value = value[step]
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value


def set_path(content: JsonObject, path: str, value: object) -> bool:
    """Sets the field at ``path``; False when the path does not lead into the content."""
    steps = _steps(path)
    target: Any = content
    for step in steps[:-1]:
        if isinstance(step, int):
            if not isinstance(target, list) or step >= len(target):
                return False
            target = target[step]
        else:
            if not isinstance(target, dict):
                return False
            target = target.setdefault(step, {})
    last = steps[-1]
    if not isinstance(target, dict) or isinstance(last, int):
        return False
    target[last] = value
    return True


def paths_to_ask(field: str | None, reason: str | None) -> list[str]:
    """The fields to ask again after the node refused ``field`` for ``reason``; [] if none."""
    if not field:
        return []
    for root in ("handoff.", "prescription."):
        field = field.removeprefix(root)
    generic, index = split_path(field)
    if reason == "duration_or_quantity" and generic in (
        "lines",
        "lines.duration",
        "lines.quantity",
    ):
        if index is None:
            return []
        return [f"lines.{index}.duration", f"lines.{index}.quantity"]
    if reason == "weight_required" and generic in ("patient", "patient.weight_kg"):
        return ["patient.weight_kg"]
    return [field] if generic in FIELD_KINDS else []


# -- the forms ----------------------------------------------------------------------------------


def ask_patient(prompter: Prompter, *, weight: bool) -> JsonObject:
    """``weight``: a prescription's patient (the weight). The identity status of an INS is
    asked in both forms (a prescription, a handoff)."""
    prompter.say()
    prompter.say(prompter.tr("form.patient_heading"))
    patient: JsonObject = {}
    for name in PATIENT_FIELDS:
        patient[name] = prompter.ask(f"patient.{name}")
    patient["weight_kg"] = prompter.ask("patient.weight_kg") if weight else None
    # An INS travels only with a qualified identity (RNIV); the node says so otherwise.
    patient["ins_status"] = prompter.ask("patient.ins_status") if patient["ins"] else None
    return patient


def ask_handoff(prompter: Prompter) -> JsonObject:
    prompter.say(prompter.tr("form.handoff_intro"))
    handoff: JsonObject = {"patient": ask_patient(prompter, weight=False)}
    prompter.say()
    for section in SAED:
        handoff[section] = prompter.ask(section)
    # What the next carer needs (docs/protocol.md §18.4).
    for name in ("severity", "callback", "allergies", "treatments", "contingency", "deadline"):
        handoff[name] = prompter.ask(name)
    handoff["home"] = None
    if prompter.yes(prompter.tr("form.home_question")):
        home: JsonObject = {
            "address": prompter.ask("home.address"),
            "phone": prompter.ask("home.phone"),
            "next_of_kin": None,
        }
        kin_name = prompter.ask("home.next_of_kin.name")
        if kin_name:
            home["next_of_kin"] = {
                "name": kin_name,
                "relationship": prompter.ask("home.next_of_kin.relationship"),
                "phone": prompter.ask("home.next_of_kin.phone"),
            }
        handoff["home"] = home
    return handoff


def ask_prescription(prompter: Prompter, today: Callable[[], date] = date.today) -> JsonObject:
    """The prescription's form; the prescriber block is the node's own profile (it signs)."""
    prompter.say(prompter.tr("form.prescription_intro"))
    prompter.say()
    prescription: JsonObject = {
        "date": prompter.ask("date", default=today().isoformat()),
        "patient": ask_patient(prompter, weight=True),
        "lines": [],
    }
    while len(prescription["lines"]) < MAX_LINES:
        index = len(prescription["lines"])
        prompter.say()
        prompter.say(prompter.tr("form.line_heading", number=index + 1))
        prescription["lines"].append(
            {name: prompter.ask(f"lines.{index}.{name}") for name in LINE_FIELDS}
        )
        if not prompter.yes(prompter.tr("form.another_line")):
            break
    prompter.say()
    prescription["notes"] = prompter.ask("notes")
    return prescription


def correct(prompter: Prompter, content: JsonObject, paths: Sequence[str]) -> bool:
    """Asks again the fields the node refused; False if one is not in the content."""
    for path in paths:
        if get_path(content, path.rpartition(".")[0]) is None and "." in path:
            return False
        if not set_path(content, path, prompter.ask(path)):
            return False
    return True
