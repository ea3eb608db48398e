"""The relay next to a minimal raw aiohttp WebSocket forwarder, measured in the same run
(a report, not a test; everything on 127.0.0.1).

    .venv/bin/python -m bench.relay            # full run, under a minute
    .venv/bin/python -m bench.relay --quick    # smoke run, a few seconds
    .venv/bin/python -m bench.relay --uvloop   # both servers (and this client) on uvloop

Importable: ``bench.relay.main(["--quick"])`` returns 0.

Both servers run as their own processes (``python -m relay`` with its rate limits raised out
of the way, and ``python -m bench.relay --serve-raw``: a POST handler that sends the body to
the mailbox's WebSocket, if one is subscribed, nothing else). This process is the client:
1 KiB blobs, each stamped with its send time.

- forwarded blobs/s: one mailbox, 64 deposits in flight until N blobs have arrived at its
  subscriber, which ACKs (relay: at 32 ids or after 5 ms). Deposits as single-blob POSTs
  (what a node does per message) and as ``POST /v2/deposits`` batches (4 requests of 16 in
  flight: what a node does with a backlog); the raw forwarder only has single POSTs.
- latency deposit -> delivery, p50/p99: 1 pair with one deposit in flight, and 1,000 pairs
  (quick: 100) with 64 deposits in flight spread over them.
- memory per idle subscribed connection: a fresh server, its RSS with N idle subscribers
  (relay: authenticated) minus its RSS before, over N (N = 1,000; quick: 200).
- server CPU per forwarded blob (user + system time of the server process), to read the
  throughput ratio against: with two processes on few cores, the client may be the limit.

Goals: throughput >= 0.6x the raw forwarder, p99 <= 2x, memory per connection <= 2x.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import statistics
import struct
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import aiohttp
import nacl.bindings as sodium
from aiohttp import WSMsgType, web

from bench import processes
from node.protocol.relay_wire import (
    CAPABILITY_HEADER,
    DEPOSIT_PATH,
    HEALTH_PATH,
    SUBSCRIBE_PATH,
    Ack,
    Auth,
    Blob,
    Challenge,
    Welcome,
    decode_frame,
    deposit_capability_for,
    deposit_hash_for,
    encode_deposits,
    single_deposit_path,
)

BLOB_SIZE: Final = 1024
IN_FLIGHT: Final = 64
BATCH: Final = 16
ACK_EVERY: Final = 32
ACK_DELAY: Final = 0.005
STAMP: Final = struct.Struct(">QQ")  # send time (perf_counter_ns), sequence number
FILLER: Final = os.urandom(BLOB_SIZE - STAMP.size)
GOALS: Final = {"throughput": 0.6, "p99": 2.0, "memory": 2.0}
RELAY_ENV: Final = {
    "RELEVE_RELAY_DEPOSIT_RATE_PER_SECOND": "1e9",
    "RELEVE_RELAY_DEPOSIT_BURST": "1000000000",
    "RELEVE_RELAY_SUBSCRIBE_RATE_PER_SECOND": "1e9",
    "RELEVE_RELAY_SUBSCRIBE_BURST": "1000000000",
    # Every simulated depositor is 127.0.0.1: one source, given the whole relay.
    "RELEVE_RELAY_MAX_SOURCE_BYTES": str(256 * 1024 * 1024),
    "RELEVE_RELAY_LOG_LEVEL": "WARNING",
}
_UVLOOP_BOOT: Final = (
    "import asyncio, sys, runpy, uvloop; "
    "asyncio.set_event_loop_policy(uvloop.EventLoopPolicy()); "
    "sys.argv = [sys.argv[1], *sys.argv[2:]]; "
    "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)"
)


def blob(seq: int) -> bytes:
    return STAMP.pack(time.perf_counter_ns(), seq) + FILLER


# --- the raw forwarder (run as ``python -m bench.relay --serve-raw HOST:PORT``) ---------------


def raw_forwarder() -> web.Application:
    subscribers: dict[str, web.WebSocketResponse] = {}

    async def post(request: web.Request) -> web.Response:
        body = await request.read()
        ws = subscribers.get(request.match_info["mailbox"])
        if ws is not None:
            await ws.send_bytes(body)
        return web.json_response({"status": "stored"})

    async def subscribe(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        mailbox = request.match_info["mailbox"]
        subscribers[mailbox] = ws
        async for _ in ws:
            pass
        if subscribers.get(mailbox) is ws:
            del subscribers[mailbox]
        return ws

    app = web.Application()
    app.router.add_post("/m/{mailbox}", post)
    app.router.add_get("/s/{mailbox}", subscribe)
    return app


async def serve_raw(listen: str) -> None:
    host, port = listen.rsplit(":", 1)
    runner = web.AppRunner(raw_forwarder(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, int(port)).start()
    address = runner.addresses[0]
    print(f"raw listening on http://{address[0]}:{address[1]}", flush=True)
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.Event().wait()


# --- server processes -------------------------------------------------------------------------


@dataclass
class Server:
    kind: str  # "relay" or "raw"
    process: subprocess.Popen[str]
    url: str

    @classmethod
    def start(cls, kind: str, uvloop: bool) -> Server:
        module = ["relay", "--listen"] if kind == "relay" else ["bench.relay", "--serve-raw"]
        args = ["-c", _UVLOOP_BOOT, *module] if uvloop else ["-m", *module]
        process, url = processes.start_listening([*args, "127.0.0.1:0"], RELAY_ENV)
        return cls(kind, process, url)

    def stop(self) -> None:
        processes.stop(self.process, 10)

    def rss(self) -> int:
        return processes.rss(self.process)

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the client side --------------------------------------------------------------------------


WARM_UP: Final = 1 << 40  # sequence numbers from here on: warm-up blobs, not measured


@dataclass
class Results:
    expected: int
    latencies_ns: list[int] = field(default_factory=list)
    count: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def arrived(self, data: bytes) -> None:
        sent, seq = STAMP.unpack_from(data)
        if seq < WARM_UP:
            self.latencies_ns.append(time.perf_counter_ns() - sent)
        self.count += 1
        if self.count >= self.expected:
            self.done.set()


async def _send_quietly(ws: aiohttp.ClientWebSocketResponse, data: bytes) -> None:
    with contextlib.suppress(ConnectionError):
        await ws.send_bytes(data)


class Mailbox:
    """One subscriber (relay: with its own key, authenticated, ACKing) and where to post."""

    def __init__(self, server: Server, index: int) -> None:
        self.server = server
        seed = index.to_bytes(4, "big") * 8
        self.public, self.secret = sodium.crypto_sign_seed_keypair(seed)
        self.mailbox_id = Auth(self.public, b"", b"").mailbox_id
        # Registered with the relay when the mailbox subscribes; every deposit carries it.
        # The raw forwarder gets the same header (same bytes on the wire) and ignores it.
        self.capability = deposit_capability_for(seed)
        self.headers = {CAPABILITY_HEADER: self.capability.hex()}
        if server.kind == "relay":
            self.post_url = server.url + single_deposit_path(self.mailbox_id)
        else:
            self.post_url = f"{server.url}/m/{self.mailbox_id.hex()}"
        self.results = Results(0)
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.task: asyncio.Task[None] | None = None
        self.acks: set[asyncio.Task[None]] = set()

    async def connect(self, http: aiohttp.ClientSession) -> None:
        if self.server.kind == "raw":
            self.ws = await http.ws_connect(f"{self.server.url}/s/{self.mailbox_id.hex()}")
        else:
            ws = await http.ws_connect(self.server.url + SUBSCRIBE_PATH)
            challenge = decode_frame(await ws.receive_bytes())
            assert isinstance(challenge, Challenge)
            deposit_hash = deposit_hash_for(self.capability)
            auth = Auth.sign(challenge.nonce, self.public, self.secret, deposit_hash)
            await ws.send_bytes(auth.encode())
            assert isinstance(decode_frame(await ws.receive_bytes()), Welcome)
            self.ws = ws
        self.task = asyncio.create_task(self._receive(self.ws))

    async def _receive(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        relay = self.server.kind == "relay"
        unacked: list[bytes] = []
        flush: asyncio.TimerHandle | None = None

        def send_ack() -> None:
            nonlocal flush
            flush = None
            if unacked:
                task = asyncio.create_task(_send_quietly(ws, Ack(tuple(unacked)).encode()))
                self.acks.add(task)
                task.add_done_callback(self.acks.discard)
                unacked.clear()

        async for message in ws:
            if message.type is not WSMsgType.BINARY:
                break
            if not relay:
                self.results.arrived(message.data)
                continue
            frame = decode_frame(message.data)
            assert isinstance(frame, Blob)
            self.results.arrived(frame.blob)
            unacked.append(frame.blob_id)
            if len(unacked) >= ACK_EVERY:
                send_ack()
            elif flush is None:
                flush = asyncio.get_running_loop().call_later(ACK_DELAY, send_ack)
        if flush is not None:
            flush.cancel()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        for task in (self.task, *self.acks):
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in (self.task, *self.acks) if t), return_exceptions=True)


async def post(
    http: aiohttp.ClientSession, url: str, data: bytes, headers: dict[str, str] | None = None
) -> None:
    async with http.post(url, data=data, headers=headers) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"deposit answered {response.status}")


@dataclass
class Measure:
    rate: float  # blobs per second
    p50_ms: float
    p99_ms: float
    cpu_us: float  # server CPU per blob


class Client:
    """Sessions (deposits: at most IN_FLIGHT connections; WebSockets: unbounded) and
    subscribed mailboxes for one server, kept across the phases of a run."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._stack = contextlib.AsyncExitStack()
        self.http: aiohttp.ClientSession
        self.wss: aiohttp.ClientSession
        self._mailboxes: list[Mailbox] = []

    async def __aenter__(self) -> Client:
        timeout = aiohttp.ClientTimeout(total=120)
        self.http = await self._stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT), timeout=timeout)
        )
        self.wss = await self._stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout)
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close_mailboxes()
        await self._stack.aclose()

    async def mailboxes(self, count: int, first: int = 0) -> list[Mailbox]:
        mailboxes = [Mailbox(self.server, first + i) for i in range(count)]
        gate = asyncio.Semaphore(50)

        async def connect(mailbox: Mailbox) -> None:
            async with gate:
                await mailbox.connect(self.wss)

        await asyncio.gather(*(connect(m) for m in mailboxes))
        self._mailboxes += mailboxes
        return mailboxes

    async def close_mailboxes(self) -> None:
        for mailbox in self._mailboxes:
            await mailbox.close()
        self._mailboxes = []

    def expect(self, mailboxes: list[Mailbox], count: int) -> Results:
        results = Results(count)
        for mailbox in mailboxes:
            mailbox.results = results
        return results

    async def warm_up(self, mailboxes: list[Mailbox]) -> None:
        """Opens every deposit connection and runs both servers' code paths once."""
        count = 2 * IN_FLIGHT
        results = self.expect(mailboxes, count)
        await asyncio.gather(
            *(
                post(
                    self.http,
                    mailboxes[i % len(mailboxes)].post_url,
                    blob(WARM_UP + i),
                    mailboxes[i % len(mailboxes)].headers,
                )
                for i in range(count)
            )
        )
        await asyncio.wait_for(results.done.wait(), 60)

    async def closed_loop(
        self, mailboxes: list[Mailbox], per_pair: int, in_flight: int, batched: bool = False
    ) -> Measure:
        """``per_pair`` blobs to each mailbox, ``in_flight`` at once, as fast as they go."""
        order = [(m, seq) for seq in range(per_pair) for m in mailboxes]
        results = self.expect(mailboxes, len(order))
        jobs: list[Callable[[], Awaitable[None]]]
        if batched:
            url = self.server.url + DEPOSIT_PATH

            def batch_job(chunk: list[tuple[Mailbox, int]]) -> Callable[[], Awaitable[None]]:
                return lambda: post(
                    self.http,
                    url,
                    encode_deposits([(m.mailbox_id, m.capability, blob(s)) for m, s in chunk]),
                )

            jobs = [batch_job(order[i : i + BATCH]) for i in range(0, len(order), BATCH)]
            concurrency = max(1, in_flight // BATCH)
        else:

            def job(mailbox: Mailbox, seq: int) -> Callable[[], Awaitable[None]]:
                return lambda: post(self.http, mailbox.post_url, blob(seq), mailbox.headers)

            jobs = [job(m, s) for m, s in order]
            concurrency = in_flight
        queue = iter(jobs)

        async def worker() -> None:
            for job in queue:
                await job()

        return await self._timed(results, asyncio.gather(*(worker() for _ in range(concurrency))))

    async def paced(self, mailboxes: list[Mailbox], rate: float, seconds: float) -> Measure:
        """``rate`` deposits per second, round robin over the mailboxes (an open loop)."""
        total = int(rate * seconds)
        results = self.expect(mailboxes, total)
        loop = asyncio.get_running_loop()

        async def send_all() -> None:
            start = loop.time()
            tasks = []
            for i in range(total):
                delay = start + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                mailbox = mailboxes[i % len(mailboxes)]
                tasks.append(
                    asyncio.create_task(post(self.http, mailbox.post_url, blob(i), mailbox.headers))
                )
            await asyncio.gather(*tasks)

        return await self._timed(results, send_all())

    async def _timed(self, results: Results, sending: Awaitable[object]) -> Measure:
        cpu = self.server.cpu()
        started = time.perf_counter()
        await sending
        await asyncio.wait_for(results.done.wait(), 60)
        elapsed = time.perf_counter() - started
        cpu = self.server.cpu() - cpu
        latencies = sorted(results.latencies_ns)
        return Measure(
            rate=len(latencies) / elapsed,
            p50_ms=latencies[len(latencies) // 2] / 1e6,
            p99_ms=latencies[min(len(latencies) - 1, len(latencies) * 99 // 100)] / 1e6,
            cpu_us=cpu / len(latencies) * 1e6,
        )


async def idle_memory(kind: str, connections: int, uvloop: bool) -> float:
    """Bytes of server RSS per idle subscribed connection (a fresh server, warmed up)."""
    server = Server.start(kind, uvloop)
    try:
        async with Client(server) as client:
            await client.warm_up(await client.mailboxes(20, first=10**6))
            await client.close_mailboxes()
            await asyncio.sleep(0.3)
            baseline = server.rss()
            await client.mailboxes(connections)
            if kind == "relay":
                await _until_connections(client.http, server, connections)
            await asyncio.sleep(0.5)
            return (server.rss() - baseline) / connections
    finally:
        server.stop()


async def _until_connections(http: aiohttp.ClientSession, server: Server, count: int) -> None:
    async with asyncio.timeout(30):
        while True:
            async with http.get(server.url + HEALTH_PATH) as response:
                if (await response.json())["connections"] >= count:
                    return
            await asyncio.sleep(0.05)


# --- the report -------------------------------------------------------------------------------


def _median(measures: list[Measure]) -> Measure:
    return Measure(
        statistics.median(m.rate for m in measures),
        statistics.median(m.p50_ms for m in measures),
        statistics.median(m.p99_ms for m in measures),
        statistics.median(m.cpu_us for m in measures),
    )


@dataclass(frozen=True)
class Plan:
    blobs: int  # 1 pair, closed loop
    sequential: int  # 1 pair, 1 in flight
    pairs: int
    per_pair: int  # many pairs, closed loop
    paced_rate: float
    paced_seconds: float
    connections: int  # idle memory
    rounds: int


QUICK: Final = Plan(1000, 100, 100, 5, 500.0, 1.0, 200, 2)
FULL: Final = Plan(5000, 300, 1000, 4, 500.0, 2.0, 1000, 3)


async def run(plan: Plan, uvloop: bool) -> list[str]:
    figures: dict[str, dict[str, list[Measure]]] = {"relay": {}, "raw": {}}
    servers = {kind: Server.start(kind, uvloop) for kind in ("relay", "raw")}
    try:
        async with Client(servers["relay"]) as relay_client, Client(servers["raw"]) as raw_client:
            clients = {"relay": relay_client, "raw": raw_client}
            pairs = {}
            for kind, client in clients.items():
                one = await client.mailboxes(1)
                many = await client.mailboxes(plan.pairs, first=1)
                await client.warm_up(one)
                pairs[kind] = (one, many)
            phases: list[tuple[str, Callable[[Client, list[Mailbox], list[Mailbox]], Any]]] = [
                ("single", lambda c, one, many: c.closed_loop(one, plan.blobs, IN_FLIGHT)),
                ("batch", lambda c, one, many: c.closed_loop(one, plan.blobs, IN_FLIGHT, True)),
                ("one", lambda c, one, many: c.closed_loop(one, plan.sequential, 1)),
                (
                    "paced",
                    lambda c, one, many: c.paced(many, plan.paced_rate, plan.paced_seconds),
                ),
                ("many", lambda c, one, many: c.closed_loop(many, plan.per_pair, IN_FLIGHT)),
            ]
            order = ["relay", "raw"]
            for _ in range(plan.rounds):
                for shape, phase in phases:  # interleaved, so both see the same machine
                    for kind in order:
                        if shape == "batch" and kind == "raw":
                            continue
                        measure = await phase(clients[kind], *pairs[kind])
                        figures[kind].setdefault(shape, []).append(measure)
                order.reverse()
    finally:
        for server in servers.values():
            server.stop()
    memory = {kind: await idle_memory(kind, plan.connections, uvloop) for kind in ("relay", "raw")}
    return report(plan, uvloop, figures, memory)


def report(
    plan: Plan,
    uvloop: bool,
    figures: dict[str, dict[str, list[Measure]]],
    memory: dict[str, float],
) -> list[str]:
    relay = {shape: _median(m) for shape, m in figures["relay"].items()}
    raw = {shape: _median(m) for shape, m in figures["raw"].items()}
    loop = "uvloop" if uvloop else "asyncio"
    lines = [
        f"bench/relay: 1 KiB blobs, {loop}, median of {plan.rounds} round(s), "
        f"{os.cpu_count()} CPUs (client and server share them)",
        f"  {'':<50}{'relay':>12}{'raw':>12}{'ratio':>9}",
    ]

    def row(label: str, ours: float, theirs: float, unit: str = "", digits: int = 0) -> None:
        lines.append(
            f"  {label:<50}{ours:>10.{digits}f}{unit:<2}{theirs:>10.{digits}f}{unit:<2}"
            f"{ours / theirs:>8.2f}x"
        )

    n, rate = plan.pairs, plan.paced_rate
    row(
        f"forwarded/s, 1 pair, {IN_FLIGHT} single POSTs in flight",
        relay["single"].rate,
        raw["single"].rate,
    )
    row(
        f"  same, {IN_FLIGHT // BATCH} batches of {BATCH} (raw: single POSTs)",
        relay["batch"].rate,
        raw["single"].rate,
    )
    row(
        "  server CPU per blob, single POSTs", relay["single"].cpu_us, raw["single"].cpu_us, "us", 1
    )
    row("  server CPU per blob, batches", relay["batch"].cpu_us, raw["single"].cpu_us, "us", 1)
    row("  latency p50 (saturated)", relay["single"].p50_ms, raw["single"].p50_ms, "ms", 2)
    row("  latency p99 (saturated)", relay["single"].p99_ms, raw["single"].p99_ms, "ms", 2)
    row("latency p50, 1 pair, 1 in flight", relay["one"].p50_ms, raw["one"].p50_ms, "ms", 2)
    row("latency p99, 1 pair, 1 in flight", relay["one"].p99_ms, raw["one"].p99_ms, "ms", 2)
    row(
        f"latency p50, {n} pairs, {rate:.0f}/s paced",
        relay["paced"].p50_ms,
        raw["paced"].p50_ms,
        "ms",
        2,
    )
    row(
        f"latency p99, {n} pairs, {rate:.0f}/s paced",
        relay["paced"].p99_ms,
        raw["paced"].p99_ms,
        "ms",
        2,
    )
    row(f"forwarded/s, {n} pairs, {IN_FLIGHT} in flight", relay["many"].rate, raw["many"].rate)
    row("  server CPU per blob", relay["many"].cpu_us, raw["many"].cpu_us, "us", 1)
    row("  latency p50 (saturated)", relay["many"].p50_ms, raw["many"].p50_ms, "ms", 2)
    row("  latency p99 (saturated)", relay["many"].p99_ms, raw["many"].p99_ms, "ms", 2)
    row(
        f"RSS per idle subscriber (N={plan.connections})",
        memory["relay"] / 1024,
        memory["raw"] / 1024,
        "KB",
        1,
    )
    checks = [
        ("throughput, single POSTs", relay["single"].rate / raw["single"].rate, "throughput"),
        ("p99, 1 pair", relay["one"].p99_ms / raw["one"].p99_ms, "p99"),
        (f"p99, {n} pairs paced", relay["paced"].p99_ms / raw["paced"].p99_ms, "p99"),
        (f"p99, {n} pairs saturated", relay["many"].p99_ms / raw["many"].p99_ms, "p99"),
        ("memory per idle connection", memory["relay"] / memory["raw"], "memory"),
    ]
    for label, ratio, goal in checks:
        wanted = GOALS[goal]
        ok = ratio >= wanted if goal == "throughput" else ratio <= wanted
        sign = ">=" if goal == "throughput" else "<="
        verdict = "OK" if ok else "MISSED"
        lines.append(f"goal {label}: {ratio:.2f}x raw (goal {sign} {wanted}x): {verdict}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.relay",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument("--uvloop", action="store_true", help="servers and client on uvloop")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--serve-raw", metavar="HOST:PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_raw:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_raw(args.serve_raw))
        return 0
    plan = QUICK if args.quick else FULL
    if args.rounds:
        plan = dataclasses.replace(plan, rounds=args.rounds)
    if args.uvloop:
        import uvloop  # type: ignore[import-not-found,unused-ignore]  # optional, not a dependency

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    for line in asyncio.run(run(plan, args.uvloop)):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
