"""How API objects are shown: local times, cleaned peer text, unknown fields ignored."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from clients.cli.display import format_message
from clients.cli.i18n import Translator
from clients.cli.text import clean, fmt_clock, fmt_time, role_name

FRENCH, ENGLISH = Translator("fr"), Translator("en")


@pytest.fixture
def paris() -> Iterator[None]:
    """Paris time, spelled as a POSIX rule so that no time zone database is needed."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "CET-1CEST,M3.5.0,M10.5.0/3"
    time.tzset()
    yield
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


@pytest.mark.usefixtures("paris")
def test_times_are_shown_in_local_time() -> None:
    assert fmt_time(FRENCH, "2026-11-28T22:53:10.123Z") == "28/11/2026 23:53"
    assert fmt_time(ENGLISH, "2026-11-28T22:53:10.123Z") == "2026-11-28 23:53"
    assert fmt_clock("2026-07-01T08:00:05.000Z") == "10:00:05"


def test_missing_or_odd_times() -> None:
    assert fmt_time(FRENCH, None) == "jamais"
    assert fmt_time(FRENCH, "not a time") == "not a time"
    assert fmt_time(FRENCH, "2026-11-28T22:53:10") == "2026-11-28T22:53:10"  # no zone: shown as is


def test_clean_keeps_text_and_removes_controls() -> None:
    assert clean("Ligne 1\nLigne\t2 é ✓") == "Ligne 1\nLigne\t2 é ✓"
    assert clean("a\r\nb") == "a\nb"
    assert clean("\x1b[31mrouge\x07") == "\ufffd[31mrouge\ufffd"
    assert clean("\x9b2J") == "\ufffd2J"
    assert clean("Dr \u202eniraM") == "Dr \ufffdniraM"
    assert clean(None) == ""


def test_unknown_role_and_kind_are_shown_plainly() -> None:
    assert role_name(FRENCH, "veterinarian") == "veterinarian"
    lines = format_message(FRENCH, {"direction": "in", "kind": "receipt", "contact_name": "X"})
    assert lines[-1] == "[message de type receipt]"
