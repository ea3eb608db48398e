"""Load on one relay: many simulated nodes speaking the real relay protocol, and how the
relay's cost per message grows with the number of mailboxes (a report, not a test;
everything on 127.0.0.1).

    .venv/bin/python -m bench.load            # quick run (the default), under 3 minutes
    .venv/bin/python -m bench.load --full     # longer windows, 3 rounds of the scaling table

Importable: ``bench.load.main(["--quick"])`` returns 0; ``run(plan)`` returns a :class:`Report`.

The relay is its own process (``python -m relay``), started and stopped by the bench. Its
per-source limits are raised with its own flags, because every simulated node connects from
127.0.0.1 and would otherwise be one rate-limited source: ``--deposit-rate-per-second``,
``--deposit-burst``, ``--subscribe-rate-per-second``, ``--subscribe-burst``; and
``--max-connections`` is raised above the 10,000 default so that 10,000 subscriptions fit.
Everything else (blob and mailbox limits, in-flight window, heartbeats, TTL) is the default.

Simulated nodes, all in this one process: each has a real node identity (Identity.generate),
its own Ed25519 mailbox key (node.edges.mailbox.MailboxKey) and, unchanged, the node's own relay
client classes: node.edges.relay_client.RelaySubscription (challenge, AUTH signature, WELCOME,
BLOB frames, batched ACKs, reconnects) and node.edges.relay_transport.RelayTransport (deposits over
deposit channels, relay protocol version 3, to the contact's relays, with the deposit capability
read from its real contact card; each mailbox registers its capability's hash when it
subscribes). Only the receiver behind them is a stand-in (:class:`BenchReceiver`): its ``receive``
takes the blob and answers "stored" at once, where a node would open the packet and commit
it to SQLite first (bench/direct measures that part). Each node is paired with about eight
others; the deposit channels take the WebSocket pool (unlimited): 64 deposits in flight (the
closed loop), not the number of sockets, is what loads the relay.

Payloads: opaque blobs of exactly 1,024 bytes (the packet bucket of a message of up to about
900 bytes, node.protocol.envelope.BUCKETS), random bytes after a 16-byte stamp (send time,
sequence number) that gives the deposit-to-delivery latency and catches duplicates. Not real
sealed packets: the relay never opens a blob, so its work does not depend on the bytes, and
sealing and ratcheting 1,000 sessions here would spend the two CPUs that the relay and the
clients already share on client crypto.

1. Sustained load: 1,000 nodes subscribed; 64 deposits in flight from random nodes to random
   contacts (a closed loop) for a window: delivered messages/s, p50/p99 deposit-to-delivery
   latency, refused/lost/duplicate counts, relay RSS; then a paced (open-loop) window at
   half that rate for the latency below saturation.
2. Scaling: a fresh relay for each of 10, 1,000 and 10,000 mailboxes, all subscribed (a
   running node keeps its subscription open: the more expensive case, one connection per
   mailbox); the same number of messages spread evenly over them, 64 in flight. Cost per
   message = relay CPU (user + system, /proc/<pid>/stat) per 1,000 messages; memory per
   mailbox = relay RSS with the mailboxes subscribed minus before, over their number. The
   10-mailbox row is the baseline of the ratios. Plus: 10,000 offline mailboxes (each
   subscribed once, registering its deposit capability, then gone) holding one blob each,
   the memory of nodes that are away. With ``--full`` also the idle cost of subscriptions
   (WebSocket heartbeats), on the largest row of the first round: relay CPU over 30 s, once
   every connection has been quiet for a heartbeat period (pings start only then, so a
   shorter or earlier window reads nearly zero).

Reading the figures: the relay and every simulated node share this machine's CPUs, so the
rates and latencies are those of the whole system (the clients often are the limit); the
relay's own CPU per message is the figure to compare across rows and runs. The bench freezes
its own long-lived objects out of its garbage collector after setup (``Fleet.settle``), not
the relay's.

Goal (issue 7): flat cost per message, 10,000 vs 10 mailboxes <= 1.5x.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import itertools
import os
import random
import resource
import statistics
import struct
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, cast

import aiohttp

from bench import processes
from node.core.ports import Outcome
from node.core.receiving import Receiver
from node.edges.mailbox import SEED_SIZE, MailboxKey
from node.edges.relay_client import RelaySubscription
from node.edges.relay_transport import RelayTransport
from node.protocol import (
    ContactCard,
    Endpoint,
    Identity,
    Profile,
    Reachability,
    Role,
    system_random,
)
from node.protocol.envelope import BUCKETS
from node.protocol.relay_wire import HEALTH_PATH
from relay.config import RelayConfig

BLOB_SIZE: Final = BUCKETS[1]  # 1,024 bytes
STAMP: Final = struct.Struct(">QQ")  # send time (perf_counter_ns), sequence number
FILLER: Final = os.urandom(BLOB_SIZE - STAMP.size)
IN_FLIGHT: Final = 64
PAIRINGS_PER_NODE: Final = 4  # each node pairs with 4 others: about 8 contacts each
SUBSCRIBE_WAVE: Final = 200  # subscriptions opened at once (the relay's listen backlog is 128)
GOAL: Final = 1.5  # cost per message, 10,000 vs 10 mailboxes
RELAY_FLAGS: Final = {
    "--deposit-rate-per-second": "1e9",
    "--deposit-burst": "1000000000",
    "--subscribe-rate-per-second": "1e9",
    "--subscribe-burst": "1000000000",
    # Every simulated node deposits from 127.0.0.1: one source, given the whole relay.
    "--max-source-bytes": str(256 * 1024 * 1024),
    "--max-connections": "12000",
    "--log-level": "WARNING",
}


# --- the relay process ------------------------------------------------------------------------


@dataclass
class Relay:
    process: subprocess.Popen[str]
    url: str

    @classmethod
    def start(cls) -> Relay:
        flags = [item for pair in RELAY_FLAGS.items() for item in pair]
        process, url = processes.start_listening(["-m", "relay", "--listen", "127.0.0.1:0", *flags])
        return cls(process, url)

    def stop(self) -> None:
        processes.stop(self.process, 20)

    def _status(self, key: str) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"no {key}")

    def rss(self) -> int:
        return self._status("VmRSS")

    def peak_rss(self) -> int:
        return self._status("VmHWM")

    def cpu(self) -> float:
        """User + system CPU seconds of the relay process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def health(self, http: aiohttp.ClientSession) -> dict[str, object]:
        async with http.get(self.url + HEALTH_PATH) as response:
            return cast(dict[str, object], await response.json())


# --- simulated nodes --------------------------------------------------------------------------


class Sink:
    """Every delivery of every simulated node: counts, duplicates, latencies."""

    def __init__(self) -> None:
        self.delivered = 0
        self.duplicates = 0
        self.recording = False
        self.latencies_ns: list[int] = []
        self._seen: set[int] = set()

    def arrived(self, packet: bytes) -> None:
        sent, seq = STAMP.unpack_from(packet)
        if seq in self._seen:
            self.duplicates += 1
            return
        self._seen.add(seq)
        self.delivered += 1
        if self.recording:
            self.latencies_ns.append(time.perf_counter_ns() - sent)

    def record(self) -> None:
        self.latencies_ns = []
        self.recording = True

    async def until(self, count: int, seconds: float) -> None:
        async with asyncio.timeout(seconds):
            while self.delivered < count:
                await asyncio.sleep(0.01)


class BenchReceiver:
    """What RelaySubscription uses of the node's receiver: ``receive``. It takes each blob at
    once (no packet to open, no commit), so the bench measures the relay and the relay
    client, not SQLite."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink

    async def receive(self, packet: bytes, via: str | None = None) -> str:
        self._sink.arrived(packet)
        return "stored"


class BenchNode:
    def __init__(
        self,
        index: int,
        relay: Relay,
        sink: Sink,
        ws: aiohttp.ClientSession,
        http: aiohttp.ClientSession,
    ) -> None:
        self.identity = Identity.generate(system_random)
        self.mailbox = MailboxKey(system_random(SEED_SIZE))
        self.card = ContactCard(
            Profile(f"Bench node {index}", Role.GP),
            Reachability(
                (Endpoint.relay(relay.url),),
                self.mailbox.mailbox_id,
                self.mailbox.deposit_capability,
            ),
        )
        self.peers: list[BenchNode] = []
        self.contacts: set[bytes] = set()
        receiver = cast(Receiver, BenchReceiver(sink))  # the stand-in has what it uses
        self.subscription = RelaySubscription(
            relay.url, self.mailbox, receiver, ws, time.time, system_random
        )
        # Deposit channels are long-lived WebSockets (relay protocol version 3): they take the
        # unlimited pool; the closed loop bounds the deposits in flight.
        self.transport = RelayTransport(ws)

    @property
    def node_id(self) -> bytes:
        return self.identity.public.node_id

    def add_contact(self, other: BenchNode) -> None:
        if other is self or other.node_id in self.contacts:
            return
        self.contacts.add(other.node_id)
        self.peers.append(other)

    async def send(self, to: BenchNode, seq: int) -> bool:
        """One message to a contact through the node's own deposit code; True if stored."""
        blob = STAMP.pack(time.perf_counter_ns(), seq) + FILLER
        (outcome,) = await self.transport.send(to.node_id, to.card.reachability, [blob])
        return outcome is Outcome.RELAYED


def pair_up(nodes: list[BenchNode], rng: random.Random) -> None:
    for node in nodes:
        others = [n for n in nodes if n is not node] if len(nodes) <= 64 else nodes
        for other in rng.sample(others, min(PAIRINGS_PER_NODE, len(others))):
            node.add_contact(other)
            other.add_contact(node)


class Fleet:
    """Simulated nodes on one relay, their two shared HTTP sessions and one sink."""

    def __init__(self, relay: Relay, pause: float) -> None:
        self.relay = relay
        self.pause = pause
        self.sink = Sink()
        self.nodes: list[BenchNode] = []
        self.sent = 0
        self.refused = 0
        self._seq = itertools.count()
        self._stack = contextlib.AsyncExitStack()
        self.ws: aiohttp.ClientSession
        self.http: aiohttp.ClientSession

    async def __aenter__(self) -> Fleet:
        self.ws = await self._stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        )
        self.http = await self._stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT))
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(node.subscription.stop() for node in self.nodes))
        await self._stack.aclose()
        gc.unfreeze()

    @staticmethod
    def settle() -> None:
        """Moves this process's long-lived objects (thousands of nodes and sockets) out of
        the garbage collector's sight: its full passes over them paused the client for up
        to ~150 ms, which showed as relay latency. Only this process; the relay keeps its
        own collector as it runs in production."""
        gc.collect()
        gc.freeze()

    def create(self, count: int, rng: random.Random) -> list[BenchNode]:
        nodes = [BenchNode(i, self.relay, self.sink, self.ws, self.http) for i in range(count)]
        pair_up(nodes, rng)
        self.nodes += nodes
        return nodes

    async def subscribe(self, nodes: list[BenchNode], seconds: float = 120) -> None:
        """Starts every node's subscription, a wave at a time, until all are welcomed."""
        async with asyncio.timeout(seconds):
            for start in range(0, len(nodes), SUBSCRIBE_WAVE):
                wave = nodes[start : start + SUBSCRIBE_WAVE]
                for node in wave:
                    node.subscription.start()
                while not all(node.subscription.connected for node in wave):
                    await asyncio.sleep(0.02)
            # Deposit channels count as connections too: closed first (they reopen when used).
            await asyncio.gather(*(node.transport.close() for node in self.nodes))
            while True:  # and the relay counts them all
                if (await self.relay.health(self.http))["connections"] == len(self.nodes):
                    return
                await asyncio.sleep(0.05)

    async def register(self, nodes: list[BenchNode], seconds: float = 120) -> None:
        """Subscribes ``nodes`` once (so that the relay holds their deposit capability's
        hash, as for any mailbox whose owner went offline), then closes them again."""
        await self.subscribe(nodes, seconds)
        await asyncio.gather(*(node.subscription.stop() for node in nodes))
        await asyncio.gather(*(node.transport.close() for node in self.nodes))
        async with asyncio.timeout(seconds):
            while (await self.relay.health(self.http))["connections"] != len(self.nodes) - len(
                nodes
            ):
                await asyncio.sleep(0.05)

    async def send(self, sender: BenchNode, recipient: BenchNode) -> None:
        if await sender.send(recipient, next(self._seq)):
            self.sent += 1
        else:
            self.refused += 1

    async def closed_loop(self, jobs: Iterator[tuple[BenchNode, BenchNode]]) -> None:
        """``IN_FLIGHT`` deposits at a time until ``jobs`` runs out."""

        async def worker() -> None:
            for sender, recipient in jobs:
                await self.send(sender, recipient)

        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))

    async def drain(self, seconds: float = 60) -> None:
        """Waits (boundedly) until every stored deposit has been delivered and the ACKs
        sent; what is still missing afterwards is reported as lost."""
        with contextlib.suppress(TimeoutError):
            await self.sink.until(self.sent, seconds)
        await asyncio.sleep(self.pause)


def random_jobs(
    nodes: list[BenchNode], rng: random.Random, until: float
) -> Iterator[tuple[BenchNode, BenchNode]]:
    """Random node to random contact, until ``until`` (perf_counter)."""
    while time.perf_counter() < until:
        sender = rng.choice(nodes)
        yield sender, rng.choice(sender.peers)


def even_jobs(nodes: list[BenchNode], messages: int) -> Iterator[tuple[BenchNode, BenchNode]]:
    """``messages`` messages, every mailbox receiving its share, each from its contacts."""
    for k in range(messages):
        recipient = nodes[k % len(nodes)]
        yield recipient.peers[(k // len(nodes)) % len(recipient.peers)], recipient


def percentile(values_ns: list[int], fraction: float) -> float:
    """In milliseconds."""
    if not values_ns:
        return float("nan")
    ordered = sorted(values_ns)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] / 1e6


# --- the phases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    nodes: int  # sustained load
    warm_up_seconds: float
    seconds: float  # closed-loop window
    paced_seconds: float
    scale: tuple[int, ...]  # mailboxes per scaling row; the first is the baseline
    messages: int  # per scaling row
    idle_seconds: float  # 0: the idle cost is not measured
    offline: int  # offline mailboxes holding one blob each
    rounds: int  # of the scaling table
    time_limit: float  # the whole run, seconds
    pause: float = 0.5  # for ACKs to land and memory to settle before a reading


QUICK: Final = Plan(1000, 3.0, 12.0, 8.0, (10, 1000, 10_000), 5000, 0.0, 10_000, 1, 600.0)
FULL: Final = Plan(1000, 5.0, 60.0, 30.0, (10, 1000, 10_000), 20_000, 30.0, 10_000, 3, 3600.0)


@dataclass
class Sustained:
    nodes: int
    seconds: float
    rate: float  # delivered/s in the closed-loop window
    p50_ms: float
    p99_ms: float
    paced_rate: float
    paced_p50_ms: float
    paced_p99_ms: float
    sent: int
    refused: int
    lost: int
    duplicates: int
    rss_fresh: int
    rss_subscribed: int
    rss_peak: int
    cpu_us: float  # relay CPU per delivered message, closed loop


@dataclass
class Row:
    mailboxes: int
    cpu_per_1000: float  # relay CPU seconds per 1,000 messages
    rate: float
    p99_ms: float
    rss_per_mailbox: float  # bytes
    rss_total: int
    idle_cpu: float | None  # relay CPU seconds per minute per 1,000 subscribed mailboxes
    lost: int
    duplicates: int


@dataclass
class Report:
    plan: Plan
    sustained: Sustained
    rows: list[Row] = field(default_factory=list)  # medians over the rounds
    offline_rss_per_mailbox: float = 0.0
    offline_accounted_per_mailbox: float = 0.0
    elapsed: float = 0.0

    @property
    def ratio(self) -> float:
        """Cost per message, largest vs smallest number of mailboxes."""
        return _ratio(self.rows[-1].cpu_per_1000, self.rows[0].cpu_per_1000)


def _ratio(value: float, base: float) -> float:
    """NaN when the base is zero (a run too short for the kernel's CPU clock ticks)."""
    return value / base if base else float("nan")


async def sustained(plan: Plan, rng: random.Random) -> Sustained:
    relay = Relay.start()
    try:
        async with Fleet(relay, plan.pause) as fleet:
            await asyncio.sleep(plan.pause)
            rss_fresh = relay.rss()
            nodes = fleet.create(plan.nodes, rng)
            await fleet.subscribe(nodes)
            fleet.settle()
            await asyncio.sleep(plan.pause)
            rss_subscribed = relay.rss()

            # Closed loop: the warm-up, then the measured window, in one stream of deposits.
            sink = fleet.sink
            start = time.perf_counter()
            window_start = start + plan.warm_up_seconds
            window_end = window_start + plan.seconds
            loop = asyncio.create_task(fleet.closed_loop(random_jobs(nodes, rng, window_end)))
            await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
            delivered, cpu = sink.delivered, relay.cpu()
            sink.record()
            await loop
            window = time.perf_counter() - window_start
            in_window = sink.delivered - delivered
            cpu = relay.cpu() - cpu
            sink.recording = False
            p50, p99 = percentile(sink.latencies_ns, 0.5), percentile(sink.latencies_ns, 0.99)
            await fleet.drain()

            # Open loop at half the sustained rate: latency below saturation.
            rate = in_window / window
            paced = max(1.0, rate / 2)
            sink.record()
            await paced_loop(fleet, nodes, rng, paced, plan.paced_seconds)
            await fleet.drain()
            sink.recording = False
            paced_p50 = percentile(sink.latencies_ns, 0.5)
            paced_p99 = percentile(sink.latencies_ns, 0.99)
            result = Sustained(
                nodes=plan.nodes,
                seconds=window,
                rate=rate,
                p50_ms=p50,
                p99_ms=p99,
                paced_rate=paced,
                paced_p50_ms=paced_p50,
                paced_p99_ms=paced_p99,
                sent=fleet.sent,
                refused=fleet.refused,
                lost=fleet.sent - sink.delivered,
                duplicates=sink.duplicates,
                rss_fresh=rss_fresh,
                rss_subscribed=rss_subscribed,
                rss_peak=relay.peak_rss(),
                cpu_us=cpu / max(1, in_window) * 1e6,
            )
    finally:
        relay.stop()
    return result


async def paced_loop(
    fleet: Fleet, nodes: list[BenchNode], rng: random.Random, rate: float, seconds: float
) -> None:
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()
    start = loop.time()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        sender = rng.choice(nodes)
        task = asyncio.create_task(fleet.send(sender, rng.choice(sender.peers)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)


async def scaling_row(
    plan: Plan, mailboxes: int, rng: random.Random, measure_idle: bool = False
) -> Row:
    relay = Relay.start()
    try:
        async with Fleet(relay, plan.pause) as fleet:
            # Warm the relay's code paths on a few mailboxes of their own, then measure.
            warm = fleet.create(4, rng)
            await fleet.subscribe(warm)
            await fleet.closed_loop(even_jobs(warm, min(200, plan.messages)))
            await fleet.drain()
            await asyncio.sleep(plan.pause)
            rss_before = relay.rss()
            nodes = fleet.create(mailboxes, rng)
            await fleet.subscribe(nodes)
            fleet.settle()
            await asyncio.sleep(plan.pause)
            rss_after = relay.rss()

            sent, delivered = fleet.sent, fleet.sink.delivered
            fleet.sink.record()
            cpu = relay.cpu()
            start = time.perf_counter()
            await fleet.closed_loop(even_jobs(nodes, plan.messages))
            with contextlib.suppress(TimeoutError):  # missing ones are reported as lost
                await fleet.sink.until(fleet.sent, 120)
            elapsed = time.perf_counter() - start
            await asyncio.sleep(plan.pause)  # the last ACKs are part of the cost
            cpu = relay.cpu() - cpu
            fleet.sink.recording = False
            count = fleet.sent - sent
            idle_cpu = None
            if measure_idle:
                # Pings start after a heartbeat period without traffic: wait it out first.
                await asyncio.sleep(RelayConfig().heartbeat_seconds + 1)
                idle = relay.cpu()
                await asyncio.sleep(plan.idle_seconds)
                idle = relay.cpu() - idle
                idle_cpu = idle / plan.idle_seconds * 60 / mailboxes * 1000
            row = Row(
                mailboxes=mailboxes,
                cpu_per_1000=cpu / max(1, count) * 1000,
                rate=(fleet.sink.delivered - delivered) / elapsed,
                p99_ms=percentile(fleet.sink.latencies_ns, 0.99),
                rss_per_mailbox=(rss_after - rss_before) / mailboxes,
                rss_total=rss_after,
                idle_cpu=idle_cpu,
                lost=fleet.sent - fleet.sink.delivered,
                duplicates=fleet.sink.duplicates,
            )
    finally:
        relay.stop()
    return row


async def offline_memory(plan: Plan, rng: random.Random) -> tuple[float, float]:
    """RSS and accounted bytes per offline mailbox holding one blob (its owner subscribed once,
    registering its deposit capability, then went away)."""
    relay = Relay.start()
    try:
        async with Fleet(relay, plan.pause) as fleet:
            warm = fleet.create(4, rng)
            await fleet.subscribe(warm)
            await fleet.closed_loop(even_jobs(warm, min(200, plan.messages)))
            await fleet.drain()
            await asyncio.sleep(plan.pause)
            before = relay.rss()
            accounted_before = cast(int, (await relay.health(fleet.http))["bytes"])
            nodes = fleet.create(plan.offline, rng)
            await fleet.register(nodes)  # subscribed once, then offline
            await fleet.closed_loop(even_jobs(nodes, plan.offline))
            await asyncio.sleep(plan.pause)
            health = await relay.health(fleet.http)
            if health["blobs"] != plan.offline or fleet.refused:
                raise RuntimeError(f"offline deposits: {health}, {fleet.refused} refused")
            rss = (relay.rss() - before) / plan.offline
            accounted = (cast(int, health["bytes"]) - accounted_before) / plan.offline
    finally:
        relay.stop()
    return rss, accounted


def raise_open_files(plan: Plan) -> None:
    """The relay (a child: it inherits the limit) and this process each hold one socket per
    subscription: raise the soft limit on open files to the hard one, and refuse to start if
    even that is too low. A relay left at a soft limit of 1,024 stops accepting at about
    1,000 connections, far below its max_connections."""
    needed = max(*plan.scale, plan.nodes, plan.offline) + 4 + 2 * IN_FLIGHT + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise RuntimeError(f"this plan needs {needed} open files; the hard limit is {hard}")
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else hard
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


async def run(plan: Plan) -> Report:
    raise_open_files(plan)
    rng = random.Random(7)
    started = time.perf_counter()
    async with asyncio.timeout(plan.time_limit):
        report = Report(plan, await sustained(plan, rng))
        rounds: dict[int, list[Row]] = {n: [] for n in plan.scale}
        for round_ in range(plan.rounds):
            for mailboxes in plan.scale:
                idle = bool(plan.idle_seconds) and round_ == 0 and mailboxes == plan.scale[-1]
                rounds[mailboxes].append(await scaling_row(plan, mailboxes, rng, idle))
        report.rows = [_median(rows) for rows in rounds.values()]
        if plan.offline:
            rss, accounted = await offline_memory(plan, rng)
            report.offline_rss_per_mailbox = rss
            report.offline_accounted_per_mailbox = accounted
    report.elapsed = time.perf_counter() - started
    return report


def _median(rows: list[Row]) -> Row:
    def med(name: str) -> float:
        return float(statistics.median(getattr(row, name) for row in rows))

    return Row(
        mailboxes=rows[0].mailboxes,
        cpu_per_1000=med("cpu_per_1000"),
        rate=med("rate"),
        p99_ms=med("p99_ms"),
        rss_per_mailbox=med("rss_per_mailbox"),
        rss_total=int(med("rss_total")),
        idle_cpu=next((row.idle_cpu for row in rows if row.idle_cpu is not None), None),
        lost=sum(row.lost for row in rows),
        duplicates=sum(row.duplicates for row in rows),
    )


# --- the report -------------------------------------------------------------------------------


def _mib(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


def lines(report: Report) -> list[str]:
    plan, s = report.plan, report.sustained
    base = report.rows[0]
    out = [
        f"bench/load: one relay on 127.0.0.1, opaque {BLOB_SIZE}-byte blobs, "
        f"{IN_FLIGHT} deposits in flight, {os.cpu_count()} CPUs shared by relay and clients; "
        f"{report.elapsed:.0f} s",
        f"sustained, {s.nodes:,} nodes subscribed (about {2 * PAIRINGS_PER_NODE} contacts "
        f"each), random node to random contact:",
        f"  delivered/s, closed loop, {s.seconds:.0f} s window   {s.rate:>9.0f} /s",
        f"    latency deposit -> delivery p50 / p99       {s.p50_ms:>9.2f} ms / {s.p99_ms:.2f} ms",
        f"    relay CPU per delivered message              {s.cpu_us:>9.0f} us",
        f"  paced at half that ({s.paced_rate:.0f}/s, {plan.paced_seconds:.0f} s) p50 / p99"
        f"  {s.paced_p50_ms:>9.2f} ms / {s.paced_p99_ms:.2f} ms",
        f"  stored {s.sent:,}, refused {s.refused}, lost {s.lost}, duplicates {s.duplicates}",
        f"  relay RSS: fresh {_mib(s.rss_fresh)}, {s.nodes:,} subscribed "
        f"{_mib(s.rss_subscribed)}, peak {_mib(s.rss_peak)}",
        f"scaling: a fresh relay per row, every mailbox subscribed, {plan.messages:,} "
        f"messages spread evenly, median of {plan.rounds} round(s); "
        f"baseline = {base.mailboxes} mailboxes",
        f"  {'mailboxes':>9}  {'CPU s/1k msgs':>13}  {'ratio':>6}  {'msgs/s':>7}  "
        f"{'p99 ms':>7}  {'RSS/mailbox':>11}  {'relay RSS':>9}",
    ]
    for row in report.rows:
        out.append(
            f"  {row.mailboxes:>9,}  {row.cpu_per_1000:>13.3f}  "
            f"{_ratio(row.cpu_per_1000, base.cpu_per_1000):>5.2f}x  {row.rate:>7.0f}  "
            f"{row.p99_ms:>7.1f}  {row.rss_per_mailbox / 1024:>8.1f} KB  "
            f"{_mib(row.rss_total):>9}"
        )
    for row in report.rows:
        if row.idle_cpu is not None:
            out.append(
                f"  idle subscriptions ({row.mailboxes:,}, heartbeats only): relay CPU "
                f"{row.idle_cpu:.3f} s per minute per 1,000 mailboxes "
                f"({row.idle_cpu * row.mailboxes / 1000 / 60:.1%} of a core in all)"
            )
    lost = sum(row.lost for row in report.rows)
    duplicates = sum(row.duplicates for row in report.rows)
    out.append(f"  lost {lost}, duplicates {duplicates}")
    if len(report.rows) > 2:
        mid, top = report.rows[-2], report.rows[-1]
        out.append(
            f"  memory per mailbox, {top.mailboxes:,} vs {mid.mailboxes:,}: "
            f"{_ratio(top.rss_per_mailbox, mid.rss_per_mailbox):.2f}x (the RSS of "
            f"{base.mailboxes} mailboxes is below page-level resolution)"
        )
    if plan.offline:
        out.append(
            f"  {plan.offline:,} offline mailboxes, one blob queued each: RSS "
            f"{report.offline_rss_per_mailbox / 1024:.1f} KB per mailbox (the relay accounts "
            f"{report.offline_accounted_per_mailbox / 1024:.1f} KB against its memory caps)"
        )
    verdict = "OK" if report.ratio <= GOAL else "MISSED"
    out.append(
        f"goal flat cost per message: {report.rows[-1].mailboxes:,} vs {base.mailboxes:,} "
        f"mailboxes {report.ratio:.2f}x (goal <= {GOAL}x): {verdict}"
    )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the default: under 3 minutes")
    mode.add_argument("--full", action="store_true", help="longer windows, 3 rounds")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of the scaling table")
    args = parser.parse_args(argv)
    plan = FULL if args.full else QUICK
    if args.rounds:
        plan = dataclasses.replace(plan, rounds=args.rounds)
    for line in lines(asyncio.run(run(plan))):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
