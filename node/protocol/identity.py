"""Node identities, node ids and safety numbers (docs/protocol.md §5).

A node has an Ed25519 signing key (pairing, relay authentication, revocation) and a separate
X25519 key for Diffie-Hellman. Its node id commits to both public keys.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from .errors import CorruptState, MalformedInput
from .primitives import (
    KEY_SIZE,
    RandomSource,
    blake2b,
    ed25519_keypair,
    ed25519_sign,
    ed25519_verify,
    x25519_public,
)
from .wire import Reader, Writer

NODE_ID_SIZE: Final = 16
_NODE_ID_PERSON: Final = b"releve-node-id"
_SAFETY_PERSON: Final = b"releve-safety"
_SECRET_VERSION: Final = 1
SAFETY_NUMBER_GROUPS: Final = 6


@dataclass(frozen=True)
class PublicIdentity:
    """A node's two public keys, as contacts know them."""

    signing_key: bytes  # Ed25519
    dh_key: bytes  # X25519

    def __post_init__(self) -> None:
        if len(self.signing_key) != KEY_SIZE or len(self.dh_key) != KEY_SIZE:
            raise MalformedInput("identity keys must be 32 bytes each")

    @property
    def keys(self) -> bytes:
        """The 64-byte concatenation used in transcripts and associated data."""
        return self.signing_key + self.dh_key

    @cached_property
    def node_id(self) -> bytes:
        return blake2b(self.keys, size=NODE_ID_SIZE, person=_NODE_ID_PERSON)

    def verify(self, message: bytes, signature: bytes) -> None:
        ed25519_verify(self.signing_key, message, signature)


@dataclass(frozen=True)
class Identity:
    """A node's private identity. ``encode()`` is secret material: store it encrypted."""

    signing_seed: bytes
    dh_private: bytes
    public: PublicIdentity = field(init=False, repr=False)
    _signing_secret: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.signing_seed) != KEY_SIZE or len(self.dh_private) != KEY_SIZE:
            raise CorruptState("identity secrets must be 32 bytes each")
        signing_public, signing_secret = ed25519_keypair(self.signing_seed)
        object.__setattr__(self, "_signing_secret", signing_secret)
        object.__setattr__(
            self, "public", PublicIdentity(signing_public, x25519_public(self.dh_private))
        )

    def __repr__(self) -> str:  # never print secrets
        return f"Identity(node_id={format_node_id(self.public.node_id)})"

    @classmethod
    def generate(cls, rand: RandomSource) -> Identity:
        return cls(rand(KEY_SIZE), rand(KEY_SIZE))

    def sign(self, message: bytes) -> bytes:
        return ed25519_sign(self._signing_secret, message)

    def encode(self) -> bytes:
        return Writer().u8(_SECRET_VERSION).raw(self.signing_seed).raw(self.dh_private).getvalue()

    @classmethod
    def decode(cls, data: bytes) -> Identity:
        try:
            reader = Reader(data, "identity")
            if reader.u8() != _SECRET_VERSION:
                raise CorruptState("identity: unknown version")
            identity = cls(reader.raw(KEY_SIZE), reader.raw(KEY_SIZE))
            reader.done()
        except MalformedInput as exc:
            raise CorruptState(str(exc)) from None
        return identity


def format_node_id(node_id: bytes) -> str:
    """Lower-case base32 in groups of four, e.g. ``k3xq-7b2m-...``."""
    text = base64.b32encode(node_id).decode("ascii").rstrip("=").lower()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_node_id_prefix(text: str) -> str:
    """Normalises a (possibly partial) typed node id for prefix matching."""
    return "".join(c for c in text.lower() if c.isalnum())


def fingerprint(identity: PublicIdentity) -> str:
    """One party's half of the safety number: six groups of five digits (about 100 bits)."""
    digest = blake2b(identity.keys, size=64, person=_SAFETY_PERSON)
    return " ".join(
        f"{int.from_bytes(digest[5 * i : 5 * i + 5], 'big') % 100000:05d}"
        for i in range(SAFETY_NUMBER_GROUPS)
    )


def safety_number(a: PublicIdentity, b: PublicIdentity) -> str:
    """The number both people read aloud to each other: both parties' fingerprints, the
    smaller first, so both sides show the same twelve groups of five digits.

    As in Signal's safety numbers, each half depends on one party's keys only: an impostor
    must find keys whose fingerprint matches a given one (a second preimage, about 2^100
    work), not merely two colliding pairs (2^50 for a single 100-bit hash of both).
    """
    first, second = sorted((fingerprint(a), fingerprint(b)))
    return f"{first} {second}"
