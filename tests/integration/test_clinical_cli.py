"""The clinical commands of `releve`, run as real processes against real nodes (issue 6)."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.nodes import FAST_ENV, Node, cli, wait_for
from tests.integration.test_clinical import HANDOFF, PRESCRIPTION, arrived
from tests.unit.node.test_fhir import problems

pytestmark = pytest.mark.integration


def message_id_of(result: subprocess.CompletedProcess[str]) -> str:
    """The id `releve send` prints (stdout keeps only ids and results)."""
    words = [
        w for w in result.stdout.split() if len(w) == 32 and all(c in "0123456789abcdef" for c in w)
    ]
    assert words, result.stdout
    return words[0]


def test_handoff_prescription_ack_show_print_export_and_audit_from_the_cli(
    nodes: list[Node], tmp_path: Path
) -> None:
    gp, pharmacy = nodes
    form = tmp_path / "handoff.json"
    form.write_text(json.dumps(HANDOFF), encoding="utf-8")
    handoff_id = message_id_of(
        cli(gp.home, "send", "Pharmacie", "--handoff", "--from-json", str(form))
    )
    form.write_text(json.dumps(PRESCRIPTION), encoding="utf-8")
    prescription_id = message_id_of(
        cli(gp.home, "send", "Pharmacie", "--prescription", "--from-json", str(form), "--urgent")
    )
    arrived(pharmacy, handoff_id)
    arrived(pharmacy, prescription_id)

    shown = cli(pharmacy.home, "show", handoff_id).stdout
    for text in ("DURAND", "Chute à domicile", "Radiographie du bassin"):
        assert text in shown
    for text in ("Severity: WATCHER", "Call back on: 02 98 00 00 00", "Allergies: Pénicilline"):
        assert text in shown
    # The pharmacist reads the handoff back; the GP sees the reformulation under it.
    cli(
        pharmacy.home,
        "ack",
        handoff_id,
        "--read-back",
        "Radio du bassin demain, rappel si EVA > 7.",
    )
    wait_for(lambda: gp.message(handoff_id)["read_backs"], 60, "the read-back")
    assert "Radio du bassin demain" in cli(gp.home, "show", handoff_id).stdout
    shown = cli(pharmacy.home, "show", prescription_id).stdout
    assert "Eliquis" in shown
    assert "INN: apixaban" in shown
    assert "Signature verified: Dr Camille Martin, RPPS 10001234565" in shown
    assert "10001234565" in shown

    # The pharmacist acknowledges the urgent prescription; the GP sees it.
    status = cli(pharmacy.home, "status").stdout
    assert prescription_id[:8] in status
    cli(pharmacy.home, "ack", prescription_id)
    wait_for(lambda: gp.message(prescription_id)["acknowledged_at"], 60, "the acknowledgement")

    # 1 month renewed 12 times is refused by the node (R.5132-21), naming the line; nothing
    # is sent.
    line = {**PRESCRIPTION["lines"][0], "duration": "1 mois", "renewals": 12}
    form.write_text(json.dumps({**PRESCRIPTION, "lines": [line]}), encoding="utf-8")
    refused = cli(
        gp.home, "send", "Pharmacie", "--prescription", "--from-json", str(form), check=False
    )
    assert refused.returncode == 1
    assert "exceeds 12 months" in refused.stderr + refused.stdout

    # The GP cancels it from the CLI; the pharmacist's `show` says so.
    cli(gp.home, "prescription", "cancel", prescription_id, "--reason", "Erreur de dose")
    wait_for(
        lambda: pharmacy.message(prescription_id)["lifecycle"]["state"] == "cancelled",
        60,
        "the cancellation",
    )
    assert "PRESCRIPTION CANCELLED" in cli(pharmacy.home, "show", prescription_id).stdout

    page = tmp_path / "page.html"
    cli(pharmacy.home, "print", handoff_id, "--out", str(page))
    html = page.read_text(encoding="utf-8")
    assert "DURAND" in html
    assert handoff_id in html
    assert stat.S_IMODE(page.stat().st_mode) == 0o600

    export = tmp_path / "export.ndjson"
    cli(pharmacy.home, "export", "--patient", "durand", "--out", str(export))
    bundles = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    assert len(bundles) == 2
    assert all(problems(bundle) == [] for bundle in bundles)

    assert cli(pharmacy.home, "audit", "verify").returncode == 0
    lines = cli(pharmacy.home, "audit", "export").stdout.splitlines()
    events = {json.loads(line)["event"] for line in lines}
    assert {"paired", "received", "acknowledged", "printed", "exported", "viewed"} <= events
    assert "DURAND" not in "\n".join(lines)
    # `releve show` twice today: one "viewed" entry per message.
    viewed = [json.loads(line)["message"] for line in lines if '"viewed"' in line]
    assert viewed.count(handoff_id) == 1
    # The export checked offline (docs/audit.md), with no node involved.
    log = tmp_path / "audit.jsonl"
    cli(pharmacy.home, "audit", "export", "--out", str(log))
    offline = cli(tmp_path / "nowhere", "audit", "verify", "--file", str(log))
    assert "Audit file intact" in offline.stdout


def test_a_file_sent_and_saved_under_a_safe_name(nodes: list[Node], tmp_path: Path) -> None:
    gp, pharmacy = nodes
    original = tmp_path / "résultats.pdf"
    original.write_bytes(b"%PDF-1.7\n" + os.urandom(300_000))
    sent = cli(gp.home, "send", "Pharmacie", "--file", str(original), "--caption", "Bilan")
    message_id = message_id_of(sent)
    wait_for(lambda: arrived(pharmacy, message_id)["attachment"]["complete"], 60, "the whole file")
    folder = tmp_path / "saved"
    folder.mkdir()
    cli(pharmacy.home, "save", message_id, str(folder))
    cli(pharmacy.home, "save", message_id, str(folder))  # never overwrites: a second name
    saved = sorted(p.name for p in folder.iterdir())
    assert saved == ["résultats (2).pdf", "résultats.pdf"]
    assert (folder / "résultats.pdf").read_bytes() == original.read_bytes()
    assert stat.S_IMODE((folder / "résultats.pdf").stat().st_mode) == 0o600


def test_a_cli_without_node_says_so(tmp_path: Path) -> None:
    env = {**os.environ, **FAST_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "clients.cli", "--home", str(tmp_path), "ack", "00" * 16],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3


def photograph(page: Path, out: Path) -> Path:
    """A photo of the printed page: the HTML drawn by headless Chromium, then tilted, blurred
    and saved as a JPEG, as a phone would take it."""
    from PIL import Image, ImageFilter

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI") == "true":  # .ci/run installs it: missing there is a failure
            pytest.fail("no chromium to draw the page (Debian package chromium)")
        pytest.skip("no chromium to draw the page")
    shot = out.with_suffix(".shot.png")
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            "--window-size=900,2400",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    with Image.open(shot) as image:
        photo = image.convert("L").rotate(4, expand=True, fillcolor=235)
        photo = photo.filter(ImageFilter.GaussianBlur(0.6))
        photo.save(out, quality=70)
    return out


def test_a_printed_prescription_verifies_from_a_photo_and_fails_altered(
    nodes: list[Node], tmp_path: Path
) -> None:
    from clients.cli import qr
    from node.protocol.printed import PrintedPrescription

    gp, pharmacy = nodes
    form = tmp_path / "prescription.json"
    form.write_text(json.dumps(PRESCRIPTION), encoding="utf-8")
    prescription_id = message_id_of(
        cli(gp.home, "send", "Pharmacie", "--prescription", "--from-json", str(form))
    )
    arrived(pharmacy, prescription_id)
    page = tmp_path / "ordonnance.html"
    cli(pharmacy.home, "print", prescription_id, "--out", str(page))
    html = page.read_text(encoding="utf-8")
    assert "releve verify-print" in html

    photo = photograph(page, tmp_path / "photo.jpg")
    checked = cli(pharmacy.home, "verify-print", str(photo), check=False)
    assert checked.returncode == 1, checked.stderr  # the contact is not verified yet
    assert "Signature valid" in checked.stdout
    assert "NOT VERIFIED" in checked.stdout
    assert "Eliquis" in checked.stdout  # the signed content, to compare with the page
    assert "does not read the printed text" in checked.stdout
    cli(pharmacy.home, "verify", "Dr Camille Martin", "--confirm")
    checked = cli(pharmacy.home, "verify-print", str(photo))
    assert 'verified contact "Dr Camille Martin"' in checked.stdout
    assert "Recipient: this node." in checked.stdout
    assert f"This node received or sent this same message ({prescription_id})" in checked.stdout

    # The same page with a code whose signed body was changed (one byte of the dosage).
    codes = pharmacy.message(prescription_id)["print_codes"]
    printed = PrintedPrescription.from_qr_texts(codes)
    body = printed.body.replace(b"1 comprim", b"2 comprim", 1)
    assert body != printed.body
    altered = PrintedPrescription(
        printed.kind, printed.signer, printed.recipient_id, printed.message_id, body
    )
    svg = re.compile(r"<svg [^>]*data-part[^>]*>.*?</svg>", re.S)
    forged = svg.sub(lambda _: qr.svg_markup(altered.qr_texts()[0]), html, count=1)
    (tmp_path / "forged.html").write_text(forged, encoding="utf-8")
    photo = photograph(tmp_path / "forged.html", tmp_path / "forged.jpg")
    refused = cli(pharmacy.home, "verify-print", str(photo), check=False)
    assert refused.returncode == 1
    assert "SIGNATURE NOT VALID" in refused.stderr + refused.stdout
    assert "Eliquis" not in refused.stdout
