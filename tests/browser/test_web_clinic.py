"""Issue #15's scenario end to end, in a real Chromium over TLS: a clinic server (a real
`releve node`, clinic_server = true, its web client on 127.0.0.2 with the practice CA, which
the workstation's NSS database trusts: tls_trust.py) and a paired pharmacy. The operator adds
a secretary and a doctor (`releve user add`) and two mailboxes (`releve mailbox add`): the
shared "Secrétariat" (both are members) and the doctor's personal one. Two browser contexts,
one per person, each logged in with the password they chose on their setup link:

1. the secretary reads "Secrétariat" but not the doctor's mailbox (its message's page: 403,
   audited under her account);
2. the doctor sends a prescription with the web form; the secretary is offered no form, and
   her forged POST is refused, nothing sent;
3. the pharmacy's message to "Secrétariat" reaches both open pages live (no reload);
4. an urgent one acknowledged by the secretary shows on the doctor's page with her name;
5. the secretary disabled by the operator is logged out at once, live channel included.

One node pair for the steps, in order (each builds on the last)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any, Final
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.browser.helpers import WAIT_MS, clinic_with_pharmacy, live, not_reloaded
from tests.browser.tls_trust import SERVER_NAME, over_tls, trusting_chromium
from tests.integration.nodes import Node, cli, wait_for

pytestmark = pytest.mark.integration

PASSWORD: Final = "une phrase assez longue"
SECRETARY: Final = "Alice Durand"
DOCTOR: Final = "Dr Claire Martin"
DOCTOR_RPPS: Final = "10001234565"
SHARED: Final = "Secrétariat"
PERSONAL: Final = "Dr Martin"
PRACTICE: Final = "Cabinet du Parc"


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    """The clinic server over TLS (a GP's node: its profile gives the practice's address,
    phone and e-mail on prescriptions) and a paired pharmacy."""
    root = tmp_path_factory.mktemp("clinic-scenario")
    with clinic_with_pharmacy(root, PRACTICE, "gp", *over_tls()) as nodes:
        yield nodes


@pytest.fixture(scope="module")
def workstation(
    playwright: Playwright, practice: tuple[Node, Node], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    chromium = trusting_chromium(playwright, practice[0], tmp_path_factory.mktemp("workstation"))
    yield chromium
    chromium.close()


def person(browser: Browser, node: Node, name: str, *options: str) -> tuple[BrowserContext, Page]:
    """`releve user add NAME OPTIONS`; the person chooses their password on the setup link
    (over HTTPS, by the server's name), then logs in."""
    added = json.loads(cli(node.home, "user", "add", name, *options, "--json").stdout)
    link = urlsplit(added["setup"]["url"])
    assert (link.scheme, link.hostname) == ("https", SERVER_NAME)
    context = browser.new_context(base_url=f"{link.scheme}://{link.netloc}")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(link.geturl())
    page.fill("#setup-password", PASSWORD)
    page.fill("#setup-again", PASSWORD)
    page.click("#setup-submit")
    expect(page.locator("#login-password")).to_be_visible()
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#person")).to_contain_text(name)
    return context, page


def send(pharmacy: Node, text: str, mailbox: str, **more: Any) -> str:
    sent = pharmacy.request(
        "POST",
        "/v1/messages",
        {"contact": PRACTICE, "text": text, "to_mailbox": mailbox, **more},
    )
    assert sent["to_mailbox"]["name"] == mailbox
    return str(sent["message_id"])


def received(server: Node, message_id: str) -> bool:
    try:
        server.message(message_id)
    except Exception:  # not yet: the local API's 404
        return False
    return True


def audit(node: Node) -> list[dict[str, Any]]:
    return [json.loads(line) for line in cli(node.home, "audit", "export").stdout.split()]


def post_status(page: Page, path: str, fields: dict[str, str]) -> int:
    """A form POSTed by the page's own script (a forged one: not the page's form)."""
    status: int = page.evaluate(
        "([path, fields]) => fetch(path, {method: 'POST', body: new URLSearchParams(fields),"
        " redirect: 'manual'}).then(r => r.status)",
        [path, fields],
    )
    return status


def fill_prescription(page: Page, patient: str) -> None:
    page.fill("#f-patient-birth_name", patient)
    page.fill("#f-patient-first_names", "Marie")
    page.fill("#f-patient-birth_date", "1950-03-02")
    page.select_option("#f-patient-sex", "F")
    page.fill("#f-lines-0-medicine", "Amoxicilline")
    page.fill("#f-lines-0-inn", "amoxicilline")
    page.fill("#f-lines-0-strength", "1 g")
    page.fill("#f-lines-0-dosage", "1 comprimé matin et soir")
    page.fill("#f-lines-0-duration", "7 jours")


def test_a_practice_day_on_the_clinic_server(
    workstation: Browser, practice: tuple[Node, Node]
) -> None:
    server, pharmacy = practice
    contexts: list[BrowserContext] = []
    try:
        secretary, secretary_page = person(workstation, server, SECRETARY, "--role", "secretary")
        contexts.append(secretary)
        doctor, doctor_page = person(
            workstation, server, DOCTOR, "--role", "clinician", "--rpps", DOCTOR_RPPS
        )
        contexts.append(doctor)
        cli(server.home, "mailbox", "add", SHARED, "--default", "--member", SECRETARY)
        cli(server.home, "mailbox", "add", PERSONAL, "--personal", "--member", DOCTOR)
        cli(server.home, "mailbox", "members", SHARED, "--add", DOCTOR)

        def told() -> bool:
            listed = next(c for c in pharmacy.contacts() if c["name"] == PRACTICE)
            return len(listed["mailboxes"] or []) == 2

        wait_for(told, WAIT_MS / 1000, "the pharmacy told the practice's mailboxes")
        contact = next(c["contact_id"] for c in server.contacts() if c["name"].startswith("Pharm"))
        conversation = f"/c/{contact}"

        # 1. The shared mailbox is hers; the doctor's personal one is not (403, audited).
        shared = send(pharmacy, "Commande prête pour Mme R.", SHARED)
        personal = send(pharmacy, "Pour le Dr Martin seulement", PERSONAL)
        for message_id in (shared, personal):
            wait_for(partial(received, server, message_id), WAIT_MS / 1000, "both received")
        secretary_page.goto(conversation)
        expect(secretary_page.locator(f"#m-{shared}")).to_contain_text("Commande prête")
        expect(secretary_page.locator(f"#m-{personal}")).to_have_count(0)
        refused = secretary_page.goto(f"/m/{personal}/print")
        assert refused is not None
        assert refused.status == 403
        users = json.loads(cli(server.home, "user", "list", "--json").stdout)
        account = next(u for u in users["users"] if u["name"] == SECRETARY)
        forbidden = [e for e in audit(server) if e["event"] == "forbidden"]
        assert [(e["actor"], e["message"]) for e in forbidden] == [
            ("account:" + account["account_id"], personal)
        ]
        doctor_page.goto(conversation)
        expect(doctor_page.locator(f"#m-{personal}")).to_contain_text("Dr Martin seulement")

        # 2. The doctor prescribes with the web form; the secretary is offered no form, and
        # her forged POST is refused.
        doctor_page.click("#compose-prescription")
        fill_prescription(doctor_page, "LEGRAND")
        doctor_page.click("#review")
        doctor_page.click("#send-reviewed")

        def prescribed() -> dict[str, Any] | None:
            for m in pharmacy.request("GET", "/v1/messages?limit=50")["messages"]:
                if m["kind"] == "prescription":
                    found: dict[str, Any] = m
                    return found
            return None

        prescription = wait_for(prescribed, WAIT_MS / 1000, "the prescription received")
        assert prescription["prescription"]["prescriber"]["name"] == DOCTOR
        assert prescription["prescription"]["prescriber"]["rpps"] == DOCTOR_RPPS
        secretary_page.goto(conversation)
        expect(secretary_page.locator("#compose-prescription")).to_have_count(0)
        form = secretary_page.goto(f"{conversation}/prescription")
        assert form is not None
        assert form.status == 403
        secretary_page.goto(conversation)
        csrf = secretary_page.locator("input[name=csrf]").first.get_attribute("value")
        assert csrf
        forged = {
            "csrf": csrf,
            "action": "review",
            "patient.birth_name": "FAUX",
            "lines.0.medicine": "Morphine",
        }
        assert post_status(secretary_page, f"{conversation}/prescription", forged) == 403
        sent = server.request("GET", "/v1/messages?direction=out&limit=50")["messages"]
        assert [m["message_id"] for m in sent if m["kind"] == "prescription"] == [
            prescription["message_id"]
        ]

        # 3. A message to "Secrétariat" reaches both members' open pages, no reload.
        for page in (secretary_page, doctor_page):
            page.goto(conversation)
            live(page)
        arrived = send(pharmacy, "Résultats de Mme R. disponibles", SHARED)
        for page in (secretary_page, doctor_page):
            expect(page.locator(f"#m-{arrived}")).to_contain_text(
                "Résultats de Mme R.", timeout=WAIT_MS
            )
            assert not_reloaded(page)

        # 4. An urgent one acknowledged by the secretary shows on the doctor's page, named.
        urgent = send(pharmacy, "Rappelez la pharmacie", SHARED, priority="urgent")
        expect(secretary_page.locator(f"#m-{urgent} button.ack")).to_be_visible(timeout=WAIT_MS)
        expect(doctor_page.locator(f"#m-{urgent}")).to_contain_text("Rappelez", timeout=WAIT_MS)
        secretary_page.locator(f"#m-{urgent} button.ack").click()
        live(secretary_page)
        acknowledged = doctor_page.locator(f"#m-{urgent} .acknowledged-by")
        expect(acknowledged).to_contain_text(SECRETARY, timeout=WAIT_MS)
        assert not_reloaded(doctor_page)

        # 5. The operator disables the secretary: her open page is logged out at once.
        cli(server.home, "user", "disable", SECRETARY)
        secretary_page.wait_for_url("**/login**", timeout=WAIT_MS)
        expect(secretary_page.locator("#login-password")).to_be_visible()
        users = json.loads(cli(server.home, "user", "list", "--json").stdout)
        disabled = next(u for u in users["users"] if u["name"] == SECRETARY)
        assert (disabled["disabled"], disabled["sessions"]) == (True, [])
        # The doctor's page and live channel are untouched.
        expect(doctor_page.locator("body")).to_have_attribute("data-socket", "open")
        assert not_reloaded(doctor_page)
    finally:
        for context in contexts:
            context.close()
