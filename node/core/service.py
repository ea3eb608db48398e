"""The node's behaviour: pairing, sending, receiving, receipts (transport-independent).

The peer endpoint and the local API call this; the outbox delivers what it enqueues. Every
change to the database goes through the batch writer, and nothing is acknowledged (to a peer
or to the local API) before its batch is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from node.config import NodeConfig
from node.core import records
from node.core.errors import ApiError
from node.edges.peer_wire import GONE_STATUS
from node.protocol import (
    ContactCard,
    DuplicateMessage,
    Identity,
    Invitation,
    InvitationExpired,
    Payload,
    PayloadKind,
    PendingInvitation,
    Profile,
    ProtocolError,
    PublicIdentity,
    RatchetMessage,
    Reachability,
    Receipt,
    ReceiptType,
    RemoteProtocolError,
    Revocation,
    Role,
    SealedAnswer,
    Session,
    Unpair,
    accept,
    complete,
    open_packet,
    system_random,
)
from node.protocol.conversation import CONVERSATION_KINDS
from node.protocol.identity import format_node_id, parse_node_id_prefix
from node.protocol.payload import MAX_RECEIPT_IDS
from node.protocol.primitives import RandomSource
from node.storage.audit import AuditLog
from node.storage.batch_writer import BatchWriter, Statement
from node.storage.store import ContactRow, MessageRow, Store

log = logging.getLogger(__name__)

# A message that arrived after a gap waits this long for the missing ones before it is shown.
HOLD_SECONDS: Final = 300.0
# Delivery receipts wait this long to be sent together.
RECEIPT_DELAY_SECONDS: Final = 0.02
ROLE_CODES: Final = {role.name.lower(): role for role in Role}
_CARD_SETTING: Final = "own_card"
_AUDIT_KEY_PURPOSE: Final = b"releve audit"
# Kinds whose arrival is confirmed with a delivery receipt (§11.2).
RECEIPTED_KINDS: Final = frozenset(
    {*CONVERSATION_KINDS, PayloadKind.CHUNK, PayloadKind.CONTACT_CARD}
)
# An audit event: what happened, who did it ("local" or "contact"), to whom, which message.
AuditEvent = tuple[str, str, bytes | None, bytes | None]


class PeerRejected(Exception):
    """A peer's packet refused with an HTTP status and a reason (logged, never content)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Contact:
    row: ContactRow
    session: Session | None = None  # loaded lazily; dropped when a commit fails
    above_mark: set[int] | None = None  # received seqs >= recv_mark; loaded lazily
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Delivery receipts owed for committed messages, sent together a moment later. Losing them
    # in a crash is harmless: the sender sends the message again and gets a new receipt.
    owed_receipts: list[bytes] = field(default_factory=list)
    receipts_scheduled: bool = False
    # Ratchet positions decrypted but not yet committed (a duplicate of one must wait).
    saving: set[bytes] = field(default_factory=set)

    @property
    def contact_id(self) -> bytes:
        return self.row.contact_id

    @property
    def name(self) -> str:
        return self.row.card.profile.name


class NodeService:
    def __init__(
        self,
        config: NodeConfig,
        identity: Identity,
        store: Store,
        writer: BatchWriter,
        clock: Callable[[], float],
        rand: RandomSource = system_random,
    ) -> None:
        self.config = config
        self.identity = identity
        self.store = store
        self.writer = writer
        self.clock = clock
        self.rand = rand
        self.contacts: dict[bytes, Contact] = {}
        self.reachability = Reachability()
        self.inbox_changed = asyncio.Condition()
        self.on_outbox: Callable[[], None] = lambda: None
        # Persists a new identity (the daemon rewrites the keyring); called by revoke().
        self.on_identity_change: Callable[[Identity], None] = lambda identity: None
        self._tasks: set[asyncio.Task[None]] = set()
        self._pairing_lock = asyncio.Lock()
        self.audit: AuditLog | None = None  # loaded by load()
        # Called with an incoming attachment's message id when one of its parts arrived.
        self.on_attachment_part: Callable[[Contact, bytes], None] = lambda contact, parent: None

    @property
    def profile(self) -> Profile:
        role = ROLE_CODES.get(self.config.role, Role.OTHER)
        return Profile(self.config.name or "Relève", role, self.config.phone or None)

    @property
    def card(self) -> ContactCard:
        return ContactCard(self.profile, self.reachability)

    async def load(self) -> None:
        self.contacts = {row.contact_id: Contact(row) for row in await self.store.contacts()}
        await self._load_audit()

    async def _load_audit(self) -> None:
        seal_key = self.store.cipher.subkey(_AUDIT_KEY_PURPOSE)
        self.audit = await AuditLog.load(self.store, seal_key)

    async def close(self) -> None:
        """Lets background work (owed receipts) finish before the store closes."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)

    def invalidate(self) -> None:
        """A commit failed: forget every state that may be ahead of the database."""
        for contact in self.contacts.values():
            contact.session = None
            contact.above_mark = None
        # The failed batch and every one queued behind it were not written (batch_writer):
        # the audit log goes back to the head of the last batch that was.
        if self.audit is not None:
            self.audit.rewind()
        asyncio.get_running_loop().create_task(self._reload_contacts())

    async def _reload_contacts(self) -> None:
        for row in await self.store.contacts():
            contact = self.contacts.get(row.contact_id)
            if contact is None:
                self.contacts[row.contact_id] = Contact(row)
            else:
                contact.row = row

    async def session_of(self, contact: Contact) -> Session:
        if contact.session is None:
            contact.session = await self.store.session(contact.contact_id)
        return contact.session

    def submit(
        self, statements: list[Statement], events: Iterable[AuditEvent] = ()
    ) -> asyncio.Future[None]:
        """Queues one batch with its audit entries. No await between the audit append and
        the submission, so that the log's chain is committed in the order it was built."""
        if self.audit is None:
            raise RuntimeError("the audit log is not loaded")
        now = self.clock()
        appended = False
        for event, actor, contact_id, message_id in events:
            statements += self.audit.append(event, actor, contact_id, message_id, now)
            appended = True
        future = self.writer.submit(statements)
        if appended:
            self.audit.submitted(future)
        return future

    async def commit(self, statements: list[Statement], events: Iterable[AuditEvent] = ()) -> None:
        await self.await_commit(self.submit(statements, events))

    @staticmethod
    async def await_commit(future: asyncio.Future[None]) -> None:
        """Waits for a batch; a failed commit is reported to the local API as unavailable."""
        try:
            await future
        except Exception as exc:
            raise ApiError(503, "store_unavailable", f"could not save: {exc}") from None

    # --- own card -------------------------------------------------------------------------

    async def announce_card_if_changed(self) -> None:
        """Tells every contact our name, role and addresses when they changed."""
        card = self.card.encode()
        if await self.store.get_setting(_CARD_SETTING) == card:
            return
        statements = [self.store.put_setting(_CARD_SETTING, card)]
        for contact in self.contacts.values():
            async with contact.lock:
                statements += await self.seal_for(contact, PayloadKind.CONTACT_CARD, card)
                statements.append(
                    self.store.update_session(contact.contact_id, await self.session_of(contact))
                )
        await self.commit(statements)
        self.on_outbox()

    async def seal_for(self, contact: Contact, kind: PayloadKind, body: bytes) -> list[Statement]:
        """Seals one payload (caller holds the contact's lock and saves the session after
        its last seal); returns the outbox statement. Everything but a receipt stays in the
        outbox until it is confirmed (§11.2)."""
        session = await self.session_of(contact)
        payload, packet = session.seal(kind, body, self.clock(), self.rand)
        message_id = None if kind is PayloadKind.RECEIPT else payload.message_id
        return [self.store.enqueue(contact.contact_id, packet, message_id, self.clock())]

    # --- pairing --------------------------------------------------------------------------

    async def create_invitation(self, ttl_seconds: int) -> Invitation:
        now = self.clock()
        pending = PendingInvitation.create(
            self.identity, self.profile, self.reachability, now, self.rand, ttl_seconds
        )
        await self.commit(
            [self.store.forget_invitations(now - 86400), self.store.insert_invitation(pending)]
        )
        return pending.invitation

    async def accept_invitation(self, text: str) -> Contact:
        contact, _answer = await self.accept_invitation_answer(text)
        return contact

    async def accept_invitation_answer(self, text: str) -> tuple[Contact, bytes]:
        """As :meth:`accept_invitation`, also returning the answer packet that was queued:
        phone pairing sends it over its own channel as well (docs/protocol.md §16)."""
        try:
            invitation = Invitation.from_text(text)
            invitation.check_fresh(self.clock())
        except InvitationExpired:
            raise ApiError(400, "invitation_expired", "the invitation has expired") from None
        except RemoteProtocolError as exc:
            raise ApiError(400, "invitation_invalid", str(exc)) from None
        inviter = invitation.inviter
        if inviter.node_id == self.identity.public.node_id:
            raise ApiError(400, "invitation_own", "this is this node's own invitation")
        known = self.contacts.get(inviter.node_id)
        if known is not None and known.row.state == "active":
            raise ApiError(409, "already_paired", "this contact is already paired")
        now = self.clock()
        paired, packet = accept(invitation, self.identity, self.card, now, self.rand)
        card = ContactCard(invitation.profile, invitation.reachability)
        predecessor = self._predecessor_of(inviter)
        await self.commit(
            [
                self.store.insert_contact(inviter, card, paired.session, now, predecessor),
                self.store.enqueue(inviter.node_id, packet, paired.first_payload.message_id, now),
            ],
            [("paired", "local", inviter.node_id, None)],
        )
        contact = Contact(
            ContactRow(inviter.node_id, inviter, card, now, False, 0, predecessor=predecessor)
        )
        contact.session = paired.session
        self.contacts[inviter.node_id] = contact
        log.info("paired with contact %s (accepted an invitation)", format_node_id(inviter.node_id))
        self.on_outbox()
        return contact, packet

    async def _complete_pairing(self, sealed: SealedAnswer) -> str:
        # One answer at a time: the same answer often arrives through several relays at once,
        # and completing it twice would start two diverging sessions.
        async with self._pairing_lock:
            return await self._complete_pairing_locked(sealed)

    async def _complete_pairing_locked(self, sealed: SealedAnswer) -> str:
        now = self.clock()
        # Every refusal is final (410): the acceptor stops retrying and tells its user.
        row = await self.store.invitation(sealed.tag)
        if row is None:
            raise PeerRejected(GONE_STATUS, "answer to an unknown or expired invitation")
        answer_hash = hashlib.sha256(sealed.sealed).digest()
        if row.pending is None:
            if row.answer_hash == answer_hash and row.used_by in self.contacts:
                return "duplicate"  # a retransmission; our receipt is already queued
            raise PeerRejected(GONE_STATUS, "invitation already used")
        try:
            paired = complete(row.pending, sealed, self.identity, now, self.rand)
            card = ContactCard.decode(paired.first_payload.body)
        except ProtocolError as exc:
            raise PeerRejected(GONE_STATUS, f"pairing answer refused ({exc.code})") from None
        peer = paired.peer
        predecessor = self._predecessor_of(peer)
        contact_row = ContactRow(peer.node_id, peer, card, now, False, 1, predecessor=predecessor)
        contact = Contact(contact_row, paired.session)
        contact.above_mark = set()
        async with contact.lock:
            statements = [
                self.store.insert_contact(peer, card, paired.session, now, predecessor),
                self.store.use_invitation(sealed.tag, peer.node_id, answer_hash, now),
                self.store.insert_message(self._incoming(contact, paired.first_payload)),
                self.store.update_recv_mark(peer.node_id, 1),
            ]
            statements += await self.seal_for(contact, PayloadKind.CONTACT_CARD, self.card.encode())
            statements += await self.receipt(
                contact, ReceiptType.DELIVERED, [paired.first_payload.message_id]
            )
            statements.append(self.store.update_session(peer.node_id, paired.session))
            self.contacts[peer.node_id] = contact
            # "local": this node's user showed the invitation that the contact answered.
            future = self.submit(statements, [("paired", "local", peer.node_id, None)])
        try:
            await future
        except Exception:
            self.contacts.pop(peer.node_id, None)
            raise PeerRejected(503, "store unavailable") from None
        log.info(
            "paired with contact %s (our invitation was answered)", format_node_id(peer.node_id)
        )
        self.on_outbox()
        return "stored"

    async def receipt(
        self, contact: Contact, receipt_type: ReceiptType, message_ids: list[bytes]
    ) -> list[Statement]:
        body = Receipt(receipt_type, tuple(message_ids)).encode()
        return await self.seal_for(contact, PayloadKind.RECEIPT, body)

    def _owe_receipt(self, contact: Contact, message_id: bytes) -> None:
        """Queues a delivery receipt for a committed message; sent after RECEIPT_DELAY."""
        contact.owed_receipts.append(message_id)
        if not contact.receipts_scheduled:
            contact.receipts_scheduled = True
            asyncio.get_running_loop().call_later(
                RECEIPT_DELAY_SECONDS,
                lambda: self.background(self._send_owed_receipts(contact)),
            )

    def background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_owed_receipts(self, contact: Contact) -> None:
        contact.receipts_scheduled = False
        owed, contact.owed_receipts = contact.owed_receipts, []
        statements: list[Statement] = []
        async with contact.lock:
            for start in range(0, len(owed), MAX_RECEIPT_IDS):
                chunk = owed[start : start + MAX_RECEIPT_IDS]
                statements += await self.receipt(contact, ReceiptType.DELIVERED, chunk)
            if not statements:
                return
            session = await self.session_of(contact)
            statements.append(self.store.update_session(contact.contact_id, session))
            future = self.writer.submit(statements)
        try:
            await future
        except Exception:
            log.warning("could not save %d delivery receipts", len(owed))
            return
        self.on_outbox()

    def _predecessor_of(self, peer: PublicIdentity) -> bytes | None:
        """The revoked contact that announced ``peer`` as its new identity, if any: pairing
        with it is a key change, and its messages are held until the user verifies it."""
        for contact in self.contacts.values():
            if contact.row.successor == peer.keys:
                return contact.contact_id
        return None

    def _incoming(self, contact: Contact, payload: Payload) -> MessageRow:
        return records.message_row(
            payload,
            contact.contact_id,
            "in",
            "held" if contact.row.held else "received",
            received_at=self.clock(),
        )

    # --- receiving ------------------------------------------------------------------------

    async def receive_packet(self, packet: bytes) -> str:
        """Handles one packet from a peer; returns "stored" or "duplicate" once committed."""
        try:
            inner = open_packet(packet, self.identity.public.dh_key, self.identity.dh_private)
        except RemoteProtocolError as exc:
            raise PeerRejected(400, f"undecodable packet ({exc.code})") from None
        if isinstance(inner, SealedAnswer):
            return await self._complete_pairing(inner)
        return await self._receive_message(inner)

    async def _receive_message(self, message: RatchetMessage) -> str:
        contact = self.contacts.get(message.sender)
        if contact is None:
            raise PeerRejected(403, "packet from an unknown sender")
        if contact.row.state != "active":
            # Ended pairing: tell the sender for good, so that its message fails visibly.
            raise PeerRejected(GONE_STATUS, "packet from a contact no longer paired")
        position = message.header.dh + message.header.n.to_bytes(4, "big")
        async with contact.lock:
            session = await self.session_of(contact)
            try:
                payload = session.open(message, self.clock(), self.rand)
            except DuplicateMessage:
                return await self._answer_duplicate(contact, position)
            except RemoteProtocolError as exc:
                raise PeerRejected(400, f"message refused ({exc.code})") from None
            statements, events = await self._accept_payload(contact, payload, position)
            statements.append(self.store.update_session(contact.contact_id, session))
            contact.saving.add(position)
            future = self.submit(statements, events)
        try:
            await future
        except Exception:
            raise PeerRejected(503, "store unavailable") from None
        finally:
            contact.saving.discard(position)
        if payload.kind in RECEIPTED_KINDS:
            self._owe_receipt(contact, payload.message_id)
        if payload.kind in (PayloadKind.ATTACHMENT, PayloadKind.CHUNK):
            self.on_attachment_part(contact, records.attachment_of(payload))
        self.on_outbox()
        async with self.inbox_changed:
            self.inbox_changed.notify_all()
        return "stored"

    async def _answer_duplicate(self, contact: Contact, position: bytes) -> str:
        """A message we cannot decrypt again: if we have it, the sender missed our receipt
        (send it again); if we never stored it, its key is gone and it can never be read."""
        if position in contact.saving:
            raise PeerRejected(503, "this message is still being saved")
        row = await self.store.message_at(contact.contact_id, position)
        if row is None:
            raise PeerRejected(GONE_STATUS, "message key no longer available; send it again")
        if row.kind in RECEIPTED_KINDS:
            self._owe_receipt(contact, row.message_id)
        return "duplicate"

    async def _accept_payload(
        self, contact: Contact, payload: Payload, position: bytes
    ) -> tuple[list[Statement], list[AuditEvent]]:
        statements = [self.store.insert_message(self._incoming(contact, payload), position)]
        events: list[AuditEvent] = []
        if payload.kind is not PayloadKind.RECEIPT:  # receipts take no place in the order
            statements += await self._advance_mark(contact, payload.seq)
        if payload.kind is PayloadKind.RECEIPT:
            receipt = Receipt.decode(payload.body)
            statements += self._accept_receipt(contact, receipt)
            events += await self._receipt_events(contact, receipt)
        elif payload.kind in CONVERSATION_KINDS:
            events.append(("received", "contact", contact.contact_id, payload.message_id))
        elif payload.kind is PayloadKind.CONTACT_CARD:
            card = ContactCard.decode(payload.body)
            contact.row.card = card
            statements.append(self.store.update_card(contact.contact_id, card))
        elif payload.kind in (PayloadKind.UNPAIR, PayloadKind.REVOCATION):
            notice_statements = self._accept_notice(contact, payload)
            if notice_statements:
                event = "unpaired" if payload.kind is PayloadKind.UNPAIR else "revoked"
                events.append((event, "contact", contact.contact_id, None))
            statements += notice_statements
        return statements, events

    _RECEIPT_COLUMNS: Final = {
        ReceiptType.DELIVERED: ("delivered", "delivered_at"),
        ReceiptType.READ: ("read", "read_at"),
        ReceiptType.ACKNOWLEDGED: ("read", "acknowledged_at"),
    }

    def _accept_receipt(self, contact: Contact, receipt: Receipt) -> list[Statement]:
        """Every receipt confirms delivery; read and acknowledged move the status on."""
        now = self.clock()
        status, column = self._RECEIPT_COLUMNS[receipt.type]
        statements: list[Statement] = []
        for message_id in receipt.message_ids:
            statements.append(self.store.outbox_delivered(contact.contact_id, message_id))
            if receipt.type is ReceiptType.ACKNOWLEDGED:
                statements.append(
                    self.store.receipt_update(
                        contact.contact_id, message_id, "read", "read_at", now
                    )
                )
            statements.append(
                self.store.receipt_update(contact.contact_id, message_id, status, column, now)
            )
        return statements

    async def _receipt_events(self, contact: Contact, receipt: Receipt) -> list[AuditEvent]:
        """Audit entries for the conversation messages this receipt changes (not chunks,
        not a receipt seen again)."""
        event = {
            ReceiptType.DELIVERED: "delivered",
            ReceiptType.READ: "read",
            ReceiptType.ACKNOWLEDGED: "acknowledged",
        }[receipt.type]
        _status, column = self._RECEIPT_COLUMNS[receipt.type]
        kinds = tuple(int(kind) for kind in CONVERSATION_KINDS)
        changed = await self.store.unconfirmed(
            contact.contact_id, receipt.message_ids, column, kinds
        )
        return [
            (event, "contact", contact.contact_id, message_id)
            for message_id in receipt.message_ids
            if message_id in changed
        ]

    def _accept_notice(self, contact: Contact, payload: Payload) -> list[Statement]:
        """A signed unpair or revocation notice: checked, then the contact is inactive and
        whatever still waits for it has failed."""
        notice: Unpair | Revocation
        if payload.kind is PayloadKind.UNPAIR:
            notice, state = Unpair.decode(payload.body), "unpaired_by_peer"
        else:
            notice, state = Revocation.decode(payload.body), "revoked_by_peer"
        try:
            notice.verify(contact.row.public, self.identity.public)
        except ProtocolError:
            log.warning(
                "ignored a notice with a bad signature from %s", format_node_id(contact.contact_id)
            )
            return []
        successor = None
        if isinstance(notice, Revocation) and notice.successor is not None:
            successor = notice.successor.keys
            contact.row.successor = successor
        contact.row.state = state
        log.info("contact %s: %s", format_node_id(contact.contact_id), state.replace("_", " "))
        return [
            self.store.set_contact_state(contact.contact_id, state, successor),
            *self.store.abandon_outbox(contact.contact_id),
        ]

    async def _advance_mark(self, contact: Contact, seq: int) -> list[Statement]:
        if contact.above_mark is None:
            contact.above_mark = await self.store.seqs_from(
                contact.contact_id, contact.row.recv_mark
            )
        mark = contact.row.recv_mark
        if seq < mark:
            return []
        contact.above_mark.add(seq)
        while mark in contact.above_mark:
            contact.above_mark.discard(mark)
            mark += 1
        if mark == contact.row.recv_mark:
            return []
        contact.row.recv_mark = mark
        return [self.store.update_recv_mark(contact.contact_id, mark)]

    # --- sending and reading --------------------------------------------------------------

    def resolve_contact(self, reference: str) -> Contact:
        """By exact name, then node id prefix (4+ characters), then unique name prefix."""
        wanted = reference.strip().casefold()
        if not wanted:
            raise ApiError(400, "bad_request", "no contact given")
        # A revoked or unpaired contact keeps its name in the history; a current one wins.
        everyone = list(self.contacts.values())
        active = [c for c in everyone if c.row.state == "active"]
        matches = self._match(reference, wanted, active) or self._match(reference, wanted, everyone)
        if not matches:
            raise ApiError(404, "contact_not_found", "no contact matches")
        if len(matches) > 1:
            names = ", ".join(sorted(c.name for c in matches))
            raise ApiError(409, "contact_ambiguous", f"several contacts match: {names}")
        return matches[0]

    @staticmethod
    def _match(reference: str, wanted: str, contacts: list[Contact]) -> list[Contact]:
        matches = [c for c in contacts if c.name.casefold() == wanted]
        if not matches:
            prefix = parse_node_id_prefix(reference)
            if len(prefix) >= 4:
                matches = [
                    c
                    for c in contacts
                    if parse_node_id_prefix(format_node_id(c.contact_id)).startswith(prefix)
                    or c.contact_id.hex().startswith(prefix)
                ]
        if not matches:
            matches = [c for c in contacts if c.name.casefold().startswith(wanted)]
        return matches

    async def abandon_pairing(self, contact: Contact) -> None:
        """The inviter refused our answer for good (invitation used or unknown): the
        half-made contact is removed, so that the user can accept a new invitation."""
        async with contact.lock:
            await self.commit(self.store.forget_contact(contact.contact_id))
            self.contacts.pop(contact.contact_id, None)
        log.info("pairing with %s refused by the inviter", format_node_id(contact.contact_id))

    @staticmethod
    def require_active(contact: Contact) -> None:
        if contact.row.state != "active":
            raise ApiError(
                409, "contact_inactive", f"no longer paired with this contact ({contact.row.state})"
            )

    # --- queries --------------------------------------------------------------------------

    def visible_clause(self) -> tuple[str, tuple[float]]:
        """Received messages are shown in the sender's order: one that came after a gap
        waits for the missing ones (at most HOLD_SECONDS)."""
        return (
            "(m.direction = 'out' OR m.seq < recv_mark OR m.received_at < ?)",
            (self.clock() - HOLD_SECONDS,),
        )

    def _unread_clause(self) -> tuple[str, tuple[float]]:
        visible, params = self.visible_clause()
        kinds = ",".join(str(int(kind)) for kind in CONVERSATION_KINDS)
        where = (
            f"m.direction = 'in' AND m.status = 'received' AND m.kind IN ({kinds}) AND {visible}"
        )
        return where, params

    async def unread(self) -> list[MessageRow]:
        where, params = self._unread_clause()
        return await self.store.messages(where, params, 1000)

    async def unread_count(self) -> int:
        where, params = self._unread_clause()
        return await self.store.count(
            "SELECT COUNT(*) FROM messages m JOIN contacts USING (contact_id)"  # noqa: S608
            f" WHERE {where}",
            params,
        )

    async def wait_unread(self, timeout: float) -> list[MessageRow]:
        deadline = self.clock() + timeout
        while True:
            messages = await self.unread()
            remaining = deadline - self.clock()
            if messages or remaining <= 0:
                return messages
            # asyncio.timeout rather than wait_for, which on Python 3.11 can lose the
            # cancellation of a shutdown and keep this request (and the node) waiting.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, 5.0)), self.inbox_changed:
                    await self.inbox_changed.wait()
