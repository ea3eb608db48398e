"""What several commands take on the command line, and the values argparse checks for them.

Each checked type (a role, a bounded number, a date) is made for one translator, so that its
refusal is in the user's language; argparse shows it as "argument --ttl: ..." and exits with
the usage code 2.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import date

from .i18n import Translator
from .roles import ROLE_ALIASES, ROLE_CODES, parse_role

_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def role(tr: Translator) -> Callable[[str], str]:
    """A role code, or a word of the trade (medecin, pharmacienne...)."""

    def parse(value: str) -> str:
        code = parse_role(value)
        if code is None:
            accepted = ", ".join([*ROLE_CODES, *sorted(ROLE_ALIASES)])
            raise argparse.ArgumentTypeError(tr("help.bad_role", role=value, accepted=accepted))
        return code

    return parse


def int_range(tr: Translator, low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(tr("help.bad_range", value=value, low=low, high=high))
        return number

    return parse


def day(tr: Translator) -> Callable[[str], str]:
    """YYYY-MM-DD or DD/MM/YYYY, as the ISO date the API takes."""

    def parse(value: str) -> str:
        text = value.strip()
        match = _FRENCH_DATE.match(text)
        try:
            if match is not None:
                number_day, month, year = (int(part) for part in match.groups())
                return date(year, month, number_day).isoformat()
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise argparse.ArgumentTypeError(tr("help.bad_date", value=value)) from None

    return parse


def json_option(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--json", action="store_true", help=tr("help.json"))


def contact_argument(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("contact", metavar=tr("metavar.contact"), help=tr("help.contact"))


def message_id_argument(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("message_id", metavar=tr("metavar.message_id"), help=tr("help.message_id"))
