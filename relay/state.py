"""What one running relay holds in memory: the store, the rate limiters, the open sockets.

Shared by the HTTP deposit handlers (relay.deposits) and the WebSocket subscriptions
(relay.subscriptions); created by relay.server.create_app.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final, Protocol

from aiohttp import web

from node.protocol.admission import RateLimiter, RefusalLog
from node.protocol.relay_wire import ErrorCode
from relay.config import RelayConfig
from relay.mailboxes import MailboxStore

logger: Final = logging.getLogger("relay")


class Session(Protocol):
    """An open WebSocket (relay.subscriptions.Subscription)."""

    def wake(self) -> None:
        """Pushes whatever became deliverable, in a task (never blocks)."""

    async def deliver(self) -> None:
        """Pushes what became deliverable, in the caller's task if the socket keeps up."""

    async def fail(self, code: ErrorCode, reason: str) -> None:
        """Sends ERROR(code) and closes."""


class RelayState:
    def __init__(
        self,
        config: RelayConfig,
        clock: Callable[[], float],
        random: Callable[[int], bytes],
    ) -> None:
        self.config = config
        self.clock = clock
        self.random = random
        self.started_at = clock()
        self.store = MailboxStore.from_config(config, clock)
        self.deposit_limiter = RateLimiter(
            config.deposit_rate_per_second, config.deposit_burst, clock
        )
        self.subscribe_limiter = RateLimiter(
            config.subscribe_rate_per_second, config.subscribe_burst, clock
        )
        self.refusals = RefusalLog(logger, clock)
        self.sessions: set[Session] = set()  # every open WebSocket, authenticated or not
        self.handshakes = 0  # WebSockets being upgraded, not yet in ``sessions``
        self.subscribers: dict[bytes, Session] = {}  # mailbox id -> its current subscription
        self.tasks: set[asyncio.Task[None]] = set()
        self.shutting_down = False
        # Coalesced work (relay.channels: RESULTS), run together once per ``defer`` delay.
        self._deferred: dict[object, Callable[[], Coroutine[Any, Any, None]]] = {}
        self._deferred_timer: asyncio.TimerHandle | None = None

    def defer(
        self, key: object, work: Callable[[], Coroutine[Any, Any, None]], delay: float
    ) -> None:
        """Runs ``work()`` within ``delay`` seconds, once however often it is deferred under
        ``key``; every deferred work runs in one task, so many channels cost one timer."""
        self._deferred[key] = work
        if self._deferred_timer is None:
            self._deferred_timer = asyncio.get_running_loop().call_later(delay, self._run_deferred)

    def _run_deferred(self) -> None:
        self._deferred_timer = None
        works, self._deferred = list(self._deferred.values()), {}
        if works:
            self.spawn(_run_all(works))

    def source_of(self, request: web.BaseRequest) -> str:
        """The peer's address (the proxy's last X-Forwarded-For hop when trusted)."""
        if self.config.trust_forwarded_for:
            forwarded = request.headers.get("X-Forwarded-For", "")
            last = forwarded.rsplit(",", 1)[-1].strip()
            if last:
                return last[:64]
        return request.remote or "unknown"

    def notify(self, mailbox_id: bytes) -> None:
        """A blob was stored: its mailbox's subscriber, if any, pushes it (in a task)."""
        session = self.subscribers.get(mailbox_id)
        if session is not None:
            session.wake()

    async def deliver(self, mailbox_id: bytes) -> None:
        """A blob was stored: its mailbox's subscriber, if any, pushes it now if it can."""
        session = self.subscribers.get(mailbox_id)
        if session is not None:
            await session.deliver()

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Runs a coroutine in a task the state keeps (cancelled at shutdown)."""
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


# Deferred works run this many at a time, the event loop served in between: a pass over
# the RESULTS of thousands of deposit channels (some 10 us each) would otherwise hold every
# other socket for its whole length, which shows in the latency of every delivery.
RUN_SLICE: Final = 64


async def _run_all(works: list[Callable[[], Coroutine[Any, Any, None]]]) -> None:
    for index, work in enumerate(works):
        if index and not index % RUN_SLICE:
            await asyncio.sleep(0)
        try:
            await work()
        except ConnectionError:
            pass  # that socket is closing; the others still get theirs


STATE: Final = web.AppKey("relay_state", RelayState)
