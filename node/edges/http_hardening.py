"""What both of the node's HTTP servers (the peer endpoint and the local API) need against
strangers and malformed requests that aiohttp itself does not answer well:

    filter_malformed_request_logs   a bounded log of requests aiohttp cannot parse
    expect_continue, elsewhere      our own handling of the ``Expect`` header
    roll_periodically               writes the summaries of bounded logs (RefusalLog...)
    BoundedFailures                 unexpected failures logged with a traceback, bounded

How many connections a stranger may hold, and for how long, is node.edges.connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Final, Protocol

from aiohttp import HttpVersion11, web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from node.protocol.admission import (
    LOG_WINDOW_SECONDS,
    LogWindow,
    MalformedRequestLogs,
    summary,
)

_MALFORMED: Final = (HttpProcessingError, RequestPayloadError)


def filter_malformed_request_logs() -> None:
    """A request aiohttp cannot parse is logged as one WARNING line naming the error's type,
    at most 20 a minute, never with the traceback that quotes its bytes (RequestPayloadError:
    aiohttp reads the rest of a refused body and meets the same broken encoding again)."""
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, MalformedRequestLogs) for f in server_log.filters):
        server_log.addFilter(MalformedRequestLogs(_MALFORMED, time.monotonic))


async def expect_continue(request: web.Request) -> None:
    """Only ``Expect: 100-continue`` is understood. aiohttp's default handler echoes the
    header in its 417 answer, and fails (a 500 and a logged traceback) on a value that is
    not UTF-8: a stranger's header must cost neither."""
    if request.headers.get("Expect", "").lower() != "100-continue":
        raise web.HTTPExpectationFailed(text="only Expect: 100-continue is understood")
    if request.version == HttpVersion11:
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0


ELSEWHERE: Final = "elsewhere"


async def elsewhere(request: web.Request) -> web.StreamResponse:
    """Every other path or method, as aiohttp would answer it (404, or 405 naming the
    methods the path takes), but through a route of our own (named :data:`ELSEWHERE`), so
    that its Expect header goes through :func:`expect_continue` too."""
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource.name != ELSEWHERE:
            allowed |= (await resource.resolve(request))[1]
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)
    raise web.HTTPNotFound()


# --- bounded logs -----------------------------------------------------------------------------

ROLL_SECONDS: Final = 5.0  # how often the summaries of ended log windows are written


class Rolling(Protocol):
    """A bounded log: :meth:`roll` writes the summary of windows that ended, :meth:`flush`
    everything suppressed so far (at shutdown). RefusalLog is one."""

    def roll(self) -> None: ...

    def flush(self) -> None: ...


def roll_periodically(
    *logs: Rolling, every: float = ROLL_SECONDS
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context for an application: rolls ``logs`` every ``every`` seconds (so the
    summary of a flood's last window is written even when nothing follows), flushes them
    when the application stops."""

    async def roll_forever() -> None:
        while True:
            await asyncio.sleep(every)
            for bounded in logs:
                bounded.roll()

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(roll_forever())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for bounded in logs:
            bounded.flush()

    return context


class BoundedFailures:
    """Unexpected failures (a bug answered with a 500) logged with their traceback, at most
    ``per_window`` a window; the rest are counted and summarised. A request that triggers a
    bug, repeated by a script in a loop, must not fill the disk."""

    def __init__(
        self,
        logger: logging.Logger,
        clock: Callable[[], float],
        per_window: int = 5,
        window_seconds: float = LOG_WINDOW_SECONDS,
    ) -> None:
        self._logger = logger
        self._window = LogWindow(clock, per_window, window_seconds)

    def failed(self, what: str) -> None:
        """Call from an ``except`` block: the traceback is the current exception's."""
        self.roll()
        if self._window.admit(what):
            self._logger.exception(what)

    def roll(self) -> None:
        self._summarise(self._window.roll())

    def flush(self) -> None:
        self._summarise(self._window.flush())

    def _summarise(self, suppressed: dict[str, int]) -> None:
        if suppressed:
            self._logger.error("failures not logged individually: %s", summary(suppressed))
