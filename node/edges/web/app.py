"""The web client's assembly (docs/user-guide.md, "Le poste dans le navigateur"): one aiohttp
application whose every request passes the guard (guard.py), the login and the session's own
forms, the live WebSocket, and the screens (screens/), each with its routes. It renders the
local API's MESSAGE documents (node/edges/api/json.py) with the same core services the API
calls: no rule of its own.

    GET  /login?token=T        a one-time link becomes a session cookie, then /
    POST /language, /logout
    GET  /ws                   live updates (live.py), one WebSocket per tab
    ...                        the screens' routes (screens/*.py)

A page asked for with ``X-Releve-Part: live`` answers only its live part (what the script
swaps in when the WebSocket says something changed). Every form works without JavaScript:
POST, then a redirect to a page (POST-redirect-GET).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode

from aiohttp import WSCloseCode, web

from node.core.accounts import Accounts, reset_acting, set_acting_for_request
from node.core.errors import NotFound
from node.core.node import NodeCore
from node.edges.api.users import SessionInfo
from node.edges.web.guard import SAFE_METHODS, from_our_pages, security_headers
from node.edges.web.live import LiveHub, Push, Subscriber
from node.edges.web.origin import WebOrigin
from node.edges.web.pages import (
    HERE,
    LANGUAGE_COOKIE,
    Handler,
    Pages,
    Refused,
    Route,
    Screen,
    see_other,
)
from node.edges.web.people import People
from node.edges.web.screens.account import AccountScreen
from node.edges.web.screens.check import Readiness
from node.edges.web.screens.compose import Compose
from node.edges.web.screens.contacts import Contacts
from node.edges.web.screens.conversations import Conversations
from node.edges.web.screens.files import Files
from node.edges.web.screens.login import Login
from node.edges.web.screens.pairing import PairingScreen
from node.edges.web.screens.records import Records
from node.edges.web.screens.search import Search
from node.edges.web.screens.status import Status, StatusExtras
from node.edges.web.screens.users import UsersScreen
from node.edges.web.sessions import IDLE_SECONDS, Session, Sessions
from node.edges.web.texts import language_of, text

if TYPE_CHECKING:
    from node.edges.phone_pairing import PhonePairing

MAX_SOCKETS: Final = 64
# A clinic server's live channels: a tab or two for each of a practice's sessions.
CLINIC_MAX_SOCKETS: Final = 1024
SOCKET_CHECK_SECONDS: Final = 30.0
# Where a form may send the person back to: one of our own paths (never "//host"), nothing else.
_LOCAL_PATH: Final = re.compile(r"^/(?![/\\])[A-Za-z0-9/_-]{0,200}$")
# What the daemon answers `POST /v1/web/login` with: the link and when it expires.
LoginLink = tuple[str, float]


class WebClient:
    def __init__(
        self,
        core: NodeCore,
        *,
        idle_seconds: float | None = None,
        phone: PhonePairing | None = None,
        status_extras: StatusExtras = dict,
        accounts: Accounts | None = None,
    ) -> None:
        clock = core.ctx.clock
        # A clinic server (``accounts``): people log in, and an idle screen locks.
        lock = None if accounts is None else core.ctx.config.lock_after_minutes * 60
        self.sessions = Sessions(
            clock, idle_seconds=IDLE_SECONDS if idle_seconds is None else idle_seconds
        )
        self.sessions.lock_seconds = lock
        self.hub = LiveHub(core)
        self.pages = Pages(core, self.sessions, self.hub)
        self._login: Login | None = None
        people: tuple[Screen, ...] = ()
        if accounts is not None:
            self.pages.people = People(accounts, self.sessions)
            self._login = Login(self.pages, accounts)
            people = (self._login, AccountScreen(self.pages, accounts))
            people += (UsersScreen(self.pages, accounts),)
            accounts.on_ended(self._ended)
            # A person's session ended on purpose (logout, ended from "My account", by an
            # admin or the operator): its live channels close now, not at the next check.
            self.sessions.on_end(self._close_sockets_of)
        self._screens: tuple[Screen, ...] = (
            Conversations(self.pages),
            Contacts(self.pages),
            PairingScreen(self.pages, phone),  # pairing by phone: None without it
            Status(self.pages, status_extras),  # the relays: the daemon's subscriptions
            Readiness(self.pages),
            Search(self.pages),
            Compose(self.pages),
            Files(self.pages),
            Records(self.pages),
            *people,
        )
        self._sockets: set[web.WebSocketResponse] = set()
        self._socket_sessions: dict[web.WebSocketResponse, Session] = {}
        self._closing: set[asyncio.Task[bool]] = set()

    @property
    def port(self) -> int | None:
        return self.pages.port

    # --- assembly -----------------------------------------------------------------------

    def create_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=512 * 1024)
        routes: tuple[Route, ...] = (
            ("GET", "/login", self.login),
            ("POST", "/logout", self.logout),
            ("POST", "/language", self.language),
            ("GET", "/ws", self.socket),
        )
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        for screen in self._screens:
            for method, path, handler in screen.routes():
                app.router.add_route(method, path, handler)
        app.router.add_static("/static/", HERE / "static", follow_symlinks=False)
        app.on_startup.append(self._start)
        app.on_shutdown.append(self._close_sockets)
        app.on_cleanup.append(self._stop)
        return app

    def serve_on(self, port: int, origin: WebOrigin | None = None) -> None:
        """Listening on ``port``; ``origin``: how browsers reach it (127.0.0.1 by default,
        a clinic server's names over TLS otherwise)."""
        self.pages.port = port
        self.pages.origin = origin or WebOrigin(port)

    def mint_login(self) -> LoginLink:
        """A one-time login link (the local API's `POST /v1/web/login`)."""
        if self.port is None:
            raise NotFound("not_found", "the web client is not served")
        if self._login is not None:  # a clinic server: no link opens a session
            return self.pages.origin.url("/login"), self.pages.ctx.clock()
        token, expires_at = self.sessions.mint_token()
        return self.pages.origin.url(f"/login?token={token}"), expires_at

    # --- a clinic server's people, for the local API (node.edges.api.users.WebDoor) ------

    def setup_link(self, code: str) -> str | None:
        """Where a new person chooses their password (screens/login.py)."""
        if self._login is None or self.port is None:
            return None
        return self.pages.origin.url("/setup?" + urlencode({"code": code}))

    def sessions_of(self, account_id: str) -> list[SessionInfo]:
        return [
            SessionInfo(s.handle, account_id, s.address, s.created_at, s.seen_at, s.locked)
            for s in self.sessions.of_account(account_id)
        ]

    def end_session(self, handle: str) -> str | None:
        session = self.sessions.by_handle(handle)
        if session is None or session.account_id is None:
            return None
        self.sessions.end(session.session_id)
        return session.account_id

    def _ended(self, account_id: str) -> None:
        """A person was disabled or reset: their sessions end and their live channels close,
        now (node.core.accounts.Accounts.on_ended)."""
        self.sessions.end_account(account_id)

    def _close_sockets_of(self, ended: set[str]) -> None:
        for ws, session in list(self._socket_sessions.items()):
            if session.session_id in ended:
                task = asyncio.get_running_loop().create_task(
                    ws.close(code=4401, message=b"session ended")
                )
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)

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
        pages = self.pages
        served = pages.origin
        host = request.headers.get("Host", "")
        static = request.path.startswith("/static/")
        if not served.accepts_host(host):
            pages.refusals.refused("web request", "foreign host", request.remote or "?")
            response: web.StreamResponse = pages.error_page(request, 421, "misdirected")
            security_headers(response, served, served.authorities[0], static=False)
            return response
        acting = set_acting_for_request()
        try:
            upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
            if (request.method not in SAFE_METHODS or upgrade) and not from_our_pages(
                request, served
            ):
                pages.refusals.refused("web request", "not from our pages", request.remote or "?")
                raise Refused(403, "forbidden")
            response = await handler(request)
        except Refused as refused:
            response = self._refused(request, refused)
        except web.HTTPNotFound:
            response = pages.error_page(request, 404, "notfound")
        except web.HTTPMethodNotAllowed:
            response = pages.error_page(request, 405, "notfound")
        except web.HTTPRequestEntityTooLarge:
            response = pages.error_page(request, 413, "forbidden")
        finally:
            reset_acting(acting)
        if not response.prepared:  # a WebSocket is already under way
            security_headers(response, served, host, static=static)
        return response

    def _refused(self, request: web.Request, refused: Refused) -> web.StreamResponse:
        """On a clinic server, a page asked for without a session goes to the login form,
        and one asked for by a locked session to the unlock form (the page's script shows
        its own, keeping what was being written)."""
        navigating = request.method == "GET" and not self.pages.live_only(request)
        if self._login is not None and navigating and request.path != "/ws":
            if refused.status == 401:
                return see_other("/login?" + urlencode({"next": request.path_qs}))
            if refused.status == 423:
                return see_other("/unlock?" + urlencode({"next": request.path_qs}))
        return self.pages.error_page(request, refused.status, refused.key)

    # --- login, language, logout ------------------------------------------------------------

    async def login(self, request: web.Request) -> web.StreamResponse:
        pages = self.pages
        if self._login is not None:  # a clinic server: name and password (screens/login.py)
            return self._login.form(request)
        token = request.query.get("token", "")
        cookie = pages.cookie_name()
        session = self.sessions.log_in(token, request.cookies.get(cookie))
        if session is None:
            pages.refusals.refused("web login", "unknown, used or expired link", "127.0.0.1")
            raise Refused(403, "expired")
        response = see_other("/")
        pages.origin.set_cookie(response, self.pages.session_cookie(), session.session_id)
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        if self._login is not None:  # a person may log out of a locked screen too
            session, person = self._login.any_session(request)
            await self.pages.form(request, session)
            self._login.accounts.note("logout", person)
        else:
            session = self.pages.session(request, touch=False)
            await self.pages.form(request, session)
        self.sessions.end(session.session_id)
        response = see_other("/")
        self.pages.origin.del_cookie(response, self.pages.session_cookie())
        return response

    async def language(self, request: web.Request) -> web.StreamResponse:
        session = self.pages.session(request, touch=True)
        form = await self.pages.form(request, session)
        target = form.get("next", "/")
        response = see_other(target if _LOCAL_PATH.match(target) else "/")
        self.pages.origin.set_cookie(
            response, LANGUAGE_COOKIE, language_of(form.get("lang")), max_age=365 * 24 * 3600
        )
        return response

    # --- live updates ---------------------------------------------------------------------

    async def socket(self, request: web.Request) -> web.StreamResponse:
        session = self.pages.session(request, touch=False)
        if len(self._sockets) >= (MAX_SOCKETS if self.pages.people is None else CLINIC_MAX_SOCKETS):
            raise Refused(503, "forbidden")
        lang = self.pages.lang(request)
        ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=1024)
        # A clinic server's person is told of their mailboxes' messages only.
        access = self.pages.core.mailboxes.access_of(session.account_id)
        # Subscribed before the page learns its socket is open: a message that comes after
        # that is announced.
        subscriber = await self.hub.subscribe(access)
        try:
            await ws.prepare(request)
        except BaseException:
            self.hub.unsubscribe(subscriber)
            raise
        self._sockets.add(ws)
        self._socket_sessions[ws] = session
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
            self._socket_sessions.pop(ws, None)
        return ws

    async def _push(
        self, ws: web.WebSocketResponse, subscriber: Subscriber, session: Session, lang: str
    ) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.send_json({"unread": await self.pages.unread_count(), "notices": []})
            while True:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(SOCKET_CHECK_SECONDS):
                        await subscriber.wake.wait()
                if not self.sessions.alive(session):
                    await ws.close(code=4401, message=b"session ended")
                    return
                if session.locked:  # a clinic server's idle lock: nothing more is told
                    await ws.close(code=4423, message=b"locked")
                    return
                pushes = subscriber.take()
                if pushes:
                    await ws.send_json(_push_json(pushes, lang))


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
