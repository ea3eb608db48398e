"""The readiness check (docs/protocol.md §9.5; the same check as `releve check`): a button that
starts it, and the table of who answered, by which path each way and how fast, and whom to call.

    GET  /check    the last check (running or done); its live part refreshes when it ends
    POST /check    starts a check (one at a time: a second one shows the one running)

The check runs in the background: the POST returns at once to the page, which says it is
running; without JavaScript the page has a refresh link, with it the live channel brings the
table when the check ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import web

from node.core.errors import Conflict
from node.core.readiness import DEFAULT_TIMEOUT_SECONDS, CheckReport
from node.edges.web.pages import Pages, Route, see_other

log = logging.getLogger(__name__)


class Readiness:
    def __init__(self, pages: Pages) -> None:
        self._pages = pages
        self._core = pages.core
        self._task: asyncio.Task[None] | None = None

    def routes(self) -> tuple[Route, ...]:
        return (("GET", "/check", self.page), ("POST", "/check", self.start))

    @property
    def running(self) -> bool:
        return self._core.readiness.running or (self._task is not None and not self._task.done())

    async def page(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        live = pages.live_only(request)
        session = pages.session(request, touch=not live)
        values: dict[str, Any] = {
            "report": report_view(self._core.readiness.last),
            "running": self.running,
            "seconds": round(DEFAULT_TIMEOUT_SECONDS),
            "busy": request.query.get("busy") == "1",
            **await pages.common(session),
        }
        return pages.render(request, "check_live.html" if live else "check.html", **values)

    async def start(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        session = pages.session(request, touch=True)
        await pages.form(request, session)
        if self.running:
            return see_other("/check?busy=1")
        self._task = asyncio.create_task(self._run(), name="web readiness check")
        pages.hub.poke()  # other tabs on this screen show it running
        return see_other("/check")

    async def _run(self) -> None:
        try:
            await self._core.readiness.check(DEFAULT_TIMEOUT_SECONDS)
        except Conflict:
            pass  # started from the command line meanwhile: its report shows
        except Exception:
            log.exception("readiness check failed")
        finally:
            with contextlib.suppress(Exception):
                self._pages.hub.poke()


def report_view(report: CheckReport | None) -> dict[str, Any] | None:
    """What the table shows of a report (peer-controlled names and URLs are escaped by the
    templates, like any value)."""
    if report is None:
        return None
    document = report.as_json()
    return {
        "started_at": report.started_at,
        "running": report.running,
        "answered": document["answered"],
        "total": len(document["contacts"]),
        "contacts": document["contacts"],
    }
