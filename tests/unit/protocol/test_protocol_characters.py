"""The fast character checks (node.protocol.characters) accept and refuse exactly what the
per-character loops they replaced did. Those loops are kept here, verbatim, as the oracle:
every code point one by one, then Hypothesis texts over all of Unicode (controls, lone
surrogates, bidirectional overrides, zero-width and tag characters, separators, private use,
unassigned) through each validator that used them."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from node.protocol import characters, wire
from node.protocol.attachment import (
    _WINDOWS_DEVICES,  # unchanged: only the character checks moved
    MAX_FILE_NAME_BYTES,
    MAX_FILE_NAME_CHARS,
    check_file_name,
)
from node.protocol.conversation import MAX_TEXT_BYTES, TextContent
from node.protocol.errors import ClinicalError, MalformedInput
from node.protocol.validation import check_line, check_paragraphs

# --- the reference: the checks as they were, one character at a time ------------------------


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0


def old_has_control(text: str) -> bool:
    return any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text)


def old_has_control_in_paragraphs(text: str) -> bool:
    return any(_is_control(c) and c not in "\t\n" for c in text)


def old_has_control_in_message(text: str) -> bool:
    return any((ord(c) < 0x20 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0 for c in text)


def old_has_format_character(text: str) -> bool:
    return any(unicodedata.category(c) == "Cf" for c in text)


def old_text_content(text: str) -> str | None:
    """TextContent.__post_init__ as it was: the refusal's reason, or None."""
    if not text.strip():
        return "required"
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return "invalid_text"
    if size > MAX_TEXT_BYTES:
        return "too_long"
    if any((ord(c) < 0x20 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0 for c in text):
        return "invalid_text"
    return None


def old_check_line(text: str, max_chars: int) -> str:
    """validation.check_line as it was (its unchanged helpers inlined): the value or the
    refusal's reason, prefixed with "!"."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "!invalid_text"
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        return "!required"
    if len(text) > max_chars:
        return "!too_long"
    if any(_is_control(c) or unicodedata.category(c) == "Cf" for c in text):
        return "!invalid_text"
    return text


def old_check_paragraphs(text: str, max_chars: int) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "!invalid_text"
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").strip()
    if not text:
        return "!required"
    if len(text) > max_chars:
        return "!too_long"
    if any(_is_control(c) and c not in "\t\n" for c in text):
        return "!invalid_text"
    return text


def old_check_text(text: str, max_chars: int) -> str | None:
    """wire.check_text as it was: the refusal's message, or None."""
    if len(text) > max_chars:
        return f"name: longer than {max_chars} characters"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text):
        return "name: control characters are not allowed"
    if any(unicodedata.category(c) == "Cf" for c in text):
        return "name: invisible formatting characters are not allowed"
    return None


def old_check_file_name(value: str) -> str:
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        return "!required"
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "!invalid_name"
    if len(name) > MAX_FILE_NAME_CHARS or size > MAX_FILE_NAME_BYTES:
        return "!too_long"
    if (
        any(c in frozenset('/\\:*?"<>|') or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in name)
        or any(unicodedata.category(c) == "Cf" for c in name)
        or name.startswith(".")
        or name.endswith((".", " "))
        or name.split(".")[0].strip().upper() in _WINDOWS_DEVICES
    ):
        return "!invalid_name"
    return name


# --- the new checks through the same shapes -------------------------------------------------


def outcome(check: Callable[[], object]) -> object:
    try:
        return check()
    except ClinicalError as exc:
        return "!" + exc.reason


def new_text_content(text: str) -> str | None:
    try:
        TextContent(text)
    except ClinicalError as exc:
        return exc.reason
    return None


def new_check_text(text: str, max_chars: int) -> str | None:
    try:
        wire.check_text(text, "name", max_chars, MalformedInput)
    except MalformedInput as exc:
        return str(exc)
    return None


PAIRS: list[tuple[Callable[[str], bool], Callable[[str], bool]]] = [
    (characters.has_control, old_has_control),
    (characters.has_control_in_paragraphs, old_has_control_in_paragraphs),
    (characters.has_control_in_message, old_has_control_in_message),
    (characters.has_format_character, old_has_format_character),
]


# --- every code point -----------------------------------------------------------------------


@pytest.mark.parametrize(("new", "old"), PAIRS, ids=lambda f: getattr(f, "__name__", ""))
def test_every_code_point_alone(new: Callable[[str], bool], old: Callable[[str], bool]) -> None:
    differ = [hex(code) for code in range(sys.maxunicode + 1) if new(chr(code)) != old(chr(code))]
    assert differ == []


def test_every_code_point_after_printable_text() -> None:
    """The printable fast path sees the whole text: a format character after printable
    ones (or after a non-printable that is not Cf) is still found."""
    for code in range(0x80, sys.maxunicode + 1):
        if unicodedata.category(chr(code)) == "Cf":
            assert characters.has_format_character("Dr Martin" + chr(code))
            assert characters.has_format_character("\u2028" + chr(code) + "é")


def test_texts_that_are_not_printable_but_hold_no_format_character() -> None:
    for text in ("ligne\u2028suivante", "10\u00a0mg", "12\u202fh", "\ue000", "\u0378", "\ufffe"):
        assert not text.isprintable()
        assert not characters.has_format_character(text)


# --- texts over all of Unicode --------------------------------------------------------------

# Characters the checks are about, drawn more often than chance would.
SPECIAL = (
    [chr(c) for c in range(0x20)]
    + [chr(c) for c in range(0x7F, 0xA1)]
    + list("\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c")
    + list("\u202d\u202e\u202f\u2060\u2066\u2067\u2068\u2069\ufeff\ufff9\ufffe\ue000\u0378")
    + ["\U000e0001", "\U000e0041", "\U0001d173", "\ud800", "\udfff", " ", "é", "e", "\u0301"]
)
ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates too
TEXTS = st.text(st.one_of(ANY_CHARACTER, st.sampled_from(SPECIAL)), max_size=80)


@given(TEXTS)
def test_the_character_checks_agree_with_the_loops(text: str) -> None:
    for new, old in PAIRS:
        assert new(text) == old(text), new.__name__


@given(TEXTS)
def test_text_content_accepts_and_refuses_as_before(text: str) -> None:
    assert new_text_content(text) == old_text_content(text)


@given(TEXTS, st.integers(1, 100))
def test_check_line_and_paragraphs_as_before(text: str, max_chars: int) -> None:
    assert outcome(lambda: check_line(text, "f", max_chars)) == old_check_line(text, max_chars)
    assert outcome(lambda: check_paragraphs(text, "f", max_chars)) == old_check_paragraphs(
        text, max_chars
    )


@given(TEXTS, st.integers(1, 100))
def test_display_text_as_before(text: str, max_chars: int) -> None:
    assert new_check_text(text, max_chars) == old_check_text(text, max_chars)


@given(TEXTS)
def test_file_names_as_before(text: str) -> None:
    assert outcome(lambda: check_file_name(text)) == old_check_file_name(text)


def test_a_long_message_is_checked_in_one_scan() -> None:
    """60 000 bytes of French text with line breaks: accepted; one escape at the end, or a
    C1 control, refused (the scan does not stop early on a long valid prefix)."""
    text = ("Patiente vue ce matin, tension 13/8.\r\nÀ revoir dans 8 jours.\t" * 900)[:59_000]
    assert new_text_content(text) is None
    assert new_text_content(text[:-1] + "\x1b") == "invalid_text"
    assert new_text_content(text[:-1] + "\x9b") == "invalid_text"
