"""Which characters a text may hold (docs/protocol.md §2.1 display text, §18 message text):
the checks every text field shares, each one scan in C rather than a Python loop per
character (a message's text is checked on seal, on open and on every listing).

    has_control(text)               C0 controls, DEL, C1 controls: U+0000-001F, U+007F-009F
    has_control_in_paragraphs(text) the same but tab and line feed (free-text fields)
    has_control_in_message(text)    the same but tab, line feed and carriage return (§18.2)
    utf8_has_control_in_message(data)  has_control_in_message of valid UTF-8, on its bytes
    has_format_character(text)      Unicode category Cf: bidi overrides, zero-width joiners
                                    and spaces, byte-order marks, soft hyphens...
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from typing import Final

_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_TAB_LF: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_BUT_TAB_LF_CR: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control(text: str) -> bool:
    """Any C0 control, DEL or C1 control character."""
    return _CONTROL.search(text) is not None


def has_control_in_paragraphs(text: str) -> bool:
    """Any control character other than tab and line feed."""
    return _CONTROL_BUT_TAB_LF.search(text) is not None


def has_control_in_message(text: str) -> bool:
    """Any control character other than tab, line feed and carriage return."""
    return _CONTROL_BUT_TAB_LF_CR.search(text) is not None


# In UTF-8 a C0 control or DEL is its own byte (every byte of a longer sequence is 0x80 or
# more), and a C1 control U+0080-009F is 0xC2 followed by 0x80-0x9F (0xC2 only ever leads).
_C0_BUT_TAB_LF_CR_AND_DEL: Final = bytes(
    code for code in range(0x80) if _CONTROL_BUT_TAB_LF_CR.match(chr(code))
)
_C1_IN_UTF8: Final = re.compile(b"\xc2[\x80-\x9f]")


def utf8_has_control_in_message(data: bytes) -> bool:
    """``has_control_in_message(data.decode("utf-8"))`` for valid UTF-8 ``data``, about ten
    times cheaper: a byte table instead of a character class, and 0xC2 is rare."""
    if len(data.translate(None, _C0_BUT_TAB_LF_CR_AND_DEL)) != len(data):
        return True
    return b"\xc2" in data and _C1_IN_UTF8.search(data) is not None


def has_format_character(text: str) -> bool:
    """Any character of Unicode general category Cf, as this Python's ``unicodedata`` says.

    ``str.isprintable`` is False for every Cf character (and for other separators and
    controls), so a printable text is answered without the table; the others are searched
    with a character class built from the Unicode database itself, so that the refused set
    is exactly ``unicodedata.category(c) == "Cf"`` whatever the Unicode version."""
    return not text.isprintable() and _format_characters().search(text) is not None


@functools.cache  # about 0.1 s once per process, and only for a text that is not printable
def _format_characters() -> re.Pattern[str]:
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) == "Cf":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    # Escaped, as a character class would read "-", "]" or "\\" as syntax.
    members = "".join(
        re.escape(chr(low)) + ("-" + re.escape(chr(high)) if high != low else "")
        for low, high in ranges
    )
    return re.compile(f"[{members}]")
