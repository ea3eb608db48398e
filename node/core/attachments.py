"""Attachments on the receiving side: an attachment is complete once every chunk is in and
the whole file matches the hash its manifest announced (docs/protocol.md, attachments).

Chunks are ordinary payloads, so the outbox, receipts and deduplication carry them across
restarts of either node or a relay; this module only decides when a file is whole, and
reassembles it for saving. A file that does not match its hash is marked corrupt and is
never offered as complete.
"""

from __future__ import annotations

import logging

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import Conflict, NotFound
from node.core.records import MessageRow, content_of
from node.protocol import MalformedInput, PayloadKind
from node.protocol.attachment import Chunk
from node.protocol.conversation import AttachmentManifest
from node.protocol.identity import format_node_id

log = logging.getLogger(__name__)


class Attachments:
    """Checks an incoming attachment when one of its parts arrives (at most one check per
    attachment at a time; the last part to arrive triggers the one that completes it), and
    gives back whole files."""

    def __init__(self, ctx: NodeContext) -> None:
        self._ctx = ctx
        self._checking: set[bytes] = set()
        self._again: set[bytes] = set()

    def part_arrived(self, contact: Contact, parent: bytes) -> None:
        if parent in self._checking:
            self._again.add(parent)
            return
        self._checking.add(parent)
        self._ctx.background(self._check_until_settled(contact, parent))

    async def _check_until_settled(self, contact: Contact, parent: bytes) -> None:
        try:
            while True:
                self._again.discard(parent)
                await self.check(contact, parent)
                if parent not in self._again:
                    return
        finally:
            self._checking.discard(parent)

    async def check_all(self) -> None:
        """At start: attachments whose last part arrived just before a stop."""
        for row in await self._ctx.repo.unchecked_attachments():
            contact = self._ctx.contacts.get(row.contact_id)
            if contact is not None:
                await self.check(contact, row.message_id)

    async def check(self, contact: Contact, parent: bytes) -> None:
        ctx = self._ctx
        row = await ctx.repo.message(parent)
        if (
            row is None
            or row.direction != "in"
            or row.contact_id != contact.contact_id
            or row.kind != PayloadKind.ATTACHMENT
            or row.complete_at is not None
            or row.corrupt
        ):
            return  # its manifest has not arrived yet (chunks can overtake it), or it is settled
        if await ctx.repo.parts_done(contact.contact_id, parent, "in") < (row.parts or 0):
            return
        try:
            await self.reassemble(row)
            ok = True
        except MalformedInput:
            ok = False
        if not ok:
            log.warning(
                "an attachment from %s does not match its hash: marked corrupt",
                format_node_id(contact.contact_id),
            )
        await ctx.commit([ctx.repo.attachment_checked(parent, ctx.clock(), ok)])
        await ctx.inbox_changes()

    async def reassemble(self, row: MessageRow) -> bytes:
        """The file from its chunks; raises :class:`MalformedInput` when one is missing or
        misplaced, or the whole does not match the manifest's SHA-256."""
        bodies = await self._ctx.repo.part_bodies(row.contact_id, row.message_id, row.direction)
        return manifest_of(row).reassemble(Chunk.decode(body) for body in bodies)

    async def parts_done(self, row: MessageRow) -> int:
        """An attachment's chunks received (theirs) or delivered (ours)."""
        return await self._ctx.repo.parts_done(row.contact_id, row.message_id, row.direction)

    async def file_of(self, row: MessageRow) -> tuple[AttachmentManifest, bytes]:
        """A complete, hash-checked file, for saving (ours is whole: we sent it)."""
        manifest = manifest_of(row)
        if row.direction == "in" and row.complete_at is None:
            raise Conflict("attachment_incomplete", "the file has not fully arrived yet")
        try:
            return manifest, await self.reassemble(row)
        except MalformedInput:
            raise Conflict("attachment_incomplete", "the file does not match its hash") from None


def manifest_of(row: MessageRow) -> AttachmentManifest:
    content = content_of(row)
    if not isinstance(content, AttachmentManifest):
        raise NotFound("not_an_attachment", "this message has no attached file")
    return content
