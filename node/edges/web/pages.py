"""What every screen of the web client shares (screens/): the session and its CSRF token, the
person's language, rendering a template, the error pages, and the MESSAGE documents and banners
every page shows. The screens hold the routes; this holds no route of its own."""

from __future__ import annotations

import binascii
import hmac
import logging
import math
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from node.core.accounts import Account
from node.core.contacts import Contact
from node.core.errors import NotFound
from node.core.mailboxes import Forbidden
from node.core.node import NodeCore
from node.core.records import MessageRow
from node.edges.api.json import message_document
from node.edges.web.live import LiveHub
from node.edges.web.origin import HOST_PREFIX, WebOrigin
from node.edges.web.people import People, SessionRefused
from node.edges.web.sessions import Session, Sessions
from node.edges.web.texts import DEFAULT_LANGUAGE, language_of, text
from node.protocol.admission import RefusalLog

log = logging.getLogger("node.edges.web.app")

HERE: Final = Path(__file__).resolve().parent
LANGUAGE_COOKIE: Final = "releve_lang"
PART_HEADER: Final = "X-Releve-Part"
TIME_ZONE: Final = ZoneInfo("Europe/Paris")
MESSAGE_ID_SIZE: Final = 16
HEX_ID: Final = re.compile(r"^[0-9a-f]{32}$")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Route = tuple[str, str, Handler]  # method, path, handler


class Screen(Protocol):
    """A screen of the web client: its routes, served under the guard of app.py."""

    def routes(self) -> tuple[Route, ...]: ...


class Refused(Exception):
    """Ends a request with one of the error pages."""

    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key


class Pages:
    """The web client's shared state and helpers, given to every screen."""

    def __init__(self, core: NodeCore, sessions: Sessions, hub: LiveHub) -> None:
        self.core = core
        self.ctx = core.ctx
        self.sessions = sessions
        self.hub = hub
        self.port: int | None = None  # set once listening (the Host allow-list needs it)
        self.origin = WebOrigin(0)  # where we are served (origin.py), set with the port
        self.refusals = RefusalLog(log, core.ctx.clock)
        self.people: People | None = None  # a clinic server's accounts (people.py)
        self._templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # every value, whatever the template's name
            undefined=jinja2.ChainableUndefined,  # a member a newer node adds: empty
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # --- the session and its forms ------------------------------------------------------

    def session_cookie(self) -> str:
        # Cookies ignore ports: two nodes on one machine must not overwrite each other's.
        return f"releve_session_{self.port}"

    def cookie_name(self) -> str:
        return self.origin.cookie_name(self.session_cookie())  # under TLS: __Host-...

    def session(self, request: web.Request, *, touch: bool) -> Session:
        session = self.sessions.get(request.cookies.get(self.cookie_name()), touch=touch)
        if session is None:
            raise Refused(401, "auth")
        if self.people is not None:  # a clinic server: a person's session (people.py)
            self.person(request, session)
            if session.locked:
                raise Refused(423, "locked")
        return session

    def person(self, request: web.Request, session: Session) -> Account:
        """The person whose session this is (a clinic server), else 401."""
        if self.people is None:
            raise Refused(401, "auth")
        try:
            return self.people.person(request, session)
        except SessionRefused:
            raise Refused(401, "auth") from None

    def may_prescribe(self, session: Session) -> bool:
        """Whether this session's person is offered the prescription form: on a clinic
        server with mailboxes, only a clinician whose personal mailbox a prescription can
        leave from (node.core.mailboxes); elsewhere the node's user, as before."""
        book = self.core.mailboxes
        mailboxes = book.all()
        if session.account_id is None or not mailboxes:
            return True
        for mailbox in mailboxes:
            prescriber = book.prescriber_of(mailbox)
            if prescriber is not None and prescriber.account_id == session.account_id:
                return True
        return False

    def mailbox_choices(self, session: Session, contact: Contact) -> dict[str, Any]:
        """A clinic server's mailboxes (node.core.mailboxes) as the text and file forms offer
        them: the contact's to write to, ours to write from (the person's, when they have
        several). Empty lists elsewhere."""
        listed = contact.row.mailboxes
        return {
            "to_mailboxes": [
                {"id": m.mailbox_id.hex(), "name": m.name}
                for m in (listed.mailboxes if listed else ())
            ],
            "from_mailboxes": [
                {"id": m.mailbox_id.hex(), "name": m.name}
                for m in self.core.mailboxes.all()
                if session.account_id is not None and session.account_id in m.members
            ],
        }

    async def form(self, request: web.Request, session: Session) -> dict[str, str]:
        """A posted form whose CSRF token is the session's (files are left out: see
        :meth:`check_csrf` for multipart forms read part by part)."""
        data = await request.post()
        form = {key: value for key, value in data.items() if isinstance(value, str)}
        self.check_csrf(request, session, form.get("csrf", ""))
        return form

    def check_csrf(self, request: web.Request, session: Session, supplied: str) -> None:
        if not hmac.compare_digest(
            supplied.encode("utf-8", "surrogateescape"), session.csrf.encode()
        ):
            self.refusals.refused("web form", "wrong CSRF token", request.remote or "?")
            raise Refused(403, "forbidden")

    @staticmethod
    def lang(request: web.Request) -> str:
        cookies = request.cookies  # under TLS it is a __Host- cookie (origin.py)
        return language_of(cookies.get(HOST_PREFIX + LANGUAGE_COOKIE, cookies.get(LANGUAGE_COOKIE)))

    @staticmethod
    def live_only(request: web.Request) -> bool:
        """Asked for by the script: only the page's live part."""
        return request.headers.get(PART_HEADER) == "live"

    # --- rendering ----------------------------------------------------------------------

    def render(
        self, request: web.Request, template: str, status: int = 200, **values: Any
    ) -> web.Response:
        lang = self.lang(request)

        def t(key: str, **kwargs: Any) -> str:
            return text(lang, key, **kwargs)

        body = self._templates.get_template(template).render(
            lang=lang,
            t=t,
            when=lambda value: local_time(value, lang),
            day=lambda value: local_day(value, lang),
            size=lambda value: size(value, lang),
            path=request.path,
            **values,
        )
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

    def error_page(self, request: web.Request, status: int, key: str) -> web.Response:
        return self.render(request, "error.html", status, key=key, session=None)

    # --- what the pages show --------------------------------------------------------------

    async def record(self, row: MessageRow) -> dict[str, Any]:
        """The local API's MESSAGE document of a row (docs/local-api.md)."""
        return await message_document(self.core, row)

    async def banners(self) -> dict[str, Any]:
        """Urgent messages: received and not acknowledged here; ours not acknowledged."""
        ctx, reading = self.ctx, self.core.reading
        incoming = [
            {
                "message_id": row.message_id.hex(),
                "contact_id": row.contact_id.hex(),
                "name": ctx.contacts.name_of(row.contact_id) or "?",
                "at": row.received_at,
            }
            for row in await reading.incoming_urgent()
        ]
        delay = ctx.config.escalate_after_minutes * 60
        awaiting = []
        for row in await reading.awaiting_acknowledgement():
            contact = ctx.contacts.get(row.contact_id)
            awaiting.append(
                {
                    "message_id": row.message_id.hex(),
                    "contact_id": row.contact_id.hex(),
                    "name": "?" if contact is None else contact.name,
                    "phone": None if contact is None else contact.row.card.profile.phone,
                    "at": row.sent_at_ms / 1000,
                    "overdue": ctx.clock() - row.sent_at_ms / 1000 >= delay,
                }
            )
        return {"incoming": incoming, "awaiting": awaiting}

    async def unread_count(self) -> int:
        return await self.core.reading.unread_count()

    async def common(self, session: Session) -> dict[str, Any]:
        """What the frame of every logged-in page shows: the session, banners, unread count."""
        person = None
        if self.people is not None and session.account_id is not None:
            person = self.people.accounts.get(session.account_id)
        return {
            "session": session,
            "person": person,  # a clinic server's person (people.py)
            "banners": await self.banners(),
            "unread_total": await self.unread_count(),
        }

    # --- the ids in paths ---------------------------------------------------------------

    def contact(self, request: web.Request) -> Contact:
        text_id = request.match_info["contact_id"]
        contact = None
        if HEX_ID.match(text_id):
            contact = self.ctx.contacts.get(bytes.fromhex(text_id))
        if contact is None:
            raise Refused(404, "notfound")
        return contact

    async def message_row(self, request: web.Request) -> MessageRow:
        text_id = request.match_info["message_id"]
        if not HEX_ID.match(text_id):
            raise Refused(404, "notfound")
        try:
            return await self.core.reading.message(bytes.fromhex(text_id))
        except Forbidden:  # another mailbox's message (a clinic server): refused, audited
            raise Refused(403, "forbidden") from None
        except NotFound:
            raise Refused(404, "notfound") from None


def see_other(location: str) -> web.Response:
    """POST-redirect-GET (and the login's step to the first page)."""
    return web.Response(status=303, headers={"Location": location})


def cursor(value: str | None) -> tuple[float, bytes] | None:
    """A page cursor (``before``), as the local API's: a listing time and a message id."""
    if value is None:
        return None
    at, _, message_id = value.partition("_")
    try:
        parsed = float.fromhex(at), bytes.fromhex(message_id)
    except (ValueError, binascii.Error):
        raise Refused(404, "notfound") from None
    if not math.isfinite(parsed[0]) or len(parsed[1]) != MESSAGE_ID_SIZE:
        raise Refused(404, "notfound")
    return parsed


def cursor_text(row: MessageRow) -> str:
    return f"{row.listed_at.hex()}_{row.message_id.hex()}"


def _moment(value: str | float | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def local_time(value: str | float | None, lang: str) -> str:
    """A time in the person's zone (Europe/Paris), never bare UTC."""
    moment = _moment(value)
    if moment is None:
        return ""
    local = moment.astimezone(TIME_ZONE)
    return local.strftime("%d/%m/%Y %H:%M" if lang == DEFAULT_LANGUAGE else "%Y-%m-%d %H:%M")


def local_day(value: str | None, lang: str) -> str:
    if not value:
        return ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return day.strftime("%d/%m/%Y") if lang == DEFAULT_LANGUAGE else day.isoformat()


def size(value: int, lang: str) -> str:
    if value < 1024:
        return text(lang, "size.bytes", n=value)
    if value < 1024 * 1024:
        return text(lang, "size.kib", n=round(value / 1024))
    number = f"{value / (1024 * 1024):.1f}"
    return text(lang, "size.mib", n=number.replace(".", ",") if lang == "fr" else number)
