"""A file is never offered as complete unless every chunk arrived and the whole matches the
SHA-256 its sender announced (node/core/attachments.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from node.core.errors import Conflict
from node.core.records import message_row
from node.protocol import PayloadKind
from node.protocol.attachment import Chunk
from node.protocol.conversation import AttachmentManifest, Meta, encode_conversation
from tests.unit.node.node_support import LocalNode, deliver, paired, settle

PDF = b"%PDF-1.7\n" + os.urandom(200_000)


async def received_file(pharmacy: LocalNode, message_id: bytes) -> tuple[bool, bool]:
    row = await pharmacy.store.message(message_id)
    assert row is not None
    return row.complete_at is not None, row.corrupt


async def test_a_file_is_complete_only_once_every_chunk_is_in(tmp_path: Path) -> None:
    gp, pharmacy = await paired(tmp_path)
    try:
        row = await gp.core.sending.send_file("Pharmacie", "bilan.pdf", PDF, Meta(), None)
        assert row.parts == 4
        await deliver(gp, pharmacy, limit=3)  # the manifest and two of four chunks
        await settle(gp, pharmacy)
        incoming = await pharmacy.store.message(row.message_id)
        assert incoming is not None
        assert await received_file(pharmacy, row.message_id) == (False, False)
        with pytest.raises(Conflict) as caught:
            await pharmacy.core.attachments.file_of(incoming)
        assert caught.value.code == "attachment_incomplete"

        await deliver(gp, pharmacy)
        await settle(gp, pharmacy)
        assert await received_file(pharmacy, row.message_id) == (True, False)
        incoming = await pharmacy.store.message(row.message_id)
        assert incoming is not None
        manifest, data = await pharmacy.core.attachments.file_of(incoming)
        assert data == PDF
        assert manifest.file_name == "bilan.pdf"
    finally:
        await gp.close()
        await pharmacy.close()


async def test_chunks_that_do_not_match_the_announced_hash_mark_the_file_corrupt(
    tmp_path: Path,
) -> None:
    """A faulty (or hostile) sender's chunks decrypt fine but form another file."""
    gp, pharmacy = await paired(tmp_path)
    try:
        manifest = AttachmentManifest.for_file("scan.pdf", PDF, None)
        other = PDF[:-1] + bytes([PDF[-1] ^ 1])
        service, store, contact = gp.ctx, gp.store, gp.contact(pharmacy)
        session = await service.session_of(contact)
        kind, body = encode_conversation(Meta(), manifest)
        payload, packet = session.seal(kind, body, service.clock(), service.rand)
        statements = [store.enqueue(contact.contact_id, packet, payload.message_id, 0)]
        for index in range(manifest.chunk_count):
            size = manifest.chunk_size
            chunk = Chunk(payload.message_id, index, other[index * size : (index + 1) * size])
            _, chunk_packet = session.seal(
                PayloadKind.CHUNK, chunk.encode(), service.clock(), service.rand
            )
            statements.append(store.enqueue(contact.contact_id, chunk_packet, None, 0))
        statements.append(
            store.insert_message(message_row(payload, contact.contact_id, "out", "queued"))
        )
        statements.append(store.update_session(contact.contact_id, session))
        await service.commit(statements)

        await deliver(gp, pharmacy)
        await settle(gp, pharmacy)
        assert await received_file(pharmacy, payload.message_id) == (False, True)
        incoming = await pharmacy.store.message(payload.message_id)
        assert incoming is not None
        with pytest.raises(Conflict) as caught:
            await pharmacy.core.attachments.file_of(incoming)
        assert caught.value.code == "attachment_incomplete"
    finally:
        await gp.close()
        await pharmacy.close()
