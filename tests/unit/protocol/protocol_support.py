"""Shared helpers for the protocol core's pure tests (tests/unit/protocol).

Test modules import it as ``tests.unit.protocol.protocol_support``, the name mypy gives it
(conftest.py explains why that works under pytest too). Helpers live here rather than in
conftest.py: pytest imports each conftest.py as a plugin, and a module named ``conftest``
is not one stable thing to import from once several folders have one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Final

from node.protocol import (
    ContactCard,
    Endpoint,
    Identity,
    Inner,
    Invitation,
    InvitationBook,
    Paired,
    Payload,
    PayloadKind,
    PendingInvitation,
    Profile,
    RandomSource,
    RatchetMessage,
    Reachability,
    Role,
    SealedAnswer,
    Session,
    accept,
    open_packet,
)
from node.protocol.payload import encode_text

# 2025-12-01T08:00:00Z: every test conversation happens on this morning.
T0: Final = 1_764_576_000
RELAY_URL: Final = "https://relay.example.fr"


class DeterministicRandom:
    """A seeded :data:`RandomSource` for tests: keyed BLAKE2b-512 in counter mode.

    Reproducible (Hypothesis can shrink and replay), and two seeds give independent
    streams. Never for production: production passes ``system_random``.
    """

    def __init__(self, seed: bytes | str | int = b"") -> None:
        if isinstance(seed, int):
            seed = str(seed)
        if isinstance(seed, str):
            seed = seed.encode("utf-8")
        self._key = hashlib.blake2b(seed, digest_size=64, person=b"releve-tests").digest()
        self._counter = 0
        self._buffer = b""

    def __call__(self, n: int) -> bytes:
        if n < 0:
            raise ValueError("negative length")
        while len(self._buffer) < n:
            block = self._counter.to_bytes(8, "big")
            self._buffer += hashlib.blake2b(block, key=self._key, digest_size=64).digest()
            self._counter += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out


def flip_bit(data: bytes, bit: int) -> bytes:
    """``data`` with bit number ``bit`` (0 = most significant bit of byte 0) inverted."""
    out = bytearray(data)
    out[bit // 8] ^= 0x80 >> (bit % 8)
    return bytes(out)


def typical_reachability(rand: RandomSource) -> Reachability:
    """One relay and two IPv4 addresses: what a practice's invitation usually carries."""
    return Reachability(
        endpoints=(
            Endpoint.relay(RELAY_URL),
            Endpoint.direct("192.168.1.20", 7440),
            Endpoint.direct("10.0.0.5", 7440),
        ),
        mailbox_id=rand(16),
    )


@dataclass
class Node:
    """What one machine knows about itself: its identity, profile and reachability."""

    identity: Identity
    profile: Profile
    reachability: Reachability
    rand: RandomSource

    @classmethod
    def create(cls, name: str, role: Role, rand: RandomSource) -> Node:
        return cls(Identity.generate(rand), Profile(name, role), typical_reachability(rand), rand)

    @property
    def card(self) -> ContactCard:
        return ContactCard(self.profile, self.reachability)

    def invite(self, now: float = T0, ttl_seconds: int = 15 * 60) -> PendingInvitation:
        return PendingInvitation.create(
            self.identity, self.profile, self.reachability, now, self.rand, ttl_seconds
        )

    def open(self, packet: bytes) -> Inner:
        """Opens a packet with this node's identity key, as its transport would."""
        public = self.identity.public
        return open_packet(packet, public.dh_key, self.identity.dh_private)


@dataclass
class Party:
    """One side of a paired conversation: a node and its session with the other side."""

    node: Node
    session: Session
    sent: list[Payload] = field(default_factory=list)

    @property
    def rand(self) -> RandomSource:
        return self.node.rand

    def send(self, text: str, now: float = T0) -> tuple[Payload, bytes]:
        payload, packet = self.session.seal(PayloadKind.TEXT, encode_text(text), now, self.rand)
        self.sent.append(payload)
        return payload, packet

    def receive(self, packet: bytes, now: float = T0) -> Payload:
        """Opens the outer packet, then the ratchet message, as the node's inbox would."""
        inner = self.node.open(packet)
        assert isinstance(inner, RatchetMessage)
        return self.session.open(inner, now, self.rand)

    def state(self) -> bytes:
        return self.session.encode()

    def reload(self) -> None:
        """Stores and restores the session, as a node restart would."""
        encoded = self.session.encode()
        self.session = Session.decode(encoded)
        assert self.session.encode() == encoded


@dataclass
class Pairing:
    """Everything a finished pairing produced, for tests that inspect the handshake."""

    inviter: Node
    acceptor: Node
    pending: PendingInvitation
    book: InvitationBook
    answer_packet: bytes
    acceptor_paired: Paired
    inviter_paired: Paired


def run_pairing(
    inviter: Node, acceptor: Node, now: float = T0, answer_at: float | None = None
) -> Pairing:
    """The whole flow: invitation as text, accept, open the answer packet, complete."""
    pending = inviter.invite(now)
    book = InvitationBook()
    book.add(pending)
    invitation = Invitation.from_text(pending.invitation.to_text())
    acceptor_paired, answer_packet = accept(
        invitation, acceptor.identity, acceptor.card, now, acceptor.rand
    )
    sealed = inviter.open(answer_packet)
    assert isinstance(sealed, SealedAnswer)
    when = now if answer_at is None else answer_at
    inviter_paired = book.complete(sealed, inviter.identity, when, inviter.rand)
    return Pairing(inviter, acceptor, pending, book, answer_packet, acceptor_paired, inviter_paired)


def inviter_and_acceptor(seed: str) -> tuple[Node, Node]:
    """Two nodes not yet paired: a pharmacy shows the QR code, a GP scans it."""
    inviter = Node.create("Pharmacie du Marché", Role.PHARMACIST, DeterministicRandom(f"i{seed}"))
    acceptor = Node.create("Dr Martin", Role.GP, DeterministicRandom(f"a{seed}"))
    return inviter, acceptor


def pair(seed: str | int, now: float = T0) -> tuple[Party, Party]:
    """Two paired parties, each with its own deterministic random stream.

    Returns (alice, bob): Alice accepted Bob's invitation, so she started the ratchet (her
    contact card was its first message); both can send at once.
    """
    alice_node = Node.create("Dr Alice Martin", Role.GP, DeterministicRandom(f"alice|{seed}"))
    bob_node = Node.create("Pharmacie Bob", Role.PHARMACIST, DeterministicRandom(f"bob|{seed}"))
    pairing = run_pairing(bob_node, alice_node, now)
    return (
        Party(alice_node, pairing.acceptor_paired.session),
        Party(bob_node, pairing.inviter_paired.session),
    )
