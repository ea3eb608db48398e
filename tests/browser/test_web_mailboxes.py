"""A clinic server's mailboxes in a real Chromium (issue #15 part B): a real `releve node` in
clinic mode with its people and mailboxes (`releve user add`, `releve mailbox add`) and a
paired pharmacy. The pharmacy writes to "Secrétariat": both secretaries see it arrive live,
the doctor does not (and is refused the message, 403); once one secretary has read it the
other sees who ("Lu par"); axe-core finds nothing on the conversation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.helpers import WAIT_MS, axe_violations, clinic_with_pharmacy, live
from tests.browser.test_web_accounts import person
from tests.integration.nodes import Node, cli, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    root = tmp_path_factory.mktemp("mailboxes")
    with clinic_with_pharmacy(root, "Cabinet du Parc") as nodes:
        yield nodes


def pharmacy_id(server: Node) -> str:
    return str(next(c["contact_id"] for c in server.contacts() if c["name"].startswith("Pharm")))


def test_a_message_to_the_secretariat_reaches_its_members_only(
    browser: Browser, practice: tuple[Node, Node]
) -> None:
    server, pharmacy = practice
    contexts: list[BrowserContext] = []
    alice, alice_page = person(browser, server, "Alice Durand", "secretary")
    bruno, bruno_page = person(browser, server, "Bruno Petit", "secretary")
    doctor, doctor_page = person(browser, server, "Claire Martin", "clinician")
    contexts += [alice, bruno, doctor]
    try:
        cli(
            server.home,
            "mailbox",
            "add",
            "Secrétariat",
            "--default",
            "--member",
            "Alice Durand",
            "--member",
            "Bruno Petit",
        )
        cli(
            server.home,
            "boite",
            "ajouter",
            "Dr Martin",
            "--personnelle",
            "--membre",
            "Claire Martin",
        )

        def told() -> bool:
            listed = next(c for c in pharmacy.contacts() if c["name"] == "Cabinet du Parc")
            return len(listed["mailboxes"] or []) == 2

        wait_for(told, 30, "the pharmacy told the practice's mailboxes")
        conversation = f"/c/{pharmacy_id(server)}"
        for page in (alice_page, bruno_page, doctor_page):
            page.goto(conversation)
            live(page)

        sent = pharmacy.request(
            "POST",
            "/v1/messages",
            {
                "contact": "Cabinet",
                "text": "Commande prête pour Mme R.",
                "to_mailbox": "Secrétariat",
            },
        )
        assert sent["to_mailbox"]["name"] == "Secrétariat"
        message = f"#m-{sent['message_id']}"
        # Both secretaries see it arrive, without reloading; the doctor never does.
        expect(alice_page.locator(message)).to_contain_text("Commande prête", timeout=WAIT_MS)
        expect(bruno_page.locator(message)).to_contain_text("Boîte : Secrétariat")
        doctor_page.reload()
        expect(doctor_page.locator(message)).to_have_count(0)
        response = doctor_page.goto(f"/m/{sent['message_id']}/file")
        assert response is not None
        assert response.status == 403
        # Alice's page read it; Bruno's, reloaded, says who.
        alice_page.reload()
        bruno_page.reload()
        expect(bruno_page.locator(f"{message} .read-by")).to_contain_text("Alice Durand")
        assert axe_violations(bruno_page) == [], "conversation with mailboxes"
        # The pharmacy got one read receipt.
        wait_for(
            lambda: pharmacy.message(sent["message_id"])["status"] == "read", 30, "read receipt"
        )
    finally:
        for context in contexts:
            context.close()
