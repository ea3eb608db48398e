"""The web client's pages, forms and WebSocket (docs/user-guide.md, "Le poste dans le
navigateur"). It renders the local API's MESSAGE documents (node/edges/api/json.py) with the
same core services the API calls: no rule of its own.

    GET  /login?token=T        a one-time link becomes a session cookie, then /
    GET  /                     conversations, one per contact, urgent ones first
    GET  /c/{contact_id}       one conversation (marks what it shows read), ?before= pages
    POST /c/{contact_id}/send  a text, normal or urgent, possibly a reply
    POST /m/{message_id}/ack   acknowledge a received urgent message
    GET  /m/{message_id}/file  a received file, always as a download
    POST /language, /logout
    GET  /ws                   live updates (live.py), one WebSocket per tab

A page asked for with ``X-Releve-Part: live`` answers only its live part (what the script
swaps in when the WebSocket says something changed). Every form works without JavaScript:
POST, then a redirect to a page (POST-redirect-GET).
"""

from __future__ import annotations

import asyncio
import binascii
import contextlib
import hmac
import logging
import math
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import WSCloseCode, web

from node.core.contacts import Contact
from node.core.errors import NotFound, RequestError
from node.core.node import NodeCore
from node.core.ports import MessageQuery
from node.core.records import MessageRow
from node.core.sending import invalid_field
from node.edges.api.json import message_document
from node.edges.web.guard import SAFE_METHODS, allowed_hosts, from_our_pages, security_headers
from node.edges.web.live import LiveHub, Push, Subscriber
from node.edges.web.sessions import Session, Sessions
from node.edges.web.texts import DEFAULT_LANGUAGE, language_of, text
from node.protocol.admission import RefusalLog
from node.protocol.conversation import Meta, Priority, content_from_json
from node.protocol.errors import ClinicalError

log = logging.getLogger(__name__)

HERE: Final = Path(__file__).resolve().parent
PAGE_SIZE: Final = 50
MAX_UNREAD_SHOWN: Final = 100  # "99+" beyond
MAX_SOCKETS: Final = 64
SOCKET_CHECK_SECONDS: Final = 30.0
LANGUAGE_COOKIE: Final = "releve_lang"
PART_HEADER: Final = "X-Releve-Part"
TIME_ZONE: Final = ZoneInfo("Europe/Paris")
MESSAGE_ID_SIZE: Final = 16
# Where a form may send the person back to: one of our own paths, nothing else.
_LOCAL_PATH: Final = re.compile(r"^/(c/[0-9a-f]{32})?$")
_HEX_ID: Final = re.compile(r"^[0-9a-f]{32}$")
_EXTENSIONS: Final = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# What the daemon answers `POST /v1/web/login` with: the link and when it expires.
LoginLink = tuple[str, float]


class _Refused(Exception):
    """Ends a request with one of the error pages."""

    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key


class WebClient:
    def __init__(self, core: NodeCore, *, idle_seconds: float | None = None) -> None:
        self._core = core
        self._ctx = core.ctx
        clock = core.ctx.clock
        self.sessions = (
            Sessions(clock) if idle_seconds is None else Sessions(clock, idle_seconds=idle_seconds)
        )
        self.hub = LiveHub(core)
        self.port: int | None = None  # set once listening (the Host allow-list needs it)
        self.refusals = RefusalLog(log, clock)
        self._sockets: set[web.WebSocketResponse] = set()
        self._templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # every value, whatever the template's name
            undefined=jinja2.ChainableUndefined,  # a member a newer node adds: empty
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # --- assembly -----------------------------------------------------------------------

    def create_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=512 * 1024)
        routes = (
            ("GET", "/login", self.login),
            ("POST", "/logout", self.logout),
            ("POST", "/language", self.language),
            ("GET", "/", self.conversations),
            ("GET", "/c/{contact_id}", self.conversation),
            ("POST", "/c/{contact_id}/send", self.send),
            ("POST", "/m/{message_id}/ack", self.acknowledge),
            ("GET", "/m/{message_id}/file", self.file),
            ("GET", "/ws", self.socket),
        )
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        app.router.add_static("/static/", HERE / "static", follow_symlinks=False)
        app.on_startup.append(self._start)
        app.on_shutdown.append(self._close_sockets)
        app.on_cleanup.append(self._stop)
        return app

    def serve_on(self, port: int) -> None:
        self.port = port

    def mint_login(self) -> LoginLink:
        """A one-time login link (the local API's `POST /v1/web/login`)."""
        if self.port is None:
            raise NotFound("not_found", "the web client is not served")
        token, expires_at = self.sessions.mint_token()
        return f"http://127.0.0.1:{self.port}/login?token={token}", expires_at

    async def _start(self, app: web.Application) -> None:
        self.hub.start()

    async def _close_sockets(self, app: web.Application) -> None:
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY)

    async def _stop(self, app: web.Application) -> None:
        await self.hub.stop()

    # --- the guard (guard.py) -------------------------------------------------------------

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        port = self.port or 0
        host = request.headers.get("Host", "")
        static = request.path.startswith("/static/")
        if host not in allowed_hosts(port):
            self.refusals.refused("web request", "foreign host", request.remote or "?")
            response: web.StreamResponse = self._error_page(request, 421, "misdirected")
            security_headers(response, f"127.0.0.1:{port}", static=False)
            return response
        try:
            upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
            if (request.method not in SAFE_METHODS or upgrade) and not from_our_pages(
                request, port
            ):
                self.refusals.refused("web request", "not from our pages", request.remote or "?")
                raise _Refused(403, "forbidden")
            response = await handler(request)
        except _Refused as refused:
            response = self._error_page(request, refused.status, refused.key)
        except web.HTTPNotFound:
            response = self._error_page(request, 404, "notfound")
        except web.HTTPMethodNotAllowed:
            response = self._error_page(request, 405, "notfound")
        except web.HTTPRequestEntityTooLarge:
            response = self._error_page(request, 413, "forbidden")
        if not response.prepared:  # a WebSocket is already under way
            security_headers(response, host, static=static)
        return response

    def _cookie_name(self) -> str:
        # Cookies ignore ports: two nodes on one machine must not overwrite each other's.
        return f"releve_session_{self.port}"

    def _session(self, request: web.Request, *, touch: bool) -> Session:
        session = self.sessions.get(request.cookies.get(self._cookie_name()), touch=touch)
        if session is None:
            raise _Refused(401, "auth")
        return session

    async def _form(self, request: web.Request, session: Session) -> dict[str, str]:
        """A posted form whose CSRF token is the session's."""
        data = await request.post()
        form = {key: value for key, value in data.items() if isinstance(value, str)}
        supplied = form.get("csrf", "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(supplied, session.csrf.encode()):
            self.refusals.refused("web form", "wrong CSRF token", request.remote or "?")
            raise _Refused(403, "forbidden")
        return form

    @staticmethod
    def _lang(request: web.Request) -> str:
        return language_of(request.cookies.get(LANGUAGE_COOKIE))

    # --- rendering ------------------------------------------------------------------------

    def _render(
        self, request: web.Request, template: str, status: int = 200, **values: Any
    ) -> web.Response:
        lang = self._lang(request)

        def t(key: str, **kwargs: Any) -> str:
            return text(lang, key, **kwargs)

        body = self._templates.get_template(template).render(
            lang=lang,
            t=t,
            when=lambda value: _local_time(value, lang),
            day=lambda value: _local_day(value, lang),
            size=lambda value: _size(value, lang),
            path=request.path,
            **values,
        )
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

    def _error_page(self, request: web.Request, status: int, key: str) -> web.Response:
        return self._render(request, "error.html", status, key=key, session=None)

    async def _record(self, row: MessageRow) -> dict[str, Any]:
        """The local API's MESSAGE document of a row (docs/local-api.md)."""
        return await message_document(self._core, row)

    async def _banners(self) -> dict[str, Any]:
        """Urgent messages: received and not acknowledged here; ours not acknowledged."""
        ctx, reading = self._ctx, self._core.reading
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

    async def _unread_count(self) -> int:
        return await self._core.reading.unread_count()

    # --- login, language, logout ------------------------------------------------------------

    async def login(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("token", "")
        cookie = self._cookie_name()
        session = self.sessions.log_in(token, request.cookies.get(cookie))
        if session is None:
            self.refusals.refused("web login", "unknown, used or expired link", "127.0.0.1")
            raise _Refused(403, "expired")
        response = _see_other("/")
        response.set_cookie(cookie, session.session_id, httponly=True, samesite="Strict", path="/")
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request, touch=False)
        await self._form(request, session)
        self.sessions.end(session.session_id)
        response = _see_other("/")
        response.del_cookie(self._cookie_name(), path="/")
        return response

    async def language(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request, touch=True)
        form = await self._form(request, session)
        target = form.get("next", "/")
        response = _see_other(target if _LOCAL_PATH.match(target) else "/")
        response.set_cookie(
            LANGUAGE_COOKIE,
            language_of(form.get("lang")),
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Strict",
            path="/",
        )
        return response

    # --- conversations --------------------------------------------------------------------

    def _live_only(self, request: web.Request) -> bool:
        return request.headers.get(PART_HEADER) == "live"

    async def conversations(self, request: web.Request) -> web.StreamResponse:
        live = self._live_only(request)
        session = self._session(request, touch=not live)
        reading = self._core.reading
        banners = await self._banners()
        urgent_from = {item["contact_id"] for item in banners["incoming"]}
        items: list[dict[str, Any]] = []
        for contact in list(self._ctx.contacts.values()):
            cid = contact.contact_id
            last = await reading.shown(MessageQuery(contact_id=cid, limit=1))
            unread = await reading.shown(
                MessageQuery(contact_id=cid, unread=True, limit=MAX_UNREAD_SHOWN)
            )
            items.append(
                {
                    "contact_id": cid.hex(),
                    "name": contact.name,
                    "active": contact.active,
                    "urgent": cid.hex() in urgent_from,
                    "unread": len(unread),
                    "last": await self._record(last[0]) if last else None,
                    "last_at": last[0].listed_at if last else -math.inf,
                }
            )
        items.sort(key=lambda item: (not item["urgent"], -item["last_at"], item["name"].casefold()))
        values: dict[str, Any] = {
            "session": session,
            "banners": banners,
            "items": items,
            "unread_total": await self._unread_count(),
            "more": MAX_UNREAD_SHOWN,
        }
        template = "conversations_live.html" if live else "conversations.html"
        return self._render(request, template, **values)

    def _contact(self, request: web.Request) -> Contact:
        text_id = request.match_info["contact_id"]
        contact = None
        if _HEX_ID.match(text_id):
            contact = self._ctx.contacts.get(bytes.fromhex(text_id))
        if contact is None:
            raise _Refused(404, "notfound")
        return contact

    async def conversation(self, request: web.Request) -> web.StreamResponse:
        live = self._live_only(request)
        session = self._session(request, touch=not live)
        contact = self._contact(request)
        return await self._conversation_page(request, session, contact, live=live)

    async def _conversation_page(
        self,
        request: web.Request,
        session: Session,
        contact: Contact,
        *,
        live: bool = False,
        status: int = 200,
        error: str | None = None,
        draft: str = "",
        urgent: bool = False,
    ) -> web.Response:
        reading = self._core.reading
        before = _cursor(request.query.get("before"))
        query = MessageQuery(contact_id=contact.contact_id, before=before, limit=PAGE_SIZE)
        rows = await reading.shown(query)
        oldest = min(rows, key=lambda row: (row.listed_at, row.message_id), default=None)
        older = _cursor_text(oldest) if oldest is not None and len(rows) == PAGE_SIZE else None
        # Opening the conversation is reading it: the read receipts go back (once).
        shown = []
        for row in rows:
            if row.direction == "in" and row.status == "received":
                row = await reading.mark_read(row.message_id)
                self.hub.poke()
            shown.append(row)
        records = [await self._record(row) for row in shown]
        by_id = {record["message_id"]: record for record in records}
        replies: dict[str, dict[str, Any] | None] = {}
        for record in records:
            answered = record["reply_to"]
            if answered is not None and answered not in by_id:
                with contextlib.suppress(NotFound):
                    replies[answered] = await self._record(
                        await reading.message(bytes.fromhex(answered))
                    )
        replies.update(by_id)
        reply_to = await self._reply_target(request, contact)
        values: dict[str, Any] = {
            "session": session,
            "banners": await self._banners(),
            "contact": {
                "contact_id": contact.contact_id.hex(),
                "name": contact.name,
                "active": contact.active,
                "verified": contact.row.verified,
            },
            "messages": records,
            "replies": replies,
            "older": older,
            "paged": before is not None,
            "reply_to": reply_to,
            "error": error,
            "draft": draft,
            "urgent": urgent,
            "unread_total": await self._unread_count(),
        }
        template = "conversation_live.html" if live else "conversation.html"
        return self._render(request, template, status, **values)

    async def _reply_target(
        self, request: web.Request, contact: Contact, wanted: str | None = None
    ) -> dict[str, Any] | None:
        wanted = wanted if wanted is not None else request.query.get("reply")
        if not wanted or not _HEX_ID.match(wanted):
            return None
        try:
            row = await self._core.reading.message(bytes.fromhex(wanted))
        except NotFound:
            return None
        if row.contact_id != contact.contact_id:
            return None
        return await self._record(row)

    async def send(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request, touch=True)
        contact = self._contact(request)
        form = await self._form(request, session)
        body = form.get("text", "").replace("\r\n", "\n")
        urgent = form.get("priority") == "urgent"
        reply = form.get("reply_to", "")
        reply_id = bytes.fromhex(reply) if _HEX_ID.match(reply) else None

        async def again(status: int, error: str) -> web.Response:
            page = await self._conversation_page(
                request, session, contact, status=status, error=error, draft=body, urgent=urgent
            )
            return page

        if not body.strip():
            return await again(400, "text_required")
        today = datetime.fromtimestamp(self._ctx.clock(), UTC).date()
        meta = Meta(Priority.URGENT if urgent else Priority.NORMAL, reply_id)
        try:
            try:
                content = content_from_json("text", {"text": body}, today)
            except ClinicalError as exc:
                raise invalid_field(exc) from None
            await self._core.sending.send_to(contact, meta, content)
        except RequestError as exc:
            known = ("text_too_long", "contact_inactive", "invalid_field", "store_unavailable")
            return await again(
                400 if exc.code != "store_unavailable" else 503,
                exc.code if exc.code in known else "other",
            )
        self.hub.poke()
        return _see_other(f"/c/{contact.contact_id.hex()}")

    async def _message_row(self, request: web.Request) -> MessageRow:
        text_id = request.match_info["message_id"]
        if not _HEX_ID.match(text_id):
            raise _Refused(404, "notfound")
        try:
            return await self._core.reading.message(bytes.fromhex(text_id))
        except NotFound:
            raise _Refused(404, "notfound") from None

    async def acknowledge(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request, touch=True)
        await self._form(request, session)
        row = await self._message_row(request)
        try:
            await self._core.reading.acknowledge(row.message_id)
        except RequestError:
            raise _Refused(409, "forbidden") from None
        self.hub.poke()
        return _see_other(f"/c/{row.contact_id.hex()}")

    async def file(self, request: web.Request) -> web.StreamResponse:
        self._session(request, touch=True)
        row = await self._message_row(request)
        try:
            manifest, data = await self._core.attachments.file_of(row)
        except RequestError:
            raise _Refused(404, "notfound") from None
        await self._core.reading.record("saved", [row])
        # The sender's file name and type are never trusted for rendering: always a download,
        # named by us.
        extension = _EXTENSIONS.get(manifest.media_type, "bin")
        name = f"releve-{row.message_id.hex()[:8]}.{extension}"
        return web.Response(
            body=data,
            content_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # --- live updates ---------------------------------------------------------------------

    async def socket(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request, touch=False)
        if len(self._sockets) >= MAX_SOCKETS:
            raise _Refused(503, "forbidden")
        lang = self._lang(request)
        ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=1024)
        await ws.prepare(request)
        self._sockets.add(ws)
        subscriber = self.hub.subscribe()
        pusher = asyncio.create_task(self._push(ws, subscriber, session, lang))
        try:
            async for _message in ws:
                pass  # the page says nothing; reading keeps the connection's state
        finally:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher
            self.hub.unsubscribe(subscriber)
            self._sockets.discard(ws)
        return ws

    async def _push(
        self, ws: web.WebSocketResponse, subscriber: Subscriber, session: Session, lang: str
    ) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.send_json({"unread": await self._unread_count(), "notices": []})
            while True:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(SOCKET_CHECK_SECONDS):
                        await subscriber.wake.wait()
                if not self.sessions.alive(session):
                    await ws.close(code=4401, message=b"session ended")
                    return
                pushes = subscriber.take()
                if pushes:
                    await ws.send_json(_push_json(pushes, lang))


def _see_other(location: str) -> web.Response:
    """POST-redirect-GET (and the login's step to the first page)."""
    return web.Response(status=303, headers={"Location": location})


def _push_json(pushes: list[Push], lang: str) -> dict[str, Any]:
    """What a tab is told: the unread count and who just wrote (never what)."""
    notices = [
        {
            "id": arrival.message_id,
            "urgent": arrival.urgent,
            "text": text(
                lang,
                "notice.urgent" if arrival.urgent else "notice.new",
                name=arrival.contact_name,
            ),
        }
        for push in pushes
        for arrival in push.arrivals
    ]
    return {"unread": pushes[-1].unread, "notices": notices, "changed": True}


def _cursor(value: str | None) -> tuple[float, bytes] | None:
    """A page cursor (``before``), as the local API's: a listing time and a message id."""
    if value is None:
        return None
    at, _, message_id = value.partition("_")
    try:
        cursor = float.fromhex(at), bytes.fromhex(message_id)
    except (ValueError, binascii.Error):
        raise _Refused(404, "notfound") from None
    if not math.isfinite(cursor[0]) or len(cursor[1]) != MESSAGE_ID_SIZE:
        raise _Refused(404, "notfound")
    return cursor


def _cursor_text(row: MessageRow) -> str:
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


def _local_time(value: str | float | None, lang: str) -> str:
    """A time in the person's zone (Europe/Paris), never bare UTC."""
    moment = _moment(value)
    if moment is None:
        return ""
    local = moment.astimezone(TIME_ZONE)
    return local.strftime("%d/%m/%Y %H:%M" if lang == DEFAULT_LANGUAGE else "%Y-%m-%d %H:%M")


def _local_day(value: str | None, lang: str) -> str:
    if not value:
        return ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return day.strftime("%d/%m/%Y") if lang == DEFAULT_LANGUAGE else day.isoformat()


def _size(value: int, lang: str) -> str:
    if value < 1024:
        return text(lang, "size.bytes", n=value)
    if value < 1024 * 1024:
        return text(lang, "size.kib", n=round(value / 1024))
    number = f"{value / (1024 * 1024):.1f}"
    return text(lang, "size.mib", n=number.replace(".", ",") if lang == "fr" else number)
