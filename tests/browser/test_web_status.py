"""The status, readiness check and search screens in a real Chromium, against two real nodes
(issue #14): the readiness table filled live and the probe in no inbox; the status screen's
outbox following a contact going down and coming back; search by contact and text, with the
query kept out of URLs and logs and the results escaped; the escalation reminder on the
browser's clock; CSRF refused on every form; axe-core on every screen, in both languages."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import GP_NAME, PHARMACY_NAME
from tests.browser.helpers import WAIT_MS, axe_violations, contact_id, live, log_in
from tests.integration.nodes import Node, wait_for

pytestmark = pytest.mark.integration

GP_PHONE = "02 98 00 00 00"
# Records the notifications a page shows (headless Chromium has no notification centre).
NOTIFICATIONS = """
window.__notes = [];
class RecordedNotification {
  constructor(title, options) { window.__notes.push({title, options: options || {}}); }
  static requestPermission() { return Promise.resolve("granted"); }
}
RecordedNotification.permission = "granted";
window.Notification = RecordedNotification;
"""


def nothing_new(node: Node, before: int) -> None:
    """The node shows no more conversation messages than ``before``, and nothing unread."""
    assert node.status()["unread"] == 0
    assert len(node.request("GET", "/v1/messages?limit=1000")["messages"]) == before
    assert node.request("GET", "/v1/inbox")["messages"] == []


def message_count(node: Node) -> int:
    return len(node.request("GET", "/v1/messages?limit=1000")["messages"])


def read_all(node: Node) -> None:
    for message in node.request("GET", "/v1/inbox")["messages"]:
        node.request("POST", f"/v1/messages/{message['message_id']}/read")
        if message["priority"] == "urgent":
            node.request("POST", f"/v1/messages/{message['message_id']}/ack")


@pytest.fixture
def gp_page(browser: Browser, nodes: tuple[Node, Node]) -> Iterator[tuple[BrowserContext, Page]]:
    context, page = log_in(browser, nodes[0])
    yield context, page
    context.close()


def test_the_readiness_check_fills_the_table_live(
    gp_page: tuple[BrowserContext, Page], nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    read_all(pharmacy)
    before = message_count(pharmacy)
    _, page = gp_page
    page.goto("/check")
    live(page)
    expect(page.locator("nav a[href='/check']")).to_have_attribute("aria-current", "page")
    page.click("#check-start")
    row = page.locator("#check-report tbody tr")
    expect(row).to_have_count(1, timeout=WAIT_MS)
    expect(row).to_have_attribute("data-state", "answered", timeout=WAIT_MS)
    expect(row.locator("th")).to_have_text(PHARMACY_NAME)  # a peer's name, escaped
    expect(row.locator("td").nth(1)).to_have_text("direct")
    expect(row.locator("td").nth(2)).to_have_text("direct")
    expect(row.locator("td").nth(3)).to_have_text(re.compile(r"^\d+ ms$"))
    expect(page.locator("#check-summary")).to_have_text("1 contact(s) sur 1 ont répondu.")
    assert page.evaluate("window.__xss") is None
    assert axe_violations(page) == []
    # The probe shows nowhere on the other side: no message, nothing unread, no inbox (the
    # answer was received: the probe was committed there before it was answered).
    nothing_new(pharmacy, before)
    report = gp.request("GET", "/v1/check")["check"]
    assert report["contacts"][0]["state"] == "answered"


def test_the_check_works_without_javascript(browser: Browser, nodes: tuple[Node, Node]) -> None:
    gp, _ = nodes
    context, page = log_in(browser, gp, java_script_enabled=False)
    try:
        previous = gp.request("GET", "/v1/check")["check"]
        assert previous is not None
        wait_for(lambda: not gp.request("GET", "/v1/check")["check"]["running"], 60, "idle")
        page.goto("/check")
        with page.expect_navigation():
            page.click("#check-start")
        assert urlsplit(page.url).path == "/check"

        def finished() -> dict[str, Any] | None:
            check: dict[str, Any] = gp.request("GET", "/v1/check")["check"]
            new = check["started_at"] != previous["started_at"]
            return check if new and not check["running"] else None

        check = wait_for(finished, WAIT_MS / 1000, "the check started by the form")
        assert check["contacts"][0]["state"] == "answered", check
        page.goto("/check")  # no live channel: the person reloads
        expect(page.locator("#check-report tr[data-state=answered]")).to_have_count(1)
        expect(page.locator("#check-summary")).to_have_text("1 contact(s) sur 1 ont répondu.")
    finally:
        context.close()


def test_the_status_screen_follows_the_outbox(
    gp_page: tuple[BrowserContext, Page], nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    _, page = gp_page
    page.goto("/status")
    live(page)
    expect(page.locator("h1")).to_have_text("État du poste")
    expect(page.locator("#node-name")).to_have_text(GP_NAME)
    expect(page.locator("#node-version")).not_to_be_empty()
    expect(page.locator("#relays")).to_contain_text("Aucun relais configuré")
    expect(page.locator("#outbox-empty")).to_be_visible()
    expect(page.locator("#audit-result")).to_have_attribute("data-ok", "1")
    assert axe_violations(page) == []

    pharmacy.stop()
    try:
        gp.send("Pharmacie", f"en attente {time.monotonic_ns()}")
        row = page.locator(f"#outbox tr[data-contact='{contact_id(gp, 'Pharmacie')}']")
        expect(row).to_be_visible(timeout=WAIT_MS)  # pushed by the live channel
        expect(row.locator("th")).to_have_text(PHARMACY_NAME)
        expect(row.locator("td").first).to_have_text("1")
        assert axe_violations(page) == []
    finally:
        pharmacy.start()
    expect(page.locator("#outbox-empty")).to_be_visible(timeout=WAIT_MS)
    assert page.evaluate("window.__notReloaded") is True
    page.click("#audit-verify")
    expect(page.locator("#audit-result")).to_have_attribute("data-ok", "1")
    read_all(pharmacy)


def test_urgent_messages_waiting_show_whom_to_call(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    context, page = log_in(browser, pharmacy)
    try:
        sent = pharmacy.request(
            "POST",
            "/v1/messages",
            {"contact": "Dr Camille", "text": "Rappel urgent", "priority": "urgent"},
        )
        page.goto("/status")
        row = page.locator(f"#urgent-ours tr[data-message='{sent['message_id']}']")
        expect(row).to_be_visible(timeout=WAIT_MS)
        expect(row.locator("th")).to_have_text(GP_NAME)
        expect(row.locator("a[href^='tel:']")).to_have_text(f"appelez le {GP_PHONE}")
        expect(row.locator("a[href^='tel:']")).to_have_attribute("href", "tel:0298000000")
        # The GP's own screen lists it to acknowledge.
        wait_for(lambda: gp.request("GET", "/v1/inbox")["messages"], 30, "the urgent message")
        gp_context, gp_page = log_in(browser, gp)
        gp_page.goto("/status")
        expect(
            gp_page.locator(f"#urgent-theirs tr[data-message='{sent['message_id']}']")
        ).to_be_visible()
        assert axe_violations(gp_page) == []
        gp_context.close()
    finally:
        context.close()
        read_all(gp)


def test_search_by_contact_and_text_escaped_and_out_of_urls(
    gp_page: tuple[BrowserContext, Page], nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    marker = f"{time.monotonic_ns()}"
    payload = f"Patiente Hélène Zéphyr-{marker} <script>window.__xss2=1</script> à revoir"
    sent = pharmacy.send("Dr Camille", payload)
    wait_for(
        lambda: any(m["message_id"] == sent["message_id"] for m in gp.received()),
        30,
        "the message",
    )
    _, page = gp_page
    page.goto("/")
    page.fill("#q", f"helene zephyr-{marker}")  # no accents, other case: still found
    page.click("#search-submit")
    assert urlsplit(page.url).path == "/search"
    assert marker not in page.url
    result = page.locator(f"#search-results li[data-message='{sent['message_id']}']")
    expect(result).to_have_count(1)
    expect(result.locator("mark")).to_have_text(f"Hélène Zéphyr-{marker}")
    expect(result.locator(".excerpt")).to_contain_text("<script>window.__xss2=1</script>")
    assert page.evaluate("window.__xss2") is None
    assert marker not in page.title()
    expect(page.locator("#q")).to_have_value(f"helene zephyr-{marker}")
    assert axe_violations(page) == []
    result.locator("a").click()
    assert urlsplit(page.url).path == f"/c/{contact_id(gp, 'Pharmacie')}"
    expect(page.locator(f"#m-{sent['message_id']}")).to_contain_text(f"Zéphyr-{marker}")

    # By the contact's name: every recent message of that conversation.
    page.fill("#q", "pharmacie")
    page.click("#search-submit")
    expect(page.locator("#search-results li").first).to_contain_text("contact")
    # Too short: refused next to the field.
    page.fill("#q", "x")
    page.click("#search-submit")
    expect(page.locator("#search-error")).to_be_visible()
    expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#q")).to_have_attribute("aria-describedby", "search-error")
    assert axe_violations(page) == []
    # Nothing of the query in the node's log.
    assert marker not in gp.stderr_path.read_text(errors="replace")
    read_all(gp)


def test_every_form_refuses_a_missing_csrf_token(
    gp_page: tuple[BrowserContext, Page], nodes: tuple[Node, Node]
) -> None:
    gp, _ = nodes
    _, page = gp_page
    page.goto("/status")
    before = gp.request("GET", "/v1/check")["check"]
    for path, body in (
        ("/check", ""),
        ("/status/audit", ""),
        ("/search", "q=helene"),
        ("/search", "q=helene&csrf=wrong"),
    ):
        status = page.evaluate(
            "([path, body]) => fetch(path, {method: 'POST', body, headers: "
            "{'Content-Type': 'application/x-www-form-urlencoded'}}).then(r => r.status)",
            [path, body],
        )
        assert status == 403, path
    # No check was started by the refused form.
    assert gp.request("GET", "/v1/check")["check"] == before


def test_the_reminder_repeats_while_an_urgent_message_waits(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    context, page = log_in(browser, gp)
    try:
        context.add_init_script(NOTIFICATIONS)
        page.clock.install()
        page.goto("/")
        live(page)
        sent = pharmacy.request(
            "POST",
            "/v1/messages",
            {"contact": "Dr Camille", "text": "Toujours là ?", "priority": "urgent"},
        )
        wait_for(
            lambda: any(m["message_id"] == sent["message_id"] for m in gp.received()),
            30,
            "the urgent message",
        )
        expect(page.locator("#urgent-banner")).to_be_visible(timeout=WAIT_MS)
        page.clock.fast_forward("05:01")
        expect(page.locator("body")).to_have_attribute("data-reminded", re.compile(r"^[1-9]"))
        reminder = re.compile(
            rf"^Message urgent de {re.escape(PHARMACY_NAME)} non acquitté depuis \d+ min$"
        )
        notes = page.evaluate("window.__notes")
        reminders = [n for n in notes if n["options"].get("tag") == f"remind-{sent['message_id']}"]
        assert reminders
        assert reminder.match(reminders[-1]["title"]), reminders[-1]["title"]
        assert reminders[-1]["options"]["renotify"] is True
        assert "Toujours" not in str(notes)  # never what it says
        # Again a few minutes later, as long as nobody acknowledged it.
        page.clock.fast_forward("05:01")
        expect(page.locator("body")).to_have_attribute("data-remind-rounds", "2")
        count = len(page.evaluate("window.__notes"))
        gp.request("POST", f"/v1/messages/{sent['message_id']}/ack")
        page.clock.fast_forward("05:01")
        expect(page.locator("body")).to_have_attribute("data-remind-rounds", "3")
        late = [
            n
            for n in page.evaluate("window.__notes")[count:]
            if n["options"].get("tag") == f"remind-{sent['message_id']}"
        ]
        assert late == []
    finally:
        context.close()
        read_all(gp)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_axe_on_each_screen(browser: Browser, nodes: tuple[Node, Node], lang: str) -> None:
    gp, _ = nodes
    context, page = log_in(browser, gp)
    try:
        if lang == "en":
            page.select_option("#lang", "en")
            page.click("form[action='/language'] button")
        pharmacy = contact_id(gp, "Pharmacie")
        for path in ("/status", "/check", "/search", "/records", f"/c/{pharmacy}/file"):
            page.goto(path)
            assert axe_violations(page) == [], f"{path} ({lang})"
        page.fill("#q", "Dr")
        page.click("#search-submit")
        assert axe_violations(page) == [], f"search results ({lang})"
    finally:
        context.close()


def test_a_check_run_from_the_command_line_shows_up(
    gp_page: tuple[BrowserContext, Page], nodes: tuple[Node, Node]
) -> None:
    gp, _ = nodes
    _, page = gp_page
    page.clock.install()
    page.goto("/check")
    live(page)
    wait_for(lambda: not (gp.request("GET", "/v1/check")["check"] or {}).get("running"), 60, "idle")
    shown = (
        page.locator("#check-report").get_attribute("data-started")
        if page.locator("#check-report").count()
        else None
    )
    check = gp.request("POST", "/v1/check", {"timeout_seconds": 5})["check"]
    assert check["contacts"][0]["state"] == "answered"
    page.clock.fast_forward("00:16")  # status.js looks again every 15 s
    report = page.locator("#check-report")
    expect(report).not_to_have_attribute("data-started", shown or "", timeout=WAIT_MS)
    expect(report.locator("tr[data-state=answered]")).to_have_count(1)
    assert page.evaluate("window.__notReloaded") is True
