"""Pairing (docs/protocol.md §6): the invitation we show, the invitation we accept, and the
answer to ours that completes a pairing. A pairing by phone (node.edges.phone_pairing) goes
through the same three steps."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Final

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import Conflict, Invalid, PeerRefused, Verdict
from node.core.receipts import Receipts
from node.core.records import ContactRow, message_row
from node.protocol import (
    ContactCard,
    Invitation,
    InvitationExpired,
    PayloadKind,
    PendingInvitation,
    ProtocolError,
    ReceiptType,
    RemoteProtocolError,
    SealedAnswer,
    accept,
    complete,
)
from node.protocol.identity import format_node_id

log = logging.getLogger(__name__)

# Used invitations are forgotten this long after they expire.
FORGET_AFTER_SECONDS: Final = 86400


class Pairing:
    def __init__(self, ctx: NodeContext, receipts: Receipts) -> None:
        self._ctx = ctx
        self._receipts = receipts
        self._lock = asyncio.Lock()

    async def invite(self, ttl_seconds: int) -> Invitation:
        ctx = self._ctx
        now = ctx.clock()
        pending = PendingInvitation.create(
            ctx.identity, ctx.profile, ctx.reachability, now, ctx.rand, ttl_seconds
        )
        await ctx.commit(
            [
                ctx.repo.forget_invitations(now - FORGET_AFTER_SECONDS),
                ctx.repo.insert_invitation(pending),
            ]
        )
        return pending.invitation

    async def accept(self, text: str) -> tuple[Contact, bytes]:
        """Accepts an invitation: the contact, and the answer packet that was queued (a
        phone pairing also sends it over its own channel, docs/protocol.md §16)."""
        ctx = self._ctx
        try:
            invitation = Invitation.from_text(text)
            invitation.check_fresh(ctx.clock())
        except InvitationExpired:
            raise Invalid("invitation_expired", "the invitation has expired") from None
        except RemoteProtocolError as exc:
            raise Invalid("invitation_invalid", str(exc)) from None
        inviter = invitation.inviter
        if inviter.node_id == ctx.identity.public.node_id:
            raise Invalid("invitation_own", "this is this node's own invitation")
        known = ctx.contacts.get(inviter.node_id)
        if known is not None and known.active:
            raise Conflict("already_paired", "this contact is already paired")
        now = ctx.clock()
        paired, packet = accept(invitation, ctx.identity, ctx.card, now, ctx.rand)
        card = ContactCard(invitation.profile, invitation.reachability)
        predecessor = ctx.contacts.predecessor_of(inviter)
        await ctx.commit(
            [
                ctx.repo.insert_contact(inviter, card, paired.session, now, predecessor),
                ctx.repo.enqueue(inviter.node_id, packet, paired.first_payload.message_id, now),
            ],
            [("paired", "local", inviter.node_id, None)],
        )
        contact = Contact(
            ContactRow(inviter.node_id, inviter, card, now, False, 0, predecessor=predecessor)
        )
        contact.session = paired.session
        ctx.contacts[inviter.node_id] = contact
        log.info("paired with contact %s (accepted an invitation)", format_node_id(inviter.node_id))
        ctx.wake_outbox()
        return contact, packet

    async def complete(self, sealed: SealedAnswer) -> str:
        """An answer to one of our invitations; "stored" or "duplicate" once committed."""
        # One answer at a time: the same answer often arrives through several relays at once,
        # and completing it twice would start two diverging sessions.
        async with self._lock:
            return await self._complete(sealed)

    async def _complete(self, sealed: SealedAnswer) -> str:
        ctx = self._ctx
        now = ctx.clock()
        # Every refusal is final: the acceptor stops retrying and tells its user.
        row = await ctx.repo.invitation(sealed.tag)
        if row is None:
            raise PeerRefused(Verdict.GONE, "answer to an unknown or expired invitation")
        answer_hash = hashlib.sha256(sealed.sealed).digest()
        if row.pending is None:
            if row.answer_hash == answer_hash and row.used_by in ctx.contacts:
                return "duplicate"  # a retransmission; our receipt is already queued
            raise PeerRefused(Verdict.GONE, "invitation already used")
        try:
            paired = complete(row.pending, sealed, ctx.identity, now, ctx.rand)
            card = ContactCard.decode(paired.first_payload.body)
        except ProtocolError as exc:
            raise PeerRefused(Verdict.GONE, f"pairing answer refused ({exc.code})") from None
        peer = paired.peer
        predecessor = ctx.contacts.predecessor_of(peer)
        contact_row = ContactRow(peer.node_id, peer, card, now, False, 1, predecessor=predecessor)
        contact = Contact(contact_row, paired.session)
        contact.above_mark = set()
        first = message_row(
            paired.first_payload,
            peer.node_id,
            "in",
            "held" if contact_row.held else "received",
            received_at=now,
        )
        async with contact.lock:
            changes = [
                ctx.repo.insert_contact(peer, card, paired.session, now, predecessor),
                ctx.repo.use_invitation(sealed.tag, peer.node_id, answer_hash, now),
                ctx.repo.insert_message(first),
                ctx.repo.update_recv_mark(peer.node_id, 1),
            ]
            changes += await ctx.seal_for(contact, PayloadKind.CONTACT_CARD, ctx.card.encode())
            changes += await self._receipts.seal(
                contact, ReceiptType.DELIVERED, [paired.first_payload.message_id]
            )
            changes.append(ctx.repo.update_session(peer.node_id, paired.session))
            ctx.contacts[peer.node_id] = contact
            # "local": this node's user showed the invitation that the contact answered.
            future = ctx.submit(changes, [("paired", "local", peer.node_id, None)])
        try:
            await future
        except Exception:
            ctx.contacts.pop(peer.node_id, None)
            raise PeerRefused(Verdict.BUSY, "store unavailable") from None
        log.info(
            "paired with contact %s (our invitation was answered)", format_node_id(peer.node_id)
        )
        ctx.wake_outbox()
        return "stored"

    async def contact_of(self, invitation: Invitation) -> Contact | None:
        """The contact that answered one of our invitations, once it is paired."""
        row = await self._ctx.repo.invitation(invitation.tag)
        used_by = None if row is None else row.used_by
        return None if used_by is None else self._ctx.contacts.get(used_by)

    async def abandon(self, contact: Contact) -> None:
        """The inviter refused our answer for good (invitation used or unknown): the
        half-made contact is removed, so that the user can accept a new invitation."""
        ctx = self._ctx
        async with contact.lock:
            await ctx.commit(ctx.repo.forget_contact(contact.contact_id))
            ctx.contacts.pop(contact.contact_id, None)
        log.info("pairing with %s refused by the inviter", format_node_id(contact.contact_id))
