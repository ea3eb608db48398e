"""A clinic server's doors (docs/user-guide.md, "Se connecter"): the login form, the setup
page where a new person chooses their password with the one-time code the operator gave
them, and the unlocking of an idle-locked screen.

    GET  /login              the form (a clinic server; the single-user node uses links)
    POST /login              name and password: a new session (a new id: no fixation)
    GET  /setup?code=C       choose a password (the code is also typed on the form)
    POST /setup
    GET  /unlock             the page an idle-locked session sees (without JavaScript)
    POST /unlock             the password again; JSON for the page's script (lock.js)
    POST /activity           the person is typing: the session stays unlocked

Nothing here logs what was typed; node.core.accounts logs and audits each checked failure.
The slowing down after failures is said to the person with how long to wait.
"""

from __future__ import annotations

import math
import re
from typing import Final
from urllib.parse import urlencode

from aiohttp import web

from node.core.accounts import (
    MAX_NAME_CHARS,
    MAX_PASSWORD_CHARS,
    Account,
    Accounts,
    LoginRefused,
)
from node.core.errors import Invalid
from node.edges.web.pages import LANGUAGE_COOKIE, Pages, Refused, Route, see_other
from node.edges.web.sessions import Session
from node.edges.web.texts import language_of, text

# Where a login or an unlock may send the person back to: one of our own paths.
LOCAL_PATH: Final = re.compile(r"^/(?![/\\])[A-Za-z0-9/_?=&.-]{0,300}$")
MAX_CODE_CHARS: Final = 64


def local_target(value: str | None) -> str:
    return value if value and LOCAL_PATH.match(value) else "/"


def address_of(request: web.Request) -> str:
    return request.remote or "?"


def wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


class Login:
    """The doors of a clinic server; every other screen sees a person's session."""

    def __init__(self, pages: Pages, accounts: Accounts) -> None:
        self.pages = pages
        self.accounts = accounts

    def routes(self) -> tuple[Route, ...]:
        return (
            ("POST", "/login", self.log_in),
            ("GET", "/setup", self.setup_form),
            ("POST", "/setup", self.setup),
            ("GET", "/unlock", self.unlock_form),
            ("POST", "/unlock", self.unlock),
            ("POST", "/activity", self.activity),
        )

    # --- logging in ---------------------------------------------------------------------

    def switched(self, request: web.Request) -> web.Response | None:
        """``?lang=en`` (or fr) on a door: the language is remembered and the page asked for
        again without it (before logging in there is no session for POST /language)."""
        lang = request.query.get("lang")
        if lang is None:
            return None
        query = {k: v for k, v in request.query.items() if k != "lang"}
        response = see_other(request.path + ("?" + urlencode(query) if query else ""))
        self.pages.origin.set_cookie(
            response, LANGUAGE_COOKIE, language_of(lang), max_age=365 * 24 * 3600
        )
        return response

    def form(
        self, request: web.Request, status: int = 200, *, name: str = "", error: str = ""
    ) -> web.Response:
        switched = self.switched(request)
        if switched is not None:
            return switched
        return self.pages.render(
            request,
            "login.html",
            status,
            session=None,
            name=name,
            error=error,
            next=local_target(request.query.get("next")),
            done=request.query.get("done") == "1",
            max_name=MAX_NAME_CHARS,
            max_password=MAX_PASSWORD_CHARS,
        )

    async def log_in(self, request: web.Request) -> web.StreamResponse:
        pages = self.pages
        data = await request.post()
        name = _field(data.get("name"), MAX_NAME_CHARS * 4)
        password = _field(data.get("password"), MAX_PASSWORD_CHARS * 4)
        target = local_target(_field(data.get("next"), 400))
        try:
            account = await self.accounts.log_in(name, password, address_of(request))
        except LoginRefused as refused:
            lang = pages.lang(request)
            if refused.code == "too_many_attempts":
                wait = math.ceil(refused.retry_after)
                message = text(lang, "login.slowed", seconds=wait)
                response = self._again(request, 429, name, message, target)
                response.headers["Retry-After"] = str(wait)
                return response
            return self._again(request, 401, name, text(lang, "login.failed"), target)
        previous = request.cookies.get(pages.cookie_name())
        session = pages.sessions.open(account.account_id, previous, address_of(request))
        response = see_other(target)
        pages.origin.set_cookie(response, pages.session_cookie(), session.session_id)
        return response

    def _again(
        self, request: web.Request, status: int, name: str, error: str, target: str
    ) -> web.Response:
        return self.pages.render(
            request,
            "login.html",
            status,
            session=None,
            name=name[:MAX_NAME_CHARS],
            error=error,
            next=target,
            max_name=MAX_NAME_CHARS,
            max_password=MAX_PASSWORD_CHARS,
        )

    # --- choosing a password --------------------------------------------------------------

    async def setup_form(self, request: web.Request) -> web.StreamResponse:
        switched = self.switched(request)
        if switched is not None:
            return switched
        code = _field(request.query.get("code"), MAX_CODE_CHARS)
        return self._setup_page(request, 200, code, "")

    def _setup_page(self, request: web.Request, status: int, code: str, error: str) -> web.Response:
        name = ""
        if code:
            try:
                name = self.accounts.account_for_code(code).name
            except LoginRefused:
                name = ""
        return self.pages.render(
            request,
            "setup.html",
            status,
            session=None,
            code=code,
            name=name,
            error=error,
            max_password=MAX_PASSWORD_CHARS,
        )

    async def setup(self, request: web.Request) -> web.StreamResponse:
        pages = self.pages
        lang = pages.lang(request)
        data = await request.post()
        code = _field(data.get("code"), MAX_CODE_CHARS).strip()
        password = _field(data.get("password"), MAX_PASSWORD_CHARS * 4)
        again = _field(data.get("again"), MAX_PASSWORD_CHARS * 4)
        if password != again:
            return self._setup_page(request, 400, code, text(lang, "setup.mismatch"))
        try:
            await self.accounts.set_password(code, password)
        except Invalid as invalid:
            return self._setup_page(request, 400, code, text(lang, f"setup.{invalid.code}"))
        except LoginRefused as refused:
            return self._setup_page(request, 403, "", text(lang, f"setup.{refused.code}"))
        return see_other("/login?done=1")

    # --- the idle lock ------------------------------------------------------------------

    def any_session(self, request: web.Request) -> tuple[Session, Account]:
        """The person's session, locked or not (the unlock and activity doors)."""
        pages = self.pages
        session = pages.sessions.get(request.cookies.get(pages.cookie_name()), touch=False)
        if session is None or session.account_id is None:
            raise Refused(401, "auth")
        return session, pages.person(request, session)

    async def unlock_form(self, request: web.Request) -> web.StreamResponse:
        session, account = self.any_session(request)
        if not session.locked:
            return see_other(local_target(request.query.get("next")))
        return self.unlock_page(request, session, account, 200, "")

    def unlock_page(
        self, request: web.Request, session: Session, account: Account, status: int, error: str
    ) -> web.Response:
        return self.pages.render(
            request,
            "unlock.html",
            status,
            session=None,
            locked=session,
            person=account,
            error=error,
            next=local_target(request.query.get("next") or request.path_qs),
            max_password=MAX_PASSWORD_CHARS,
        )

    async def unlock(self, request: web.Request) -> web.StreamResponse:
        pages = self.pages
        lang = pages.lang(request)
        session, account = self.any_session(request)
        data = await request.post()
        pages.check_csrf(request, session, _field(data.get("csrf"), 200))
        password = _field(data.get("password"), MAX_PASSWORD_CHARS * 4)
        target = local_target(_field(data.get("next"), 400))
        error, status = "", 200
        try:
            if await self.accounts.check(account, password, address_of(request)):
                pages.sessions.unlock(session)
            else:
                error, status = text(lang, "login.failed_password"), 401
        except LoginRefused as refused:
            wait = math.ceil(refused.retry_after)
            error, status = text(lang, "login.slowed", seconds=wait), 429
        if pages.sessions.get(session.session_id, touch=False) is None:
            raise Refused(401, "auth")  # ended meanwhile (disabled, revoked)
        if wants_json(request):
            return web.json_response(
                {"ok": not error, "error": error, "csrf": session.csrf}, status=status
            )
        if error:
            return self.unlock_page(request, session, account, status, error)
        return see_other(target)

    async def activity(self, request: web.Request) -> web.StreamResponse:
        """The person is typing in a form: their session stays unlocked (no page is asked
        for while they write)."""
        pages = self.pages
        session = pages.session(request, touch=True)
        data = await request.post()
        pages.check_csrf(request, session, _field(data.get("csrf"), 200))
        return web.json_response({"ok": True, "lock_after": session.lock_after})


def _field(value: object, limit: int) -> str:
    """A form field as text, cut at ``limit`` characters (a bounded input)."""
    return value[:limit] if isinstance(value, str) else ""
