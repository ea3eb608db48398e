"""Attachments on the receiving side: an attachment is complete once every chunk is in and
the whole file matches the hash its manifest announced (docs/protocol.md, attachments).

Chunks are ordinary payloads, so the outbox, receipts and deduplication carry them across
restarts of either node or a relay; this module only decides when a file is whole, and
reassembles it for saving. A file that does not match its hash is marked corrupt and is
never offered as complete.
"""

from __future__ import annotations

import logging

from node.core.errors import ApiError
from node.core.records import content_of
from node.core.service import Contact, NodeService
from node.protocol import MalformedInput, PayloadKind
from node.protocol.attachment import Chunk
from node.protocol.conversation import AttachmentManifest
from node.protocol.identity import format_node_id
from node.storage.store import MessageRow

log = logging.getLogger(__name__)


class AttachmentChecker:
    """Checks an incoming attachment when one of its parts arrives (at most one check per
    attachment at a time; the last part to arrive triggers the one that completes it)."""

    def __init__(self, service: NodeService) -> None:
        self._service = service
        self._checking: set[bytes] = set()
        self._again: set[bytes] = set()

    def part_arrived(self, contact: Contact, parent: bytes) -> None:
        if parent in self._checking:
            self._again.add(parent)
            return
        self._checking.add(parent)
        self._service.background(self._check(contact, parent))

    async def _check(self, contact: Contact, parent: bytes) -> None:
        try:
            while True:
                self._again.discard(parent)
                await check(self._service, contact, parent)
                if parent not in self._again:
                    return
        finally:
            self._checking.discard(parent)

    async def check_all(self) -> None:
        """At start: attachments whose last part arrived just before a stop."""
        store = self._service.store
        where = "m.direction = 'in' AND m.kind = ? AND m.complete_at IS NULL AND m.corrupt = 0"
        for row in await store.messages(where, (int(PayloadKind.ATTACHMENT),), 10_000):
            contact = self._service.contacts.get(row.contact_id)
            if contact is not None:
                await check(self._service, contact, row.message_id)


async def check(service: NodeService, contact: Contact, parent: bytes) -> None:
    store = service.store
    row = await store.message(parent)
    if (
        row is None
        or row.direction != "in"
        or row.contact_id != contact.contact_id
        or row.kind != PayloadKind.ATTACHMENT
        or row.complete_at is not None
        or row.corrupt
    ):
        return  # its manifest has not arrived yet (chunks can overtake it), or it is settled
    if await store.parts_done(contact.contact_id, parent, "in") < (row.parts or 0):
        return
    try:
        await reassemble(service, row)
        ok = True
    except MalformedInput:
        ok = False
    if not ok:
        log.warning(
            "an attachment from %s does not match its hash: marked corrupt",
            format_node_id(contact.contact_id),
        )
    await service.commit([store.attachment_checked(parent, service.clock(), ok)])
    async with service.inbox_changed:
        service.inbox_changed.notify_all()


def manifest_of(row: MessageRow) -> AttachmentManifest:
    content = content_of(row)
    if not isinstance(content, AttachmentManifest):
        raise ApiError(404, "not_an_attachment", "this message has no attached file")
    return content


async def reassemble(service: NodeService, row: MessageRow) -> bytes:
    """The file from its chunks; raises :class:`MalformedInput` when one is missing or
    misplaced, or the whole does not match the manifest's SHA-256."""
    bodies = await service.store.part_bodies(row.contact_id, row.message_id, row.direction)
    return manifest_of(row).reassemble(Chunk.decode(body) for body in bodies)


async def file_of(service: NodeService, row: MessageRow) -> tuple[AttachmentManifest, bytes]:
    """A complete, hash-checked file, for saving (ours is whole: we sent it)."""
    manifest = manifest_of(row)
    if row.direction == "in" and row.complete_at is None:
        raise ApiError(409, "attachment_incomplete", "the file has not fully arrived yet")
    try:
        return manifest, await reassemble(service, row)
    except MalformedInput:
        raise ApiError(409, "attachment_incomplete", "the file does not match its hash") from None
