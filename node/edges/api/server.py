"""The local API (docs/local-api.md): JSON over HTTP on 127.0.0.1, bearer token required."""

from __future__ import annotations

import asyncio
import binascii
import contextlib
import hmac
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from node.core.accounts import acting_account
from node.core.attachments import manifest_of
from node.core.contacts import Contact
from node.core.errors import Conflict, Invalid, NotFound, RequestError, SetupError
from node.core.escalation import Waiting
from node.core.export import select_for_export
from node.core.node import NodeCore
from node.core.ports import MessageQuery, Outcome
from node.core.readiness import CheckReport
from node.core.records import MessageRow
from node.core.search import search
from node.core.sending import invalid_field
from node.edges.api.errors import error_response, request_error_response
from node.edges.api.json import contact_json, iso, message_document, print_check_json
from node.edges.api.mailboxes import MailboxRoutes
from node.edges.api.users import UserRoutes
from node.edges.fhir import export_bundles
from node.edges.http_hardening import (
    ELSEWHERE,
    BoundedFailures,
    elsewhere,
    expect_continue,
    filter_malformed_request_logs,
    roll_periodically,
)
from node.protocol import format_node_id
from node.protocol.admission import RefusalLog
from node.protocol.attachment import MAX_ATTACHMENT_BYTES
from node.protocol.conversation import Meta, Priority, content_from_json
from node.protocol.errors import ClinicalError

if TYPE_CHECKING:
    from node.edges.phone_pairing import Call, PhonePairing

log = logging.getLogger(__name__)

API_VERSION = 1
MAX_TTL_MINUTES = 30 * 24 * 60
MAX_WAIT_SECONDS = 300
FIRST_TRY = 20.0  # seconds to wait for the first delivery of a pairing answer
MAX_LIMIT = 10000
MESSAGE_ID_SIZE = 16
# The deepest nesting of arrays and objects a body may have: our documents need 4; Python's
# JSON parser recurses once per level and fails (RecursionError) near 1,000.
MAX_JSON_DEPTH: Final = 32
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# What the daemon adds to the status (the relays' subscriptions).
StatusExtras = Callable[[], dict[str, Any]]
# Mints a one-time login link to the web client: (url, expires_at).
WebLogin = Callable[[], tuple[str, float]]
# Makes an encrypted backup of the node under a passphrase (node.app.Node.backup).
Backup = Callable[[bytes], Awaitable[bytes]]


class LocalApi:
    def __init__(
        self,
        core: NodeCore,
        token: str,
        started_at: float,
        phone: PhonePairing | None = None,
        status_extras: StatusExtras = dict,
        web_login: WebLogin | None = None,
        backup: Backup | None = None,
        users: UserRoutes | None = None,
    ) -> None:
        self.core = core
        self.service = core.ctx
        self._token = token.encode()
        self._started_at = started_at
        self.phone = phone  # pairing by phone (needs a relay)
        self.status_extras = status_extras
        self.web_login = web_login  # None: the web client is not served
        self.backup = backup  # None: POST /v1/backup answers 404
        self.users = users  # a clinic server's people (node.edges.api.users)
        # Refused requests (a wrong token) and our own failures (500s), bounded: a script
        # looping on a bad request must not fill the disk. The daemon's connection guard
        # shares ``refusals``.
        self.refusals = RefusalLog(log, core.ctx.clock)
        self._failures = BoundedFailures(log, core.ctx.clock)

    def create_app(self) -> web.Application:
        filter_malformed_request_logs()
        app = web.Application(middlewares=[self._guard], client_max_size=256 * 1024)
        app.cleanup_ctx.append(roll_periodically(self.refusals, self._failures))
        routes = (
            ("GET", "/v1/status", self.status),
            ("POST", "/v1/invitations", self.invite),
            ("POST", "/v1/pairings", self.pair),
            ("GET", "/v1/contacts", self.contacts),
            ("POST", "/v1/messages", self.send),
            ("POST", "/v1/files", self.send_file),
            ("GET", "/v1/messages", self.messages),
            ("GET", "/v1/inbox", self.inbox),
            ("GET", "/v1/messages/{message_id}", self.message),
            ("GET", "/v1/messages/{message_id}/file", self.file),
            ("POST", "/v1/messages/{message_id}/read", self.read),
            ("POST", "/v1/messages/{message_id}/ack", self.ack),
            ("POST", "/v1/messages/{message_id}/printed", self.printed),
            ("POST", "/v1/messages/{message_id}/saved", self.saved),
            ("POST", "/v1/messages/{message_id}/cancel", self.cancel),
            ("POST", "/v1/messages/{message_id}/amend", self.amend),
            ("POST", "/v1/messages/{message_id}/dispense", self.dispense),
            ("POST", "/v1/prescriptions/verify", self.verify_print),
            ("POST", "/v1/export", self.export),
            ("GET", "/v1/audit/verify", self.audit_verify),
            ("POST", "/v1/check", self.readiness_check),
            ("POST", "/v1/search", self.search_messages),
            ("GET", "/v1/check", self.readiness_last),
            ("GET", "/v1/audit/export", self.audit_export),
            ("POST", "/v1/contacts/verify", self.verify),
            ("POST", "/v1/contacts/unpair", self.unpair),
            ("POST", "/v1/identity/revoke", self.revoke),
            ("POST", "/v1/pairings/call", self.phone_call),
            ("GET", "/v1/pairings/call/{call_id}", self.phone_call_state),
            ("DELETE", "/v1/pairings/call/{call_id}", self.phone_call_cancel),
            ("POST", "/v1/pairings/join", self.phone_join),
            ("POST", "/v1/web/login", self.web_login_link),
            ("POST", "/v1/backup", self.backup_archive),
        )
        mailboxes = MailboxRoutes(self.core.mailboxes, self._body).routes()
        users: tuple[tuple[str, str, Handler], ...] = ()
        if self.users is not None:
            self.users.reads_bodies_with(self._body)
            users = self.users.routes()
        for method, path, handler in (*routes, *mailboxes, *users):
            app.router.add_route(method, path, handler, expect_handler=expect_continue)
        app.router.add_route(
            "*", "/{tail:.*}", elsewhere, name=ELSEWHERE, expect_handler=expect_continue
        )
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        # surrogateescape: a header that is not UTF-8 is a wrong token, not a crash.
        supplied = _token_of(request.headers.get("Authorization", ""))
        supplied_bytes = supplied.encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(supplied_bytes, self._token):
            self.refusals.refused("local API request", "unauthorized", request.remote or "?")
            return error_response(401, "unauthorized", "missing or wrong bearer token")
        try:
            return await handler(request)
        except RequestError as exc:
            return request_error_response(exc)
        except web.HTTPException as exc:
            code = {404: "not_found", 413: "too_large"}.get(exc.status, "bad_request")
            return error_response(exc.status, code if exc.status < 500 else "internal", exc.reason)
        except Exception:
            self._failures.failed("local API request failed")
            return error_response(500, "internal", "internal error; see the node's log")

    async def backup_archive(self, request: web.Request) -> web.StreamResponse:
        """POST /v1/backup {"passphrase": "..."}: the encrypted archive (docs/local-api.md).
        The passphrase is in the body only: never in the URL, never logged."""
        if self.backup is None:
            raise NotFound("not_found", "backups are not made by this node")
        passphrase = (await self._body(request)).get("passphrase")
        if not isinstance(passphrase, str) or not passphrase:
            raise Invalid("bad_request", "passphrase must be a non-empty string")
        try:
            archive = await self.backup(passphrase.encode("utf-8"))
        except SetupError as exc:
            raise Invalid(exc.code, str(exc)) from None
        return web.Response(body=archive, content_type="application/octet-stream")

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        try:
            data = await request.read()
        except (ConnectionError, HttpProcessingError, RequestPayloadError):
            # The client went away mid-body, or its chunked or compressed encoding is broken.
            raise Invalid("bad_request", "the body did not arrive whole") from None
        body = parse_json(data or b"{}")
        if not isinstance(body, dict):
            raise Invalid("bad_request", "the body must be a JSON object")
        return body

    @staticmethod
    def _int(value: Any, name: str, low: int, high: int, default: int) -> int:
        """A whole number from a JSON body (an integer, or a float with no fraction) or a
        query string (its digits); booleans, fractions and 1e999 are refused."""
        if value is None:
            return default
        if isinstance(value, bool) or (
            isinstance(value, float) and not (math.isfinite(value) and value.is_integer())
        ):
            raise Invalid("bad_request", f"{name} must be a whole number")
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            raise Invalid("bad_request", f"{name} must be a whole number") from None
        if not low <= number <= high:
            raise Invalid("bad_request", f"{name} must be between {low} and {high}")
        return number

    def contact_json(self, contact: Contact) -> dict[str, Any]:
        return contact_json(contact, self.service.identity.public, self.service.contacts)

    async def message_json(self, row: MessageRow) -> dict[str, Any]:
        return await message_document(self.core, row)

    async def messages_json(self, rows: list[MessageRow]) -> list[dict[str, Any]]:
        return [await self.message_json(row) for row in rows]

    async def _message_row(self, request: web.Request) -> MessageRow:
        try:
            message_id = bytes.fromhex(request.match_info["message_id"])
        except (ValueError, binascii.Error):
            raise NotFound("message_not_found", "no message with that id") from None
        # On a clinic server, only a mailbox's people read its messages (403, audited).
        return await self.core.reading.message(message_id)

    @staticmethod
    def _meta(priority: Any, reply_to: Any, mailbox: bytes | None = None) -> Meta:
        if priority not in (None, "normal", "urgent"):
            raise Invalid("bad_request", "priority must be normal or urgent")
        reply = None
        if reply_to is not None:
            try:
                reply = bytes.fromhex(reply_to) if isinstance(reply_to, str) else None
            except ValueError:
                reply = None
            if reply is None or len(reply) != 16:
                raise Invalid("bad_request", "reply_to must be a message id (32 hex digits)")
        return Meta(Priority.URGENT if priority == "urgent" else Priority.NORMAL, reply, mailbox)

    # --- endpoints ----------------------------------------------------------------------

    async def status(self, request: web.Request) -> web.Response:
        service = self.service
        reading = self.core.reading
        depth = await reading.outbox_depth()
        failed = await reading.failed_count()
        # Per contact: (contact, waiting, the oldest's queuing time, handed over).
        waiting = {row[0]: row for row in await service.repo.outbox_waiting()}
        by_contact = [
            {
                "contact_id": cid.hex(),
                "name": c.name,
                "pending": depth.get(cid, 0),
                "handed": waiting[cid][3] if cid in waiting else 0,
                "oldest_at": iso(waiting[cid][2]) if cid in waiting else None,
            }
            for cid, c in sorted(service.contacts.items(), key=lambda item: item[1].name)
        ]
        public = service.identity.public
        body = {
            "api_version": API_VERSION,
            "node_id": format_node_id(public.node_id),
            "contact_id": public.node_id.hex(),
            "name": service.profile.name,
            "role": service.profile.role.name.lower(),
            "started_at": iso(self._started_at),
            "peer_endpoints": [e.url for e in service.reachability.direct],
            "contacts": len(service.contacts),
            "outbox": {"pending": sum(depth.values()), "failed": failed, "by_contact": by_contact},
            "unread": await reading.unread_count(),
            "relays": [],
            "urgent": await self._urgent_json(),
            "incoming_urgent": await self.messages_json(await reading.incoming_urgent()),
            "refused": await self._refused_json(),
        }
        body.update(self.status_extras())
        return web.json_response(body)

    async def _urgent_json(self) -> dict[str, Any]:
        """Urgent messages not yet acknowledged, both ways, with the time they have really
        waited (node.core.escalation): overdue ones call for a phone call (ours) or an
        acknowledgement (theirs)."""
        config = self.service.config
        escalation = self.core.escalation
        backup = escalation.backup()
        return {
            "escalate_after_minutes": config.escalate_after_minutes,
            "awaiting_ack": [self._waiting_json(w) for w in await escalation.outgoing()],
            "incoming": [self._waiting_json(w) for w in await escalation.incoming()],
            "backup_contact": None if backup is None else backup.name,
            "backup_after_minutes": config.backup_after_minutes,
        }

    async def _refused_json(self) -> list[dict[str, Any]]:
        """Clinical messages our node refused lately (node.core.refusals), newest first."""
        contacts = self.service.contacts
        return [
            {
                "message_id": entry.message_id,
                "contact_id": entry.contact_id,
                "contact_name": contacts.name_of(bytes.fromhex(entry.contact_id)),
                "kind": entry.kind,
                "reason": entry.reason,
                "field": entry.field,
                "rule": entry.rule,
                "at": iso(entry.at),
            }
            for entry in reversed(await self.core.refusals.recent())
        ]

    def _waiting_json(self, waiting: Waiting) -> dict[str, Any]:
        row = waiting.row
        contact = self.service.contacts.get(row.contact_id)
        profile = None if contact is None else contact.row.card.profile
        return {
            "message_id": row.message_id.hex(),
            "contact_name": None if profile is None else profile.name,
            "contact_phone": None if profile is None else profile.phone,
            "sent_at": iso(row.sent_at_ms / 1000),
            "received_at": iso(row.received_at),
            "waited_minutes": waiting.waited_minutes,
            "overdue": waiting.overdue,
            "backup_told": waiting.backup_told,
        }

    async def invite(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        ttl = self._int(body.get("ttl_minutes"), "ttl_minutes", 1, MAX_TTL_MINUTES, 15)
        invitation = await self.core.pairing.invite(ttl * 60)
        return web.json_response(
            {"text": invitation.to_text(), "expires_at": iso(invitation.expires_at)}, status=201
        )

    async def pair(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        text = body.get("invitation")
        if not isinstance(text, str):
            raise Invalid("invitation_invalid", "no invitation text given")
        contact, _answer = await self.core.pairing.accept(text)
        # One attempt at once: if the inviter is reachable and refuses (the invitation was
        # already used), the person accepting learns it now rather than never.
        outcomes: list[Outcome] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FIRST_TRY):
                outcomes = await self.core.outbox.deliver_now(contact.contact_id)
        if Outcome.GONE in outcomes:
            await self.core.pairing.abandon(contact)
            raise Conflict(
                "invitation_used", "the inviter refused: invitation already used or revoked"
            )
        return web.json_response({"contact": self.contact_json(contact)}, status=201)

    async def contacts(self, request: web.Request) -> web.Response:
        reference = request.query.get("match")
        if reference is not None:
            match = self.service.contacts.resolve(reference)
            return web.json_response({"contacts": [self.contact_json(match)]})
        contacts = sorted(self.service.contacts.values(), key=lambda c: c.name.casefold())
        return web.json_response({"contacts": [self.contact_json(c) for c in contacts]})

    def _mailboxes(
        self, contact: str, mailbox: Any, to_mailbox: Any
    ) -> tuple[bytes | None, bytes | None]:
        """Ours a message leaves from, and the contact's it goes to (node.core.mailboxes)."""
        book = self.core.mailboxes
        ours = book.sending_mailbox(acting_account(), mailbox)
        theirs = book.recipient_mailbox(self.service.contacts.resolve(contact), to_mailbox)
        return (None if ours is None else ours.mailbox_id), theirs

    async def send(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        contact, kind = body.get("contact"), body.get("kind", "text")
        if not isinstance(contact, str):
            raise Invalid("bad_request", "contact is a required string")
        ours, theirs = self._mailboxes(contact, body.get("mailbox"), body.get("to_mailbox"))
        if kind not in ("text", "handoff", "prescription"):
            raise Invalid("bad_request", "kind must be text, handoff or prescription")
        if kind == "text" and not isinstance(body.get("text"), str):
            raise Invalid("bad_request", "contact and text are required strings")
        # A text is {"text": ...} at the top level; a handoff or prescription, its own member.
        form = {"text": body["text"]} if kind == "text" else body.get(kind)
        meta = self._meta(body.get("priority"), body.get("reply_to"), theirs)
        today = self._today()
        if kind == "prescription":
            # Signed, its prescriber block from our profile (docs/protocol.md §19), or on a
            # clinic server from the account of the clinician whose mailbox it leaves from.
            book = self.core.mailboxes
            prescriber = book.prescriber_block(book.get(ours), acting_account())
            row = await self.core.prescriptions.send(contact, meta, form, today, prescriber, ours)
            return web.json_response(await self.message_json(row), status=201)
        try:
            # A handoff's callback number defaults to our phone (docs/protocol.md §18.4).
            phone = self.service.config.phone.strip() or None
            content = content_from_json(kind, form, today, callback=phone)
        except ClinicalError as exc:
            raise invalid_field(exc) from None
        row = await self.core.sending.send(contact, meta, content, ours)
        return web.json_response(await self.message_json(row), status=201)

    def _today(self) -> date:
        return datetime.fromtimestamp(self.service.clock(), UTC).date()

    # --- a prescription's lifecycle (docs/local-api.md, "Prescriptions") ---------------

    async def cancel(self, request: web.Request) -> web.Response:
        message_id = (await self._message_row(request)).message_id
        body = await self._body(request)
        row = await self.core.prescriptions.cancel(message_id, body, self._today())
        return web.json_response(await self.message_json(row), status=201)

    async def amend(self, request: web.Request) -> web.Response:
        message_id = (await self._message_row(request)).message_id
        body = await self._body(request)
        meta = self._meta(body.get("priority"), None)
        row = await self.core.prescriptions.amend(
            message_id, body.get("prescription"), self._today(), meta
        )
        return web.json_response(await self.message_json(row), status=201)

    async def dispense(self, request: web.Request) -> web.Response:
        message_id = (await self._message_row(request)).message_id
        body = await self._body(request)
        row = await self.core.prescriptions.dispense(message_id, body)
        return web.json_response(await self.message_json(row), status=201)

    async def verify_print(self, request: web.Request) -> web.Response:
        """POST /v1/prescriptions/verify: the QR codes read from a printed prescription."""
        body = await self._body(request)
        check = await self.core.printed.verify(body.get("codes"))
        return web.json_response(print_check_json(check, self.service.contacts))

    async def send_file(self, request: web.Request) -> web.Response:
        query = request.query
        contact, name = query.get("contact"), query.get("name")
        if not contact or not name:
            raise Invalid("bad_request", "contact and name are required")
        ours, theirs = self._mailboxes(contact, query.get("mailbox"), query.get("to_mailbox"))
        meta = self._meta(query.get("priority"), query.get("reply_to"), theirs)
        data = await self._file_body(request)
        row = await self.core.sending.send_file(
            contact, name, data, meta, query.get("caption") or None, ours
        )
        return web.json_response(await self.message_json(row), status=201)

    @staticmethod
    async def _file_body(request: web.Request) -> bytes:
        """The uploaded file, read with its own limit (the API's is 256 KiB)."""
        if request.content_length is not None and request.content_length > MAX_ATTACHMENT_BYTES:
            raise Invalid("too_large", f"a file is at most {MAX_ATTACHMENT_BYTES} bytes")
        data = bytearray()
        try:
            async for block in request.content.iter_chunked(1 << 16):
                data += block
                if len(data) > MAX_ATTACHMENT_BYTES:
                    limit = f"a file is at most {MAX_ATTACHMENT_BYTES} bytes"
                    raise Invalid("too_large", limit)
        except (ConnectionError, HttpProcessingError, RequestPayloadError):
            raise Invalid("bad_request", "the file did not arrive whole") from None
        return bytes(data)

    async def messages(self, request: web.Request) -> web.Response:
        query = request.query
        contact_id = None
        reference = query.get("contact")
        if reference is not None:
            contact_id = self.service.contacts.resolve(reference).contact_id
        direction = query.get("direction")
        if direction is not None and direction not in ("in", "out"):
            raise Invalid("bad_request", "direction must be in or out")
        wanted = MessageQuery(
            contact_id=contact_id,
            direction=direction,
            unread=query.get("unread") in ("1", "true"),
            before=self._cursor(query.get("before")),
            limit=self._int(query.get("limit"), "limit", 1, MAX_LIMIT, 100),
            mailboxes=await self._readable(query.get("mailbox")),
        )
        rows = await self.core.reading.shown(wanted)
        body: dict[str, Any] = {"messages": await self.messages_json(rows)}
        # The next (older) page starts after the oldest message of this one.
        oldest = min(rows, key=lambda row: (row.listed_at, row.message_id), default=None)
        full = len(rows) == wanted.limit
        body["next"] = _cursor_text(oldest) if full and oldest is not None else None
        return web.json_response(body)

    @staticmethod
    def _cursor(text: str | None) -> tuple[float, bytes] | None:
        """A page cursor (from ``next``): a listing time and a message id."""
        if text is None:
            return None
        at, _, message_id = text.partition("_")
        try:
            cursor = float.fromhex(at), bytes.fromhex(message_id)
        except ValueError:
            cursor = (math.nan, b"")
        if not math.isfinite(cursor[0]) or len(cursor[1]) != MESSAGE_ID_SIZE:
            raise Invalid("bad_request", "before must be the next value of a page")
        return cursor

    async def _readable(self, mailbox: str | None) -> tuple[bytes | None, ...] | None:
        """The mailboxes a listing shows: the one asked for (403 and audited when the person
        may not read it), else every one the person may read (None: all)."""
        book, person = self.core.mailboxes, acting_account()
        access = book.access_of(person)
        if mailbox is None:
            return access.filter
        chosen = book.resolve(mailbox)
        if not access.may_read(chosen.mailbox_id):
            raise await book.refuse(person)
        return (chosen.mailbox_id,)

    async def inbox(self, request: web.Request) -> web.Response:
        wait = self._int(request.query.get("wait"), "wait", 0, MAX_WAIT_SECONDS, 0)
        mailboxes = await self._readable(request.query.get("mailbox"))
        rows = await self.core.reading.wait_unread(wait, mailboxes)
        return web.json_response({"messages": await self.messages_json(rows)})

    async def message(self, request: web.Request) -> web.Response:
        row = await self._message_row(request)
        record = await self.message_json(row)
        await self.core.reading.viewed(row)
        return web.json_response(record)

    async def file(self, request: web.Request) -> web.Response:
        row = await self._message_row(request)
        manifest, data = await self.core.attachments.file_of(row)
        return web.Response(body=data, content_type=manifest.media_type)

    async def read(self, request: web.Request) -> web.Response:
        row = await self._message_row(request)
        row = await self.core.reading.mark_read(row.message_id)
        return web.json_response(await self.message_json(row))

    async def ack(self, request: web.Request) -> web.Response:
        """Acknowledges an urgent message; with ``{"read_back": "..."}`` (a received handoff,
        urgent or not) also sends the reformulation (docs/protocol.md §18.8)."""
        row = await self._message_row(request)
        body = await self._body(request)
        text = body.get("read_back")
        if text is None:
            row = await self.core.reading.acknowledge(row.message_id)
            return web.json_response(await self.message_json(row))
        await self.core.read_backs.send(row, text)  # checks it answers a received handoff
        if row.priority == Priority.URGENT:
            row = await self.core.reading.acknowledge(row.message_id)
        else:
            row = await self.core.reading.mark_read(row.message_id)
        return web.json_response(await self.message_json(row))

    async def printed(self, request: web.Request) -> web.Response:
        await self.core.reading.record("printed", [await self._message_row(request)])
        return web.json_response({"recorded": True})

    async def saved(self, request: web.Request) -> web.Response:
        row = await self._message_row(request)
        manifest_of(row)
        await self.core.reading.record("saved", [row])
        return web.json_response({"recorded": True})

    async def export(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        patient, since = body.get("patient"), body.get("since")
        if patient is not None and (not isinstance(patient, str) or not patient.strip()):
            raise Invalid("bad_request", "patient must be a non-empty string")
        since_at = None
        if since is not None:
            try:
                since_at = datetime.fromisoformat(str(since))
            except ValueError:
                raise Invalid("bad_request", "since must be a date (YYYY-MM-DD)") from None
            if since_at.tzinfo is None:
                since_at = since_at.replace(tzinfo=UTC)
        reading = self.core.reading
        rows = await select_for_export(self.service.repo, patient, since_at, reading.readable)
        messages = await self.messages_json(rows)
        now = datetime.fromtimestamp(self.service.clock(), UTC)
        bundles = export_bundles(messages, now)
        await self.core.reading.record("exported", rows)
        return web.json_response({"bundles": bundles, "count": len(bundles)})

    async def audit_verify(self, request: web.Request) -> web.Response:
        result = await self.service.repo.verify_audit()
        return web.json_response(result.as_json())

    async def search_messages(self, request: web.Request) -> web.Response:
        """By patient name, contact and text, over the newest messages (node.core.search)."""
        query = (await self._body(request)).get("query")
        if not isinstance(query, str):
            raise Invalid("bad_request", "query is a required string")
        found = await search(self.service, self.core.reading, query)
        results = [
            {
                "message": await self.message_json(hit.row),
                "matched": list(hit.matched),
                "patient": hit.patient,
                "excerpt": None if hit.excerpt is None else list(hit.excerpt),
            }
            for hit in found.hits
        ]
        body = {"query": found.query, "scanned": found.scanned, "more": found.more}
        return web.json_response({**body, "results": results})

    # --- the readiness check (docs/protocol.md §9.5) ----------------------------------------

    async def readiness_check(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        timeout = self._int(body.get("timeout_seconds"), "timeout_seconds", 1, 120, 30)
        report = await self.core.readiness.check(float(timeout))
        return web.json_response({"check": check_json(report)})

    async def readiness_last(self, request: web.Request) -> web.Response:
        last = self.core.readiness.last
        return web.json_response({"check": None if last is None else check_json(last)})

    async def audit_export(self, request: web.Request) -> web.StreamResponse:
        text = "".join([line + "\n" async for line in self.service.repo.audit_lines()])
        return web.Response(text=text, content_type="application/x-ndjson")

    async def _contact_reference(self, request: web.Request) -> str:
        reference = (await self._body(request)).get("contact")
        if not isinstance(reference, str):
            raise Invalid("bad_request", "contact is a required string")
        return reference

    async def verify(self, request: web.Request) -> web.Response:
        contact = await self.core.trust.verify(await self._contact_reference(request))
        return web.json_response({"contact": self.contact_json(contact)})

    async def unpair(self, request: web.Request) -> web.Response:
        contact = await self.core.trust.unpair(await self._contact_reference(request))
        return web.json_response({"contact": self.contact_json(contact)})

    async def revoke(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if body.get("confirm") is not True:
            raise Invalid("bad_request", 'revoking needs {"confirm": true}')
        identity, told = await self.core.trust.revoke()
        node_id = format_node_id(identity.public.node_id)
        return web.json_response({"node_id": node_id, "contacts_told": told})

    # --- pairing by phone (docs/local-api.md; docs/protocol.md §16) -------------------------

    def _phone(self) -> PhonePairing:
        if self.phone is None:
            raise NotFound("not_found", "pairing by phone is not available")
        return self.phone

    def call_json(self, call: Call) -> dict[str, Any]:
        return {
            "call_id": call.call_id,
            "code": str(call.code),
            "relay": call.relay,
            "expires_at": iso(call.expires_at),
            "state": call.state,
            "peer_joined": call.peer_joined,
            "contact": None if call.contact is None else self.contact_json(call.contact),
            "reason": call.reason,
        }

    async def phone_call(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        call = await self._phone().call(body.get("relay"))
        return web.json_response(self.call_json(call), status=201)

    async def phone_call_state(self, request: web.Request) -> web.Response:
        wait = self._int(request.query.get("wait"), "wait", 0, MAX_WAIT_SECONDS, 0)
        call = await self._phone().wait(request.match_info["call_id"], wait)
        return web.json_response(self.call_json(call))

    async def phone_call_cancel(self, request: web.Request) -> web.Response:
        call = await self._phone().cancel(request.match_info["call_id"])
        return web.json_response(self.call_json(call))

    async def phone_join(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        contact, confirmed = await self._phone().join(body.get("code"), body.get("relay"))
        return web.json_response(
            {"contact": self.contact_json(contact), "confirmed": confirmed}, status=201
        )

    # --- the web client (docs/local-api.md, "POST /v1/web/login") ------------------------

    async def web_login_link(self, request: web.Request) -> web.Response:
        if self.web_login is None:
            raise NotFound("not_found", "the web client is not served")
        url, expires_at = self.web_login()
        return web.json_response({"url": url, "expires_at": iso(expires_at)}, status=201)


def check_json(report: CheckReport) -> dict[str, Any]:
    """A readiness check's report (docs/local-api.md, POST /v1/check)."""
    document = report.as_json()
    document["started_at"] = iso(report.started_at)
    document["finished_at"] = iso(report.finished_at)
    return document


def _token_of(authorization: str) -> str:
    """The token of an ``Authorization`` header: ``Bearer TOKEN`` (the scheme in any case,
    RFC 9110 §11.1), or the bare token, accepted too (docs/local-api.md)."""
    scheme, _, rest = authorization.partition(" ")
    return rest.strip(" ") if scheme.lower() == "bearer" else authorization


# A JSON string, escapes included: what the depth scan skips (an unterminated string is left
# in place; the parser refuses it anyway).
_JSON_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS: Final = re.compile(r"[\[\]{}]")


class _NotFinite(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotFinite(name)


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999 overflows to infinity
        raise _NotFinite(text)
    return number


def parse_json(data: bytes) -> Any:
    """A request body as JSON, refused with a 400 (``Invalid``) when it is not JSON
    (``bad_request``), nests arrays and objects deeper than :data:`MAX_JSON_DEPTH`
    (``too_deep``: checked before parsing, the parser would recurse), or holds a number that
    is not finite (``non_finite_number``: NaN, Infinity, or a literal such as 1e999). The
    body must be UTF-8 (RFC 8259 §8.1)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("bad_request", "the body is not JSON (UTF-8)") from None
    depth = 0
    for bracket in _BRACKETS.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket[0] in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise Invalid("too_deep", f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NotFinite:
        raise Invalid("non_finite_number", "the body holds a number that is not finite") from None
    except (ValueError, RecursionError):  # RecursionError: a last guard behind the scan
        raise Invalid("bad_request", "the body is not JSON") from None


def _cursor_text(row: MessageRow) -> str:
    # The time in hexadecimal: exactly the stored value back (a decimal text may not be).
    return f"{row.listed_at.hex()}_{row.message_id.hex()}"
