"""The status screen and the escalation reminder on the node's own clock (the real web client
on aiohttp's in-process test server, a clock the test moves): an urgent message becomes
overdue after ``escalate_after_minutes`` and shows the number to call; the reminder says who and
for how long, never what, until someone acknowledges it; the outbox says for whom and since
when; the readiness screen shows a contact who did not answer with its phone number."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from node.edges.web.app import WebClient
from node.protocol.conversation import Meta, Priority, TextContent
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    MemoryNetwork,
    deliver,
    paired,
    settle,
)

PHONE = "01 23 45 67 89"
URGENT = Meta(priority=Priority.URGENT)


@dataclass
class Screen:
    client: TestClient[web.Request, web.Application]
    host: str

    async def get(self, path: str) -> tuple[int, str]:
        response = await self.client.get(path, headers={"Host": self.host})
        return response.status, await response.text()

    async def post(self, path: str, data: dict[str, str]) -> int:
        return (await self.post_page(path, data))[0]

    async def post_page(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        response = await self.client.post(
            path,
            data=data,
            headers={"Host": self.host, "Origin": f"http://{self.host}"},
            allow_redirects=False,
        )
        return response.status, await response.text()

    async def csrf(self) -> str:
        _, page = await self.get("/status")
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found is not None
        return found[1]


async def open_screen(
    node: LocalNode, relays: list[dict[str, object]] | None = None
) -> tuple[Screen, WebClient]:
    web_client = WebClient(node.core, status_extras=lambda: {"relays": relays or []})
    client = TestClient(TestServer(web_client.create_app()))
    await client.start_server()
    assert client.port is not None
    web_client.serve_on(client.port)
    screen = Screen(client, f"127.0.0.1:{client.port}")
    link, _ = web_client.mint_login()
    status, _ = await screen.get(link.split(screen.host, 1)[1])
    assert status == 200
    return screen, web_client


@pytest.fixture
async def nodes(tmp_path: Path) -> AsyncIterator[tuple[LocalNode, LocalNode, ManualClock]]:
    clock = ManualClock()
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), clock, phone=PHONE)
    yield gp, pharmacy, clock
    await gp.close()
    await pharmacy.close()


async def test_an_overdue_urgent_message_shows_whom_to_call(
    nodes: tuple[LocalNode, LocalNode, ManualClock],
) -> None:
    gp, pharmacy, clock = nodes
    sent = await gp.core.sending.send("Pharmacie", URGENT, TextContent("Appel en attente"))
    await deliver(gp, pharmacy)
    await settle(gp, pharmacy)
    ours, _ = await open_screen(gp)
    theirs, _ = await open_screen(pharmacy)
    try:
        row = re.compile(rf'<tr data-message="{sent.message_id.hex()}" class="overdue">')
        _, page = await ours.get("/status")
        assert 'id="urgent-ours"' in page
        assert not row.search(page)
        clock.advance(16 * 60)  # past escalate_after_minutes (15)
        _, page = await ours.get("/status")
        assert row.search(page)
        assert f'href="tel:0123456789">appelez le {PHONE}</a>' in page
        assert "16 min" in page
        assert "Appel en attente" not in page  # the status never shows what it says
        _, page = await theirs.get("/status")
        assert 'id="urgent-theirs"' in page
        assert row.search(page)

        # The reminder: who and for how long, never what; until it is acknowledged.
        status, body = await theirs.get("/reminders")
        assert status == 200
        assert '"every": 300' in body
        assert "Message urgent de Dr Martin non acquitt\\u00e9 depuis 16 min" in body
        assert "Appel" not in body
        await pharmacy.core.reading.acknowledge(sent.message_id)
        _, body = await theirs.get("/reminders")
        assert '"reminders": []' in body
    finally:
        await ours.client.close()
        await theirs.client.close()


async def test_the_outbox_says_for_whom_and_since_when(
    nodes: tuple[LocalNode, LocalNode, ManualClock],
) -> None:
    gp, pharmacy, clock = nodes
    screen, _ = await open_screen(gp)
    try:
        _, page = await screen.get("/status")
        assert 'id="outbox-empty"' in page
        assert 'data-ok="1"' in page  # the audit log, verified on the first visit
        await gp.core.sending.send("Pharmacie", Meta(), TextContent("Secret médical"))
        clock.advance(60)
        await gp.core.sending.send("Pharmacie", Meta(), TextContent("Encore"))
        _, page = await screen.get("/status")
        assert f'<tr data-contact="{pharmacy.node_id.hex()}">' in page
        assert "<td>2</td>" in page
        assert "Secret" not in page
        await deliver(gp, pharmacy)
        await settle(gp, pharmacy)
        await deliver(pharmacy, gp)
        _, page = await screen.get("/status")
        assert 'id="outbox-empty"' in page
        # Without the CSRF token, the audit verification is refused.
        assert await screen.post("/status/audit", {}) == 403
    finally:
        await screen.client.close()


async def test_a_silent_contact_is_shown_with_its_phone(
    nodes: tuple[LocalNode, LocalNode, ManualClock],
) -> None:
    gp, pharmacy, _ = nodes
    gp.network.down.add(pharmacy.node_id)
    screen, _ = await open_screen(gp)
    try:
        await gp.core.readiness.check(timeout=1)
        _, page = await screen.get("/check")
        assert 'data-state="unreachable"' in page
        assert f'<a href="tel:0123456789">{PHONE}</a>' in page
        assert "0 contact(s) sur 1 ont répondu." in page
        assert await screen.post("/check", {}) == 403
    finally:
        await screen.client.close()


async def test_relays_reachable_or_not(nodes: tuple[LocalNode, LocalNode, ManualClock]) -> None:
    gp, _, _ = nodes
    relays: list[dict[str, object]] = [
        {"url": "https://relais-a.example.fr", "connected": True, "last_contact": None},
        {"url": "https://<b>relais-b</b>.example.fr", "connected": False, "last_contact": None},
    ]
    screen, _ = await open_screen(gp, relays)
    try:
        _, page = await screen.get("/status")
        assert '<tr data-connected="1">' in page
        assert '<th scope="row">https://relais-a.example.fr</th>' in page
        assert '<tr data-connected="0" class="overdue">' in page
        assert "https://&lt;b&gt;relais-b&lt;/b&gt;.example.fr" in page
        assert "oui, connecté" in page
    finally:
        await screen.client.close()


async def test_a_result_older_than_the_first_page_opens_its_page(
    nodes: tuple[LocalNode, LocalNode, ManualClock],
) -> None:
    gp, pharmacy, clock = nodes
    first = await gp.core.sending.send("Pharmacie", Meta(), TextContent("Patiente Zoé Quintal"))
    for n in range(60):  # more than a conversation's first page (50)
        clock.advance(1)
        await gp.core.sending.send("Pharmacie", Meta(), TextContent(f"suivi {n}"))
    screen, _ = await open_screen(gp)
    try:
        csrf = await screen.csrf()
        status, page = await screen.post_page("/search", {"csrf": csrf, "q": "zoe quintal"})
        assert status == 200
        assert "<mark>Zoé Quintal</mark>" in page
        link = re.search(
            rf'href="(/c/[0-9a-f]{{32}}\?before=[^"#]+)#m-{first.message_id.hex()}"', page
        )
        assert link is not None
        _, conversation = await screen.get(link[1].replace("&amp;", "&"))
        assert f'id="m-{first.message_id.hex()}"' in conversation
        _, newest = await screen.get(f"/c/{pharmacy.node_id.hex()}")
        assert f'id="m-{first.message_id.hex()}"' not in newest
        status, page = await screen.post_page("/search", {"q": "zoe"})
        assert status == 403  # no CSRF token
    finally:
        await screen.client.close()


async def test_the_backup_contact_is_named(tmp_path: Path) -> None:
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), ManualClock(), backup_contact="Pharm")
    ours, _ = await open_screen(gp)
    theirs, _ = await open_screen(pharmacy)
    try:
        _, page = await ours.get("/status")
        assert "Remplaçant : Pharmacie du Port, prévenu (sans le contenu) après 30 min" in page
        _, page = await theirs.get("/status")  # "Pharm" names none of the pharmacy's contacts
        assert "Aucun remplaçant configuré" in page
    finally:
        await ours.client.close()
        await theirs.client.close()
        await gp.close()
        await pharmacy.close()
