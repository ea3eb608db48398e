"""The handoff form offers a practice's mailboxes, in a real Chromium (issue #15): a pharmacy
(a single-user node) writes a handoff to "Cabinet du Parc — Secrétariat", a clinic server whose
default mailbox is the doctor's. The form and its review pass axe-core, the review names the
mailbox, and the handoff reaches the secretary's page in that mailbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.helpers import WAIT_MS, axe_violations, clinic_with_pharmacy, contact_id, log_in
from tests.browser.test_web_accounts import person
from tests.integration.nodes import Node, cli, wait_for

pytestmark = pytest.mark.integration

PRACTICE = "Cabinet du Parc"


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    root = tmp_path_factory.mktemp("compose-mailboxes")
    with clinic_with_pharmacy(root, PRACTICE) as nodes:
        yield nodes


def test_a_handoff_to_the_secretariat_from_the_pharmacys_form(
    browser: Browser, practice: tuple[Node, Node]
) -> None:
    server, pharmacy = practice
    contexts: list[BrowserContext] = []
    try:
        alice, alice_page = person(browser, server, "Alice Durand", "secretary")
        contexts.append(alice)
        cli(server.home, "mailbox", "add", "Secrétariat", "--member", "Alice Durand")
        cli(server.home, "mailbox", "add", "Dr Martin", "--personal", "--default")

        def told() -> bool:
            listed = next(c for c in pharmacy.contacts() if c["name"] == PRACTICE)
            return len(listed["mailboxes"] or []) == 2

        wait_for(told, WAIT_MS / 1000, "the pharmacy told the practice's mailboxes")
        ph_context, page = log_in(browser, pharmacy)
        contexts.append(ph_context)
        page.goto(f"/c/{contact_id(pharmacy, 'Cabinet')}/handoff")
        expect(page.locator("#f-to_mailbox")).to_be_visible()
        expect(page.locator("#f-from_mailbox")).to_have_count(0)  # a single-user node
        assert axe_violations(page) == [], "handoff form with mailboxes"
        page.select_option("#f-to_mailbox", label="Secrétariat")
        page.fill("#f-patient-birth_name", "ROUX")
        page.fill("#f-patient-first_names", "Jeanne")
        page.fill("#f-patient-birth_date", "1941-05-09")
        page.select_option("#f-patient-sex", "F")
        page.fill("#f-situation", "Retour à domicile")
        page.fill("#f-background", "Diabète de type 2")
        page.fill("#f-assessment", "Stable")
        page.fill("#f-request", "Renouvellement à préparer")
        page.select_option("#f-severity", "stable")
        page.fill("#f-callback", "02 98 11 22 33")  # the pharmacy has no phone in its profile
        page.click("#review")
        expect(page.locator("#review-to")).to_have_text(f"Destinataire : {PRACTICE} — Secrétariat")
        assert axe_violations(page) == [], "handoff review with its mailbox"
        page.click("#send-reviewed")

        def sent() -> str | None:
            out = pharmacy.request("GET", "/v1/messages?direction=out&limit=10")["messages"]
            return next((m["message_id"] for m in out if m["kind"] == "handoff"), None)

        message_id = wait_for(sent, WAIT_MS / 1000, "the handoff queued")
        wait_for(
            lambda: any(m["message_id"] == message_id for m in server.received()),
            WAIT_MS / 1000,
            "the handoff received",
        )
        conversation = f"/c/{contact_id(server, 'Pharm')}"
        alice_page.goto(conversation)
        shown = alice_page.locator(f"#m-{message_id}")
        expect(shown).to_contain_text("Boîte : Secrétariat", timeout=WAIT_MS)
        expect(shown).to_contain_text("ROUX")
    finally:
        for context in contexts:
            context.close()
