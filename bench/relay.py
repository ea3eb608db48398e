"""The relay against a bare aiohttp WebSocket forwarder, one client driving both (a report,
not a test; everything on 127.0.0.1; issue 13).

    .venv/bin/python -m bench.relay            # full run, a few minutes
    .venv/bin/python -m bench.relay --quick    # smoke run, under a minute
    .venv/bin/python -m bench.relay --py-spy DIR   # also a py-spy profile of each round
    .venv/bin/python -m bench.relay --shape 100x1 --rounds 5   # one load shape only

Importable: ``bench.relay.main(["--quick"])`` returns 0.

The baseline (``python -m bench.relay --serve-bare HOST:PORT``, its own process): a sender's
WebSocket pushes binary frames of a 16-byte mailbox key and a 1 KiB payload; the server
forwards each payload to the WebSocket subscribed to that key. No auth, no storage, no
acknowledgement: the transport alone.

Both server processes run with the same glibc allocator setting (the relay sets it itself,
relay.server.tune_allocator; the bare forwarder through ``MALLOC_MMAP_THRESHOLD_`` and
``MALLOC_TRIM_THRESHOLD_``) and the same garbage collector setting
(relay.server.tune_collector), and so does this client process: process settings are not
what is measured, and a baseline without them would pay costs the relay does not.

The relay (``python -m relay``, its own process, defaults but for its per-source rate limits
and share, raised because every simulated node is 127.0.0.1): each pair's owner subscribes
with its mailbox key (relay protocol version 3, ``/v3/mailboxes/{id}/subscribe``: CHALLENGE,
AUTH registering the deposit capability's hash, WELCOME), acknowledges what it receives in
batches (every 50 ms or 128 ids, what a node's commit-then-ACK does), and the pair's sender
deposits over
its deposit channel (``/v3/mailboxes/{id}/deposit``): whatever it has to send at one moment
goes in one DEPOSIT frame with the capability, answered by RESULTS.

The client (this process) is the same for both: per pair one subscriber and one sender
connection; K messages in flight per pair (a message is in flight from its send until its
subscriber has it; each delivery lets the pair send one more, so the load is a closed loop);
1 KiB messages stamped with their send time and a sequence number (latency, duplicates,
losses). Rounds alternate between the two servers (bare, relay, bare, relay, ...), each a
fixed window after a warm-up; the table gives the median round. Per server: delivered
messages/s, server CPU per message (user + system time of the server process from
/proc/PID/stat over the window, over the messages delivered in it), p50 and p99 latency from
send to delivery, and the ratios relay / bare. ``uptime`` load is printed beside every row:
the two cores are shared with the client and with whatever else runs.

Load shapes: 1 pair x 64 in flight, 100 pairs x 1, 1,000 pairs x 1 (quick: 1 x 64, 100 x 1).

Goals (issue 13): relay messages/s >= 0.8x bare, server CPU per message <= 1.5x, p99 <= 1.5x.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import aiohttp
import nacl.bindings as sodium
from aiohttp import web

from bench import processes
from node.protocol.relay_wire import (
    FAST_VERSION,
    Ack,
    Auth,
    Blob,
    Blobs,
    Challenge,
    Results,
    Welcome,
    decode_frame,
    deposit_capability_for,
    deposit_channel_path,
    deposit_hash_for,
    encode_deposit,
    mailbox_subscribe_path,
)
from relay.server import tune_allocator, tune_collector

PAYLOAD: Final = 1024
KEY: Final = 16
STAMP: Final = struct.Struct(">QQ")  # send time (perf_counter_ns), sequence number
FILLER: Final = os.urandom(PAYLOAD - STAMP.size)
ACK_DELAY: Final = 0.05
ACK_AT: Final = 128  # ids: within the relay's in-flight window (256)
GOALS: Final = {"throughput": 0.8, "cpu": 1.5, "p99": 1.5}
RELAY_ENV: Final = {
    "RELEVE_RELAY_DEPOSIT_RATE_PER_SECOND": "1e9",
    "RELEVE_RELAY_DEPOSIT_BURST": "1000000000",
    "RELEVE_RELAY_SUBSCRIBE_RATE_PER_SECOND": "1e9",
    "RELEVE_RELAY_SUBSCRIBE_BURST": "1000000000",
    # Every simulated depositor is 127.0.0.1: one source, given the whole relay.
    "RELEVE_RELAY_MAX_SOURCE_BYTES": str(256 * 1024 * 1024),
    "RELEVE_RELAY_LOG_LEVEL": "WARNING",
}
# The relay tunes glibc's allocator at start (relay.server.tune_allocator: asyncio's 256 KiB
# read buffers otherwise cost an mmap and munmap per read); the baseline gets the same
# setting through glibc's own variables, or it would pay a cost the relay does not (at
# 1,000 x 1 that flattered the relay by about a third of the bare forwarder's CPU).
BARE_ENV: Final = {"MALLOC_MMAP_THRESHOLD_": str(1 << 20), "MALLOC_TRIM_THRESHOLD_": str(32 << 20)}


# --- the bare forwarder (``python -m bench.relay --serve-bare HOST:PORT``) --------------------


def bare_forwarder() -> web.Application:
    subscribers: dict[bytes, web.WebSocketResponse] = {}

    async def subscribe(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        key = bytes.fromhex(request.match_info["key"])
        subscribers[key] = ws
        async for _ in ws:
            pass
        if subscribers.get(key) is ws:
            del subscribers[key]
        return ws

    async def send(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False, max_msg_size=1 << 20)
        await ws.prepare(request)
        async for message in ws:
            data = message.data
            target = subscribers.get(data[:KEY])
            if target is not None:
                await target.send_bytes(data[KEY:])
        return ws

    app = web.Application()
    app.router.add_get("/s/{key}", subscribe)
    app.router.add_get("/send", send)
    return app


async def serve_bare(listen: str) -> None:
    host, port = listen.rsplit(":", 1)
    runner = web.AppRunner(bare_forwarder(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, int(port)).start()
    tune_collector()  # the relay's garbage collector setting, as for the allocator
    address = runner.addresses[0]
    print(f"bare listening on http://{address[0]}:{address[1]}", flush=True)
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.Event().wait()


def cpu_seconds(pid: int) -> float:
    """User + system time of a process (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the client ---------------------------------------------------------------------------------


@dataclass
class Tally:
    delivered: int = 0
    latencies_ns: list[int] = field(default_factory=list)
    refused: int = 0
    duplicates: int = 0


class Load:
    """What every pair shares: the sequence, the tally, whether senders keep sending."""

    def __init__(self) -> None:
        self.seq = 0
        self.tally = Tally()
        self.sending = False
        self.in_flight = 0
        self.seen: set[int] = set()

    def message(self) -> bytes:
        self.seq += 1
        self.in_flight += 1
        return STAMP.pack(time.perf_counter_ns(), self.seq) + FILLER

    def arrived(self, payload: bytes, now: int) -> None:
        sent, seq = STAMP.unpack_from(payload)
        self.in_flight -= 1
        if seq in self.seen:
            self.tally.duplicates += 1
            return
        self.seen.add(seq)
        self.tally.delivered += 1
        self.tally.latencies_ns.append(now - sent)


class Pair(ABC):
    """One sender and one subscriber, K messages in flight between them; the bare forwarder
    and the relay each say how to open them and send."""

    def __init__(self, load: Load, index: int) -> None:
        self.load = load
        self.seed = index.to_bytes(4, "big") * 8
        self.sub: aiohttp.ClientWebSocketResponse | None = None
        self.out: aiohttp.ClientWebSocketResponse | None = None
        self.tasks: list[asyncio.Task[None]] = []

    @abstractmethod
    async def open(self, http: aiohttp.ClientSession, url: str) -> None: ...

    @abstractmethod
    async def send(self, count: int) -> None: ...

    def delivered(self, payloads: Sequence[bytes]) -> int:
        now = time.perf_counter_ns()
        for payload in payloads:
            self.load.arrived(payload, now)
        return len(payloads) if self.load.sending else 0

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for ws in (self.sub, self.out):
            if ws is not None:
                await ws.close()


class BarePair(Pair):
    async def open(self, http: aiohttp.ClientSession, url: str) -> None:
        self.key = self.seed[:KEY]
        self.sub = await http.ws_connect(f"{url}/s/{self.key.hex()}", compress=0)
        self.out = await http.ws_connect(f"{url}/send", compress=0)
        self.tasks.append(asyncio.create_task(self._read()))

    async def send(self, count: int) -> None:
        assert self.out is not None
        for _ in range(count):  # one frame per message: the baseline's shape
            await self.out.send_bytes(self.key + self.load.message())

    async def _read(self) -> None:
        assert self.sub is not None
        async for message in self.sub:
            again = self.delivered((message.data,))
            if again:
                await self.send(again)


class RelayPair(Pair):
    async def open(self, http: aiohttp.ClientSession, url: str) -> None:
        public, secret = sodium.crypto_sign_seed_keypair(self.seed)
        self.capability = deposit_capability_for(self.seed)
        deposit_hash = deposit_hash_for(self.capability)
        self.mailbox_id = Auth(bytes(public), b"", b"").mailbox_id
        sub = await http.ws_connect(
            url + mailbox_subscribe_path(self.mailbox_id), compress=0, max_msg_size=1 << 22
        )
        challenge = decode_frame((await sub.receive()).data)
        assert isinstance(challenge, Challenge)
        assert challenge.version == FAST_VERSION
        await sub.send_bytes(
            Auth.sign(challenge.nonce, bytes(public), bytes(secret), deposit_hash).encode()
        )
        assert isinstance(decode_frame((await sub.receive()).data), Welcome)
        self.sub = sub
        self.out = await http.ws_connect(
            url + deposit_channel_path(self.mailbox_id), compress=0, max_msg_size=1 << 20
        )
        self.batch = 0
        self.acks: list[bytes] = []
        self.tasks += [
            asyncio.create_task(self._read()),
            asyncio.create_task(self._results()),
            asyncio.create_task(self._ack()),
        ]

    async def send(self, count: int) -> None:
        assert self.out is not None
        self.batch += 1
        for start in range(0, count, 64):  # what a sender has now, in one DEPOSIT frame
            n = min(64, count - start)
            blobs = [self.load.message() for _ in range(n)]
            await self.out.send_bytes(encode_deposit(self.batch, self.capability, blobs))

    async def _read(self) -> None:
        assert self.sub is not None
        async for message in self.sub:
            frame = decode_frame(message.data)
            if isinstance(frame, Blob):
                got = [(frame.blob_id, frame.blob)]
            elif isinstance(frame, Blobs):
                got = list(frame.blobs)
            else:
                break
            self.acks += [blob_id for blob_id, _ in got]
            if len(self.acks) >= ACK_AT:
                acks, self.acks = self.acks, []
                await self.sub.send_bytes(Ack(tuple(acks)).encode())
            again = self.delivered([blob for _, blob in got])
            if again:
                await self.send(again)

    async def _results(self) -> None:
        assert self.out is not None
        async for message in self.out:
            frame = decode_frame(message.data)
            if isinstance(frame, Results):
                for _, results in frame.batches:
                    self.load.tally.refused += sum(1 for r in results if r not in (0, 255))

    async def _ack(self) -> None:
        assert self.sub is not None
        while True:
            await asyncio.sleep(ACK_DELAY)
            while self.acks:
                batch, self.acks = self.acks[:1024], self.acks[1024:]
                await self.sub.send_bytes(Ack(tuple(batch)).encode())


@dataclass
class Server:
    name: str
    process: subprocess.Popen[str]
    url: str
    pairs: list[Pair]
    load: Load


@dataclass
class Round:
    rate: float
    cpu_per_message_us: float
    p50_ms: float
    p99_ms: float
    refused: int
    duplicates: int


async def run_round(server: Server, in_flight: int, warmup: float, window: float) -> Round:
    load = server.load
    load.sending = True
    await asyncio.gather(*(pair.send(in_flight) for pair in server.pairs))
    await asyncio.sleep(warmup)
    load.tally = Tally()
    cpu0, t0 = cpu_seconds(server.process.pid), time.perf_counter()
    await asyncio.sleep(window)
    tally, cpu1, t1 = load.tally, cpu_seconds(server.process.pid), time.perf_counter()
    load.sending = False
    deadline = time.monotonic() + 30
    while load.in_flight > 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    if load.in_flight > 0:
        raise RuntimeError(f"{server.name}: {load.in_flight} messages never arrived")
    lat = sorted(tally.latencies_ns)
    if not lat:
        raise RuntimeError(f"{server.name}: nothing delivered")
    return Round(
        rate=tally.delivered / (t1 - t0),
        cpu_per_message_us=(cpu1 - cpu0) / tally.delivered * 1e6,
        p50_ms=lat[len(lat) // 2] / 1e6,
        p99_ms=lat[min(len(lat) - 1, int(len(lat) * 0.99))] / 1e6,
        refused=tally.refused,
        duplicates=tally.duplicates,
    )


def median_round(rounds: list[Round]) -> Round:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    return Round(
        rate=med([r.rate for r in rounds]),
        cpu_per_message_us=med([r.cpu_per_message_us for r in rounds]),
        p50_ms=med([r.p50_ms for r in rounds]),
        p99_ms=med([r.p99_ms for r in rounds]),
        refused=sum(r.refused for r in rounds),
        duplicates=sum(r.duplicates for r in rounds),
    )


def raise_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


async def open_pairs(
    http: aiohttp.ClientSession,
    kind: type[Pair],
    url: str,
    count: int,
    load: Load,
    first: int = 1,
) -> list[Pair]:
    """``count`` pairs, their mailbox keys from seeds ``first``, ``first + 1``, ..."""
    pairs = [kind(load, first + index) for index in range(count)]
    for start in range(0, count, 50):
        await asyncio.gather(*(pair.open(http, url) for pair in pairs[start : start + 50]))
    return pairs


def start_servers() -> tuple[tuple[subprocess.Popen[str], str], tuple[subprocess.Popen[str], str]]:
    bare = processes.start_listening(["-m", "bench.relay", "--serve-bare", "127.0.0.1:0"], BARE_ENV)
    relay = processes.start_listening(["-m", "relay", "--listen", "127.0.0.1:0"], RELAY_ENV)
    return bare, relay


def profile(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    beside = Path(sys.executable).with_name("py-spy")
    spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if spy is None:
        print("  (py-spy not installed: pip install py-spy)")
        return None
    return subprocess.Popen(
        [
            spy,
            "record",
            "-p",
            str(pid),
            "-d",
            str(int(seconds)),
            "-r",
            "400",
            "-f",
            "raw",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def shape(
    pairs: int, in_flight: int, rounds: int, warmup: float, window: float, spy: Path | None
) -> tuple[Round, Round]:
    (bare_p, bare_url), (relay_p, relay_url) = start_servers()
    connector = aiohttp.TCPConnector(limit=0)
    try:
        async with aiohttp.ClientSession(connector=connector) as http:
            bare_load = Load()
            bare = Server(
                "bare",
                bare_p,
                bare_url,
                await open_pairs(http, BarePair, bare_url, pairs, bare_load),
                bare_load,
            )
            relay_load = Load()
            relay = Server(
                "relay",
                relay_p,
                relay_url,
                await open_pairs(http, RelayPair, relay_url, pairs, relay_load),
                relay_load,
            )
            results: dict[str, list[Round]] = {"bare": [], "relay": []}
            for number in range(rounds):
                for server in (bare, relay):
                    spying = None
                    if spy is not None:
                        out = spy / f"{server.name}-{pairs}x{in_flight}-{number}.txt"
                        spying = profile(server.process.pid, warmup + window, out)
                    results[server.name].append(await run_round(server, in_flight, warmup, window))
                    if spying is not None:
                        spying.wait()
            for server in (bare, relay):
                for pair in server.pairs:
                    await pair.close()
    finally:
        processes.stop(bare_p, 5)
        processes.stop(relay_p, 5)
    return median_round(results["bare"]), median_round(results["relay"])


def verdict(value: float, goal: float, at_least: bool) -> str:
    ok = value >= goal if at_least else value <= goal
    return "met" if ok else "NOT met"


def parse_shape(text: str) -> tuple[int, int]:
    """``PAIRSxK``, e.g. ``100x1``."""
    pairs, sep, in_flight = text.lower().partition("x")
    if not sep or not pairs.isdigit() or not in_flight.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not PAIRSxK (e.g. 100x1)")
    if not 1 <= int(pairs) <= 5000 or not 1 <= int(in_flight) <= 1024:
        raise argparse.ArgumentTypeError("1 to 5,000 pairs, 1 to 1,024 in flight")
    return int(pairs), int(in_flight)


async def bench(
    quick: bool, spy: Path | None, only: Sequence[tuple[int, int]] = (), rounds: int = 0
) -> int:
    shapes = list(only) or ([(1, 64), (100, 1)] if quick else [(1, 64), (100, 1), (1000, 1)])
    default_rounds, warmup, window = (2, 0.5, 1.5) if quick else (3, 1.0, 4.0)
    rounds = rounds or default_rounds
    raise_file_limit(16384)
    tune_allocator()  # the client too: the same for both servers, less noise
    tune_collector()
    print(f"relay vs bare WebSocket forwarder, {PAYLOAD} B messages, {rounds} interleaved rounds")
    print(
        f"{'load':>12} | {'server':>6} | {'msg/s':>8} | {'CPU us/msg':>10} | {'p50 ms':>7} |"
        f" {'p99 ms':>7} | refused dup"
    )
    failures = 0
    for pairs, in_flight in shapes:
        bare, relay = await shape(pairs, in_flight, rounds, warmup, window, spy)
        label = f"{pairs} x {in_flight}"
        for name, r in (("bare", bare), ("relay", relay)):
            print(
                f"{label:>12} | {name:>6} | {r.rate:8.0f} | {r.cpu_per_message_us:10.1f} |"
                f" {r.p50_ms:7.2f} | {r.p99_ms:7.2f} | {r.refused} {r.duplicates}"
            )
        rate = relay.rate / bare.rate
        cpu = relay.cpu_per_message_us / bare.cpu_per_message_us
        p99 = relay.p99_ms / bare.p99_ms
        print(
            f"{label:>12} | ratio: msg/s {rate:.2f}x ({verdict(rate, GOALS['throughput'], True)}),"
            f" CPU/msg {cpu:.2f}x ({verdict(cpu, GOALS['cpu'], False)}),"
            f" p99 {p99:.2f}x ({verdict(p99, GOALS['p99'], False)}); {processes.load_average()}"
        )
        failures += relay.refused + relay.duplicates
    return 0 if failures == 0 else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.relay", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="smoke run, under a minute")
    parser.add_argument(
        "--py-spy", type=Path, metavar="DIR", help="py-spy profile of each round (both servers)"
    )
    parser.add_argument(
        "--shape",
        type=parse_shape,
        action="append",
        default=[],
        metavar="PAIRSxK",
        help="only this load shape (repeatable), e.g. --shape 100x1",
    )
    parser.add_argument("--rounds", type=int, default=0, help="interleaved rounds per shape")
    parser.add_argument("--serve-bare", metavar="HOST:PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_bare(args.serve_bare))
        return 0
    if args.py_spy is not None:
        args.py_spy.mkdir(parents=True, exist_ok=True)
    return asyncio.run(bench(args.quick, args.py_spy, args.shape, max(0, args.rounds)))


if __name__ == "__main__":
    raise SystemExit(main())
