"""Open tabs of the web client driven without a browser, for ``bench.clinic``: each
:class:`Tab` holds a session's live WebSocket and does what the page's script
(node/edges/web/static/releve.js) does with it: on every push that says something changed it
fetches the page's live part again (``X-Releve-Part: live``), one fetch at a time (a push
arriving meanwhile asks for one more). It records, per message id, when it was first *told*
(a push's notice names it) and first *shown* (its ``m-ID`` element is in a live part).

Connections: a clinic server on 127.0.0.1 admits at most 64 web connections in total (the
local API's budget, node.daemon), so the tabs' WebSockets are each their own connection and
their fetches share a small keep-alive pool (:func:`fetch_pool`), as a handful of browsers
would; cookies are sent by hand (one pool, many sessions).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from dataclasses import dataclass, field
from typing import Final

import aiohttp

_MESSAGE_ELEMENT: Final = re.compile(r'\bid="m-([0-9a-f]{16,64})"')
LIVE_HEADER: Final = {"X-Releve-Part": "live"}


def fetch_pool(connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=300),
    )


def socket_pool() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=60),
    )


@dataclass(eq=False)
class Tab:
    """One open page (``path``) of one session (``cookie``: ``name=value``)."""

    label: str
    origin: str  # http://127.0.0.1:PORT
    cookie: str
    path: str
    told: dict[str, float] = field(default_factory=dict)
    shown: dict[str, float] = field(default_factory=dict)
    fetches: int = 0
    problems: list[str] = field(default_factory=list)
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    fetched: asyncio.Event = field(default_factory=asyncio.Event)
    _refreshing: bool = False
    _again: bool = False
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie}

    async def open(self, pages: aiohttp.ClientSession) -> None:
        """The page itself, as the browser loads it before its script connects."""
        async with pages.get(self.origin + self.path, headers=self.headers) as response:
            html = await response.text()
            if response.status != 200:
                raise RuntimeError(f"{self.label}: {self.path} answered {response.status}")
        self._note_shown(html)

    async def hold(self, sockets: aiohttp.ClientSession, pages: aiohttp.ClientSession) -> None:
        """The live channel until it closes or this task is cancelled."""
        url = self.origin.replace("http", "ws", 1) + "/ws"
        headers = {**self.headers, "Origin": self.origin}
        try:
            async with sockets.ws_connect(url, headers=headers, heartbeat=None) as ws:
                self.opened.set()
                async for message in ws:
                    at = time.time()
                    if message.type != aiohttp.WSMsgType.TEXT:
                        continue
                    data = json.loads(message.data)
                    for notice in data.get("notices") or []:
                        self.told.setdefault(str(notice["id"]), at)
                    if data.get("changed"):
                        self._refresh(pages)
                if ws.close_code is not None:
                    self.problems.append(f"live channel closed ({ws.close_code})")
        finally:
            for task in list(self._tasks):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def _refresh(self, pages: aiohttp.ClientSession) -> None:
        if self._refreshing:
            self._again = True
            return
        self._refreshing = True
        task = asyncio.get_running_loop().create_task(self._fetch_live(pages))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fetch_live(self, pages: aiohttp.ClientSession) -> None:
        try:
            while True:
                self._again = False
                headers = {**self.headers, **LIVE_HEADER}
                try:
                    async with pages.get(self.origin + self.path, headers=headers) as response:
                        html = await response.text()
                        status = response.status
                except aiohttp.ClientError as exc:
                    self.problems.append(f"live part: {exc!r}")
                else:
                    if status == 200:
                        self._note_shown(html)
                        self.fetches += 1
                        self.fetched.set()
                    else:
                        self.problems.append(f"live part answered {status}")
                if not self._again:
                    return
        finally:
            self._refreshing = False

    def _note_shown(self, html: str) -> None:
        at = time.time()
        for message_id in _MESSAGE_ELEMENT.findall(html):
            self.shown.setdefault(message_id, at)

    def seen(self) -> dict[str, float]:
        """Each message id this tab saw, and when first (told or shown)."""
        both = dict(self.shown)
        for message_id, at in self.told.items():
            both[message_id] = min(at, both.get(message_id, at))
        return both
