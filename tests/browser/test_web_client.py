"""The web client in a real Chromium, against two real nodes (issue #14): logging in, text both
ways with live updates, an urgent message acknowledged, eight tabs, the path without
JavaScript, and axe-core on every screen."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import GP_NAME
from tests.browser.helpers import (
    WAIT_MS,
    axe_violations,
    contact_id,
    live,
    log_in,
    login_link,
    not_reloaded,
)
from tests.integration.nodes import Node, cli, wait_for

pytestmark = pytest.mark.integration


def test_releve_open_prints_a_one_time_link(browser: Browser, nodes: tuple[Node, Node]) -> None:
    gp, _ = nodes
    printed = cli(gp.home, "--lang", "fr", "ouvrir", "--no-browser").stdout
    link = re.search(r"http://127\.0\.0\.1:\d+/login\?token=[\w-]+", printed)
    assert link is not None, printed
    assert "une seule fois" in printed
    context = browser.new_context()
    page = context.new_page()
    page.goto(link[0])
    expect(page.locator("h1")).to_have_text("Conversations")
    cookie = next(c for c in context.cookies() if c["name"].startswith("releve_session_"))
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    # The same link again, from another browser: refused, and no session.
    other = browser.new_context()
    replay = other.new_page()
    response = replay.goto(link[0])
    assert response is not None
    assert response.status == 403
    expect(replay.locator("[data-error=expired]")).to_be_visible()
    assert not [c for c in other.cookies() if c["name"].startswith("releve_session_")]
    other.close()
    context.close()


def test_login_rotates_the_session(browser: Browser, nodes: tuple[Node, Node]) -> None:
    """A session id planted before the login (fixation) or held before it is never kept."""
    gp, _ = nodes
    context, page = log_in(browser, gp)
    first = next(c for c in context.cookies() if c["name"].startswith("releve_session_"))
    page.goto(login_link(gp))
    second = next(c for c in context.cookies() if c["name"].startswith("releve_session_"))
    assert second["value"] != first["value"]
    stale = browser.new_context()
    stale.add_cookies(
        [
            {
                "name": first["name"],
                "value": first["value"],
                "domain": first["domain"],
                "path": first["path"],
                "httpOnly": True,
                "sameSite": "Strict",
            }
        ]
    )
    response = stale.new_page().goto(page.url)
    assert response is not None
    assert response.status == 401
    stale.close()
    context.close()


def test_text_both_ways_updates_the_other_page_live(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    gp_context, gp_page = log_in(browser, gp)
    ph_context, ph_page = log_in(browser, pharmacy)
    gp_page.locator(".conversation a").first.click()
    ph_page.locator(".conversation a").first.click()
    live(gp_page)
    live(ph_page)

    gp_page.fill("#text", "Bonjour, le patient de 10 h est-il passé ?")
    gp_page.click("#send")
    expect(gp_page.locator(".message.out").last).to_contain_text("le patient de 10 h")
    live(gp_page)  # the form reloaded the sender's page: wait for its socket again
    received = ph_page.locator(".message.in", has_text="le patient de 10 h")
    expect(received).to_have_count(1, timeout=WAIT_MS)
    assert not_reloaded(ph_page)

    ph_page.fill("#text", "Oui, il est passé à 10 h 20.")
    ph_page.click("#send")
    expect(gp_page.locator(".message.in", has_text="10 h 20")).to_have_count(1, timeout=WAIT_MS)
    assert not_reloaded(gp_page)
    # The pharmacy had the conversation open: the GP's message turns "read" there, live.
    mine = gp_page.locator(".message.out", has_text="le patient de 10 h")
    expect(mine.locator(".status")).to_have_text("lu", timeout=WAIT_MS)
    gp_context.close()
    ph_context.close()


def test_urgent_message_acknowledged_clears_the_senders_banner(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    gp_context, gp_page = log_in(browser, gp)
    ph_context, ph_page = log_in(browser, pharmacy)
    live(ph_page)
    gp_page.locator(".conversation a").first.click()
    gp_page.fill("#text", "Urgent : rappelez-moi pour l'ordonnance de Mme D.")
    gp_page.check("#priority-urgent")
    gp_page.click("#send")
    live(gp_page)
    expect(gp_page.locator("#awaiting-banner")).to_be_visible()

    # The pharmacy's list: the red banner and the conversation on top, without reload.
    expect(ph_page.locator("#urgent-banner")).to_be_visible(timeout=WAIT_MS)
    expect(ph_page.locator(".conversation").first).to_have_class(re.compile("urgent"))
    assert re.match(r"^\(\d+\) ", ph_page.title())
    assert "Mme D." not in ph_page.title()
    ph_page.locator("#urgent-banner a").first.click()
    urgent = ph_page.locator(".message.in.urgent", has_text="Mme D.")
    urgent.locator("button.ack").click()
    expect(urgent.locator(".acknowledged")).to_be_visible()
    expect(ph_page.locator("#urgent-banner")).to_have_count(0)

    expect(gp_page.locator("#awaiting-banner")).to_have_count(0, timeout=WAIT_MS)
    mine = gp_page.locator(".message.out", has_text="Mme D.")
    expect(mine.locator(".acknowledged")).to_be_visible()
    assert not_reloaded(gp_page)
    gp_context.close()
    ph_context.close()


def test_eight_tabs_all_receive_a_live_update(browser: Browser, nodes: tuple[Node, Node]) -> None:
    gp, pharmacy = nodes
    context, first = log_in(browser, pharmacy)
    tabs = [first] + [context.new_page() for _ in range(7)]
    for tab in tabs[1:]:
        tab.goto(first.url)
    for tab in tabs:
        live(tab)
    text = f"Huit onglets {time.monotonic_ns()}"
    gp.send(contact_id(gp, "Pharmacie"), text)
    for tab in tabs:
        expect(tab.locator(".conversation .preview", has_text=text)).to_have_count(
            1, timeout=WAIT_MS
        )
        assert not_reloaded(tab)
    context.close()


def test_without_javascript_reads_and_sends(browser: Browser, nodes: tuple[Node, Node]) -> None:
    gp, pharmacy = nodes
    text = f"Sans JavaScript {time.monotonic_ns()}"
    gp.send(contact_id(gp, "Pharmacie"), text)
    wait_for(lambda: any(m["text"] == text for m in pharmacy.received()), 30, "the message")
    context, page = log_in(browser, pharmacy, java_script_enabled=False)
    page.locator(".conversation a").first.click()
    expect(page.locator(".message.in", has_text=text)).to_have_count(1)
    page.fill("#text", "Réponse envoyée sans JavaScript")
    page.click("#send")
    expect(page.locator(".message.out", has_text="sans JavaScript")).to_have_count(1)
    wait_for(
        lambda: any(m["text"] == "Réponse envoyée sans JavaScript" for m in gp.received()),
        30,
        "the reply at the GP's node",
    )
    # The language switch is a plain form too, and is remembered.
    page.select_option("#lang", "en")
    page.click("form[action='/language'] button")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#compose h2")).to_have_text("Write")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    context.close()


def test_axe_finds_no_violation_on_any_screen(browser: Browser, nodes: tuple[Node, Node]) -> None:
    gp, _ = nodes
    for lang in ("fr", "en"):
        context, page = log_in(browser, gp)
        if lang == "en":
            page.select_option("#lang", "en")
            page.click("form[action='/language'] button")
            expect(page.locator("html")).to_have_attribute("lang", "en")
        screens = {"conversations": page.url}
        page.locator(".conversation a").first.click()
        expect(page.locator("#compose")).to_be_visible()
        screens["conversation"] = page.url
        for name, url in screens.items():
            page.goto(url)
            assert axe_violations(page) == [], f"{name} ({lang})"
        page.goto("/nowhere")
        assert axe_violations(page) == [], f"not found ({lang})"
        context.close()
    # The page a browser without a session sees.
    anonymous = browser.new_context()
    page = anonymous.new_page()
    page.goto(login_link(gp).split("/login")[0] + "/")
    assert axe_violations(page) == [], "log-in needed"
    anonymous.close()


def test_gp_name_is_shown_escaped_to_the_pharmacy(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    _, pharmacy = nodes
    context, page = log_in(browser, pharmacy)
    expect(page.locator(".conversation .name").first).to_have_text(GP_NAME)
    context.close()


def test_older_messages_are_reached_by_the_pages_link(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    """A conversation longer than a page: its "older" link (a cursor holding "+", which a
    query string reads as a space unless encoded) opens the previous page."""
    gp, pharmacy = nodes
    gp_contact = contact_id(pharmacy, GP_NAME)
    before = len(pharmacy.received())
    for number in range(60):
        gp.send(contact_id(gp, "Pharmacie"), f"Pagination {number:02d}")
    wait_for(lambda: len(pharmacy.received()) >= before + 60, 60, "60 messages received")
    context, page = log_in(browser, pharmacy)
    page.goto(f"/c/{gp_contact}")
    expect(page.locator(".message.in", has_text="Pagination 59")).to_have_count(1)
    expect(page.locator(".message.in", has_text="Pagination 00")).to_have_count(0)
    with page.expect_navigation():
        page.locator(f'a[href^="/c/{gp_contact}?before="]').click()
    expect(page.locator(".message.in", has_text="Pagination 00")).to_have_count(1)
    expect(page.locator(".message.in", has_text="Pagination 59")).to_have_count(0)
    context.close()
