"""Signed notices between paired nodes (docs/protocol.md §9.5): "we are no longer paired"
and "this identity is revoked". They travel inside the ratchet like any payload, and carry an
Ed25519 signature by the sender's identity key as well, so that a notice is attributable on
its own (a contact can show, and keep, who ended the pairing or revoked a key).

    unpair     = time_ms u64 || signature (64)
    revocation = time_ms u64 || successor keys (0 or 64 bytes, length u8 first) || signature (64)

Signed message: label || sender keys (64) || recipient keys (64) || time_ms u64
[|| successor keys], where label is "Releve unpair v1" or "Releve revocation v1".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .errors import MalformedInput
from .identity import Identity, PublicIdentity
from .primitives import KEY_SIZE, SIGNATURE_SIZE
from .wire import Reader, Writer

UNPAIR_LABEL: Final = b"Releve unpair v1"
REVOCATION_LABEL: Final = b"Releve revocation v1"


def _signed(
    label: bytes, sender: PublicIdentity, recipient: PublicIdentity, time_ms: int, successor: bytes
) -> bytes:
    return (
        Writer()
        .raw(label)
        .raw(sender.keys)
        .raw(recipient.keys)
        .u64(time_ms)
        .raw(successor)
        .getvalue()
    )


@dataclass(frozen=True)
class Unpair:
    time_ms: int
    signature: bytes

    @classmethod
    def sign(cls, identity: Identity, recipient: PublicIdentity, now: float) -> Unpair:
        time_ms = int(now * 1000)
        message = _signed(UNPAIR_LABEL, identity.public, recipient, time_ms, b"")
        return cls(time_ms, identity.sign(message))

    def verify(self, sender: PublicIdentity, recipient: PublicIdentity) -> None:
        """Raises DecryptionFailed unless ``sender`` signed this for ``recipient``."""
        sender.verify(_signed(UNPAIR_LABEL, sender, recipient, self.time_ms, b""), self.signature)

    def encode(self) -> bytes:
        return Writer().u64(self.time_ms).raw(self.signature).getvalue()

    @classmethod
    def decode(cls, body: bytes) -> Unpair:
        reader = Reader(body, "unpair notice")
        notice = cls(reader.u64(), reader.raw(SIGNATURE_SIZE))
        reader.done()
        return notice


@dataclass(frozen=True)
class Revocation:
    time_ms: int
    successor: PublicIdentity | None  # the identity the sender starts over with, if any
    signature: bytes

    @property
    def _successor_keys(self) -> bytes:
        return self.successor.keys if self.successor is not None else b""

    @classmethod
    def sign(
        cls,
        identity: Identity,
        recipient: PublicIdentity,
        successor: PublicIdentity | None,
        now: float,
    ) -> Revocation:
        time_ms = int(now * 1000)
        keys = successor.keys if successor is not None else b""
        message = _signed(REVOCATION_LABEL, identity.public, recipient, time_ms, keys)
        return cls(time_ms, successor, identity.sign(message))

    def verify(self, sender: PublicIdentity, recipient: PublicIdentity) -> None:
        message = _signed(REVOCATION_LABEL, sender, recipient, self.time_ms, self._successor_keys)
        sender.verify(message, self.signature)

    def encode(self) -> bytes:
        return (
            Writer().u64(self.time_ms).bytes8(self._successor_keys).raw(self.signature).getvalue()
        )

    @classmethod
    def decode(cls, body: bytes) -> Revocation:
        reader = Reader(body, "revocation notice")
        time_ms = reader.u64()
        keys = reader.bytes8()
        if len(keys) not in (0, 2 * KEY_SIZE):
            raise MalformedInput("revocation notice: successor keys of wrong length")
        signature = reader.raw(SIGNATURE_SIZE)
        reader.done()
        successor = PublicIdentity(keys[:KEY_SIZE], keys[KEY_SIZE:]) if keys else None
        return cls(time_ms, successor, signature)
