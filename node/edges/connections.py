"""How many connections the node's HTTP servers hold, from whom and for how long
(docs/operations.md, "Connections and open files"):

    ConnectionGuard, GuardedSite    connections capped per source and in total, with header
                                    and idle deadlines
    AcceptErrorLogs                 asyncio's accept() failures (EMFILE) logged once a window
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from node.protocol.admission import (
    LOG_WINDOW_SECONDS,
    LogWindow,
    RefusalLog,
    source_key,
    summary,
)

ACCEPT_FAILED: Final = "socket.accept() out of system resource"


class AcceptErrorLogs(logging.Filter):
    """asyncio logs a failed ``accept()`` (EMFILE, ENFILE: out of file descriptors) at ERROR
    with a traceback, once per attempt and listening socket, and retries a second later: a
    node at its open-file limit once wrote 280 MB of them. Installed on the "asyncio" logger,
    this keeps one WARNING line without traceback per window (one a minute) and counts the
    rest, reported with the next line or by :meth:`roll`. Other records pass unchanged."""

    def __init__(
        self,
        clock: Callable[[], float],
        per_window: int = 1,
        window_seconds: float = LOG_WINDOW_SECONDS,
    ) -> None:
        super().__init__()
        self._window = LogWindow(clock, per_window, window_seconds)

    def filter(self, record: logging.LogRecord) -> bool:
        if _closed_server_retry(record):
            return False
        if not (isinstance(record.msg, str) and record.msg.startswith(ACCEPT_FAILED)):
            return True
        if not self._window.admit("accept_failed"):
            return False
        self.roll()  # the windows before come first
        error = record.exc_info[1] if record.exc_info else None
        reason = (error.strerror if isinstance(error, OSError) else None) or "out of resources"
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg = "cannot accept connections (%s): retrying every second; see LimitNOFILE="
        record.args = (reason,)
        record.exc_info = record.exc_text = record.stack_info = None
        return True

    def roll(self) -> None:
        suppressed = self._window.roll()
        if suppressed:
            logging.getLogger("asyncio").warning(
                "accept failures not logged individually: %s", summary(suppressed)
            )

    def flush(self) -> None:
        suppressed = self._window.flush()
        if suppressed:
            logging.getLogger("asyncio").warning(
                "accept failures not logged individually: %s", summary(suppressed)
            )


# After a failed accept, asyncio pauses the listening socket and re-arms it a second later
# with a timer that closing the server does not cancel: when the node stops in that second,
# the timer fires on the closed socket and asyncio logs a ValueError ("Invalid file
# descriptor: -1") with a traceback. Nothing is wrong then; the record is dropped.
_RETRY_ON_CLOSED: Final = "Exception in callback BaseSelectorEventLoop._start_serving"


def _closed_server_retry(record: logging.LogRecord) -> bool:
    error = record.exc_info[1] if record.exc_info else None
    message = record.msg if isinstance(record.msg, str) else ""
    return message.startswith(_RETRY_ON_CLOSED) and isinstance(error, ValueError)


def filter_accept_errors(clock: Callable[[], float] = time.monotonic) -> AcceptErrorLogs:
    """Installs :class:`AcceptErrorLogs` on the "asyncio" logger (once) and returns it."""
    asyncio_log = logging.getLogger("asyncio")
    for existing in asyncio_log.filters:
        if isinstance(existing, AcceptErrorLogs):
            return existing
    installed = AcceptErrorLogs(clock)
    asyncio_log.addFilter(installed)
    return installed


# --- connections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionLimits:
    """What one listening socket admits. ``per_source`` counts by
    :func:`node.protocol.admission.source_key` (an IPv4 address, an IPv6 /64); None: no cap
    per source (the local API: everyone is 127.0.0.1)."""

    max_total: int
    per_source: int | None
    header_timeout: float
    idle_timeout: float


class ConnectionGuard:
    """Admission of TCP connections to one aiohttp server, below the HTTP layer (aiohttp has
    no timeout for a client that connects and sends nothing, or trickles its headers):

    - at most ``max_total`` connections, at most ``per_source`` from one source; one over is
      reset at once (its descriptor freed). When the total is reached, a newcomer from a
      source holding fewer connections takes the place of the oldest idle connection of the
      source holding most (a crowd of strangers cannot keep a contact out);
    - a connection's first request head must be complete within ``header_timeout`` of the
      connection; after each request, the next within ``idle_timeout``. A request being
      handled has no deadline here (its handler bounds itself).

    Refusals go to ``refusals`` (bounded). Use :meth:`protocol_factory` with the server."""

    def __init__(self, limits: ConnectionLimits, refusals: RefusalLog) -> None:
        self.limits = limits
        self._refusals = refusals
        # source -> its connections, oldest first (a dict keeps insertion order)
        self._by_source: dict[str, dict[_GuardedConnection, None]] = {}
        self._by_handler: dict[RequestHandler, _GuardedConnection] = {}
        self._server: web.Server | None = None

    @property
    def connections(self) -> int:
        return len(self._by_handler)

    def protocol_factory(
        self, server: web.Server, tls: ssl.SSLContext | None = None
    ) -> Callable[[], asyncio.Protocol]:
        """The protocol factory for ``loop.create_server``: ``server``'s connections, each
        watched. The server's request handler is wrapped once, to see requests start and
        end. With ``tls``, each admitted connection is secured inside the guard: its TLS
        handshake counts against the caps and must end before the header deadline."""
        if self._server is not server:
            self._server = server
            handle = server.request_handler

            async def tracked(request: web.BaseRequest) -> web.StreamResponse:
                connection = self._by_handler.get(request.protocol)
                if connection is None:
                    return await handle(request)
                connection.busy()
                try:
                    return await handle(request)
                finally:
                    connection.idle()

            server.request_handler = tracked

        def factory() -> asyncio.Protocol:
            return _GuardedConnection(self, server(), tls)

        return factory

    def admit(self, connection: _GuardedConnection) -> bool:
        key = source_key(connection.address)
        held = self._by_source.get(key, {})
        per_source = self.limits.per_source
        if per_source is not None and len(held) >= per_source:
            self._refusals.refused("connection", "too_many_from_source", connection.address)
            return False
        if self.connections >= self.limits.max_total and not self._evict_for(len(held)):
            self._refusals.refused("connection", "too_many_connections", connection.address)
            return False
        self._by_source.setdefault(key, {})[connection] = None
        self._by_handler[connection.handler] = connection
        return True

    def release(self, connection: _GuardedConnection) -> None:
        """Forgets ``connection`` (idempotent)."""
        if self._by_handler.pop(connection.handler, None) is None:
            return
        key = source_key(connection.address)
        held = self._by_source.get(key)
        if held is not None:
            held.pop(connection, None)
            if not held:
                del self._by_source[key]

    def refused(self, reason: str, address: str) -> None:
        self._refusals.refused("connection", reason, address)

    def _evict_for(self, newcomer_holds: int) -> bool:
        """Closes the oldest idle connection of the source holding most, when that source
        holds at least two more than the newcomer's (so no two sources take turns)."""
        if not self._by_source:
            return False
        largest = max(self._by_source.values(), key=len)
        if len(largest) <= newcomer_holds + 1:
            return False
        for victim in largest:
            if not victim.in_request:
                self.refused("evicted", victim.address)
                victim.close(abort=True)
                return True
        return False


class _GuardedConnection(asyncio.Protocol):
    """One connection: aiohttp's protocol inside, admitted and timed by the guard."""

    def __init__(
        self, guard: ConnectionGuard, handler: RequestHandler, tls: ssl.SSLContext | None = None
    ) -> None:
        self._guard = guard
        self.handler = handler
        self._tls = tls
        self._handshake: asyncio.Task[None] | None = None
        # What came over TLS before aiohttp's protocol was told of the secured connection.
        self._early: list[bytes] | None = None
        self.address = "unknown"
        self.admitted = False
        self.in_request = False
        self._served = False  # a request was handled: the next deadline is the idle one
        self._transport: asyncio.Transport | None = None
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and peer:
            self.address = str(peer[0])
        if not self._guard.admit(self):
            _reset(transport)
            return
        self.admitted = True
        self._arm(self._guard.limits.header_timeout)
        if self._tls is None:
            self.handler.connection_made(transport)
        else:
            self._early = []
            self._handshake = asyncio.ensure_future(self._secure(transport, self._tls))

    async def _secure(self, transport: asyncio.Transport, context: ssl.SSLContext) -> None:
        """TLS over the admitted connection; aiohttp's protocol sees the secured one only.
        A failed or abandoned handshake is one bounded refusal, never a traceback."""
        loop = asyncio.get_running_loop()
        try:
            secured = await loop.start_tls(
                transport,
                self,
                context,
                server_side=True,
                ssl_handshake_timeout=self._guard.limits.header_timeout,
            )
        except (OSError, ConnectionError, TimeoutError):
            self._guard.refused("tls_handshake", self.address)
            self.close(abort=True)
            self.admitted = False
            return
        if secured is None or not self.admitted:
            return
        self._transport = secured
        self.handler.connection_made(secured)
        early, self._early = self._early or [], None
        for data in early:
            self.handler.data_received(data)

    def data_received(self, data: bytes) -> None:
        if self._early is not None:
            self._early.append(data)  # the handshake just ended: delivered in a moment
        elif self.admitted:
            self.handler.data_received(data)

    def eof_received(self) -> bool | None:
        if self.admitted:
            self.handler.eof_received()
        return None  # as aiohttp's: the transport closes itself

    def pause_writing(self) -> None:
        if self.admitted:
            self.handler.pause_writing()

    def resume_writing(self) -> None:
        if self.admitted:
            self.handler.resume_writing()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._disarm()
        self._guard.release(self)
        if self.admitted:
            self.admitted = False
            if self._handshake is None or self._handshake.done():
                self.handler.connection_lost(exc)

    def busy(self) -> None:
        self.in_request = True
        self._disarm()

    def idle(self) -> None:
        self.in_request = False
        self._served = True
        if self.admitted:
            self._arm(self._guard.limits.idle_timeout)

    def close(self, *, abort: bool) -> None:
        """Closes now; ``abort`` (or a response still waiting for its reader) resets."""
        self._disarm()
        self._guard.release(self)
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        if abort or transport.get_write_buffer_size():
            _reset(transport)
        else:
            self.handler.force_close()

    def _arm(self, seconds: float) -> None:
        self._disarm()
        loop = asyncio.get_running_loop()
        self._deadline = loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.in_request or not self.admitted:
            return
        if self._served:  # an idle keep-alive connection: closed as usual
            self.close(abort=False)
        else:  # a stranger's request head that never came: no goodbye
            self._guard.refused("header_timeout", self.address)
            self.close(abort=True)


def _reset(transport: asyncio.Transport) -> None:
    """Closes with a reset (SO_LINGER 0): the descriptor is freed now, and no TIME_WAIT state
    is left behind for each of a flood's connections."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class GuardedSite(web.BaseSite):
    """A TCP site whose connections go through a :class:`ConnectionGuard`."""

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        guard: ConnectionGuard,
        *,
        backlog: int = 128,
        reuse_address: bool = True,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(runner, backlog=backlog)
        self._host = host
        self._port = port
        self._guard = guard
        self._reuse_address = reuse_address
        self._tls = tls

    @property
    def name(self) -> str:
        return f"{'https' if self._tls else 'http'}://{self._host}:{self._port}"

    @property
    def port(self) -> int:
        """The port bound (the one asked for before :meth:`start`)."""
        server = self._server
        if isinstance(server, asyncio.Server) and server.sockets:
            return int(server.sockets[0].getsockname()[1])
        return self._port

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert isinstance(server, web.Server)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._guard.protocol_factory(server, self._tls),
            self._host,
            self._port,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
        )
