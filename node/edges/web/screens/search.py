"""Search by patient name, contact and text (node.core.search: a bounded scan over the newest
messages, decrypted in memory; no index on disk). The search field is in every page's header.

    GET  /search    the search page (the header's field, the scope explained)
    POST /search    the results: the query travels in the body, never in a URL (history,
                    logs, a Referer), and the results page is never cached (no-store)
"""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from node.core.errors import Invalid
from node.core.search import MAX_QUERY, MAX_RESULTS, MIN_QUERY, SCAN_LIMIT, Hit, search
from node.edges.web.pages import Pages, Route

# A cursor just above a message: its conversation's page that starts with it (a result may be
# older than the conversation's first page).
_ABOVE: Final = b"\xff" * 16


class Search:
    def __init__(self, pages: Pages) -> None:
        self._pages = pages
        self._core = pages.core

    def routes(self) -> tuple[Route, ...]:
        return (("GET", "/search", self.page), ("POST", "/search", self.results))

    async def page(self, request: web.Request) -> web.StreamResponse:
        session = self._pages.session(request, touch=True)
        return await self._render(request, session_values=await self._pages.common(session))

    async def results(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        form = await pages.form(request, session)
        query = form.get("q", "")
        common = await pages.common(session)
        try:
            found = await search(pages.ctx, self._core.reading, query)
        except Invalid as invalid:
            return await self._render(
                request, common, status=400, query=query[: MAX_QUERY * 2], error=invalid.code
            )
        hits = [await self._hit(hit) for hit in found.hits]
        return await self._render(
            request, common, query=found.query, hits=hits, more=found.more, searched=True
        )

    async def _render(
        self,
        request: web.Request,
        session_values: dict[str, Any],
        *,
        status: int = 200,
        query: str = "",
        hits: list[dict[str, Any]] | None = None,
        more: bool = False,
        searched: bool = False,
        error: str | None = None,
    ) -> web.Response:
        return self._pages.render(
            request,
            "search.html",
            status,
            search_query=query,
            search_error=error,
            hits=hits or [],
            more=more,
            searched=searched,
            limits={"scan": SCAN_LIMIT, "results": MAX_RESULTS, "min": MIN_QUERY, "max": MAX_QUERY},
            **session_values,
        )

    async def _hit(self, hit: Hit) -> dict[str, Any]:
        record = await self._pages.record(hit.row)
        return {
            "message_id": record["message_id"],
            "contact_id": hit.row.contact_id.hex(),
            "page": f"{hit.row.listed_at.hex()}_{_ABOVE.hex()}",
            "name": hit.contact_name,
            "direction": record["direction"],
            "kind": record["kind"],
            "urgent": record["priority"] == "urgent",
            "at": record["received_at"] if record["direction"] == "in" else record["sent_at"],
            "matched": hit.matched,
            "patient": hit.patient,
            "excerpt": hit.excerpt,
        }
