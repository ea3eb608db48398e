"""Back to the record from the browser (issue #14): a signed prescription printed from its
conversation on the A4 page of `releve print` (one PDF page, its verification code read back
from a screenshot by `releve verify-print`), a conversation printed, the FHIR NDJSON export and
the audit log downloaded (the audit log checked offline by `releve audit verify --file`), each
recorded in the audit log; axe-core on the new pages."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import WAIT_MS, axe_violations, contact_id, log_in
from tests.integration.nodes import Node, cli, wait_for
from tests.integration.test_clinical import PRESCRIPTION

pytestmark = pytest.mark.integration


def _send_prescription(gp: Node, pharmacy: Node, birth_name: str) -> str:
    form = {**PRESCRIPTION, "patient": {**PRESCRIPTION["patient"], "birth_name": birth_name}}
    sent = gp.request(
        "POST",
        "/v1/messages",
        {"contact": contact_id(gp, "Pharmacie"), "kind": "prescription", "prescription": form},
    )
    message_id = str(sent["message_id"])
    wait_for(
        lambda: any(m["message_id"] == message_id for m in pharmacy.received()),
        WAIT_MS / 1000,
        "the prescription received",
    )
    return message_id


def _pdf_pages(page: Page) -> int:
    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    return pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>>") + pdf.count(b"/Type /Page ")


def _audit_events(node: Node, message_id: str) -> list[str]:
    info = json.loads(node.api_info.read_text())
    token = (node.home / "api-token").read_text().strip()
    request = urllib.request.Request(
        info["url"] + "/v1/audit/export", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = response.read().decode("utf-8")
    lines = [json.loads(line) for line in answer.splitlines() if line.strip()]
    return [entry["event"] for entry in lines if entry.get("message") == message_id]


def test_a_prescription_printed_on_the_a4_page_whose_code_verifies(
    browser: Browser, nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    gp, pharmacy = nodes
    name = f"IMPRIME{time.monotonic_ns() % 10**6}"
    note = gp.send(contact_id(gp, "Pharmacie"), "L'ordonnance suit.")
    message_id = _send_prescription(gp, pharmacy, name)
    context, page = log_in(browser, pharmacy)
    page.goto(f"/c/{contact_id(pharmacy, 'Dr')}")
    with context.expect_page() as opened:
        page.locator(f"#m-{message_id} a.print").click()
    printed = opened.value
    printed.wait_for_load_state()
    expect(printed.locator("h1")).to_have_text("Relève – messages pour le dossier")
    article = printed.locator(f"article#m-{message_id}")
    expect(article.locator("h2")).to_have_text("Ordonnance")
    expect(article).to_contain_text(name)
    expect(article).to_contain_text("Eliquis (apixaban) 5 mg")
    expect(article.locator("table.meta")).to_contain_text("Correspondant vérifié")
    expect(article.locator(".codes svg")).not_to_have_count(0)
    expect(printed.locator("#print")).to_be_visible()  # the script's button
    assert axe_violations(printed) == [], "printed record"
    assert _pdf_pages(printed) == 1
    # The code on the page is the signed prescription: `releve verify-print` reads it back.
    shot = tmp_path / "printed.png"
    printed.screenshot(path=str(shot), full_page=True)
    checked = cli(pharmacy.home, "--lang", "en", "verify-print", str(shot), check=False)
    assert "Signature valid" in checked.stdout, checked.stdout + checked.stderr
    assert "Eliquis" in checked.stdout
    assert "printed" in _audit_events(pharmacy, message_id)

    # The whole conversation, each message its article.
    page.bring_to_front()
    with context.expect_page() as opened:
        page.click("#print-conversation")
    whole = opened.value
    whole.wait_for_load_state()
    expect(whole.locator(f"article#m-{message_id}")).to_have_count(1)
    expect(whole.locator(f"article#m-{note['message_id']}")).to_contain_text("suit")
    context.close()


def test_the_fhir_export_and_the_audit_log_download(
    browser: Browser, nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    gp, pharmacy = nodes
    name = f"EXPORTE{time.monotonic_ns() % 10**6}"
    message_id = _send_prescription(gp, pharmacy, name)
    context, page = log_in(browser, pharmacy)
    page.goto("/status")
    page.click("#records-link")
    expect(page.locator("h1")).to_have_text("Exports pour le dossier")
    assert axe_violations(page) == [], "exports page"
    page.fill("#since", "2020-13-45")  # not a date: refused in words, nothing downloaded
    page.locator("#since").evaluate("e => { e.type = 'text'; e.value = '2020-13-45'; }")
    page.click("#export")
    expect(page.locator("#export-error")).to_have_attribute("data-error", "since_invalid")
    page.fill("#since", "")
    page.fill("#patient", name)
    with page.expect_download() as download:
        page.click("#export")
    assert download.value.suggested_filename.startswith("releve-export-")
    assert download.value.suggested_filename.endswith(".ndjson")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    bundles: list[dict[str, Any]] = [json.loads(line) for line in lines]
    assert len(bundles) == 1
    assert bundles[0]["resourceType"] == "Bundle"
    assert name in json.dumps(bundles[0], ensure_ascii=False)
    assert "exported" in _audit_events(pharmacy, message_id)
    page.fill("#patient", "PERSONNE-INCONNUE")
    page.click("#export")
    expect(page.locator("#export-nothing")).to_be_visible()

    with page.expect_download() as download:
        page.click("#audit-export")
    assert download.value.suggested_filename.startswith("releve-audit-")
    log = tmp_path / "audit.ndjson"
    log.write_bytes(Path(download.value.path()).read_bytes())
    offline = cli(tmp_path / "nowhere", "audit", "verify", "--file", str(log))
    assert offline.returncode == 0
    response = page.request.get("/records/audit")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    context.close()
