"""The pairing handshake: an X3DH-style triple Diffie-Hellman that starts a Double Ratchet
(docs/protocol.md §12).

Acceptor A (who scanned the QR code), inviter I (who showed it):

    DH1 = X25519(A identity DH key, I one-time key)
    DH2 = X25519(A ephemeral key,   I identity DH key)
    DH3 = X25519(A ephemeral key,   I one-time key)
    root key, confirmation key = HKDF(0xFF*32 || DH1 || DH2 || DH3 || secret)

A sends, sealed to I's one-time key: its identity keys, its ephemeral key, an Ed25519
signature over the transcript, a key-confirmation proof (HMAC) and the first ratchet message
(its contact card). The one-time key becomes I's first ratchet key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .envelope import SealedAnswer, seal_packet
from .errors import (
    DecryptionFailed,
    InvitationExpired,
    InvitationUsed,
    LocalProtocolError,
    MalformedInput,
    UnsupportedVersion,
)
from .identity import Identity, PublicIdentity
from .invitation import Invitation, PendingInvitation
from .kdf import pairing_keys
from .payload import ContactCard, Payload, PayloadKind
from .primitives import (
    KEY_SIZE,
    SIGNATURE_SIZE,
    RandomSource,
    constant_time_equal,
    hmac_sha256,
    seal,
    seal_open,
    x25519,
    x25519_private,
    x25519_public,
)
from .ratchet import HEADER_SIZE, Header, Ratchet
from .session import Session
from .wire import Reader, Writer

VERSION: Final = 1
PROOF_SIZE: Final = 32
# An answer made before expiry may spend this long in transit (a relay, a retry).
ANSWER_GRACE_SECONDS: Final = 3600
_TRANSCRIPT_LABEL: Final = b"Releve pairing answer v1"


@dataclass(frozen=True)
class Answer:
    """The acceptor's answer, before it is sealed to the one-time key."""

    acceptor: PublicIdentity
    ephemeral_key: bytes
    signature: bytes
    proof: bytes
    header: Header
    ciphertext: bytes

    def encode(self) -> bytes:
        return (
            Writer()
            .u8(VERSION)
            .raw(self.acceptor.keys)
            .raw(self.ephemeral_key)
            .raw(self.signature)
            .raw(self.proof)
            .raw(self.header.encode())
            .raw(self.ciphertext)
            .getvalue()
        )

    @classmethod
    def decode(cls, data: bytes) -> Answer:
        reader = Reader(data, "pairing answer")
        version = reader.u8()
        if version != VERSION:
            raise UnsupportedVersion(f"pairing answer version {version} is not supported")
        acceptor = PublicIdentity(reader.raw(KEY_SIZE), reader.raw(KEY_SIZE))
        ephemeral = reader.raw(KEY_SIZE)
        signature, proof = reader.raw(SIGNATURE_SIZE), reader.raw(PROOF_SIZE)
        header = Header.decode(reader.raw(HEADER_SIZE))
        return cls(acceptor, ephemeral, signature, proof, header, reader.rest())


@dataclass
class Paired:
    """A finished pairing on either side."""

    peer: PublicIdentity
    session: Session
    first_payload: Payload  # the contact card that travelled with the handshake


def _transcript(invitation: Invitation, acceptor: PublicIdentity, ephemeral: bytes) -> bytes:
    return _TRANSCRIPT_LABEL + invitation.encode() + acceptor.keys + ephemeral


def _associated_data(acceptor: PublicIdentity, inviter: PublicIdentity) -> bytes:
    # X3DH §3.3: AD = IK_A || IK_B, the initiator (acceptor) first, on both sides.
    return acceptor.keys + inviter.keys


def accept(
    invitation: Invitation,
    identity: Identity,
    card: ContactCard,
    now: float,
    rand: RandomSource,
) -> tuple[Paired, bytes]:
    """The acceptor's side: the session and the packet to send to the inviter."""
    invitation.check_fresh(now)
    inviter = invitation.inviter
    if inviter.keys == identity.public.keys:
        raise LocalProtocolError("this is our own invitation")
    ephemeral_private = x25519_private(rand)
    ephemeral = x25519_public(ephemeral_private)
    dh_outputs = (
        x25519(identity.dh_private, invitation.one_time_key)
        + x25519(ephemeral_private, inviter.dh_key)
        + x25519(ephemeral_private, invitation.one_time_key)
    )
    root_key, confirm_key = pairing_keys(dh_outputs, invitation.secret)
    transcript = _transcript(invitation, identity.public, ephemeral)
    ratchet = Ratchet.initiator(
        root_key,
        invitation.one_time_key,
        _associated_data(identity.public, inviter),
        rand,
    )
    session = Session(identity.public, inviter, ratchet)
    payload = Payload.new(PayloadKind.CONTACT_CARD, card.encode(), session.next_seq, now, rand)
    header, ciphertext = ratchet.encrypt(payload.encode())
    session.next_seq += 1
    answer = Answer(
        acceptor=identity.public,
        ephemeral_key=ephemeral,
        signature=identity.sign(transcript),
        proof=hmac_sha256(confirm_key, transcript),
        header=header,
        ciphertext=ciphertext,
    )
    sealed = SealedAnswer(invitation.tag, seal(invitation.one_time_key, answer.encode(), rand))
    return Paired(inviter, session, payload), seal_packet(sealed, inviter.dh_key, rand)


def complete(
    pending: PendingInvitation,
    sealed: SealedAnswer,
    identity: Identity,
    now: float,
    rand: RandomSource,
) -> Paired:
    """The inviter's side: checks the answer and starts the session.

    The caller must make sure a pending invitation is completed at most once
    (:class:`InvitationBook` does it in memory; the node does it in its store).
    """
    invitation = pending.invitation
    if sealed.tag != invitation.tag:
        raise LocalProtocolError("answer is for another invitation")
    if now >= invitation.expires_at + ANSWER_GRACE_SECONDS:
        raise InvitationExpired("the answer came after the invitation expired")
    answer = Answer.decode(
        seal_open(invitation.one_time_key, pending.one_time_private, sealed.sealed)
    )
    acceptor = answer.acceptor
    transcript = _transcript(invitation, acceptor, answer.ephemeral_key)
    acceptor.verify(transcript, answer.signature)
    dh_outputs = (
        x25519(pending.one_time_private, acceptor.dh_key)
        + x25519(identity.dh_private, answer.ephemeral_key)
        + x25519(pending.one_time_private, answer.ephemeral_key)
    )
    root_key, confirm_key = pairing_keys(dh_outputs, invitation.secret)
    if not constant_time_equal(hmac_sha256(confirm_key, transcript), answer.proof):
        raise DecryptionFailed("pairing proof does not match the invitation")
    ratchet = Ratchet.responder(
        root_key, pending.one_time_private, _associated_data(acceptor, identity.public)
    )
    session = Session(identity.public, acceptor, ratchet)
    plaintext = ratchet.decrypt(answer.header, answer.ciphertext, now, rand)
    payload = Payload.decode(plaintext)
    if payload.kind is not PayloadKind.CONTACT_CARD:
        raise MalformedInput("pairing answer must carry a contact card")
    return Paired(acceptor, session, payload)


class InvitationBook:
    """The inviter's pending invitations, each usable once (in memory; the node persists)."""

    def __init__(self) -> None:
        self._pending: dict[bytes, PendingInvitation] = {}
        self._used: dict[bytes, int] = {}  # tag -> when it may be forgotten

    def add(self, pending: PendingInvitation) -> None:
        self._pending[pending.tag] = pending

    def complete(
        self, sealed: SealedAnswer, identity: Identity, now: float, rand: RandomSource
    ) -> Paired:
        self._forget_old(now)
        if sealed.tag in self._used:
            raise InvitationUsed("this invitation has already been used")
        pending = self._pending.get(sealed.tag)
        if pending is None:
            raise MalformedInput("answer to an unknown invitation")
        paired = complete(pending, sealed, identity, now, rand)
        del self._pending[sealed.tag]
        self._used[sealed.tag] = pending.invitation.expires_at + ANSWER_GRACE_SECONDS
        return paired

    def _forget_old(self, now: float) -> None:
        for tag in [t for t, until in self._used.items() if until <= now]:
            del self._used[tag]
        for tag in [
            t
            for t, p in self._pending.items()
            if p.invitation.expires_at + ANSWER_GRACE_SECONDS <= now
        ]:
            del self._pending[tag]
