"""A small TCP proxy that makes a network bad on purpose (toxiproxy-style, our own).

One :class:`ChaosProxy` listens on one address and forwards each connection to one target.
Its :class:`Toxics` apply to both directions (or one, ``only``) and can be changed while it
runs, open connections included:

- latency and jitter: each chunk is held ``latency +/- jitter`` seconds (uniform), without
  reordering (a chunk never overtakes the previous one, as on a real TCP path);
- slicing: chunks are written in pieces of at most ``slice_bytes``, ``slice_delay`` apart;
- stalls: after every ``stall_every`` bytes (counted at piece boundaries) a direction stops
  for ``stall_seconds``;
- resets: a connection chosen with ``reset_probability`` is cut with a TCP RST once a random
  number of bytes (``reset_after``, both directions counted) went through, usually in the
  middle of a chunk, so mid-frame; at most ``max_resets`` times in the proxy's life, so that
  a test converges once the budget is spent.

Bounded: at most ``max_connections`` at once (more are closed at once), at most
``QUEUE_CHUNKS`` chunks of ``CHUNK_BYTES`` held per direction (the reader waits beyond), and
the proxy stops by itself after ``lifetime`` seconds. :class:`ProxyThread` runs proxies on an
event loop of their own in a thread (optionally inside a network namespace), for tests that
drive real processes with blocking calls.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import fcntl
import random
import socket
import struct
import termios
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

CHUNK_BYTES: Final = 16 * 1024
QUEUE_CHUNKS: Final = 64
CONNECT_SECONDS: Final = 5.0
_EOF: Final = b""

T = TypeVar("T")


@dataclass(frozen=True)
class Toxics:
    latency: float = 0.0
    jitter: float = 0.0
    slice_bytes: int = 0  # 0: write each chunk as it was read
    slice_delay: float = 0.0
    stall_every: int = 0  # 0: never stall
    stall_seconds: float = 0.0
    reset_after: tuple[int, int] | None = None  # bytes (inclusive range) before the RST
    reset_probability: float = 1.0
    max_resets: int = 0
    only: str | None = None  # "up" (client -> target) or "down": the other direction is clean

    def applies(self, *, up: bool) -> bool:
        return self.only is None or self.only == ("up" if up else "down")

    def __post_init__(self) -> None:
        if min(self.latency, self.slice_delay, self.stall_seconds) < 0:
            raise ValueError("durations must not be negative")
        if not 0 <= self.jitter <= self.latency:
            raise ValueError("jitter must be between 0 and the latency")
        if self.slice_bytes < 0 or self.stall_every < 0 or self.max_resets < 0:
            raise ValueError("sizes and counts must not be negative")
        if self.reset_after is not None and not 1 <= self.reset_after[0] <= self.reset_after[1]:
            raise ValueError("reset_after must be an increasing range of positive sizes")
        if not 0.0 <= self.reset_probability <= 1.0:
            raise ValueError("reset_probability must be a probability")
        if self.only not in (None, "up", "down"):
            raise ValueError("only must be None, 'up' or 'down'")


@dataclass
class ProxyStats:
    accepted: int = 0
    refused: int = 0  # over max_connections, or the target did not answer
    resets: int = 0
    resets_mid_chunk: int = 0  # the RST fell strictly inside a chunk a peer had written
    stalls: int = 0
    bytes_up: int = 0  # client -> target
    bytes_down: int = 0  # target -> client
    max_queued_chunks: int = 0
    cut_points: list[int] = field(default_factory=list)  # bytes through when each RST fell
    # The latency drawn for each chunk read (data, not the end of a stream), per direction, in
    # order: what the proxy holds it for at least. Tests check these rather than wall-clock
    # upper bounds, which a loaded machine would exceed (it schedules late, never early).
    delays_up: list[float] = field(default_factory=list)
    delays_down: list[float] = field(default_factory=list)


_CLEAN: Final = Toxics()


class _Reset(Exception):
    """This connection's reset budget is spent: cut it."""


class _Connection:
    """Two directions, each a reader task and a sender task joined by a bounded queue."""

    def __init__(
        self,
        proxy: ChaosProxy,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        target: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    ) -> None:
        self.proxy = proxy
        self.client = client
        self.target = target
        # Where this connection's RST falls (bytes through), planned for the toxics in force;
        # planned again when they change, so that new toxics reach open connections too.
        self.reset_at: int | None = None
        self.planned_for: Toxics | None = None
        self.through = 0  # bytes forwarded, both directions
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        for (reader, _), (_, writer), up in (
            (self.client, self.target, True),
            (self.target, self.client, False),
        ):
            queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(QUEUE_CHUNKS)
            self.tasks.add(asyncio.create_task(self._read(reader, queue, up=up)))
            self.tasks.add(asyncio.create_task(self._send(queue, writer, up=up)))
        try:
            done, _ = await asyncio.wait(self.tasks, return_when=asyncio.FIRST_EXCEPTION)
            errors = [t.exception() for t in done if not t.cancelled() and t.exception()]
            self._abort(rst=any(isinstance(error, _Reset) for error in errors))
        finally:
            self.close()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            self._abort(rst=False)

    def close(self) -> None:
        """Ends both directions now (the accepting task then returns by itself: cancelling
        it would make Python 3.11's streams log a spurious error)."""
        for task in self.tasks:
            task.cancel()

    def _abort(self, *, rst: bool) -> None:
        for _, writer in (self.client, self.target):
            if rst:
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    with contextlib.suppress(OSError):
                        linger = struct.pack("ii", 1, 0)  # close() then sends an RST
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            writer.transport.abort()

    async def _read(
        self, reader: asyncio.StreamReader, queue: asyncio.Queue[tuple[float, bytes]], *, up: bool
    ) -> None:
        loop = asyncio.get_running_loop()
        last_due = 0.0
        while True:
            try:
                chunk = await reader.read(CHUNK_BYTES)
            except OSError:
                chunk = _EOF
            toxics = self._toxics(up=up)
            delay = toxics.latency + self.proxy.rng.uniform(-toxics.jitter, toxics.jitter)
            if chunk:
                stats = self.proxy.stats
                (stats.delays_up if up else stats.delays_down).append(delay)
            last_due = max(last_due, loop.time() + delay)  # never overtake the previous chunk
            await queue.put((last_due, chunk))
            stats = self.proxy.stats
            stats.max_queued_chunks = max(stats.max_queued_chunks, queue.qsize())
            if not chunk:
                return

    async def _send(
        self, queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter, *, up: bool
    ) -> None:
        loop = asyncio.get_running_loop()
        since_stall = 0
        while True:
            due, chunk = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not chunk:
                if writer.can_write_eof() and not writer.transport.is_closing():
                    with contextlib.suppress(OSError):
                        writer.write_eof()
                return
            toxics = self._toxics(up=up)
            size = toxics.slice_bytes or len(chunk)
            for start in range(0, len(chunk), size):
                part = chunk[start : start + size]
                cut = self._cut(len(part)) if self.proxy.toxics.applies(up=up) else None
                writer.write(part if cut is None else part[:cut])
                await writer.drain()
                self._count(len(part) if cut is None else cut, up=up)
                if cut is not None:
                    if 0 < start + cut < len(chunk):
                        self.proxy.stats.resets_mid_chunk += 1
                    await _flushed(writer)
                    raise _Reset
                since_stall += len(part)
                if toxics.stall_every and since_stall >= toxics.stall_every:
                    since_stall = 0
                    self.proxy.stats.stalls += 1
                    await asyncio.sleep(toxics.stall_seconds)
                if toxics.slice_delay and start + size < len(chunk):
                    await asyncio.sleep(toxics.slice_delay)

    def _toxics(self, *, up: bool) -> Toxics:
        toxics = self.proxy.toxics
        return toxics if toxics.applies(up=up) else _CLEAN

    def _cut(self, size: int) -> int | None:
        """How many of the next ``size`` bytes go out before the RST; None: no RST now."""
        toxics = self.proxy.toxics
        if toxics is not self.planned_for:
            self.planned_for = toxics
            budget = self.proxy.plan_reset()
            self.reset_at = None if budget is None else self.through + budget
        reset_at = self.reset_at
        if reset_at is None or self.through + size < reset_at:
            return None
        stats = self.proxy.stats
        self.reset_at, cut = None, reset_at - self.through
        if stats.resets >= self.proxy.toxics.max_resets:
            return None  # the budget went to other connections meanwhile
        stats.resets += 1
        stats.cut_points.append(self.through + cut)
        return cut

    def _count(self, size: int, *, up: bool) -> None:
        self.through += size
        if up:
            self.proxy.stats.bytes_up += size
        else:
            self.proxy.stats.bytes_down += size


async def _flushed(writer: asyncio.StreamWriter) -> None:
    """Waits (briefly) until the kernel sent what we wrote: an RST discards unsent data, and
    the peer must see the partial frame before the reset."""
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    for _ in range(100):
        try:
            unsent = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
        except OSError:
            return
        if unsent == 0:
            return
        await asyncio.sleep(0.01)


class ChaosProxy:
    """Forwards ``listen`` to ``target`` through the current :attr:`toxics`."""

    def __init__(
        self,
        target: tuple[str, int],
        *,
        listen: tuple[str, int] = ("127.0.0.1", 0),
        toxics: Toxics | None = None,
        lifetime: float = 300.0,
        max_connections: int = 256,
        seed: int | None = None,
    ) -> None:
        self.target = target
        self.listen = listen
        self.toxics = toxics or Toxics()
        self.lifetime = lifetime
        self.max_connections = max_connections
        self.seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
        self.rng = random.Random(self.seed)
        self.stats = ProxyStats()
        self.address: tuple[str, int] | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()  # accepting tasks
        self._open: set[_Connection] = set()
        self._expiry: asyncio.TimerHandle | None = None
        self._stopper: asyncio.Task[None] | None = None
        self.stopped = asyncio.Event()

    async def start(self) -> tuple[str, int]:
        self._server = await asyncio.start_server(
            self._accept, self.listen[0], self.listen[1], reuse_address=True
        )
        host, port = self._server.sockets[0].getsockname()[:2]
        self.address = (str(host), int(port))
        loop = asyncio.get_running_loop()
        self._expiry = loop.call_later(self.lifetime, self._expire)
        return self.address

    def _expire(self) -> None:
        self._stopper = asyncio.get_running_loop().create_task(self.stop())

    async def stop(self) -> None:
        """Closes the listener and every connection; idempotent."""
        if self._expiry is not None:
            self._expiry.cancel()
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self._open):
            connection.close()
        if self._connections:
            await asyncio.wait(set(self._connections), timeout=CONNECT_SECONDS + 1)
        self.stopped.set()

    async def __aenter__(self) -> ChaosProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def plan_reset(self) -> int | None:
        """Bytes a connection may carry before its RST, or None for no RST."""
        toxics = self.toxics
        if toxics.reset_after is None or self.stats.resets >= toxics.max_resets:
            return None
        if self.rng.random() >= toxics.reset_probability:
            return None
        return self.rng.randint(*toxics.reset_after)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if self._server is None or len(self._connections) >= self.max_connections:
            self.stats.refused += 1
            writer.transport.abort()
            return
        self._connections.add(task)
        try:
            try:
                async with asyncio.timeout(CONNECT_SECONDS):
                    target = await asyncio.open_connection(*self.target)
            except (OSError, TimeoutError):
                self.stats.refused += 1
                writer.transport.abort()
                return
            self.stats.accepted += 1
            connection = _Connection(self, (reader, writer), target)
            self._open.add(connection)
            try:
                await connection.run()
            finally:
                self._open.discard(connection)
        finally:
            self._connections.discard(task)


class ProxyThread:
    """An event loop in a thread of its own for proxies used by blocking test code.

    ``enter`` runs first in that thread (e.g. to join a network namespace: sockets made
    afterwards in the thread live there). Stop it with :meth:`close` (or ``with``)."""

    def __init__(self, enter: Callable[[], None] | None = None, name: str = "chaos-proxy") -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = concurrent.futures.Future[None]()
        self._enter = enter
        self._proxies: list[ChaosProxy] = []
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()
        self._ready.result(timeout=10)

    def _main(self) -> None:
        try:
            if self._enter is not None:
                self._enter()
        except BaseException as exc:
            self._ready.set_exception(exc)
            self._loop.close()
            return
        asyncio.set_event_loop(self._loop)
        self._ready.set_result(None)
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def start(self, proxy: ChaosProxy) -> ChaosProxy:
        self.run(proxy.start())
        self._proxies.append(proxy)
        return proxy

    def set_toxics(self, proxy: ChaosProxy, toxics: Toxics) -> None:
        self._loop.call_soon_threadsafe(setattr, proxy, "toxics", toxics)

    def stats(self, proxy: ChaosProxy) -> ProxyStats:
        async def copy() -> ProxyStats:
            stats = proxy.stats
            lists = {
                name: list(value)
                for name, value in stats.__dict__.items()
                if isinstance(value, list)
            }
            return ProxyStats(**{**stats.__dict__, **lists})

        return self.run(copy())

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            for proxy in self._proxies:
                self.run(proxy.stop(), timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> ProxyThread:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
