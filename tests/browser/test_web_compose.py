"""The compose screens in a real Chromium against two real nodes (issue #14): a prescription
and an urgent handoff filled in the forms with a refused field shown as it is typed and then
corrected, reviewed and sent; a review altered after it was shown is refused; a prescription
cancelled ("ANNULÉE" on both sides) and amended; a handoff read back; the path without
JavaScript; axe-core on every new screen; CSRF and XSS."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Final

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import WAIT_MS, axe_violations, contact_id, log_in
from tests.integration.nodes import Node, outbox_empty, wait_for

pytestmark = pytest.mark.integration

XSS: Final = '<img src=x onerror="window.__xss=1">'


def _unique(word: str) -> str:
    return f"{word} {time.monotonic_ns() % 10**9}"


def _fill_patient(page: Page, name: str) -> None:
    page.fill("#f-patient-birth_name", name)
    page.fill("#f-patient-first_names", "Marie")
    page.fill("#f-patient-birth_date", "1950-03-02")
    page.select_option("#f-patient-sex", "F")


def _error(page: Page, field: str) -> Any:
    return page.locator(f'.field-error[data-error-for="{field}"]')


def _received(node: Node, predicate: Any) -> dict[str, Any] | None:
    for message in node.received():
        if predicate(message):
            return message
    return None


def _prescribed(pharmacy: Node, patient: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        return _received(
            pharmacy,
            lambda m: (
                m["kind"] == "prescription"
                and m["prescription"]["patient"]["birth_name"] == patient
            ),
        )

    message: dict[str, Any] = wait_for(found, WAIT_MS / 1000, "the prescription received")
    return message


def _post_status(page: Page, path: str, body: str) -> int:
    status: int = page.evaluate(
        "([path, body]) => fetch(path, {method: 'POST', body, headers: "
        "{'Content-Type': 'application/x-www-form-urlencoded'}}).then(r => r.status)",
        [path, body],
    )
    return status


def _fill_prescription(page: Page, patient: str, medicine: str) -> None:
    _fill_patient(page, patient)
    page.fill("#f-lines-0-medicine", medicine)
    page.fill("#f-lines-0-inn", medicine.lower())
    page.fill("#f-lines-0-strength", "1 g")
    page.fill("#f-lines-0-dosage", "1 comprimé matin et soir")
    page.fill("#f-lines-0-duration", "7 jours")


def test_a_prescription_with_a_refused_line_corrected_reviewed_and_sent(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    patient = _unique("Durand")
    context, page = log_in(browser, gp)
    page.goto(f"/c/{contact_id(gp, 'Pharmacie')}")
    page.click("#compose-prescription")
    expect(page.locator("h1")).to_contain_text("Ordonnance pour")
    # A narcotic: the node's own reason appears next to the medicine as it is typed.
    page.fill("#f-lines-0-medicine", "Morphine")
    page.fill("#f-lines-0-inn", "morphine")
    page.locator("#f-lines-0-strength").focus()
    expect(_error(page, "lines.0.medicine")).to_contain_text("Stupéfiant")
    expect(page.locator("#f-lines-0-medicine")).to_have_attribute("aria-invalid", "true")
    # Fields not touched yet show nothing.
    expect(_error(page, "patient.birth_name")).to_have_text("")
    assert axe_violations(page) == [], "prescription form with an error"
    _fill_prescription(page, patient, "Amoxicilline")
    page.locator("#f-notes").focus()
    expect(_error(page, "lines.0.medicine")).to_have_text("")
    expect(page.locator("#f-lines-0-medicine")).not_to_have_attribute("aria-invalid", "true")
    page.click("#review")
    expect(page.locator("h1")).to_contain_text("Relisez avant d'envoyer")
    review = page.locator(".review")
    expect(review).to_contain_text(patient)
    expect(review).to_contain_text("Amoxicilline (amoxicilline) 1 g")
    expect(review).to_contain_text("RPPS 10001234565")  # the prescriber: our profile
    expect(review).to_contain_text("c.martin@cabinet.example.fr")
    assert axe_violations(page) == [], "prescription review"
    page.click("#send-reviewed")
    expect(page.locator("h1")).to_contain_text("Conversation avec")
    expect(page.locator(".message.out", has_text=patient)).to_have_count(1)
    received = _prescribed(pharmacy, patient)
    assert received["prescription"]["lines"][0]["medicine"] == "Amoxicilline"
    assert received["signature"]["state"] == "verified"
    context.close()


def test_an_altered_review_is_refused_and_nothing_is_sent(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, _pharmacy = nodes
    patient = _unique("Lemaire")
    context, page = log_in(browser, gp)
    page.goto(f"/c/{contact_id(gp, 'Pharmacie')}/prescription")
    _fill_prescription(page, patient, "Paracétamol")
    page.click("#review")
    expect(page.locator("#send-reviewed")).to_be_visible()
    # Changed after the review: the dose the person saw was 1 g.
    page.evaluate(
        "() => { const p = document.querySelector('input[name=payload]');"
        " p.value = p.value.replace('1 g', '4 g'); }"
    )
    response = None
    with page.expect_navigation() as navigation:
        page.click("#send-reviewed")
    response = navigation.value
    assert response is not None
    assert response.status == 400
    expect(page.locator("[data-error=review_altered]")).to_be_visible()
    assert axe_violations(page) == [], "altered review"
    # The urgent flag is sealed too.
    page.goto(f"/c/{contact_id(gp, 'Pharmacie')}/prescription")
    _fill_prescription(page, patient, "Paracétamol")
    page.click("#review")
    page.evaluate("() => { document.querySelector('input[name=priority]').value = 'urgent'; }")
    page.click("#send-reviewed")
    expect(page.locator("[data-error=review_altered]")).to_be_visible()
    sent = gp.request("GET", "/v1/messages?direction=out&limit=200")["messages"]
    assert not [
        m
        for m in sent
        if m["kind"] == "prescription" and m["prescription"]["patient"]["birth_name"] == patient
    ]
    # "Modifier" brings the reviewed content back into the form.
    page.goto(f"/c/{contact_id(gp, 'Pharmacie')}/prescription")
    _fill_prescription(page, patient, "Paracétamol")
    page.click("#review")
    page.click("#edit-reviewed")
    expect(page.locator("#f-lines-0-medicine")).to_have_value("Paracétamol")
    expect(page.locator("#f-patient-birth_name")).to_have_value(patient)
    context.close()


def test_a_prescription_cancelled_shows_annulee_on_both_sides(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    patient = _unique("Moreau")
    gp_context, gp_page = log_in(browser, gp)
    gp_page.goto(f"/c/{contact_id(gp, 'Pharmacie')}/prescription")
    _fill_prescription(gp_page, patient, "Ibuprofène")
    gp_page.click("#review")
    gp_page.click("#send-reviewed")
    received = _prescribed(pharmacy, patient)
    wait_for(lambda: outbox_empty(gp), WAIT_MS / 1000, "the prescription delivered")

    mine = gp_page.locator(".message.out", has_text=patient)
    mine.locator("a.rx-cancel").click()
    expect(gp_page.locator("h1")).to_have_text("Annuler une ordonnance")
    assert axe_violations(gp_page) == [], "cancel page"
    gp_page.click("#confirm-cancel")  # no reason: the node's own refusal, next to the field
    expect(gp_page.locator("#reason-error")).to_contain_text("obligatoire")
    expect(gp_page.locator("#reason")).to_have_attribute("aria-invalid", "true")
    gp_page.fill("#reason", "Erreur de posologie")
    gp_page.click("#confirm-cancel")
    expect(gp_page.locator(".message.out", has_text=patient).locator(".rx-banner")).to_have_text(
        "ANNULÉE"
    )

    ph_context, ph_page = log_in(browser, pharmacy)
    ph_page.goto(f"/c/{contact_id(pharmacy, 'Dr')}")
    theirs = ph_page.locator(f"#m-{received['message_id']}")
    expect(theirs.locator(".rx-banner")).to_have_text("ANNULÉE", timeout=WAIT_MS)
    expect(theirs).to_contain_text("Erreur de posologie")
    expect(theirs.locator("a.rx-dispense")).to_have_count(0)  # closed: nothing to report
    gp_context.close()
    ph_context.close()


def test_amend_then_dispensing_reported_by_the_pharmacist(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    patient = _unique("Petit")
    gp_context, gp_page = log_in(browser, gp)
    gp_page.goto(f"/c/{contact_id(gp, 'Pharmacie')}/prescription")
    _fill_prescription(gp_page, patient, "Amoxicilline")
    gp_page.click("#review")
    gp_page.click("#send-reviewed")
    first = _prescribed(pharmacy, patient)
    gp_page.locator(".message.out", has_text=patient).locator("a.rx-amend").click()
    expect(gp_page.locator("#f-lines-0-medicine")).to_have_value("Amoxicilline")
    expect(gp_page.locator("#f-patient-birth_name")).to_have_value(patient)
    assert axe_violations(gp_page) == [], "amend form"
    gp_page.fill("#f-lines-0-duration", "10 jours")
    gp_page.click("#review")
    expect(gp_page.locator(".review")).to_contain_text("10 jours")
    gp_page.click("#send-reviewed")

    def amended() -> dict[str, Any] | None:
        return _received(
            pharmacy,
            lambda m: (
                m["kind"] == "prescription"
                and m["prescription"]["patient"]["birth_name"] == patient
                and m["prescription"]["replaces"] == first["message_id"]
            ),
        )

    second = wait_for(amended, WAIT_MS / 1000, "the amendment received")
    ph_context, ph_page = log_in(browser, pharmacy)
    ph_page.goto(f"/c/{contact_id(pharmacy, 'Dr')}")
    expect(ph_page.locator(f"#m-{first['message_id']} .rx-banner")).to_have_text("REMPLACÉE")
    ph_page.locator(f"#m-{second['message_id']} a.rx-dispense").click()
    assert axe_violations(ph_page) == [], "dispense page"
    ph_page.check("#state-partly_dispensed")
    ph_page.fill("#note", "Rupture : 1 boîte sur 2")
    ph_page.click("#confirm-dispense")
    expect(ph_page.locator(f"#m-{second['message_id']}")).to_contain_text("Délivrée en partie")
    mine = gp_page.locator(f"#m-{second['message_id']}")
    gp_page.goto(f"/c/{contact_id(gp, 'Pharmacie')}")
    expect(mine).to_contain_text("Délivrée en partie", timeout=WAIT_MS)
    gp_context.close()
    ph_context.close()


def test_an_urgent_handoff_with_a_refused_field_then_read_back(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    patient = _unique("Bernard")
    gp_context, page = log_in(browser, gp)
    page.goto(f"/c/{contact_id(gp, 'Pharmacie')}")
    page.click("#compose-handoff")
    expect(page.locator("h1")).to_contain_text("Transmission (SAED)")
    assert axe_violations(page) == [], "handoff form"
    page.fill("#f-callback", "12")
    page.locator("#f-deadline").focus()
    expect(_error(page, "callback")).to_contain_text("Numéro invalide")
    _fill_patient(page, patient)
    page.fill("#f-situation", "Chute à domicile ce matin")
    page.fill("#f-background", "HTA, FA sous anticoagulant")
    page.fill("#f-assessment", "Hématome du bras, stable")
    page.fill("#f-request", "Passage infirmier demain")
    page.select_option("#f-severity", "watcher")
    page.fill("#f-allergies", "Pénicilline\nIode")
    page.check("#f-treatments-none")
    page.fill("#f-deadline", "2030-01-15T14:30")
    page.fill("#f-home-next_of_kin-name", "Paul Bernard")
    page.fill("#f-home-next_of_kin-phone", "06 11 22 33 44")
    page.fill("#f-callback", "")  # empty: the node's own number
    page.locator("#f-contingency").focus()
    expect(_error(page, "callback")).to_have_text("")
    page.check("#priority-urgent")
    page.click("#review")
    review = page.locator(".review")
    expect(review).to_contain_text("À surveiller")
    expect(review).to_contain_text("02 98 00 00 00")  # the callback: our profile's phone
    expect(review).to_contain_text("15/01/2030 14:30")  # Paris time, as typed
    expect(review).to_contain_text("Pénicilline")
    expect(review).to_contain_text("Aucun(e) connu(e)")
    expect(review.locator(".tag-urgent")).to_be_visible()
    assert axe_violations(page) == [], "handoff review"
    page.click("#send-reviewed")

    def found() -> dict[str, Any] | None:
        return _received(
            pharmacy,
            lambda m: m["kind"] == "handoff" and m["handoff"]["patient"]["birth_name"] == patient,
        )

    handoff = wait_for(found, WAIT_MS / 1000, "the handoff received")
    assert handoff["priority"] == "urgent"
    assert handoff["handoff"]["deadline"] == "2030-01-15T13:30:00Z"
    assert handoff["handoff"]["treatments"] == []

    ph_context, ph_page = log_in(browser, pharmacy)
    ph_page.goto(f"/c/{contact_id(pharmacy, 'Dr')}")
    ph_page.locator(f"#m-{handoff['message_id']} a.read-back-link").click()
    assert axe_violations(ph_page) == [], "read-back page"
    ph_page.fill("#read_back", "Passage infirmier demain pour l'hématome, je surveille.")
    ph_page.click("#confirm-read-back")
    theirs = ph_page.locator(f"#m-{handoff['message_id']}")
    expect(theirs.locator(".acknowledged")).to_be_visible()
    expect(theirs).to_contain_text("je surveille")
    gp_page = page
    gp_page.goto(f"/c/{contact_id(gp, 'Pharmacie')}")
    mine = gp_page.locator(f"#m-{handoff['message_id']}")
    expect(mine.locator(".read-back-text")).to_contain_text("je surveille", timeout=WAIT_MS)
    expect(mine.locator(".acknowledged")).to_be_visible(timeout=WAIT_MS)
    gp_context.close()
    ph_context.close()


def _submit_two_refused_lines(page: Page, patient: str) -> None:
    """A prescription of two lines (the second added with the plain button), each breaking a
    rule, submitted: the node sends the form back (400) with its reasons."""
    _fill_prescription(page, patient, "Amoxicilline")
    page.fill("#f-lines-0-renewals", "40")
    page.click("#add-line")
    expect(page.locator("#f-lines-1-medicine")).to_be_visible()
    expect(page.locator("#f-patient-birth_name")).to_have_value(patient)
    page.fill("#f-lines-1-medicine", "Morphine")
    page.fill("#f-lines-1-inn", "morphine")
    page.fill("#f-lines-1-strength", "10 mg")
    page.fill("#f-lines-1-dosage", "1 le soir")
    page.fill("#f-lines-1-quantity", "1 boîte")
    with page.expect_navigation() as navigation:
        page.click("#review")
    assert navigation.value is not None
    assert navigation.value.status == 400
    expect(page.locator("#error-summary")).to_contain_text("Ligne 2 – médicament")
    expect(_error(page, "lines.1.medicine")).to_contain_text("Stupéfiant")
    expect(_error(page, "lines.0.renewals")).to_contain_text("Nombre invalide")
    expect(page.locator("#f-lines-0-renewals")).to_have_attribute("aria-invalid", "true")


def test_the_forms_without_javascript(browser: Browser, nodes: tuple[Node, Node]) -> None:
    """Checked on submit: the form comes back with the node's reasons next to the fields,
    lines are added with a plain button, and the review sends."""
    gp, pharmacy = nodes
    patient = _unique("Garnier")
    context, page = log_in(browser, gp, java_script_enabled=False)
    page.goto(f"/c/{contact_id(gp, 'Pharmacie')}/prescription")
    _submit_two_refused_lines(page, patient)
    page.click("button[value='remove_line:1']")
    expect(page.locator("#f-lines-1-medicine")).to_have_count(0)
    page.fill("#f-lines-0-renewals", "1")
    page.click("#review")
    page.click("#send-reviewed")
    assert _prescribed(pharmacy, patient)["prescription"]["lines"][0]["renewals"] == 1
    context.close()


def test_the_form_sent_back_with_errors_passes_axe(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    """The same form sent back by the node, checked by axe-core (which, being a script, cannot
    run in a page whose JavaScript is off: Playwright's evaluate waits there for good)."""
    gp, _pharmacy = nodes
    context, page = log_in(browser, gp)
    page.goto(f"/c/{contact_id(gp, 'Pharmacie')}/prescription")
    _submit_two_refused_lines(page, _unique("Garnier"))
    assert axe_violations(page) == [], "form returned with errors"
    context.close()


def test_every_new_post_needs_the_csrf_token(browser: Browser, nodes: tuple[Node, Node]) -> None:
    gp, pharmacy = nodes
    context, page = log_in(browser, gp)
    contact = contact_id(gp, "Pharmacie")
    sent = gp.request("GET", "/v1/messages?direction=out&limit=200")["messages"]
    prescription = next(m for m in sent if m["kind"] == "prescription")
    received = pharmacy.received()
    paths = [
        f"/c/{contact}/handoff",
        f"/c/{contact}/handoff/check",
        f"/c/{contact}/prescription",
        f"/c/{contact}/prescription/check",
        f"/m/{prescription['message_id']}/amend",
        f"/m/{prescription['message_id']}/amend/check",
        f"/m/{prescription['message_id']}/cancel",
        f"/m/{prescription['message_id']}/dispense",
        f"/m/{prescription['message_id']}/read-back",
    ]
    page.goto(f"/c/{contact}")
    for path in paths:
        for body in ("reason=x&action=send", "reason=x&action=send&csrf=wrong"):
            assert _post_status(page, path, body) == 403, path
    assert len(pharmacy.received()) == len(received)
    context.close()


def test_markup_in_a_peers_handoff_and_prescription_stays_text(
    browser: Browser, nodes: tuple[Node, Node]
) -> None:
    gp, pharmacy = nodes
    pharmacy_ref = contact_id(gp, "Pharmacie")
    patient = {"birth_name": XSS, "first_names": XSS, "birth_date": "1950-03-02", "sex": "F"}
    handoff = {
        "patient": patient,
        "situation": XSS,
        "background": "<script>window.__xss=1</script>",
        "assessment": XSS,
        "request": XSS,
        "severity": "stable",
        "allergies": [XSS],
        "treatments": [XSS],
        "contingency": XSS,
        "home": {
            "address": XSS,
            "phone": None,
            "next_of_kin": {"name": XSS, "phone": "06 00 00 00 00"},
        },
    }
    today = datetime.now(UTC).date().isoformat()
    line = {
        "medicine": XSS,
        "inn": XSS,
        "strength": XSS,
        "dosage": XSS,
        "duration": "7 jours",
        "quantity": XSS,
    }
    prescription = {"date": today, "patient": patient, "lines": [line], "notes": XSS}
    sent_handoff = gp.request(
        "POST", "/v1/messages", {"contact": pharmacy_ref, "kind": "handoff", "handoff": handoff}
    )
    sent_rx = gp.request(
        "POST",
        "/v1/messages",
        {"contact": pharmacy_ref, "kind": "prescription", "prescription": prescription},
    )
    for sent in (sent_handoff, sent_rx):
        message_id = sent["message_id"]

        def arrived(message_id: str = message_id) -> dict[str, Any] | None:
            return _received(pharmacy, lambda m: m["message_id"] == message_id)

        wait_for(arrived, WAIT_MS / 1000, "the peer's message received")
    context, page = log_in(browser, pharmacy)
    for path in (
        f"/c/{contact_id(pharmacy, 'Dr')}",
        f"/m/{sent_rx['message_id']}/dispense",
        f"/m/{sent_handoff['message_id']}/read-back",
    ):
        page.goto(path)
        expect(page.locator("main").get_by_text(XSS).first).to_be_visible()
        assert page.locator("main img, main script:not([src])").count() == 0, path
        assert page.evaluate("window.__xss") is None, path
    context.close()
