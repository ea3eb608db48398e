"""What every decision of the node shares: its settings and identity, the repository, the clock
and randomness, the contacts in memory, and the signals that wake the outbox and the readers
waiting for new messages.

Every change to the store goes through :meth:`NodeContext.submit`, with its audit entries, and
nothing is acknowledged (to a peer or a person) before its batch is committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable, Sequence
from typing import Any, Final

from node.core.config import NodeConfig
from node.core.contacts import Contact, ContactBook
from node.core.errors import Unavailable, store_unavailable
from node.core.ports import AuditEvent, Change, Clock, Repository
from node.protocol import (
    ContactCard,
    Identity,
    PayloadKind,
    Profile,
    Reachability,
    Role,
    Session,
    system_random,
)
from node.protocol.primitives import RandomSource
from node.protocol.profile import PRESCRIBER_ROLES, PrescriberIdentity

log = logging.getLogger(__name__)

ROLE_CODES: Final = {role.name.lower(): role for role in Role}
CLOSE_SECONDS: Final = 5.0


class NodeContext:
    def __init__(
        self,
        config: NodeConfig,
        identity: Identity,
        repo: Repository,
        clock: Clock,
        rand: RandomSource = system_random,
    ) -> None:
        self.config = config
        self.identity = identity
        self.repo = repo
        self.clock = clock
        self.rand = rand
        self.contacts = ContactBook()
        self.reachability = Reachability()
        # Set when something waits in the outbox; the outbox loop clears it.
        self.outbox_due = asyncio.Event()
        # Notified when a message may have become visible (long-polling readers wait on it).
        self.inbox_changed = asyncio.Condition()
        self._tasks: set[asyncio.Task[None]] = set()
        repo.on_failure(self.invalidate)

    @property
    def profile(self) -> Profile:
        """Our contact card's profile: a prescriber's names their RPPS and name (§19.1)."""
        config = self.config
        role = ROLE_CODES.get(config.role, Role.OTHER)
        prescriber = None
        if role in PRESCRIBER_ROLES and config.rpps.strip() and config.prescriber_name.strip():
            prescriber = PrescriberIdentity(config.rpps, config.prescriber_name)
        return Profile(config.name or "Relève", role, config.phone or None, prescriber)

    @property
    def card(self) -> ContactCard:
        return ContactCard(self.profile, self.reachability)

    async def load(self) -> None:
        self.contacts = ContactBook(
            {row.contact_id: Contact(row) for row in await self.repo.contacts()}
        )

    async def close(self) -> None:
        """Lets background work (owed receipts, attachment checks) finish."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=CLOSE_SECONDS)

    def invalidate(self) -> None:
        """A commit failed: forget every state that may be ahead of the database."""
        for contact in self.contacts.values():
            contact.session = None
            contact.above_mark = None
        self.background(self._reload_contacts())

    async def _reload_contacts(self) -> None:
        for row in await self.repo.contacts():
            contact = self.contacts.get(row.contact_id)
            if contact is None:
                self.contacts[row.contact_id] = Contact(row)
            else:
                contact.row = row

    async def session_of(self, contact: Contact) -> Session:
        if contact.session is None:
            contact.session = await self.repo.session(contact.contact_id)
        return contact.session

    def submit(
        self, changes: Sequence[Change], events: Iterable[AuditEvent] = ()
    ) -> asyncio.Future[None]:
        """Queues one batch with its audit entries; no await between building the batch and
        this call, so that batches are committed in the order their state was built."""
        return self.repo.submit(changes, events, self.clock())

    async def commit(self, changes: Sequence[Change], events: Iterable[AuditEvent] = ()) -> None:
        await self.await_commit(self.submit(changes, events))

    @staticmethod
    async def await_commit(future: asyncio.Future[None]) -> None:
        """Waits for a batch; a failed commit is reported as the store being unavailable."""
        try:
            await future
        except Exception as exc:
            raise store_unavailable(exc) from None

    async def seal_for(self, contact: Contact, kind: PayloadKind, body: bytes) -> list[Change]:
        """Seals one payload (the caller holds the contact's lock and saves the session after
        its last seal); returns the outbox change. Everything but a receipt stays in the
        outbox until it is confirmed (docs/protocol.md §11.2)."""
        session = await self.session_of(contact)
        if not session.can_send:
            # Renewing after a restore (§20): nothing is sealed under a stale key. A receipt
            # is not retransmitted anyway; the contact sends the message again (§20.5).
            if kind is PayloadKind.RECEIPT:
                return []
            raise Unavailable(
                "session_renewing",
                "the session with this contact is being renewed after a restore; try again"
                " in a moment",
            )
        payload, packet = session.seal(kind, body, self.clock(), self.rand)
        message_id = None if kind is PayloadKind.RECEIPT else payload.message_id
        return [self.repo.enqueue(contact.contact_id, packet, message_id, self.clock())]

    async def save_session(self, contact: Contact) -> Change:
        return self.repo.update_session(contact.contact_id, await self.session_of(contact))

    def background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def busy(self) -> bool:
        """Background work is running or a receipt is about to be sent."""
        return bool(self._tasks) or any(c.receipts_scheduled for c in self.contacts.values())

    def wake_outbox(self) -> None:
        self.outbox_due.set()

    async def inbox_changes(self) -> None:
        async with self.inbox_changed:
            self.inbox_changed.notify_all()
