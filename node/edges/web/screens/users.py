"""The people of a clinic server, for its admins (docs/operations.md, "Serveur de cabinet /
Clinic server"): the same changes as the operator's `releve user ...` (the local API), made
through node.core.accounts; every one is audited under the admin's account.

    GET  /users                            everyone, their state and open sessions
    POST /users                            name, role, rpps: a new person and their setup code
    POST /users/{account_id}/disable       logged out at once, everywhere
    POST /users/{account_id}/enable
    POST /users/{account_id}/reset         password forgotten: a new setup code
    POST /users/sessions/end               handle: one session ends
"""

from __future__ import annotations

from aiohttp import web

from node.core.accounts import Account, Accounts, SetupCode
from node.core.errors import RequestError
from node.edges.web.pages import Pages, Refused, Route, see_other
from node.edges.web.screens.account import session_rows
from node.edges.web.sessions import Session
from node.edges.web.texts import text


class UsersScreen:
    def __init__(self, pages: Pages, accounts: Accounts) -> None:
        self.pages = pages
        self.accounts = accounts

    def routes(self) -> tuple[Route, ...]:
        return (
            ("GET", "/users", self.page),
            ("POST", "/users", self.add),
            ("POST", "/users/sessions/end", self.end_session),
            ("POST", "/users/{account_id}/{action:disable|enable|reset}", self.change),
        )

    def _admin(self, request: web.Request, touch: bool = True) -> tuple[Session, Account]:
        session = self.pages.session(request, touch=touch)
        person = self.pages.person(request, session)
        if not person.is_admin:
            self.pages.refusals.refused("web users", "not an admin", request.remote or "?")
            raise Refused(403, "forbidden")
        return session, person

    async def page(self, request: web.Request) -> web.StreamResponse:
        session, _ = self._admin(request)
        return await self._render(request, session, 200)

    async def _render(
        self,
        request: web.Request,
        session: Session,
        status: int,
        *,
        error: str = "",
        setup: SetupCode | None = None,
        form: dict[str, str] | None = None,
    ) -> web.Response:
        pages = self.pages
        people = [
            {
                "account": account,
                "password": self.accounts.has_password(account.account_id),
                "sessions": session_rows(pages.sessions.of_account(account.account_id), session),
            }
            for account in self.accounts.everyone()
        ]
        link = None if setup is None else pages.origin.url(f"/setup?code={setup.code}")
        return pages.render(
            request,
            "users.html",
            status,
            people=people,
            error=error,
            setup=setup,
            link=link,
            form=form or {},
            **await pages.common(session),
        )

    async def add(self, request: web.Request) -> web.StreamResponse:
        session, _ = self._admin(request)
        form = await self.pages.form(request, session)
        try:
            setup = await self.accounts.add(
                form.get("name", ""), form.get("role", ""), form.get("rpps", "") or None
            )
        except RequestError as refused:
            message = text(self.pages.lang(request), f"users.error.{refused.code}")
            return await self._render(request, session, 400, error=message, form=form)
        return await self._render(request, session, 201, setup=setup)

    async def change(self, request: web.Request) -> web.StreamResponse:
        session, person = self._admin(request)
        await self.pages.form(request, session)
        account = self.accounts.get(request.match_info["account_id"])
        if account is None:
            raise Refused(404, "notfound")
        action = request.match_info["action"]
        if action == "disable":
            if account.account_id == person.account_id:
                message = text(self.pages.lang(request), "users.error.self")
                return await self._render(request, session, 409, error=message)
            await self.accounts.disable(account.account_id)
        elif action == "enable":
            await self.accounts.enable(account.account_id)
        else:
            setup = await self.accounts.reset(account.account_id)
            if account.account_id == person.account_id:
                return see_other("/login")  # their own sessions ended with the reset
            return await self._render(request, session, 200, setup=setup)
        return see_other("/users")

    async def end_session(self, request: web.Request) -> web.StreamResponse:
        session, person = self._admin(request)
        form = await self.pages.form(request, session)
        target = self.pages.sessions.by_handle(form.get("handle", ""))
        owner = None if target is None or target.account_id is None else target.account_id
        account = None if owner is None else self.accounts.get(owner)
        if target is None or account is None:
            raise Refused(404, "notfound")
        self.pages.sessions.end(target.session_id)
        self.accounts.note("session_ended", account, by=person.actor)
        return see_other("/users")
