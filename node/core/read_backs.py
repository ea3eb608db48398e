"""The receiver's read-back of a handoff (docs/protocol.md §18.8; docs/local-api.md, "ack"):
sent with the acknowledgement, accepted only about a handoff we sent to that contact, and
shown with the handoff on both sides."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import Conflict, NotFound, PeerRefused, Verdict
from node.core.records import MessageRow, content_of
from node.core.sending import Sending, invalid_field
from node.protocol import Payload, PayloadKind
from node.protocol.conversation import HANDOFF_KINDS, Meta, ReadBack, decode_conversation
from node.protocol.errors import ClinicalError
from node.protocol.identity import format_node_id

log = logging.getLogger(__name__)

_HANDOFF_CODES = tuple(int(kind) for kind in HANDOFF_KINDS)
_NOT_COUNTED = frozenset({"failed", "held"})


@dataclass(frozen=True)
class ShownReadBack:
    row: MessageRow
    text: str


class ReadBacks:
    def __init__(self, ctx: NodeContext, sending: Sending) -> None:
        self._ctx = ctx
        self._sending = sending

    async def send(self, handoff: MessageRow, text: object) -> MessageRow:
        """Our reformulation of a handoff we received; ``Invalid`` ``invalid_field`` (field
        ``read_back``) for an empty or too long text, ``Conflict`` ``not_handoff``."""
        if handoff.direction != "in" or handoff.kind not in _HANDOFF_CODES:
            raise Conflict("not_handoff", "a read-back answers a handoff this node received")
        contact = self._ctx.contacts.get(handoff.contact_id)
        if contact is None:
            raise NotFound("contact_not_found", "the handoff's contact is gone")
        try:
            if not isinstance(text, str):
                raise ClinicalError("read_back", "invalid_type")
            content = ReadBack(text)
        except ClinicalError as exc:
            raise invalid_field(exc) from None
        return await self._sending.send_to(contact, Meta(reply_to=handoff.message_id), content)

    async def of(self, row: MessageRow) -> list[ShownReadBack] | None:
        """The read-backs of a handoff, oldest first; None for another kind."""
        if row.kind not in _HANDOFF_CODES:
            return None
        shown = []
        for reply in await self._ctx.repo.replies(row.contact_id, row.message_id):
            answer = content_of(reply)
            if (
                isinstance(answer, ReadBack)
                and reply.direction != row.direction
                and reply.status not in _NOT_COUNTED
            ):
                shown.append(ShownReadBack(reply, answer.text))
        return shown


async def check_incoming(ctx: NodeContext, contact: Contact, payload: Payload) -> None:
    """Raises :class:`PeerRefused` (GONE) for a read-back about anything but a handoff we
    sent to this contact."""
    if payload.kind is not PayloadKind.READ_BACK:
        return
    meta, _ = decode_conversation(payload.kind, payload.body)
    assert meta.reply_to is not None  # decode_conversation requires it
    row = await ctx.repo.message(meta.reply_to)
    if (
        row is None
        or row.contact_id != contact.contact_id
        or row.direction != "out"
        or row.kind not in _HANDOFF_CODES
    ):
        log.warning(
            "refused from %s: read-back of a handoff we did not send",
            format_node_id(contact.contact_id),
        )
        raise PeerRefused(Verdict.GONE, "read-back of a handoff we did not send", "unknown_handoff")
