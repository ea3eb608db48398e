"""The web client as an attack surface (issue #14, "Security"): DNS rebinding, cross-site
forms and WebSocket, forms without the CSRF token, script in what peers control, and the
headers of every page."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.helpers import WAIT_MS, contact_id, live, log_in, login_link
from tests.integration.nodes import Node

pytestmark = pytest.mark.integration

# Another web server of this machine (same *site* as the node: cookies marked
# SameSite=Strict still go along) and a foreign one; both are played by Playwright's router.
SAME_SITE_ATTACKER = "http://127.0.0.1:9/"
FOREIGN_ATTACKER = "http://attacker.example/"


def _port(node: Node) -> int:
    port = urlsplit(login_link(node)).port
    assert port is not None
    return port


def _attacker_page(page: Page, origin: str, html: str) -> None:
    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=html)

    page.route(origin + "**", fulfil)
    page.goto(origin)


def test_a_foreign_host_header_is_refused_with_421(nodes: tuple[Node, Node]) -> None:
    gp, _ = nodes
    port = _port(gp)
    for host in ("attacker.example", f"attacker.example:{port}", f"127.0.0.1:{port + 1}"):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/", headers={"Host": host})
        response = connection.getresponse()
        response.read()
        assert response.status == 421, host
        connection.close()


def test_pages_carry_the_security_headers(browser: Browser, nodes: tuple[Node, Node]) -> None:
    gp, _ = nodes
    context, page = log_in(browser, gp)
    response = page.goto("/")
    assert response is not None
    headers = response.headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    context.close()


@pytest.mark.parametrize("attacker", [SAME_SITE_ATTACKER, FOREIGN_ATTACKER])
def test_a_cross_site_form_is_refused(
    browser: Browser, nodes: tuple[Node, Node], attacker: str
) -> None:
    """Even with the CSRF token (as if it leaked), a form from another origin sends nothing."""
    gp, _ = nodes
    context, page = log_in(browser, gp)
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    target = f"http://127.0.0.1:{_port(gp)}/c/{contact_id(gp, 'Pharmacie')}/send"
    text = f"forged {time.monotonic_ns()}"
    attack = context.new_page()
    _attacker_page(
        attack,
        attacker,
        f'<form method="post" action="{target}"><input name="csrf" value="{csrf}">'
        f'<input name="text" value="{text}"><button id="go">go</button></form>',
    )
    with attack.expect_navigation():
        attack.click("#go")
    expect(attack.locator("[data-error=forbidden]")).to_be_visible()
    sent = gp.request("GET", "/v1/messages?direction=out&limit=100")["messages"]
    assert all(m["text"] != text for m in sent)
    context.close()


def test_a_form_without_the_csrf_token_is_refused(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, _ = nodes
    context, page = log_in(browser, gp)
    path = f"/c/{contact_id(gp, 'Pharmacie')}/send"
    text = f"no token {time.monotonic_ns()}"
    for body in (f"text={text}", f"text={text}&csrf=wrong"):
        status = page.evaluate(
            "([path, body]) => fetch(path, {method: 'POST', body, headers: "
            "{'Content-Type': 'application/x-www-form-urlencoded'}}).then(r => r.status)",
            [path, body],
        )
        assert status == 403
    sent = gp.request("GET", "/v1/messages?direction=out&limit=100")["messages"]
    assert all(m["text"] != text for m in sent)
    context.close()


def test_a_cross_origin_websocket_is_refused(browser: Browser, nodes: tuple[Node, Node]) -> None:
    gp, _ = nodes
    context, page = log_in(browser, gp)
    live(page)  # our own page's socket opens
    attack = context.new_page()
    _attacker_page(attack, SAME_SITE_ATTACKER, "<p>hello</p>")
    outcome = attack.evaluate(
        "(url) => new Promise(done => { const s = new WebSocket(url);"
        " s.onopen = () => done('open'); s.onerror = () => done('refused');"
        " setTimeout(() => done('timeout'), 10000); })",
        f"ws://127.0.0.1:{_port(gp)}/ws",
    )
    assert outcome == "refused"
    context.close()


def test_script_in_a_name_or_a_text_stays_text(browser: Browser, nodes: tuple[Node, Node]) -> None:
    """The pharmacy's name (see conftest) and message texts hold markup: shown as written."""
    gp, pharmacy = nodes
    payloads = [
        "<script>window.__xss = 1</script>",
        '<img src=x onerror="window.__xss = 1">',
        "\"><svg onload='window.__xss=1'>",
    ]
    for payload in payloads:
        pharmacy.send(contact_id(pharmacy, "Dr"), payload)
    context, page = log_in(browser, gp)
    expect(page.locator(".conversation .name").first).to_contain_text("<img src=x onerror=")
    page.locator(".conversation a").first.click()
    for payload in payloads:
        expect(page.locator(".message.in .text", has_text=payload)).to_have_count(
            1, timeout=WAIT_MS
        )
    assert page.locator("main img, main svg, main script").count() == 0
    assert page.evaluate("window.__xss") is None
    context.close()


def test_the_local_api_never_takes_the_session_cookie(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    """The bearer-token JSON API and the web client are separate doors: a browser's session
    cookie opens nothing on the API, whose token the web client never hands out."""
    gp, _ = nodes
    context, page = log_in(browser, gp)
    cookie = next(c for c in context.cookies() if c["name"].startswith("releve_session_"))
    api = urlsplit(json.loads(gp.api_info.read_text())["url"])
    assert api.port is not None
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    try:
        connection.request(
            "GET",
            "/v1/status",
            headers={"Cookie": f"{cookie['name']}={cookie['value']}", "Host": api.netloc},
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 401
    token = (gp.home / "api-token").read_text().strip()
    assert token.encode() not in body
    assert token not in page.content()
    context.close()
