"""French health identifiers, phone numbers and e-mail addresses: INS (NIR, NIA), RPPS
(docs/protocol.md §18.3, §19).

Each ``check_*`` function takes what a person typed and returns the normalised form, or
raises :class:`ClinicalError` naming ``field``. Only ASCII digits count as digits
(``str.isdigit`` would accept Arabic-Indic or fullwidth digits).

INS (the patient's NIR used as the national health identifier): 13 characters then a
two-digit key, ``key = 97 - (n mod 97)`` where ``n`` is the first 13 characters read as a
number, Corsica's department ``2A`` read as ``19`` and ``2B`` as ``18``. The first digit is
1 or 2, or 3, 4, 7 or 8 (provisional and foreign-born NIRs).

RPPS: 11 digits, the last a Luhn check digit over the first ten. No ANS text stating the key
was found in the material at hand; the rule is corroborated by independent implementations
(health-identifier libraries, pharmacy software) and by published real RPPS numbers, which
all pass it, while a number without a key would fail it nine times in ten. If ANS ever
documents otherwise, :data:`RPPS_HAS_LUHN_KEY` turns the key check off.
"""

from __future__ import annotations

import re
from typing import Final

from .errors import ClinicalError

INS_LENGTH: Final = 15
RPPS_LENGTH: Final = 11
RPPS_HAS_LUHN_KEY: Final = True
MIN_PHONE_DIGITS: Final = 6
MAX_PHONE_DIGITS: Final = 20
MAX_PHONE_CHARS: Final = 32

# sex digit, year (2), month (2), department (2 digits, or 2A/2B), commune (3), order (3), key (2)
_INS: Final = re.compile(r"[123478][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{8}")
_RPPS: Final = re.compile(r"[0-9]{11}")
_PHONE: Final = re.compile(r"[0-9 .+\-]+")
_CORSICA: Final = {"2A": "19", "2B": "18"}


def ins_key(first13: str) -> int:
    """The INS/NIR key of its first 13 characters (Corsica's 2A/2B allowed)."""
    department = first13[5:7]
    digits = first13[:5] + _CORSICA.get(department, department) + first13[7:]
    return 97 - int(digits) % 97


def check_ins(value: str, field: str = "ins") -> str:
    """The INS as 15 characters (spaces removed, ``2a`` upper-cased), its key checked."""
    compact = "".join(value.split(" ")).strip().upper()
    if _INS.fullmatch(compact) is None:
        raise ClinicalError(field, "invalid_ins")
    if ins_key(compact[:13]) != int(compact[13:]):
        raise ClinicalError(field, "ins_key")
    return compact


# What the NIR says about its holder (INSEE, "Le numéro d'inscription au répertoire", NIR
# structure: sex digit, year, month, place, order, key; the NIA — numéro identifiant
# d'attente, a temporary number given by the Cnav/SANDIA pending registration — has the same
# layout with 7 or 8 first). First digit: 1, 3, 7 male; 2, 4, 8 female (3/4: foreign-born
# persons registered on provisional terms; 7/8: NIA). The month is 01 to 12, or a fictitious
# value when the civil-status document gives none: 20 to 42 (INSEE, persons born abroad whose
# month is unknown), 50 to 99 (older conventions, 99 "unknown"); those months are not checked.
# Not re-checked here: the commune and order numbers (nothing in the form to compare).
_MALE_DIGITS: Final = frozenset("137")
_FEMALE_DIGITS: Final = frozenset("248")
NIA_FIRST_DIGITS: Final = frozenset("78")


def is_nia(ins: str) -> bool:
    """A temporary NIA (first digit 7 or 8) rather than a NIR: exported under its own OID."""
    return ins[:1] in NIA_FIRST_DIGITS


def check_nir_holder(ins: str, sex: str, year: int, month: int, field: str = "ins") -> None:
    """The checked INS ``ins`` agrees with its holder: ``sex`` ("F", "M" or "U": unknown is
    not compared), the birth ``year`` (its last two digits) and ``month`` (when the NIR's
    month is a real one, 01 to 12). Raises ``ClinicalError(field, "ins_mismatch")``."""
    digit = ins[0]
    if (sex == "M" and digit not in _MALE_DIGITS) or (sex == "F" and digit not in _FEMALE_DIGITS):
        raise ClinicalError(field, "ins_mismatch")
    if int(ins[1:3]) != year % 100:
        raise ClinicalError(field, "ins_mismatch")
    nir_month = int(ins[3:5])
    if 1 <= nir_month <= 12 and nir_month != month:
        raise ClinicalError(field, "ins_mismatch")


def luhn_valid(digits: str) -> bool:
    """Whether a string of ASCII digits ends with its Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def check_rpps(value: str, field: str = "rpps") -> str:
    """The RPPS number as 11 digits (spaces removed), its Luhn key checked."""
    compact = "".join(value.split(" ")).strip()
    if _RPPS.fullmatch(compact) is None:
        raise ClinicalError(field, "invalid_rpps")
    if RPPS_HAS_LUHN_KEY and not luhn_valid(compact):
        raise ClinicalError(field, "rpps_key")
    return compact


_EMAIL: Final = re.compile(
    r"[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
MAX_EMAIL_CHARS: Final = 254


def check_email(value: str, field: str = "email") -> str:
    """An e-mail address as typed, stripped: one ``@``, a dotted ASCII domain (RFC 5321
    lengths). Only the shape is checked: the prescriber's e-mail (R.5132-3) is for people."""
    email = value.strip()
    if len(email) > MAX_EMAIL_CHARS or _EMAIL.fullmatch(email) is None:
        raise ClinicalError(field, "invalid_email")
    if any(not char.isprintable() or char.isspace() for char in email):
        raise ClinicalError(field, "invalid_email")
    return email


def check_phone(value: str, field: str = "phone") -> str:
    """The phone number as typed, stripped: digits, spaces, dots, + and -; 6 to 20 digits."""
    phone = value.strip()
    if len(phone) > MAX_PHONE_CHARS or _PHONE.fullmatch(phone) is None:
        raise ClinicalError(field, "invalid_phone")
    digits = sum(char in "0123456789" for char in phone)
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        raise ClinicalError(field, "invalid_phone")
    return phone
