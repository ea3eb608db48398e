"""The durable outbox: delivers queued packets in order, in batches, retrying an unreachable
contact with exponential backoff and jitter; a message is given up on only after the
configured maximum age (it is then marked failed, visible to the user).

Backoff is per contact, not per packet: when a contact is unreachable nothing is sent to it
until its next attempt, and then its packets go in queue order (the recipient's ratchet
handles reordering, but in-order delivery keeps its skipped-key store empty).

An entry that awaits an end-to-end receipt stays after the peer's node acknowledged it; if the
receipt does not come within ``redelivery_seconds`` the packet is sent again (the recipient
recognises the duplicate and sends its receipt again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Final

from node.core.context import NodeContext
from node.core.pairing import Pairing
from node.core.ports import Change, Outcome, Transport
from node.core.records import OutboxRow
from node.protocol.primitives import RandomSource

log = logging.getLogger(__name__)

BATCH_SIZE: Final = 64  # packets per request
REQUESTS_PER_CONTACT: Final = 4
MAX_REQUESTS: Final = 64
SWEEP_SECONDS: Final = 60.0
IDLE_SECONDS: Final = 60.0
MAX_RECHECK_SECONDS: Final = 3600.0
STOP_SECONDS: Final = 5.0


def backoff_delay(failures: int, base: float, cap: float, rand: RandomSource) -> float:
    """Exponential backoff, capped, with jitter in [0.5, 1.0] of the delay."""
    delay: float = min(cap, base * 2.0 ** min(failures, 30))
    jitter = 0.5 + int.from_bytes(rand(2), "big") / 0xFFFF / 2
    return delay * jitter


@dataclass
class _Backoff:
    failures: int
    until: float


class Outbox:
    def __init__(self, ctx: NodeContext, transport: Transport, pairing: Pairing) -> None:
        self._ctx = ctx
        self._store = ctx.repo
        self._config = ctx.config
        self._transport = transport
        self._pairing = pairing
        self._wake = ctx.outbox_due
        self._in_flight: set[int] = set()
        self._per_contact: dict[bytes, int] = {}  # requests in flight per contact
        self._backoff: dict[bytes, _Backoff] = {}
        self._tasks: set[asyncio.Task[list[Outcome]]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._last_sweep = 0.0
        self._stopping = False

    def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        """Stops sending; lets attempts in flight finish (their outcome is recorded).

        The loop is asked to stop rather than cancelled: on Python 3.11, cancelling a task
        inside ``asyncio.wait_for`` while its event is set at the same moment can lose the
        cancellation, and the node then never finished stopping."""
        self._stopping = True
        self._wake.set()
        if self._runner is not None:
            done, _ = await asyncio.wait({self._runner}, timeout=STOP_SECONDS)
            if not done:
                self._runner.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                timeout = await self._dispatch()
            except Exception:
                log.exception("outbox pass failed; retrying shortly")
                timeout = 1.0
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()

    async def _dispatch(self) -> float:
        """Starts what can be sent now; returns how long to sleep unless woken."""
        now = self._ctx.clock()
        if now - self._last_sweep >= SWEEP_SECONDS:
            self._last_sweep = now
            await self._expire(now)
        sleep = IDLE_SECONDS
        for backoff in self._backoff.values():
            sleep = min(sleep, backoff.until - now)
        if len(self._tasks) >= MAX_REQUESTS:
            return max(0.05, sleep)
        # Per contact, only as many entries as it has free request slots: reading the whole
        # backlog at every wake-up cost the sender more than sending it.
        for contact_id in await self._store.due_contacts(now):
            waiting = self._backoff.get(contact_id)
            free = REQUESTS_PER_CONTACT - self._per_contact.get(contact_id, 0)
            if free <= 0 or (waiting is not None and waiting.until > now):
                continue
            entries = await self._store.due_for(
                contact_id, now, exclude=self._in_flight, limit=free * BATCH_SIZE
            )
            for start in range(0, len(entries), BATCH_SIZE):
                busy = self._per_contact.get(contact_id, 0)
                if busy >= REQUESTS_PER_CONTACT or len(self._tasks) >= MAX_REQUESTS:
                    break
                batch = self._claim(contact_id, entries[start : start + BATCH_SIZE])
                task = asyncio.create_task(self._attempt(contact_id, batch))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        next_due = await self._store.next_due(now)
        if next_due is not None:
            sleep = min(sleep, next_due - now)
        return max(0.05, sleep)

    def _claim(self, contact_id: bytes, batch: list[OutboxRow]) -> list[OutboxRow]:
        """Marks entries as in flight (released by _attempt)."""
        self._in_flight.update(entry.id for entry in batch)
        self._per_contact[contact_id] = self._per_contact.get(contact_id, 0) + 1
        return batch

    async def deliver_now(self, contact_id: bytes) -> list[Outcome]:
        """One attempt at once for what waits for this contact (used right after pairing,
        so that the person accepting an invitation learns at once if it was refused)."""
        entries = await self._store.due_for(
            contact_id, self._ctx.clock(), exclude=self._in_flight, limit=BATCH_SIZE
        )
        if not entries:
            return []
        return await self._attempt(contact_id, self._claim(contact_id, entries))

    async def _send(self, contact_id: bytes, packets: list[bytes]) -> list[Outcome]:
        contact = self._ctx.contacts.get(contact_id)
        if contact is None:
            return [Outcome.RETRY] * len(packets)
        return await self._transport.send(contact_id, contact.row.card, packets)

    async def _attempt(self, contact_id: bytes, batch: list[OutboxRow]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        try:
            packets = await self._store.packets([entry.id for entry in batch])
            # An entry can be settled meanwhile (its delivery receipt arrived): skip it.
            sendable = [entry for entry in batch if entry.id in packets]
            if not sendable:
                return outcomes
            try:
                outcomes = await self._send(contact_id, [packets[e.id] for e in sendable])
            except Exception:
                log.exception("sending failed unexpectedly")
                outcomes = [Outcome.RETRY] * len(sendable)
            now = self._ctx.clock()
            statements = [
                statement
                for entry, outcome in zip(sendable, outcomes, strict=True)
                for statement in self._record(entry, outcome, now)
            ]
            if Outcome.RETRY not in outcomes:
                self._backoff.pop(contact_id, None)
            else:
                self._back_off(contact_id, now)
            contact = self._ctx.contacts.get(contact_id)
            if Outcome.GONE in outcomes and contact is not None and contact.row.recv_mark == 0:
                # Never heard from, and refused for good: the pairing answer was refused.
                await self._pairing.abandon(contact)
            try:
                if statements:
                    await self._ctx.submit(statements)
            except Exception:
                log.warning("could not record a delivery attempt")
        finally:
            self._in_flight.difference_update(entry.id for entry in batch)
            self._per_contact[contact_id] -= 1
            if not self._per_contact[contact_id]:
                del self._per_contact[contact_id]
            self._wake.set()
        return outcomes

    def _back_off(self, contact_id: bytes, now: float) -> None:
        previous = self._backoff.get(contact_id)
        if previous is not None and previous.until > now:
            return  # another request already failed and set the delay
        failures = previous.failures + 1 if previous else 0
        delay = backoff_delay(
            failures,
            self._config.retry_base_seconds,
            self._config.retry_max_seconds,
            self._ctx.rand,
        )
        self._backoff[contact_id] = _Backoff(failures, now + delay)

    def _record(self, entry: OutboxRow, outcome: Outcome, now: float) -> list[Change]:
        if outcome is Outcome.GONE:
            log.warning("a message can no longer be decrypted by its recipient: marked failed")
            statements = [self._store.outbox_done(entry.id)]
            if entry.message_id is not None:
                statements.append(self._store.fail_if_queued(entry.message_id))
            return statements
        if outcome is Outcome.RETRY:
            # Not counted: the contact's backoff (in memory) paces failed attempts, and
            # ``attempts`` counts hand-overs still without a receipt, which the recheck
            # below doubles on. Counting failures there delayed the redelivery of a packet
            # that a relay lost by up to an hour when it had met an outage first.
            return []
        if entry.message_id is None:
            return [self._store.outbox_done(entry.id)]
        # Kept until the end-to-end receipt; sent again, less and less often, if it is late
        # (a recipient offline for days behind a relay must not cost a deposit a minute).
        recheck = min(
            self._config.redelivery_seconds * 2.0 ** min(entry.attempts, 10), MAX_RECHECK_SECONDS
        )
        return [self._store.outbox_acked(entry.id, now, now + recheck)]

    async def _expire(self, now: float) -> None:
        """Entries older than the maximum age: the message is marked failed."""
        before = now - self._config.outbox_max_age_hours * 3600
        statements = []
        for entry_id, message_id in await self._store.expired_outbox(before):
            if entry_id in self._in_flight:
                continue
            statements.append(self._store.outbox_done(entry_id))
            if message_id is not None:
                statements.append(self._store.fail_if_queued(message_id))
        if statements:
            log.warning("%d outbox entries reached the maximum age and failed", len(statements))
            await self._ctx.submit(statements)
