"""Sending a file from the browser (issue #14): a 25 MiB PDF uploaded with a progress bar that
moves (the upload throttled by Chromium's network emulation so that it lasts), delivered to the
pharmacy, whose page shows it live and saves it as a download (Content-Disposition: attachment,
nosniff, a name of ours); refusals in words; the form without JavaScript; axe-core."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import WAIT_MS, axe_violations, contact_id, live, log_in
from tests.integration.nodes import Node, wait_for

pytestmark = pytest.mark.integration

SIZE: Final = 25 * 1024 * 1024
TRANSFER_S: Final = 300  # 25 MiB in ~550 end-to-end encrypted parts, on a loaded machine
# What the test sees of the bar: each value it takes, kept across the page's navigation.
WATCH_BAR: Final = """() => {
  const bar = document.getElementById('upload-progress');
  sessionStorage.setItem('bar', '[]');
  new MutationObserver(() => {
    const seen = JSON.parse(sessionStorage.getItem('bar'));
    seen.push(Number(bar.getAttribute('value')));
    sessionStorage.setItem('bar', JSON.stringify(seen));
  }).observe(bar, {attributes: true, attributeFilter: ['value']});
}"""


def _pdf(path: Path, size: int) -> bytes:
    data = b"%PDF-1.7\n" + os.urandom(size - 9)
    path.write_bytes(data)
    return data


def _received_file(node: Node, caption: str) -> dict[str, Any] | None:
    for message in node.received():
        attachment = message.get("attachment")
        if attachment and attachment.get("caption") == caption and attachment["complete"]:
            return message
    return None


def _throttle(page: Page, bytes_per_second: int) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


def test_a_25_mib_file_with_a_progress_bar_then_saved_by_the_pharmacy(
    browser: Browser, nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    gp, pharmacy = nodes
    caption = f"Compte rendu {os.getpid()}-{id(tmp_path)}"
    data = _pdf(tmp_path / "compte-rendu.pdf", SIZE)
    gp_context, page = log_in(browser, gp)
    ph_context, ph_page = log_in(browser, pharmacy)
    ph_page.goto(f"/c/{contact_id(pharmacy, 'Dr')}")
    live(ph_page)

    page.goto(f"/c/{contact_id(gp, 'Pharmacie')}")
    page.click("#compose-file")
    expect(page.locator("h1")).to_contain_text("Envoyer un fichier à")
    assert axe_violations(page) == [], "file form"
    page.fill("#caption", caption)
    page.set_input_files("#file", str(tmp_path / "compte-rendu.pdf"))
    page.evaluate(WATCH_BAR)
    _throttle(page, 8 * 1024 * 1024)  # about 3 s for 25 MiB: several progress events
    conversation = re.compile(rf"/c/{contact_id(gp, 'Pharmacie')}#m-[0-9a-f]{{32}}$")
    with page.expect_navigation(url=conversation, timeout=120_000):
        page.click("#send-file")
    seen: list[int] = json.loads(page.evaluate("sessionStorage.getItem('bar')"))
    assert seen[-1] == 100, seen
    assert any(0 < value < 100 for value in seen), seen
    assert seen == sorted(seen), seen

    # The sender's thread: the file, then its delivery to the contact.
    mine = page.locator(".message.out", has_text=caption)
    expect(mine).to_have_count(1)
    expect(mine.locator(".kind")).to_have_text("Fichier")

    # The pharmacy's open conversation shows it without a reload, then offers to save it.
    theirs = ph_page.locator(".message.in", has_text=caption)
    expect(theirs).to_have_count(1, timeout=WAIT_MS)
    message = wait_for(lambda: _received_file(pharmacy, caption), TRANSFER_S, "the whole file")
    save = theirs.locator("a.save-file")
    expect(save).to_be_visible(timeout=WAIT_MS)
    assert axe_violations(ph_page) == [], "conversation with a file"
    with ph_page.expect_download() as download:
        save.click()
    saved = download.value
    assert saved.suggested_filename == f"releve-{message['message_id'][:8]}.pdf"
    assert hashlib.sha256(Path(saved.path()).read_bytes()).digest() == hashlib.sha256(data).digest()
    response = ph_page.request.get(f"/m/{message['message_id']}/file")
    assert response.status == 200
    headers = response.headers
    assert headers["content-disposition"].startswith("attachment;")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-type"] == "application/octet-stream"
    assert headers["cache-control"] == "no-store"
    # Every part confirmed: the sender's bar is gone, the file delivered (or already read).
    expect(mine.locator("progress")).to_have_count(0, timeout=TRANSFER_S * 1000)
    expect(mine.locator(".status")).to_have_text(re.compile("^(remis|lu)$"))
    gp_context.close()
    ph_context.close()


def test_a_file_that_is_no_pdf_nor_image_is_refused_in_words(
    browser: Browser, nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    gp, pharmacy = nodes
    before = len(pharmacy.received())
    script = tmp_path / "ordonnance.pdf"  # a PDF by its name only
    script.write_bytes(b"#!/bin/sh\necho <script>alert(1)</script>\n")
    context, page = log_in(browser, gp)
    page.goto(f"/c/{contact_id(gp, 'Pharmacie')}/file")
    page.set_input_files("#file", str(script))
    page.click("#send-file")
    expect(page.locator("#upload-error")).to_have_attribute("data-error", "invalid_media_type")
    expect(page.locator("#upload-error")).to_contain_text("ni un PDF ni une image")
    expect(page.locator("#file")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == [], "file refused"
    # Without JavaScript, the same form posts plainly and comes back with the same refusal.
    plain, no_js = log_in(browser, gp, java_script_enabled=False)
    no_js.goto(f"/c/{contact_id(gp, 'Pharmacie')}/file")
    no_js.set_input_files("#file", str(script))
    with no_js.expect_navigation() as navigation:
        no_js.click("#send-file")
    assert navigation.value is not None
    assert navigation.value.status == 400
    expect(no_js.locator("#upload-error")).to_have_attribute("data-error", "invalid_media_type")
    assert len(pharmacy.received()) == before
    plain.close()
    context.close()


def test_a_small_file_without_javascript_and_a_post_without_the_token(
    browser: Browser, nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    gp, pharmacy = nodes
    caption = f"Sans script {os.getpid()}-{id(tmp_path)}"
    _pdf(tmp_path / "petit.pdf", 40_000)
    context, page = log_in(browser, gp, java_script_enabled=False)
    page.goto(f"/c/{contact_id(gp, 'Pharmacie')}/file")
    page.fill("#caption", caption)
    page.check("#priority-urgent")
    page.set_input_files("#file", str(tmp_path / "petit.pdf"))
    page.click("#send-file")
    expect(page.locator(".message.out.urgent", has_text=caption)).to_have_count(1)
    received = wait_for(lambda: _received_file(pharmacy, caption), 120, "the small file")
    assert received["priority"] == "urgent"
    context.close()

    js_context, js_page = log_in(browser, gp)
    js_page.goto(f"/c/{contact_id(gp, 'Pharmacie')}/file")
    status = js_page.evaluate(
        "() => { const f = new FormData(); f.append('file', new Blob(['%PDF-1.7 x']), 'a.pdf');"
        " return fetch(location.pathname, {method: 'POST', body: f}).then(r => r.status); }"
    )
    assert status == 403
    js_context.close()
