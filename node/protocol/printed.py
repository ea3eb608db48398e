"""The QR code on a printed prescription (docs/protocol.md §19.7): enough to check, from a
photo of the page and with no network, that the prescriber signed what the code holds.

The code carries the signed body itself (meta, prescription or cancellation, signature), the
signer's two public keys (the node id commits to both, §5.2) and what else the signature
covers (§19.2: the kind, the recipient's node id, the message id)::

    printed = u8(version 1) || u8(kind: 0x0A or 0x0B)
              || signing key (32) || DH key (32)         # the signer's identity (§5.1)
              || recipient node id (16) || message id (16)
              || signed body (the rest)

compressed with zlib (RFC 1950, the stream whole), then cut into at most MAX_PARTS pieces of
at most PART_BYTES, each written in base45 (RFC 9285, so that the QR code uses its
alphanumeric mode) after a header::

    "RX1:" || index (1..n) || "/" || n || ":" || tag || ":" || base45(piece)

``tag`` is the first 4 bytes of SHA-256(compressed) in 8 upper-case hexadecimal digits: it
says which pieces belong together when a photo holds codes of two prescriptions. Nearly every
prescription fits one code; a larger one takes several, side by side on the page.

What a valid code proves: that the holder of the signing key signed this content for this
recipient as this message. What it does not: that the printed text around it says the same;
the person compares it with the verified content.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from .conversation import Content, Meta, decode_conversation
from .errors import LocalProtocolError, MalformedInput
from .identity import NODE_ID_SIZE, PublicIdentity
from .kinds import MESSAGE_ID_SIZE, PayloadKind
from .prescription_signature import SIGNED_KINDS, verify_body
from .primitives import KEY_SIZE, SIGNATURE_SIZE
from .wire import Reader, Writer

VERSION: Final = 1
PREFIX: Final = "RX1:"
PART_BYTES: Final = (
    1_000  # at most a version 26 code at level M (121 modules): 0.5 mm each at 60 mm
)
MAX_PARTS: Final = 6
MAX_BODY: Final = 61_440  # MAX_BODY_BYTES (§18): a signed body is no longer
_HEADER: Final = 2 + 2 * KEY_SIZE + NODE_ID_SIZE + MESSAGE_ID_SIZE
MAX_PRINTED: Final = _HEADER + MAX_BODY
MAX_TEXT_CHARS: Final = 40 + (PART_BYTES * 3 + 1) // 2  # one code's text, header included
BASE45: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_VALUES: Final = {char: value for value, char in enumerate(BASE45)}


class TooLarge(LocalProtocolError):
    """The signed body does not fit MAX_PARTS codes: the page says to check it on screen."""


def base45_encode(data: bytes) -> str:
    """RFC 9285: two bytes as three characters, least significant first; a last lone byte
    as two."""
    out = []
    for start in range(0, len(data) - 1, 2):
        n = data[start] * 256 + data[start + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out.append(BASE45[c] + BASE45[d] + BASE45[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out.append(BASE45[c] + BASE45[d])
    return "".join(out)


def base45_decode(text: str) -> bytes:
    """RFC 9285; ``MalformedInput`` for a character outside the alphabet, a lone last
    character or a group beyond its range."""
    try:
        values = [_BASE45_VALUES[char] for char in text]
    except KeyError:
        raise MalformedInput("not base45") from None
    if len(values) % 3 == 1:
        raise MalformedInput("base45 ends with a lone character")
    out = bytearray()
    for start in range(0, len(values), 3):
        group = values[start : start + 3]
        n = sum(value * 45**power for power, value in enumerate(group))
        if len(group) == 3:
            if n > 0xFFFF:
                raise MalformedInput("base45 group out of range")
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                raise MalformedInput("base45 group out of range")
            out.append(n)
    return bytes(out)


@dataclass(frozen=True)
class PrintedPrescription:
    """A signed prescription or cancellation as its printed QR code carries it."""

    kind: PayloadKind
    signer: PublicIdentity
    recipient_id: bytes
    message_id: bytes
    body: bytes  # the signed body, its signature last

    def __post_init__(self) -> None:
        if self.kind not in SIGNED_KINDS:
            raise LocalProtocolError("only a signed prescription or cancellation is printed")
        if len(self.recipient_id) != NODE_ID_SIZE or len(self.message_id) != MESSAGE_ID_SIZE:
            raise LocalProtocolError("node and message ids are 16 bytes")
        if not SIGNATURE_SIZE < len(self.body) <= MAX_BODY:
            raise LocalProtocolError("a signed body is 65 to 61 440 bytes")

    def encode(self) -> bytes:
        writer = Writer().u8(VERSION).u8(self.kind).raw(self.signer.keys)
        return writer.raw(self.recipient_id).raw(self.message_id).raw(self.body).getvalue()

    @classmethod
    def decode(cls, data: bytes) -> PrintedPrescription:
        """``MalformedInput`` for anything that is not a printed signed body (the signature
        itself is checked by :meth:`verify`)."""
        reader = Reader(data, "printed prescription")
        if reader.u8() != VERSION:
            raise MalformedInput("unknown printed prescription version")
        code = reader.u8()
        if code not in SIGNED_KINDS:
            raise MalformedInput("not a signed prescription or cancellation")
        kind = PayloadKind(code)
        signer = PublicIdentity(reader.raw(KEY_SIZE), reader.raw(KEY_SIZE))
        recipient_id, message_id = reader.raw(NODE_ID_SIZE), reader.raw(MESSAGE_ID_SIZE)
        body = reader.rest()
        if not SIGNATURE_SIZE < len(body) <= MAX_BODY:
            raise MalformedInput("printed body of the wrong size")
        return cls(kind, signer, recipient_id, message_id, body)

    def qr_texts(self) -> list[str]:
        """The texts of the page's QR codes, in order; :class:`TooLarge` beyond MAX_PARTS."""
        compressed = zlib.compress(self.encode(), 9)
        count = -(-len(compressed) // PART_BYTES)
        if count > MAX_PARTS:
            raise TooLarge(f"a printed prescription takes at most {MAX_PARTS} codes")
        size = -(-len(compressed) // count)  # pieces of even size
        tag = hashlib.sha256(compressed).digest()[:4].hex().upper()
        return [
            f"{PREFIX}{index + 1}/{count}:{tag}:"
            + base45_encode(compressed[index * size : (index + 1) * size])
            for index in range(count)
        ]

    @classmethod
    def from_qr_texts(cls, texts: Sequence[str]) -> PrintedPrescription:
        """The printed prescription from its codes' texts, in any order; other texts (codes
        that are not Relève's) are ignored. ``MalformedInput`` when no complete set of one
        tag is there, or two different sets are."""
        sets: dict[tuple[str, int], dict[int, str]] = {}
        for text in texts:
            if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
                continue
            if not text.startswith(PREFIX):
                continue
            position, tag, data = _fields(text[len(PREFIX) :])
            index, count = position
            sets.setdefault((tag, count), {})[index] = data
        complete = {key: parts for key, parts in sets.items() if len(parts) == key[1]}
        if not complete:
            raise MalformedInput("no complete printed prescription code")
        if len(complete) > 1:
            raise MalformedInput("codes of several printed prescriptions")
        (tag, count), parts = next(iter(complete.items()))
        compressed = b"".join(base45_decode(parts[index]) for index in range(1, count + 1))
        if hashlib.sha256(compressed).digest()[:4].hex().upper() != tag:
            raise MalformedInput("printed prescription pieces do not match their tag")
        return cls.decode(_inflate(compressed))

    def verify(self) -> tuple[Meta, Content]:
        """The content, once the signature is checked: ``DecryptionFailed`` when it does not
        verify with the signer's key for this recipient and message id (§19.2),
        ``MalformedInput`` when the signed body does not decode."""
        verify_body(self.signer, self.kind, self.recipient_id, self.message_id, self.body)
        return decode_conversation(self.kind, self.body)


def _fields(rest: str) -> tuple[tuple[int, int], str, str]:
    position, _, after = rest.partition(":")
    tag, _, data = after.partition(":")
    index_text, _, count_text = position.partition("/")
    if not (index_text.isdigit() and count_text.isdigit() and len(position) <= 5):
        raise MalformedInput("printed prescription code: bad position")
    index, count = int(index_text), int(count_text)
    if not 1 <= index <= count <= MAX_PARTS:
        raise MalformedInput("printed prescription code: bad position")
    if len(tag) != 8 or any(char not in "0123456789ABCDEF" for char in tag):
        raise MalformedInput("printed prescription code: bad tag")
    return (index, count), tag, data


def _inflate(compressed: bytes) -> bytes:
    """zlib, bounded: a few kilobytes cannot become more than a printed body."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(compressed, MAX_PRINTED + 1)
    except zlib.error:
        raise MalformedInput("printed prescription code: not zlib") from None
    if len(data) > MAX_PRINTED or not inflater.eof or inflater.unused_data:
        raise MalformedInput("printed prescription code: bad zlib stream")
    return data
