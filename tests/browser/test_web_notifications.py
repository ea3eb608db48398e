"""The notification a tab shows when a message arrives (issue #14, invariant 8): who wrote and
whether it is urgent, louder for an urgent one (it stays until dismissed, and the assertive live
region says it), never a word of the message nor its patient; the title's badge counts."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import GP_NAME
from tests.browser.helpers import WAIT_MS, contact_id, live, log_in
from tests.browser.test_web_status import NOTIFICATIONS, read_all
from tests.integration.nodes import Node

pytestmark = pytest.mark.integration


def _notes(page: Any, tag: str) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = page.evaluate("window.__notes")
    return [note for note in notes if note["options"].get("tag") == tag]


def test_a_new_message_is_notified_by_its_sender_only(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    context, page = log_in(browser, pharmacy)
    try:
        context.add_init_script(NOTIFICATIONS)
        page.goto("/")
        live(page)
        patient = f"LEFEBVRE{time.monotonic_ns() % 10**6}"
        to_pharmacy = contact_id(gp, "Pharmacie")
        normal = gp.send(to_pharmacy, f"Ordonnance de Mme {patient} prête demain ?")
        expect(page.locator("#announce")).to_have_text(f"Nouveau message de {GP_NAME}")
        expect(page.locator("body")).to_have_attribute(
            "data-pushes", re.compile(r"^[1-9]"), timeout=WAIT_MS
        )
        [note] = _notes(page, normal["message_id"])
        assert note["title"] == f"Nouveau message de {GP_NAME}"
        assert note["options"]["requireInteraction"] is False

        handoff = {
            "patient": {
                "birth_name": patient,
                "first_names": "Jeanne",
                "birth_date": "1941-06-12",
                "sex": "F",
            },
            "situation": "Chute, fracture du poignet",
            "background": "Ostéoporose",
            "assessment": "Stable",
            "request": "Passage infirmier ce soir",
            "severity": "watcher",
        }
        urgent = gp.request(
            "POST",
            "/v1/messages",
            {"contact": to_pharmacy, "kind": "handoff", "handoff": handoff, "priority": "urgent"},
        )
        expect(page.locator("#announce-urgent")).to_have_text(
            f"Nouveau message urgent de {GP_NAME}", timeout=WAIT_MS
        )
        expect(page).to_have_title(re.compile(r"^\(\d+\) Conversations"))
        [note] = _notes(page, urgent["message_id"])
        assert note["title"] == f"Nouveau message urgent de {GP_NAME}"
        assert note["options"]["requireInteraction"] is True  # stays until dismissed
        everything = str(page.evaluate("window.__notes")) + page.title()
        for secret in (patient, "Jeanne", "poignet", "Ordonnance"):
            assert secret not in everything
    finally:
        context.close()
        read_all(pharmacy)
