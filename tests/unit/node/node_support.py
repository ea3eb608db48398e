"""Two NodeServices in one process, on real SQLite files, exchanging packets by hand: for
node-level tests that need to play a misbehaving peer or stop delivery half-way."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import nacl.utils

from node.config import NodeConfig
from node.core.service import Contact, NodeService
from node.paths import HomeLayout
from node.protocol import Identity, system_random
from node.storage.batch_writer import BatchWriter
from node.storage.keystore import FieldCipher
from node.storage.store import Store


@dataclass
class LocalNode:
    service: NodeService
    writer: BatchWriter

    async def close(self) -> None:
        await self.service.close()
        await self.writer.close()
        await self.service.store.close()

    def contact(self, other: LocalNode) -> Contact:
        return self.service.contacts[other.service.identity.public.node_id]


async def local_node(root: Path, name: str, role: str) -> LocalNode:
    root.mkdir(parents=True, exist_ok=True)
    store = await Store.open(HomeLayout(root), FieldCipher(nacl.utils.random(32)))
    service: NodeService | None = None

    def on_failure() -> None:
        if service is not None:
            service.invalidate()

    writer = await store.start_writer(on_failure)
    config = NodeConfig(name=name, role=role, listen=None)
    service = NodeService(config, Identity.generate(system_random), store, writer, time.time)
    await service.load()
    return LocalNode(service, writer)


async def deliver(sender: LocalNode, recipient: LocalNode, limit: int = 100_000) -> int:
    """Hands up to ``limit`` due packets of the sender's outbox to the recipient, in order;
    each one the recipient stored leaves the outbox. Returns how many were handed over."""
    store = sender.service.store
    contact_id = recipient.service.identity.public.node_id
    entries = await store.due_for(contact_id, time.time() + 3600, set(), limit)
    packets = await store.packets([entry.id for entry in entries])
    for entry in entries:
        await recipient.service.receive_packet(packets[entry.id])
        await sender.service.commit([store.outbox_done(entry.id)])
    return len(entries)


async def paired(root: Path) -> tuple[LocalNode, LocalNode]:
    """A GP and a pharmacy, paired, with contact cards and their receipts exchanged."""
    gp = await local_node(root / "gp", "Dr Martin", "gp")
    pharmacy = await local_node(root / "pharmacy", "Pharmacie du Port", "pharmacist")
    invitation = await gp.service.create_invitation(600)
    await pharmacy.service.accept_invitation(invitation.to_text())
    for _ in range(3):
        await deliver(pharmacy, gp)
        await deliver(gp, pharmacy)
        await settle()
    return gp, pharmacy


async def settle() -> None:
    """Lets owed receipts (sent 20 ms after a burst) and background checks be queued."""
    await asyncio.sleep(0.1)
