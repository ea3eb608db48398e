"""A clinic server's logins in a real Chromium (issue #15 part A): a real `releve node` in
clinic mode, two people in two browser contexts. Each chooses a password with the operator's
setup link (`releve user add`) and logs in; a half-written form survives the idle lock; a
person disabled by the operator (`releve user disable`) is logged out at once, live channel
included; axe-core finds nothing on the new screens. The guide's screenshots of these screens
(docs/guide/login.md) are drawn here too: into docs/images/web/ with ``make screenshots``
(RELEVE_SCREENSHOTS=1), else into a temporary folder (the screens must render)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.browser.helpers import WAIT_MS, axe_violations, live
from tests.integration.nodes import Node, cli

pytestmark = pytest.mark.integration

GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images" / "web"
VIEWPORT: ViewportSize = {"width": 1100, "height": 780}
MIN_PNG_BYTES = 10_000  # a drawn screen, not a blank one
PASSWORD = "une phrase assez longue"
# Short enough for a test, long enough that a loaded machine does not lock a page mid-step.
LOCK_MINUTES = 0.25


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    root = tmp_path_factory.mktemp("clinic")
    node = Node(root / "server", "Cabinet du Parc", "practice")
    try:
        node.init()
        config = node.home / "config.toml"
        config.write_text(
            config.read_text(encoding="utf-8")
            + f"\n[web]\nclinic_server = true\nlock_after_minutes = {LOCK_MINUTES}\n",
            encoding="utf-8",
        )
        node.start()
        yield node
    finally:
        if node.process is not None:
            node.kill()


def add_user(node: Node, name: str, role: str) -> str:
    """``releve user add``: the setup link it prints (as JSON here)."""
    added = cli(node.home, "user", "add", name, "--role", role, "--json").stdout
    link: str = json.loads(added)["setup"]["url"]
    return link


def origin(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.scheme}://{parts.netloc}"


def person(browser: Browser, node: Node, name: str, role: str) -> tuple[BrowserContext, Page]:
    """A new person chooses their password with their setup link, then logs in."""
    link = add_user(node, name, role)
    context = browser.new_context(base_url=origin(link))
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Choisir votre mot de passe")
    assert axe_violations(page) == [], "setup"
    page.fill("#setup-password", PASSWORD)
    page.fill("#setup-again", PASSWORD)
    page.click("#setup-submit")
    expect(page.locator("h1")).to_have_text("Connexion")
    assert axe_violations(page) == [], "login"
    page.fill("#login-name", name.upper())  # case does not matter
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#person")).to_contain_text(name)
    cookie = next(c for c in context.cookies() if c["name"].startswith("releve_session_"))
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    return context, page


def test_two_people_log_in_and_a_link_opens_nothing(browser: Browser, server: Node) -> None:
    anne, anne_page = person(browser, server, "Anne Roux", "secretary")
    paul, paul_page = person(browser, server, "Dr Paul Durand", "admin")
    # Each sees their own account; only the admin sees the users.
    anne_page.goto("/account")
    expect(anne_page.locator("#account-name")).to_have_text("Anne Roux")
    expect(anne_page.locator("#my-actions [data-event=login]")).to_have_count(1)
    assert axe_violations(anne_page) == [], "my account"
    expect(anne_page.locator("a[href='/users']")).to_have_count(0)
    paul_page.goto("/users")
    expect(paul_page.locator("#people")).to_contain_text("Anne Roux")
    assert axe_violations(paul_page) == [], "users"
    # `releve ouvrir` on a clinic server gives the login page: no session without a password.
    link = server.request("POST", "/v1/web/login")["url"]
    assert urlsplit(link).path == "/login"
    stranger = browser.new_context()
    page = stranger.new_page()
    page.goto(link)
    expect(page.locator("#login-password")).to_be_visible()
    page.goto(origin(link) + "/")
    assert urlsplit(page.url).path == "/login"
    stranger.close()
    anne.close()
    paul.close()


def test_the_idle_lock_keeps_a_half_written_form(browser: Browser, server: Node) -> None:
    context, page = person(browser, server, "Dr Inès Moreau", "admin")
    page.goto("/users")
    live(page)
    page.fill("#user-name", "Chloé Morel")
    page.select_option("#user-role", "secretary")
    # Nobody touches the screen: it locks, covering the page, and asks for the password.
    lock = page.locator("#lock")
    expect(lock).to_be_visible(timeout=LOCK_MINUTES * 60_000 + WAIT_MS)
    expect(page.locator("body")).to_have_attribute("data-locked", "1")
    assert axe_violations(page) == [], "locked"
    page.fill("#lock-password", "pas le bon mot de passe")
    page.click("#lock-submit")
    expect(page.locator("#lock-error")).to_contain_text("incorrect")
    page.fill("#lock-password", PASSWORD)
    page.click("#lock-submit")
    expect(lock).to_be_hidden()
    # The form is as it was, and goes through with its token.
    expect(page.locator("#user-name")).to_have_value("Chloé Morel")
    page.click("#add-user button[type=submit]")
    expect(page.locator("#setup-code")).to_contain_text("Chloé Morel")
    context.close()
    # `releve audit export` names the person: their account id, and the subject.
    entries = [json.loads(line) for line in cli(server.home, "audit", "export").stdout.split()]
    unlocked = [e for e in entries if e["event"] == "unlocked"]
    assert len(unlocked) == 1
    assert unlocked[0]["actor"] == "account:" + unlocked[0]["subject"]


def test_a_disabled_person_is_logged_out_at_once(browser: Browser, server: Node) -> None:
    context, page = person(browser, server, "Bruno Petit", "secretary")
    live(page)
    cli(server.home, "user", "disable", "Bruno Petit")
    # The live channel closes (4401) and the page goes back to the login form by itself.
    page.wait_for_url("**/login**", timeout=WAIT_MS)
    expect(page.locator("#login-password")).to_be_visible()
    page.fill("#login-name", "Bruno Petit")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_be_visible()
    context.close()


def test_failed_logins_are_slowed(browser: Browser, server: Node) -> None:
    add_user(server, "Zoé Blanc", "secretary")
    link = server.request("POST", "/v1/web/login")["url"]
    context = browser.new_context()
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    error = page.locator("#login-error")
    slowed_at = None
    # The first five failures are free; then each attempt must wait twice as long as the
    # previous one (1 s, 2 s, 4 s...). An attempt made after that wait is checked as usual,
    # so on a busy machine the refusal may come an attempt or two later: by the tenth the
    # wait (32 s) is longer than any round trip here.
    for attempt in range(10):
        page.goto(link)
        page.fill("#login-name", "Zoé Blanc")
        page.fill("#login-password", f"essai numéro {attempt}")
        page.click("#login-submit")
        expect(error).to_be_visible()
        if "réessayez dans" in (error.text_content() or ""):
            slowed_at = attempt
            break
    assert slowed_at is not None
    assert slowed_at >= 5  # the first five are never slowed
    context.close()
    # Logged (the account, the address), never what was typed.
    log = (server.home / "node.log").read_text(encoding="utf-8", errors="replace")
    assert "failed web login" in log
    assert "essai" not in log
    assert "essai" not in server.stderr_path.read_text(encoding="utf-8", errors="replace")


def _shot(page: Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    assert path.stat().st_size > MIN_PNG_BYTES, name


def test_guide_screenshots(browser: Browser, server: Node, tmp_path: Path) -> None:
    """The first login, the login form, the locked screen and My account, in French."""
    folder = tmp_path
    if os.environ.get("RELEVE_SCREENSHOTS") == "1":
        GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
        folder = GUIDE_IMAGES
    link = add_user(server, "Claire Martin", "clinician")
    context = browser.new_context(base_url=origin(link), viewport=VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(link)
    page.fill("#setup-password", PASSWORD)
    page.fill("#setup-again", PASSWORD)
    _shot(page, folder, "login-setup")
    page.click("#setup-submit")
    page.fill("#login-name", "Claire Martin")
    page.fill("#login-password", PASSWORD)
    _shot(page, folder, "login")
    page.click("#login-submit")
    page.goto("/account")
    expect(page.locator("#account-name")).to_have_text("Claire Martin")
    _shot(page, folder, "login-account")
    live(page)
    expect(page.locator("#lock")).to_be_visible(timeout=LOCK_MINUTES * 60_000 + WAIT_MS)
    _shot(page, folder, "login-locked")
    context.close()
