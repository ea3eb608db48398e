"""Back to the record from the browser: the A4 page `releve print` writes (one message or a
whole conversation, with a signed prescription's verification codes, docs/protocol.md §19.7),
the FHIR R4 NDJSON export (`releve export`) and the audit log's export, both as downloads.

    GET  /m/{message_id}/print    one message's A4 page (recorded "printed" in the audit log)
    GET  /c/{contact_id}/print    the conversation's A4 pages (each message recorded)
    GET  /records                 the export form (patient, since) and the audit log's link
    POST /records/export          the FHIR NDJSON file (recorded "exported", as the API does)
    GET  /records/audit           the audit log as NDJSON (what `releve audit verify --file`
                                  checks offline); on a clinic server, for administrators

The printed page is the command line's (clients/cli/record_page.py): the same A4 style sheet
(static/record.css, checked against it by a test), the same parts in the same order, the same
verification codes; its words come from the web client's texts. The node does not import the
command line, so the page is a template of its own. Downloads carry
``Content-Disposition: attachment`` with a name of ours, and every answer ``nosniff`` and
``no-store`` (guard.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final

from aiohttp import web

from node.core.export import select_for_export
from node.core.ports import MessageQuery
from node.edges.fhir import export_bundles
from node.edges.web import qr
from node.edges.web.pages import TIME_ZONE, Pages, Refused, Route
from node.edges.web.sessions import Session
from node.edges.web.texts import text

CONVERSATION_LIMIT: Final = 10_000  # as `releve print --conversation` (the API's maximum)
MAX_PATIENT_CHARS: Final = 200


class Records:
    def __init__(self, pages: Pages) -> None:
        self._pages = pages
        self._core = pages.core

    def routes(self) -> tuple[Route, ...]:
        return (
            ("GET", "/m/{message_id}/print", self.print_message),
            ("GET", "/c/{contact_id}/print", self.print_conversation),
            ("GET", "/records", self.records),
            ("POST", "/records/export", self.export),
            ("GET", "/records/audit", self.audit),
        )

    # --- printing -----------------------------------------------------------------------

    async def print_message(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        pages.session(request, touch=True)
        row = await pages.message_row(request)
        back = f"/c/{row.contact_id.hex()}#m-{row.message_id.hex()}"
        return await self._print(request, [row], back)

    async def print_conversation(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        pages.session(request, touch=True)
        contact = pages.contact(request)
        query = MessageQuery(contact_id=contact.contact_id, limit=CONVERSATION_LIMIT)
        rows = await self._core.reading.shown(query)
        if not rows:
            raise Refused(404, "notfound")
        return await self._print(request, rows, f"/c/{contact.contact_id.hex()}")

    async def _print(self, request: web.Request, rows: list[Any], back: str) -> web.Response:
        pages = self._pages
        lang = pages.lang(request)
        messages = [await pages.record(row) for row in rows]
        label = text(lang, "record.code_label")
        codes = {
            m["message_id"]: [qr.code_svg(code, label, "print-code") for code in m["print_codes"]]
            for m in messages
            if m.get("print_codes")
        }
        await self._core.reading.record("printed", rows)
        now = datetime.fromtimestamp(pages.ctx.clock(), UTC)
        return pages.render(
            request,
            "record_print.html",
            messages=messages,
            codes=codes,
            printed_at=stamp(now.timestamp(), lang),
            printed_by=pages.ctx.profile.name,
            stamp=lambda value: stamp(value, lang),
            back=back,
            session=None,  # a page for paper: no navigation, no live channel
            replies={},
        )

    # --- exports ------------------------------------------------------------------------

    async def records(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        return await self._records_page(request, session)

    async def _records_page(
        self,
        request: web.Request,
        session: Session,
        status: int = 200,
        error: str | None = None,
        values: dict[str, str] | None = None,
        nothing: bool = False,
    ) -> web.Response:
        pages = self._pages
        return pages.render(
            request,
            "records.html",
            status,
            audit_allowed=self._may_export_audit(request, session),
            error=error,
            values=values or {},
            nothing=nothing,
            **await pages.common(session),
        )

    async def export(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        form = await pages.form(request, session)
        patient = form.get("patient", "").strip() or None
        since_text = form.get("since", "").strip()
        values = {"patient": patient or "", "since": since_text}
        if patient is not None and len(patient) > MAX_PATIENT_CHARS:
            return await self._records_page(request, session, 400, "patient_too_long", values)
        since = None
        if since_text:
            try:
                since = datetime.fromisoformat(since_text).replace(tzinfo=TIME_ZONE)
            except ValueError:
                return await self._records_page(request, session, 400, "since_invalid", values)
        # On a clinic server, the person's mailboxes only (node.core.mailboxes).
        readable = self._core.reading.readable
        rows = await select_for_export(pages.ctx.repo, patient, since, readable)
        messages = [await pages.record(row) for row in rows]
        now = datetime.fromtimestamp(pages.ctx.clock(), UTC)
        bundles = export_bundles(messages, now)
        if not bundles:
            return await self._records_page(request, session, 200, None, values, nothing=True)
        await self._core.reading.record("exported", rows)
        # NDJSON as `releve export` writes it: one FHIR Bundle per line, compact, UTF-8.
        data = "".join(
            json.dumps(bundle, ensure_ascii=False, separators=(",", ":")) + "\n"
            for bundle in bundles
        )
        local = now.astimezone(TIME_ZONE)
        return _download(data.encode("utf-8"), f"releve-export-{local:%Y%m%d-%H%M}.ndjson")

    def _may_export_audit(self, request: web.Request, session: Session) -> bool:
        """The whole audit log names every contact and every person: on a clinic server, its
        administrators only (the operator has `releve audit`); a single-user node's user."""
        pages = self._pages
        return pages.people is None or pages.person(request, session).is_admin

    async def audit(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        if not self._may_export_audit(request, session):
            raise Refused(403, "forbidden")
        lines = [line + "\n" async for line in pages.ctx.repo.audit_lines()]
        local = datetime.fromtimestamp(pages.ctx.clock(), UTC).astimezone(TIME_ZONE)
        return _download("".join(lines).encode("utf-8"), f"releve-audit-{local:%Y%m%d-%H%M}.ndjson")


def _download(data: bytes, name: str) -> web.Response:
    return web.Response(
        body=data,
        content_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def stamp(value: str | float | None, lang: str) -> str:
    """A time for the paper record, as `releve print` writes it: local date and time, seconds,
    and the offset from UTC."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    else:
        moment = datetime.fromtimestamp(value, UTC)
    local = moment.astimezone(TIME_ZONE)
    pattern = "%d/%m/%Y %H:%M:%S" if lang == "fr" else "%Y-%m-%d %H:%M:%S"
    offset = local.strftime("%z")
    return f"{local.strftime(pattern)} (UTC{offset[:3]}:{offset[3:5]})"
