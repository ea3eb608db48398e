"""What a node tells its contacts about itself: a display name, a role and, optionally, a
phone number (§6.1).

Wire: ``name bytes8 || role u8 || [phone bytes8]``. Role codes are 0..127; the role byte's
high bit says a phone number follows. A profile without a phone encodes exactly as before the
phone existed, so stored contact cards and invitations still decode.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from .errors import ClinicalError, LocalProtocolError, MalformedInput
from .identifiers import check_phone
from .wire import Reader, Writer, check_text, decode_text

MAX_NAME_CHARS: Final = 64
MAX_NAME_BYTES: Final = 0xFF  # the name travels as a bytes8 field
_PHONE_FLAG: Final = 0x80


class Role(IntEnum):
    """Roles are codes on the wire; clients show them in the reader's language."""

    OTHER = 0
    GP = 1
    PHARMACIST = 2
    PRACTICE = 3
    NURSE = 4
    SPECIALIST = 5
    LABORATORY = 6


@dataclass(frozen=True)
class Profile:
    name: str
    role: Role = Role.OTHER
    # So that a sender can suggest phoning when an urgent message is not acknowledged.
    # Digits, spaces, dots, + and -, 6 to 20 digits (identifiers.check_phone); blank is None.
    phone: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _checked_name(self.name, LocalProtocolError))
        if self.phone is not None:
            if not isinstance(self.phone, str):
                raise ClinicalError("phone", "invalid_phone")
            phone = check_phone(self.phone) if self.phone.strip() else None
            object.__setattr__(self, "phone", phone)

    def encode_into(self, writer: Writer) -> None:
        writer.bytes8(self.name.encode("utf-8"))
        if self.phone is None:
            writer.u8(self.role)
        else:
            writer.u8(self.role | _PHONE_FLAG).bytes8(self.phone.encode("ascii"))

    @classmethod
    def decode_from(cls, reader: Reader) -> Profile:
        name = decode_text(reader.bytes8(), "display name", MAX_NAME_CHARS)
        role_byte = reader.u8()
        try:
            role = Role(role_byte & ~_PHONE_FLAG)
        except ValueError:
            role = Role.OTHER  # a newer peer's role: shown as "other", not refused
        phone = None
        if role_byte & _PHONE_FLAG:
            raw = reader.bytes8()
            try:
                phone = check_phone(raw.decode("ascii"))
            except (UnicodeDecodeError, ClinicalError):
                phone = None  # a phone we cannot read is left out: the pairing still works
        return cls(_checked_name(name, MalformedInput), role, phone)


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
