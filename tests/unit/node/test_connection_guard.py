"""The node's defences below and around HTTP (node/edges/http_hardening.py, node/daemon.py,
the local API's body parsing): connection caps per source and in total, header and idle
deadlines, the open-file limit, asyncio's accept errors, and hostile JSON bodies. Real
sockets on loopback (127.0.0.2, 127.0.0.3... are other sources), short deadlines."""

from __future__ import annotations

import asyncio
import errno
import logging
import resource
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from node import daemon
from node.config import load
from node.core.config import NodeConfig
from node.core.errors import Invalid, SetupError
from node.edges.api.server import MAX_JSON_DEPTH, LocalApi, _token_of, parse_json
from node.edges.connections import (
    ACCEPT_FAILED,
    AcceptErrorLogs,
    ConnectionGuard,
    ConnectionLimits,
    GuardedSite,
)
from node.paths import HomeLayout
from node.protocol.admission import RefusalLog

HEADER_TIMEOUT = 0.3
IDLE_TIMEOUT = 0.6
BOUND = 10.0  # a generous bound on every wait (a loaded machine)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class Served:
    port: int
    guard: ConnectionGuard
    release: asyncio.Event
    log: Records


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="done")

    async def fine(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/slow", slow)
    app.router.add_get("/", fine)
    # aiohttp's own idle bound far away: the guard's deadlines are the ones tested.
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=3600)
    await runner.setup()
    logger = logging.getLogger("tests.connection_guard")
    records = Records()
    logger.addHandler(records)
    limits = ConnectionLimits(4, 2, HEADER_TIMEOUT, IDLE_TIMEOUT)
    guard = ConnectionGuard(limits, RefusalLog(logger, time.monotonic))
    site = GuardedSite(runner, "127.0.0.1", 0, guard)
    await site.start()
    try:
        yield Served(site.port, guard, release, records)
    finally:
        release.set()
        await runner.cleanup()
        logger.removeHandler(records)


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def connect(port: int, source: str) -> Connection:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def fate(connection: Connection, within: float = BOUND) -> str:
    """How the server ends the connection: "reset", "closed" (a FIN), or "open"."""
    reader, writer = connection
    try:
        async with asyncio.timeout(within):
            while await reader.read(65536):
                pass
        return "closed"
    except ConnectionResetError:
        return "reset"
    except TimeoutError:
        return "open"
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass


async def until(predicate: Any, what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_one_source_gets_its_share_and_no_more(served: Served) -> None:
    first = await connect(served.port, "127.0.0.2")
    second = await connect(served.port, "127.0.0.2")
    await until(lambda: served.guard.connections == 2, "two connections")
    third = await connect(served.port, "127.0.0.2")
    assert await fate(third) == "reset"
    assert "refused connection from 127.0.0.2: too_many_from_source" in served.log.lines
    other = await connect(served.port, "127.0.0.3")  # another source still gets in
    await until(lambda: served.guard.connections == 3, "another source's connection")
    for connection in (first, second, other):
        connection[1].close()
    await until(lambda: served.guard.connections == 0, "the connections released")


async def test_a_full_server_makes_room_for_a_source_holding_less(served: Served) -> None:
    held = [await connect(served.port, source) for source in ("127.0.0.2",) * 2]
    held += [await connect(served.port, source) for source in ("127.0.0.3",) * 2]
    await until(lambda: served.guard.connections == 4, "the total taken")
    newcomer = await connect(served.port, "127.0.0.4")
    # The oldest idle connection of a source holding most gave way to it.
    assert await fate(held[0]) == "reset"
    assert "refused connection from 127.0.0.2: evicted" in served.log.lines
    await until(lambda: served.guard.connections == 4, "the newcomer admitted")
    # A second one from the newcomer's source would take from a source holding as many:
    # refused instead (no two sources take turns).
    assert await fate(await connect(served.port, "127.0.0.4")) == "reset"
    assert "refused connection from 127.0.0.4: too_many_connections" in served.log.lines
    for connection in (*held[1:], newcomer):
        connection[1].close()


async def test_a_silent_or_trickling_connection_is_reset_at_the_header_deadline(
    served: Served,
) -> None:
    start = time.monotonic()
    silent = await connect(served.port, "127.0.0.2")
    trickling = await connect(served.port, "127.0.0.3")

    async def drip() -> None:
        for byte in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000:
            trickling[1].write(bytes([byte]))
            await asyncio.sleep(0.02)

    dripping = asyncio.create_task(drip())
    assert await fate(silent) == "reset"
    assert await fate(trickling) == "reset"
    dripping.cancel()
    assert time.monotonic() - start >= HEADER_TIMEOUT
    assert served.log.lines.count("refused connection from 127.0.0.2: header_timeout") == 1
    await until(lambda: served.guard.connections == 0, "the connections released")


async def test_an_idle_keep_alive_connection_is_closed_and_a_long_request_is_not(
    served: Served,
) -> None:
    reader, writer = await connect(served.port, "127.0.0.2")
    writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.sleep(HEADER_TIMEOUT + IDLE_TIMEOUT)  # longer than both deadlines
    served.release.set()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), BOUND)
    assert head.startswith(b"HTTP/1.1 200")
    await asyncio.wait_for(reader.readexactly(4), BOUND)  # "done"
    idle_from = time.monotonic()
    assert await fate((reader, writer)) == "closed"  # a FIN: an ordinary keep-alive end
    assert time.monotonic() - idle_from >= IDLE_TIMEOUT - 0.05
    assert not any("header_timeout" in line for line in served.log.lines)


# --- the open-file limit --------------------------------------------------------------------


class FakeLimits:
    def __init__(self, soft: int, hard: int) -> None:
        self.limits = (soft, hard)
        self.set: list[tuple[int, int]] = []

    def getrlimit(self, which: int) -> tuple[int, int]:
        return self.limits

    def setrlimit(self, which: int, limits: tuple[int, int]) -> None:
        if self.limits[1] != resource.RLIM_INFINITY and limits[0] > self.limits[1]:
            raise ValueError("over the hard limit")
        self.set.append(limits)
        self.limits = limits


@pytest.mark.parametrize(
    ("soft", "hard", "raised_to", "peers", "per_source"),
    [
        # systemd's default: the soft limit raised, the budgets kept.
        (1024, 524288, 4096, 512, 32),
        (1024, resource.RLIM_INFINITY, 4096, 512, 32),
        # A hard limit of 1,024 (LimitNOFILE=1024): the budgets fit as they are.
        (1024, 1024, None, 512, 32),
        # A hard limit of 256: the peer budget lowered so that the total stays below it.
        (256, 256, None, 256 - daemon.FILE_MARGIN - 64, 32),
        (200, 200, None, 8, 8),
    ],
)
def test_the_file_limit_is_raised_or_the_budgets_fit_in_it(
    monkeypatch: pytest.MonkeyPatch,
    soft: int,
    hard: int,
    raised_to: int | None,
    peers: int,
    per_source: int,
) -> None:
    fake = FakeLimits(soft, hard)
    monkeypatch.setattr(resource, "getrlimit", fake.getrlimit)
    monkeypatch.setattr(resource, "setrlimit", fake.setrlimit)
    fitted = daemon.fit_file_limit(NodeConfig())
    assert fake.set == ([] if raised_to is None else [(raised_to, hard)])
    assert (fitted.peer_max_connections, fitted.peer_connections_per_source) == (
        peers,
        per_source,
    )
    total = fitted.peer_max_connections + fitted.api_max_connections + daemon.FILE_MARGIN
    assert total <= fake.limits[0]


@pytest.mark.parametrize(
    ("soft", "hard", "raised_to", "peers"),
    [
        # The soft limit raised: both budgets kept.
        (1024, 524288, 4096, 512),
        # A hard limit of 1,024: the peer endpoint and the web client share what is left.
        (1024, 1024, None, (1024 - daemon.FILE_MARGIN - 64) // 2),
    ],
)
def test_a_clinic_servers_web_client_counts_in_the_file_budget(
    monkeypatch: pytest.MonkeyPatch, soft: int, hard: int, raised_to: int | None, peers: int
) -> None:
    """A clinic server's web client takes up to peer_max_connections (a practice's
    workstations, or everyone on a Remote Desktop server): it counts like the peer endpoint."""
    fake = FakeLimits(soft, hard)
    monkeypatch.setattr(resource, "getrlimit", fake.getrlimit)
    monkeypatch.setattr(resource, "setrlimit", fake.setrlimit)
    fitted = daemon.fit_file_limit(NodeConfig(clinic_server=True))
    assert fake.set == ([] if raised_to is None else [(raised_to, hard)])
    assert fitted.peer_max_connections == peers
    total = 2 * fitted.peer_max_connections + fitted.api_max_connections + daemon.FILE_MARGIN
    assert total <= fake.limits[0]


# --- accept errors --------------------------------------------------------------------------


def test_accept_failures_are_logged_once_a_window_without_traceback() -> None:
    """What asyncio does when accept() fails with EMFILE, 10,000 times: one line, then a
    count."""
    now = [0.0]
    logger = logging.getLogger("asyncio")
    records = Records()
    logger.addHandler(records)
    accept_filter = AcceptErrorLogs(lambda: now[0])
    logger.addFilter(accept_filter)
    loop = asyncio.new_event_loop()
    try:
        error = OSError(errno.EMFILE, "Too many open files")
        for _ in range(10_000):
            loop.call_exception_handler({"message": ACCEPT_FAILED, "exception": error})
        loop.call_exception_handler({"message": "something else"})
        now[0] += 61
        accept_filter.roll()
    finally:
        loop.close()
        logger.removeFilter(accept_filter)
        logger.removeHandler(records)
    assert records.lines == [
        "cannot accept connections (Too many open files): retrying every second; see LimitNOFILE=",
        "something else",
        "accept failures not logged individually: 9999 accept_failed",
    ]


def test_a_paused_accept_firing_on_a_closed_server_is_not_logged() -> None:
    """The node stops within a second of running out of files: asyncio's re-armed accept
    fires on the closed socket. Its traceback is dropped; other callbacks' are kept."""
    logger = logging.getLogger("asyncio")
    records = Records()
    logger.addHandler(records)
    accept_filter = AcceptErrorLogs(lambda: 0.0)
    logger.addFilter(accept_filter)
    loop = asyncio.new_event_loop()
    try:
        loop.call_exception_handler(
            {
                "message": "Exception in callback BaseSelectorEventLoop._start_serving(...)",
                "exception": ValueError("Invalid file descriptor: -1"),
            }
        )
        loop.call_exception_handler(
            {"message": "Exception in callback other()", "exception": ValueError("a bug")}
        )
    finally:
        loop.close()
        logger.removeFilter(accept_filter)
        logger.removeHandler(records)
    assert records.lines == ["Exception in callback other()"]


# --- hostile JSON bodies --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), "too_deep"),
        (b'{"a":' * 100_000, "too_deep"),
        (b"[" * 200_000, "too_deep"),
        (b'{"ttl_minutes": Infinity}', "non_finite_number"),
        (b'{"ttl_minutes": -Infinity}', "non_finite_number"),
        (b'{"ttl_minutes": NaN}', "non_finite_number"),
        (b'{"ttl_minutes": 1e999}', "non_finite_number"),
        (b'{"x": [1, 2, -1E400]}', "non_finite_number"),
        (b'{"x": 1' + b"0" * 5000 + b"}", "bad_request"),  # over Python's digit limit
        (b'"\xff"', "bad_request"),
        (b"{", "bad_request"),
    ],
)
def test_hostile_bodies_are_refused_with_a_reason(body: bytes, code: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_json(body)
    assert refused.value.code == code


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '"' + "[{" * 1000 + '\\"]' + '"'
    deep = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)  # in an object: 32 deep
    body = ('{"text": ' + text + ', "x": ' + deep + ', "n": 1.5e300}').encode()
    parsed = parse_json(body)
    assert parsed["text"].startswith("[{[{")
    assert parsed["n"] == 1.5e300


@pytest.mark.parametrize(
    "value", [float("inf"), float("-inf"), float("nan"), 1.5, True, "1e999", "inf", [], 10**30]
)
def test_whole_numbers_refuse_what_is_not_one(value: object) -> None:
    with pytest.raises(Invalid):
        LocalApi._int(value, "ttl_minutes", 1, 43200, 15)


@pytest.mark.parametrize(("value", "number"), [(None, 15), (20, 20), (20.0, 20), ("20", 20)])
def test_whole_numbers(value: object, number: int) -> None:
    assert LocalApi._int(value, "ttl_minutes", 1, 43200, 15) == number


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("BEARER  abc", "abc"),
        ("abc", "abc"),  # the bare token is accepted (docs/local-api.md)
        ("Basic abc", "Basic abc"),
        ("", ""),
    ],
)
def test_the_token_of_an_authorization_header(header: str, token: str) -> None:
    assert _token_of(header) == token


# --- settings ------------------------------------------------------------------------------


def test_the_connection_settings_come_from_the_file_and_the_environment(tmp_path: Path) -> None:
    layout = HomeLayout(tmp_path)
    layout.config.write_text(
        "[node]\nname = 'x'\n[limits]\npeer_max_connections = 100\n"
        "peer_connections_per_source = 5\nheader_timeout_seconds = 2.5\n",
        encoding="utf-8",
    )
    environ = {"RELEVE_API_MAX_CONNECTIONS": "9", "RELEVE_IDLE_TIMEOUT_SECONDS": "7"}
    config = load(layout, environ, {})
    assert (config.peer_max_connections, config.peer_connections_per_source) == (100, 5)
    assert (config.api_max_connections, config.header_timeout_seconds) == (9, 2.5)
    assert config.idle_timeout_seconds == 7.0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RELEVE_PEER_MAX_CONNECTIONS", "0"),
        ("RELEVE_PEER_CONNECTIONS_PER_SOURCE", "-1"),
        ("RELEVE_API_MAX_CONNECTIONS", "many"),
        ("RELEVE_HEADER_TIMEOUT_SECONDS", "inf"),
        ("RELEVE_IDLE_TIMEOUT_SECONDS", "nan"),
        ("RELEVE_IDLE_TIMEOUT_SECONDS", "0"),
    ],
)
def test_connection_settings_that_make_no_sense_are_refused(
    tmp_path: Path, variable: str, value: str
) -> None:
    with pytest.raises(SetupError) as refused:
        load(HomeLayout(tmp_path), {variable: value}, {})
    assert refused.value.code == "invalid_config"
