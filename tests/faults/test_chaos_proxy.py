"""Unit tests of the chaos proxy on loopback: each toxic does what it says, and no more."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.faults.chaos_proxy import QUEUE_CHUNKS, ChaosProxy, ProxyThread, Toxics
from tests.integration.nodes import eventually

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

# A timer may fire this early (the event loop's clock resolution, with room to spare).
CLOCK_SLACK = 0.005
# How much later than its schedule the proxy may forward a chunk: generous, for a machine
# busy with other work (make test-faults-loaded) schedules the proxy's tasks late.
LOADED_SLACK = 5.0
# The bound on every wait for something the proxy or a target must do (a wait on a
# condition: it ends as soon as the thing is done).
WAIT = 60.0


@contextlib.asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[tuple[str, int]]:
    """A target on 127.0.0.1; its connections are aborted when it stops."""
    tasks: set[asyncio.Task[None]] = set()
    writers: set[asyncio.StreamWriter] = set()

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        writers.add(writer)
        try:
            await handler(reader, writer)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()

    srv = await asyncio.start_server(tracked, "127.0.0.1", 0)
    try:
        host, port = srv.sockets[0].getsockname()[:2]
        yield str(host), int(port)
    finally:
        srv.close()
        for writer in writers:
            writer.transport.abort()
        async with asyncio.timeout(WAIT):
            await asyncio.gather(*tasks, return_exceptions=True)
        await srv.wait_closed()


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


async def connect(
    proxy: ChaosProxy,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    assert proxy.address is not None
    return await asyncio.open_connection(*proxy.address)


async def round_trip(proxy: ChaosProxy, payload: bytes) -> tuple[bytes, float]:
    reader, writer = await connect(proxy)
    try:
        started = time.monotonic()
        writer.write(payload)
        await writer.drain()
        async with asyncio.timeout(WAIT):
            answer = await reader.readexactly(len(payload))
        return answer, time.monotonic() - started
    finally:
        writer.close()


async def test_without_toxics_bytes_pass_intact_both_ways() -> None:
    payload = os.urandom(300_000)
    async with server(echo) as target, ChaosProxy(target) as proxy:
        answer, _ = await round_trip(proxy, payload)
    assert answer == payload
    assert proxy.stats.accepted == 1
    assert proxy.stats.bytes_up == proxy.stats.bytes_down == len(payload)
    assert proxy.stats.resets == 0


async def test_latency_and_jitter_delay_each_direction_within_bounds_and_keep_order() -> None:
    toxics = Toxics(latency=0.1, jitter=0.05)
    async with server(echo) as target, ChaosProxy(target, toxics=toxics, seed=7) as proxy:
        delays = [(await round_trip(proxy, b"ping"))[1] for _ in range(8)]
        # Many small writes, each with its own random delay: the stream keeps its order.
        reader, writer = await connect(proxy)
        sent = b"".join(b"%04d" % i for i in range(200))
        for i in range(200):
            writer.write(b"%04d" % i)
            await asyncio.sleep(0.001)
        async with asyncio.timeout(WAIT):
            echoed = await reader.readexactly(len(sent))
        writer.close()
    assert echoed == sent
    # Each chunk is held 0.05 s to 0.15 s each way, drawn anew: the proxy's own schedule.
    stats = proxy.stats
    drawn = [up + down for up, down in zip(stats.delays_up, stats.delays_down, strict=False)]
    assert all(0.05 <= d <= 0.15 for d in stats.delays_up + stats.delays_down), stats
    assert max(drawn[:8]) - min(drawn[:8]) > 0.02, "the jitter did not vary the delay"
    # Each "ping" went up and came back as one chunk each way (the first eight of each
    # list): a round trip lasts at least what was drawn for it, and not much more. A loaded
    # machine schedules late, never early: the upper bound is generous, the lower one exact
    # (to the event loop's clock resolution).
    for up, down, observed in zip(stats.delays_up, stats.delays_down, delays, strict=False):
        assert up + down - CLOCK_SLACK <= observed < up + down + LOADED_SLACK, (up, down, observed)


async def test_toxics_can_apply_to_one_direction_only() -> None:
    toxics = Toxics(latency=0.2, stall_every=1, stall_seconds=0.1, only="down")
    async with server(echo) as target, ChaosProxy(target, toxics=toxics) as proxy:
        answer, elapsed = await round_trip(proxy, b"ping")
    assert answer == b"ping"
    # The way up was not delayed (the proxy's own schedule: a wall-clock upper bound of
    # 0.3 s failed on a loaded machine), the way down was, and it took at least that long.
    assert proxy.stats.delays_up == [0.0]
    assert proxy.stats.delays_down == [0.2]
    assert 0.2 - CLOCK_SLACK <= elapsed < 0.2 + LOADED_SLACK
    assert proxy.stats.stalls == 1  # after the answer, not after the question


async def test_slicing_writes_small_pieces_apart() -> None:
    reads: list[int] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            reads.append(len(data))

    toxics = Toxics(slice_bytes=100, slice_delay=0.02)
    async with server(record) as target, ChaosProxy(target, toxics=toxics) as proxy:
        _, writer = await connect(proxy)
        started = time.monotonic()
        writer.write(os.urandom(1000))
        await writer.drain()
        await eventually(lambda: sum(reads) >= 1000, WAIT, "the target to read 1,000 bytes")
        elapsed = time.monotonic() - started
        writer.close()
    assert sum(reads) == 1000
    assert max(reads) <= 100
    assert elapsed >= 9 * 0.02  # nine gaps between ten pieces


async def test_stalls_hold_a_direction_after_every_so_many_bytes() -> None:
    toxics = Toxics(slice_bytes=500, stall_every=1000, stall_seconds=0.2)
    async with server(echo) as target, ChaosProxy(target, toxics=toxics) as proxy:
        answer, elapsed = await round_trip(proxy, b"x" * 3000)
    assert answer == b"x" * 3000
    # 3,000 bytes up and 3,000 down: three stalls each way (the last one after the data).
    assert proxy.stats.stalls == 6
    assert elapsed >= 2 * 0.2  # the echo overlaps the stalls of both directions


async def test_a_reset_cuts_the_stream_mid_chunk_with_an_rst_then_the_budget_is_spent() -> None:
    received: list[bytes] = []
    target_error: list[BaseException] = []

    async def sink(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                received.append(data)
        except ConnectionResetError as exc:
            target_error.append(exc)

    toxics = Toxics(reset_after=(3000, 3000), max_resets=1)
    async with server(sink) as target, ChaosProxy(target, toxics=toxics) as proxy:
        reader, writer = await connect(proxy)
        writer.write(os.urandom(10_000))
        await writer.drain()
        with pytest.raises(ConnectionResetError):
            async with asyncio.timeout(WAIT):
                await reader.read(1)
        writer.close()
        await eventually(lambda: target_error, WAIT, "the target to see the reset")
        assert sum(map(len, received)) == 3000
        assert proxy.stats.resets == proxy.stats.resets_mid_chunk == 1
        assert proxy.stats.cut_points == [3000]
        # Budget spent: the next connection goes through untouched.
        received.clear()
        _, writer = await connect(proxy)
        writer.write(os.urandom(10_000))
        await writer.drain()
        await eventually(
            lambda: sum(map(len, received)) >= 10_000, WAIT, "the target to read 10,000 bytes"
        )
        writer.close()
    assert proxy.stats.resets == 1


async def test_new_toxics_reach_connections_already_open() -> None:
    async with server(echo) as target, ChaosProxy(target) as proxy:
        reader, writer = await connect(proxy)
        writer.write(b"before")
        assert await reader.readexactly(6) == b"before"
        proxy.toxics = Toxics(reset_after=(10, 10), max_resets=1)
        writer.write(b"x" * 100)
        with pytest.raises((ConnectionResetError, asyncio.IncompleteReadError)):
            await asyncio.wait_for(reader.readexactly(100), WAIT)
        writer.close()
    assert proxy.stats.resets == 1
    assert proxy.stats.cut_points == [12 + 10]  # counted from when the toxics changed


async def test_a_reset_probability_of_zero_resets_nothing() -> None:
    toxics = Toxics(reset_after=(1, 10), reset_probability=0.0, max_resets=100)
    async with server(echo) as target, ChaosProxy(target, toxics=toxics) as proxy:
        for _ in range(5):
            answer, _ = await round_trip(proxy, b"y" * 5000)
            assert answer == b"y" * 5000
    assert proxy.stats.resets == 0


async def test_connections_over_the_limit_are_closed_at_once() -> None:
    async with server(echo) as target, ChaosProxy(target, max_connections=2) as proxy:
        held = [await connect(proxy) for _ in range(2)]
        for reader, writer in held:  # both are really open
            writer.write(b"a")
            assert await reader.readexactly(1) == b"a"
        reader, writer = await connect(proxy)
        async with asyncio.timeout(WAIT):
            with contextlib.suppress(ConnectionResetError):
                assert await reader.read(1) == b""
        for _, w in [*held, (reader, writer)]:
            w.close()
    assert proxy.stats.refused == 1
    assert proxy.stats.accepted == 2


async def test_a_target_that_does_not_answer_closes_the_client() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        async with ChaosProxy(("127.0.0.1", port)) as proxy:
            reader, writer = await connect(proxy)
            async with asyncio.timeout(WAIT):
                with contextlib.suppress(ConnectionResetError):
                    assert await reader.read(1) == b""
            writer.close()
    assert proxy.stats.refused == 1


async def test_the_proxy_stops_by_itself_after_its_lifetime() -> None:
    async with server(echo) as target:
        proxy = ChaosProxy(target, lifetime=0.5)
        address = await proxy.start()
        reader, writer = await asyncio.open_connection(*address)
        async with asyncio.timeout(WAIT):
            await proxy.stopped.wait()
            with contextlib.suppress(ConnectionResetError):
                assert await reader.read(1) == b""  # the open connection was closed
        writer.close()
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(*address)
        await proxy.stop()  # idempotent


async def test_a_target_that_does_not_read_pushes_back_instead_of_filling_memory() -> None:
    async def idle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await writer.wait_closed()  # never reads

    async with server(idle) as target, ChaosProxy(target) as proxy:
        _, writer = await connect(proxy)

        async def flood() -> None:
            block = b"z" * 1024 * 1024
            for _ in range(64):  # 64 MiB: far more than socket buffers plus the queue
                writer.write(block)
                await writer.drain()

        with pytest.raises(TimeoutError):
            await asyncio.wait_for(flood(), 2)
        writer.transport.abort()
    assert proxy.stats.max_queued_chunks <= QUEUE_CHUNKS
    assert proxy.stats.bytes_up < 32 * 1024 * 1024


def test_toxics_refuse_nonsense() -> None:
    bad: list[tuple[dict[str, Any], str]] = [
        ({"latency": -1.0}, "durations"),
        ({"latency": 0.1, "jitter": 0.2}, "jitter"),
        ({"slice_bytes": -1}, "sizes"),
        ({"reset_after": (0, 10)}, "reset_after"),
        ({"reset_after": (10, 5)}, "reset_after"),
        ({"reset_probability": 1.5}, "probability"),
        ({"only": "sideways"}, "only"),
    ]
    for fields, reason in bad:
        with pytest.raises(ValueError, match=reason):
            Toxics(**fields)


def test_a_proxy_thread_serves_blocking_code_and_changes_toxics_while_running() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        target = listener.getsockname()[:2]
        with ProxyThread() as thread:
            proxy = thread.start(ChaosProxy(target))
            address = proxy.address
            assert address is not None

            def timed_round_trip() -> float:
                with socket.create_connection(address, timeout=10) as client:
                    accepted, _ = listener.accept()
                    with accepted:
                        started = time.monotonic()
                        client.sendall(b"hello")
                        assert accepted.recv(5) == b"hello"
                        accepted.sendall(b"world")
                        assert client.recv(5) == b"world"
                        return time.monotonic() - started

            timed_round_trip()
            thread.set_toxics(proxy, Toxics(latency=0.2))
            slow = timed_round_trip()
            stats = thread.stats(proxy)
        # The first round trip went through clean, the second one, after the change, was
        # held 0.2 s each way (the proxy's schedule; the clean one's wall time is not
        # bounded here: on a loaded machine it can take longer than 0.2 s).
        assert stats.delays_up == stats.delays_down == [0.0, 0.2]
        assert slow >= 0.4 - CLOCK_SLACK
        assert stats.accepted == 2
        assert stats.bytes_up == stats.bytes_down == 10
