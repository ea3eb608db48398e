"""Sending a file (a PDF or an image, up to 64 MiB) to a contact: the local API's
``POST /v1/files`` from a form, with a progress bar while the browser uploads it
(static/upload.js; without the script the same form posts plainly).

    GET  /c/{contact_id}/file    the form: the file, a caption, the priority
    POST /c/{contact_id}/file    multipart: the CSRF token first, then the fields, the file last

The file is read part by part and never beyond its limit; its type is detected from its content
by the node (node.protocol.attachment), never taken from the browser's name or type. Once
queued, the thread shows the transfer to the contact (parts confirmed out of all, live).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp
from aiohttp import BodyPartReader, web

from node.core.contacts import Contact
from node.core.errors import RequestError
from node.edges.web.pages import HEX_ID, PART_HEADER, Pages, Route, see_other
from node.edges.web.sessions import Session
from node.protocol.attachment import MAX_ATTACHMENT_BYTES, MAX_CAPTION_CHARS
from node.protocol.conversation import Meta, Priority

CHUNK: Final = 64 * 1024
MAX_CSRF_BYTES: Final = 256
MAX_FIELD_BYTES: Final = 4 * MAX_CAPTION_CHARS + 64  # a caption in UTF-8, with room
MULTIPART_ENVELOPE: Final = 32 * 1024  # boundaries, part headers, the token and the fields
FIELDS: Final = ("priority", "caption", "reply_to", "to_mailbox", "from_mailbox")
# Refusals a person can act on, by the node's reason code (texts: "upload.error.<code>").
KNOWN: Final = frozenset(
    {
        "file_missing",
        "too_large",
        "invalid_media_type",
        "invalid_name",
        "too_long",
        "invalid_text",
        "contact_inactive",
        "store_unavailable",
        "upload_broken",
        "forbidden",
        "mailbox_not_found",
    }
)


class UploadRefused(Exception):
    def __init__(self, code: str, status: int = 400) -> None:
        super().__init__(code)
        self.code = code if code in KNOWN else "other"
        self.status = status


@dataclass
class Upload:
    file_name: str = ""
    data: bytes = b""
    values: dict[str, str] = field(default_factory=dict)


class Files:
    def __init__(self, pages: Pages) -> None:
        self._pages = pages
        self._core = pages.core

    def routes(self) -> tuple[Route, ...]:
        return (
            ("GET", "/c/{contact_id}/file", self.form),
            ("POST", "/c/{contact_id}/file", self.send),
        )

    async def form(self, request: web.Request) -> web.StreamResponse:
        session = self._pages.session(request, touch=True)
        contact = self._pages.contact(request)
        return await self._page(request, session, contact)

    async def _page(
        self,
        request: web.Request,
        session: Session,
        contact: Contact,
        status: int = 200,
        error: str | None = None,
        values: dict[str, str] | None = None,
    ) -> web.Response:
        pages = self._pages
        shown: dict[str, Any] = {
            "contact": {
                "contact_id": contact.contact_id.hex(),
                "name": contact.name,
                "active": contact.active,
            },
            **pages.mailbox_choices(session, contact),
            "error": error,
            "values": values or {},
            "max_mib": MAX_ATTACHMENT_BYTES // (1024 * 1024),
            "max_caption": MAX_CAPTION_CHARS,
            **await pages.common(session),
        }
        return pages.render(request, "compose_file.html", status, **shown)

    async def send(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        contact = pages.contact(request)
        upload = Upload()
        try:
            upload = await self._read(request, session)
            values = upload.values
            reply = values.get("reply_to", "")
            book = self._core.mailboxes
            theirs = book.recipient_mailbox(contact, values.get("to_mailbox") or None)
            chosen = values.get("from_mailbox") or None  # else: the answered one's, or theirs
            ours = None if chosen is None else book.sending_mailbox(session.account_id, chosen)
            meta = Meta(
                Priority.URGENT if values.get("priority") == "urgent" else Priority.NORMAL,
                bytes.fromhex(reply) if HEX_ID.match(reply) else None,
                theirs,
            )
            caption = values.get("caption", "").replace("\r\n", "\n").strip() or None
            row = await self._core.sending.send_file(
                contact.contact_id.hex(),
                upload.file_name,
                upload.data,
                meta,
                caption,
                None if ours is None else ours.mailbox_id,
            )
        except UploadRefused as refused:
            return await self._page(
                request, session, contact, refused.status, refused.code, upload.values
            )
        except RequestError as exc:
            code = str(exc.details.get("reason", "other")) if exc.details else exc.code
            if exc.code in ("contact_inactive", "store_unavailable", "forbidden"):
                code = exc.code
            if exc.code in ("mailbox_not_found", "no_mailboxes"):
                code = "mailbox_not_found"
            status = {"store_unavailable": 503, "forbidden": 403}.get(exc.code, 400)
            shown = UploadRefused(code, 413 if code == "too_large" else status)
            return await self._page(
                request, session, contact, shown.status, shown.code, upload.values
            )
        pages.hub.poke()
        target = f"/c/{contact.contact_id.hex()}#m-{row.message_id.hex()}"
        if request.headers.get(PART_HEADER) == "upload":
            # The page's script goes there itself: a redirect it followed would render the
            # conversation once for nothing (and mark its messages read unseen).
            return web.json_response({"location": target})
        return see_other(target)

    async def _read(self, request: web.Request, session: Session) -> Upload:
        """The form, part by part: the CSRF token first (checked before anything else is
        read), the short fields, then the file, each within its own bound."""
        if not request.content_type.startswith("multipart/form-data"):
            self._pages.check_csrf(request, session, "")  # not from our form: 403
            raise UploadRefused("file_missing")
        length = request.content_length
        if length is not None and length > MAX_ATTACHMENT_BYTES + MULTIPART_ENVELOPE:
            raise UploadRefused("too_large", 413)
        upload = Upload()
        try:
            reader = await request.multipart()
            part = await reader.next()
            supplied = ""
            if isinstance(part, BodyPartReader) and part.name == "csrf":
                supplied = (await _read_part(part, MAX_CSRF_BYTES)).decode("utf-8", "replace")
            self._pages.check_csrf(request, session, supplied)
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    raise UploadRefused("upload_broken")
                if part.name == "file":
                    upload.file_name = part.filename or ""
                    upload.data = await _read_part(part, MAX_ATTACHMENT_BYTES)
                elif part.name in FIELDS:
                    value = await _read_part(part, MAX_FIELD_BYTES)
                    upload.values[part.name] = value.decode("utf-8", "replace")
                else:
                    await _read_part(part, MAX_FIELD_BYTES)  # a field we do not know: dropped
        except (ValueError, RuntimeError, aiohttp.ClientError, asyncio.IncompleteReadError):
            raise UploadRefused("upload_broken") from None
        if not upload.data:
            raise UploadRefused("file_missing")
        return upload


async def _read_part(part: BodyPartReader, limit: int) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        data += chunk
        if len(data) > limit:
            raise UploadRefused("too_large", 413)
    return bytes(data)
