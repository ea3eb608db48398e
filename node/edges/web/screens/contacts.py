"""Contacts and trust: every contact with its role, whether it is verified and still paired,
when it was last reached; one contact's safety number to compare aloud and "mark as verified"
(``releve verify``); a held key change explained, accepted (verified) or refused (unpaired);
ending a pairing (``releve unpair``) and revoking this node's identity (``releve revoke``),
each after a confirmation page. The same core services as the local API (node.core.trust).

    GET  /contacts                      the contacts
    GET  /contacts/{contact_id}         one contact (?paired= after a pairing: the result)
    POST /contacts/{contact_id}/verify  the safety numbers matched
    GET  /contacts/{contact_id}/unpair  confirm ending the pairing
    POST /contacts/{contact_id}/unpair  end it (the contact is told)
    GET  /identity/revoke               confirm revoking this node's identity (?done=1: done)
    POST /identity/revoke               revoke it (every contact is told)
"""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from node.core.contacts import Contact
from node.core.errors import RequestError
from node.core.ports import MessageQuery
from node.edges.api.json import contact_json
from node.edges.web.pages import Pages, Route, see_other
from node.protocol import format_node_id

# How many of our latest messages are looked at for the last one the contact received.
RECENT_SENT: Final = 20
# What a pairing's result page may say (the ?paired= of /contacts/{id}).
PAIRED_HOW: Final = frozenset({"invited", "accepted", "phone", "phone_unconfirmed"})
DELIVERED: Final = frozenset({"delivered", "read"})


class Contacts:
    def __init__(self, pages: Pages) -> None:
        self._pages = pages
        self._core = pages.core
        # The last revocation made here, per session: how many contacts were told.
        self._revoked: dict[str, int] = {}

    def routes(self) -> tuple[Route, ...]:
        return (
            ("GET", "/contacts", self.contacts),
            ("GET", "/contacts/{contact_id}", self.contact),
            ("POST", "/contacts/{contact_id}/verify", self.verify),
            ("GET", "/contacts/{contact_id}/unpair", self.unpair_page),
            ("POST", "/contacts/{contact_id}/unpair", self.unpair),
            ("GET", "/identity/revoke", self.revoke_page),
            ("POST", "/identity/revoke", self.revoke),
        )

    # --- what a contact shows -------------------------------------------------------------

    async def _document(
        self, contact: Contact, depth: dict[bytes, int] | None = None
    ) -> dict[str, Any]:
        """The local API's contact document, and when the contact was last reached: its last
        message to us, our last message it received, and what still waits for it."""
        ctx, reading = self._pages.ctx, self._core.reading
        document = contact_json(contact, ctx.identity.public, ctx.contacts)
        cid = contact.contact_id
        heard = await reading.shown(MessageQuery(contact_id=cid, direction="in", limit=1))
        sent = await reading.shown(MessageQuery(contact_id=cid, direction="out", limit=RECENT_SENT))
        delivered = [row.delivered_at for row in sent if row.delivered_at is not None]
        if depth is None:
            depth = await reading.outbox_depth()
        document.update(
            {
                "heard_at": heard[0].received_at if heard else None,
                "delivered_at": max(delivered, default=None),
                "pending": depth.get(cid, 0),
                "failed": sum(row.status == "failed" for row in sent),
            }
        )
        return document

    async def contacts(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        live = pages.live_only(request)
        session = pages.session(request, touch=not live)
        everyone = sorted(
            pages.ctx.contacts.values(), key=lambda c: (not c.active, c.name.casefold())
        )
        depth = await self._core.reading.outbox_depth()  # once for the whole list
        items = [await self._document(contact, depth) for contact in everyone]
        values = await pages.common(session)
        own = pages.ctx.identity.public.node_id
        template = "contacts_live.html" if live else "contacts.html"
        return pages.render(request, template, items=items, node_id=format_node_id(own), **values)

    async def contact(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        live = pages.live_only(request)
        session = pages.session(request, touch=not live)
        contact = pages.contact(request)
        paired = request.query.get("paired")
        template = "contact_live.html" if live else "contact.html"
        return pages.render(
            request,
            template,
            contact=await self._document(contact),
            paired=paired if paired in PAIRED_HOW else None,
            verified_now=request.query.get("verified") == "1",
            error=None,
            **await pages.common(session),
        )

    async def _contact_error(
        self, request: web.Request, contact: Contact, status: int, error: str
    ) -> web.Response:
        pages = self._pages
        session = pages.session(request, touch=True)
        return pages.render(
            request,
            "contact.html",
            status,
            contact=await self._document(contact),
            paired=None,
            verified_now=False,
            error=error,
            **await pages.common(session),
        )

    # --- trust --------------------------------------------------------------------------

    async def verify(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        await pages.form(request, session)
        contact = pages.contact(request)
        try:
            await self._core.trust.verify(contact.contact_id.hex())
        except RequestError as exc:
            return await self._contact_error(request, contact, 409, _known(exc.code))
        pages.hub.poke()
        return see_other(f"/contacts/{contact.contact_id.hex()}?verified=1")

    async def unpair_page(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        contact = pages.contact(request)
        if not contact.active:
            return see_other(f"/contacts/{contact.contact_id.hex()}")
        return pages.render(
            request,
            "contact_unpair.html",
            contact=await self._document(contact),
            **await pages.common(session),
        )

    async def unpair(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        await pages.form(request, session)
        contact = pages.contact(request)
        try:
            await self._core.trust.unpair(contact.contact_id.hex())
        except RequestError as exc:
            return await self._contact_error(request, contact, 409, _known(exc.code))
        pages.hub.poke()
        return see_other(f"/contacts/{contact.contact_id.hex()}")

    async def revoke_page(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        told = self._revoked.get(session.session_id)
        done = None
        if request.query.get("done") == "1" and told is not None:
            node_id = format_node_id(pages.ctx.identity.public.node_id)
            done = {"count": told, "node_id": node_id}
        return pages.render(
            request,
            "contacts_revoke.html",
            told=sum(c.active for c in pages.ctx.contacts.values()),
            error=None,
            done=done,
            **await pages.common(session),
        )

    async def revoke(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        form = await pages.form(request, session)
        active = sum(c.active for c in pages.ctx.contacts.values())
        if form.get("confirm") != "yes":
            # As the local API's {"confirm": true}: nothing is revoked without it.
            return pages.render(
                request,
                "contacts_revoke.html",
                400,
                told=active,
                error="confirm_required",
                done=None,
                **await pages.common(session),
            )
        try:
            _identity, told = await self._core.trust.revoke()
        except RequestError as exc:
            return pages.render(
                request,
                "contacts_revoke.html",
                503,
                told=active,
                error=_known(exc.code),
                done=None,
                **await pages.common(session),
            )
        pages.hub.poke()
        # A redirect, so that reloading the answer never revokes the new identity too.
        self._revoked = {session.session_id: told}
        return see_other("/identity/revoke?done=1")


def _known(code: str) -> str:
    return code if code in ("contact_inactive", "store_unavailable") else "other"
