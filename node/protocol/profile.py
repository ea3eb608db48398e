"""What a node tells its contacts about itself: a display name and a role (§6)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from .errors import LocalProtocolError, MalformedInput
from .wire import Reader, Writer, check_text, decode_text

MAX_NAME_CHARS: Final = 64
MAX_NAME_BYTES: Final = 0xFF  # the name travels as a bytes8 field


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _checked_name(self.name, LocalProtocolError))

    def encode_into(self, writer: Writer) -> None:
        writer.bytes8(self.name.encode("utf-8")).u8(self.role)

    @classmethod
    def decode_from(cls, reader: Reader) -> Profile:
        name = decode_text(reader.bytes8(), "display name", MAX_NAME_CHARS)
        try:
            role = Role(reader.u8())
        except ValueError:
            role = Role.OTHER  # a newer peer's role: shown as "other", not refused
        return cls(_checked_name(name, MalformedInput), role)


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
