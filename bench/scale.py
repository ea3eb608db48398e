"""Scale-out figures for the relay (issue 13; a report, not a test; everything on loopback).

    .venv/bin/python -m bench.scale            # 10,000 and 50,000 idle subscriptions
    .venv/bin/python -m bench.scale --quick    # 2,000 and 5,000, shorter rounds

1. Through nginx against direct: one relay process (``python -m relay``), and nginx in front
   of it configured as docs/operations.md says (``hash $mailbox consistent`` over an upstream,
   WebSocket upgrade headers), started by the bench with its own configuration in a
   temporary prefix. The same client as bench.relay (100 pairs x 1 in flight, deposit
   channels and subscriptions of relay protocol version 3) runs in interleaved rounds
   against the relay directly and through nginx: the relay's CPU per message (user + system,
   /proc/PID/stat) each way, their ratio, and nginx's own CPU per message beside.
2. Memory per subscribed mailbox: a fresh relay; its RSS before, then with N idle
   authenticated subscriptions (each its own mailbox key, its deposit capability registered),
   over N, for N = 10,000 and 50,000. The file limit is raised (the hard limit too, where the
   process may: CAP_SYS_RESOURCE; otherwise the largest N the hard limit allows is measured
   and said) and the client connects from several loopback addresses (one address has about
   28,000 ephemeral ports).

``uptime`` load is printed beside every figure: the two cores are shared.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import nacl.bindings as sodium

from bench import processes
from bench.relay import RELAY_ENV, Load, RelayPair, Server, cpu_seconds, open_pairs, run_round
from node.protocol.relay_wire import (
    Auth,
    Challenge,
    Welcome,
    decode_frame,
    deposit_capability_for,
    deposit_hash_for,
    mailbox_subscribe_path,
)
from tests.faults.nginx import Nginx


def nginx_worker(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


async def through_nginx(pairs: int, rounds: int, warmup: float, window: float) -> None:
    relay_p, relay_url = processes.start_listening(
        ["-m", "relay", "--listen", "127.0.0.1:0"], {**RELAY_ENV}
    )
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as tmp:
        relay_port = int(relay_url.rsplit(":", 1)[1])
        nginx = Nginx(Path(tmp) / "nginx", [relay_port], connections=4096)
        worker = nginx_worker(nginx.process.pid)
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                direct_load, proxied_load = Load(), Load()
                direct = Server(
                    "direct",
                    relay_p,
                    relay_url,
                    await open_pairs(http, RelayPair, relay_url, pairs, direct_load),
                    direct_load,
                )
                url = nginx.url
                proxied = Server(
                    "nginx",
                    relay_p,
                    url,
                    await open_pairs(http, RelayPair, url, pairs, proxied_load, first=pairs + 1),
                    proxied_load,
                )
                cpu: dict[str, list[float]] = {"direct": [], "nginx": [], "nginx itself": []}
                for _ in range(rounds):
                    for server in (direct, proxied):
                        n0 = cpu_seconds(worker)
                        before = time.perf_counter()
                        result = await run_round(server, 1, warmup, window)
                        spent = cpu_seconds(worker) - n0
                        cpu[server.name].append(result.cpu_per_message_us)
                        if server is proxied:
                            messages = result.rate * (time.perf_counter() - before)
                            cpu["nginx itself"].append(spent / max(1.0, messages) * 1e6)
                for server in (direct, proxied):
                    for pair in server.pairs:
                        await pair.close()
        finally:
            nginx.stop()
            processes.stop(relay_p, 5)
    d, n = statistics.median(cpu["direct"]), statistics.median(cpu["nginx"])
    print(
        f"relay CPU per message, {pairs} x 1: direct {d:.1f} us, through nginx {n:.1f} us,"
        f" ratio {n / d:.2f}x (nginx worker itself about"
        f" {statistics.median(cpu['nginx itself']):.1f} us/msg, an upper bound: its CPU over"
        f" the round); {processes.load_average()}"
    )


def raise_file_limit(wanted: int) -> int:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))  # root only
            return wanted
        except (ValueError, OSError):
            wanted = hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return wanted


async def idle_subscriptions(count: int) -> None:
    # The client and the relay are two processes: each needs a descriptor per connection.
    limit = raise_file_limit(count + 2048)
    if limit < count + 1024:
        fits = max(0, limit - 1024) // 1000 * 1000
        print(
            f"{count:,} idle subscriptions: not possible here (hard open-file limit {limit},"
            f" and raising it needs CAP_SYS_RESOURCE); measuring {fits:,} instead"
        )
        if fits == 0:
            return
        count = fits
    env = {
        **RELAY_ENV,
        "RELEVE_RELAY_MAX_CONNECTIONS": str(count + 1000),
        "RELEVE_RELAY_AUTH_TIMEOUT_SECONDS": "120",
    }
    relay_p, relay_url = processes.start_listening(["-m", "relay", "--listen", "127.0.0.1:0"], env)
    sessions: list[aiohttp.ClientSession] = []
    sockets: list[aiohttp.ClientWebSocketResponse] = []
    try:
        await asyncio.sleep(0.5)
        before = processes.rss(relay_p)
        per_address = 20_000
        for index in range((count + per_address - 1) // per_address):
            connector = aiohttp.TCPConnector(limit=0, local_addr=(f"127.0.0.{index + 2}", 0))
            sessions.append(aiohttp.ClientSession(connector=connector))

        async def subscribe(number: int) -> None:
            seed = (number + 1).to_bytes(8, "big") * 4
            public, secret = sodium.crypto_sign_seed_keypair(seed)
            deposit_hash = deposit_hash_for(deposit_capability_for(seed))
            mailbox = Auth(bytes(public), b"", b"").mailbox_id
            http = sessions[number // per_address]
            ws = await http.ws_connect(
                relay_url + mailbox_subscribe_path(mailbox), compress=0, heartbeat=None
            )
            challenge = decode_frame((await ws.receive()).data)
            if not isinstance(challenge, Challenge):
                raise RuntimeError("no challenge")
            await ws.send_bytes(
                Auth.sign(challenge.nonce, bytes(public), bytes(secret), deposit_hash).encode()
            )
            if not isinstance(decode_frame((await ws.receive()).data), Welcome):
                raise RuntimeError("no welcome")
            sockets.append(ws)

        started = time.monotonic()
        for start in range(0, count, 200):
            await asyncio.gather(*(subscribe(n) for n in range(start, min(count, start + 200))))
        await asyncio.sleep(2)
        after = processes.rss(relay_p)
        print(
            f"{count:,} idle subscriptions: relay RSS {before / 2**20:.0f} MiB ->"
            f" {after / 2**20:.0f} MiB, {(after - before) / count / 1024:.1f} KiB per subscribed"
            f" mailbox (opened in {time.monotonic() - started:.0f} s); {processes.load_average()}"
        )
    finally:
        sockets.clear()
        for http in sessions:  # closing a session aborts its connections
            await http.close()
        processes.stop(relay_p, 10)


async def bench(quick: bool) -> int:
    if quick:
        await through_nginx(100, 2, 0.5, 1.5)
        for count in (2_000, 5_000):
            await idle_subscriptions(count)
    else:
        await through_nginx(100, 3, 1.0, 4.0)
        for count in (10_000, 50_000):
            await idle_subscriptions(count)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="smaller counts, shorter rounds")
    args = parser.parse_args(argv)
    return asyncio.run(bench(args.quick))


if __name__ == "__main__":
    raise SystemExit(main())
