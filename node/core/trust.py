"""What a person decides about trust (docs/local-api.md): a contact is verified after the
two people compared the safety number; a pairing is ended with a signed notice; a lost or
stolen machine's identity is revoked, with a signed notice naming the identity that replaces
it (docs/operations.md, step by step). Receiving those notices is part of NodeService."""

from __future__ import annotations

import logging

from node.core.service import Contact, NodeService
from node.protocol import Identity, PayloadKind, Revocation, Unpair, format_node_id
from node.storage.batch_writer import Statement

log = logging.getLogger(__name__)


async def verify(service: NodeService, reference: str) -> Contact:
    """The two people compared the safety number: the contact is verified, and whatever
    was held after a key change is released."""
    contact = service.resolve_contact(reference)
    service.require_active(contact)
    await service.commit(
        [
            service.store.set_verified(contact.contact_id),
            service.store.release_held(contact.contact_id),
        ],
        [("verified", "local", contact.contact_id, None)],
    )
    contact.row.verified = True
    log.info("contact %s verified", format_node_id(contact.contact_id))
    async with service.inbox_changed:
        service.inbox_changed.notify_all()
    return contact


async def unpair(service: NodeService, reference: str) -> Contact:
    """Ends the pairing and tells the contact, with a signed notice."""
    contact = service.resolve_contact(reference)
    service.require_active(contact)
    async with contact.lock:
        # What still waited for the contact fails first; then the notice, which is sent
        # again until the contact answers that it is no longer paired (410).
        statements = service.store.abandon_outbox(contact.contact_id)
        notice = Unpair.sign(service.identity, contact.row.public, service.clock())
        statements += await service.seal_for(contact, PayloadKind.UNPAIR, notice.encode())
        session = await service.session_of(contact)
        statements += [
            service.store.update_session(contact.contact_id, session),
            service.store.set_contact_state(contact.contact_id, "unpaired"),
        ]
        future = service.submit(statements, [("unpaired", "local", contact.contact_id, None)])
        contact.row.state = "unpaired"
    await service.await_commit(future)
    log.info("unpaired from contact %s", format_node_id(contact.contact_id))
    service.on_outbox()
    return contact


async def revoke(service: NodeService) -> tuple[Identity, int]:
    """For a lost or stolen machine (run from a restored backup): tells every contact,
    with a notice signed by the old key, that it is revoked and which identity replaces
    it, then starts over with that new identity. Returns it and how many were told."""
    successor = Identity.generate(service.rand)
    now = service.clock()
    statements: list[Statement] = []
    told = [c for c in service.contacts.values() if c.row.state == "active"]
    for contact in told:
        async with contact.lock:
            notice = Revocation.sign(service.identity, contact.row.public, successor.public, now)
            statements += await service.seal_for(contact, PayloadKind.REVOCATION, notice.encode())
            session = await service.session_of(contact)
            statements += [
                service.store.update_session(contact.contact_id, session),
                service.store.set_contact_state(contact.contact_id, "revoked"),
            ]
    # Invitations made with the old identity must not be answered any more.
    statements.append(service.store.forget_all_invitations())
    await service.commit(statements, [("revoked", "local", c.contact_id, None) for c in told])
    for contact in told:
        contact.row.state = "revoked"
    service.on_identity_change(successor)
    service.identity = successor
    log.warning(
        "identity revoked; %d contacts told; new node id %s",
        len(told),
        format_node_id(successor.public.node_id),
    )
    service.on_outbox()
    return successor, len(told)
