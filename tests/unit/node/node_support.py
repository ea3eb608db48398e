"""Nodes in one process, joined by an in-memory network, with a clock the test moves: the node
unit tier. Each node is the real assembly (node.app.Node: the store on a SQLite file, the core,
the outbox loop); only the network is replaced, by a Transport that hands packets straight to
the other node's receiver — or keeps them, as a relay would, until the test releases them in
the order it chooses.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nacl.utils

from node.app import Node
from node.core.config import NodeConfig
from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import PeerRefused, Verdict
from node.core.node import NodeCore
from node.core.ports import Outcome
from node.core.records import MessageRow
from node.paths import HomeLayout
from node.protocol import ContactCard, Identity, system_random
from node.protocol.conversation import Meta, TextContent
from node.storage.keystore import FieldCipher
from node.storage.store import Store

WAIT_SECONDS = 20.0  # a bound for conditions; generous, for a loaded machine


class ManualClock:
    """Wall-clock time that only moves when the test says so."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class MemoryNetwork:
    """Where each node's packets go. A node in ``down`` is unreachable (its packets are
    retried later); packets to a node in ``holding`` are kept (the transport reports them
    relayed) until :meth:`release`."""

    receivers: dict[bytes, LocalNode] = field(default_factory=dict)
    down: set[bytes] = field(default_factory=set)
    holding: set[bytes] = field(default_factory=set)
    held: dict[bytes, list[bytes]] = field(default_factory=dict)
    handed: int = 0  # packets handed to a receiver, in all
    attempts: dict[bytes, int] = field(default_factory=dict)  # sends tried, per destination

    def transport(self) -> MemoryTransport:
        return MemoryTransport(self)

    async def release(
        self, node_id: bytes, order: Callable[[list[bytes]], list[bytes]] = list
    ) -> list[str | Verdict]:
        """Hands the packets kept for a node to it, in the order ``order`` gives (it may
        also drop or repeat some); returns each one's fate."""
        packets, self.held[node_id] = order(self.held.get(node_id, [])), []
        return [await self.hand(node_id, packet) for packet in packets]

    async def hand(self, node_id: bytes, packet: bytes) -> str | Verdict:
        self.handed += 1
        try:
            return await self.receivers[node_id].core.receiver.receive(packet)
        except PeerRefused as refused:
            return refused.verdict


class MemoryTransport:
    def __init__(self, network: MemoryNetwork) -> None:
        self._network = network

    async def send(
        self, contact_id: bytes, card: ContactCard, packets: list[bytes]
    ) -> list[Outcome]:
        network = self._network
        network.attempts[contact_id] = network.attempts.get(contact_id, 0) + 1
        if contact_id in network.down or contact_id not in network.receivers:
            return [Outcome.RETRY] * len(packets)
        if contact_id in network.holding:
            network.held.setdefault(contact_id, []).extend(packets)
            return [Outcome.RELAYED] * len(packets)
        outcomes = []
        for packet in packets:
            fate = await network.hand(contact_id, packet)
            if fate in ("stored", "duplicate"):
                outcomes.append(Outcome.DELIVERED)
            else:
                outcomes.append(Outcome.GONE if fate is Verdict.GONE else Outcome.RETRY)
        return outcomes


@dataclass
class LocalNode:
    node: Node
    network: MemoryNetwork

    @property
    def ctx(self) -> NodeContext:
        return self.node.ctx

    @property
    def core(self) -> NodeCore:
        return self.node.core

    @property
    def store(self) -> Store:
        return self.node.store

    @property
    def node_id(self) -> bytes:
        return self.ctx.identity.public.node_id

    def contact(self, other: LocalNode) -> Contact:
        return self.ctx.contacts[other.node_id]

    async def close(self) -> None:
        self.network.receivers.pop(self.node_id, None)
        await self.node.close()


async def local_node(
    root: Path,
    name: str,
    role: str,
    network: MemoryNetwork | None = None,
    clock: Callable[[], float] = time.time,
    live: bool = False,
    **settings: Any,
) -> LocalNode:
    """A node on a new home under ``root``. ``live``: its outbox runs (sending through the
    network); otherwise the test moves packets with :func:`deliver`."""
    root.mkdir(parents=True, exist_ok=True)
    network = network or MemoryNetwork()
    config = NodeConfig(name=name, role=role, listen=None, **settings)
    node = await Node.open(
        HomeLayout(root),
        config,
        Identity.generate(system_random),
        FieldCipher(nacl.utils.random(32)),
        clock=clock,
        transport=network.transport(),
    )
    local = LocalNode(node, network)
    network.receivers[local.node_id] = local
    if live:
        await node.go_live(node.reachability([]))
    return local


async def deliver(sender: LocalNode, recipient: LocalNode, limit: int = 100_000) -> int:
    """Hands up to ``limit`` due packets of the sender's outbox to the recipient, in order;
    each one the recipient stored leaves the outbox. Returns how many were handed over."""
    store = sender.store
    contact_id = recipient.node_id
    entries = await store.due_for(contact_id, sender.ctx.clock() + 3600, set(), limit)
    packets = await store.packets([entry.id for entry in entries])
    for entry in entries:
        await recipient.core.receiver.receive(packets[entry.id])
        await sender.ctx.commit([store.outbox_done(entry.id)])
    return len(entries)


async def paired(
    root: Path,
    network: MemoryNetwork | None = None,
    clock: Callable[[], float] = time.time,
    live: bool = False,
    **settings: Any,
) -> tuple[LocalNode, LocalNode]:
    """A GP and a pharmacy, paired, with contact cards and their receipts exchanged."""
    network = network or MemoryNetwork()
    gp = await local_node(root / "gp", "Dr Martin", "gp", network, clock, live, **settings)
    pharmacy = await local_node(
        root / "pharmacy", "Pharmacie du Port", "pharmacist", network, clock, live, **settings
    )
    invitation = await gp.core.pairing.invite(600)
    await pharmacy.core.pairing.accept(invitation.to_text())
    if live:
        await wait_until(lambda: _outbox_empty(gp, pharmacy))
    else:
        for _ in range(3):
            await deliver(pharmacy, gp)
            await deliver(gp, pharmacy)
            await settle(gp, pharmacy)
    return gp, pharmacy


async def _outbox_empty(*nodes: LocalNode) -> bool:
    await settle(*nodes)
    for node in nodes:
        if await node.store.outbox_depth() or await node.store.due_contacts(float("inf")):
            return False
    return True


async def settle(*nodes: LocalNode) -> None:
    """Waits until owed receipts (sent 20 ms after a burst) are queued and background checks
    (attachments) are done, on every node given."""

    async def quiet() -> bool:
        return not any(node.ctx.busy for node in nodes)

    await wait_until(quiet)


async def wait_until(
    condition: Callable[[], object], timeout: float = WAIT_SECONDS, what: str = "condition"
) -> None:
    """Polls ``condition`` (a function, or a coroutine function) until it is true."""
    async with asyncio.timeout(timeout):
        while True:
            result = condition()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.005)


async def message(node: LocalNode, message_id: bytes) -> MessageRow:
    """A message the node keeps (ours or theirs), which must exist."""
    row = await node.store.message(message_id)
    assert row is not None, f"no message {message_id.hex()}"
    return row


async def audit_events(node: LocalNode, message_id: bytes) -> list[str]:
    """The node's audit log entries about one message, in order."""
    events = []
    async for line in node.store.audit_lines():
        entry = json.loads(line)
        if entry["message"] == message_id.hex():
            events.append(entry["event"])
    return events


def text(words: str) -> tuple[Meta, TextContent]:
    return Meta(), TextContent(words)
