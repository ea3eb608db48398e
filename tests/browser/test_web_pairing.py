"""Contacts and pairing in a real Chromium, against fresh real nodes and a real relay (issue
#14): pairing entirely through the web by a pasted invitation, by a photo of its QR code, and
by the webcam (Chromium's fake camera playing a video made here from the QR code); by phone
code between two browsers; verifying a contact, ending a pairing, revoking an identity and the
held key change that follows; garbage and oversize inputs refused in words; every POST without
its CSRF token refused; axe-core on every screen, in French and English."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any, Final

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import WAIT_MS, axe_violations, contact_id, log_in, web_origin
from tests.integration.nodes import Node, Relay, pair, wait_for

pytestmark = pytest.mark.integration

NAMES: Final = {
    "a": "Cabinet des Tilleuls",
    "b": "Pharmacie du Port",
    "c": "Infirmière Durand",
    "d": "Laboratoire <b>Nord</b>",  # a peer's name is only ever shown escaped
}
ROLES: Final = {"a": "practice", "b": "pharmacist", "c": "nurse", "d": "laboratory"}


def relay_connected(node: Node) -> bool:
    return bool(node.status()["relays"][0]["connected"])


@pytest.fixture(scope="module")
def practices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    """Four practices paired with no one, each reachable directly and through one relay."""
    root = tmp_path_factory.mktemp("pairing")
    relay = Relay(root / "relay.log")
    relay.start()
    nodes = {key: Node(root / key, name, ROLES[key]) for key, name in NAMES.items()}
    try:
        for node in nodes.values():
            node.init()
            node.start("--relay", relay.url)
        for node in nodes.values():
            wait_for(partial(relay_connected, node), 30, "the relay subscription")
        yield nodes
    finally:
        for node in nodes.values():
            if node.process is not None:
                node.kill()
        relay.kill()


def contact_of(node: Node, name: str) -> dict[str, Any] | None:
    return next((c for c in node.contacts() if c["name"] == name and c["state"] == "active"), None)


def invite(page: Page) -> str:
    """Creates an invitation on the web and returns its text, as the page shows it."""
    page.goto("/pair")
    page.locator("#invite").click()
    expect(page).to_have_url(re.compile(r"/pair/invite/[\w-]+$"))
    expect(page.locator("svg.qr-code")).to_be_visible()
    text = page.locator("#invitation-text").input_value()
    assert text.startswith("releve:")
    return text


def qr_png(page: Page) -> bytes:
    """A screenshot of the invitation's QR code as shown on the page (what a phone sees)."""
    return page.locator("svg.qr-code").screenshot()


def expect_paired(page: Page, name: str, how: str) -> str:
    """The contact's page after a pairing: its name, the result, the safety number."""
    expect(page).to_have_url(re.compile(rf"/contacts/[0-9a-f]{{32}}\?paired={how}$"))
    expect(page.locator("#paired")).to_contain_text(name)
    number = page.locator("#safety-number").inner_text()
    assert re.fullmatch(r"(\d{5}\s+){11}\d{5}", number.strip()), number
    return " ".join(number.split())


def assert_no_axe_violation(page: Page, what: str) -> None:
    assert axe_violations(page) == [], what


def switch_language(page: Page, lang: str) -> None:
    page.locator("#lang").select_option(lang)
    page.locator("form[action='/language'] button").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


# --- pairing by invitation -----------------------------------------------------------------


def test_pair_by_pasted_invitation_both_sides_through_the_web(
    browser: Browser, practices: dict[str, Node]
) -> None:
    a, b = practices["a"], practices["b"]
    a_context, a_page = log_in(browser, a)
    b_context, b_page = log_in(browser, b)
    try:
        # The nav leads to the contacts, then to pairing.
        a_page.get_by_role("link", name="Contacts").click()
        expect(a_page.locator("h1")).to_have_text("Contacts")
        expect(a_page.locator("#live")).to_contain_text("Aucun contact")
        text = invite(a_page)
        expect(a_page.locator("#expiry")).to_contain_text("heure de Paris")
        expect(a_page.locator("#invite-state")).to_have_attribute("data-state", "waiting")
        a_page.evaluate("window.__notReloaded = true")
        # The QR code is large enough to scan from a phone: at least 300 CSS pixels wide.
        box = a_page.locator("svg.qr-code").bounding_box()
        assert box is not None
        assert box["width"] >= 300, box

        b_page.goto("/pair")
        # Pasted as it may come from an e-mail: wrapped and indented.
        wrapped = "\n  ".join(text[i : i + 60] for i in range(0, len(text), 60))
        b_page.locator("#invitation").fill(wrapped)
        b_page.locator("#accept").click()
        b_number = expect_paired(b_page, NAMES["a"], "accepted")
        expect(b_page.locator("#paired")).to_contain_text("cabinet médical")

        # The inviter's page learns it without a reload.
        expect(a_page.locator("#invite-state")).to_have_attribute(
            "data-state", "paired", timeout=WAIT_MS
        )
        assert a_page.evaluate("window.__notReloaded === true")
        a_page.locator("#invite-state a").click()
        a_number = expect_paired(a_page, NAMES["b"], "invited")
        assert a_number == b_number  # the two people read the same number aloud
        assert contact_of(a, NAMES["b"]) is not None
        assert contact_of(b, NAMES["a"]) is not None
        # The list shows role, trust, state and when the contact was last reached.
        a_page.goto("/contacts")
        row = a_page.locator("tr", has_text=NAMES["b"])
        expect(row).to_contain_text("pharmacien")
        expect(row).to_contain_text("non vérifié")
        expect(row).to_contain_text("actif")
        b.send(NAMES["a"], "bonjour")
        expect(row).to_contain_text("Dernier message reçu", timeout=WAIT_MS)
        # The same invitation a second time: used, refused in words, nothing kept.
        c_context, c_page = log_in(browser, practices["c"])
        c_page.goto("/pair")
        c_page.locator("#invitation").fill(text)
        c_page.locator("#accept").click()
        expect(c_page.locator("#invitation-error")).to_contain_text("déjà servi")
        expect(c_page.locator("#invitation")).to_have_attribute("aria-invalid", "true")
        assert contact_of(practices["c"], NAMES["a"]) is None
        c_context.close()
    finally:
        a_context.close()
        b_context.close()


def test_pair_by_photo_of_the_qr_code(browser: Browser, practices: dict[str, Node]) -> None:
    a, c = practices["a"], practices["c"]
    a_context, a_page = log_in(browser, a)
    c_context, c_page = log_in(browser, c)
    try:
        invite(a_page)
        photo = qr_png(a_page)
        c_page.goto("/pair")
        c_page.locator("#image").set_input_files(
            {"name": "photo.png", "mimeType": "image/png", "buffer": photo}
        )
        c_page.locator("#accept-image").click()
        expect_paired(c_page, NAMES["a"], "accepted")
        expect(a_page.locator("#invite-state")).to_have_attribute(
            "data-state", "paired", timeout=WAIT_MS
        )
        assert contact_of(a, NAMES["c"]) is not None
    finally:
        a_context.close()
        c_context.close()


def y4m_video(png: bytes, path: Path, frames: int = 30) -> Path:
    """A short Y4M video (what Chromium's fake camera plays in a loop) of the QR code on a
    white 640x480 picture."""
    qr = Image.open(io.BytesIO(png)).convert("RGB")
    side = 360
    picture = Image.new("RGB", (640, 480), "white")
    picture.paste(qr.resize((side, side)), ((640 - side) // 2, (480 - side) // 2))
    y, cb, cr = picture.convert("YCbCr").split()
    planes = y.tobytes() + cb.resize((320, 240)).tobytes() + cr.resize((320, 240)).tobytes()
    with path.open("wb") as video:
        video.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            video.write(b"FRAME\n" + planes)
    return path


def test_pair_by_scanning_with_the_webcam(
    playwright: Playwright,
    browser: Browser,
    practices: dict[str, Node],
    tmp_path: Path,
) -> None:
    """Chromium's fake camera plays a video of the QR code; the page's script sends frames
    to the node, which decodes them; the camera stops once the code is read."""
    a, d = practices["a"], practices["d"]
    a_context, a_page = log_in(browser, a)
    try:
        invite(a_page)
        video = y4m_video(qr_png(a_page), tmp_path / "qr.y4m")
        camera = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        try:
            d_context, d_page = log_in(camera, d, permissions=["camera"])
            d_page.goto("/pair")
            expect(d_page.locator("#scan-nojs")).to_be_hidden()
            frames: list[int] = []
            d_page.on(
                "response",
                lambda r: frames.append(r.status) if r.url.endswith("/pair/scan") else None,
            )
            d_page.locator("#scan-start").click()
            expect_paired(d_page, NAMES["a"], "accepted")
            # Frames went to the node's decoder (none refused), and the page went on alone.
            assert frames, "no frame was sent"
            assert set(frames) == {200}, frames
            assert contact_of(d, NAMES["a"]) is not None
            d_context.close()
        finally:
            camera.close()
        expect(a_page.locator("#invite-state")).to_have_attribute(
            "data-state", "paired", timeout=WAIT_MS
        )
        a_page.goto("/contacts")
        # The laboratory's name, with its markup, is text: no <b> element was made.
        expect(a_page.locator("table.contacts")).to_contain_text(NAMES["d"])
        assert a_page.locator("table.contacts b").count() == 0
    finally:
        a_context.close()


# --- pairing by phone ------------------------------------------------------------------------


def test_pair_by_phone_code_between_two_browsers(
    browser: Browser, practices: dict[str, Node]
) -> None:
    b, c = practices["b"], practices["c"]
    b_context, b_page = log_in(browser, b)
    c_context, c_page = log_in(browser, c)
    try:
        b_page.goto("/pair/phone")
        b_page.locator("#call").click()
        expect(b_page).to_have_url(re.compile(r"/pair/call/[0-9a-f]+$"))
        code = b_page.locator("#phone-code").get_attribute("data-code")
        assert code is not None
        assert re.fullmatch(r"\d+(-\S+){3}", code), code
        expect(b_page.locator("#call-state")).to_have_attribute("data-state", "waiting")
        b_page.evaluate("window.__notReloaded = true")
        assert_no_axe_violation(b_page, "call page")

        # Typed by ear: spaces and capitals instead of dashes.
        c_page.goto("/pair/phone")
        c_page.locator("#code").fill(code.replace("-", " ").upper())
        c_page.locator("#join").click()
        expect_paired(c_page, NAMES["b"], "phone")
        expect(b_page.locator("#call-state")).to_have_attribute(
            "data-state", "paired", timeout=WAIT_MS
        )
        assert b_page.evaluate("window.__notReloaded === true")
        expect(b_page.locator("#call-state")).to_contain_text(NAMES["c"])
        assert contact_of(b, NAMES["c"]) is not None

        # The same code again: it worked once; said in words next to the field.
        c_page.goto("/pair/phone")
        c_page.locator("#code").fill(code)
        c_page.locator("#join").click()
        expect(c_page.locator("#join-error")).to_be_visible()
        expect(c_page.locator("#code")).to_have_attribute("aria-invalid", "true")
        # A code that is not one.
        c_page.locator("#code").fill("pas un code")
        c_page.locator("#join").click()
        expect(c_page.locator("#join-error")).to_contain_text("pas un code valable")

        # A relay address that is not one: said next to the field, nothing dialled.
        b_page.goto("/pair/phone")
        b_page.locator("#call-relay").fill("pas une adresse")
        b_page.locator("#call").click()
        expect(b_page.locator("#call-error")).to_contain_text("Adresse de relais invalide")
        expect(b_page.locator("#call-relay")).to_have_attribute("aria-invalid", "true")
        # A call cancelled: the code no longer works.
        b_page.goto("/pair/phone")
        b_page.locator("#call").click()
        b_page.locator("#cancel-call").click()
        expect(b_page.locator("#call-state")).to_have_attribute("data-state", "failed")
        expect(b_page.locator("#call-state")).to_contain_text("annulé")
    finally:
        b_context.close()
        c_context.close()


# --- trust: verify, unpair, revoke, a held key change ------------------------------------


def test_verify_then_unpair_with_a_confirmation(
    browser: Browser, practices: dict[str, Node]
) -> None:
    c, d = practices["c"], practices["d"]
    if contact_of(c, NAMES["d"]) is None:
        pair(c, d)
    d_on_c = contact_id(c, "Laboratoire")
    context, page = log_in(browser, c)
    try:
        page.goto(f"/contacts/{d_on_c}")
        expect(page.locator("#verified-state")).to_contain_text("Pas encore vérifié")
        page.get_by_role("button", name="Marquer comme vérifié").click()
        expect(page.locator("#verified-now")).to_be_visible()
        expect(page.locator("#verified-state")).to_contain_text("Vérifié")
        assert contact_of(c, NAMES["d"])["verified"] is True  # type: ignore[index]
        # The same as `releve verify`: the local API agrees.
        page.goto("/contacts")
        expect(page.locator("tr", has_text="Laboratoire").locator(".tag-ok")).to_have_count(1)

        # Ending the pairing asks first; cancelling does nothing.
        page.goto(f"/contacts/{d_on_c}")
        page.locator("#unpair-link").click()
        expect(page.locator("h1")).to_contain_text("Terminer l'appairage")
        assert_no_axe_violation(page, "unpair confirmation")
        page.get_by_role("link", name="Annuler").click()
        assert contact_of(c, NAMES["d"]) is not None
        page.locator("#unpair-link").click()
        page.locator("#unpair-confirm").click()
        expect(page.locator("#live")).to_contain_text("terminé (par vous)")
        assert contact_of(c, NAMES["d"]) is None
        c_on_d = contact_id(d, NAMES["c"])
        wait_for(
            lambda: (
                next(x for x in d.contacts() if x["contact_id"] == c_on_d)["state"]
                == "unpaired_by_peer"
            ),
            30,
            "the unpair notice",
        )
    finally:
        context.close()


def test_revoke_then_a_held_key_change_accepted(
    browser: Browser, practices: dict[str, Node]
) -> None:
    """D revokes its identity (a stolen machine); A sees it; they pair again: a key change,
    held and explained until A accepts the new key."""
    a, d = practices["a"], practices["d"]
    if contact_of(a, NAMES["d"]) is None:
        pair(a, d)
    old_id = d.status()["contact_id"]
    d_context, d_page = log_in(browser, d)
    a_context, a_page = log_in(browser, a)
    try:
        invite(d_page)  # shown before the revocation: no longer answered after it
        stale = d_page.url
        d_page.goto("/contacts")
        d_page.locator("a[href='/identity/revoke']").click()
        assert_no_axe_violation(d_page, "revoke confirmation")
        d_page.locator("#revoke").click()  # without ticking the box: nothing happens
        expect(d_page.locator("#revoke-error")).to_be_visible()
        expect(d_page.locator("#confirm")).to_have_attribute("aria-invalid", "true")
        assert d.status()["contact_id"] == old_id
        d_page.locator("#confirm").check()
        d_page.locator("#revoke").click()
        expect(d_page.locator("#revoked")).to_contain_text("Identité révoquée")
        new_id = d.status()["contact_id"]
        assert new_id != old_id
        # The answer is a page of its own: reloading it revokes nothing more.
        expect(d_page).to_have_url(re.compile(r"/identity/revoke\?done=1$"))
        d_page.reload()
        expect(d_page.locator("#revoked")).to_contain_text("Identité révoquée")
        assert d.status()["contact_id"] == new_id
        d_page.goto(stale)
        expect(d_page.locator("#invite-state")).to_have_attribute("data-state", "revoked")
        wait_for(
            lambda: any(
                x["contact_id"] == old_id and x["state"] == "revoked_by_peer" for x in a.contacts()
            ),
            60,
            "the revocation",
        )
        a_page.goto(f"/contacts/{old_id}")
        expect(a_page.locator("#live")).to_contain_text("révoqué sa clé")

        # They pair again, through the web: a key change, held until verified.
        text = invite(d_page)
        a_page.goto("/pair")
        a_page.locator("#invitation").fill(text)
        a_page.locator("#accept").click()
        expect_paired(a_page, "Laboratoire", "accepted")
        expect(a_page.locator("#key-change")).to_contain_text("la clé de ce contact a changé")
        assert_no_axe_violation(a_page, "held key change")
        a_page.goto("/contacts")
        expect(a_page.locator("tr.held-row")).to_contain_text("clé changée")
        a_page.locator("tr.held-row a").click()
        a_page.get_by_role("button", name="Accepter la nouvelle clé (numéro vérifié)").click()
        expect(a_page.locator("#verified-now")).to_be_visible()
        expect(a_page.locator("#key-change")).to_have_count(0)
        new = contact_of(a, NAMES["d"])
        assert new is not None
        assert new["held"] is False
        assert new["key_changed"] is True
    finally:
        a_context.close()
        d_context.close()


# --- what the browser sends is bounded and refused in words ----------------------------------


def png_of(size: tuple[int, int], colour: str = "white") -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", size, colour).save(stream, "PNG")
    return stream.getvalue()


def test_garbage_and_oversize_inputs_are_refused_in_words(
    browser: Browser, practices: dict[str, Node]
) -> None:
    b = practices["b"]
    before = len(b.contacts())
    context, page = log_in(browser, b)
    try:
        page.goto("/pair")
        for pasted, words in (
            ("n'importe quoi", "pas une invitation Relève"),
            ("releve:" + "A" * 40, "pas une invitation Relève"),
            ("x" * 9000, "bien trop long"),
            ("   ", "Collez le texte"),
        ):
            # The field's maxlength stops a browser at 8192 characters; the node checks too.
            page.locator("#invitation").evaluate("e => e.removeAttribute('maxlength')")
            page.locator("#invitation").fill(pasted)
            page.locator("#accept").click()
            expect(page.locator("#invitation-error")).to_contain_text(words)
            expect(page.locator("#invitation")).to_have_attribute("aria-invalid", "true")
            assert page.locator("#invitation").get_attribute("aria-describedby") is not None
        for name, data, words in (
            ("garbage.png", b"\x89PNG not really" * 100, "pas une image lisible"),
            ("blank.png", png_of((200, 200)), "Aucun QR code"),
            ("huge.jpg", b"\xff\xd8" + b"\0" * (11 * 1024 * 1024), "trop grande"),
        ):
            page.locator("#image").evaluate("e => e.setCustomValidity('')")
            page.locator("#image").set_input_files(
                {"name": name, "mimeType": "image/png", "buffer": data}
            )
            # The script refuses an oversize file before sending: send it anyway (a browser
            # without the script) by clearing that check.
            page.locator("#image").evaluate("e => e.setCustomValidity('')")
            with page.expect_response(lambda r: r.url.endswith("/pair/accept/image")) as answer:
                page.locator("#accept-image").click()
            expect(page.locator("#image-error")).to_contain_text(words)
            assert answer.value.status in (400, 413), name
        # A decompression bomb: few bytes, too many pixels.
        page.locator("#image").set_input_files(
            {"name": "bomb.png", "mimeType": "image/png", "buffer": png_of((9000, 9000))}
        )
        page.locator("#accept-image").click()
        expect(page.locator("#image-error")).to_contain_text("trop grande")
        # No file at all.
        page.locator("#image").set_input_files([])
        page.locator("#accept-image").click()
        expect(page.locator("#image-error")).to_contain_text("Choisissez")
        # The frames route: garbage, blank and oversize frames, answered in JSON.
        csrf = page.locator("#scanner").get_attribute("data-csrf")
        answers = page.evaluate(
            """async (csrf) => {
              const out = [];
              for (const [bytes, size] of [[[1, 2, 3], 0], [null, 2 * 1024 * 1024]]) {
                const body = new FormData();
                body.append("csrf", csrf);
                const data = bytes ? new Uint8Array(bytes) : new Uint8Array(size);
                body.append("frame", new Blob([data], {type: "image/jpeg"}), "f.jpg");
                const r = await fetch("/pair/scan", {method: "POST", body});
                out.push([r.status, await r.json()]);
              }
              return out;
            }""",
            csrf,
        )
        assert answers[0][0] == 400
        assert answers[0][1]["state"] == "refused"
        assert "pas une image lisible" in answers[0][1]["message"]
        assert answers[1][0] == 413
        assert "trop grande" in answers[1][1]["message"]
        assert len(b.contacts()) == before
    finally:
        context.close()


def test_every_post_without_its_csrf_token_is_refused(
    browser: Browser, practices: dict[str, Node]
) -> None:
    b, c = practices["b"], practices["c"]
    target = contact_of(b, NAMES["c"]) or contact_of(b, NAMES["a"])
    if target is None:
        pair(b, c)
        target = contact_of(b, NAMES["c"])
    assert target is not None
    cid = target["contact_id"]
    old_id = b.status()["contact_id"]
    context, page = log_in(browser, b)
    origin = web_origin(b)
    try:
        page.goto("/pair/phone")
        page.locator("#call").click()
        expect(page).to_have_url(re.compile(r"/pair/call/[0-9a-f]+$"))
        call_path = page.url.split(origin, 1)[1]
        contacts_before = len(b.contacts())
        posts: list[tuple[str, dict[str, Any]]] = [
            (f"/contacts/{cid}/verify", {}),
            (f"/contacts/{cid}/unpair", {}),
            ("/identity/revoke", {"confirm": "yes"}),
            ("/pair/invite", {"ttl": "15"}),
            ("/pair/accept", {"invitation": "releve:AAAA"}),
            ("/pair/call", {}),
            (f"{call_path}/cancel", {}),
            ("/pair/join", {"code": "7-lapin-orage-tigre"}),
        ]
        headers = {"Origin": origin}
        for path, form in posts:
            response = page.request.post(path, form=form, headers=headers)
            assert response.status == 403, path
            assert 'data-error="forbidden"' in response.text(), path
            wrong = page.request.post(path, form={**form, "csrf": "x" * 43}, headers=headers)
            assert wrong.status == 403, path
        for path, name in (("/pair/accept/image", "image"), ("/pair/scan", "frame")):
            upload: dict[str, Any] = {
                name: {"name": "f.png", "mimeType": "image/png", "buffer": png_of((8, 8))}
            }
            response = page.request.post(path, multipart=upload, headers=headers)
            assert response.status == 403, path
        # Nothing happened: still paired, same identity, the call still waiting.
        assert b.status()["contact_id"] == old_id
        assert contact_of(b, target["name"]) is not None
        assert contact_of(b, target["name"])["verified"] is target["verified"]  # type: ignore[index]
        assert len(b.contacts()) == contacts_before
        page.reload()
        expect(page.locator("#call-state")).to_have_attribute("data-state", "waiting")
        page.locator("#cancel-call").click()
    finally:
        context.close()


# --- accessibility ----------------------------------------------------------------------------


def test_axe_finds_no_violation_on_the_contacts_and_pairing_screens(
    browser: Browser, practices: dict[str, Node]
) -> None:
    a = practices["a"]
    context, page = log_in(browser, a)
    try:
        some = next(c for c in a.contacts())["contact_id"]
        for lang in ("fr", "en"):
            page.goto("/contacts")
            switch_language(page, lang)
            screens = [
                "/contacts",
                f"/contacts/{some}",
                f"/contacts/{some}?paired=accepted",
                "/identity/revoke",
                "/pair",
                "/pair/phone",
            ]
            active = contact_of(a, NAMES["b"])
            if active is not None:
                screens.append(f"/contacts/{active['contact_id']}/unpair")
            for path in screens:
                page.goto(path)
                assert_no_axe_violation(page, f"{path} ({lang})")
            invite(page)
            assert_no_axe_violation(page, f"invitation ({lang})")
            page.locator("#print-link").click()
            expect(page.locator("article.a4 svg.qr-code")).to_be_visible()
            assert_no_axe_violation(page, f"print page ({lang})")
            page.goto("/pair/phone")
            page.locator("#call").click()
            assert_no_axe_violation(page, f"call page ({lang})")
            page.locator("#cancel-call").click()
            # Error states too: errors tied to their fields.
            page.goto("/pair")
            page.locator("#invitation").fill("garbage")
            page.locator("#accept").click()
            expect(page.locator("#invitation-error")).to_be_visible()
            assert_no_axe_violation(page, f"pairing with an error ({lang})")
        page.goto("/contacts")
        expect(page.get_by_role("heading", level=1)).to_have_text("Contacts")
        expect(page.locator("#live")).to_contain_text("pharmacist")
    finally:
        context.close()


def test_the_printed_invitation_is_one_a4_page(
    browser: Browser, practices: dict[str, Node]
) -> None:
    context, page = log_in(browser, practices["a"])
    try:
        text = invite(page)
        page.locator("#print-link").click()
        expect(page.locator(".grouped")).to_contain_text(text[7:12])
        page.emulate_media(media="print")
        expect(page.locator("header.top")).to_be_hidden()
        pdf = page.pdf(format="A4", print_background=False)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    finally:
        context.close()


def test_inviting_accepting_and_verifying_work_without_javascript(
    browser: Browser, practices: dict[str, Node]
) -> None:
    b, d = practices["b"], practices["d"]
    b_context, b_page = log_in(browser, b, java_script_enabled=False)
    d_context, d_page = log_in(browser, d, java_script_enabled=False)
    try:
        text = invite(b_page)
        expect(b_page.locator("#copy")).to_be_hidden()  # the script's button: not there
        d_page.goto("/pair")
        expect(d_page.locator("#scan-nojs")).to_be_visible()  # says the webcam needs it
        d_page.locator("#invitation").fill(text)
        d_page.locator("#accept").click()
        expect_paired(d_page, NAMES["b"], "accepted")
        d_page.get_by_role("button", name="Marquer comme vérifié").click()
        expect(d_page.locator("#verified-now")).to_be_visible()
        # Without the script the inviter's page is up to date once reloaded.
        wait_for(lambda: contact_of(b, NAMES["d"]) is not None, 30, "the answer")
        b_page.reload()
        expect(b_page.locator("#invite-state")).to_have_attribute("data-state", "paired")
    finally:
        b_context.close()
        d_context.close()
