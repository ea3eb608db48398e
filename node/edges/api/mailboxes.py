"""The local API's mailboxes (docs/local-api.md, "Mailboxes"): a clinic server's personal and
shared mailboxes, managed by the operator or an admin; what a person may read is decided by
node.core.mailboxes, for the API and the web client alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from node.core.accounts import acting_account
from node.core.contacts import Contact
from node.core.errors import Invalid
from node.core.mailboxes import MailboxBook
from node.core.records import Mailbox
from node.protocol.mailbox import Mailboxes

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Body = Callable[[web.Request], Awaitable[dict[str, Any]]]


def mailbox_json(book: MailboxBook, mailbox: Mailbox) -> dict[str, Any]:
    members = []
    for account_id in mailbox.members:
        person = book.people.get(account_id)
        members.append(
            {
                "account_id": account_id,
                "name": None if person is None else person.name,
                "role": None if person is None else person.role,
            }
        )
    prescriber = book.prescriber_of(mailbox)
    return {
        "mailbox_id": mailbox.mailbox_id.hex(),
        "name": mailbox.name,
        "kind": mailbox.kind,
        "public": mailbox.public,
        "default": mailbox.default,
        "members": members,
        "prescriber": None if prescriber is None else prescriber.name,
    }


def contact_mailboxes_json(contact: Contact) -> list[dict[str, Any]] | None:
    """The mailboxes a contact told us (None: it told none: older than mailboxes, or not
    yet), for the contact document."""
    listed: Mailboxes | None = contact.row.mailboxes
    if listed is None:
        return None
    return [
        {
            "mailbox_id": m.mailbox_id.hex(),
            "name": m.name,
            "prescriber": None
            if m.prescriber is None
            else {"rpps": m.prescriber.rpps, "name": m.prescriber.name},
        }
        for m in listed.mailboxes
    ]


def _names(value: object, field: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 200:
        raise Invalid("bad_request", f"{field} is a list of user names or ids")
    return value


class MailboxRoutes:
    """GET/POST /v1/mailboxes, DELETE /v1/mailboxes/{mailbox}, POST .../members and
    .../default. ``body``: the API's JSON body reader (bounded, checked)."""

    def __init__(self, book: MailboxBook, body: Body) -> None:
        self.book = book
        self._body = body

    def routes(self) -> tuple[tuple[str, str, Handler], ...]:
        return (
            ("GET", "/v1/mailboxes", self.list),
            ("POST", "/v1/mailboxes", self.add),
            ("DELETE", "/v1/mailboxes/{mailbox}", self.remove),
            ("POST", "/v1/mailboxes/{mailbox}/members", self.members),
            ("POST", "/v1/mailboxes/{mailbox}/default", self.default),
        )

    async def list(self, request: web.Request) -> web.Response:
        """Every mailbox for the operator and an admin; a person's own otherwise."""
        book, person = self.book, acting_account()
        access = book.access_of(person)
        manager = person is None or _is_admin(book, person)
        shown = [m for m in book.all() if manager or access.may_read(m.mailbox_id)]
        return web.json_response({"mailboxes": [mailbox_json(book, m) for m in shown]})

    async def add(self, request: web.Request) -> web.Response:
        self.book.require_manager(acting_account())
        body = await self._body(request)
        mailbox = await self.book.add(
            body.get("name"),
            body.get("kind", "shared"),
            _names(body.get("members"), "members"),
            body.get("public", True),
            body.get("default", False),
        )
        return web.json_response(mailbox_json(self.book, mailbox), status=201)

    async def remove(self, request: web.Request) -> web.Response:
        self.book.require_manager(acting_account())
        mailbox = await self.book.remove(request.match_info["mailbox"])
        return web.json_response({"removed": mailbox_json(self.book, mailbox)})

    async def members(self, request: web.Request) -> web.Response:
        self.book.require_manager(acting_account())
        body = await self._body(request)
        mailbox = await self.book.change_members(
            request.match_info["mailbox"],
            add=_names(body.get("add"), "add"),
            remove=_names(body.get("remove"), "remove"),
        )
        return web.json_response(mailbox_json(self.book, mailbox))

    async def default(self, request: web.Request) -> web.Response:
        self.book.require_manager(acting_account())
        mailbox = await self.book.set_default(request.match_info["mailbox"])
        return web.json_response(mailbox_json(self.book, mailbox))


def _is_admin(book: MailboxBook, account_id: str) -> bool:
    person = book.people.get(account_id)
    return person is not None and person.role == "admin"
