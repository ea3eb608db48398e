"""Prescriptions a pharmacist can rely on (docs/protocol.md §19; docs/local-api.md,
"Prescriptions"): who may sign one, what a received one must prove, and what became of it.

- Sending: the prescriber block comes from our profile (node.core.config), never from the
  form; only a prescriber's node (PRESCRIBER_ROLES) sends a prescription or a cancellation,
  both signed by node.core.sending. A pharmacist's node reports dispensing.
- Receiving (:meth:`Prescriptions.check_incoming`, called by node.core.receiving once the
  payload is open): an unsigned prescription (v1), a prescription from a contact who is not a
  prescriber, a bad signature, a prescriber block that is not the contact's card, or a
  cancellation, amendment or report about a prescription we do not have, is refused for good
  (PeerRefused GONE: sending it again cannot help), with its reason logged (never content).
- Lifecycle: a prescription is active, cancelled or replaced (by the first signed answer that
  does so), carries the pharmacist's reports, and is past its validity three months after its
  date unless something was dispensed (R.5132-22).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Final, NoReturn

from node.core.accounts import acting_account
from node.core.contacts import Contact
from node.core.context import ROLE_CODES, NodeContext
from node.core.errors import Conflict, Invalid, NotFound, PeerRefused, Verdict
from node.core.prescriber import prescriber_from
from node.core.records import MessageRow, content_of
from node.core.sending import Sending, invalid_field
from node.protocol import Payload, PayloadKind, Role
from node.protocol.conversation import (
    Cancellation,
    Dispensing,
    Meta,
    Prescriber,
    Prescription,
    decode_conversation,
)
from node.protocol.errors import ClinicalError, DecryptionFailed, RemoteProtocolError
from node.protocol.identity import format_node_id
from node.protocol.lifecycle import DispensingState
from node.protocol.prescription_signature import SIGNED_KINDS, verify_body
from node.protocol.profile import PRESCRIBER_ROLES

log = logging.getLogger(__name__)

CHECKED_KINDS: Final = frozenset(
    {
        PayloadKind.PRESCRIPTION,
        PayloadKind.SIGNED_PRESCRIPTION,
        PayloadKind.CANCELLATION,
        PayloadKind.DISPENSING,
    }
)
_PRESCRIPTION_CODES: Final = (int(PayloadKind.PRESCRIPTION), int(PayloadKind.SIGNED_PRESCRIPTION))
# Answers that do not count: ours that never left, theirs held behind a key change.
_NOT_COUNTED: Final = frozenset({"failed", "held"})


@dataclass
class Lifecycle:
    """What became of a prescription, as every view shows it."""

    state: str = "active"  # "active", "cancelled" or "replaced"
    by: bytes | None = None  # the cancellation or the prescription that replaced it
    reason: str | None = None  # a cancellation's reason
    signed: bool = True  # False: a prescription stored before version 2
    valid_until: datetime.date | None = None
    expired: bool = False  # past its validity with nothing dispensed
    dispensing: list[tuple[MessageRow, Dispensing]] = field(default_factory=list)


class Prescriptions:
    def __init__(self, ctx: NodeContext, sending: Sending) -> None:
        self._ctx = ctx
        self._sending = sending

    # --- sending ----------------------------------------------------------------------

    def own_prescriber(self) -> Prescriber:
        """Our prescriber block, from the profile; ``Invalid`` when we may not prescribe
        (``not_prescriber``) or the profile lacks a field (``prescriber_incomplete``,
        naming it)."""
        config = self._ctx.config
        if ROLE_CODES.get(config.role) not in PRESCRIBER_ROLES:
            raise Invalid("not_prescriber", "only a gp or specialist node may sign a prescription")
        return prescriber_from(
            name=config.prescriber_name,
            specialty=config.specialty,
            rpps=config.rpps,
            address=config.address,
            phone=config.phone,
            email=config.email,
        )

    async def send(
        self,
        reference: str,
        meta: Meta,
        form: object,
        today: datetime.date,
        prescriber: Prescriber | None = None,
        mailbox: bytes | None = None,
    ) -> MessageRow:
        """``prescriber``: on a clinic server, the block of the clinician whose personal
        mailbox ``mailbox`` it is sent from (node.core.mailboxes); else our profile's."""
        if prescriber is None:
            mailbox = mailbox or await self._sent_from(meta.reply_to)
            prescriber = self._prescriber_for(mailbox)
        contact = self._ctx.contacts.resolve(reference)
        try:
            prescription = Prescription.from_json(form, today, prescriber)
        except ClinicalError as exc:
            raise invalid_field(exc) from None
        return await self._sending.send_to(contact, meta, prescription, mailbox=mailbox)

    async def amend(
        self, message_id: bytes, form: object, today: datetime.date, meta: Meta
    ) -> MessageRow:
        """A new signed prescription that replaces ours (its ``replaces`` is signed too)."""
        original, contact = await self._own_active(message_id)
        prescriber = self._prescriber_for(original.mailbox)
        try:
            prescription = Prescription.from_json(form, today, prescriber, original.message_id)
        except ClinicalError as exc:
            raise invalid_field(exc) from None
        answer = Meta(meta.priority, original.message_id)
        return await self._sending.send_to(contact, answer, prescription, mailbox=original.mailbox)

    async def cancel(self, message_id: bytes, form: object, today: datetime.date) -> MessageRow:
        original, contact = await self._own_active(message_id)
        self._prescriber_for(original.mailbox)
        try:
            cancellation = Cancellation.from_json(form, today)
        except ClinicalError as exc:
            raise invalid_field(exc) from None
        return await self._sending.send_to(
            contact, Meta(reply_to=original.message_id), cancellation, mailbox=original.mailbox
        )

    def _prescriber_for(self, mailbox: bytes | None) -> Prescriber:
        """Our prescriber block: on a clinic server that of the clinician whose personal
        mailbox ``mailbox`` is, who must be the person acting (node.core.mailboxes); else
        the profile's."""
        book = self._sending.mailboxes
        if book is not None:
            block = book.prescriber_block(book.get(mailbox), acting_account())
            if block is not None:
                return block
        return self.own_prescriber()

    async def _sent_from(self, reply_to: bytes | None) -> bytes | None:
        book = self._sending.mailboxes
        return None if book is None else await book.sent_from(acting_account(), reply_to)

    async def dispense(self, message_id: bytes, form: object) -> MessageRow:
        """The pharmacist's report on a prescription they received."""
        if ROLE_CODES.get(self._ctx.config.role) is not Role.PHARMACIST:
            raise Invalid("not_pharmacist", "only a pharmacist's node reports dispensing")
        row = await self._prescription(message_id)
        if row.direction != "in":
            raise Conflict("not_received", "dispensing is reported on a received prescription")
        try:
            report = Dispensing.from_json(form)
        except ClinicalError as exc:
            raise invalid_field(exc) from None
        contact = self._contact(row)
        return await self._sending.send_to(contact, Meta(reply_to=row.message_id), report)

    async def _prescription(self, message_id: bytes) -> MessageRow:
        row = await self._ctx.repo.message(message_id)
        if row is None or row.kind not in _PRESCRIPTION_CODES:
            raise NotFound("prescription_not_found", "no prescription with that id")
        return row

    def _contact(self, row: MessageRow) -> Contact:
        contact = self._ctx.contacts.get(row.contact_id)
        if contact is None:
            raise NotFound("contact_not_found", "the prescription's contact is gone")
        return contact

    async def _own_active(self, message_id: bytes) -> tuple[MessageRow, Contact]:
        row = await self._prescription(message_id)
        if row.direction != "out" or row.kind != PayloadKind.SIGNED_PRESCRIPTION:
            raise Conflict("not_own_prescription", "only our own signed prescription changes")
        if row.status == "failed":
            raise Conflict("prescription_failed", "this prescription never reached its recipient")
        lifecycle = await self.lifecycle(row)
        if lifecycle is not None and lifecycle.state != "active":
            raise Conflict("prescription_closed", f"this prescription is {lifecycle.state}")
        return row, self._contact(row)

    # --- lifecycle --------------------------------------------------------------------

    async def lifecycle(self, row: MessageRow) -> Lifecycle | None:
        """None for anything but a prescription."""
        if row.kind not in _PRESCRIPTION_CODES:
            return None
        content = content_of(row)
        assert isinstance(content, Prescription)
        result = Lifecycle(
            signed=row.kind == PayloadKind.SIGNED_PRESCRIPTION, valid_until=content.valid_until
        )
        for reply in await self._ctx.repo.replies(row.contact_id, row.message_id):
            if reply.status in _NOT_COUNTED:
                continue
            answer = content_of(reply)
            if isinstance(answer, Dispensing):
                if reply.direction != row.direction:  # the recipient's report
                    result.dispensing.append((reply, answer))
            elif reply.direction != row.direction:
                continue  # only the prescription's author cancels or replaces it
            elif result.state == "active" and isinstance(answer, Cancellation):
                result.state, result.by, result.reason = (
                    "cancelled",
                    reply.message_id,
                    answer.reason,
                )
            elif (
                result.state == "active"
                and isinstance(answer, Prescription)
                and answer.replaces == row.message_id
            ):
                result.state, result.by = "replaced", reply.message_id
        today = datetime.datetime.fromtimestamp(self._ctx.clock(), datetime.UTC).date()
        dispensed = any(
            report.state is not DispensingState.REFUSED for _, report in result.dispensing
        )
        result.expired = not dispensed and today > content.valid_until
        return result

    # --- receiving --------------------------------------------------------------------

    async def check_incoming(self, contact: Contact, payload: Payload) -> None:
        """Raises :class:`PeerRefused` (GONE) for a prescription, cancellation or report we
        must not accept from this contact (the module docstring says which)."""
        kind = payload.kind
        if kind not in CHECKED_KINDS:
            return
        if kind is PayloadKind.PRESCRIPTION:
            self._refuse(contact, "unsigned", "unsigned prescription (version 1)")
        profile = contact.row.card.profile
        # A clinic server signs for the clinicians its mailboxes list (§9.6, §19.1).
        listed = contact.row.mailboxes
        clinicians = [] if listed is None else [m.prescriber for m in listed.mailboxes]
        if kind in SIGNED_KINDS:
            if profile.role not in PRESCRIBER_ROLES and not any(clinicians):
                self._refuse(
                    contact,
                    "not_prescriber",
                    "prescription from a contact who is not a prescriber",
                )
            try:
                verify_body(
                    contact.row.public,
                    kind,
                    self._ctx.identity.public.node_id,
                    payload.message_id,
                    payload.body,
                )
            except (DecryptionFailed, RemoteProtocolError):
                self._refuse(contact, "bad_signature", "prescription signature does not verify")
        meta, content = decode_conversation(kind, payload.body)
        if isinstance(content, Prescription):
            signer = content.prescriber
            known = [profile.prescriber] if profile.role in PRESCRIBER_ROLES else []
            if not any(
                card is not None and card.rpps == signer.rpps and card.name == signer.name
                for card in (*known, *clinicians)
            ):
                self._refuse(
                    contact, "prescriber_mismatch", "prescriber does not match the contact's card"
                )
            if content.replaces is not None:
                await self._original(contact, content.replaces, "in", "amends")
        elif isinstance(content, Cancellation):
            assert meta.reply_to is not None  # decode_conversation requires it
            await self._original(contact, meta.reply_to, "in", "cancels")
        elif isinstance(content, Dispensing):
            assert meta.reply_to is not None
            await self._original(contact, meta.reply_to, "out", "reports on")

    async def _original(
        self, contact: Contact, message_id: bytes, direction: str, what: str
    ) -> MessageRow:
        """The prescription an answer names: in this conversation, in ``direction``
        (theirs for a cancellation or amendment, ours for a dispensing report)."""
        row = await self._ctx.repo.message(message_id)
        if (
            row is None
            or row.contact_id != contact.contact_id
            or row.direction != direction
            or row.kind not in _PRESCRIPTION_CODES
        ):
            self._refuse(contact, "unknown_prescription", f"{what} a prescription we do not have")
        return row

    @staticmethod
    def _refuse(contact: Contact, code: str, reason: str) -> NoReturn:
        """Refused for good; ``code`` is what our user is shown (node.core.refusals)."""
        log.warning("refused from %s: %s", format_node_id(contact.contact_id), reason)
        raise PeerRefused(Verdict.GONE, reason, code)
