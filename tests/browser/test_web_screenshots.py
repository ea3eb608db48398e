"""The user guide's screenshots of the web client, made by the suite on two real nodes with plain
names, in French (docs/images/web/*.png, the default language) and in English
(docs/images/web/en/*.png): the conversations with an urgent banner, a conversation, the
prescription form with a refused field, its review, sending a file, pairing by QR code, the
status screen and the printed page.

Every run draws them (the screens must render) into a temporary folder; ``make screenshots``
(RELEVE_SCREENSHOTS=1) writes them into docs/images/web/ for the guides."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import WAIT_MS, contact_id, live, log_in
from tests.integration.nodes import Node, running_pair

pytestmark = pytest.mark.integration

GUIDE_IMAGES: Final = Path(__file__).resolve().parents[2] / "docs" / "images" / "web"
VIEWPORT: Final = {"width": 1100, "height": 780}
MIN_PNG_BYTES: Final = 10_000  # a drawn screen, not a blank one


@pytest.fixture
def practices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    """A GP and a pharmacy with the names the guide uses (no markup in them), new for each
    language so that its screens show its messages only."""
    root = tmp_path_factory.mktemp("screenshots")
    gp = Node(root / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(root / "pharmacy", "Pharmacie du Port", "pharmacist")
    with running_pair(gp, pharmacy) as pair_:
        yield pair_


# What each language's screens say where the test waits for them.
WORDS: Final = {
    "fr": {
        "narcotic": "Stupéfiant",
        "conversation": "Conversation avec",
        "hello": "Bonjour, Mme Durand passera vers 11 h pour son ordonnance.",
        "urgent": "Urgent : rappelez-moi avant de délivrer, posologie à confirmer.",
        "caption": "Compte rendu de biologie du 2 décembre",
        "inn": "paracétamol",
        "dosage": "1 comprimé toutes les 6 heures si douleur",
        "duration": "5 jours",
    },
    "en": {
        "narcotic": "Narcotic",
        "conversation": "Conversation with",
        "hello": "Hello, Mrs Durand will come at 11 for her prescription.",
        "urgent": "Urgent: call me before dispensing, the dosage needs confirming.",
        "caption": "Blood test report of 2 December",
        "inn": "paracetamol",
        "dosage": "1 tablet every 6 hours if in pain",
        "duration": "5 days",
    },
}


def _out(tmp_path: Path, lang: str) -> Path:
    folder = tmp_path
    if os.environ.get("RELEVE_SCREENSHOTS") == "1":
        folder = GUIDE_IMAGES
    folder = folder if lang == "fr" else folder / lang
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _in_language(page: Page, lang: str) -> None:
    if lang != "fr":
        page.select_option("#lang", lang)
        page.click("form[action='/language'] button")
        expect(page.locator("html")).to_have_attribute("lang", lang)


def _shot(page: Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    assert path.stat().st_size > MIN_PNG_BYTES, name


def _fill_prescription(page: Page, medicine: str, inn: str, words: dict[str, str]) -> None:
    page.fill("#f-patient-birth_name", "DURAND")
    page.fill("#f-patient-first_names", "Hélène")
    page.fill("#f-patient-birth_date", "1950-03-02")
    page.select_option("#f-patient-sex", "F")
    page.fill("#f-lines-0-medicine", medicine)
    page.fill("#f-lines-0-inn", inn)
    page.fill("#f-lines-0-strength", "1 g")
    page.fill("#f-lines-0-dosage", words["dosage"])
    page.fill("#f-lines-0-duration", words["duration"])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_guides_screenshots(
    browser: Browser, practices: tuple[Node, Node], tmp_path: Path, lang: str
) -> None:
    gp, pharmacy = practices
    folder = _out(tmp_path, lang)
    words = WORDS[lang]
    gp_context, page = log_in(browser, gp, viewport=VIEWPORT, locale=f"{lang}-FR")
    ph_context, ph_page = log_in(browser, pharmacy, viewport=VIEWPORT, locale=f"{lang}-FR")
    _in_language(page, lang)
    _in_language(ph_page, lang)
    to_pharmacy = contact_id(gp, "Pharmacie")

    # Pairing: the invitation's QR code, as the pharmacy would show it to a new contact.
    ph_page.goto("/pair")
    ph_page.click("#invite")
    expect(ph_page.locator("svg.qr-code")).to_be_visible()
    _shot(ph_page, folder, "pairing-invitation")

    # A text, then a prescription: the narcotic refused as it is typed, corrected, reviewed.
    page.goto(f"/c/{to_pharmacy}")
    page.fill("#text", words["hello"])
    page.click("#send")
    page.click("#compose-prescription")
    _fill_prescription(page, "Morphine", "morphine", words)
    page.locator("#f-lines-0-strength").focus()
    error = page.locator('.field-error[data-error-for="lines.0.medicine"]')
    expect(error).to_contain_text(words["narcotic"])
    page.locator("#f-lines-0-medicine").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -260)")
    _shot(page, folder, "prescription-form")
    _fill_prescription(page, "Doliprane", words["inn"], words)
    page.locator("#f-notes").focus()
    expect(error).to_have_text("")
    page.click("#review")
    expect(page.locator(".review")).to_contain_text("Doliprane")
    _shot(page, folder, "prescription-review")
    page.click("#send-reviewed")
    expect(page.locator("h1")).to_contain_text(words["conversation"])

    # An urgent message: the pharmacy's list puts it on top under the red banner.
    live(ph_page)
    ph_page.goto("/")
    live(ph_page)
    page.fill("#text", words["urgent"])
    page.check("#priority-urgent")
    page.click("#send")
    expect(ph_page.locator("#urgent-banner")).to_be_visible(timeout=WAIT_MS)
    _shot(ph_page, folder, "conversations")
    ph_page.locator(".conversation a").first.click()
    expect(ph_page.locator(".message.in.urgent button.ack").last).to_be_visible()
    _shot(ph_page, folder, "conversation")

    # Sending a file; the status screen (the urgent message waits for its acknowledgement).
    page.goto(f"/c/{to_pharmacy}/file")
    page.fill("#caption", words["caption"])
    _shot(page, folder, "file")
    page.goto("/status")
    expect(page.locator("#urgent-ours")).to_be_visible()
    _shot(page, folder, "status")

    # The printed page of the prescription, as the pharmacy prints it.
    ph_page.goto(f"/c/{contact_id(pharmacy, 'Dr')}")
    prescription = ph_page.locator(".message.in", has_text="Doliprane").last
    with ph_context.expect_page() as opened:
        prescription.locator("a.print").click()
    printed = opened.value
    printed.wait_for_load_state()
    expect(printed.locator(".codes svg")).not_to_have_count(0)
    _shot(printed, folder, "print")
    gp_context.close()
    ph_context.close()
