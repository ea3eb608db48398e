"""Packets: what travels between nodes, directly or through relays (docs/protocol.md §10).

    packet = version (0x01) || crypto_box_seal(recipient X25519 key, pad(inner))

Sealed sender: nobody but the recipient learns who sent a packet or what kind it is. The
padded inner is sized so that a packet is exactly one of :data:`BUCKETS` bytes long.

    inner = 0x01 || sender node id (16) || ratchet header (40) || ratchet ciphertext
          | 0x02 || invitation tag (16)  || answer sealed to the invitation's one-time key
          | 0x03 || sender node id (16) || session renewal (renewal.py, §20)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from .errors import LocalProtocolError, MalformedInput, UnsupportedVersion
from .identity import NODE_ID_SIZE
from .invitation import TAG_SIZE
from .primitives import AEAD_TAG_SIZE, SEAL_OVERHEAD, RandomSource, pad, seal, seal_open, unpad
from .ratchet import HEADER_SIZE, Header
from .wire import Reader, Writer, as_bytes

VERSION: Final = 1
BUCKETS: Final = (256, 1024, 4096, 16384, 65536)
MAX_PACKET_SIZE: Final = BUCKETS[-1]
_FRAMING: Final = 1 + SEAL_OVERHEAD  # version byte + sealed-box overhead
# The largest inner that fits the largest bucket (padding takes at least one byte).
MAX_INNER_SIZE: Final = MAX_PACKET_SIZE - _FRAMING - 1
# The largest ratchet plaintext (an encoded payload) one packet carries.
MAX_RATCHET_PLAINTEXT: Final = MAX_INNER_SIZE - 1 - NODE_ID_SIZE - HEADER_SIZE - AEAD_TAG_SIZE
_VERSION_BYTE: Final = bytes((VERSION,))
_BUCKET_SIZES: Final = frozenset(BUCKETS)
_CIPHERTEXT_AT: Final = 1 + NODE_ID_SIZE + HEADER_SIZE  # in a ratchet message's inner


class InnerType(IntEnum):
    RATCHET_MESSAGE = 0x01
    PAIRING_ANSWER = 0x02
    SESSION_RENEWAL = 0x03  # after a restore (§20): decoded by renewal.py


@dataclass(frozen=True)
class RatchetMessage:
    sender: bytes  # node id
    header: Header
    ciphertext: bytes

    def encode(self) -> bytes:
        return b"".join((_RATCHET_MESSAGE, self.sender, self.header.encode(), self.ciphertext))


@dataclass(frozen=True)
class SealedAnswer:
    tag: bytes
    sealed: bytes

    def encode(self) -> bytes:
        return Writer().u8(InnerType.PAIRING_ANSWER).raw(self.tag).raw(self.sealed).getvalue()


@dataclass(frozen=True)
class RenewalInner:
    """A session renewal (§20), whole (its type byte included): renewal.decode reads it."""

    data: bytes

    def encode(self) -> bytes:
        return self.data


Inner = RatchetMessage | SealedAnswer | RenewalInner
_RATCHET_MESSAGE: Final = bytes((InnerType.RATCHET_MESSAGE,))


def bucket_for(inner_size: int) -> int:
    """The packet size that carries an inner of this size."""
    for bucket in BUCKETS:
        if inner_size + _FRAMING < bucket:
            return bucket
    raise LocalProtocolError(f"content too large for one packet ({inner_size} bytes)")


def seal_packet(inner: Inner, recipient_dh_key: bytes, rand: RandomSource) -> bytes:
    data = inner.encode()
    padded = pad(data, bucket_for(len(data)) - _FRAMING)
    return _VERSION_BYTE + seal(recipient_dh_key, padded, rand)


def open_packet(packet: bytes, dh_public: bytes, dh_private: bytes) -> Inner:
    """Opens a packet addressed to us; raises only remote protocol errors."""
    data = as_bytes(packet, "packet")
    if len(packet) not in _BUCKET_SIZES:
        raise MalformedInput("packet: size is not a bucket size")
    version = data[0]
    if version != VERSION:
        raise UnsupportedVersion(f"packet version {version} is not supported")
    padded = seal_open(dh_public, dh_private, data[1:])
    return decode_inner(unpad(padded, len(padded)))


def decode_inner(data: bytes) -> Inner:
    if (
        type(data) is bytes
        and len(data) >= _CIPHERTEXT_AT + AEAD_TAG_SIZE
        and data[0] == InnerType.RATCHET_MESSAGE
    ):
        # A well-formed ratchet message, the common case, sliced directly; anything else
        # takes the reader below, which names what is wrong.
        return RatchetMessage(
            data[1 : 1 + NODE_ID_SIZE],
            Header.decode(data[1 + NODE_ID_SIZE : _CIPHERTEXT_AT]),
            data[_CIPHERTEXT_AT:],
        )
    reader = Reader(data, "packet content")
    try:
        inner_type = InnerType(reader.u8())
    except ValueError:
        raise reader.fail("unknown content type") from None
    if inner_type is InnerType.RATCHET_MESSAGE:
        sender = reader.raw(NODE_ID_SIZE)
        header = Header.decode(reader.raw(HEADER_SIZE))
        ciphertext = reader.rest()
        if len(ciphertext) < AEAD_TAG_SIZE:
            raise reader.fail("ciphertext truncated")
        return RatchetMessage(sender, header, ciphertext)
    if inner_type is InnerType.SESSION_RENEWAL:
        from .renewal import decode as decode_renewal  # it builds on this module

        decode_renewal(data)  # strict (§20.2): anything else is refused here
        return RenewalInner(data)
    tag = reader.raw(TAG_SIZE)
    sealed = reader.rest()
    if len(sealed) < SEAL_OVERHEAD:
        raise reader.fail("pairing answer truncated")
    return SealedAnswer(tag, sealed)
