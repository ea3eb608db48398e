"""Pairing (docs/pairing-guide.md): showing an invitation as a QR code and its text, its A4
page to print; accepting one pasted, from a photo of its QR code, or scanned with the webcam;
pairing by a phone code (call: the code to read out; join: the code heard). The same core
services as the local API (``POST /v1/invitations``, ``/v1/pairings``, ``/v1/pairings/call``,
``/v1/pairings/join``); what a pairing gives is shown on the contact's page (screens/contacts).

    GET  /pair                          invite, accept (text, photo, webcam)
    POST /pair/invite                   a new invitation, then its page
    GET  /pair/invite/{invite_id}       its QR code, text and expiry; who answered, live
    GET  /pair/invite/{invite_id}/print the A4 page to print
    POST /pair/accept                   an invitation's text
    POST /pair/accept/image             a photo or screenshot of its QR code (multipart)
    POST /pair/scan                     one webcam frame (multipart): JSON, found or not
    GET  /pair/phone                    call or join by phone
    POST /pair/call                     a code to read out, then its page
    GET  /pair/call/{call_id}           the code, and the call's progress, live
    POST /pair/call/{call_id}/cancel    the code no longer works
    POST /pair/join                     the code heard: the whole exchange, then the contact

Every input from the browser is bounded (text, file, frame) and refused with a sentence in the
person's language. The webcam's frames are decoded on the node, by the decoder of photos
(node/edges/web/qr.py says why).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import aiohttp
from aiohttp import BodyPartReader, web

from node.core.contacts import Contact
from node.core.errors import Conflict, RequestError
from node.core.ports import Outcome
from node.edges.api.server import FIRST_TRY
from node.edges.web import qr
from node.edges.web.pages import Pages, Refused, Route, see_other
from node.edges.web.sessions import Session
from node.edges.web.texts import text
from node.protocol import Invitation

if TYPE_CHECKING:
    from node.edges.phone_pairing import Call, PhonePairing

# Lifetimes offered for an invitation, in minutes (the CLI's --ttl: 1 to 43200).
TTL_CHOICES: Final = (15, 60, 1440, 10080, 43200)
DEFAULT_TTL: Final = 15
MAX_PASTED: Final = 8 * 1024  # characters: an invitation is at most 1024, wrapped or grouped
MAX_IMAGE_BYTES: Final = 10 * 1024 * 1024  # a phone's photo of the printed page
MAX_FRAME_BYTES: Final = 1024 * 1024  # a webcam frame: the script sends about 50 KiB
MAX_FIELD: Final = 300  # a code or a relay address, in characters
MAX_CSRF_BYTES: Final = 256
CHUNK: Final = 64 * 1024
MULTIPART_ENVELOPE: Final = 16 * 1024  # boundaries, part headers and the CSRF token
MAX_SHOWN_INVITATIONS: Final = 32
# What an accepted invitation may be refused for, each with its sentence (texts/contacts.py).
ACCEPT_ERRORS: Final = frozenset(
    {
        "invitation_invalid",
        "invitation_expired",
        "invitation_own",
        "already_paired",
        "invitation_used",
        "store_unavailable",
    }
)
IMAGE_ERRORS: Final = frozenset(
    {
        "image_missing",
        "image_too_large",
        "image_not_image",
        "image_no_qr",
        "image_not_invitation",
        "image_several",
        "upload_broken",
    }
)
PHONE_ERRORS: Final = frozenset(
    {
        "phone_unavailable",
        "no_relay",
        "relay_invalid",
        "code_invalid",
        "code_required",
        "wrong_code",
        "code_unknown",
        "call_not_found",
        "code_used",
        "peer_left",
        "cancelled",
        "code_expired",
        "too_many_calls",
        "pairing_failed",
        "relay_unreachable",
        "relay_busy",
        "pairing_timeout",
        "already_paired",
        "invitation_own",
        "invitation_expired",
        "invitation_invalid",
        "store_unavailable",
        "field_too_long",
    }
)


class Refusal(Exception):
    """A browser's input is refused; ``code`` is a key of the errors above."""

    def __init__(self, code: str, count: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.count = count


@dataclass
class ShownInvitation:
    """An invitation made from the web client, shown to the session that asked for it."""

    session_id: str
    invitation: Invitation
    text: str


class PairingScreen:
    def __init__(self, pages: Pages, phone: PhonePairing | None) -> None:
        self._pages = pages
        self._core = pages.core
        self._phone = phone
        self._invitations: dict[str, ShownInvitation] = {}
        self._calls: dict[str, str] = {}  # call id -> the session that made the call

    def routes(self) -> tuple[Route, ...]:
        return (
            ("GET", "/pair", self.pair_page),
            ("POST", "/pair/invite", self.invite),
            ("GET", "/pair/invite/{invite_id}", self.invitation_page),
            ("GET", "/pair/invite/{invite_id}/print", self.print_page),
            ("POST", "/pair/accept", self.accept_text),
            ("POST", "/pair/accept/image", self.accept_image),
            ("POST", "/pair/scan", self.scan),
            ("GET", "/pair/phone", self.phone_page),
            ("POST", "/pair/call", self.call),
            ("GET", "/pair/call/{call_id}", self.call_page),
            ("POST", "/pair/call/{call_id}/cancel", self.cancel_call),
            ("POST", "/pair/join", self.join),
        )

    # --- the pairing page -----------------------------------------------------------------

    async def pair_page(self, request: web.Request) -> web.StreamResponse:
        session = self._pages.session(request, touch=True)
        return await self._pair_page(request, session)

    async def _pair_page(
        self,
        request: web.Request,
        session: Session,
        status: int = 200,
        *,
        text_error: Refusal | None = None,
        image_error: Refusal | None = None,
        draft: str = "",
    ) -> web.Response:
        pages = self._pages
        return pages.render(
            request,
            "pairing.html",
            status,
            ttl_choices=TTL_CHOICES,
            default_ttl=DEFAULT_TTL,
            text_error=text_error,
            image_error=image_error,
            draft=draft,
            max_image=MAX_IMAGE_BYTES,
            max_frame=MAX_FRAME_BYTES,
            **await pages.common(session),
        )

    # --- inviting ------------------------------------------------------------------------

    async def invite(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        form = await pages.form(request, session)
        try:
            ttl = int(form.get("ttl", DEFAULT_TTL))
        except ValueError:
            ttl = 0
        if ttl not in TTL_CHOICES:
            raise Refused(400, "notfound")  # only our own form's choices are ever posted
        invitation = await self._core.pairing.invite(ttl * 60)
        self._forget_expired()
        invite_id = secrets.token_urlsafe(16)
        self._invitations[invite_id] = ShownInvitation(
            session.session_id, invitation, invitation.to_text()
        )
        return see_other(f"/pair/invite/{invite_id}")

    def _forget_expired(self) -> None:
        now = self._pages.ctx.clock()
        for key, shown in list(self._invitations.items()):
            if shown.invitation.expires_at <= now:
                del self._invitations[key]
        while len(self._invitations) >= MAX_SHOWN_INVITATIONS:
            del self._invitations[next(iter(self._invitations))]

    def _shown(self, request: web.Request, session: Session) -> ShownInvitation:
        shown = self._invitations.get(request.match_info["invite_id"])
        if shown is None or shown.session_id != session.session_id:
            raise Refused(404, "notfound")
        return shown

    async def _invitation_values(
        self, request: web.Request, shown: ShownInvitation
    ) -> dict[str, Any]:
        pages = self._pages
        lang = pages.lang(request)
        contact = await self._core.pairing.contact_of(shown.invitation)
        profile = pages.ctx.profile
        return {
            "invite_id": request.match_info["invite_id"],
            "invitation": shown.text,
            "groups": _groups(shown.text),
            "qr": qr.invitation_svg(shown.text, text(lang, "pair.qr_label")),
            "expires_at": shown.invitation.expires_at,
            "expired": shown.invitation.expires_at <= pages.ctx.clock(),
            # Made before this node revoked its identity: no longer answered (trust.revoke).
            "revoked": shown.invitation.inviter.node_id != pages.ctx.identity.public.node_id,
            "answered": None
            if contact is None
            else {"contact_id": contact.contact_id.hex(), "name": contact.name},
            "own_name": profile.name,
            "own_role": profile.role.name.lower(),
        }

    async def invitation_page(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        live = pages.live_only(request)
        session = pages.session(request, touch=not live)
        shown = self._shown(request, session)
        values = await self._invitation_values(request, shown)
        template = "pairing_invite_live.html" if live else "pairing_invite.html"
        return pages.render(request, template, **values, **await pages.common(session))

    async def print_page(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        shown = self._shown(request, session)
        values = await self._invitation_values(request, shown)
        return pages.render(request, "pairing_print.html", **values, **await pages.common(session))

    # --- accepting -------------------------------------------------------------------------

    async def _accept(self, invitation: str) -> Contact:
        """As the local API's ``POST /v1/pairings``: accepted, then one delivery attempt at
        once, so that an inviter who refuses (invitation already used) is heard now."""
        core = self._core
        contact, _answer = await core.pairing.accept(invitation)
        outcomes: list[Outcome] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FIRST_TRY):
                outcomes = await core.outbox.deliver_now(contact.contact_id)
        if Outcome.GONE in outcomes:
            await core.pairing.abandon(contact)
            raise Conflict(
                "invitation_used", "the inviter refused: invitation already used or revoked"
            )
        self._pages.hub.poke()
        return contact

    async def _accepted(self, invitation: str) -> web.Response:
        try:
            contact = await self._accept(invitation)
        except RequestError as exc:
            raise Refusal(exc.code if exc.code in ACCEPT_ERRORS else "other") from None
        return see_other(f"/contacts/{contact.contact_id.hex()}?paired=accepted")

    async def accept_text(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        form = await pages.form(request, session)
        pasted = form.get("invitation", "")
        draft = pasted[:MAX_PASTED]
        try:
            if len(pasted) > MAX_PASTED:
                raise Refusal("text_too_long")
            compact = qr.compact_text(pasted)
            if not compact:
                raise Refusal("invitation_empty")
            return await self._accepted(compact)
        except Refusal as refusal:
            return await self._pair_page(request, session, 400, text_error=refusal, draft=draft)

    async def accept_image(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        try:
            data = await self._upload(request, session, "image", MAX_IMAGE_BYTES)
            invitation = await self._decoded(data)
            return await self._accepted(invitation)
        except Refusal as refusal:
            status = 413 if refusal.code == "image_too_large" else 400
            return await self._pair_page(request, session, status, image_error=refusal)

    async def scan(self, request: web.Request) -> web.StreamResponse:
        """One frame of the webcam: ``found`` with the invitation (the page then posts it as a
        pasted text), ``none`` (keep scanning), or ``refused`` with what to do."""
        pages = self._pages
        session = pages.session(request, touch=True)
        lang = pages.lang(request)
        try:
            data = await self._upload(request, session, "frame", MAX_FRAME_BYTES)
            invitation = await self._decoded(data)
        except Refusal as refusal:
            if refusal.code == "image_no_qr":
                return web.json_response({"state": "none"})
            status = 413 if refusal.code == "image_too_large" else 400
            key = f"pair.error.{refusal.code}"
            message = text(lang, key, count=refusal.count)
            return web.json_response({"state": "refused", "message": message}, status=status)
        return web.json_response(
            {"state": "found", "invitation": invitation, "message": text(lang, "pair.scan_found")}
        )

    async def _decoded(self, data: bytes) -> str:
        try:
            return await qr.invitation_in_image(data)
        except qr.ImageRefused as refused:
            raise Refusal(refused.code, refused.count) from None

    async def _upload(self, request: web.Request, session: Session, name: str, limit: int) -> bytes:
        """The file part ``name`` of a multipart form whose first part is the CSRF token,
        read part by part and never beyond ``limit`` bytes."""
        if not request.content_type.startswith("multipart/form-data"):
            # A form posted without its file (or by something else than our page).
            self._pages.check_csrf(request, session, "")
            raise Refusal("image_missing")
        if (
            request.content_length is not None
            and request.content_length > limit + MULTIPART_ENVELOPE
        ):
            raise Refusal("image_too_large")
        try:
            reader = await request.multipart()
            part = await reader.next()
            supplied = ""
            if isinstance(part, BodyPartReader) and part.name == "csrf":
                supplied = (await _read_part(part, MAX_CSRF_BYTES)).decode("utf-8", "replace")
            self._pages.check_csrf(request, session, supplied)
            part = await reader.next()
            if not isinstance(part, BodyPartReader) or part.name != name:
                raise Refusal("image_missing")
            data = await _read_part(part, limit)
        except (ValueError, RuntimeError, aiohttp.ClientError, asyncio.IncompleteReadError):
            raise Refusal("upload_broken") from None
        if not data:
            raise Refusal("image_missing")
        return data

    # --- by phone ------------------------------------------------------------------------

    async def phone_page(self, request: web.Request) -> web.StreamResponse:
        session = self._pages.session(request, touch=True)
        return await self._phone_page(request, session)

    async def _phone_page(
        self,
        request: web.Request,
        session: Session,
        status: int = 200,
        *,
        call_error: str | None = None,
        join_error: str | None = None,
        code: str = "",
        relay: str = "",
    ) -> web.Response:
        pages = self._pages
        relays = pages.ctx.config.relays
        return pages.render(
            request,
            "pairing_phone.html",
            status,
            available=self._phone is not None,
            default_relay=relays[0] if relays else None,
            call_error=call_error,
            join_error=join_error,
            code=code,
            relay=relay,
            **await pages.common(session),
        )

    def _phone_or_refuse(self) -> PhonePairing:
        if self._phone is None:
            raise Refusal("phone_unavailable")
        return self._phone

    async def call(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        form = await pages.form(request, session)
        relay = form.get("relay", "").strip()
        try:
            if len(relay) > MAX_FIELD:
                raise Refusal("field_too_long")
            phone = self._phone_or_refuse()
            try:
                call = await phone.call(relay or None)
            except RequestError as exc:
                raise Refusal(exc.code if exc.code in PHONE_ERRORS else "other") from None
        except Refusal as refusal:
            return await self._phone_page(
                request, session, 400, call_error=refusal.code, relay=relay[:MAX_FIELD]
            )
        for call_id in [c for c in self._calls if c not in phone.calls]:
            del self._calls[call_id]  # forgotten by the node
        self._calls[call.call_id] = session.session_id
        return see_other(f"/pair/call/{call.call_id}")

    def _call(self, request: web.Request, session: Session) -> Call:
        call_id = request.match_info["call_id"]
        if self._phone is None or self._calls.get(call_id) != session.session_id:
            raise Refused(404, "notfound")
        call = self._phone.calls.get(call_id)
        if call is None:
            raise Refused(404, "notfound")
        return call

    async def call_page(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        live = pages.live_only(request)
        session = pages.session(request, touch=not live)
        call = self._call(request, session)
        code = str(call.code)
        values: dict[str, Any] = {
            "call_id": call.call_id,
            "code": code,
            "code_words": code.replace("-", " - "),
            "spoken": _spoken(pages.lang(request), code),
            "relay": call.relay,
            "expires_at": call.expires_at,
            "state": call.state,
            "peer_joined": call.peer_joined,
            "reason": call.reason if call.reason in PHONE_ERRORS else "other",
            "contact": None
            if call.contact is None
            else {"contact_id": call.contact.contact_id.hex(), "name": call.contact.name},
        }
        template = "pairing_call_live.html" if live else "pairing_call.html"
        return pages.render(request, template, **values, **await pages.common(session))

    async def cancel_call(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        await pages.form(request, session)
        call = self._call(request, session)
        if self._phone is not None:
            with contextlib.suppress(RequestError):
                await self._phone.cancel(call.call_id)
        return see_other(f"/pair/call/{call.call_id}")

    async def join(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        form = await pages.form(request, session)
        code = form.get("code", "").strip()
        relay = form.get("relay", "").strip()
        try:
            if len(code) > MAX_FIELD or len(relay) > MAX_FIELD:
                raise Refusal("field_too_long")
            if not code:
                raise Refusal("code_required")
            phone = self._phone_or_refuse()
            try:
                contact, confirmed = await phone.join(code, relay or None)
            except RequestError as exc:
                raise Refusal(exc.code if exc.code in PHONE_ERRORS else "other") from None
        except Refusal as refusal:
            return await self._phone_page(
                request,
                session,
                400,
                join_error=refusal.code,
                code=code[:MAX_FIELD],
                relay=relay[:MAX_FIELD],
            )
        pages.hub.poke()
        how = "phone" if confirmed else "phone_unconfirmed"
        return see_other(f"/contacts/{contact.contact_id.hex()}?paired={how}")


async def _read_part(part: BodyPartReader, limit: int) -> bytes:
    data = bytearray()
    while True:
        chunk = await part.read_chunk(CHUNK)
        if not chunk:
            return bytes(data)
        data += chunk
        if len(data) > limit:
            raise Refusal("image_too_large")


def _groups(invitation: str, size: int = 5) -> list[str]:
    """The text in groups of five characters, to read or type group by group (accepting
    ignores spaces and line breaks)."""
    prefix = qr.compact_text(invitation)[: len("releve:")]
    body = invitation[len(prefix) :]
    return [prefix, *(body[start : start + size] for start in range(0, len(body), size))]


def _spoken(lang: str, code: str) -> str:
    """The code as read aloud: the number digit by digit, then the words."""
    digits = text(lang, "pair.digits").split()
    number, _, words = code.partition("-")
    parts = [digits[int(d)] if d.isdigit() else d for d in number]
    return ", ".join([*parts, *words.split("-")])
