"""What the browser tests share: logging in by a one-time link, waiting for the live channel,
a clinic server with a paired pharmacy, and axe-core (vendored, injected by the test: the node
never serves it)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.integration.nodes import Node, running_pair

AXE: Final = Path(__file__).parent / "vendor" / "axe.min.js"
WAIT_MS: Final = 30_000  # a loaded machine (2 shared cores): generous, but a bound


def login_link(node: Node) -> str:
    link: str = node.request("POST", "/v1/web/login")["url"]
    return link


def web_origin(node: Node) -> str:
    parts = urlsplit(login_link(node))
    return f"{parts.scheme}://{parts.netloc}"


def contact_id(node: Node, name_prefix: str) -> str:
    for contact in node.contacts():
        if contact["name"].startswith(name_prefix):
            return str(contact["contact_id"])
    raise AssertionError(f"no contact {name_prefix!r}")


def log_in(browser: Browser, node: Node, **options: Any) -> tuple[BrowserContext, Page]:
    link = login_link(node)
    parts = urlsplit(link)
    context = browser.new_context(base_url=f"{parts.scheme}://{parts.netloc}", **options)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(link)
    expect(page.locator("h1")).to_have_count(1)
    assert urlsplit(page.url).path == "/"
    return context, page


def live(page: Page) -> Page:
    """Waits until the page's WebSocket is open (pushes from now on reach it)."""
    expect(page.locator("body")).to_have_attribute("data-socket", "open", timeout=WAIT_MS)
    page.evaluate("window.__notReloaded = true")
    return page


def not_reloaded(page: Page) -> bool:
    return bool(page.evaluate("window.__notReloaded === true"))


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page (WCAG 2.1 A and AA rules, and best practices)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => { const r = await axe.run(document); "
        "return JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, "
        "nodes: v.nodes.map(n => n.target.join(' '))}))); }"
    )
    violations: list[dict[str, Any]] = json.loads(result)
    return violations


@contextlib.contextmanager
def clinic_with_pharmacy(
    root: Path, practice: str, role: str = "practice", *server_options: str
) -> Iterator[tuple[Node, Node]]:
    """A clinic server (a real node, ``clinic_server = true``, started with ``server_options``)
    and a paired pharmacy, their pairing settled; both killed at the end."""
    server = Node(root / "server", practice, role)
    pharmacy = Node(root / "pharmacy", "Pharmacie du Port", "pharmacist")
    with running_pair(server, pharmacy, *server_options, clinic=True) as nodes:
        yield nodes
