"""Session renewal after a restore (docs/protocol.md §20): a node brought back from a backup
drops every ratchet state it had and opens a fresh session with each contact, authenticated by
the identity keys both sides verified at pairing. No message key of the old sessions is ever
used again, so no (key, nonce) pair repeats.

    offer  (restored node O -> contact A): O's fresh ephemeral E_O, the time, O's current card,
           signed by O's Ed25519 identity key
    answer (A -> O): A's fresh ephemeral E_A, the offer it answers, the sequence numbers both
           sides continue from, signed by A's identity key, then the first message of the new
           ratchet (A's contact card)

Both travel as inner type 0x03 of an ordinary packet (§10.4), sealed to the recipient's
identity DH key:

    inner = 0x03 || sender node id (16) || u8 version (1) || u8 type (1 offer, 2 answer) || body

Keys, X3DH-style (§12.1), the answerer A as the ratchet's initiator:

    DH1 = X25519(IK_A, E_O)   authenticates A      DH2 = X25519(E_A, IK_O)   authenticates O
    DH3 = X25519(E_A, E_O)    freshness
    SK  = HKDF(0xFF*32 || DH1 || DH2 || DH3, salt 0x00*32, "Releve session renewal v1", 32)
    A: Ratchet.initiator(SK, E_O, AD = A.keys || O.keys)   O: Ratchet.responder(SK, e_O, AD)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from .envelope import MAX_RATCHET_PLAINTEXT
from .errors import LocalProtocolError, MalformedInput, RemoteProtocolError, UnsupportedVersion
from .identity import NODE_ID_SIZE, Identity, PublicIdentity
from .kdf import hkdf_sha256
from .payload import Payload, PayloadKind, check_body
from .primitives import (
    KEY_SIZE,
    SIGNATURE_SIZE,
    RandomSource,
    x25519,
    x25519_private,
    x25519_public,
)
from .ratchet import HEADER_SIZE, Header, Ratchet
from .session import Session
from .wire import Reader, Writer

INNER_TYPE: Final = 0x03
VERSION: Final = 1
INFO_RENEWAL: Final = b"Releve session renewal v1"
OFFER_LABEL: Final = b"Releve renewal offer v1"
ANSWER_LABEL: Final = b"Releve renewal answer v1"
_ZERO: Final = bytes(32)


class RenewalType(IntEnum):
    OFFER = 1
    ANSWER = 2


@dataclass(frozen=True)
class RenewalOffer:
    sender: bytes  # node id of the restored node
    time_ms: int  # when it was made: a contact refuses one not newer than the last it took
    ephemeral: bytes  # E_O
    card: bytes  # the sender's encoded contact card (it may reach us elsewhere now)
    signature: bytes

    @staticmethod
    def _signed(
        sender: PublicIdentity, recipient: PublicIdentity, time_ms: int, eph: bytes, card: bytes
    ) -> bytes:
        return (
            Writer()
            .raw(OFFER_LABEL)
            .raw(sender.keys)
            .raw(recipient.keys)
            .u64(time_ms)
            .raw(eph)
            .bytes16(card)
            .getvalue()
        )

    def verify(self, sender: PublicIdentity, recipient: PublicIdentity) -> None:
        """Raises DecryptionFailed unless ``sender`` signed this offer for ``recipient``."""
        signed = self._signed(sender, recipient, self.time_ms, self.ephemeral, self.card)
        sender.verify(signed, self.signature)

    def encode(self) -> bytes:
        return (
            _start(self.sender, RenewalType.OFFER)
            .u64(self.time_ms)
            .raw(self.ephemeral)
            .bytes16(self.card)
            .raw(self.signature)
            .getvalue()
        )


@dataclass(frozen=True)
class RenewalAnswer:
    sender: bytes  # node id of the contact answering
    offer_time_ms: int
    offer_ephemeral: bytes  # E_O: which offer this answers
    ephemeral: bytes  # E_A
    first_seq: int  # the sequence number of the answerer's first payload in the new session
    your_seq: int  # the sequence number the offerer's next payload takes (§20.4)
    signature: bytes
    header: Header  # the first message of the new ratchet
    ciphertext: bytes

    @staticmethod
    def _signed(
        sender: PublicIdentity,
        recipient: PublicIdentity,
        offer_time_ms: int,
        offer_ephemeral: bytes,
        ephemeral: bytes,
        first_seq: int,
        your_seq: int,
    ) -> bytes:
        return (
            Writer()
            .raw(ANSWER_LABEL)
            .raw(sender.keys)
            .raw(recipient.keys)
            .u64(offer_time_ms)
            .raw(offer_ephemeral)
            .raw(ephemeral)
            .u64(first_seq)
            .u64(your_seq)
            .getvalue()
        )

    def verify(self, sender: PublicIdentity, recipient: PublicIdentity) -> None:
        signed = self._signed(
            sender,
            recipient,
            self.offer_time_ms,
            self.offer_ephemeral,
            self.ephemeral,
            self.first_seq,
            self.your_seq,
        )
        sender.verify(signed, self.signature)

    def encode(self) -> bytes:
        return (
            _start(self.sender, RenewalType.ANSWER)
            .u64(self.offer_time_ms)
            .raw(self.offer_ephemeral)
            .raw(self.ephemeral)
            .u64(self.first_seq)
            .u64(self.your_seq)
            .raw(self.signature)
            .raw(self.header.encode())
            .raw(self.ciphertext)
            .getvalue()
        )


Renewal = RenewalOffer | RenewalAnswer


def _start(sender: bytes, kind: RenewalType) -> Writer:
    return Writer().u8(INNER_TYPE).raw(sender).u8(VERSION).u8(kind)


def decode(data: bytes) -> Renewal:
    """An inner of type 0x03 (its first byte included); raises only remote protocol errors."""
    reader = Reader(data, "session renewal")
    if reader.u8() != INNER_TYPE:
        raise reader.fail("not a session renewal")
    sender = reader.raw(NODE_ID_SIZE)
    version = reader.u8()
    if version != VERSION:
        raise UnsupportedVersion(f"session renewal version {version} is not supported")
    try:
        kind = RenewalType(reader.u8())
    except ValueError:
        raise reader.fail("unknown renewal type") from None
    if kind is RenewalType.OFFER:
        time_ms, eph, card = reader.u64(), reader.raw(KEY_SIZE), reader.bytes16()
        offer = RenewalOffer(sender, time_ms, eph, card, reader.raw(SIGNATURE_SIZE))
        reader.done()
        return offer
    time_ms, offer_eph, eph = reader.u64(), reader.raw(KEY_SIZE), reader.raw(KEY_SIZE)
    first_seq, your_seq = reader.u64(), reader.u64()
    signature = reader.raw(SIGNATURE_SIZE)
    header = Header.decode(reader.raw(HEADER_SIZE))
    ciphertext = reader.rest()
    if len(ciphertext) < 16:
        raise reader.fail("ciphertext truncated")
    return RenewalAnswer(
        sender, time_ms, offer_eph, eph, first_seq, your_seq, signature, header, ciphertext
    )


def _root_key(dh1: bytes, dh2: bytes, dh3: bytes) -> bytes:
    return hkdf_sha256(b"\xff" * KEY_SIZE + dh1 + dh2 + dh3, _ZERO, INFO_RENEWAL, KEY_SIZE)


def make_offer(
    identity: Identity, peer: PublicIdentity, card: bytes, now: float, rand: RandomSource
) -> tuple[RenewalOffer, bytes]:
    """An offer to ``peer`` and its ephemeral private key (kept, encrypted, until answered)."""
    private = x25519_private(rand)
    eph = x25519_public(private)
    time_ms = int(now * 1000)
    signed = RenewalOffer._signed(identity.public, peer, time_ms, eph, card)
    return RenewalOffer(identity.public.node_id, time_ms, eph, card, identity.sign(signed)), private


def answer(
    identity: Identity,
    peer: PublicIdentity,
    offer: RenewalOffer,
    first: tuple[PayloadKind, bytes],
    first_seq: int,
    your_seq: int,
    now: float,
    rand: RandomSource,
) -> tuple[RenewalAnswer, Session, Payload]:
    """Answers an offer the caller has verified: the new session (its next payload takes
    ``first_seq + 1``), the answer carrying ``first`` as its first message, and that payload."""
    eph_private = x25519_private(rand)
    eph = x25519_public(eph_private)
    sk = _root_key(
        x25519(identity.dh_private, offer.ephemeral),
        x25519(eph_private, peer.dh_key),
        x25519(eph_private, offer.ephemeral),
    )
    ratchet = Ratchet.initiator(sk, offer.ephemeral, identity.public.keys + peer.keys, rand)
    session = Session(identity.public, peer, ratchet, first_seq)
    kind, body = first
    payload = Payload.new(kind, body, first_seq, now, rand)
    encoded = payload.encode()
    if len(encoded) > MAX_RATCHET_PLAINTEXT - 256:
        raise LocalProtocolError("first renewal payload too large")
    try:
        check_body(kind, body)
    except RemoteProtocolError as exc:
        raise LocalProtocolError(f"the peer would refuse this payload ({exc})") from None
    header, ciphertext = ratchet.encrypt(encoded)
    session.next_seq = first_seq + 1
    signed = RenewalAnswer._signed(
        identity.public, peer, offer.time_ms, offer.ephemeral, eph, first_seq, your_seq
    )
    reply = RenewalAnswer(
        identity.public.node_id,
        offer.time_ms,
        offer.ephemeral,
        eph,
        first_seq,
        your_seq,
        identity.sign(signed),
        header,
        ciphertext,
    )
    return reply, session, payload


def complete(
    identity: Identity,
    peer: PublicIdentity,
    pending_private: bytes,
    reply: RenewalAnswer,
    now: float,
    rand: RandomSource,
) -> tuple[Session, Payload]:
    """The offerer's side: checks the answer (signature, then the ratchet's AEAD) and returns
    the new session and the answer's first payload. Raises only remote protocol errors; the
    caller's state is untouched on failure."""
    if reply.offer_ephemeral != x25519_public(pending_private):
        raise MalformedInput("session renewal: the answer is to another offer")
    reply.verify(peer, identity.public)
    sk = _root_key(
        x25519(pending_private, peer.dh_key),
        x25519(identity.dh_private, reply.ephemeral),
        x25519(pending_private, reply.ephemeral),
    )
    ratchet = Ratchet.responder(sk, pending_private, peer.keys + identity.public.keys)
    session = Session(identity.public, peer, ratchet, reply.your_seq)
    plaintext = ratchet.decrypt(reply.header, reply.ciphertext, now, rand)
    return session, Payload.decode(plaintext)


def placeholder(identity: Identity, peer: PublicIdentity, pending_private: bytes) -> Session:
    """The session a restored node keeps while its offer waits: it can neither send (no
    sending chain: nothing can be sealed under a stale key) nor open anything (its root key is
    the hash of nothing either side knows: every old packet fails to decrypt)."""
    unknowable = hkdf_sha256(pending_private, _ZERO, b"Releve renewal placeholder", KEY_SIZE)
    ratchet = Ratchet.responder(unknowable, pending_private, peer.keys + identity.public.keys)
    return Session(identity.public, peer, ratchet, 0)
