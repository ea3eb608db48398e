"""The local API's users (docs/local-api.md, "Users"): a clinic server's people, managed by its
operator (`releve user ...`, with the bearer token), through node.core.accounts. No password
ever passes here: a new or reset user gets a one-time setup code, and the web client's link
carrying it, to choose their own.

    GET    /v1/users                      everyone, with their open web sessions
    POST   /v1/users                      {"name", "role", "rpps"?}: 201, the user and setup
    GET    /v1/users/{user}               one (by id or name)
    GET    /v1/users/{user}/actions       what they did, newest first (the audit log's entries)
    POST   /v1/users/{user}/disable       logged out at once (sessions and live channels)
    POST   /v1/users/{user}/enable
    POST   /v1/users/{user}/reset         the password forgotten: a new setup code
    DELETE /v1/web/sessions/{handle}      one web session ends
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from node.core.accounts import Account, Accounts, SetupCode
from node.core.errors import Invalid, NotFound
from node.edges.api.json import iso

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_ACTIONS = 10_000
Body = Callable[[web.Request], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class SessionInfo:
    """A web session as the operator sees it (never its cookie)."""

    handle: str
    account_id: str
    address: str
    created_at: float
    seen_at: float
    locked: bool


class WebDoor(Protocol):
    """What the web client (node.edges.web.app.WebClient) tells about its people's sessions."""

    def setup_link(self, code: str) -> str | None: ...
    def sessions_of(self, account_id: str) -> list[SessionInfo]: ...
    def end_session(self, handle: str) -> str | None:
        """Ends a person's session; the account it was of, or None (no such session)."""
        ...


class UserRoutes:
    def __init__(self, accounts: Accounts, web_door: WebDoor | None, clinic: bool) -> None:
        self.accounts = accounts
        self.web = web_door
        self.clinic = clinic
        self._body: Body | None = None  # the local API's body reader (server.py)

    def reads_bodies_with(self, body: Body) -> None:
        self._body = body

    def routes(self) -> tuple[tuple[str, str, Handler], ...]:
        return (
            ("GET", "/v1/users", self.everyone),
            ("POST", "/v1/users", self.add),
            ("GET", "/v1/users/{user}", self.one),
            ("GET", "/v1/users/{user}/actions", self.actions),
            ("POST", "/v1/users/{user}/disable", self.disable),
            ("POST", "/v1/users/{user}/enable", self.enable),
            ("POST", "/v1/users/{user}/reset", self.reset),
            ("DELETE", "/v1/web/sessions/{handle}", self.end_session),
        )

    # --- documents ------------------------------------------------------------------------

    def user_json(self, account: Account) -> dict[str, Any]:
        sessions = [] if self.web is None else self.web.sessions_of(account.account_id)
        return {
            "account_id": account.account_id,
            "name": account.name,
            "role": account.role,
            "rpps": account.rpps,
            "disabled": account.disabled,
            "password_set": self.accounts.has_password(account.account_id),
            "setup_pending": self.accounts.setup_pending(account.account_id),
            "created_at": iso(account.created_at),
            "sessions": [
                {
                    "handle": s.handle,
                    "address": s.address,
                    "created_at": iso(s.created_at),
                    "seen_at": iso(s.seen_at),
                    "locked": s.locked,
                }
                for s in sessions
            ],
        }

    def setup_json(self, setup: SetupCode) -> dict[str, Any]:
        return {
            "code": setup.code,
            "url": None if self.web is None else self.web.setup_link(setup.code),
            "expires_at": iso(setup.expires_at),
        }

    # --- endpoints --------------------------------------------------------------------------

    async def everyone(self, request: web.Request) -> web.Response:
        users = [self.user_json(account) for account in self.accounts.everyone()]
        return web.json_response({"clinic_server": self.clinic, "users": users})

    async def add(self, request: web.Request) -> web.Response:
        assert self._body is not None
        body = await self._body(request)
        rpps = body.get("rpps")
        setup = await self.accounts.add(body.get("name"), body.get("role"), rpps)
        document = {"user": self.user_json(setup.account), "setup": self.setup_json(setup)}
        return web.json_response({**document, "clinic_server": self.clinic}, status=201)

    def _user(self, request: web.Request) -> Account:
        return self.accounts.resolve(request.match_info["user"])

    async def one(self, request: web.Request) -> web.Response:
        return web.json_response({"user": self.user_json(self._user(request))})

    async def actions(self, request: web.Request) -> web.Response:
        account = self._user(request)
        limit = request.query.get("limit", "200")
        if not limit.isdigit() or not 1 <= int(limit) <= MAX_ACTIONS:
            raise Invalid("bad_request", f"limit must be between 1 and {MAX_ACTIONS}")
        found = await self.accounts.actions(account, int(limit))
        return web.json_response(
            {
                "user": self.user_json(account),
                "actions": [
                    {
                        "position": action.position,
                        "at": iso(action.at),
                        "event": action.event,
                        "contact": None if action.contact_id is None else action.contact_id.hex(),
                        "message": None if action.message_id is None else action.message_id.hex(),
                        "subject": action.subject,
                    }
                    for action in found
                ],
            }
        )

    async def disable(self, request: web.Request) -> web.Response:
        account = await self.accounts.disable(self._user(request).account_id)
        return web.json_response({"user": self.user_json(account)})

    async def enable(self, request: web.Request) -> web.Response:
        account = await self.accounts.enable(self._user(request).account_id)
        return web.json_response({"user": self.user_json(account)})

    async def reset(self, request: web.Request) -> web.Response:
        setup = await self.accounts.reset(self._user(request).account_id)
        return web.json_response(
            {"user": self.user_json(setup.account), "setup": self.setup_json(setup)}
        )

    async def end_session(self, request: web.Request) -> web.Response:
        handle = request.match_info["handle"]
        if len(handle) > 64:
            raise Invalid("bad_request", "not a session handle")
        account_id = None if self.web is None else self.web.end_session(handle)
        account = None if account_id is None else self.accounts.get(account_id)
        if account is None:
            raise NotFound("session_not_found", "no open web session with that handle")
        # The operator ended it (actor "local"), about that person.
        self.accounts.note("session_ended", account, by="local")
        return web.json_response({"ended": True, "user": self.user_json(account)})
