"""A node brought back from an old backup (docs/protocol.md §20): its sessions are renewed with
every contact, no message key is ever used twice, the conversation goes on both ways, what the
contact sent since the backup arrives again exactly once, and a replayed or forged renewal is
refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import nacl.utils
import pytest

from node.app import Node
from node.core.config import NodeConfig
from node.core.errors import PeerRefused, Unavailable, Verdict
from node.core.ports import MessageQuery
from node.paths import HomeLayout
from node.protocol import Identity, PayloadKind, seal_packet, system_random
from node.protocol import ratchet as ratchet_module
from node.protocol import renewal as wire
from node.protocol.conversation import Meta, TextContent
from node.protocol.envelope import RenewalInner
from tests.unit.node.node_support import LocalNode, MemoryNetwork, paired, settle


@pytest.fixture
def message_keys(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every message key the ratchet seals with, in this process (both nodes): the nonce is
    fixed (§4.4), so a repeated (key, nonce) pair is a repeated key."""
    sealed: list[bytes] = []
    real = ratchet_module._seal

    def recording(message_key: bytes, plaintext: bytes, ad: bytes) -> bytes:
        sealed.append(message_key)
        return real(message_key, plaintext, ad)

    monkeypatch.setattr(ratchet_module, "_seal", recording)
    return sealed


async def _exchange(*nodes: LocalNode, rounds: int = 6) -> None:
    """Hands every due packet between the nodes, both ways, until nothing is left."""
    for _ in range(rounds):
        moved = 0
        for sender in nodes:
            for recipient in nodes:
                if sender is not recipient and recipient.node_id in sender.ctx.contacts:
                    moved += await _deliver(sender, recipient)
        await settle(*nodes)
        if not moved:
            return


async def _deliver(sender: LocalNode, recipient: LocalNode) -> int:
    store = sender.store
    entries = await store.due_for(recipient.node_id, sender.ctx.clock() + 3600, set(), 10_000)
    packets = await store.packets([entry.id for entry in entries])
    for entry in entries:
        try:
            await recipient.core.receiver.receive(packets[entry.id])
        except PeerRefused:
            pass
        await sender.ctx.commit([store.outbox_done(entry.id)])
    return len(entries)


async def _restored(old: LocalNode, database: bytes, root: Path) -> LocalNode:
    """The same identity and data key on a new home holding the backup's database."""
    root.mkdir(parents=True)
    (root / "releve.db").write_bytes(database)
    config = old.ctx.config
    node = await Node.open(
        HomeLayout(root),
        NodeConfig(name=config.name, role=config.role, listen=None),
        old.ctx.identity,
        old.store.cipher,
        transport=old.network.transport(),
    )
    local = LocalNode(node, old.network)
    old.network.receivers[local.node_id] = local
    return local


async def _texts(node: LocalNode, contact: LocalNode, direction: str) -> list[str]:
    rows = await node.store.shown(
        MessageQuery(contact_id=contact.node_id, direction=direction, limit=1000), 1e12
    )
    return [row.body.decode("utf-8", "replace") for row in rows]


async def _count(node: LocalNode, contact: LocalNode, direction: str, words: str) -> int:
    return sum(words in body for body in await _texts(node, contact, direction))


async def test_restore_renews_sessions_without_reusing_a_key(
    tmp_path: Path, message_keys: list[bytes]
) -> None:
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network)
    restored: LocalNode | None = None
    try:
        await gp.core.sending.send("Pharmacie", Meta(), TextContent("avant la sauvegarde"))
        await pharmacy.core.sending.send("Dr Martin", Meta(), TextContent("reçu, merci"))
        await _exchange(gp, pharmacy)
        # Queued (not yet sent) when the backup is made: it must keep its id after restore.
        queued = await gp.core.sending.send("Pharmacie", Meta(), TextContent("en attente"))

        database = await gp.store.snapshot()  # the backup, while the node runs
        backup_ms = int(gp.ctx.clock() * 1000)

        # After the backup: both sides go on; the old machine uses keys the backup holds.
        await gp.core.sending.send("Pharmacie", Meta(), TextContent("après la sauvegarde"))
        await pharmacy.core.sending.send("Dr Martin", Meta(), TextContent("pendant la panne"))
        await _exchange(gp, pharmacy)
        assert await _count(gp, pharmacy, "in", "pendant la panne") == 1
        await gp.close()  # the old machine dies

        restored = await _restored(gp, database, tmp_path / "new")
        assert await _count(restored, pharmacy, "in", "pendant la panne") == 0
        assert await restored.core.renewal.after_restore(backup_ms) == 1
        contact = restored.contact(pharmacy)
        assert not (await restored.ctx.session_of(contact)).can_send  # nothing stale is sealed
        # Written while the renewal waits: queued without a packet, sealed once renewed.
        waiting = await restored.core.sending.send(
            "Pharmacie", Meta(), TextContent("pendant le renouvellement")
        )
        assert waiting.status == "queued"

        (offer_entry,) = await restored.store.due_for(pharmacy.node_id, 1e12, set(), 10)
        offer_packet = (await restored.store.packets([offer_entry.id]))[offer_entry.id]
        await _deliver(restored, pharmacy)
        answers = await pharmacy.store.due_for(restored.node_id, 1e12, set(), 100)
        answer_packet = (await pharmacy.store.packets([answers[0].id]))[answers[0].id]
        await _exchange(restored, pharmacy)

        # What the pharmacy sent since the backup came again, exactly once; nothing twice.
        assert await _count(restored, pharmacy, "in", "pendant la panne") == 1
        assert await _count(restored, pharmacy, "in", "reçu, merci") == 1
        assert await _count(pharmacy, restored, "in", "avant la sauvegarde") == 1
        assert await _count(pharmacy, restored, "in", "en attente") == 1
        assert await _count(pharmacy, restored, "in", "pendant le renouvellement") == 1
        kept = await pharmacy.store.message(queued.message_id)
        assert kept is not None
        assert kept.direction == "in"

        # The conversation goes on, both ways, in the new session.
        await restored.core.sending.send("Pharmacie", Meta(), TextContent("de retour"))
        await pharmacy.core.sending.send("Dr Martin", Meta(), TextContent("bien reçu"))
        await _exchange(restored, pharmacy)
        assert await _count(pharmacy, restored, "in", "de retour") == 1
        assert await _count(restored, pharmacy, "in", "bien reçu") == 1

        # A replayed offer does not reset the live session; a replayed answer is ignored.
        assert await pharmacy.core.receiver.receive(offer_packet) == "duplicate"
        assert await restored.core.receiver.receive(answer_packet) == "duplicate"
        await restored.core.sending.send("Pharmacie", Meta(), TextContent("toujours là"))
        await pharmacy.core.sending.send("Dr Martin", Meta(), TextContent("moi aussi"))
        await _exchange(restored, pharmacy)
        assert await _count(pharmacy, restored, "in", "toujours là") == 1
        assert await _count(restored, pharmacy, "in", "moi aussi") == 1

        # No message key sealed twice, by either node, before or after the restore.
        assert len(message_keys) == len(set(message_keys))
        assert (await restored.store.verify_audit()).ok
        assert (await pharmacy.store.verify_audit()).ok
    finally:
        if restored is not None:
            await restored.close()
        await pharmacy.close()
        if gp.node_id in network.receivers and network.receivers[gp.node_id] is gp:
            await gp.close()


async def test_a_forged_or_stale_renewal_offer_is_refused(tmp_path: Path) -> None:
    gp, pharmacy = await paired(tmp_path)
    try:
        stranger = Identity.generate(system_random)
        peer = pharmacy.ctx.identity.public
        card = gp.ctx.card.encode()
        # Signed by someone else's key, in the GP's name.
        offer, _ = wire.make_offer(stranger, peer, card, gp.ctx.clock(), system_random)
        forged = replace(offer, sender=gp.node_id)
        packet = seal_packet(RenewalInner(forged.encode()), peer.dh_key, system_random)
        with pytest.raises(PeerRefused) as refused:
            await pharmacy.core.receiver.receive(packet)
        assert refused.value.verdict is Verdict.MALFORMED
        # Signed by the GP, but older than the outbox's maximum age: refused as a replay.
        old = gp.ctx.clock() - 30 * 24 * 3600
        stale, _ = wire.make_offer(gp.ctx.identity, peer, card, old, system_random)
        packet = seal_packet(RenewalInner(stale.encode()), peer.dh_key, system_random)
        assert await pharmacy.core.receiver.receive(packet) == "duplicate"
        # Dated two days ahead: refused, or it would make later offers look like replays.
        ahead = gp.ctx.clock() + 2 * 24 * 3600
        future, _ = wire.make_offer(gp.ctx.identity, peer, card, ahead, system_random)
        packet = seal_packet(RenewalInner(future.encode()), peer.dh_key, system_random)
        with pytest.raises(PeerRefused):
            await pharmacy.core.receiver.receive(packet)
        # A bit flipped in a genuine offer: the signature no longer verifies.
        genuine, _ = wire.make_offer(gp.ctx.identity, peer, card, gp.ctx.clock(), system_random)
        flipped = replace(genuine, ephemeral=nacl.utils.random(32))
        packet = seal_packet(RenewalInner(flipped.encode()), peer.dh_key, system_random)
        with pytest.raises(PeerRefused):
            await pharmacy.core.receiver.receive(packet)
        # The session was never touched: the conversation goes on.
        await gp.core.sending.send("Pharmacie", Meta(), TextContent("rien n'a changé"))
        await _exchange(gp, pharmacy)
        assert await _count(pharmacy, gp, "in", "rien n'a changé") == 1
    finally:
        await gp.close()
        await pharmacy.close()


async def test_both_sides_restored(tmp_path: Path, message_keys: list[bytes]) -> None:
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network)
    nodes: list[LocalNode] = []
    try:
        await gp.core.sending.send("Pharmacie", Meta(), TextContent("un"))
        await _exchange(gp, pharmacy)
        gp_db, pharmacy_db = await gp.store.snapshot(), await pharmacy.store.snapshot()
        backup_ms = int(gp.ctx.clock() * 1000)
        await gp.core.sending.send("Pharmacie", Meta(), TextContent("deux"))
        await _exchange(gp, pharmacy)
        await gp.close()
        await pharmacy.close()
        gp2 = await _restored(gp, gp_db, tmp_path / "gp2")
        pharmacy2 = await _restored(pharmacy, pharmacy_db, tmp_path / "pharmacy2")
        nodes = [gp2, pharmacy2]
        await gp2.core.renewal.after_restore(backup_ms)
        await pharmacy2.core.renewal.after_restore(backup_ms)
        await _exchange(gp2, pharmacy2)
        await gp2.core.sending.send("Pharmacie", Meta(), TextContent("trois"))
        await pharmacy2.core.sending.send("Dr Martin", Meta(), TextContent("quatre"))
        await _exchange(gp2, pharmacy2)
        assert await _count(pharmacy2, gp2, "in", "trois") == 1
        assert await _count(gp2, pharmacy2, "in", "quatre") == 1
        assert len(message_keys) == len(set(message_keys))
    finally:
        for node in nodes:
            await node.close()


def test_restored_kind_is_registered() -> None:
    assert int(PayloadKind.RESTORED) == 0x10


async def test_without_renewal_a_restored_session_would_reuse_keys(
    tmp_path: Path, message_keys: list[bytes]
) -> None:
    """The threat the renewal answers (§20): the backup's sending chain, used again, derives
    the very keys the old machine already used after the backup. The recorder sees it."""
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network)
    restored: LocalNode | None = None
    try:
        database = await gp.store.snapshot()
        await gp.core.sending.send("Pharmacie", Meta(), TextContent("après la sauvegarde"))
        await gp.close()
        restored = await _restored(gp, database, tmp_path / "new")
        # No after_restore(): the old session is used as it was in the backup.
        await restored.core.sending.send("Pharmacie", Meta(), TextContent("clé réutilisée"))
        assert len(message_keys) != len(set(message_keys))
    finally:
        if restored is not None:
            await restored.close()
        await pharmacy.close()


async def test_an_unanswered_offer_is_made_again_at_the_next_start(tmp_path: Path) -> None:
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network)
    restored: LocalNode | None = None
    try:
        database = await gp.store.snapshot()
        backup_ms = int(gp.ctx.clock() * 1000)
        await gp.close()
        restored = await _restored(gp, database, tmp_path / "new")
        await restored.core.renewal.after_restore(backup_ms)
        (lost,) = await restored.store.due_for(pharmacy.node_id, 1e12, set(), 10)
        await restored.ctx.commit([restored.store.outbox_done(lost.id)])  # the offer is lost
        with pytest.raises(Unavailable):  # a signed notice waits for the new session
            await restored.core.trust.unpair("Pharmacie")
        assert restored.contact(pharmacy).active
        assert await restored.core.renewal.resume() == 1
        await _exchange(restored, pharmacy)
        assert await restored.core.renewal.resume() == 0  # answered: nothing pending
        await restored.core.sending.send("Pharmacie", Meta(), TextContent("enfin"))
        await pharmacy.core.sending.send("Dr Martin", Meta(), TextContent("oui"))
        await _exchange(restored, pharmacy)
        assert await _count(pharmacy, restored, "in", "enfin") == 1
        assert await _count(restored, pharmacy, "in", "oui") == 1
    finally:
        if restored is not None:
            await restored.close()
        await pharmacy.close()


async def test_the_old_machine_still_running_is_shut_out(
    tmp_path: Path, message_keys: list[bytes]
) -> None:
    """§20.6: once the contact answered the restored node, what the old machine (not stopped,
    against the instructions) sends is refused; the restored node and the contact go on."""
    network = MemoryNetwork()
    gp, pharmacy = await paired(tmp_path, network)
    restored: LocalNode | None = None
    try:
        database = await gp.store.snapshot()
        restored = await _restored(gp, database, tmp_path / "new")  # gp keeps running
        await restored.core.renewal.after_restore(int(gp.ctx.clock() * 1000))
        await _exchange(restored, pharmacy)
        await gp.core.sending.send("Pharmacie", Meta(), TextContent("depuis l'ancien poste"))
        await _deliver(gp, pharmacy)
        assert await _count(pharmacy, gp, "in", "depuis l'ancien poste") == 0
        await restored.core.sending.send("Pharmacie", Meta(), TextContent("le nouveau"))
        await pharmacy.core.sending.send("Dr Martin", Meta(), TextContent("reçu"))
        await _exchange(restored, pharmacy)
        assert await _count(pharmacy, restored, "in", "le nouveau") == 1
        assert await _count(restored, pharmacy, "in", "reçu") == 1
        assert len(message_keys) == len(set(message_keys))
    finally:
        await pharmacy.close()
        if restored is not None:
            await restored.close()
        await gp.node.close()
