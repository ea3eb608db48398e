"""After a restore (docs/protocol.md §20): fresh sessions with every contact, authenticated by
the identity keys they verified at pairing, so that no message key of a session older than the
backup is ever used again; then the contacts send again what they sent since the backup.

The restored node (O) drops each session for a placeholder that can neither seal nor open,
and queues a signed offer. The contact (A) checks it, answers with its own ephemeral key and
the first message of the new ratchet, and moves its own queued messages to the new session. O
completes the session, moves its queued messages, tells A when its backup was made (RESTORED)
and sends its card; A sends again what it sent since that time. Message ids do not change:
what the restored node already had is not shown twice (dedupe by id).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import Final

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import PeerRefused, Verdict
from node.core.ports import AuditEvent, Change
from node.core.receipts import Receipts
from node.core.records import CONVERSATION_KIND_CODES, MessageRow, message_row
from node.protocol import ContactCard, Payload, PayloadKind, ProtocolError, Session, seal_packet
from node.protocol import renewal as wire
from node.protocol.envelope import RenewalInner
from node.protocol.errors import LocalProtocolError, RemoteProtocolError
from node.protocol.identity import format_node_id
from node.protocol.primitives import RandomSource
from node.protocol.restored import decode_restored, encode_restored
from node.protocol.wire import Reader, Writer

log = logging.getLogger(__name__)

_SETTING: Final = "renewal:"
_STATE_VERSION: Final = 1
# An offer dated further ahead of our clock is refused (the sender's clock is wrong).
MAX_CLOCK_AHEAD_SECONDS: Final = 24 * 3600.0
# What moves to a new session, and what a contact sends again after a restore.
RESENT_KINDS: Final = (*CONVERSATION_KIND_CODES, int(PayloadKind.CHUNK))


@dataclass(frozen=True)
class RenewalState:
    """Per contact, encrypted in the settings."""

    pending: bytes = b""  # our offer's ephemeral private key while it waits for its answer
    offer_ms: int = 0  # our pending offer's time
    peer_offer_ms: int = 0  # the newest offer of the contact we answered (older ones: replays)
    announce_ms: int = 0  # our backup's time, to tell once the new session is up (0: none)
    renewed_ms: int = 0  # when the current session was opened by a renewal

    def encode(self) -> bytes:
        return (
            Writer()
            .u8(_STATE_VERSION)
            .bytes8(self.pending)
            .u64(self.offer_ms)
            .u64(self.peer_offer_ms)
            .u64(self.announce_ms)
            .u64(self.renewed_ms)
            .getvalue()
        )

    @classmethod
    def decode(cls, data: bytes) -> RenewalState:
        reader = Reader(data, "renewal state")
        if reader.u8() != _STATE_VERSION:
            raise reader.fail("unknown version")
        state = cls(reader.bytes8(), reader.u64(), reader.u64(), reader.u64(), reader.u64())
        reader.done()
        return state


def _drawing_first(message_id: bytes, rand: RandomSource) -> RandomSource:
    """``rand`` whose first 16-byte draw is ``message_id``: a payload's id is the first thing
    its sealing draws (§15.2), and a message keeps its id in the new session."""
    drawn = False

    def draw(size: int) -> bytes:
        nonlocal drawn
        if not drawn and size == len(message_id):
            drawn = True
            return message_id
        return rand(size)

    return draw


class Renewal:
    def __init__(self, ctx: NodeContext, receipts: Receipts) -> None:
        self._ctx = ctx
        self._receipts = receipts

    async def state(self, contact: Contact) -> RenewalState:
        data = await self._ctx.repo.get_setting(_SETTING + contact.contact_id.hex())
        if data is None:
            return RenewalState()
        try:
            return RenewalState.decode(data)
        except ProtocolError:
            log.warning("renewal state of %s unreadable: reset", format_node_id(contact.contact_id))
            return RenewalState()

    def _save(self, contact: Contact, state: RenewalState) -> Change:
        return self._ctx.repo.put_setting(_SETTING + contact.contact_id.hex(), state.encode())

    # --- the restored node ---------------------------------------------------------------

    async def after_restore(self, backup_ms: int) -> int:
        """Called once, on the first start after ``releve restore``: every active contact's
        session is dropped for a placeholder and an offer is queued. Returns how many."""
        ctx = self._ctx
        changes: list[Change] = []
        events: list[AuditEvent] = [("restored", "local", None, None)]
        count = 0
        for contact in ctx.contacts.values():
            if not contact.active:
                continue
            async with contact.lock:
                changes += await self._offer(contact, backup_ms)
            count += 1
        await ctx.commit(changes, events)
        ctx.wake_outbox()
        log.info("restored from a backup: renewing the sessions with %d contacts", count)
        return count

    async def resume(self) -> int:
        """At each start: an offer still unanswered (the contact was away longer than the
        outbox kept it, or the answer was lost) is made again, newer, so that no session stays
        a placeholder for good. Returns how many."""
        ctx = self._ctx
        changes: list[Change] = []
        count = 0
        for contact in ctx.contacts.values():
            if not contact.active:
                continue
            async with contact.lock:
                state = await self.state(contact)
                if state.pending:
                    changes += await self._offer(contact, state.announce_ms)
                    count += 1
        if changes:
            await ctx.commit(changes)
            ctx.wake_outbox()
            log.info("session renewal offers made again to %d contacts", count)
        return count

    async def _offer(self, contact: Contact, backup_ms: int) -> list[Change]:
        ctx = self._ctx
        old = await ctx.session_of(contact)
        offer, private = wire.make_offer(
            ctx.identity, contact.row.public, ctx.card.encode(), ctx.clock(), ctx.rand
        )
        placeholder = wire.placeholder(ctx.identity, contact.row.public, private)
        placeholder.next_seq = old.next_seq
        contact.session = placeholder
        state = replace(
            await self.state(contact),
            pending=private,
            offer_ms=offer.time_ms,
            announce_ms=backup_ms,
        )
        packet = seal_packet(RenewalInner(offer.encode()), contact.row.public.dh_key, ctx.rand)
        return [
            ctx.repo.update_session(contact.contact_id, placeholder),
            ctx.repo.drop_outbox(contact.contact_id),
            ctx.repo.enqueue(contact.contact_id, packet, None, ctx.clock()),
            self._save(contact, state),
        ]

    # --- a renewal packet from a contact ---------------------------------------------------

    async def receive(self, inner: RenewalInner) -> str:
        ctx = self._ctx
        try:
            message = wire.decode(inner.data)
        except RemoteProtocolError as exc:
            raise PeerRefused(Verdict.MALFORMED, f"undecodable renewal ({exc.code})") from None
        contact = ctx.contacts.get(message.sender)
        if contact is None:
            raise PeerRefused(Verdict.UNKNOWN_SENDER, "renewal from an unknown sender")
        if not contact.active:
            raise PeerRefused(Verdict.GONE, "renewal from a contact no longer paired")
        async with contact.lock:
            if isinstance(message, wire.RenewalOffer):
                result, future, owed = await self._answer(contact, message)
            else:
                result, future, owed = await self._complete(contact, message)
        if future is not None:
            await ctx.await_commit(future)
            if owed is not None:  # the answer's card, once committed (as the receiver does)
                self._receipts.owe(contact, owed)
            ctx.wake_outbox()
            await ctx.inbox_changes()
        return result

    async def _answer(
        self, contact: Contact, offer: wire.RenewalOffer
    ) -> tuple[str, asyncio.Future[None] | None, bytes | None]:
        ctx = self._ctx
        name = format_node_id(contact.contact_id)
        try:
            offer.verify(contact.row.public, ctx.identity.public)
            card = ContactCard.decode(offer.card)
        except ProtocolError:
            log.warning("refused a session renewal with a bad signature from %s", name)
            raise PeerRefused(Verdict.MALFORMED, "renewal offer: bad signature") from None
        state = await self.state(contact)
        now = ctx.clock()
        oldest = int((now - ctx.config.outbox_max_age_hours * 3600) * 1000)
        if offer.time_ms > int((now + MAX_CLOCK_AHEAD_SECONDS) * 1000):
            # Accepted, it would make every later genuine offer look like a replay.
            log.warning("refused a session renewal offer dated in the future from %s", name)
            raise PeerRefused(Verdict.MALFORMED, "renewal offer dated in the future")
        if offer.time_ms <= state.peer_offer_ms or offer.time_ms < oldest:
            # A replay must not reset a live session (§20.6).
            log.warning("ignored a session renewal offer replayed by %s", name)
            return "duplicate", None, None
        if state.pending and ctx.identity.public.node_id < contact.contact_id:
            # Both restored: the offer of the smaller node id wins; ours will be answered.
            return "stored", None, None
        session = await ctx.session_of(contact)
        if contact.above_mark is None:
            contact.above_mark = await ctx.repo.seqs_from(contact.contact_id, contact.row.recv_mark)
        your_seq = max([contact.row.recv_mark, *(seq + 1 for seq in contact.above_mark)])
        first_seq = session.next_seq
        reply, new_session, _card = wire.answer(
            ctx.identity,
            contact.row.public,
            offer,
            (PayloadKind.CONTACT_CARD, ctx.card.encode()),
            first_seq,
            your_seq,
            now,
            ctx.rand,
        )
        packet = seal_packet(RenewalInner(reply.encode()), contact.row.public.dh_key, ctx.rand)
        state = replace(
            state, pending=b"", offer_ms=0, peer_offer_ms=offer.time_ms, renewed_ms=int(now * 1000)
        )
        contact.session = new_session
        contact.row.card = card
        contact.row.recv_mark = your_seq
        contact.above_mark = set()
        changes = [
            ctx.repo.update_card(contact.contact_id, card),
            ctx.repo.update_recv_mark(contact.contact_id, your_seq),
            ctx.repo.drop_outbox(contact.contact_id),
            ctx.repo.enqueue(contact.contact_id, packet, None, now),
            *await self._after_renewal(contact, new_session, state),
            ctx.repo.update_session(contact.contact_id, new_session),
        ]
        log.info("session with %s renewed at its request (it was restored)", name)
        return (
            "stored",
            ctx.submit(changes, [("renewed", "contact", contact.contact_id, None)]),
            None,
        )

    async def _complete(
        self, contact: Contact, reply: wire.RenewalAnswer
    ) -> tuple[str, asyncio.Future[None] | None, bytes | None]:
        ctx = self._ctx
        name = format_node_id(contact.contact_id)
        state = await self.state(contact)
        if not state.pending:
            return "duplicate", None, None  # answered already, or never offered: a replay
        try:
            session, payload = wire.complete(
                ctx.identity, contact.row.public, state.pending, reply, ctx.clock(), ctx.rand
            )
            if payload.kind is not PayloadKind.CONTACT_CARD:
                raise PeerRefused(Verdict.MALFORMED, "renewal answer: not a contact card")
            card = ContactCard.decode(payload.body)
        except RemoteProtocolError as exc:
            log.warning("refused a session renewal answer from %s (%s)", name, exc.code)
            raise PeerRefused(Verdict.MALFORMED, f"renewal answer refused ({exc.code})") from None
        now = ctx.clock()
        position = reply.header.dh + reply.header.n.to_bytes(4, "big")
        row = message_row(payload, contact.contact_id, "in", "received", received_at=now)
        contact.session = session
        contact.row.card = card
        contact.row.recv_mark = reply.first_seq + 1
        contact.above_mark = set()
        state = replace(state, pending=b"", offer_ms=0, renewed_ms=int(now * 1000))
        changes = [
            ctx.repo.insert_message(row, position),
            ctx.repo.update_card(contact.contact_id, card),
            ctx.repo.update_recv_mark(contact.contact_id, reply.first_seq + 1),
            ctx.repo.drop_outbox(contact.contact_id),
            *await self._after_renewal(contact, session, state),
        ]
        # Our card: the contact may know an address of the machine we left.
        changes += await ctx.seal_for(contact, PayloadKind.CONTACT_CARD, ctx.card.encode())
        changes.append(ctx.repo.update_session(contact.contact_id, session))
        log.info("session with %s renewed after our restore", name)
        future = ctx.submit(changes, [("renewed", "local", contact.contact_id, None)])
        return "stored", future, payload.message_id

    async def _after_renewal(
        self, contact: Contact, session: Session, state: RenewalState
    ) -> list[Change]:
        """Our queued messages, sealed again under the new session with their ids; then, if
        we were restored, the RESTORED notice (queued until its receipt)."""
        ctx = self._ctx
        rows = await ctx.repo.outgoing(contact.contact_id, RESENT_KINDS, None, 0)
        changes = self._reseal(contact, session, rows)
        if state.announce_ms:
            payload, packet = session.seal(
                PayloadKind.RESTORED, encode_restored(state.announce_ms), ctx.clock(), ctx.rand
            )
            changes += [
                ctx.repo.insert_message(message_row(payload, contact.contact_id, "out", "queued")),
                ctx.repo.enqueue(contact.contact_id, packet, payload.message_id, ctx.clock()),
            ]
            state = replace(state, announce_ms=0)
        changes.append(self._save(contact, state))
        return changes

    def _reseal(self, contact: Contact, session: Session, rows: list[MessageRow]) -> list[Change]:
        ctx = self._ctx
        changes: list[Change] = []
        for row in rows:
            kind = PayloadKind(row.kind)
            payload, packet = session.seal(
                kind, row.body, ctx.clock(), _drawing_first(row.message_id, ctx.rand)
            )
            if payload.message_id != row.message_id:
                raise LocalProtocolError("a message sealed again did not keep its id")
            changes.append(
                ctx.repo.enqueue(contact.contact_id, packet, row.message_id, ctx.clock())
            )
        return changes

    # --- RESTORED from a contact (called by the receiver, under the contact's lock) ---------

    async def restored_notice(self, contact: Contact, payload: Payload) -> list[Change]:
        """The contact was restored from a backup made at T: what we sent it since T (and
        before the new session) goes again, under the new session, with the same ids."""
        ctx = self._ctx
        try:
            backup_ms = decode_restored(payload.body)
        except RemoteProtocolError:
            return []
        state = await self.state(contact)
        until = state.renewed_ms or int(ctx.clock() * 1000)
        rows = await ctx.repo.outgoing(contact.contact_id, RESENT_KINDS, backup_ms, until)
        session = await ctx.session_of(contact)
        log.info(
            "contact %s was restored: sending again %d messages",
            format_node_id(contact.contact_id),
            len(rows),
        )
        return self._reseal(contact, session, rows)
