"""Two identities paired in memory (the protocol alone, no node): sessions for the benches
that need a real one without running nodes (a packet's size, a contact row)."""

from __future__ import annotations

import time

from node.protocol import (
    ContactCard,
    Identity,
    PayloadKind,
    PendingInvitation,
    Profile,
    Reachability,
    Role,
    SealedAnswer,
    Session,
    accept,
    complete,
    open_packet,
    system_random,
)
from node.protocol.conversation import Meta, TextContent, encode_conversation


def paired(
    inviter: Identity, acceptor: Identity, acceptor_card: ContactCard
) -> tuple[Session, Session]:
    """A whole pairing; returns (the inviter's session, the acceptor's)."""
    now = time.time()
    pending = PendingInvitation.create(
        inviter, Profile("Bench inviter", Role.GP), Reachability(), now, system_random
    )
    accepted, packet = accept(pending.invitation, acceptor, acceptor_card, now, system_random)
    inner = open_packet(packet, inviter.public.dh_key, inviter.dh_private)
    assert isinstance(inner, SealedAnswer)
    completed = complete(pending, inner, inviter, now, system_random)
    return completed.session, accepted.session


def sealed_text_size(text: str) -> int:
    """The size of the packet a node seals for this text (normal priority, no reply): what
    its direct transport sends, padded to a bucket."""
    inviter, acceptor = Identity.generate(system_random), Identity.generate(system_random)
    card = ContactCard(Profile("Bench acceptor", Role.PHARMACIST), Reachability())
    session, _ = paired(inviter, acceptor, card)
    kind, body = encode_conversation(Meta(), TextContent(text))
    assert kind is PayloadKind.TEXT
    _, packet = session.seal(kind, body, time.time(), system_random)
    return len(packet)
