"""A person's own page on a clinic server (docs/user-guide.md, "Se connecter"): who they are,
their open sessions (each can be ended: a forgotten workstation), and what they did, from the
audit log (docs/audit.md: their own entries, newest first).

    GET  /account
    POST /account/sessions/end     handle: one of their sessions ends (theirs only)
    POST /account/password         current, password, again: their own password changed;
                                   their other sessions end
"""

from __future__ import annotations

import math
from typing import Any, Final

from aiohttp import web

from node.core.accounts import (
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    Accounts,
    Action,
    LoginRefused,
)
from node.core.errors import Invalid
from node.edges.web.pages import Pages, Refused, Route, see_other
from node.edges.web.screens.login import address_of
from node.edges.web.sessions import Session
from node.edges.web.texts import text

ACTIONS_SHOWN: Final = 200


def session_rows(sessions: list[Session], current: Session | None) -> list[dict[str, Any]]:
    return [
        {
            "handle": s.handle,
            "address": s.address,
            "created_at": s.created_at,
            "seen_at": s.seen_at,
            "locked": s.locked,
            "current": current is not None and s.session_id == current.session_id,
        }
        for s in sessions
    ]


class AccountScreen:
    def __init__(self, pages: Pages, accounts: Accounts) -> None:
        self.pages = pages
        self.accounts = accounts

    def routes(self) -> tuple[Route, ...]:
        return (
            ("GET", "/account", self.page),
            ("POST", "/account/sessions/end", self.end_session),
            ("POST", "/account/password", self.change_password),
        )

    async def page(self, request: web.Request) -> web.StreamResponse:
        return await self._render(request, 200)

    async def _render(
        self, request: web.Request, status: int, *, error: str = "", changed: bool = False
    ) -> web.Response:
        pages = self.pages
        session = pages.session(request, touch=True)
        person = pages.person(request, session)
        actions = await self.accounts.actions(person, ACTIONS_SHOWN)
        return pages.render(
            request,
            "account.html",
            status,
            password_error=error,
            password_changed=changed or request.query.get("changed") == "1",
            min_password=MIN_PASSWORD_CHARS,
            max_password=MAX_PASSWORD_CHARS,
            sessions=session_rows(pages.sessions.of_account(person.account_id), session),
            actions=[self._action(action) for action in actions],
            **await pages.common(session),
        )

    def _action(self, action: Action) -> dict[str, Any]:
        contacts = self.pages.ctx.contacts
        subject = None if action.subject is None else self.accounts.get(action.subject)
        return {
            "at": action.at,
            "event": action.event,
            "contact": None
            if action.contact_id is None
            else contacts.name_of(action.contact_id) or action.contact_id.hex()[:8],
            "message_id": None if action.message_id is None else action.message_id.hex(),
            "subject": None if subject is None else subject.name,
        }

    async def change_password(self, request: web.Request) -> web.StreamResponse:
        pages = self.pages
        session = pages.session(request, touch=True)
        person = pages.person(request, session)
        form = await pages.form(request, session)
        lang = pages.lang(request)
        new = form.get("password", "")[: MAX_PASSWORD_CHARS * 4]
        if new != form.get("again", "")[: MAX_PASSWORD_CHARS * 4]:
            return await self._render(request, 400, error=text(lang, "setup.mismatch"))
        try:
            changed = await self.accounts.change_password(
                person, form.get("current", "")[: MAX_PASSWORD_CHARS * 4], new, address_of(request)
            )
        except Invalid as invalid:
            return await self._render(request, 400, error=text(lang, f"setup.{invalid.code}"))
        except LoginRefused as refused:
            wait = math.ceil(refused.retry_after)
            return await self._render(request, 429, error=text(lang, "login.slowed", seconds=wait))
        if not changed:
            return await self._render(request, 401, error=text(lang, "login.failed_password"))
        for other in pages.sessions.of_account(person.account_id):
            if other.session_id != session.session_id:
                pages.sessions.end(other.session_id)
        return see_other("/account?changed=1#password-title")

    async def end_session(self, request: web.Request) -> web.StreamResponse:
        pages = self.pages
        session = pages.session(request, touch=True)
        person = pages.person(request, session)
        form = await pages.form(request, session)
        target = pages.sessions.by_handle(form.get("handle", ""))
        if target is None or target.account_id != person.account_id:
            raise Refused(404, "notfound")
        pages.sessions.end(target.session_id)
        self.accounts.note("session_ended", person)
        if target.session_id == session.session_id:
            response = see_other("/login")
            pages.origin.del_cookie(response, pages.session_cookie())
            return response
        return see_other("/account")
