"""Conversations: the list (one per contact, urgent ones first, under the clinical documents
the node refused lately: refused.py), one conversation (which marks
what it shows read), sending a text, acknowledging an urgent message, saving a received file.

    GET  /                     conversations
    GET  /c/{contact_id}       one conversation, ?before= pages, ?reply= a message to answer
    POST /c/{contact_id}/send  a text, normal or urgent, possibly a reply
    POST /m/{message_id}/ack   acknowledge a received urgent message
    GET  /m/{message_id}/file  a received file, always as a download
"""

from __future__ import annotations

import contextlib
import math
from datetime import UTC, datetime
from typing import Any, Final

from aiohttp import web

from node.core.contacts import Contact
from node.core.errors import NotFound, RequestError
from node.core.ports import MessageQuery
from node.core.sending import invalid_field
from node.edges.web.pages import HEX_ID, Pages, Refused, Route, cursor, cursor_text, see_other
from node.edges.web.refused import refused_documents
from node.edges.web.sessions import Session
from node.protocol.conversation import Meta, Priority, content_from_json
from node.protocol.errors import ClinicalError

PAGE_SIZE: Final = 50
MAX_UNREAD_SHOWN: Final = 100  # "99+" beyond
_EXTENSIONS: Final = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
}


class Conversations:
    def __init__(self, pages: Pages) -> None:
        self._pages = pages
        self._core = pages.core

    def routes(self) -> tuple[Route, ...]:
        return (
            ("GET", "/", self.conversations),
            ("GET", "/c/{contact_id}", self.conversation),
            ("POST", "/c/{contact_id}/send", self.send),
            ("POST", "/m/{message_id}/ack", self.acknowledge),
            ("GET", "/m/{message_id}/file", self.file),
        )

    async def conversations(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        live = pages.live_only(request)
        session = pages.session(request, touch=not live)
        reading = self._core.reading
        values = await pages.common(session)
        urgent_from = {item["contact_id"] for item in values["banners"]["incoming"]}
        items: list[dict[str, Any]] = []
        for contact in list(pages.ctx.contacts.values()):
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
                    "last": await pages.record(last[0]) if last else None,
                    "last_at": last[0].listed_at if last else -math.inf,
                }
            )
        items.sort(key=lambda item: (not item["urgent"], -item["last_at"], item["name"].casefold()))
        template = "conversations_live.html" if live else "conversations.html"
        refused = await refused_documents(self._core, pages.lang(request))
        return pages.render(
            request, template, items=items, more=MAX_UNREAD_SHOWN, refused=refused, **values
        )

    async def conversation(self, request: web.Request) -> web.StreamResponse:
        live = self._pages.live_only(request)
        session = self._pages.session(request, touch=not live)
        contact = self._pages.contact(request)
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
        pages, reading = self._pages, self._core.reading
        before = cursor(request.query.get("before"))
        query = MessageQuery(contact_id=contact.contact_id, before=before, limit=PAGE_SIZE)
        rows = await reading.shown(query)
        oldest = min(rows, key=lambda row: (row.listed_at, row.message_id), default=None)
        older = cursor_text(oldest) if oldest is not None and len(rows) == PAGE_SIZE else None
        # Opening the conversation is reading it: the read receipts go back (once).
        shown = []
        for row in rows:
            if row.direction == "in" and row.status == "received":
                row = await reading.mark_read(row.message_id)
                pages.hub.poke()
            shown.append(row)
        # On a clinic server a colleague read some already: this person's read is theirs.
        await reading.read_by_person(rows)
        records = [await pages.record(row) for row in shown]
        by_id = {record["message_id"]: record for record in records}
        replies: dict[str, dict[str, Any] | None] = {}
        for record in records:
            answered = record["reply_to"]
            if answered is not None and answered not in by_id:
                with contextlib.suppress(NotFound):
                    replies[answered] = await pages.record(
                        await reading.message(bytes.fromhex(answered))
                    )
        replies.update(by_id)
        values: dict[str, Any] = {
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
            "reply_to": await self._reply_target(request, contact),
            **pages.mailbox_choices(session, contact),
            "may_prescribe": pages.may_prescribe(session),
            "error": error,
            "draft": draft,
            "urgent": urgent,
            **await pages.common(session),
        }
        template = "conversation_live.html" if live else "conversation.html"
        return pages.render(request, template, status, **values)

    async def _reply_target(self, request: web.Request, contact: Contact) -> dict[str, Any] | None:
        wanted = request.query.get("reply")
        if not wanted or not HEX_ID.match(wanted):
            return None
        try:
            row = await self._core.reading.message(bytes.fromhex(wanted))
        except NotFound:
            return None
        if row.contact_id != contact.contact_id:
            return None
        return await self._pages.record(row)

    async def send(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        contact = pages.contact(request)
        form = await pages.form(request, session)
        body = form.get("text", "").replace("\r\n", "\n")
        urgent = form.get("priority") == "urgent"
        reply = form.get("reply_to", "")
        reply_id = bytes.fromhex(reply) if HEX_ID.match(reply) else None

        async def again(status: int, error: str) -> web.Response:
            page = await self._conversation_page(
                request, session, contact, status=status, error=error, draft=body, urgent=urgent
            )
            return page

        if not body.strip():
            return await again(400, "text_required")
        today = datetime.fromtimestamp(pages.ctx.clock(), UTC).date()
        try:
            book = self._core.mailboxes
            theirs = book.recipient_mailbox(contact, form.get("to_mailbox") or None)
            chosen = form.get("from_mailbox") or None  # else: the answered one's, or theirs
            ours = None if chosen is None else book.sending_mailbox(session.account_id, chosen)
            meta = Meta(Priority.URGENT if urgent else Priority.NORMAL, reply_id, theirs)
            try:
                content = content_from_json("text", {"text": body}, today)
            except ClinicalError as exc:
                raise invalid_field(exc) from None
            mailbox = None if ours is None else ours.mailbox_id
            await self._core.sending.send_to(contact, meta, content, mailbox=mailbox)
        except RequestError as exc:
            known = ("text_too_long", "contact_inactive", "invalid_field", "store_unavailable")
            return await again(
                400 if exc.code != "store_unavailable" else 503,
                exc.code if exc.code in known else "other",
            )
        pages.hub.poke()
        return see_other(f"/c/{contact.contact_id.hex()}")

    async def acknowledge(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        await pages.form(request, session)
        row = await pages.message_row(request)
        try:
            await self._core.reading.acknowledge(row.message_id)
        except RequestError:
            raise Refused(409, "forbidden") from None
        pages.hub.poke()
        return see_other(f"/c/{row.contact_id.hex()}")

    async def file(self, request: web.Request) -> web.StreamResponse:
        self._pages.session(request, touch=True)
        row = await self._pages.message_row(request)
        try:
            manifest, data = await self._core.attachments.file_of(row)
        except RequestError:
            raise Refused(404, "notfound") from None
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
