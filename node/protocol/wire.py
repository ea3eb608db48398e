"""Byte-level encoding helpers shared by every wire format (docs/protocol.md §2).

Integers are big-endian and unsigned. ``bytes8``/``bytes16`` are byte strings prefixed by
their length as a u8/u16. A ``Reader`` raises only :class:`MalformedInput` on bad input.
"""

from __future__ import annotations

import struct
from typing import Final

from .characters import has_control, has_format_character
from .errors import MalformedInput

_U16: Final = struct.Struct(">H")
_U32: Final = struct.Struct(">I")
_U64: Final = struct.Struct(">Q")


class Writer:
    """Accumulates an encoding."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def u8(self, value: int) -> Writer:
        self._parts.append(bytes((value,)))
        return self

    def u16(self, value: int) -> Writer:
        self._parts.append(_U16.pack(value))
        return self

    def u32(self, value: int) -> Writer:
        self._parts.append(_U32.pack(value))
        return self

    def u64(self, value: int) -> Writer:
        self._parts.append(_U64.pack(value))
        return self

    def raw(self, data: bytes) -> Writer:
        self._parts.append(data)
        return self

    def bytes8(self, data: bytes) -> Writer:
        if len(data) > 0xFF:
            raise ValueError("field longer than 255 bytes")
        return self.u8(len(data)).raw(data)

    def bytes16(self, data: bytes) -> Writer:
        if len(data) > 0xFFFF:
            raise ValueError("field longer than 65535 bytes")
        return self.u16(len(data)).raw(data)

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


def as_bytes(data: bytes, what: str) -> bytes:
    """``data`` as ``bytes`` (from a bytearray or memoryview too); anything else is
    :class:`MalformedInput`."""
    if type(data) is bytes:
        return data
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MalformedInput(f"{what}: expected bytes")
    return bytes(data)


class Reader:
    """Consumes an encoding; every failure is a :class:`MalformedInput`."""

    def __init__(self, data: bytes, what: str) -> None:
        self._data = as_bytes(data, what)
        self._pos = 0
        self._what = what

    def _take(self, n: int) -> bytes:
        end = self._pos + n
        if end > len(self._data):
            raise MalformedInput(f"{self._what}: truncated")
        chunk = self._data[self._pos : end]
        self._pos = end
        return chunk

    def u8(self) -> int:
        return self._take(1)[0]

    def u16(self) -> int:
        return int(_U16.unpack(self._take(2))[0])

    def u32(self) -> int:
        return int(_U32.unpack(self._take(4))[0])

    def u64(self) -> int:
        return int(_U64.unpack(self._take(8))[0])

    def raw(self, n: int) -> bytes:
        return self._take(n)

    def bytes8(self) -> bytes:
        return self._take(self.u8())

    def bytes16(self) -> bytes:
        return self._take(self.u16())

    def rest(self) -> bytes:
        return self._take(len(self._data) - self._pos)

    def remaining(self) -> int:
        return len(self._data) - self._pos

    def done(self) -> None:
        """Asserts that nothing is left over."""
        if self._pos != len(self._data):
            raise MalformedInput(f"{self._what}: trailing bytes")

    def fail(self, reason: str) -> MalformedInput:
        return MalformedInput(f"{self._what}: {reason}")


def decode_text(data: bytes, what: str, max_chars: int) -> str:
    """Decodes a UTF-8 display string: no control characters, bounded length."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInput(f"{what}: not UTF-8") from None
    check_text(text, what, max_chars, MalformedInput)
    return text


def check_text(text: str, what: str, max_chars: int, error: type[Exception]) -> None:
    if len(text) > max_chars:
        raise error(f"{what}: longer than {max_chars} characters")
    if has_control(text):
        raise error(f"{what}: control characters are not allowed")
    # Format characters (bidirectional overrides, zero-width joiners...) let one name
    # imitate another on screen.
    if has_format_character(text):
        raise error(f"{what}: invisible formatting characters are not allowed")
