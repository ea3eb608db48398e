"""The relay's HTTP and WebSocket server (aiohttp): routes, health, expiry, clean shutdown.

    create_app(config, clock)  the aiohttp application (tests serve it on 127.0.0.1)
    run(listen, config)        serves until SIGINT or SIGTERM (SIGINT or SIGBREAK on
                               Windows); returns the exit status

Nothing here logs a mailbox id, blob id, key or blob byte; the access log is off because
request paths carry mailbox ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import dataclasses
import gc
import importlib.metadata
import logging
import os
import platform
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from node.protocol.admission import MalformedRequestLogs
from node.protocol.relay_wire import (
    DEPOSIT_CHANNEL_ROUTE,
    DEPOSIT_PATH,
    FAST_VERSION,
    HEALTH_PATH,
    LEGACY_DEPOSIT_PATH,
    LEGACY_SINGLE_DEPOSIT_ROUTE,
    MAILBOX_SUBSCRIBE_ROUTE,
    SINGLE_DEPOSIT_ROUTE,
    SUBSCRIBE_PATH,
    VERSION,
    ErrorCode,
)
from relay import rendezvous
from relay.channels import deposit_channel
from relay.config import RelayConfig, split_listen
from relay.deposits import MAX_BATCH_BYTES, deposit_batch, deposit_one, legacy_deposit
from relay.refusals import error_body, expect_continue
from relay.state import STATE, RelayState, logger
from relay.subscriptions import subscribe

# POSIX only (issue #17): on Windows there is no open-file limit to raise (fit_file_limit).
if sys.platform != "win32":
    import resource

EXPIRY_BATCH: Final = 10_000  # blobs expired per pass before yielding to the event loop
SHUTDOWN_TIMEOUT: Final = 5.0  # seconds for handlers to finish once sockets are closed
LINGERING_TIME: Final = 1.0  # seconds to drain an unread body after answering (aiohttp: 10)

PROTOCOL_VERSION: Final = VERSION
try:
    SOFTWARE_VERSION: Final = importlib.metadata.version("releve")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a bare tree
    SOFTWARE_VERSION = "unknown"  # type: ignore[misc]

_AIOHTTP_LOGGERS: Final = ("aiohttp.server", "aiohttp.web", "aiohttp.websocket", "aiohttp.access")
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# Requests aiohttp cannot parse (RequestPayloadError: it reads the rest of a refused body,
# its lingering close, and meets the same broken encoding again): the sender's fault.
_MALFORMED: Final = (HttpProcessingError, RequestPayloadError)


def _filter_aiohttp_logs() -> None:
    """aiohttp logs a bad request with a traceback that quotes the request's bytes (a path
    holds a mailbox id, a body a blob): every aiohttp record keeps only the exception's
    type, bounded per logger (node.protocol.admission.MalformedRequestLogs)."""
    for name in _AIOHTTP_LOGGERS:
        log = logging.getLogger(name)
        if not any(isinstance(f, MalformedRequestLogs) for f in log.filters):
            log.addFilter(MalformedRequestLogs(_MALFORMED, time.monotonic, scrub_others=True))


_HTTP_CODES: Final = {
    400: "malformed",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


@web.middleware
async def _json_errors(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """aiohttp's own refusals (unknown path, wrong method...) as JSON error bodies."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, exc.reason.lower().replace(" ", "_"))
        headers = {k: v for k, v in exc.headers.items() if k in ("Allow", "Retry-After")}
        return web.json_response(error_body(code, exc.reason), status=exc.status, headers=headers)


_ELSEWHERE: Final = "elsewhere"


async def _elsewhere(request: web.Request) -> web.StreamResponse:
    """Every other path or method, as aiohttp would answer it (404, or 405 naming the
    methods the path takes), but through a route of our own: its Expect header goes through
    :func:`expect_continue` too."""
    allowed: set[str] = set()
    for route in request.app.router.resources():
        if route.name != _ELSEWHERE:
            allowed |= (await route.resolve(request))[1]
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)
    raise web.HTTPNotFound()


async def _health(request: web.Request) -> web.Response:
    state = request.app[STATE]
    store = state.store
    return web.json_response(
        {
            "status": "shutting_down" if state.shutting_down else "ok",
            "version": SOFTWARE_VERSION,
            "protocols": [PROTOCOL_VERSION, FAST_VERSION],  # §18: the relay protocols served
            "uptime_seconds": round(state.clock() - state.started_at, 3),
            "mailboxes": store.mailboxes,
            "blobs": store.blobs,
            "bytes": store.accounted_bytes,
            "registered": store.registered,
            "connections": len(state.sessions),
        },
        status=503 if state.shutting_down else 200,
    )


async def _expire_forever(state: RelayState) -> None:
    while True:
        await asyncio.sleep(state.config.expiry_interval_seconds)
        state.refusals.roll()
        while True:
            expired = state.store.expire(EXPIRY_BATCH)
            if expired:
                logger.info("expired %d blobs", expired)
            if expired < EXPIRY_BATCH:
                break
            await asyncio.sleep(0)


async def _background(app: web.Application) -> AsyncIterator[None]:
    state = app[STATE]
    expiry = asyncio.create_task(_expire_forever(state))
    yield
    for task in (expiry, *state.tasks):
        task.cancel()
    await asyncio.gather(expiry, *state.tasks, return_exceptions=True)
    state.refusals.flush()


async def _close_sockets(app: web.Application) -> None:
    """Shutdown: refuse new requests, tell every WebSocket ERROR(SHUTTING_DOWN), close it."""
    state = app[STATE]
    state.shutting_down = True
    sessions = list(state.sessions)
    if sessions:
        logger.info("closing %d connections", len(sessions))
    await asyncio.gather(
        *(s.fail(ErrorCode.SHUTTING_DOWN, "the relay is restarting") for s in sessions),
        return_exceptions=True,
    )


def create_app(
    config: RelayConfig,
    clock: Callable[[], float],
    *,
    random: Callable[[int], bytes] = os.urandom,
) -> web.Application:
    """The relay as an aiohttp application; ``clock`` is monotonic seconds (TTL, rate limits,
    uptime), ``random`` gives challenge nonces."""
    _filter_aiohttp_logs()
    app = web.Application(client_max_size=MAX_BATCH_BYTES, middlewares=[_json_errors])
    app[STATE] = RelayState(config, clock, random)
    add = app.router
    add.add_post(SINGLE_DEPOSIT_ROUTE, deposit_one, expect_handler=expect_continue)
    add.add_post(DEPOSIT_PATH, deposit_batch, expect_handler=expect_continue)
    # Relay protocol version 1 deposits (no capability): 400 unsupported_version.
    add.add_post(LEGACY_SINGLE_DEPOSIT_ROUTE, legacy_deposit, expect_handler=expect_continue)
    add.add_post(LEGACY_DEPOSIT_PATH, legacy_deposit, expect_handler=expect_continue)
    add.add_get(SUBSCRIBE_PATH, subscribe, expect_handler=expect_continue)
    # Version 3 (§18): the mailbox in every path (a proxy routes on it); deposit channels.
    add.add_get(MAILBOX_SUBSCRIBE_ROUTE, subscribe, expect_handler=expect_continue)
    add.add_get(DEPOSIT_CHANNEL_ROUTE, deposit_channel, expect_handler=expect_continue)
    add.add_get(HEALTH_PATH, _health, expect_handler=expect_continue)
    rendezvous.install(app)  # phone pairing: POST /v1/rendezvous, GET /v1/rendezvous/{n}
    add.add_route("*", "/{tail:.*}", _elsewhere, name=_ELSEWHERE, expect_handler=expect_continue)
    app.cleanup_ctx.append(_background)
    app.on_shutdown.append(_close_sockets)
    return app


def make_runner(app: web.Application, config: RelayConfig) -> web.AppRunner:
    """The runner ``run`` uses (also for tests): no access log, HTTP idle timeout, and a short
    lingering time so a refused slow body does not hold its connection for long."""
    return web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        keepalive_timeout=config.http_idle_seconds,
        lingering_time=LINGERING_TIME,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
    )


def _url(address: object) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = str(address[0]), int(address[1])
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    return f"http://{address}"


async def serve(listen: str, config: RelayConfig) -> int:
    host, port = split_listen(listen)
    runner = make_runner(create_app(config, time.monotonic), config)
    await runner.setup()
    # reuse_address left to asyncio: on POSIX, on (a restart binds again while old
    # connections are in TIME_WAIT); on Windows, off: there it would let a second relay
    # bind the same port and take a share of the connections instead of being refused.
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        logger.error("cannot listen on %s: %s", listen, exc.strerror or exc)
        await runner.cleanup()
        return 1
    tune_collector()  # once set up: the application is frozen too
    for address in runner.addresses:
        print(f"relay listening on {_url(address)}", flush=True)
    logger.info("relay %s started", SOFTWARE_VERSION)
    stop = asyncio.Event()
    restore = on_stop_signals(asyncio.get_running_loop(), stop.set)
    try:
        await stop.wait()
    finally:
        restore()
        state = runner.app[STATE]
        logger.info(
            "relay stopping; %d blobs in memory are dropped (their senders still hold them)",
            state.store.blobs,
        )
        await runner.cleanup()
    logger.info("relay stopped")
    return 0


def on_stop_signals(
    loop: asyncio.AbstractEventLoop, stop: Callable[[], None]
) -> Callable[[], None]:
    """Calls ``stop`` on SIGINT and SIGTERM (POSIX) or SIGINT and SIGBREAK (Windows: Ctrl-C,
    Ctrl-Break; its proactor loop has no ``add_signal_handler``); returns what undoes it.
    The node's node/system.py does the same: the relay imports nothing of the node but its
    protocol (docs/architecture.md)."""
    if sys.platform == "win32":
        signums = (signal.SIGINT, signal.SIGBREAK)

        def handler(signum: int, frame: object) -> None:
            del signum, frame
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(stop)

        previous = {signum: signal.signal(signum, handler) for signum in signums}

        def restore_handlers() -> None:
            for signum, old in previous.items():
                signal.signal(signum, old)

        return restore_handlers
    else:  # an else, not code after the return: mypy --platform win32 would skip it
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop)

        def remove_handlers() -> None:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)

        return remove_handlers


def run(listen: str, config: RelayConfig) -> int:
    """Serves on ``listen`` (HOST:PORT, port 0 picks one) until SIGINT or SIGTERM (SIGINT or
    SIGBREAK on Windows).

    Prints ``relay listening on http://HOST:PORT`` on stdout once bound. Returns 0 after a
    clean shutdown, 1 when the address cannot be bound; raises ConfigError for a malformed
    ``listen``."""
    split_listen(listen)
    config = fit_file_limit(config)
    tune_allocator()
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(listen, config))
    return 0


_M_TRIM_THRESHOLD: Final = -1  # glibc mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD: Final = -3


def tune_allocator() -> None:
    """asyncio reads every socket into a fresh 256 KiB bytes object and shrinks it to what
    arrived. With glibc's dynamic mmap threshold that is an mmap, mremap and munmap per read
    (the shrunk chunk, freed, keeps the threshold low): half the relay's CPU per message at
    one message in flight per pair (bench.relay, issue 13). A fixed 1 MiB threshold keeps
    those buffers on the heap; a 32 MiB trim threshold stops returning the heap's top to the
    system after each read. Nothing happens on another C library."""
    if platform.libc_ver()[0] != "glibc":
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - a static or unusual libc
        return
    mallopt(_M_MMAP_THRESHOLD, 1 << 20)
    mallopt(_M_TRIM_THRESHOLD, 32 << 20)


# The cyclic garbage collector's first threshold (CPython's default: 700). See tune_collector.
GC_THRESHOLD: Final = 10_000


def tune_collector() -> None:
    """With a thousand connections, what is alive at one moment (frames, futures, handles of
    the messages in flight) rises and falls by more than CPython's default 700 objects: each
    rise started a collection that found nothing to free and moved the survivors on, until a
    full pass over every connection's objects (about 190,000). At 1,000 pairs x 1 in flight
    that was 18 us of CPU per message, about a fifth of the relay's (bench.relay, issue 13).
    A first threshold of 10,000 keeps collections for real garbage (reference cycles, freed
    as before, just in larger batches); what exists once the relay is set up (modules,
    functions, the application) is frozen out of every pass."""
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, second, third)


# Descriptors beyond the subscribers': listening sockets, deposits in progress, logs.
FILE_MARGIN: Final = 512


def fit_file_limit(config: RelayConfig) -> RelayConfig:
    """Each subscriber holds a socket: raises the soft open-file limit to cover
    ``max_connections``, or, when the hard limit forbids it, lowers ``max_connections`` (with
    a warning) so that the relay refuses extra subscribers cleanly (``too_many_connections``)
    instead of failing on "too many open files". Windows has no such limit: nothing to do."""
    if sys.platform == "win32":
        return config
    else:  # an else, not code after the return: mypy --platform win32 skips it then
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = config.max_connections + FILE_MARGIN
        if soft != resource.RLIM_INFINITY and soft < wanted:
            soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        if soft == resource.RLIM_INFINITY or soft >= wanted:
            return config
        allowed = max(1, soft - FILE_MARGIN)
        logger.warning(
            "the open-file limit (%d) allows %d connections, not %d: max_connections lowered"
            " (raise it with ulimit -n or LimitNOFILE=)",
            soft,
            allowed,
            config.max_connections,
        )
        return dataclasses.replace(config, max_connections=allowed)
