"""Node-to-node delivery rate with full crypto and durable commits, next to raw baselines.

    python -m bench.direct [--messages N] [--in-flight 32] [--quick]

Measured in one run, on this machine:
- raw POST: a minimal aiohttp server answering 1 KiB POSTs, ``--in-flight`` at once;
- raw commits: sqlite3 (WAL, synchronous=FULL) inserting 1 KiB rows, ``--in-flight`` per
  commit;
- node backlog: two real ``releve node`` processes on 127.0.0.1; N messages are queued while
  the recipient is stopped, then the recipient starts; from the first delivery to the last,
  the rate at which they are committed there is measured (packet open, ratchet, commit,
  delivery receipts back);
- node end to end: N messages submitted through the local API, ``--in-flight`` at once, until
  all are committed at the recipient.

The goal (issue 3): node backlog delivery at least 0.5x the raw POST rate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import aiohttp
from aiohttp import web

from tests.integration.nodes import Node, pair, wait_for

BODY = os.urandom(1024)
GOAL = 0.5


async def raw_post_rate(requests: int, in_flight: int) -> float:
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"status": "stored"})

    app = web.Application()
    app.router.add_post("/v1/packet", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}/v1/packet"
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=in_flight)) as http:

        async def worker() -> None:
            while not queue.empty():
                queue.get_nowait()
                async with http.post(url, data=BODY) as response:
                    await response.read()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        elapsed = time.perf_counter() - start
    await runner.cleanup()
    return requests / elapsed


def raw_commit_rate(rows: int, batch: int, folder: Path) -> float:
    db = sqlite3.connect(folder / "raw.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
    start = time.perf_counter()
    for offset in range(0, rows, batch):
        db.execute("BEGIN")
        db.executemany("INSERT INTO t (body) VALUES (?)", [(BODY,)] * min(batch, rows - offset))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return rows / elapsed


def node_rates(messages: int, in_flight: int, folder: Path) -> tuple[float, float]:
    gp = Node(folder / "gp", "Bench GP", "gp")
    pharmacy = Node(folder / "pharmacy", "Bench Pharmacy", "pharmacist")
    text = BODY.hex()[:1000]
    try:
        for node in (gp, pharmacy):
            node.init()
            node.start()
        pair(gp, pharmacy)

        # Backlog: queue while the recipient is down, then time the catch-up.
        pharmacy.stop()
        with ThreadPoolExecutor(in_flight) as pool:
            list(pool.map(lambda i: gp.send("Bench Pharmacy", f"{i} {text}"), range(messages)))
        pharmacy.start(wait=False)
        wait_for(pharmacy.api_info.exists, 60, "the recipient to start", 0.01)
        # The clock starts at the first delivery: before it, the sender is only waiting out
        # its retry delay for a contact that was down (policy, not throughput).
        first = wait_for(lambda: _count(pharmacy), 60, "the first delivery", 0.01)
        start = time.perf_counter()
        wait_for(lambda: _count(pharmacy) >= messages, 300, "the backlog", 0.02)
        backlog = (messages - first) / (time.perf_counter() - start)

        # End to end through the local API.
        start = time.perf_counter()
        with ThreadPoolExecutor(in_flight) as pool:
            list(pool.map(lambda i: gp.send("Bench Pharmacy", f"e2e {i} {text}"), range(messages)))
        wait_for(lambda: _count(pharmacy) >= 2 * messages, 300, "end-to-end messages", 0.05)
        end_to_end = messages / (time.perf_counter() - start)
        return backlog, end_to_end
    finally:
        for node in (gp, pharmacy):
            if node.process is not None:
                node.stop()


def _count(node: Node) -> int:
    return int(node.request("GET", "/v1/status")["unread"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.direct", description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    args = parser.parse_args(argv)
    messages, rounds = (100, 1) if args.quick else (args.messages, args.rounds)
    raw_posts, raw_commits, backlogs, end_to_ends = [], [], [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="releve-bench-") as tmp:
            folder = Path(tmp)
            raw_posts.append(asyncio.run(raw_post_rate(messages * 2, args.in_flight)))
            raw_commits.append(raw_commit_rate(messages * 2, args.in_flight, folder))
            backlog, end_to_end = node_rates(messages, args.in_flight, folder)
            backlogs.append(backlog)
            end_to_ends.append(end_to_end)
    post, commit = statistics.median(raw_posts), statistics.median(raw_commits)
    backlog, end_to_end = statistics.median(backlogs), statistics.median(end_to_ends)
    print(
        f"bench/direct: {messages} messages of 1 KiB, {args.in_flight} in flight, "
        f"median of {rounds} round(s)"
    )
    print(f"  {'raw aiohttp POST':<34}{post:>10.0f} /s   1.00x")
    print(f"  {'raw sqlite3 batched commits':<34}{commit:>10.0f} /s   1.00x")
    print(
        f"  {'node to node, backlog':<34}{backlog:>10.0f} /s   {backlog / post:.2f}x POST"
        f"   {backlog / commit:.2f}x commits"
    )
    print(
        f"  {'node to node, via local API':<34}{end_to_end:>10.0f} /s   "
        f"{end_to_end / post:.2f}x POST   {end_to_end / commit:.2f}x commits"
    )
    verdict = "OK" if backlog / post >= GOAL else "BELOW GOAL"
    print(f"node-to-node delivery: {backlog / post:.2f}x raw POST (goal >= {GOAL}x): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
