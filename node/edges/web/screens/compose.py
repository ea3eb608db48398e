"""Compose: a handoff (SAED, version 2) and a signed prescription, each checked field by field
by the node's own rules, then a review that shows exactly what will be sent; and a
prescription's lifecycle (cancel, amend, dispensing report) and a handoff's read-back.

    GET  /c/{contact_id}/handoff            the handoff form
    POST /c/{contact_id}/handoff            action=review|edit|send (review: the form checked)
    POST /c/{contact_id}/handoff/check      the form's refused fields, as JSON (compose.js)
    GET  /c/{contact_id}/prescription       the prescription form (prescriber: our profile)
    POST /c/{contact_id}/prescription       action=review|edit|send|add_line|remove_line
    POST /c/{contact_id}/prescription/check
    GET  /m/{message_id}/amend              the prescription form, filled from ours
    POST /m/{message_id}/amend              as the prescription form; sent as an amendment
    POST /m/{message_id}/amend/check
    GET  /m/{message_id}/cancel             cancel our prescription (its reason)
    POST /m/{message_id}/cancel
    GET  /m/{message_id}/dispense           the pharmacist's report on a received one
    POST /m/{message_id}/dispense
    GET  /m/{message_id}/read-back          read a received handoff back (and acknowledge it)
    POST /m/{message_id}/read-back

The handoff and prescription forms offer the contact's mailboxes to write to and, on a clinic
server, the person's own to write from (as the text form: ``Pages.mailbox_choices``); a
prescription leaves only from the personal mailbox of the clinician who signs it
(node.core.mailboxes). A mailbox not offered is refused (403, or 400 when the contact has no
such mailbox any more), nothing sent. An amendment leaves from, and goes to, the mailboxes of
the prescription it replaces.

The review carries the reviewed JSON in a hidden field with an HMAC (a key of this process,
over the session, the contact, the kind, the priority, both mailboxes and the JSON): the send
posts them back and anything changed since the review is refused, so that nothing the person
did not see is sent. A review is sent once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web

from node.core.contacts import Contact
from node.core.errors import Invalid, RequestError
from node.core.records import Mailbox, MessageRow
from node.edges.web.pages import Pages, Refused, Route, see_other
from node.edges.web.screens.compose_forms import (
    Document,
    field_errors,
    form_field,
    handoff_document,
    handoff_fields,
    line_count,
    prescription_document,
    prescription_fields,
    today_utc,
)
from node.edges.web.sessions import Session
from node.edges.web.texts import text
from node.protocol.conversation import Meta, Prescriber, Priority, content_from_json
from node.protocol.errors import ClinicalError, LocalProtocolError
from node.protocol.mailbox import MAILBOX_ID_SIZE, PublicMailbox
from node.protocol.prescription import MAX_LINES, MAX_RENEWALS

MAX_REVIEWS_SENT: Final = 256  # reviews already sent, remembered against a second send
SEVERITIES: Final = ("stable", "watcher", "unstable")
SEXES: Final = ("F", "M", "U")
INS_STATUSES: Final = ("provisional", "retrieved", "validated", "qualified")
NON_SUBSTITUTION: Final = ("MTE", "EFG", "CIF")
DISPENSING: Final = ("dispensed", "partly_dispensed", "refused")


@dataclass(frozen=True)
class Draft:
    """One form being composed: what it is, for whom, and how the node checks and sends it."""

    kind: str  # "handoff" or "prescription"
    contact: Contact
    action: str  # the form's own path
    replaces: MessageRow | None = None  # an amendment: our prescription it replaces


@dataclass(frozen=True)
class Addressed:
    """The mailboxes a draft goes to (the contact's; None: its default one) and leaves from
    (ours, on a clinic server; None: a node without mailboxes)."""

    to: PublicMailbox | None = None
    sender: Mailbox | None = None

    @property
    def to_id(self) -> bytes | None:
        return None if self.to is None else self.to.mailbox_id

    @property
    def sender_id(self) -> bytes | None:
        return None if self.sender is None else self.sender.mailbox_id

    def sealed(self) -> list[str]:
        return [(self.to_id or b"").hex(), (self.sender_id or b"").hex()]


class MailboxRefused(Exception):
    """A mailbox the form did not offer (or no longer can): the field, the reason, the status."""

    def __init__(self, field: str, reason: str, status: int) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
        self.status = status


class Compose:
    def __init__(self, pages: Pages) -> None:
        self._pages = pages
        self._core = pages.core
        self._key = secrets.token_bytes(32)
        self._sent: OrderedDict[str, None] = OrderedDict()

    def routes(self) -> tuple[Route, ...]:
        return (
            ("GET", "/c/{contact_id}/handoff", self.handoff_form),
            ("POST", "/c/{contact_id}/handoff", self.handoff_post),
            ("POST", "/c/{contact_id}/handoff/check", self.handoff_check),
            ("GET", "/c/{contact_id}/prescription", self.prescription_form),
            ("POST", "/c/{contact_id}/prescription", self.prescription_post),
            ("POST", "/c/{contact_id}/prescription/check", self.prescription_check),
            ("GET", "/m/{message_id}/amend", self.amend_form),
            ("POST", "/m/{message_id}/amend", self.amend_post),
            ("POST", "/m/{message_id}/amend/check", self.amend_check),
            ("GET", "/m/{message_id}/cancel", self.cancel_form),
            ("POST", "/m/{message_id}/cancel", self.cancel_post),
            ("GET", "/m/{message_id}/dispense", self.dispense_form),
            ("POST", "/m/{message_id}/dispense", self.dispense_post),
            ("GET", "/m/{message_id}/read-back", self.read_back_form),
            ("POST", "/m/{message_id}/read-back", self.read_back_post),
        )

    # --- the drafts ---------------------------------------------------------------------

    def _handoff(self, request: web.Request) -> Draft:
        contact = self._pages.contact(request)
        return Draft("handoff", contact, f"/c/{contact.contact_id.hex()}/handoff")

    def _prescriber_only(self, request: web.Request) -> None:
        """On a clinic server, a person who may sign no prescription (a secretary) is
        refused its forms, the posted ones too (403)."""
        if not self._pages.may_prescribe(self._pages.session(request, touch=True)):
            raise Refused(403, "forbidden")

    def _prescription(self, request: web.Request) -> Draft:
        self._prescriber_only(request)
        contact = self._pages.contact(request)
        return Draft("prescription", contact, f"/c/{contact.contact_id.hex()}/prescription")

    async def _amendment(self, request: web.Request) -> Draft:
        self._prescriber_only(request)
        row = await self._pages.message_row(request)
        contact = self._pages.ctx.contacts.get(row.contact_id)
        if contact is None:
            raise Refused(404, "notfound")
        return Draft("prescription", contact, f"/m/{row.message_id.hex()}/amend", row)

    def _today(self) -> Any:
        return today_utc(self._pages.ctx.clock())

    # --- the mailboxes ------------------------------------------------------------------

    def _choices(self, session: Session, draft: Draft) -> dict[str, list[dict[str, str]]]:
        """The mailboxes the form offers (``Pages.mailbox_choices``): for a prescription,
        ours only where the person signs from; none for an amendment (it goes where the
        prescription it replaces went)."""
        if draft.replaces is not None:
            return {"to_mailboxes": [], "from_mailboxes": []}
        choices: dict[str, list[dict[str, str]]] = self._pages.mailbox_choices(
            session, draft.contact
        )
        if draft.kind == "prescription":
            book = self._core.mailboxes
            choices["from_mailboxes"] = [
                choice
                for choice in choices["from_mailboxes"]
                if self._signs_from(session, book.get(bytes.fromhex(choice["id"])))
            ]
        return choices

    def _signs_from(self, session: Session, mailbox: Mailbox | None) -> bool:
        person = None if mailbox is None else self._core.mailboxes.prescriber_of(mailbox)
        return person is not None and person.account_id == session.account_id

    def _addressed(
        self, request: web.Request, session: Session, draft: Draft, form: dict[str, str]
    ) -> Addressed:
        """The mailboxes chosen in the form, each one the form offers; else MailboxRefused."""
        book = self._core.mailboxes
        if draft.replaces is not None:
            return Addressed(None, book.get(draft.replaces.mailbox))
        to = None
        wanted = form.get("to_mailbox", "")
        if wanted:
            listed = draft.contact.row.mailboxes
            to = None if listed is None else listed.get(_mailbox_id(wanted))
            if to is None:
                raise MailboxRefused("to_mailbox", "mailbox_not_found", 400)
        offered = [choice["id"] for choice in self._choices(session, draft)["from_mailboxes"]]
        chosen = form.get("from_mailbox", "")
        if chosen:
            if chosen not in offered:
                self._pages.refusals.refused(
                    "web compose", "mailbox not offered", request.remote or "?"
                )
                reason = "mailbox_forbidden" if draft.kind == "handoff" else "mailbox_not_signer"
                raise MailboxRefused("from_mailbox", reason, 403)
            return Addressed(to, book.get(bytes.fromhex(chosen)))
        if draft.kind == "prescription":  # the person's own, where they sign
            return Addressed(to, book.get(bytes.fromhex(offered[0])) if offered else None)
        return Addressed(to, book.sending_mailbox(session.account_id, None))

    def _addressed_or_errors(
        self,
        request: web.Request,
        session: Session,
        draft: Draft,
        form: dict[str, str],
        errors: dict[str, str],
    ) -> tuple[Addressed, int]:
        """As :meth:`_addressed`; a refused choice is added to ``errors`` (with its status)
        and the form checked as if left to its default."""
        try:
            return self._addressed(request, session, draft, form), 400
        except MailboxRefused as refused:
            errors[refused.field] = refused.reason
            return self._addressed(request, session, draft, {}), refused.status

    # --- the node's own checks ------------------------------------------------------------

    def _prescriber(self, session: Session, addressed: Addressed) -> Prescriber:
        """The prescriber block the prescription is signed with, as the node's sending has
        it (node.core.prescriptions): on a clinic server the clinician's whose personal
        mailbox it leaves from, else the profile's. Raises RequestError when none may."""
        book = self._core.mailboxes
        block = book.prescriber_block(addressed.sender, session.account_id)
        return block if block is not None else self._core.prescriptions.own_prescriber()

    def _builder(
        self, draft: Draft, session: Session, addressed: Addressed
    ) -> Callable[[Document], Any]:
        """The node's own check of the form: what POST /v1/messages runs (docs/local-api.md).
        Raises RequestError (``not_prescriber``...) when no prescription may be signed."""
        today = self._today()
        if draft.kind == "handoff":
            phone = self._pages.ctx.config.phone.strip() or None
            return lambda document: content_from_json("handoff", document, today, callback=phone)
        prescriber = self._prescriber(session, addressed)
        return lambda document: content_from_json("prescription", document, today, prescriber)

    @staticmethod
    def _document(draft: Draft, form: dict[str, str]) -> Document:
        if draft.kind == "handoff":
            return handoff_document(form)
        return prescription_document(form)

    def _errors(
        self, draft: Draft, session: Session, addressed: Addressed, document: Document
    ) -> tuple[dict[str, str], str | None]:
        """Refused fields (input -> reason code) and a refusal of the whole form."""
        try:
            build = self._builder(draft, session, addressed)
        except RequestError as exc:
            return {}, exc.code
        try:
            return field_errors(build, document, self._today()), None
        except LocalProtocolError:
            return {}, "too_long"

    # --- the routes ---------------------------------------------------------------------

    async def handoff_form(self, request: web.Request) -> web.StreamResponse:
        return await self._blank(request, self._handoff(request))

    async def prescription_form(self, request: web.Request) -> web.StreamResponse:
        return await self._blank(request, self._prescription(request))

    async def amend_form(self, request: web.Request) -> web.StreamResponse:
        draft = await self._amendment(request)
        session = self._pages.session(request, touch=True)
        record = await self._pages.record(draft.replaces) if draft.replaces else {}
        values = prescription_fields(record.get("prescription"))
        values["date"] = self._today().isoformat()  # an amendment is dated today
        refusal = await self._amend_refusal(draft)
        return await self._form_page(request, session, draft, values, {}, refusal)

    async def handoff_post(self, request: web.Request) -> web.StreamResponse:
        return await self._post(request, self._handoff(request))

    async def prescription_post(self, request: web.Request) -> web.StreamResponse:
        return await self._post(request, self._prescription(request))

    async def amend_post(self, request: web.Request) -> web.StreamResponse:
        return await self._post(request, await self._amendment(request))

    async def handoff_check(self, request: web.Request) -> web.StreamResponse:
        return await self._check(request, self._handoff(request))

    async def prescription_check(self, request: web.Request) -> web.StreamResponse:
        return await self._check(request, self._prescription(request))

    async def amend_check(self, request: web.Request) -> web.StreamResponse:
        return await self._check(request, await self._amendment(request))

    async def _blank(self, request: web.Request, draft: Draft) -> web.StreamResponse:
        session = self._pages.session(request, touch=True)
        values: dict[str, str] = {}
        if draft.kind == "prescription":
            values = {"date": self._today().isoformat(), "line_count": "1"}
        return await self._form_page(request, session, draft, values, {}, None)

    async def _check(self, request: web.Request, draft: Draft) -> web.StreamResponse:
        """The refused fields of a form being filled (compose.js), in the person's words."""
        pages = self._pages
        session = pages.session(request, touch=True)
        form = await pages.form(request, session)
        refused: dict[str, str] = {}
        addressed, _ = self._addressed_or_errors(request, session, draft, form, refused)
        errors, refusal = self._errors(draft, session, addressed, self._document(draft, form))
        errors.update(refused)
        lang = pages.lang(request)
        return web.json_response(
            {
                "errors": {name: text(lang, f"reason.{code}") for name, code in errors.items()},
                "refusal": None if refusal is None else text(lang, f"refusal.{refusal}"),
            }
        )

    async def _post(self, request: web.Request, draft: Draft) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        form = await pages.form(request, session)
        action = form.get("action", "review")
        if action == "send":
            return await self._send(request, session, draft, form)
        if action == "edit":  # back from the review, the reviewed content in the form
            try:
                document = self._reviewed(request, session, draft, form)
            except (ReviewAltered, ValueError):
                return await self._altered(request, session, draft)
            return await self._form_page(
                request, session, draft, _back_to_form(draft, document, form), {}, None
            )
        values = dict(form)
        if draft.kind == "prescription" and action.partition(":")[0] in ("add_line", "remove_line"):
            return await self._form_page(
                request, session, draft, _lines_changed(values, action), {}, None
            )
        document = self._document(draft, form)
        refused: dict[str, str] = {}
        addressed, status = self._addressed_or_errors(request, session, draft, form, refused)
        errors, refusal = self._errors(draft, session, addressed, document)
        errors.update(refused)
        if refusal is None and draft.replaces is not None:
            refusal = await self._amend_refusal(draft)
        if errors or refusal:
            status = status if refused else 400
            return await self._form_page(request, session, draft, values, errors, refusal, status)
        return await self._review(
            request, session, draft, addressed, document, form.get("priority")
        )

    # --- the review ---------------------------------------------------------------------

    def _seal(
        self, session: Session, draft: Draft, priority: str, mailboxes: list[str], payload: str
    ) -> str:
        replaces = draft.replaces.message_id.hex() if draft.replaces else ""
        contact_id = draft.contact.contact_id.hex()
        signed = json.dumps(
            [session.session_id, contact_id, draft.kind, replaces, priority, *mailboxes],
            separators=(",", ":"),
        )
        mac = hmac.new(self._key, signed.encode() + b"\x00" + payload.encode(), hashlib.sha256)
        return mac.hexdigest()

    def _reviewed(
        self, request: web.Request, session: Session, draft: Draft, form: dict[str, str]
    ) -> Document:
        """The reviewed JSON, exactly as the review showed it, and the mailboxes it showed;
        refused if anything changed."""
        payload, priority = form.get("payload", ""), form.get("priority", "")
        mailboxes = [form.get("to_mailbox", ""), form.get("from_mailbox", "")]
        expected = self._seal(session, draft, priority, mailboxes, payload)
        if priority not in ("normal", "urgent") or not hmac.compare_digest(
            expected, form.get("review", "")
        ):
            self._pages.refusals.refused("web compose", "review altered", request.remote or "?")
            raise ReviewAltered
        document = json.loads(payload)
        if not isinstance(document, dict):
            raise ReviewAltered
        return document

    async def _review(
        self,
        request: web.Request,
        session: Session,
        draft: Draft,
        addressed: Addressed,
        document: Document,
        priority: str | None,
    ) -> web.StreamResponse:
        content = self._builder(draft, session, addressed)(document)
        chosen = "urgent" if priority == "urgent" else "normal"
        payload = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        shown: dict[str, Any] = {
            "kind": draft.kind,
            "priority": chosen,
            "handoff": content.to_json() if draft.kind == "handoff" else None,
            "prescription": content.to_json() if draft.kind == "prescription" else None,
            "direction": "out",
            "read_backs": None,
            "lifecycle": None,
            "signature": None,
        }
        return self._pages.render(
            request,
            "compose_review.html",
            draft=_draft_json(draft),
            contact=_contact_json(draft.contact),
            m=shown,
            payload=payload,
            priority=chosen,
            mailboxes=addressed.sealed(),
            to_mailbox=None if addressed.to is None else addressed.to.name,
            to_listed=bool(draft.contact.row.mailboxes and draft.contact.row.mailboxes.mailboxes),
            from_mailbox=None if addressed.sender is None else addressed.sender.name,
            review=self._seal(session, draft, chosen, addressed.sealed(), payload),
            **await self._pages.common(session),
        )

    async def _send(
        self, request: web.Request, session: Session, draft: Draft, form: dict[str, str]
    ) -> web.StreamResponse:
        pages = self._pages
        try:
            document = self._reviewed(request, session, draft, form)
        except (ReviewAltered, ValueError):
            return await self._altered(request, session, draft)
        seal = form.get("review", "")
        if seal in self._sent:
            return see_other(f"/c/{draft.contact.contact_id.hex()}")  # sent already
        try:  # what the review showed, still offered (a mailbox may have changed since)
            addressed = self._addressed(request, session, draft, form)
        except MailboxRefused as refused:
            fields = _back_to_form(draft, document, form)
            return await self._form_page(
                request,
                session,
                draft,
                fields,
                {refused.field: refused.reason},
                None,
                refused.status,
            )
        priority = Priority.URGENT if form.get("priority") == "urgent" else Priority.NORMAL
        meta = Meta(priority, None, addressed.to_id)
        today = self._today()
        try:
            if draft.kind == "handoff":
                try:
                    content = self._builder(draft, session, addressed)(document)
                except ClinicalError as exc:
                    raise _invalid(exc) from None
                await self._core.sending.send_to(
                    draft.contact, meta, content, mailbox=addressed.sender_id
                )
            elif draft.replaces is not None:
                await self._core.prescriptions.amend(
                    draft.replaces.message_id, document, today, meta
                )
            else:
                await self._core.prescriptions.send(
                    draft.contact.contact_id.hex(),
                    meta,
                    document,
                    today,
                    mailbox=addressed.sender_id,
                )
        except RequestError as exc:
            errors: dict[str, str] = {}
            refusal: str | None = exc.code
            if exc.code == "invalid_field" and "field" in exc.details:
                errors = {form_field(exc.details["field"]): exc.details.get("reason", "other")}
                refusal = None
            fields = _back_to_form(draft, document, form)
            status = {"store_unavailable": 503, "forbidden": 403}.get(exc.code, 400)
            return await self._form_page(request, session, draft, fields, errors, refusal, status)
        self._sent[seal] = None
        while len(self._sent) > MAX_REVIEWS_SENT:
            self._sent.popitem(last=False)
        pages.hub.poke()
        return see_other(f"/c/{draft.contact.contact_id.hex()}")

    async def _altered(
        self, request: web.Request, session: Session, draft: Draft
    ) -> web.StreamResponse:
        return self._pages.render(
            request,
            "compose_altered.html",
            400,
            draft=_draft_json(draft),
            contact=_contact_json(draft.contact),
            **await self._pages.common(session),
        )

    async def _amend_refusal(self, draft: Draft) -> str | None:
        """Why this prescription cannot be amended (the node's lifecycle), if it cannot."""
        row = draft.replaces
        if row is None:
            return None
        if row.direction != "out" or row.status == "failed":
            return "not_own_prescription"
        lifecycle = await self._core.prescriptions.lifecycle(row)
        if lifecycle is None or not lifecycle.signed:
            return "not_own_prescription"
        if lifecycle.state != "active":
            return "prescription_closed"
        return None

    async def _form_page(
        self,
        request: web.Request,
        session: Session,
        draft: Draft,
        values: dict[str, str],
        errors: dict[str, str],
        refusal: str | None,
        status: int = 200,
    ) -> web.Response:
        choices = self._choices(session, draft)
        default = self._addressed(request, session, draft, {})
        if refusal is None and draft.kind == "prescription":
            try:
                self._prescriber(session, default)
            except RequestError as exc:
                refusal = exc.code
        original = None
        if draft.replaces is not None:
            original = await self._pages.record(draft.replaces)
        template = (
            "compose_handoff.html" if draft.kind == "handoff" else "compose_prescription.html"
        )
        lang = self._pages.lang(request)
        return self._pages.render(
            request,
            template,
            status,
            draft=_draft_json(draft),
            contact=_contact_json(draft.contact),
            values=values,
            errors=errors,
            refusal=refusal,
            original=original,
            lines=range(line_count(values)),
            max_lines=MAX_LINES,
            max_renewals=MAX_RENEWALS,
            severities=SEVERITIES,
            sexes=SEXES,
            ins_statuses=INS_STATUSES,
            non_substitution=NON_SUBSTITUTION,
            phone=self._pages.ctx.config.phone,
            field_label=lambda name: field_label(lang, name),
            **choices,
            signed_from_mailbox=default.sender is not None,  # the block: the person's account
            **await self._pages.common(session),
        )

    # --- a prescription's lifecycle and a handoff's read-back -----------------------------

    async def _action_page(
        self,
        request: web.Request,
        session: Session,
        row: MessageRow,
        mode: str,
        status: int = 200,
        error: tuple[str, str] | None = None,
        values: dict[str, str] | None = None,
    ) -> web.Response:
        contact = self._pages.ctx.contacts.get(row.contact_id)
        if contact is None:
            raise Refused(404, "notfound")
        return self._pages.render(
            request,
            "compose_action.html",
            status,
            mode=mode,
            contact=_contact_json(contact),
            m=await self._pages.record(row),
            error=error,
            values=values or {},
            states=DISPENSING,
            **await self._pages.common(session),
        )

    async def cancel_form(self, request: web.Request) -> web.StreamResponse:
        session = self._pages.session(request, touch=True)
        row = await self._pages.message_row(request)
        return await self._action_page(request, session, row, "cancel")

    async def dispense_form(self, request: web.Request) -> web.StreamResponse:
        session = self._pages.session(request, touch=True)
        row = await self._pages.message_row(request)
        return await self._action_page(request, session, row, "dispense")

    async def read_back_form(self, request: web.Request) -> web.StreamResponse:
        session = self._pages.session(request, touch=True)
        row = await self._pages.message_row(request)
        return await self._action_page(request, session, row, "read_back")

    async def cancel_post(self, request: web.Request) -> web.StreamResponse:
        async def cancel(row: MessageRow, form: dict[str, str]) -> None:
            reason = form.get("reason", "").replace("\r\n", "\n")
            await self._core.prescriptions.cancel(
                row.message_id, {"reason": reason if reason.strip() else None}, self._today()
            )

        return await self._act(request, "cancel", cancel)

    async def dispense_post(self, request: web.Request) -> web.StreamResponse:
        async def dispense(row: MessageRow, form: dict[str, str]) -> None:
            note = form.get("note", "").replace("\r\n", "\n")
            report = {
                "state": form.get("state") or None,
                "note": note if note.strip() else None,
                "confirmed_by_phone": form.get("confirmed_by_phone") == "1",
            }
            await self._core.prescriptions.dispense(row.message_id, report)

        return await self._act(request, "dispense", dispense)

    async def read_back_post(self, request: web.Request) -> web.StreamResponse:
        async def read_back(row: MessageRow, form: dict[str, str]) -> None:
            # As POST /v1/messages/{id}/ack with a read_back (docs/local-api.md).
            await self._core.read_backs.send(row, form.get("read_back", "").replace("\r\n", "\n"))
            if row.priority == Priority.URGENT:
                await self._core.reading.acknowledge(row.message_id)
            else:
                await self._core.reading.mark_read(row.message_id)

        return await self._act(request, "read_back", read_back)

    async def _act(
        self,
        request: web.Request,
        mode: str,
        act: Callable[[MessageRow, dict[str, str]], Any],
    ) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        form = await pages.form(request, session)
        row = await pages.message_row(request)
        try:
            await act(row, form)
        except RequestError as exc:
            error = (exc.code, "")
            if exc.code == "invalid_field":
                error = (exc.details.get("reason", "other"), exc.details.get("field", ""))
            status = 503 if exc.code == "store_unavailable" else 400
            if exc.code in ("prescription_closed", "not_own_prescription", "not_received"):
                status = 409
            return await self._action_page(request, session, row, mode, status, error, form)
        pages.hub.poke()
        return see_other(f"/c/{row.contact_id.hex()}#m-{row.message_id.hex()}")


def field_label(lang: str, name: str) -> str:
    """An input's name as a clinician reads it ("Ligne 2 – DCI")."""
    parts = name.split(".")
    if parts[0] == "lines" and len(parts) > 2 and parts[1].isdigit():
        label = text(lang, "cfield.lines." + ".".join(parts[2:]))
        return text(lang, "cf.in_line", number=int(parts[1]) + 1, label=label)
    return text(lang, f"cfield.{name}")


class ReviewAltered(Exception):
    """The reviewed content came back changed (or not from our review)."""


def _invalid(exc: ClinicalError) -> Invalid:
    return Invalid("invalid_field", str(exc), {"field": exc.field, "reason": exc.reason})


def _mailbox_id(value: str) -> bytes:
    """A mailbox id as the form posts it (hex); anything else matches no mailbox."""
    try:
        return bytes.fromhex(value) if len(value) == 2 * MAILBOX_ID_SIZE else b""
    except ValueError:
        return b""


def _back_to_form(draft: Draft, document: Document, form: dict[str, str]) -> dict[str, str]:
    """A reviewed draft as its form's fields again, with its priority and mailboxes."""
    fields = (handoff_fields if draft.kind == "handoff" else prescription_fields)(document)
    fields["priority"] = form.get("priority", "normal")
    for name in ("to_mailbox", "from_mailbox"):
        fields[name] = form.get(name, "")
    return fields


def _draft_json(draft: Draft) -> dict[str, Any]:
    return {
        "kind": draft.kind,
        "action": draft.action,
        "amend": draft.replaces is not None,
    }


def _contact_json(contact: Contact) -> dict[str, Any]:
    return {
        "contact_id": contact.contact_id.hex(),
        "name": contact.name,
        "active": contact.active,
        "role": contact.row.card.profile.role.name.lower(),
    }


def _lines_changed(values: dict[str, str], action: str) -> dict[str, str]:
    """One more prescription line, or one fewer ("remove_line:INDEX"; the lines after it
    move up)."""
    count = line_count(values)
    if action == "add_line":
        values["line_count"] = str(min(count + 1, MAX_LINES))
        return values
    try:
        removed = int(action.partition(":")[2])
    except ValueError:
        return values
    if not 0 <= removed < count or count == 1:
        return values
    for index in range(removed, count - 1):
        for key in list(values):
            prefix = f"lines.{index + 1}."
            if key.startswith(prefix):
                values[f"lines.{index}." + key[len(prefix) :]] = values[key]
    for key in [k for k in values if k.startswith(f"lines.{count - 1}.")]:
        del values[key]
    values["line_count"] = str(count - 1)
    return values
