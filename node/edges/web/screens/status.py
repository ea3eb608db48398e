"""The status screen ("État"): this node (identity, version, running since), its relays
(reachable or not), what waits in the outbox (for whom, since when: never what), the urgent
messages waiting for an acknowledgement with the number to call when they are overdue, the
clinical documents the node refused lately (refused.py: from whom, what, why, whom to call), and
the audit log's verification (the same check as `releve audit verify`). Its live part refreshes
with the live channel, like every screen's.

    GET  /status          the screen (the audit log is verified on the first visit)
    POST /status/audit    verifies the audit log again
    GET  /reminders       the escalation reminder (static/releve.js): urgent messages received
                          and not acknowledged, as content-free sentences ("Message urgent de
                          X non acquitté depuis N min"), and how often to remind

The node's relays are the daemon's subscriptions (``status_extras``, what the local API's
status adds too); "running since" is when the web client was built, with the node.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Final

from aiohttp import web

from node.core.escalation import Waiting
from node.edges.web.pages import Pages, Route, see_other
from node.edges.web.refused import refused_documents
from node.edges.web.texts import text
from node.protocol.identity import format_node_id

# How often a tab reminds of an urgent message nobody has acknowledged (static/releve.js).
REMIND_EVERY_SECONDS: Final = 300
MAX_REMINDERS: Final = 20

StatusExtras = Callable[[], dict[str, Any]]


def _version() -> str:
    try:
        return version("releve")
    except PackageNotFoundError:
        return "?"


class Status:
    def __init__(self, pages: Pages, status_extras: StatusExtras = dict) -> None:
        self._pages = pages
        self._core = pages.core
        self._extras = status_extras
        self._started_at = pages.ctx.clock()
        self._version = _version()
        self._audit: dict[str, Any] | None = None  # the last verification, and when

    def routes(self) -> tuple[Route, ...]:
        return (
            ("GET", "/status", self.page),
            ("POST", "/status/audit", self.verify_audit),
            ("GET", "/reminders", self.reminders),
        )

    async def page(self, request: web.Request) -> web.StreamResponse:
        pages = self._pages
        live = pages.live_only(request)
        session = pages.session(request, touch=not live)
        if self._audit is None:
            await self._verify()
        values = {
            "node": self._node(),
            "relays": self._relays(),
            "outbox": await self._outbox(),
            "failed": await self._core.reading.failed_count(),
            "urgent": await self._urgent(),
            "escalate_after": f"{pages.ctx.config.escalate_after_minutes:g}",
            "audit": self._audit,
            "refused": await refused_documents(self._core, pages.lang(request)),
            **await pages.common(session),
        }
        return pages.render(request, "status_live.html" if live else "status.html", **values)

    async def verify_audit(self, request: web.Request) -> web.StreamResponse:
        session = self._pages.session(request, touch=True)
        await self._pages.form(request, session)
        await self._verify()
        return see_other("/status#audit")

    async def _verify(self) -> None:
        ctx = self._pages.ctx
        result = (await ctx.repo.verify_audit()).as_json()
        self._audit = {**result, "at": ctx.clock()}

    # --- what the screen shows ------------------------------------------------------------

    def _node(self) -> dict[str, Any]:
        ctx = self._pages.ctx
        profile = ctx.profile
        up = max(0.0, ctx.clock() - self._started_at)
        return {
            "name": profile.name,
            "node_id": format_node_id(ctx.identity.public.node_id),
            "role": profile.role.name.lower(),
            "version": self._version,
            "started_at": self._started_at,
            "up_days": int(up // 86400),
            "up_hours": int(up % 86400 // 3600),
            "up_minutes": int(up % 3600 // 60),
            "peer_endpoints": [endpoint.url for endpoint in ctx.reachability.direct],
        }

    def _relays(self) -> list[dict[str, Any]]:
        relays = self._extras().get("relays", [])
        return [
            {
                "url": str(relay.get("url", "?")),
                "connected": relay.get("connected") is True,
                "last_contact": relay.get("last_contact"),
            }
            for relay in relays
            if isinstance(relay, dict)
        ]

    async def _outbox(self) -> list[dict[str, Any]]:
        contacts = self._pages.ctx.contacts
        rows = sorted(await self._pages.ctx.repo.outbox_waiting(), key=lambda row: row[2])
        return [
            {
                "contact_id": contact_id.hex(),
                "name": contacts.name_of(contact_id) or "?",
                "count": count,
                "handed": handed,
                "since": oldest,
            }
            for contact_id, count, oldest, handed in rows
        ]

    async def _urgent(self) -> dict[str, Any]:
        """Urgent messages nobody acknowledged yet, as the local API's status has them
        (node.core.escalation): ours since we sent them, theirs since they arrived; overdue
        past ``escalate_after_minutes``; the backup contact, if any, and whether it was told."""
        escalation = self._core.escalation
        backup = escalation.backup()
        return {
            "ours": [self._waiting(w) for w in await escalation.outgoing()],
            "theirs": [self._waiting(w) for w in await escalation.incoming()],
            "backup": None if backup is None else backup.name,
            "backup_after": f"{self._pages.ctx.config.backup_after_minutes:g}",
        }

    def _waiting(self, waiting: Waiting) -> dict[str, Any]:
        row = waiting.row
        contact = self._pages.ctx.contacts.get(row.contact_id)
        return {
            "message_id": row.message_id.hex(),
            "contact_id": row.contact_id.hex(),
            "name": "?" if contact is None else contact.name,
            "phone": None if contact is None else contact.row.card.profile.phone,
            "since": waiting.since,
            "minutes": waiting.waited_minutes,
            "overdue": waiting.overdue,
            "backup_told": waiting.backup_told,
        }

    # --- the escalation reminder --------------------------------------------------------------

    async def reminders(self, request: web.Request) -> web.StreamResponse:
        """Content-free (invariant 8): who sent it and for how long, never what it says."""
        pages = self._pages
        pages.session(request, touch=False)
        lang = pages.lang(request)
        waiting = (await self._core.escalation.incoming())[:MAX_REMINDERS]
        reminders = []
        for item in map(self._waiting, waiting):
            reminders.append(
                {
                    "id": item["message_id"],
                    "text": text(lang, "remind.urgent", name=item["name"], minutes=item["minutes"]),
                }
            )
        return web.json_response({"every": REMIND_EVERY_SECONDS, "reminders": reminders})
