"""The web client of a clinic server over TLS on the LAN (issue #15 part C), in a real Chromium
that trusts the practice CA the way Chromium does on Linux: through an NSS database
(certutil, Debian's libnss3-tools), in the HOME it is started with. The node listens on
127.0.0.2 (an address of its own, as a LAN address would be) and is reached by its address
and by a name (Chromium's resolver maps cabinet.test to it). A web client on the LAN is a
clinic server's: a person chooses their password with the operator's setup link (over HTTPS
too), then logs in.

A server certificate the practice CA signs for a name outside its name constraints is
refused by Chromium (the CA's key, stolen with the server, vouches for no other site); one
inside them is accepted (so that the refusal is the constraints' doing).
"""

from __future__ import annotations

import datetime
import functools
import http.server
import re
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import Browser, BrowserContext, Error, Page, Playwright, expect

from node.daemon import TLS_KEY_PURPOSE
from node.edges import tls
from node.edges.tls import TlsFiles, parse_names
from node.paths import HomeLayout
from node.storage import keystore
from tests.browser.helpers import WAIT_MS, live, login_link
from tests.browser.tls_trust import SERVER_ADDRESS, SERVER_NAME, over_tls, trusting_chromium
from tests.integration.nodes import Node

pytestmark = pytest.mark.integration

# Other servers of the test, on addresses of their own.
INSIDE_ADDRESS, OUTSIDE_ADDRESS = "127.0.0.3", "127.0.0.4"
INSIDE_NAME, OUTSIDE_NAME = f"poste.{SERVER_NAME}", "banque.test"
PERSON: Final = "Alice Durand"
PASSWORD: Final = "agrafe-cheval-pile-2026"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    root = tmp_path_factory.mktemp("clinic-tls")
    server = Node(root / "server", "Cabinet du Parc", "practice")
    server.init()
    server.start(*over_tls())
    try:
        yield server
    finally:
        if server.process is not None:
            server.kill()


@pytest.fixture(scope="module")
def trusting_browser(
    playwright: Playwright, clinic: Node, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """Chromium whose NSS database (HOME/.pki/nssdb) trusts the practice CA, as an IT
    contractor's `certutil -A` leaves it on a Linux workstation."""
    names = {
        SERVER_NAME: SERVER_ADDRESS,
        INSIDE_NAME: INSIDE_ADDRESS,
        OUTSIDE_NAME: OUTSIDE_ADDRESS,
    }
    chromium = trusting_chromium(playwright, clinic, tmp_path_factory.mktemp("workstation"), names)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def person(trusting_browser: Browser, clinic: Node) -> str:
    """A person of the practice who chose their password with the operator's setup link (a
    web client on the LAN is a clinic server's: people log in with their own accounts)."""
    added = clinic.request("POST", "/v1/users", {"name": PERSON, "role": "secretary"})
    setup = urlsplit(added["setup"]["url"])
    assert (setup.scheme, setup.hostname) == ("https", SERVER_NAME)
    context = trusting_browser.new_context()
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(setup.geturl())
        page.fill("#setup-password", PASSWORD)
        page.fill("#setup-again", PASSWORD)
        page.click("#setup-submit")
        expect(page).to_have_url(re.compile(r"/login\?done=1$"))
    finally:
        context.close()
    return PERSON


def log_in(browser: Browser, origin: str, name: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=origin)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto("/login")
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(f"{origin}/")
    return context, page


def test_the_web_client_loads_over_https_by_name(
    trusting_browser: Browser, clinic: Node, person: str
) -> None:
    link = urlsplit(login_link(clinic))
    assert (link.scheme, link.hostname) == ("https", SERVER_NAME)
    context, page = log_in(trusting_browser, f"https://{SERVER_NAME}:{link.port}", person)
    try:
        expect(page.locator("h1")).to_have_count(1)
        live(page)  # the live channel: a WebSocket over TLS (wss://), allowed by the CSP
        cookies = context.cookies()
        assert cookies
        for cookie in cookies:  # every cookie: __Host-, Secure, HttpOnly, SameSite=Strict
            assert cookie["name"].startswith("__Host-"), cookie["name"]
            assert cookie["secure"]
            assert cookie["httpOnly"]
            assert cookie["sameSite"] == "Strict"
            assert cookie["path"] == "/"
            assert cookie["domain"] == SERVER_NAME  # a host-only cookie: no Domain attribute
    finally:
        context.close()


def test_the_status_says_where_the_web_client_is(clinic: Node) -> None:
    web = clinic.status()["web"]
    link = urlsplit(login_link(clinic))
    assert web["url"] == f"https://{SERVER_NAME}:{link.port}/"
    assert web["https"] is True
    assert web["certificate_until"] > datetime.datetime.now(datetime.UTC).isoformat()[:10]
    ca = tls.read_certificate(TlsFiles(clinic.home / "tls").ca)
    assert web["ca_fingerprint"] == tls.fingerprint(ca)


def test_the_web_client_loads_over_https_by_address(
    trusting_browser: Browser, clinic: Node, person: str
) -> None:
    link = urlsplit(login_link(clinic))
    context, page = log_in(trusting_browser, f"https://{SERVER_ADDRESS}:{link.port}", person)
    try:
        expect(page.locator("h1")).to_have_count(1)
        live(page)
        assert urlsplit(page.url).hostname == SERVER_ADDRESS
    finally:
        context.close()


def test_plain_http_gets_nothing_from_the_tls_port(trusting_browser: Browser, clinic: Node) -> None:
    link = urlsplit(login_link(clinic))
    page = trusting_browser.new_page()
    try:
        with pytest.raises(Error, match="ERR_"):
            page.goto(f"http://{SERVER_NAME}:{link.port}/", timeout=WAIT_MS)
    finally:
        page.close()


class _Server:
    """An HTTPS server on ``address`` presenting a certificate the practice CA signed."""

    def __init__(self, folder: Path, address: str, chain: bytes, key: bytes) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "chain.pem").write_bytes(chain)
        (folder / "key.pem").write_bytes(key)
        (folder / "key.pem").chmod(0o600)
        (folder / "index.html").write_text("<h1>poste</h1>")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(folder / "chain.pem", folder / "key.pem")

        handler = functools.partial(_Quiet, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer((address, 0), handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_certificate_outside_the_name_constraints_is_refused(
    trusting_browser: Browser, clinic: Node, tmp_path: Path
) -> None:
    # The practice CA's own key, as a thief holding the server's disk would have it.
    unlocked = keystore.unlock(HomeLayout(clinic.home), None)
    password = tls.key_password(unlocked.cipher.subkey(TLS_KEY_PURPOSE))
    files = TlsFiles(clinic.home / "tls")
    ca = tls.read_certificate(files.ca)
    ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    now = datetime.datetime.now(datetime.UTC)
    servers = []
    try:
        for name, address in ((INSIDE_NAME, INSIDE_ADDRESS), (OUTSIDE_NAME, OUTSIDE_ADDRESS)):
            leaf, key = tls.issue_server(ca, ca_key, parse_names([name]), now)
            chain = leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
                serialization.Encoding.PEM
            )
            pem_key = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            servers.append(_Server(tmp_path / name, address, chain, pem_key))
        inside, outside = servers
        page = trusting_browser.new_page()
        try:
            response = page.goto(f"https://{INSIDE_NAME}:{inside.port}/", timeout=WAIT_MS)
            assert response is not None
            assert response.ok  # inside the constraints: trusted
            with pytest.raises(Error) as refused:
                page.goto(f"https://{OUTSIDE_NAME}:{outside.port}/", timeout=WAIT_MS)
            # Signed by a trusted CA, refused for its name: not ERR_CERT_AUTHORITY_INVALID.
            assert "net::ERR_CERT_INVALID" in str(refused.value)
        finally:
            page.close()
    finally:
        for server in servers:
            server.close()
