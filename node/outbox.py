"""The durable outbox: delivers queued packets, retries with exponential backoff and jitter,
and gives up on a message only after the configured maximum age (it is then marked failed,
visible to the user).

An entry that awaits an end-to-end receipt stays after the peer's node acknowledged it; if the
receipt does not come within ``redelivery_seconds`` the packet is sent again (the recipient
recognises the duplicate and sends its receipt again).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from node.config import NodeConfig
from node.protocol.primitives import RandomSource
from node.service import NodeService
from node.store import OutboxRow

log = logging.getLogger(__name__)

WINDOW_PER_CONTACT: Final = 32
MAX_IN_FLIGHT: Final = 128
SWEEP_SECONDS: Final = 60.0

# send(contact_id, packet) -> True when the peer's node committed it
Send = Callable[[bytes, bytes], Awaitable[bool]]


def backoff_delay(attempts: int, base: float, cap: float, rand: RandomSource) -> float:
    """Exponential backoff with full jitter in [0.5, 1.0] of the capped delay."""
    delay: float = min(cap, base * 2.0 ** min(attempts, 30))
    jitter = 0.5 + int.from_bytes(rand(2), "big") / 0xFFFF / 2
    return delay * jitter


class Outbox:
    def __init__(self, service: NodeService, config: NodeConfig, send: Send) -> None:
        self._service = service
        self._store = service.store
        self._config = config
        self._send = send
        self._wake = asyncio.Event()
        self._in_flight: set[int] = set()
        self._per_contact: dict[bytes, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._last_sweep = 0.0
        service.on_outbox = self.wake

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        """Stops sending; lets attempts in flight finish (their outcome is recorded)."""
        if self._runner is not None:
            self._runner.cancel()
            try:
                await self._runner
            except asyncio.CancelledError:
                pass
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._dispatch()
            except Exception:
                log.exception("outbox pass failed; retrying shortly")
                await asyncio.sleep(1.0)
            timeout = await self._sleep_time()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass

    async def _sleep_time(self) -> float:
        next_due = await self._store.next_due()
        if next_due is None:
            return SWEEP_SECONDS
        return max(0.05, min(SWEEP_SECONDS, next_due - self._service.clock()))

    async def _dispatch(self) -> None:
        now = self._service.clock()
        if now - self._last_sweep >= SWEEP_SECONDS:
            self._last_sweep = now
            await self._expire(now)
        if len(self._in_flight) >= MAX_IN_FLIGHT:
            return
        for entry in await self._store.due(now, MAX_IN_FLIGHT * 2):
            if entry.id in self._in_flight:
                continue
            if self._per_contact.get(entry.contact_id, 0) >= WINDOW_PER_CONTACT:
                continue
            if len(self._in_flight) >= MAX_IN_FLIGHT:
                break
            self._in_flight.add(entry.id)
            self._per_contact[entry.contact_id] = self._per_contact.get(entry.contact_id, 0) + 1
            task = asyncio.create_task(self._attempt(entry))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _attempt(self, entry: OutboxRow) -> None:
        try:
            try:
                delivered = await self._send(entry.contact_id, entry.packet)
            except Exception:
                log.exception("sending failed unexpectedly")
                delivered = False
            now = self._service.clock()
            if delivered and entry.message_id is None:
                statement = self._store.outbox_done(entry.id)
            elif delivered:
                recheck = now + self._config.redelivery_seconds
                statement = self._store.outbox_acked(entry.id, now, recheck)
            else:
                delay = backoff_delay(
                    entry.attempts,
                    self._config.retry_base_seconds,
                    self._config.retry_max_seconds,
                    self._service.rand,
                )
                statement = self._store.outbox_retry(entry.id, now + delay)
            try:
                await self._service.writer.submit([statement])
            except Exception:
                log.warning("could not record a delivery attempt")
        finally:
            self._in_flight.discard(entry.id)
            self._per_contact[entry.contact_id] -= 1
            if not self._per_contact[entry.contact_id]:
                del self._per_contact[entry.contact_id]
            self._wake.set()

    async def _expire(self, now: float) -> None:
        """Entries older than the maximum age: the message is marked failed."""
        before = now - self._config.outbox_max_age_hours * 3600
        statements = []
        for entry_id, message_id in await self._store.expired_outbox(before):
            if entry_id in self._in_flight:
                continue
            statements.append(self._store.outbox_done(entry_id))
            if message_id is not None:
                statements.append(self._store.set_message_status_if(message_id, "queued", "failed"))
        if statements:
            log.warning("%d outbox entries reached the maximum age and failed", len(statements))
            await self._service.writer.submit(statements)
