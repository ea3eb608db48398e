"""The contacts and pairing screens on aiohttp's in-process test server, against in-memory
nodes: a pairing made entirely through the two web clients, the bounds and refusals of what a
browser sends (text, image, frame), the CSRF token on every POST, and the trust actions.
The browser tier (tests/browser/test_web_pairing.py) drives the same in a real Chromium."""

from __future__ import annotations

import html
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import qrcode
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from node.edges.web.app import WebClient
from node.edges.web.screens.pairing import MAX_FRAME_BYTES
from tests.unit.node.node_support import LocalNode, local_node, wait_until


@dataclass
class Browser:
    client: TestClient[web.Request, web.Application]
    host: str
    csrf: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Host": self.host, "Origin": f"http://{self.host}"}

    async def get(self, path: str) -> tuple[int, str]:
        response = await self.client.get(path, headers={"Host": self.host})
        return response.status, html.unescape(await response.text())

    async def post(self, path: str, data: Any, *, csrf: bool = True) -> tuple[int, str, str | None]:
        if csrf and isinstance(data, dict):
            data = {"csrf": self.csrf, **data}
        response = await self.client.post(
            path, data=data, headers=self.headers, allow_redirects=False
        )
        page = html.unescape(await response.text())
        return response.status, page, response.headers.get("Location")

    async def upload(self, path: str, name: str, data: bytes, *, csrf: bool = True) -> Any:
        form = aiohttp.FormData()
        if csrf:
            form.add_field("csrf", self.csrf)
        form.add_field(name, io.BytesIO(data), filename="picture.png", content_type="image/png")
        response = await self.client.post(
            path, data=form, headers=self.headers, allow_redirects=False
        )
        return response


OPEN: list[TestClient[web.Request, web.Application]] = []


async def open_browser(node: LocalNode) -> Browser:
    web_client = WebClient(node.core)
    client = TestClient(TestServer(web_client.create_app()))
    await client.start_server()
    OPEN.append(client)
    assert client.port is not None
    web_client.serve_on(client.port)
    browser = Browser(client, f"127.0.0.1:{client.port}")
    link, _ = web_client.mint_login()
    status, _ = await browser.get(link.split(browser.host, 1)[1])
    assert status == 200
    _, page = await browser.get("/pair")
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    browser.csrf = found[1]
    return browser


@pytest.fixture
async def practices(tmp_path: Path) -> AsyncIterator[tuple[LocalNode, LocalNode]]:
    a = await local_node(tmp_path / "a", "Cabinet des Tilleuls", "practice", live=True)
    b = await local_node(tmp_path / "b", "Pharmacie du Port", "pharmacist", a.network, live=True)
    yield a, b
    while OPEN:
        await OPEN.pop().close()
    await a.close()
    await b.close()


def qr_png(text: str) -> bytes:
    stream = io.BytesIO()
    qrcode.make(text, box_size=4).save(stream)
    return stream.getvalue()


async def invitation_of(browser: Browser) -> str:
    status, _, location = await browser.post("/pair/invite", {"ttl": "15"})
    assert status == 303
    assert location is not None
    status, page = await browser.get(location)
    assert status == 200
    assert '<svg class="qr-code" role="img"' in page
    found = re.search(r'id="invitation-text"[^>]*>(releve:[^<]+)<', page)
    assert found is not None
    return found[1]


async def test_a_pairing_made_through_both_web_clients(
    practices: tuple[LocalNode, LocalNode],
) -> None:
    a, b = practices
    on_a, on_b = await open_browser(a), await open_browser(b)
    text = await invitation_of(on_a)
    status, _, location = await on_b.post(
        "/pair/accept", {"invitation": f"  {text[:30]}\n{text[30:]}"}
    )
    assert status == 303
    assert location is not None
    assert location.endswith("?paired=accepted")
    status, page = await on_b.get(location)
    assert "Contact ajouté : Cabinet des Tilleuls (cabinet médical)" in page
    await wait_until(lambda: _paired(a))
    [contact] = a.ctx.contacts.values()
    status, page = await on_a.get(f"/contacts/{contact.contact_id.hex()}")
    assert "Pas encore vérifié" in page
    # Verified, as `releve verify`.
    status, _, location = await on_a.post(f"/contacts/{contact.contact_id.hex()}/verify", {})
    assert status == 303
    assert contact.row.verified
    # Unpaired, as `releve unpair`: the confirmation page first, then the action.
    status, page = await on_a.get(f"/contacts/{contact.contact_id.hex()}/unpair")
    assert "Oui, terminer l'appairage avec Pharmacie du Port" in page
    assert contact.active
    await on_a.post(f"/contacts/{contact.contact_id.hex()}/unpair", {})
    assert contact.row.state == "unpaired"


async def _paired(node: LocalNode) -> bool:
    return len(node.ctx.contacts) == 1


async def test_a_photo_of_the_qr_code_pairs(practices: tuple[LocalNode, LocalNode]) -> None:
    a, b = practices
    on_a, on_b = await open_browser(a), await open_browser(b)
    text = await invitation_of(on_a)
    response = await on_b.upload("/pair/accept/image", "image", qr_png(text))
    assert response.status == 303
    assert "?paired=accepted" in response.headers["Location"]


@pytest.mark.parametrize(
    ("pasted", "words"),
    [
        ("", "Collez le texte"),
        ("n'importe quoi", "pas une invitation Relève"),
        ("x" * 9000, "bien trop long"),
    ],
)
async def test_a_bad_pasted_text_is_refused_next_to_its_field(
    practices: tuple[LocalNode, LocalNode], pasted: str, words: str
) -> None:
    _, b = practices
    on_b = await open_browser(b)
    status, page, _ = await on_b.post("/pair/accept", {"invitation": pasted})
    assert status == 400
    assert words in page
    assert 'aria-describedby="invitation-hint invitation-error"' in page
    assert 'aria-invalid="true"' in page


async def test_images_and_frames_are_bounded_and_refused_in_words(
    practices: tuple[LocalNode, LocalNode],
) -> None:
    _, b = practices
    on_b = await open_browser(b)
    response = await on_b.upload("/pair/accept/image", "image", b"not an image")
    assert response.status == 400
    assert "pas une image lisible" in await response.text()
    response = await on_b.upload("/pair/accept/image", "image", qr_png("https://example.org"))
    assert "pas une invitation Relève" in await response.text()
    # A frame: no QR code yet (keep scanning), too large, or an invitation found.
    blank = io.BytesIO()
    qrcode.make("x").get_image().convert("L").crop((0, 0, 20, 20)).save(blank, "PNG")
    response = await on_b.upload("/pair/scan", "frame", blank.getvalue())
    assert (response.status, await response.json()) == (200, {"state": "none"})
    response = await on_b.upload("/pair/scan", "frame", b"\0" * (MAX_FRAME_BYTES + 1))
    assert response.status == 413
    assert "trop grande" in (await response.json())["message"]
    response = await on_b.upload("/pair/scan", "frame", qr_png("releve:AAAA"))
    answer = await response.json()
    assert answer["state"] == "found"
    assert answer["invitation"] == "releve:AAAA"
    assert not b.ctx.contacts  # a frame only reads: accepting is the pasted text's form


async def test_every_post_needs_the_sessions_csrf_token(
    practices: tuple[LocalNode, LocalNode],
) -> None:
    a, _ = practices
    on_a = await open_browser(a)
    for path, form in (
        ("/pair/invite", {"ttl": "15"}),
        ("/pair/accept", {"invitation": "releve:AAAA"}),
        ("/pair/call", {}),
        ("/pair/join", {"code": "7-lapin-orage-tigre"}),
        ("/identity/revoke", {"confirm": "yes"}),
        ("/contacts/" + "0" * 32 + "/verify", {}),
        ("/contacts/" + "0" * 32 + "/unpair", {}),
        ("/pair/call/abc/cancel", {}),
    ):
        status, page, _ = await on_a.post(path, form, csrf=False)
        assert status == 403, path
        assert 'data-error="forbidden"' in page
    for path, name in (("/pair/accept/image", "image"), ("/pair/scan", "frame")):
        response = await on_a.upload(path, name, qr_png("releve:AAAA"), csrf=False)
        assert response.status == 403, path
    old = a.ctx.identity.public.node_id
    # Revoking needs the box ticked, as the API's {"confirm": true}.
    status, page, _ = await on_a.post("/identity/revoke", {})
    assert status == 400
    assert "Cochez la case" in page
    assert a.ctx.identity.public.node_id == old
    status, _, location = await on_a.post("/identity/revoke", {"confirm": "yes"})
    assert (status, location) == (303, "/identity/revoke?done=1")
    new = a.ctx.identity.public.node_id
    assert new != old
    _, page = await on_a.get("/identity/revoke?done=1")
    assert "Identité révoquée : 0 contact(s) prévenu(s)" in page
    assert a.ctx.identity.public.node_id == new  # showing the answer again revokes nothing


async def test_pairing_by_phone_without_it_says_so(
    practices: tuple[LocalNode, LocalNode],
) -> None:
    a, _ = practices
    on_a = await open_browser(a)  # a web client made without pairing by phone
    status, page, _ = await on_a.post("/pair/join", {"code": "7-lapin-orage-tigre"})
    assert status == 400
    assert "L'appairage par téléphone n'est pas disponible" in page
    status, page, _ = await on_a.post("/pair/join", {"code": ""})
    assert "Tapez le code" in page
