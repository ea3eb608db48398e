"""Checks shared by the clinical contents (docs/protocol.md §18): text fields, dates and the
JSON objects they come from.

Everything here raises :class:`ClinicalError` with a field name relative to the object being
checked; the enclosing object prefixes it (:meth:`ClinicalError.within`). The binary decoders
run the same checks and turn the error into :class:`MalformedInput` (:func:`remote`).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final, TypeVar

from .characters import has_control, has_control_in_paragraphs, has_format_character
from .errors import ClinicalError, MalformedInput
from .wire import Reader, Writer

MIN_YEAR: Final = 1900
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KEY_SHOWN: Final = re.compile(r"[A-Za-z0-9_]{1,64}")
T = TypeVar("T")


# --- Text ----------------------------------------------------------------------------------


def _normalised(value: object, field: str) -> str:
    if value is None:
        raise ClinicalError(field, "required")
    if not isinstance(value, str):
        raise ClinicalError(field, "invalid_type")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, from JSON's \ud800 escapes
        raise ClinicalError(field, "invalid_text") from None
    return unicodedata.normalize("NFC", value)


def _bounded(text: str, field: str, max_chars: int, required: bool) -> str | None:
    text = text.strip()
    if not text:
        if required:
            raise ClinicalError(field, "required")
        return None
    if len(text) > max_chars:
        raise ClinicalError(field, "too_long")
    return text


def check_line(value: object, field: str, max_chars: int) -> str:
    """A required one-line field (a name, a strength...), stripped, NFC: no control or
    invisible formatting characters (they would let one name imitate another on paper)."""
    text = _bounded(_normalised(value, field), field, max_chars, required=True)
    assert text is not None
    if has_control(text) or has_format_character(text):
        raise ClinicalError(field, "invalid_text")
    return text


def check_optional_line(value: object, field: str, max_chars: int) -> str | None:
    """:func:`check_line` where a missing, null or blank value is ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check_line(value, field, max_chars)


def check_paragraphs(value: object, field: str, max_chars: int) -> str:
    """A required free-text field, stripped, NFC, line breaks as ``\\n``: tabs and line
    breaks allowed, other control characters (terminal escapes, NUL) refused."""
    text = _normalised(value, field).replace("\r\n", "\n")
    bounded = _bounded(text, field, max_chars, required=True)
    assert bounded is not None
    if has_control_in_paragraphs(bounded):
        raise ClinicalError(field, "invalid_text")
    return bounded


def check_optional_paragraphs(value: object, field: str, max_chars: int) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check_paragraphs(value, field, max_chars)


# --- Dates ---------------------------------------------------------------------------------


def check_date(value: object, field: str) -> datetime.date:
    """A calendar date from ``YYYY-MM-DD`` (or a ``date``), year 1900 or later."""
    if isinstance(value, datetime.datetime):
        raise ClinicalError(field, "invalid_date")
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value) is None:
            raise ClinicalError(field, "invalid_date")
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise ClinicalError(field, "invalid_date") from None
    if not isinstance(value, datetime.date) or value.year < MIN_YEAR:
        raise ClinicalError(field, "invalid_date")
    return value


def check_not_after(date: datetime.date, latest: datetime.date, field: str) -> None:
    if date > latest:
        raise ClinicalError(field, "future_date")


def encode_date(writer: Writer, date: datetime.date) -> None:
    writer.u16(date.year).u8(date.month).u8(date.day)


def decode_date(reader: Reader) -> datetime.date:
    year, month, day = reader.u16(), reader.u8(), reader.u8()
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise reader.fail("invalid date") from None


# --- JSON objects --------------------------------------------------------------------------


class JsonFields:
    """Reads the members of one JSON object; :meth:`done` refuses members nobody read."""

    def __init__(self, obj: object, field: str = "") -> None:
        if not isinstance(obj, dict):
            raise ClinicalError(field, "invalid_type")
        self._obj: dict[object, object] = obj
        self._read: set[str] = set()

    def get(self, key: str) -> object:
        self._read.add(key)
        return self._obj.get(key)

    def done(self) -> None:
        for key in self._obj:
            if key not in self._read:
                shown = key if isinstance(key, str) and _KEY_SHOWN.fullmatch(key) else "?"
                raise ClinicalError(shown, "unknown_field")


@contextmanager
def within(prefix: str | int) -> Iterator[None]:
    """Prefixes the field of a :class:`ClinicalError` raised inside."""
    try:
        yield
    except ClinicalError as exc:
        raise exc.within(prefix) from None


def remote(what: str, build: Callable[[], T]) -> T:
    """Runs a constructor on decoded values: a peer's invalid content is malformed input."""
    try:
        return build()
    except ClinicalError as exc:
        raise MalformedInput(f"{what}: {exc}", (exc.field, exc.reason)) from None


def required(value: object, field: str = "") -> object:
    """A member that must be present (and not null)."""
    if value is None:
        raise ClinicalError(field, "required")
    return value


def check_int(value: object, field: str, low: int, high: int) -> int:
    """An integer in ``low..high`` (a JSON ``true`` is not 1)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClinicalError(field, "invalid_number")
    if not low <= value <= high:
        raise ClinicalError(field, "invalid_number")
    return value


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def optional_utf8(text: str | None) -> bytes:
    """An optional text field on the wire: absent is empty (a present one is never blank)."""
    return b"" if text is None else text.encode("utf-8")


def decode_utf8(data: bytes, reader: Reader) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise reader.fail("text is not UTF-8") from None


def decode_optional_utf8(data: bytes, reader: Reader) -> str | None:
    return decode_utf8(data, reader) if data else None
