"""Reads do not get slower as the store grows: ``status``, the inbox and a conversation's last
100 messages with a large store, against the same reads with a small one (a report, not a test).

    python -m bench.reads                 # 1,000 against 100,000 messages, 300 repetitions
    python -m bench.reads --quick         # the same stores, 60 repetitions: under a minute

Two homes are made by ``releve init``; their stores are filled through the storage layer's own
insert path (``Store.insert_message`` and ``Store.submit``: bodies encrypted with the home's data
key, an audit entry per message, indexes from the migrations), with the same shape at both
sizes: 10 contacts, messages taking turns between them, half received and half sent, one a
minute; all read or delivered but the last 20 received (unread), 2 % urgent of which only the
last 3 each way are unacknowledged. Then both homes run as real ``releve node`` processes
(default settings, no listening for peers) and this process times, over keep-alive connections,
``GET /v1/status``, ``GET /v1/inbox`` and ``GET /v1/messages?contact=X&limit=100``: each
request from sending it to the last byte of the answer, the two stores taking turns request by
request (the order flipping each repetition). Figures are medians; the ratio is large/small.

Goal (issue 13): every ratio at most 1.2x.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import statistics
import tempfile
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from bench import processes
from bench.pairs import paired
from bench.processes import NodeProcess
from node.core.ports import AuditEvent, Change
from node.core.records import MessageRow
from node.paths import HomeLayout
from node.protocol import ContactCard, Identity, Profile, Reachability, Role, system_random
from node.protocol.conversation import Meta, Priority, TextContent, encode_conversation
from node.storage import keystore
from node.storage.store import Store

GOAL: Final = 1.2
CONTACTS: Final = 10
UNREAD: Final = 20
URGENT_EVERY: Final = 50
URGENT_WAITING: Final = 3  # each way
BATCH: Final = 2000
TEXT: Final = (
    "Bonjour, patient vu ce jour pour renouvellement. Tension 13/8, poids stable. "
    "Merci de délivrer le traitement habituel pour trois mois. Bonne journée."
)
ENDPOINTS: Final = ("status", "inbox", "conversation")


def _contact_names() -> list[str]:
    return [f"Pharmacie {index:02d}" for index in range(CONTACTS)]


async def fill(home: Path, messages: int, focus: int = 0) -> None:
    """Writes contacts and messages into a stopped node's store; the newest ``focus``
    messages all belong to the first contact's conversation (bench.web_render)."""
    layout = HomeLayout(home)
    unlocked = keystore.unlock(layout, None)
    store = await Store.open(layout, unlocked.cipher)
    try:
        await store.start()
        now = time.time()
        contacts: list[bytes] = []
        changes: list[Change] = []
        for name in _contact_names():
            peer = Identity.generate(system_random)
            card = ContactCard(Profile(name, Role.PHARMACIST), Reachability())
            session, _ = paired(unlocked.identity, peer, card)
            changes.append(store.insert_contact(peer.public, card, session, now - 86400 * 365))
            contacts.append(peer.public.node_id)
        await store.submit(changes, [], now)
        seqs = {(c, d): 0 for c in contacts for d in ("in", "out")}
        last_in = {c: 0 for c in contacts}
        # Which messages are unread or awaiting acknowledgement: counted from the newest.
        received = [i for i in range(messages) if i % 2]
        unread = set(received[-UNREAD:])
        urgent = [i for i in range(messages) if i % URGENT_EVERY in (0, 1)]
        urgent_ids = frozenset(urgent)
        waiting = {*[i for i in urgent if i % 2][-URGENT_WAITING:]}
        waiting |= {*[i for i in urgent if not i % 2][-URGENT_WAITING:]}
        changes, events = [], []
        for index in range(messages):
            newest = index >= messages - focus
            contact = contacts[0 if newest else index % CONTACTS]
            direction = "in" if index % 2 else "out"
            at = now - (messages - index) * 60.0
            priority = Priority.URGENT if index in urgent_ids else Priority.NORMAL
            kind, body = encode_conversation(Meta(priority), TextContent(TEXT))
            seq = seqs[contact, direction]
            seqs[contact, direction] = seq + 1
            acknowledged = None
            if priority is Priority.URGENT and index not in waiting:
                acknowledged = at + 30
            if direction == "in":
                last_in[contact] = seq
                status = "received" if index in unread else "read"
            else:
                status = "read"
            row = MessageRow(
                message_id=os.urandom(16),
                contact_id=contact,
                direction=direction,
                seq=seq,
                kind=int(kind),
                body=body,
                sent_at_ms=int(at * 1000),
                received_at=at + 1 if direction == "in" else None,
                status=status,
                delivered_at=at + 1 if direction == "out" else None,
                read_at=None if status == "received" else at + 5,
                priority=int(priority),
                acknowledged_at=acknowledged,
            )
            ratchet_pos = os.urandom(36) if direction == "in" else None
            changes.append(store.insert_message(row, ratchet_pos))
            event: AuditEvent = (
                "received" if direction == "in" else "sent",
                "contact" if direction == "in" else "local",
                contact,
                row.message_id,
            )
            events.append(event)
            if len(changes) >= BATCH:
                await store.submit(changes, events, now)
                changes, events = [], []
        changes += [store.update_recv_mark(c, last_in[c] + 1) for c in contacts]
        await store.submit(changes, events, now)
    finally:
        await store.close()


class Client:
    """One keep-alive connection to a node's local API."""

    def __init__(self, node: NodeProcess) -> None:
        url = urllib.parse.urlsplit(node.api_url)
        assert url.hostname is not None
        assert url.port is not None
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {node.token}"}

    def get(self, path: str) -> tuple[float, bytes]:
        start = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        return elapsed, body

    def close(self) -> None:
        self.connection.close()


def paths() -> dict[str, str]:
    contact = urllib.parse.quote(_contact_names()[0])
    return {
        "status": "/v1/status",
        "inbox": "/v1/inbox",
        "conversation": f"/v1/messages?contact={contact}&limit=100",
    }


def check(name: str, body: bytes) -> None:
    """The answers hold what the store shape says (so both stores answer the same work)."""
    document: Any = json.loads(body)
    if name == "inbox":
        assert len(document["messages"]) == UNREAD, len(document["messages"])
    elif name == "conversation":
        assert len(document["messages"]) == 100, len(document["messages"])
    else:
        assert document["unread"] == UNREAD, document["unread"]
        assert len(document["incoming_urgent"]) == URGENT_WAITING, document["incoming_urgent"]


def measure(clients: dict[int, Client], repetitions: int) -> dict[tuple[str, int], list[float]]:
    times: dict[tuple[str, int], list[float]] = {}
    sizes = sorted(clients)
    for name, path in paths().items():
        for size in sizes:  # warm-up, and the answers checked
            for _ in range(5):
                check(name, clients[size].get(path)[1])
    for repetition in range(repetitions):
        order = sizes if repetition % 2 == 0 else sizes[::-1]
        for name, path in paths().items():
            for size in order:
                elapsed, _ = clients[size].get(path)
                times.setdefault((name, size), []).append(elapsed)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reads", description=__doc__)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="60 repetitions")
    args = parser.parse_args(argv)
    repetitions = 60 if args.quick else args.repetitions
    sizes = (args.small, args.large)
    with tempfile.TemporaryDirectory(prefix="releve-bench-reads-") as tmp:
        nodes: dict[int, NodeProcess] = {}
        clients: dict[int, Client] = {}
        try:
            for size in sizes:
                node = NodeProcess(Path(tmp) / f"store{size}", f"Cabinet {size}", "gp")
                node.init()
                start = time.perf_counter()
                asyncio.run(fill(node.home, size))
                print(f"  {size:,} messages written in {time.perf_counter() - start:.1f} s")
                nodes[size] = node
            for size, node in nodes.items():
                node.start(listen=False)
                clients[size] = Client(node)
            times = measure(clients, repetitions)
        finally:
            for client in clients.values():
                client.close()
            for node in nodes.values():
                node.stop()
    small, large = sizes
    print(
        f"bench/reads: local API of a real node, {small:,} against {large:,} messages"
        f" ({CONTACTS} contacts, {UNREAD} unread); median of {repetitions} requests each"
    )
    worst = 0.0
    for name in ENDPOINTS:
        a = statistics.median(times[name, small])
        b = statistics.median(times[name, large])
        worst = max(worst, b / a)
        print(
            f"  {name:<14}{a * 1e3:>8.2f} ms {b * 1e3:>8.2f} ms   {b / a:.2f}x"
            f"   (p90 {statistics.quantiles(times[name, large], n=10)[-1] * 1e3:.2f} ms)"
        )
    verdict = "met" if worst <= GOAL else "NOT met"
    print(
        f"reads with {large:,} messages: at most {worst:.2f}x those with {small:,}"
        f" (goal <= {GOAL}x): {verdict}"
    )
    print(f"({processes.load_average()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
