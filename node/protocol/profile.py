"""What a node tells its contacts about itself: a display name and a role (§6)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from .errors import LocalProtocolError
from .wire import Reader, Writer, check_text, decode_text

MAX_NAME_CHARS: Final = 64


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
        check_text(self.name, "display name", MAX_NAME_CHARS, LocalProtocolError)
        if not self.name.strip():
            raise LocalProtocolError("display name must not be empty")
        if unicodedata.normalize("NFC", self.name) != self.name:
            object.__setattr__(self, "name", unicodedata.normalize("NFC", self.name))

    def encode_into(self, writer: Writer) -> None:
        writer.bytes8(self.name.encode("utf-8")).u8(self.role)

    @classmethod
    def decode_from(cls, reader: Reader) -> Profile:
        name = decode_text(reader.bytes8(), "display name", MAX_NAME_CHARS)
        try:
            role = Role(reader.u8())
        except ValueError:
            role = Role.OTHER  # a newer peer's role: shown as "other", not refused
        if not name.strip():
            raise reader.fail("display name is empty")
        return cls(name, role)
