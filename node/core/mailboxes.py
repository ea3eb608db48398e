"""A clinic server's mailboxes (docs/operations.md, "Serveur de cabinet / Clinic server";
docs/protocol.md §9.6): personal ones (a clinician's) and shared role ones ("Secrétariat"),
each with the people (account ids) who may read and send from it.

- Towards contacts the practice stays one paired identity: its public mailboxes are told to
  each contact that knows mailboxes (MAILBOXES, fire and forget like a readiness probe: a node
  older than mailboxes refuses the kind and never answers, so nothing waits for it, and it is
  never sent a mailbox in a message's meta).
- An incoming message belongs to the mailbox its meta names, else to the mailbox of the
  message it answers, else to the default mailbox, else to none (the operator and the admins
  read those).
- A person reads the messages of the mailboxes they are a member of; the operator (the local
  API's bearer token, no person acting) reads everything. Read and acknowledged are kept per
  person; the sender still gets one receipt per message (node.core.reading).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final, Protocol

from node.core.contacts import Contact
from node.core.context import NodeContext
from node.core.errors import Conflict, Invalid, NotFound, PeerRefused, RequestError, Verdict
from node.core.ports import Change, Transport
from node.core.prescriber import prescriber_from
from node.core.records import Mailbox, MessageRow
from node.protocol import Payload, PayloadKind, Session
from node.protocol.conversation import Prescriber
from node.protocol.errors import LocalProtocolError
from node.protocol.identity import format_node_id
from node.protocol.mailbox import (
    MAILBOX_ID_SIZE,
    MAX_MAILBOXES,
    Mailboxes,
    PublicMailbox,
    check_mailbox_name,
)
from node.protocol.profile import PrescriberIdentity

log = logging.getLogger(__name__)

KINDS: Final = ("personal", "shared")
MAX_MEMBERS: Final = 200


class Person(Protocol):
    """What mailboxes need to know of an account (node.core.accounts.Account)."""

    @property
    def account_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def rpps(self) -> str | None: ...
    @property
    def disabled(self) -> bool: ...


class People(Protocol):
    """The accounts of the node (node.core.accounts.Accounts)."""

    def get(self, account_id: str) -> Person | None: ...
    def resolve(self, reference: str) -> Person:
        """By account id or name; NotFound otherwise."""
        ...


class NoPeople:
    """A node without accounts: nobody but the operator."""

    def get(self, account_id: str) -> Person | None:
        return None

    def resolve(self, reference: str) -> Person:
        raise NotFound("user_not_found", "this node has no users")


class Forbidden(NotFound):
    """A person asked for a mailbox (or a message of one) they may not read: HTTP 403 (its
    code). A kind of NotFound, so that a screen that shows what it can (the message a reply
    answers) leaves it out rather than failing."""


@dataclass(frozen=True)
class Access:
    """What one person may read: ``everything`` (the operator) or these mailboxes, and the
    messages of no mailbox when ``unfiled``."""

    everything: bool
    mailboxes: frozenset[bytes] = frozenset()
    unfiled: bool = False

    def may_read(self, mailbox: bytes | None) -> bool:
        if self.everything:
            return True
        return self.unfiled if mailbox is None else mailbox in self.mailboxes

    @property
    def filter(self) -> tuple[bytes | None, ...] | None:
        """For a listing (node.core.ports.MessageQuery.mailboxes): None is everything."""
        if self.everything:
            return None
        return (*sorted(self.mailboxes), *((None,) if self.unfiled else ()))


OPERATOR: Final = Access(everything=True)


class MailboxBook:
    def __init__(
        self, ctx: NodeContext, transport: Transport, people: People | None = None
    ) -> None:
        self._ctx = ctx
        self._transport = transport
        self.people: People = people or NoPeople()
        self._mailboxes: dict[bytes, Mailbox] = {}
        self._asked: set[bytes] = set()  # contacts asked for their mailboxes in this run
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        self._mailboxes = {m.mailbox_id: m for m in await self._ctx.repo.mailboxes()}

    # --- the practice's mailboxes ----------------------------------------------------------

    def all(self) -> list[Mailbox]:
        return sorted(self._mailboxes.values(), key=lambda m: (m.kind, m.name.casefold()))

    def get(self, mailbox_id: bytes | None) -> Mailbox | None:
        return None if mailbox_id is None else self._mailboxes.get(mailbox_id)

    def resolve(self, reference: object) -> Mailbox:
        """By id (16 hex digits) or name, case aside."""
        if not isinstance(reference, str) or not reference.strip():
            raise Invalid("bad_request", "mailbox must be a mailbox name or id")
        wanted = reference.strip().casefold()
        for mailbox in self._mailboxes.values():
            if wanted in (mailbox.mailbox_id.hex(), mailbox.name.casefold()):
                return mailbox
        raise NotFound("mailbox_not_found", "no mailbox matches")

    @property
    def default(self) -> Mailbox | None:
        return next((m for m in self._mailboxes.values() if m.default), None)

    def public(self) -> Mailboxes:
        """What contacts are told: the public mailboxes, a clinician's with their RPPS."""
        listed = []
        for mailbox in self.all():
            if mailbox.public:
                prescriber = self.prescriber_of(mailbox)
                identity = None
                if prescriber is not None and prescriber.rpps:
                    identity = PrescriberIdentity(prescriber.rpps, prescriber.name)
                listed.append(PublicMailbox(mailbox.mailbox_id, mailbox.name, identity))
        return Mailboxes(tuple(listed))

    def prescriber_of(self, mailbox: Mailbox) -> Person | None:
        """The clinician a personal mailbox belongs to, if they may prescribe (an RPPS on
        an enabled clinician's account, docs/protocol.md §19.1)."""
        if mailbox.kind != "personal" or len(mailbox.members) != 1:
            return None
        person = self.people.get(mailbox.members[0])
        if person is None or person.disabled or person.role != "clinician" or not person.rpps:
            return None
        return person

    async def add(
        self,
        name: object,
        kind: object = "shared",
        members: Iterable[object] = (),
        public: object = True,
        default: object = False,
    ) -> Mailbox:
        try:
            checked = check_mailbox_name(name if isinstance(name, str) else "")
        except LocalProtocolError as exc:
            raise Invalid("invalid_field", str(exc), _field("name")) from None
        if kind not in KINDS:
            raise Invalid("invalid_field", "kind must be personal or shared", _field("kind"))
        if not isinstance(public, bool) or not isinstance(default, bool):
            raise Invalid("bad_request", "public and default are true or false")
        async with self._lock:
            if any(m.name.casefold() == checked.casefold() for m in self._mailboxes.values()):
                raise Conflict("mailbox_exists", "a mailbox of that name exists")
            if len(self._mailboxes) >= MAX_MAILBOXES:
                raise Conflict("too_many_mailboxes", f"at most {MAX_MAILBOXES} mailboxes")
            mailbox = Mailbox(
                self._new_id(), checked, str(kind), self._members(members), public, default
            )
            self._check_personal(mailbox)
            await self._save([mailbox], "mailbox_added")
        await self.announce_all()
        return mailbox

    async def remove(self, reference: object) -> Mailbox:
        """Its messages stay, of no mailbox (read by the operator and the admins)."""
        async with self._lock:
            mailbox = self.resolve(reference)
            await self._ctx.commit(
                [self._ctx.repo.delete_mailbox(mailbox.mailbox_id)],
                [("mailbox_removed", "local", None, None)],
            )
            del self._mailboxes[mailbox.mailbox_id]
        await self.announce_all()
        return mailbox

    async def change_members(
        self, reference: object, add: Iterable[object] = (), remove: Iterable[object] = ()
    ) -> Mailbox:
        async with self._lock:
            mailbox = self.resolve(reference)
            gone = set(self._members(remove))
            kept = [m for m in mailbox.members if m not in gone]
            for account_id in self._members(add):
                if account_id not in kept:
                    kept.append(account_id)
            if len(kept) > MAX_MEMBERS:
                raise Invalid("too_many_members", f"at most {MAX_MEMBERS} members")
            changed = replace(mailbox, members=tuple(kept))
            self._check_personal(changed)
            await self._save([changed], "mailbox_members_changed")
        await self.announce_all()
        return changed

    async def set_default(self, reference: object) -> Mailbox:
        async with self._lock:
            mailbox = self.resolve(reference)
            changed = [
                replace(m, default=m.mailbox_id == mailbox.mailbox_id)
                for m in self._mailboxes.values()
                if m.default != (m.mailbox_id == mailbox.mailbox_id)
            ]
            await self._save(changed, "mailbox_default_changed")
            return self._mailboxes[mailbox.mailbox_id]

    def _members(self, members: Iterable[object]) -> tuple[str, ...]:
        if isinstance(members, str | bytes):
            raise Invalid("bad_request", "members is a list of account ids")
        found: list[str] = []
        for member in members:
            if not isinstance(member, str):
                raise Invalid("bad_request", "members is a list of account ids")
            person = self.people.resolve(member.strip())
            if person.account_id not in found:
                found.append(person.account_id)
            if len(found) > MAX_MEMBERS:
                raise Invalid("too_many_members", f"at most {MAX_MEMBERS} members")
        return tuple(found)

    @staticmethod
    def _check_personal(mailbox: Mailbox) -> None:
        if mailbox.kind == "personal" and len(mailbox.members) > 1:
            raise Invalid(
                "personal_mailbox_member", "a personal mailbox has one member", _field("members")
            )

    def _new_id(self) -> bytes:
        while True:
            mailbox_id = self._ctx.rand(MAILBOX_ID_SIZE)
            if mailbox_id not in self._mailboxes:
                return mailbox_id

    async def _save(self, mailboxes: list[Mailbox], event: str) -> None:
        repo = self._ctx.repo
        changes = [repo.put_mailbox(m.mailbox_id, m.encode()) for m in mailboxes]
        if any(m.default for m in mailboxes):
            changes += [
                repo.put_mailbox(other.mailbox_id, replace(other, default=False).encode())
                for other in self._mailboxes.values()
                if other.default and all(other.mailbox_id != m.mailbox_id for m in mailboxes)
            ]
        await self._ctx.commit(changes, [(event, "local", None, None)])
        for mailbox in mailboxes:
            if mailbox.default:
                for other_id, other in list(self._mailboxes.items()):
                    if other.default:
                        self._mailboxes[other_id] = replace(other, default=False)
            self._mailboxes[mailbox.mailbox_id] = mailbox

    def require_manager(self, account_id: str | None) -> None:
        """Mailboxes are managed by the operator or an admin."""
        person = None if account_id is None else self.people.get(account_id)
        if account_id is not None and (person is None or person.role != "admin"):
            raise Forbidden("forbidden", "only an admin manages mailboxes")

    # --- who reads what --------------------------------------------------------------------

    def access_of(self, account_id: str | None) -> Access:
        """What a person may read (None: the operator, who reads everything). A node without
        mailboxes is one inbox: everybody reads it."""
        if account_id is None:
            return OPERATOR
        person = self.people.get(account_id)
        if person is None or person.disabled:
            return Access(everything=False)
        if not self._mailboxes:
            return Access(everything=True)
        mine = frozenset(m.mailbox_id for m in self._mailboxes.values() if account_id in m.members)
        return Access(everything=False, mailboxes=mine, unfiled=person.role == "admin")

    async def refuse(self, account_id: str | None, row: MessageRow | None = None) -> Forbidden:
        """The refusal of a mailbox or message to a person, audited ("forbidden")."""
        contact_id = None if row is None else row.contact_id
        message_id = None if row is None else row.message_id
        await self._ctx.commit([], [("forbidden", "local", contact_id, message_id)])
        log.info("a mailbox was refused to account %s", account_id)
        return Forbidden("forbidden", "you may not read this mailbox")

    async def check_read(self, account_id: str | None, row: MessageRow) -> None:
        if not self.access_of(account_id).may_read(row.mailbox):
            raise await self.refuse(account_id, row)

    def sending_mailbox(self, account_id: str | None, reference: object) -> Mailbox | None:
        """The mailbox a person sends from: the one named (they must be a member), else their
        personal one, else their only one; None on a node without mailboxes."""
        if reference is not None:
            mailbox = self.resolve(reference)
            if account_id is not None and account_id not in mailbox.members:
                raise Forbidden("forbidden", "you may not send from this mailbox")
            return mailbox
        if account_id is None or not self._mailboxes:
            return None
        mine = [m for m in self.all() if account_id in m.members]
        personal = [m for m in mine if m.kind == "personal"]
        if personal:
            return personal[0]
        return mine[0] if len(mine) == 1 else None

    async def sent_from(self, account_id: str | None, reply_to: bytes | None) -> bytes | None:
        """The mailbox a person's message leaves from when none was named: that of the
        message it answers if they are a member, else :meth:`sending_mailbox`'s choice."""
        if account_id is None or not self._mailboxes:
            return None
        if reply_to is not None:
            answered = await self._ctx.repo.message(reply_to)
            mailbox = None if answered is None else self.get(answered.mailbox)
            if mailbox is not None and account_id in mailbox.members:
                return mailbox.mailbox_id
        chosen = self.sending_mailbox(account_id, None)
        return None if chosen is None else chosen.mailbox_id

    def filed(
        self, contact: Contact, named: bytes | None, answered: MessageRow | None
    ) -> bytes | None:
        """The mailbox an incoming message belongs to (see the module's docstring): the one
        its meta ``named``, the one of the message it ``answered``, the default one."""
        if named is not None and named in self._mailboxes:
            return named
        if (
            answered is not None
            and answered.contact_id == contact.contact_id
            and answered.mailbox in self._mailboxes
        ):
            return answered.mailbox
        default = self.default
        return None if default is None else default.mailbox_id

    def prescriber_block(
        self, mailbox: Mailbox | None, account_id: str | None
    ) -> Prescriber | None:
        """The prescriber block of a prescription sent from ``mailbox`` by ``account_id``:
        that of the clinician whose personal mailbox it is (name and RPPS from their account,
        the practice's specialty, address, phone and email from the node's profile), never
        from the form. None on a node without mailboxes (the profile's, as before)."""
        if not self._mailboxes:
            return None
        person = None if mailbox is None else self.prescriber_of(mailbox)
        if person is None:
            raise Invalid(
                "not_prescriber",
                "a prescription leaves only from the personal mailbox of a clinician with an"
                " RPPS number",
            )
        if account_id != person.account_id:
            raise Forbidden("forbidden", "only the clinician of this mailbox may sign from it")
        config = self._ctx.config
        return prescriber_from(
            name=person.name,
            specialty=config.specialty,
            rpps=person.rpps or "",
            address=config.address,
            phone=config.phone,
            email=config.email,
        )

    # --- the contact's mailboxes -----------------------------------------------------------

    @staticmethod
    def recipient_mailbox(contact: Contact, reference: object) -> bytes | None:
        """The contact's mailbox a message goes to (None: the contact's own inbox)."""
        if reference is None:
            return None
        listed = contact.row.mailboxes
        if not isinstance(reference, str) or listed is None:
            raise Invalid("no_mailboxes", "this contact has no mailboxes to choose from")
        found = listed.find(reference)
        if found is None:
            raise NotFound("mailbox_not_found", "the contact has no such mailbox")
        return found.mailbox_id

    async def announce_all(self) -> None:
        """Tells every contact our mailboxes (at start and when they change)."""
        for contact in list(self._ctx.contacts.values()):
            if contact.active:
                unknown = contact.row.mailboxes is None
                if unknown:
                    self._asked.add(contact.contact_id)  # asked once in this run (ask_once)
                await self.announce(contact, answer_requested=unknown)

    async def announce_at_start(self) -> None:
        """A node with public mailboxes tells them at each start (one told may have been
        lost); a node without waits to be asked."""
        if self.public().mailboxes:
            await self.announce_all()

    async def ask_once(self, contact: Contact) -> None:
        """A practice tells its mailboxes, once per run, to a contact that has not told
        its own (newly paired, or older than mailboxes) and asks for theirs."""
        if not self.public().mailboxes:
            return
        if contact.row.mailboxes is None and contact.contact_id not in self._asked:
            self._asked.add(contact.contact_id)
            await self.announce(contact, answer_requested=True)

    async def announce(self, contact: Contact, answer_requested: bool) -> None:
        ctx = self._ctx
        body = Mailboxes(self.public().mailboxes, answer_requested).encode()
        async with contact.lock:
            session = await ctx.session_of(contact)
            if not session.can_send:
                return  # renewing after a restore (§20): told at the next start
            packet = session.seal(PayloadKind.MAILBOXES, body, ctx.clock(), ctx.rand)[1]
            saved = ctx.submit([ctx.repo.update_session(contact.contact_id, session)])
        try:
            await ctx.await_commit(saved)  # the spent key stays spent before anything leaves
        except RequestError:
            return
        ctx.background(self._send(contact, packet))

    async def _send(self, contact: Contact, packet: bytes) -> None:
        try:
            await self._transport.send(contact.contact_id, contact.row.card, [packet])
        except Exception:
            log.info("mailboxes not told to %s", format_node_id(contact.contact_id))

    async def take(self, contact: Contact, session: Session, payload: Payload) -> str:
        """A contact's MAILBOXES just opened (the caller holds the contact's lock): kept, and
        answered with ours when asked."""
        ctx = self._ctx
        told = Mailboxes.decode(payload.body)  # checked by Payload.decode already
        listing, asked = told.without_request(), told.answer_requested
        changes: list[Change] = [
            ctx.repo.update_session(contact.contact_id, session),
            ctx.repo.update_contact_mailboxes(contact.contact_id, listing.encode()),
        ]
        try:
            await ctx.submit(changes)
        except Exception:
            raise PeerRefused(Verdict.BUSY, "store unavailable") from None
        contact.row.mailboxes = listing
        if asked:
            ctx.background(self._answer(contact))
        return "stored"

    async def _answer(self, contact: Contact) -> None:
        # Not under the caller's lock: announce takes it.
        await self.announce(contact, answer_requested=False)


def _field(name: str) -> dict[str, str]:
    return {"field": name, "reason": "invalid"}
