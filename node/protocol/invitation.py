"""Pairing invitations: what the QR code carries (docs/protocol.md §7).

The inviter keeps a :class:`PendingInvitation` (the one-time private key and secret) and shows
the :class:`Invitation` as ``releve:`` followed by unpadded base64url of its encoding.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Final

from .errors import (
    CorruptState,
    InvitationExpired,
    LocalProtocolError,
    MalformedInput,
    UnsupportedVersion,
)
from .identity import Identity, PublicIdentity
from .primitives import KEY_SIZE, RandomSource, blake2b, x25519_private, x25519_public
from .profile import Profile
from .reachability import Reachability
from .wire import Reader, Writer

VERSION: Final = 1
SECRET_SIZE: Final = 16
TAG_SIZE: Final = 16
URI_PREFIX: Final = "releve:"
MAX_TEXT_LENGTH: Final = 1024
DEFAULT_TTL_SECONDS: Final = 15 * 60
_TAG_PERSON: Final = b"releve-inv-tag"
_PENDING_VERSION: Final = 1
_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Invitation:
    """The public half of a one-time invitation."""

    inviter: PublicIdentity
    one_time_key: bytes
    secret: bytes
    expires_at: int  # unix seconds
    profile: Profile
    reachability: Reachability
    # The bytes it was decoded from: the pairing transcript signs what the inviter sent,
    # even where decoding normalised it (an unknown role read as OTHER).
    wire: bytes = field(default=b"", compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.one_time_key) != KEY_SIZE or len(self.secret) != SECRET_SIZE:
            raise MalformedInput("invitation: wrong key or secret length")
        if not 0 <= self.expires_at <= 0xFFFFFFFF:
            raise MalformedInput("invitation: expiry out of range")

    @property
    def tag(self) -> bytes:
        """Names this invitation in the answer, without revealing anything else."""
        return invitation_tag(self.one_time_key)

    def encode(self) -> bytes:
        if self.wire:
            return self.wire
        writer = Writer().u8(VERSION).raw(self.inviter.signing_key).raw(self.inviter.dh_key)
        writer.raw(self.one_time_key).raw(self.secret).u32(self.expires_at)
        self.profile.encode_into(writer)
        self.reachability.encode_into(writer)
        return writer.getvalue()

    @classmethod
    def decode(cls, data: bytes) -> Invitation:
        reader = Reader(data, "invitation")
        version = reader.u8()
        if version != VERSION:
            raise UnsupportedVersion(f"invitation version {version} is not supported")
        inviter = PublicIdentity(reader.raw(KEY_SIZE), reader.raw(KEY_SIZE))
        one_time_key = reader.raw(KEY_SIZE)
        secret = reader.raw(SECRET_SIZE)
        expires_at = reader.u32()
        profile = Profile.decode_from(reader)
        reachability = Reachability.decode_from(reader)
        reader.done()
        return cls(inviter, one_time_key, secret, expires_at, profile, reachability, bytes(data))

    def to_text(self) -> str:
        text = URI_PREFIX + base64.urlsafe_b64encode(self.encode()).decode("ascii").rstrip("=")
        if len(text) > MAX_TEXT_LENGTH:
            raise LocalProtocolError(
                "invitation too long for its text form: use fewer addresses or a shorter name"
            )
        return text

    @classmethod
    def from_text(cls, text: str) -> Invitation:
        """Parses the text form; whitespace (line breaks from a copy) is ignored."""
        if not isinstance(text, str):
            raise MalformedInput("invitation: expected text")
        compact = "".join(text.split())
        if len(compact) > MAX_TEXT_LENGTH:
            raise MalformedInput("invitation: text is too long")
        if not compact.lower().startswith(URI_PREFIX):
            raise MalformedInput("invitation: text must start with 'releve:'")
        body = compact[len(URI_PREFIX) :]
        # urlsafe_b64decode silently drops characters outside the alphabet (and accepts the
        # standard alphabet's + and /): check first so that a damaged text is refused as such.
        if _BASE64URL.fullmatch(body) is None:
            raise MalformedInput("invitation: not valid base64url")
        try:
            data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise MalformedInput("invitation: not valid base64url") from None
        return cls.decode(data)

    def check_fresh(self, now: float) -> None:
        if now >= self.expires_at:
            raise InvitationExpired("this invitation has expired; ask for a new one")


def invitation_tag(one_time_key: bytes) -> bytes:
    return blake2b(one_time_key, size=TAG_SIZE, person=_TAG_PERSON)


@dataclass(frozen=True)
class PendingInvitation:
    """The inviter's private half. Secret material: store it encrypted, delete it once used."""

    invitation: Invitation
    one_time_private: bytes

    def __repr__(self) -> str:
        return f"PendingInvitation(expires_at={self.invitation.expires_at})"

    @classmethod
    def create(
        cls,
        identity: Identity,
        profile: Profile,
        reachability: Reachability,
        now: float,
        rand: RandomSource,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
    ) -> PendingInvitation:
        one_time_private = x25519_private(rand)
        invitation = Invitation(
            inviter=identity.public,
            one_time_key=x25519_public(one_time_private),
            secret=rand(SECRET_SIZE),
            expires_at=int(now) + ttl_seconds,
            profile=profile,
            reachability=reachability,
        )
        return cls(invitation, one_time_private)

    @property
    def tag(self) -> bytes:
        return self.invitation.tag

    def encode(self) -> bytes:
        return (
            Writer()
            .u8(_PENDING_VERSION)
            .raw(self.one_time_private)
            .bytes16(self.invitation.encode())
            .getvalue()
        )

    @classmethod
    def decode(cls, data: bytes) -> PendingInvitation:
        try:
            reader = Reader(data, "pending invitation")
            if reader.u8() != _PENDING_VERSION:
                raise CorruptState("pending invitation: unknown version")
            private = reader.raw(KEY_SIZE)
            invitation = Invitation.decode(reader.bytes16())
            reader.done()
        except (MalformedInput, UnsupportedVersion) as exc:
            raise CorruptState(str(exc)) from None
        return cls(invitation, private)
