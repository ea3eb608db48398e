"""What a person decides about trust (docs/local-api.md): a contact is verified after the
two people compared the safety number; a pairing is ended with a signed notice; a lost or
stolen machine's identity is revoked, with a signed notice naming the identity that replaces
it (docs/operations.md, step by step). Receiving those notices is node.core.receiving's."""

from __future__ import annotations

import logging
from collections.abc import Callable

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.ports import Change
from node.protocol import Identity, PayloadKind, Revocation, Unpair, format_node_id

log = logging.getLogger(__name__)


class Trust:
    def __init__(self, ctx: NodeContext, persist_identity: Callable[[Identity], None]) -> None:
        self._ctx = ctx
        # Saves a new identity (the keyring) before the node uses it.
        self._persist_identity = persist_identity

    async def verify(self, reference: str) -> Contact:
        """The two people compared the safety number: the contact is verified, and whatever
        was held after a key change is released."""
        ctx = self._ctx
        contact = ctx.contacts.resolve(reference)
        contact.require_active()
        await ctx.commit(
            [ctx.repo.set_verified(contact.contact_id), ctx.repo.release_held(contact.contact_id)],
            [("verified", "local", contact.contact_id, None)],
        )
        contact.row.verified = True
        log.info("contact %s verified", format_node_id(contact.contact_id))
        await ctx.inbox_changes()
        return contact

    async def unpair(self, reference: str) -> Contact:
        """Ends the pairing and tells the contact, with a signed notice."""
        ctx = self._ctx
        contact = ctx.contacts.resolve(reference)
        contact.require_active()
        async with contact.lock:
            # What still waited for the contact fails first; then the notice, which is sent
            # again until the contact answers that it is no longer paired.
            changes = ctx.repo.abandon_outbox(contact.contact_id)
            notice = Unpair.sign(ctx.identity, contact.row.public, ctx.clock())
            changes += await ctx.seal_for(contact, PayloadKind.UNPAIR, notice.encode())
            changes += [
                await ctx.save_session(contact),
                ctx.repo.set_contact_state(contact.contact_id, "unpaired"),
            ]
            future = ctx.submit(changes, [("unpaired", "local", contact.contact_id, None)])
            contact.row.state = "unpaired"
        await ctx.await_commit(future)
        log.info("unpaired from contact %s", format_node_id(contact.contact_id))
        ctx.wake_outbox()
        return contact

    async def revoke(self) -> tuple[Identity, int]:
        """For a lost or stolen machine (run from a restored backup): tells every contact,
        with a notice signed by the old key, that it is revoked and which identity replaces
        it, then starts over with that new identity. Returns it and how many were told."""
        ctx = self._ctx
        successor = Identity.generate(ctx.rand)
        now = ctx.clock()
        changes: list[Change] = []
        told = [c for c in ctx.contacts.values() if c.active]
        for contact in told:
            async with contact.lock:
                notice = Revocation.sign(ctx.identity, contact.row.public, successor.public, now)
                changes += await ctx.seal_for(contact, PayloadKind.REVOCATION, notice.encode())
                changes += [
                    await ctx.save_session(contact),
                    ctx.repo.set_contact_state(contact.contact_id, "revoked"),
                ]
        # Invitations made with the old identity must not be answered any more.
        changes.append(ctx.repo.forget_all_invitations())
        await ctx.commit(changes, [("revoked", "local", c.contact_id, None) for c in told])
        for contact in told:
            contact.row.state = "revoked"
        self._persist_identity(successor)
        ctx.identity = successor
        log.warning(
            "identity revoked; %d contacts told; new node id %s",
            len(told),
            format_node_id(successor.public.node_id),
        )
        ctx.wake_outbox()
        return successor, len(told)
