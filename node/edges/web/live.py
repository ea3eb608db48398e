"""Live updates: the node's inbox signal (``NodeContext.inbox_changed``, notified after every
committed packet from a peer: a message, a receipt, a notice) and the web client's own
actions, turned into one small push per open tab.

A push says "this changed" (the tab fetches its live part again) with the unread count (the
title badge) and, for messages that just arrived, who sent them and whether they are urgent:
what a notification may say (invariant 8), never what a message says.

Pushes are coalesced: a burst of packets gives one push per :data:`COALESCE_SECONDS`. Every
:data:`SWEEP_SECONDS` the hub also looks for changes made elsewhere (the CLI through the local
API: a message sent, read or acknowledged) and pushes when it finds one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from node.core.mailboxes import Access
from node.core.node import NodeCore
from node.core.ports import MessageQuery
from node.core.records import MessageRow
from node.protocol.conversation import Priority

log = logging.getLogger(__name__)

# Short: a message arriving just after another push (the tab's own read, a receipt) waits
# this long at most (bench.web_push: 0.1 s made it the largest part of the push latency); a
# tab fetches at most one live part at a time, so a burst costs no more renders.
COALESCE_SECONDS: Final = 0.02
SWEEP_SECONDS: Final = 5.0
MAX_NOTICES: Final = 20  # per push: a tab only needs to know a few arrived
# The newest received messages looked at each round: an arrival is one not among them last
# round, read or not (on a clinic server a colleague's open conversation may read it before
# the round; bench.clinic found tabs never told then).
RECENT: Final = 100


@dataclass(frozen=True)
class Arrival:
    message_id: str
    contact_name: str
    urgent: bool
    mailbox: bytes | None = None  # a clinic server's (node.core.mailboxes)


@dataclass(frozen=True)
class Push:
    unread: int
    arrivals: tuple[Arrival, ...]
    # Unread messages per mailbox: on a clinic server each tab counts its person's only.
    unread_by_mailbox: tuple[tuple[bytes | None, int], ...] = ()

    def seen_by(self, access: Access | None) -> Push:
        """What one person's tab is told: their mailboxes' arrivals and unread count."""
        if access is None or access.everything:
            return self
        unread = sum(n for mailbox, n in self.unread_by_mailbox if access.may_read(mailbox))
        arrivals = tuple(a for a in self.arrivals if access.may_read(a.mailbox))
        return Push(unread, arrivals)


@dataclass(eq=False)  # each tab its own: compared and hashed by identity
class Subscriber:
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    pushes: list[Push] = field(default_factory=list)
    access: Access | None = None  # what its person may read (None: everything)

    def take(self) -> list[Push]:
        pushes, self.pushes = self.pushes, []
        self.wake.clear()
        return pushes


class LiveHub:
    def __init__(self, core: NodeCore) -> None:
        self._core = core
        self._subscribers: set[Subscriber] = set()
        self._dirty = asyncio.Event()
        self._unread_ids: set[bytes] | None = None
        self._recent_ids: set[bytes] | None = None
        self._fingerprint: object = None
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._watch_inbox()),
            asyncio.create_task(self._publish()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def subscribe(self, access: Access | None = None) -> Subscriber:
        """A tab's subscription. The first tab (none was open: the hub was idle) first takes
        what is unread or came lately as known, so that only what comes later is announced."""
        if self._unread_ids is None or self._recent_ids is None:
            # A failed read (the store closing) leaves it to the first round: the tab still
            # opens, with nothing announced until then.
            with contextlib.suppress(Exception):
                unread = {row.message_id for row in await self._core.reading.unread()}
                recent = {row.message_id for row in await self._recent()}
                self._unread_ids, self._recent_ids = unread, recent
        subscriber = Subscriber(access=access)
        self._subscribers.add(subscriber)  # no await since the baseline: it holds
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def poke(self) -> None:
        """Something changed here (the web client sent, read or acknowledged)."""
        self._dirty.set()

    async def _watch_inbox(self) -> None:
        # The lock is held at all times but inside wait(): a notifier (who must hold it)
        # can only notify while this task waits, so no notification is lost.
        condition = self._core.ctx.inbox_changed
        async with condition:
            while True:
                await condition.wait()
                self._dirty.set()

    async def _publish(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SWEEP_SECONDS):
                    await self._dirty.wait()
            forced = self._dirty.is_set()
            self._dirty.clear()
            if not self._subscribers:
                # No tab open (a headless node, a night without the web client): nothing to
                # read for anyone. Each round reads every unread message, so a node taking in
                # thousands would spend most of its time here (bench.direct's profile). The
                # next first tab starts again from what is unread then (subscribe).
                self._unread_ids = self._recent_ids = None
                self._fingerprint = None
                continue
            try:
                await self._round(forced)
            except Exception:  # a failed read (store closing) must not end live updates
                log.warning("live update failed", exc_info=True)
            await asyncio.sleep(COALESCE_SECONDS)

    async def _recent(self) -> list[MessageRow]:
        return await self._core.reading.shown(MessageQuery(direction="in", limit=RECENT))

    async def _round(self, forced: bool) -> None:
        reading = self._core.reading
        unread = await reading.unread()
        ids = {row.message_id for row in unread}
        if not forced:
            # A sweep: push only when something visible changed elsewhere.
            fingerprint = (
                frozenset(ids),
                frozenset(r.message_id for r in await reading.awaiting_acknowledgement()),
                frozenset(r.message_id for r in await reading.incoming_urgent()),
                sum((await reading.outbox_depth()).values()),
                await reading.failed_count(),
            )
            changed = fingerprint != self._fingerprint
            self._fingerprint = fingerprint
            if not changed:
                self._unread_ids = ids
                return
        recent = await self._recent()
        arrivals: list[Arrival] = []
        if self._unread_ids is not None and self._recent_ids is not None:
            contacts = self._core.ctx.contacts
            known = self._unread_ids | self._recent_ids
            fresh = {row.message_id: row for row in (*recent, *unread)}
            for row in sorted(fresh.values(), key=lambda r: (r.listed_at, r.message_id)):
                if row.message_id in known:
                    continue
                name = contacts.name_of(row.contact_id) or "?"
                urgent = row.priority == Priority.URGENT
                arrivals.append(Arrival(row.message_id.hex(), name, urgent, row.mailbox))
        self._unread_ids = ids
        self._recent_ids = {row.message_id for row in recent}
        counts = Counter(row.mailbox for row in unread)
        push = Push(len(unread), tuple(arrivals[-MAX_NOTICES:]), tuple(counts.items()))
        for subscriber in self._subscribers:
            subscriber.pushes.append(push.seen_by(subscriber.access))
            del subscriber.pushes[:-8]  # a slow tab needs only the latest state
            subscriber.wake.set()
