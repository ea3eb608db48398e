"""The printed record and the exports of the web client (screens/records.py), in process: the
page's A4 style sheet is `releve print`'s (clients/cli/record_page.py), rule for rule; a signed
prescription's page carries the verification codes the local API gives; a received file's
download is always an attachment named by us; the exports need the session's CSRF token."""

from __future__ import annotations

import re
from pathlib import Path

from clients.cli.record_page import _STYLE
from node.edges.web.pages import HERE
from node.protocol.conversation import Meta
from tests.unit.node.test_accounts_web import PASSWORD
from tests.unit.node.test_mailbox_web import Clinic, clinic  # noqa: F401 (the fixture)
from tests.unit.node.test_node_prescriptions import hand_over, own_prescription, pair
from tests.unit.node.test_web_status import open_screen

MARKER = "/* --- end of clients/cli/record_page.py's rules --- */"


def _rules(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [" ".join(rule.split()) for rule in css.split("}") if rule.strip()]


def test_the_printed_page_has_the_command_lines_a4_rules() -> None:
    ours = (HERE / "static" / "record.css").read_text(encoding="utf-8")
    copied, _, added = ours.partition(MARKER)
    assert added, "the marker ends the copied rules"
    assert _rules(copied) == _rules(_STYLE)
    assert "@page { size: A4 portrait;" in " ".join(_rules(copied))


async def test_a_prescription_prints_with_its_codes_and_the_exports_need_csrf(
    tmp_path: Path,
) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    screen, _ = await open_screen(pharmacy)
    try:
        sent = await gp.core.sending.send_to(gp.contact(pharmacy), Meta(), own_prescription(gp))
        await hand_over(gp, pharmacy)
        status, page = await screen.get(f"/m/{sent.message_id.hex()}/print")
        assert status == 200
        assert '<link rel="stylesheet" href="/static/record.css">' in page
        assert page.count('class="print-code"') >= 1
        assert "releve verify-print PHOTO" in page
        assert 'data-live="1"' not in page  # a page for paper: no live channel
        status, _ = await screen.get(f"/m/{'0' * 32}/print")
        assert status == 404
        csrf = await screen.csrf()
        assert await screen.post("/records/export", {"patient": "x"}) == 403
        status, body = await screen.post_page("/records/export", {"csrf": csrf, "since": "x"})
        assert status == 400
        assert 'data-error="since_invalid"' in body
        status, body = await screen.post_page("/records/export", {"csrf": csrf})
        assert status == 200
        assert '"resourceType":"Bundle"' in body
    finally:
        await screen.client.close()
        await gp.close()
        await pharmacy.close()


async def test_on_a_clinic_server_only_an_administrator_downloads_the_audit_log(
    clinic: Clinic,  # noqa: F811
) -> None:
    practice = clinic.practice
    chief = await practice.person("Chef de cabinet", "admin")
    setup = await practice.accounts.reset(chief.account_id)
    await practice.accounts.set_password(setup.code, PASSWORD)
    alice = await clinic.browser("Alice")
    status, page, _ = await alice.get("/records")
    assert status == 200
    assert 'id="audit-export"' not in page
    assert 'id="audit-admin-only"' in page
    status, _, _ = await alice.get("/records/audit")
    assert status == 403
    admin = await clinic.browser("Chef de cabinet")
    status, page, _ = await admin.get("/records")
    assert 'id="audit-export"' in page
    status, body, _ = await admin.get("/records/audit")
    assert status == 200
    assert '"event":' in body
