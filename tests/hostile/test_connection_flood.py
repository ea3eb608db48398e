"""Strangers holding connections (issue #12, item 2): a node whose open-file limit is lowered
to 256 (as a systemd service gets 1,024) is flooded with idle TCP connections from nine
stranger addresses on loopback (127.0.0.2 to 127.0.0.10: Linux routes all of 127.0.0.0/8),
more connections than its limit, kept up as fast as the node closes them. A paired contact
(127.0.0.1) still delivers a message, the local API still answers, idle and trickling
connections are closed at their deadline, and node.log stays small.

Every wait is a wait on a condition with a generous bound; the figures are printed
(``pytest -s``) for the issue's closing note.
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Final

import pytest

from tests.integration.nodes import FAST_ENV, START_SECONDS, Node, outbox_empty, pair, wait_for

pytestmark = pytest.mark.integration

FILE_LIMIT: Final = 256
PEER_MAX_CONNECTIONS: Final = 64
PER_SOURCE: Final = 16
API_MAX_CONNECTIONS: Final = 32
HEADER_TIMEOUT: Final = 2.0
IDLE_TIMEOUT: Final = 3.0
STRANGERS: Final = tuple(f"127.0.0.{n}" for n in range(2, 11))
# Connections each stranger address tries to keep open: 9 x 40 = 360, over the file limit.
PER_STRANGER: Final = 40
LOG_BOUND: Final = 32 * 1024  # node.log after the whole scenario, start-up lines included
SLACK: Final = 10.0  # how late a deadline may fire on a loaded machine
# Bound on each wait for a condition (it ends as soon as the condition holds): generous, for
# the suite must pass on a loaded machine (make test-faults-loaded).
WAIT_SECONDS: Final = 120.0


class LimitedNode(Node):
    """A `releve node` process started with RLIMIT_NOFILE lowered (soft and hard), so that it
    cannot raise it: what a service with a low LimitNOFILE= gets."""

    def __init__(self, home: Path, name: str, role: str, file_limit: int) -> None:
        super().__init__(home, name, role)
        self.file_limit = file_limit

    def start(self, *extra: str, wait: bool = True, listen: bool = True) -> None:
        assert listen
        limit = self.file_limit

        def lower_limit() -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

        where = ["--listen", f"127.0.0.1:{self.port or 0}"]
        self.api_info.unlink(missing_ok=True)
        with open(self.stderr_path, "ab") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "clients.cli", "--home", str(self.home), "node", *where],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env={**os.environ, **FAST_ENV},
                preexec_fn=lower_limit,
            )
        wait_for(self._ready, START_SECONDS, f"{self.name} to start")
        if self.port is None:
            self.port = int(self.status()["peer_endpoints"][0].rsplit(":", 1)[1])

    def open_files(self) -> int:
        assert self.process is not None
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    @property
    def log(self) -> Path:
        return self.home / "node.log"


def limits_toml(**extra: float) -> str:
    values = {
        "peer_max_connections": PEER_MAX_CONNECTIONS,
        "peer_connections_per_source": PER_SOURCE,
        "api_max_connections": API_MAX_CONNECTIONS,
        "header_timeout_seconds": HEADER_TIMEOUT,
        "idle_timeout_seconds": IDLE_TIMEOUT,
        **extra,
    }
    return "\n[limits]\n" + "".join(f"{key} = {value}\n" for key, value in values.items())


@pytest.fixture
def paired(tmp_path: Path) -> Iterator[tuple[Node, LimitedNode]]:
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = LimitedNode(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist", FILE_LIMIT)
    try:
        gp.init()
        pharmacy.init()
        with open(pharmacy.home / "config.toml", "a", encoding="utf-8") as config:
            config.write(limits_toml())
        gp.start()
        pharmacy.start()
        pair(gp, pharmacy)
        for node in (gp, pharmacy):
            wait_for(partial(outbox_empty, node), WAIT_SECONDS, "a settled pairing")
        yield gp, pharmacy
    finally:
        for node in (gp, pharmacy):
            if node.process is not None:
                node.kill()


# --- the strangers ----------------------------------------------------------------------------


@dataclass
class Flood:
    """Idle connections from stranger addresses, each reopened as soon as the node closes it,
    run on an event loop of their own in a thread while the test drives the nodes."""

    port: int
    sources: tuple[str, ...]
    per_source: int
    opened: int = 0
    unconnected: int = 0
    refused: int = 0  # reset by the node (at once, evicted, or at its header deadline)
    expired: int = 0  # closed by the node with a FIN
    longest_held: float = 0.0  # the longest a connection stayed open
    held_now: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def closed(self) -> int:
        return self.refused + self.expired

    def start(self) -> None:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(60)
        assert not self._thread.is_alive()

    async def _run(self) -> None:
        await asyncio.gather(
            *(self._hold(source) for source in self.sources for _ in range(self.per_source))
        )

    async def _hold(self, source: str) -> None:
        while not self._stop.is_set():
            try:
                reader, writer = await asyncio.open_connection(
                    "127.0.0.1", self.port, local_addr=(source, 0)
                )
            except OSError:  # the node's backlog is full, or it reset the handshake
                self.unconnected += 1
                await asyncio.sleep(0.05)
                continue
            self.opened += 1
            self.held_now += 1
            since = time.monotonic()
            try:
                while not self._stop.is_set():
                    try:
                        async with asyncio.timeout(0.2):
                            data = await reader.read(1)
                    except TimeoutError:
                        continue
                    if not data:  # the node closed it (a FIN)
                        self.expired += 1
                    break
            except ConnectionError:  # a reset: refused, evicted, or at its deadline
                self.refused += 1
                await asyncio.sleep(0.05)
            finally:
                self.longest_held = max(self.longest_held, time.monotonic() - since)
                self.held_now -= 1
                writer.close()
                try:
                    await writer.wait_closed()
                except ConnectionError:
                    pass


def timed(action: Callable[[], object]) -> float:
    start = time.monotonic()
    action()
    return time.monotonic() - start


def test_idle_connections_cannot_freeze_a_node(paired: tuple[Node, LimitedNode]) -> None:
    gp, pharmacy = paired
    assert pharmacy.port is not None
    assert pharmacy.process is not None
    limit = resource.prlimit(pharmacy.process.pid, resource.RLIMIT_NOFILE)
    assert limit == (FILE_LIMIT, FILE_LIMIT)
    baseline = pharmacy.open_files()

    flood = Flood(pharmacy.port, STRANGERS, PER_STRANGER)
    flood.start()
    try:
        # The node holds its whole budget of stranger connections (and no more).
        wait_for(
            lambda: pharmacy.open_files() >= baseline + PEER_MAX_CONNECTIONS - 4,
            WAIT_SECONDS,
            "the strangers to take the peer endpoint's connections",
        )
        # More connections than the node could ever hold at once, most of them reset.
        wait_for(lambda: flood.opened > 2 * FILE_LIMIT, WAIT_SECONDS, "the strangers' connections")
        wait_for(lambda: flood.refused > FILE_LIMIT, WAIT_SECONDS, "connections refused")
        # The local API answers, and a contact's message gets through.
        api_seconds = timed(pharmacy.status)
        text = "pendant l'inondation"
        start = time.monotonic()
        gp.send("Pharmacie du Port", text)
        wait_for(
            lambda: text in [m["text"] for m in pharmacy.received()],
            WAIT_SECONDS,
            "the contact's message",
        )
        delivery_seconds = time.monotonic() - start
        peak_files = pharmacy.open_files()
        assert flood.held_now >= PEER_MAX_CONNECTIONS // 2, "the flood must still be on"
    finally:
        flood.stop()
    print(
        f"\nflood: {flood.opened} stranger connections opened from {len(STRANGERS)} addresses"
        f" ({flood.unconnected} more attempts failed to connect), {flood.refused} reset,"
        f" {flood.expired} closed (longest held"
        f" {flood.longest_held:.1f} s); node files at the end {peak_files} of {FILE_LIMIT}"
        f" (baseline {baseline}); local API answered in {api_seconds:.2f} s; the contact's"
        f" message arrived in {delivery_seconds:.2f} s"
    )
    assert peak_files < FILE_LIMIT - 32
    assert flood.longest_held < HEADER_TIMEOUT + SLACK
    wait_for(
        lambda: pharmacy.open_files() <= baseline + 4, WAIT_SECONDS, "the strangers' files closed"
    )

    deadlines = asyncio.run(deadlines_of(pharmacy.port))
    print(f"deadlines: {', '.join(f'{k} closed after {v:.2f} s' for k, v in deadlines.items())}")
    assert HEADER_TIMEOUT - 0.5 < deadlines["silent"] < HEADER_TIMEOUT + SLACK
    assert HEADER_TIMEOUT - 0.5 < deadlines["trickling"] < HEADER_TIMEOUT + SLACK
    assert IDLE_TIMEOUT - 0.5 < deadlines["idle after a request"] < IDLE_TIMEOUT + SLACK

    assert pharmacy.process.poll() is None
    pharmacy.stop()
    log = pharmacy.log.read_text()
    print(f"node.log: {len(log.encode())} bytes, {log.count(chr(10))} lines")
    assert len(log.encode()) < LOG_BOUND
    assert "Traceback" not in log
    assert "out of system resource" not in log
    assert "refused connection from 127.0.0." in log
    assert "lowered" not in log  # the configured budgets fit the limit
    assert re.search(r"refusals not logged individually: .*too_many_", log), log[-2000:]


async def deadlines_of(port: int) -> dict[str, float]:
    """How long the node keeps a connection that sends nothing, one that trickles its
    request head a byte at a time, and a keep-alive connection idle after a request."""

    async def silent() -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return await closed_after(reader, writer, time.monotonic())

    async def trickling() -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        start = time.monotonic()

        async def drip() -> None:
            for byte in b"POST /v1/packet HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10_000:
                writer.write(bytes([byte]))
                await asyncio.sleep(0.1)

        dripping = asyncio.create_task(drip())
        try:
            return await closed_after(reader, writer, start)
        finally:
            dripping.cancel()

    async def idle_after_request() -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        assert head.startswith(b"HTTP/1.1 404"), head
        length = int(re.search(rb"Content-Length: (\d+)", head, re.IGNORECASE)[1])  # type: ignore[index]
        await asyncio.wait_for(reader.readexactly(length), 30)
        return await closed_after(reader, writer, time.monotonic())

    results = await asyncio.gather(silent(), trickling(), idle_after_request())
    return dict(zip(("silent", "trickling", "idle after a request"), results, strict=True))


async def closed_after(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, start: float
) -> float:
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while await reader.read(65536):
                pass
    except ConnectionError:
        pass
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass
    return time.monotonic() - start


def test_running_out_of_files_is_logged_once_and_the_node_recovers(
    paired: tuple[Node, LimitedNode],
) -> None:
    """The worst case the budgets prevent, forced: the node's limit lowered under it while it
    runs, so that accept() fails (EMFILE). asyncio would log a traceback per attempt; the
    node logs one line, and recovers once the strangers' connections reach their deadline."""
    gp, pharmacy = paired
    assert pharmacy.port is not None
    assert pharmacy.process is not None
    spare = 12
    room = pharmacy.open_files() + spare
    resource.prlimit(pharmacy.process.pid, resource.RLIMIT_NOFILE, (room, FILE_LIMIT))
    size_before = pharmacy.log.stat().st_size
    flood = Flood(pharmacy.port, STRANGERS[:2], PER_SOURCE)
    flood.start()
    try:
        wait_for(
            lambda: "cannot accept connections" in pharmacy.log.read_text(),
            WAIT_SECONDS,
            "the node to run out of files",
        )
        # Two rounds of the strangers' deadlines: accept() fails again and again meanwhile
        # (asyncio retries it every second).
        closed = flood.closed
        wait_for(
            lambda: flood.closed >= closed + 2 * spare, WAIT_SECONDS, "the strangers to hold on"
        )
    finally:
        flood.stop()
    # The strangers gone, the node answers again under the same limit: its API, and a
    # contact's message.
    wait_for(
        lambda: pharmacy.status()["name"] == "Pharmacie du Port", WAIT_SECONDS, "the local API"
    )
    text = "après la panne de fichiers"
    gp.send("Pharmacie du Port", text)
    wait_for(lambda: text in [m["text"] for m in pharmacy.received()], WAIT_SECONDS, "the message")
    pharmacy.process.send_signal(signal.SIGINT)
    pharmacy.process.wait(30)
    pharmacy.process = None
    log = pharmacy.log.read_text()
    grown = pharmacy.log.stat().st_size - size_before
    summary = re.search(r"accept failures not logged individually: (\d+) accept_failed", log)
    print(f"\nout of files: node.log grew {grown} bytes; {summary and summary[0]}")
    assert log.count("cannot accept connections") == 1
    assert summary is not None, log[-2000:]
    assert int(summary[1]) >= 1
    assert "Traceback" not in log
    assert "out of system resource" not in log
    assert grown < 8 * 1024
