"""How single values read on a terminal: a peer's text made harmless, times, role and status names.

Text that comes from a peer (names, messages) is cleaned of control characters first, so that
a contact cannot drive the terminal with escape sequences.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime

from .i18n import Translator

_KEPT_CONTROLS = frozenset("\n\t")
# Bidirectional overrides and isolates can make a name read as another one.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def dump_json(value: object) -> str:
    """The stable --json form: the API's objects unchanged (docs/local-api.md)."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def clean(value: object) -> str:
    """A peer's text made safe to print: control characters become U+FFFD."""
    text = "" if value is None else str(value).replace("\r\n", "\n")
    out = []
    for char in text:
        if char in _KEPT_CONTROLS:
            out.append(char)
        elif char in _BIDI_CONTROLS or unicodedata.category(char) == "Cc":
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone()


def fmt_time(tr: Translator, value: object) -> str:
    """An API time (ISO UTC, Z) as local date and time, e.g. 28/11/2026 23:53."""
    moment = parse_time(value)
    if moment is None:
        return clean(value) if value else tr("word.never")
    pattern = "%d/%m/%Y %H:%M" if tr.french else "%Y-%m-%d %H:%M"
    return moment.strftime(pattern)


def fmt_clock(value: object) -> str:
    """An API time as local time of day with seconds, e.g. 23:53:10."""
    moment = parse_time(value)
    return moment.strftime("%H:%M:%S") if moment is not None else clean(value)


def role_name(tr: Translator, code: object) -> str:
    return tr.get(f"role.{code}", clean(code))


def status_name(tr: Translator, code: object) -> str:
    return tr.get(f"msgstatus.{code}", clean(code))
