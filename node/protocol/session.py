"""A session with one paired contact: the ratchet, both identities and the send sequence
(docs/protocol.md §11)."""

from __future__ import annotations

from typing import Final

from .envelope import MAX_RATCHET_PLAINTEXT, RatchetMessage, seal_packet
from .errors import CorruptState, LocalProtocolError, MalformedInput, RemoteProtocolError
from .identity import PublicIdentity
from .payload import Payload, PayloadKind, check_body
from .primitives import KEY_SIZE, RandomSource
from .ratchet import Ratchet
from .wire import Reader, Writer

STATE_VERSION: Final = 1
# Never sent again, so never in the order (§11.2): they take no sequence number.
UNORDERED_KINDS: Final = frozenset(
    {PayloadKind.RECEIPT, PayloadKind.PROBE, PayloadKind.PROBE_ANSWER, PayloadKind.MAILBOXES}
)


class Session:
    """Encrypts payloads for one contact and decrypts theirs. Store ``encode()`` encrypted."""

    def __init__(
        self, local: PublicIdentity, peer: PublicIdentity, ratchet: Ratchet, next_seq: int = 0
    ) -> None:
        self.local = local
        self.peer = peer
        self.ratchet = ratchet
        self.next_seq = next_seq

    def __repr__(self) -> str:
        return f"Session(next_seq={self.next_seq}, {self.ratchet!r})"

    @property
    def can_send(self) -> bool:
        return self.ratchet.can_send

    def seal(
        self, kind: PayloadKind, body: bytes, now: float, rand: RandomSource
    ) -> tuple[Payload, bytes]:
        """A new payload with the next sequence number (a receipt does not consume it), and
        the packet that carries it (nor does a readiness probe or its answer, §9.5)."""
        payload = Payload.new(kind, body, self.next_seq, now, rand)
        encoded = payload.encode()
        if len(encoded) > MAX_RATCHET_PLAINTEXT:
            raise LocalProtocolError("payload too large for one packet")
        try:
            # The peer decodes the body only after spending the message key: a body it would
            # refuse (a text over MAX_TEXT_BYTES, a bad receipt) would be lost, never receipted.
            check_body(kind, body)
        except RemoteProtocolError as exc:
            raise LocalProtocolError(f"the peer would refuse this payload ({exc})") from None
        header, ciphertext = self.ratchet.encrypt(encoded)
        if kind not in UNORDERED_KINDS:
            # Receipts are not retransmitted: they must not open a gap in the order (§11.2).
            self.next_seq += 1
        message = RatchetMessage(self.local.node_id, header, ciphertext)
        return payload, seal_packet(message, self.peer.dh_key, rand)

    def open(self, message: RatchetMessage, now: float, rand: RandomSource) -> Payload:
        """Decrypts a message from this contact; the state changes only on success."""
        if message.sender != self.peer.node_id:
            raise LocalProtocolError("message is from another contact")
        plaintext = self.ratchet.decrypt(message.header, message.ciphertext, now, rand)
        # An authentic payload that does not decode still consumed its message key, as on
        # the sender's side; the error tells the caller to drop it.
        return Payload.decode(plaintext)

    def encode(self) -> bytes:
        return (
            Writer()
            .u8(STATE_VERSION)
            .raw(self.local.keys)
            .raw(self.peer.keys)
            .u64(self.next_seq)
            .raw(self.ratchet.encode())
            .getvalue()
        )

    @classmethod
    def decode(cls, data: bytes) -> Session:
        try:
            reader = Reader(data, "session state")
            if reader.u8() != STATE_VERSION:
                raise CorruptState("session state: unknown version")
            local = PublicIdentity(reader.raw(KEY_SIZE), reader.raw(KEY_SIZE))
            peer = PublicIdentity(reader.raw(KEY_SIZE), reader.raw(KEY_SIZE))
            next_seq = reader.u64()
            ratchet = Ratchet.decode(reader.rest())
        except MalformedInput as exc:
            raise CorruptState(str(exc)) from None
        return cls(local, peer, ratchet, next_seq)
