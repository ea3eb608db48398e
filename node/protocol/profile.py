"""What a node tells its contacts about itself: a display name, a role and, optionally, a
phone number and a prescriber's identity (§6.1).

Wire: ``name bytes8 || role u8 || [phone bytes8] || [rpps bytes8 || prescriber name bytes16]``.
Role codes are 0..63; the role byte's high bit says a phone number follows, the next bit
(0x40) that a prescriber's identity follows: the RPPS number and the name a prescription
carries, which the contact checks at pairing (the safety number covers the keys, the person
reads the name and RPPS) and which every signed prescription must repeat (§19.3). A profile
without them encodes exactly as before, so stored contact cards and invitations still decode.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from .errors import ClinicalError, LocalProtocolError, MalformedInput
from .identifiers import check_phone, check_rpps
from .validation import check_line
from .wire import Reader, Writer, check_text, decode_text

MAX_NAME_CHARS: Final = 64
MAX_NAME_BYTES: Final = 0xFF  # the name travels as a bytes8 field
_PHONE_FLAG: Final = 0x80
_PRESCRIBER_FLAG: Final = 0x40
_ROLE_MASK: Final = 0x3F
MAX_PRESCRIBER_NAME_CHARS: Final = 100  # as a prescription's prescriber name


class Role(IntEnum):
    """Roles are codes on the wire; clients show them in the reader's language."""

    OTHER = 0
    GP = 1
    PHARMACIST = 2
    PRACTICE = 3
    NURSE = 4
    SPECIALIST = 5
    LABORATORY = 6


# Who may send a prescription (§19.1): physicians, GPs and other specialists (CSP L.4111-1,
# R.5132-3). Not nurses, midwives or dentists, who prescribe within lists of their own
# (L.4311-1, L.4151-4, L.4141-2) that Relève does not model; not a practice node (a clinic
# server signs for a person once accounts exist), nor a pharmacist.
PRESCRIBER_ROLES: Final = frozenset({Role.GP, Role.SPECIALIST})


@dataclass(frozen=True)
class PrescriberIdentity:
    """The prescriber's RPPS number and name, as their prescriptions state them."""

    rpps: str
    name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "rpps", check_rpps(self.rpps, "rpps"))
        object.__setattr__(self, "name", check_line(self.name, "name", MAX_PRESCRIBER_NAME_CHARS))


@dataclass(frozen=True)
class Profile:
    name: str
    role: Role = Role.OTHER
    # So that a sender can suggest phoning when an urgent message is not acknowledged.
    # Digits, spaces, dots, + and -, 6 to 20 digits (identifiers.check_phone); blank is None.
    phone: str | None = None
    # A prescriber's RPPS and name (PRESCRIBER_ROLES only); None for everyone else.
    prescriber: PrescriberIdentity | None = None

    def __post_init__(self) -> None:
        if self.prescriber is not None and self.role not in PRESCRIBER_ROLES:
            raise LocalProtocolError("only a prescriber's profile names an RPPS")
        object.__setattr__(self, "name", _checked_name(self.name, LocalProtocolError))
        if self.phone is not None:
            if not isinstance(self.phone, str):
                raise ClinicalError("phone", "invalid_phone")
            phone = check_phone(self.phone) if self.phone.strip() else None
            object.__setattr__(self, "phone", phone)

    def encode_into(self, writer: Writer) -> None:
        writer.bytes8(self.name.encode("utf-8"))
        flags = (_PHONE_FLAG if self.phone is not None else 0) | (
            _PRESCRIBER_FLAG if self.prescriber is not None else 0
        )
        writer.u8(self.role | flags)
        if self.phone is not None:
            writer.bytes8(self.phone.encode("ascii"))
        if self.prescriber is not None:
            writer.bytes8(self.prescriber.rpps.encode("ascii"))
            writer.bytes16(self.prescriber.name.encode("utf-8"))

    @classmethod
    def decode_from(cls, reader: Reader) -> Profile:
        name = decode_text(reader.bytes8(), "display name", MAX_NAME_CHARS)
        role_byte = reader.u8()
        try:
            role = Role(role_byte & _ROLE_MASK)
        except ValueError:
            role = Role.OTHER  # a newer peer's role: shown as "other", not refused
        phone = None
        if role_byte & _PHONE_FLAG:
            raw = reader.bytes8()
            try:
                phone = check_phone(raw.decode("ascii"))
            except (UnicodeDecodeError, ClinicalError):
                phone = None  # a phone we cannot read is left out: the pairing still works
        prescriber = None
        if role_byte & _PRESCRIBER_FLAG:
            rpps, prescriber_name = reader.bytes8(), reader.bytes16()
            try:
                prescriber = PrescriberIdentity(rpps.decode("ascii"), prescriber_name.decode())
            except (UnicodeDecodeError, ClinicalError):
                prescriber = None  # unreadable: no prescriber, so no prescription accepted
            if role not in PRESCRIBER_ROLES:
                prescriber = None
        return cls(_checked_name(name, MalformedInput), role, phone, prescriber)


def _checked_name(name: str, error: type[Exception]) -> str:
    """The NFC form of ``name``, checked after normalising: NFC can lengthen a string
    (e.g. U+FB2C becomes three code points), and 64 characters can exceed 255 UTF-8 bytes."""
    name = unicodedata.normalize("NFC", name)
    check_text(name, "display name", MAX_NAME_CHARS, error)
    if not name.strip():
        raise error("display name must not be empty")
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates: only a local caller can build them
        raise error("display name is not valid Unicode") from None
    if size > MAX_NAME_BYTES:
        raise error(f"display name is longer than {MAX_NAME_BYTES} bytes in UTF-8")
    return name
