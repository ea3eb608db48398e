"""Node-to-node delivery over the direct transport, next to a bare aiohttp server in another
process receiving the same batched bodies (a report, not a test; everything on 127.0.0.1).

    python -m bench.direct                # 3,000 messages a round, 3 rounds of each
    python -m bench.direct --quick        # 1,000 messages, 2 rounds: well under a minute
    python -m bench.direct --profile      # the nodes under cProfile (slower): where time goes
    python -m bench.direct --py-spy       # py-spy samples both nodes (every thread) meanwhile

Measured, in interleaved rounds (the order flips every round), with the nodes' DEFAULT
settings (no test timings):

- node: two real ``releve node`` processes, paired. This process submits N texts through the
  sender's local API (``POST /v1/messages``, ``--in-flight`` at once over keep-alive
  connections); the clock starts before the first submission (sealing, the sender's commit
  and its outbox are inside it) and stops when the N-th text is committed in the recipient's
  database. Completion is watched from this process through a read-only SQLite connection to
  the recipient's database every 20 ms (WAL: the reader never blocks the node's writer, and
  the node under test answers no extra request). The 20 ms resolution is at most 2 % of a
  round here.
- bare: ``python -m bench.bare_server`` in its own process, the client in this one, doing
  what the sender's direct transport does minus the node: the same N packets (random bytes
  of the size the node seals for that text), framed the same way in batches of
  ``MAX_BATCH`` (64) to ``POST /v1/packets``, as many requests in flight as the outbox
  allows per contact (4), over an aiohttp session with the node's connection limits
  (keep-alive), reading the same ``{"results": [...]}`` answer. Clock from the first request
  to the last answer; each bare round is 5 such passes, its rate the median pass's.

The figure is messages/s for both, and the ratio node/bare per round (median over rounds).
Goal (issue 13): at least 0.5x. Beside it, the CPU seconds each side's processes spent per
message (the two nodes; the bare server plus this client), and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import resource
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import aiohttp

from bench import processes
from bench.pairs import sealed_text_size
from bench.processes import NodeProcess
from node.app import HTTP_LIMIT, HTTP_LIMIT_PER_HOST
from node.core.outbox import REQUESTS_PER_CONTACT
from node.edges.peer_wire import BATCH_PATH, MAX_BATCH

GOAL: Final = 0.5
WATCH_SECONDS: Final = 0.02
BARE_PASSES: Final = 5
TEXT_CHARS: Final = 800  # a long clinical note; sealed in the 1 KiB bucket
_U32: Final = struct.Struct(">I")
# Incoming texts committed after a given row (the bench's rows are its only texts).
_ARRIVED: Final = (
    "SELECT COUNT(*) FROM messages WHERE rowid > {after} AND direction = 'in' AND kind = 1"
)


def cpu_seconds(pid: int) -> float:
    """User + system time of a running process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Round:
    rate: float  # messages/s
    cpu: float  # CPU seconds per message, the processes doing the work


# --- the bare baseline -------------------------------------------------------------------------


async def bare_round(url: str, messages: int, packet_size: int, passes: int = 5) -> Round:
    """The N packets, ``passes`` times over (a pass lasts tens of milliseconds: one alone is
    at the mercy of a scheduling hiccup); the median pass's rate, the CPU of all passes."""
    packets = [os.urandom(packet_size) for _ in range(MAX_BATCH)]
    batches = [min(MAX_BATCH, messages - start) for start in range(0, messages, MAX_BATCH)]
    connector = aiohttp.TCPConnector(limit=HTTP_LIMIT, limit_per_host=HTTP_LIMIT_PER_HOST)
    async with aiohttp.ClientSession(connector=connector) as http:
        queue: asyncio.Queue[int] = asyncio.Queue()

        async def sender() -> None:
            while not queue.empty():
                size = queue.get_nowait()
                body = b"".join(_U32.pack(len(p)) + p for p in packets[:size])
                async with http.post(
                    url + BATCH_PATH,
                    data=body,
                    headers={"Content-Type": "application/octet-stream"},
                ) as response:
                    results = (await response.json())["results"]
                    assert response.status == 200
                    assert len(results) == size

        # A warm connection, as the node's long-lived session has.
        async with http.post(url + BATCH_PATH, data=_U32.pack(1) + packets[0]) as response:
            await response.read()
        rates = []
        cpu_before = own_cpu_seconds()
        for _ in range(passes):
            for size in batches:
                queue.put_nowait(size)
            start = time.perf_counter()
            await asyncio.gather(*(sender() for _ in range(REQUESTS_PER_CONTACT)))
            rates.append(messages / (time.perf_counter() - start))
        cpu = own_cpu_seconds() - cpu_before
    return Round(statistics.median(rates), cpu / (messages * passes))


# --- the nodes ---------------------------------------------------------------------------------


async def submit(node: NodeProcess, contact: str, texts: list[str], in_flight: int) -> None:
    """POST /v1/messages for each text, ``in_flight`` at once (keep-alive)."""
    url, headers = node.api_url + "/v1/messages", {"Authorization": f"Bearer {node.token}"}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for text in texts:
        queue.put_nowait(text)
    connector = aiohttp.TCPConnector(limit=in_flight)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:

        async def worker() -> None:
            while not queue.empty():
                text = queue.get_nowait()
                async with http.post(url, json={"contact": contact, "text": text}) as response:
                    await response.read()
                    assert response.status == 201, response.status

        await asyncio.gather(*(worker() for _ in range(in_flight)))


async def watch(
    database: Path, sql: str, target: int, timeout: float, *, down: bool = False
) -> float:
    """Waits until ``sql`` counts at least ``target`` rows (``down``: at most); returns when
    it was seen."""
    db = processes.read_only(database)
    try:
        deadline = time.perf_counter() + timeout

        def reached() -> bool:
            count = processes.count_rows(db, sql)
            return count <= target if down else count >= target

        while not reached():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"timed out waiting for {target} rows")
            await asyncio.sleep(WATCH_SECONDS)
        return time.perf_counter()
    finally:
        db.close()


class Nodes:
    def __init__(self, folder: Path) -> None:
        self.gp = NodeProcess(folder / "gp", "Bench GP", "gp")
        self.pharmacy = NodeProcess(folder / "pharmacy", "Bench Pharmacy", "pharmacist")
        self.contact = ""
        self.sent = 0

    def start(self) -> None:
        for node in (self.gp, self.pharmacy):
            node.init()
            node.start()
        self.gp.pair_with(self.pharmacy)
        self.contact = self.pharmacy.name

    def stop(self) -> None:
        for node in (self.gp, self.pharmacy):
            node.stop()

    def last_row(self) -> int:
        db = processes.read_only(self.pharmacy.database)
        try:
            return processes.count_rows(db, "SELECT COALESCE(MAX(rowid), 0) FROM messages")
        finally:
            db.close()

    async def settle(self) -> None:
        """Until the sender's outbox is empty: every delivery receipt is back, nothing of the
        previous round is still in flight."""
        await watch(self.gp.database, "SELECT COUNT(*) FROM outbox", 0, 120, down=True)

    async def round(self, messages: int, in_flight: int, text: str) -> Round:
        await self.settle()
        after = self.last_row()
        texts = [f"{self.sent + i:08d} {text}"[: len(text)] for i in range(messages)]
        self.sent += messages
        pids = [n.process.pid for n in (self.gp, self.pharmacy) if n.process is not None]
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        start = time.perf_counter()
        watcher = asyncio.create_task(
            watch(self.pharmacy.database, _ARRIVED.format(after=after), messages, 600)
        )
        await submit(self.gp, self.contact, texts, in_flight)
        end = await watcher
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        return Round(messages / (end - start), cpu / messages)


def print_profiles(folder: Path) -> None:
    for name in ("gp", "pharmacy"):
        path = folder / f"{name}.prof"
        if not path.exists():
            print(f"(no profile for {name})")
            continue
        print(f"\n--- cProfile of the {name} node (main thread), by own time ---")
        stats = pstats.Stats(str(path))
        stats.sort_stats("tottime").print_stats(25)
        print(f"--- the {name} node, by cumulative time ---")
        stats.sort_stats("cumulative").print_stats(35)


def start_py_spy(nodes: Nodes, folder: Path) -> list[subprocess.Popen[bytes]]:
    """py-spy (``pip install py-spy``) sampling both node processes, every thread, into
    collapsed stacks; stopped with SIGINT, it writes them."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    started = []
    for node in (nodes.gp, nodes.pharmacy):
        assert node.process is not None
        out = folder / f"{node.home.name}.spy"
        command = [spy, "record", "-p", str(node.process.pid), "-r", "250", "--threads"]
        command += ["--nonblocking", "--format", "raw", "-o", str(out)]
        started.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
    time.sleep(1)  # attached before the clock starts
    return started


def print_py_spy(spies: list[subprocess.Popen[bytes]], folder: Path) -> None:
    for spy in spies:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)
    for name in ("gp", "pharmacy"):
        path = folder / f"{name}.spy"
        if not path.exists():
            print(f"(no py-spy samples for {name}: is ptrace allowed?)")
            continue
        own: Counter[str] = Counter()
        inclusive: Counter[str] = Counter()
        total = 0
        for line in path.read_text().splitlines():
            stack, _, count_text = line.rpartition(" ")
            count = int(count_text)
            frames = [f for f in stack.split(";") if not f.startswith(("thread", "process"))]
            if not frames or "select" in frames[-1] or "wait (threading" in frames[-1]:
                continue  # idle: an event loop or a worker thread waiting
            total += count
            own[frames[-1]] += count
            for frame in set(frames):
                inclusive[frame] += count
        print(f"\n--- py-spy, the {name} node: {total} busy samples (all threads) ---")
        print("  by own time:")
        for frame, count in own.most_common(20):
            print(f"    {count / total:6.1%}  {frame}")
        print("  by inclusive time (node, aiohttp, aiosqlite, nacl frames):")
        shown = 0
        for frame, count in inclusive.most_common():
            if any(part in frame for part in ("node/", "aiohttp/", "aiosqlite/", "nacl/")):
                print(f"    {count / total:6.1%}  {frame}")
                shown += 1
                if shown == 30:
                    break


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.direct", description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--in-flight", type=int, default=32, help="submissions at once")
    parser.add_argument("--quick", action="store_true", help="1,000 messages, 2 rounds")
    parser.add_argument("--profile", action="store_true", help="the nodes under cProfile")
    parser.add_argument("--py-spy", action="store_true", help="sample the nodes with py-spy")
    args = parser.parse_args(argv)
    messages, rounds = (1000, 2) if args.quick else (args.messages, args.rounds)
    text = ("Compte rendu : patient stable, traitement inchangé, contrôle INR dans 7 jours. " * 20)[
        :TEXT_CHARS
    ]
    packet_size = sealed_text_size(text)
    with tempfile.TemporaryDirectory(prefix="releve-bench-direct-") as tmp:
        folder = Path(tmp)
        if args.profile:
            os.environ[processes.PROFILE_ENV] = str(folder)
        nodes = Nodes(folder)
        bare, url = processes.start_listening(["-m", "bench.bare_server", "127.0.0.1:0"])
        node_rounds: list[Round] = []
        bare_rounds: list[Round] = []
        spies: list[subprocess.Popen[bytes]] = []
        try:
            nodes.start()
            # Warm-up: sessions, connections and caches on both sides.
            asyncio.run(nodes.round(MAX_BATCH * 2, args.in_flight, text))
            asyncio.run(bare_round(url, MAX_BATCH * 4, packet_size))
            if args.py_spy:
                spies = start_py_spy(nodes, folder)
            for index in range(rounds):
                order = ("node", "bare") if index % 2 == 0 else ("bare", "node")
                for which in order:
                    if which == "node":
                        node_rounds.append(asyncio.run(nodes.round(messages, args.in_flight, text)))
                    else:
                        bare_cpu = cpu_seconds(bare.pid)
                        result = asyncio.run(bare_round(url, messages, packet_size, BARE_PASSES))
                        result.cpu += (cpu_seconds(bare.pid) - bare_cpu) / (messages * BARE_PASSES)
                        bare_rounds.append(result)
                print(
                    f"  round {index + 1}: node {node_rounds[-1].rate:,.0f}/s,"
                    f" bare {bare_rounds[-1].rate:,.0f}/s ({processes.load_average()})"
                )
            if spies:
                print_py_spy(spies, folder)
        finally:
            nodes.stop()
            processes.stop(bare, 10)
        ratios = [n.rate / b.rate for n, b in zip(node_rounds, bare_rounds, strict=True)]
        node_rate = statistics.median(r.rate for r in node_rounds)
        bare_rate = statistics.median(r.rate for r in bare_rounds)
        node_cpu = statistics.median(r.cpu for r in node_rounds)
        bare_cpu = statistics.median(r.cpu for r in bare_rounds)
        ratio = statistics.median(ratios)
        print(
            f"bench/direct: {messages:,} texts of {len(text)} characters ({packet_size}-byte"
            f" packets), batches of {MAX_BATCH}, {REQUESTS_PER_CONTACT} requests in flight,"
            f" {args.in_flight} submissions in flight; median of {rounds} rounds"
            + (" (nodes under cProfile)" if args.profile else "")
        )
        print(f"  {'bare aiohttp server, same batches':<44}{bare_rate:>9,.0f} msg/s   1.00x")
        print(f"  {'node to node, from the local API':<44}{node_rate:>9,.0f} msg/s   {ratio:.3f}x")
        print(
            f"  CPU per message: nodes {node_cpu * 1e6:,.0f} µs, bare server + client"
            f" {bare_cpu * 1e6:,.0f} µs ({node_cpu / bare_cpu:.1f}x)"
        )
        print(f"  per-round ratios: {', '.join(f'{r:.3f}' for r in ratios)}")
        verdict = "met" if ratio >= GOAL else "NOT met"
        print(f"node-to-node delivery: {ratio:.3f}x the bare server (goal >= {GOAL}x): {verdict}")
        print(f"({processes.load_average()})")
        if args.profile:
            print_profiles(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
