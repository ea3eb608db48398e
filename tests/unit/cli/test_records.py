"""`releve print`, `releve export` and `releve audit`: files for the record, and the audit log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import Cli
from .fake_node import (
    HANDOFF,
    MESSAGE_IN,
    SHOWN_PRESCRIPTION,
    STATUS,
    FakeNode,
    attachment,
    error,
    message,
)

ID = MESSAGE_IN["message_id"]


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def private(path: Path) -> bool:
    return os.stat(path).st_mode & 0o777 == 0o600


# -- print ---------------------------------------------------------------------------------------


def serve_for_print(node: FakeNode, shown: dict[str, object]) -> None:
    node.answer("GET", f"/v1/messages/{ID}", shown)
    node.answer("GET", "/v1/status", STATUS)
    node.answer("POST", f"/v1/messages/{ID}/printed", {"recorded": True})


def test_print_one_message_escapes_everything(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    hostile = {
        **HANDOFF,
        "situation": "<script>alert(1)</script>",
        "patient": {**HANDOFF["patient"], "birth_name": 'D"UPONT <b>'},
    }
    serve_for_print(
        fake_node,
        message(
            "handoff",
            handoff=hostile,
            priority="urgent",
            acknowledged_at="2026-11-28T22:58:00.000Z",
            delivered_at="2026-11-28T22:54:00.000Z",
        ),
    )
    out = tmp_path / "dossier.html"
    result = cli("--lang", "en", *home(fake_node), "print", ID, "--out", str(out))
    assert result.code == 0, result.err
    html = out.read_text(encoding="utf-8")
    assert private(out)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "D&quot;UPONT &lt;b&gt;" in html
    assert "default-src 'none'" in html
    assert "size: A4" in html
    for expected in (
        "Pharmacie du Port",  # sender
        "Dr Camille Martin",  # recipient
        "r4dt-ywgz-4khu-jb3w-zaei-isv3-e4",
        ID,
        "URGENT",
        "Acknowledged",
        "Delivered",
        "INS: 2 56 03 75 123 456 54",
        "R – Request",
        "Save as PDF",
    ):
        assert expected in html, expected
    assert fake_node.last().path == f"/v1/messages/{ID}/printed"
    assert f"Page written: {out} (1 message(s))" in result.out


def test_print_prescription_and_attachment_in_a_conversation(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = "c" * 32
    messages = [
        message("prescription", "out", prescription=SHOWN_PRESCRIPTION),
        message("attachment", message_id=other, attachment=attachment(b"%PDF-1.4 x")),
    ]
    fake_node.answer("GET", "/v1/messages", {"messages": messages})
    fake_node.answer("GET", "/v1/status", STATUS)
    for message_id in (ID, other):
        fake_node.answer("POST", f"/v1/messages/{message_id}/printed", {"recorded": True})
    monkeypatch.chdir(tmp_path)
    result = cli(*home(fake_node), "print", "--conversation", "Pharmacie")
    assert result.code == 0, result.err
    listing = fake_node.to("GET", "/v1/messages")[0]
    assert listing.query == {"contact": ["Pharmacie"], "limit": ["10000"]}
    page = tmp_path / "releve-Pharmacie-du-Port.html"
    html = page.read_text(encoding="utf-8")
    assert private(page)
    assert "Paracétamol 500 mg" in html
    assert "RPPS 10001234565" in html
    assert "bilan.pdf" in html
    assert [r.path for r in fake_node.to("POST", f"/v1/messages/{ID}/printed")]
    assert [r.path for r in fake_node.to("POST", f"/v1/messages/{other}/printed")]
    again = cli(*home(fake_node), "print", "--conversation", "Pharmacie")
    assert again.code == 0
    assert (tmp_path / "releve-Pharmacie-du-Port (2).html").exists()


def test_print_refuses_to_overwrite_and_non_html(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    serve_for_print(fake_node, message())
    existing = tmp_path / "page.html"
    existing.write_text("keep me")
    result = cli("--lang", "en", *home(fake_node), "print", ID, "--out", str(existing))
    assert result.code == 1
    assert "already exists" in result.err
    assert existing.read_text() == "keep me"
    assert not fake_node.to("POST", f"/v1/messages/{ID}/printed")
    pdf = cli("--lang", "en", *home(fake_node), "print", ID, "--out", str(tmp_path / "p.pdf"))
    assert pdf.code == 1
    assert "p.html" in pdf.err
    neither = cli(*home(fake_node), "print")
    assert neither.code == 2


def test_print_an_empty_conversation(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/messages", {"messages": []})
    result = cli("--lang", "en", *home(fake_node), "print", "--conversation", "X")
    assert result.code == 1
    assert "no messages with this contact" in result.err


# -- export --------------------------------------------------------------------------------------

BUNDLES = [
    {"resourceType": "Bundle", "type": "message", "entry": [{"n": 1}]},
    {"resourceType": "Bundle", "type": "message", "entry": [{"n": "é"}]},
]


def test_export_writes_ndjson(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    fake_node.answer("POST", "/v1/export", {"bundles": BUNDLES, "count": 2})
    out = tmp_path / "export.ndjson"
    result = cli(
        "--lang",
        "en",
        *home(fake_node),
        "export",
        "--patient",
        "dupont",
        "--since",
        "01/11/2026",
        "--out",
        str(out),
    )
    assert result.code == 0, result.err
    assert fake_node.last().body == {"patient": "dupont", "since": "2026-11-01"}
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == BUNDLES
    assert private(out)
    assert f"2 message(s) exported as FHIR R4 to {out}" in result.out


def test_export_defaults(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fake_node.answer("POST", "/v1/export", {"bundles": BUNDLES[:1], "count": 1})
    assert cli(*home(fake_node), "export").code == 0
    assert fake_node.last().body == {"patient": None, "since": None}
    (written,) = tmp_path.glob("releve-export-*.ndjson")
    assert private(written)
    fake_node.answer("POST", "/v1/export", {"bundles": [], "count": 0})
    none = cli("--lang", "en", *home(fake_node), "export")
    assert "No message matches" in none.out
    assert len(list(tmp_path.glob("releve-export-*"))) == 1


def test_export_bad_date_and_existing_file(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    bad = cli("--lang", "en", *home(fake_node), "export", "--since", "31/02/2026")
    assert bad.code == 2
    assert "invalid date: 31/02/2026" in bad.err
    existing = tmp_path / "x.ndjson"
    existing.write_text("old")
    refused = cli("--lang", "en", *home(fake_node), "export", "--out", str(existing))
    assert refused.code == 1
    assert fake_node.requests == []


# -- audit ---------------------------------------------------------------------------------------


def test_audit_verify_ok(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/audit/verify", {"ok": True, "entries": 42, "problem": None})
    result = cli("--lang", "en", *home(fake_node), "audit", "verify")
    assert result.code == 0
    assert result.out.strip() == "Audit log intact: 42 entries, chain verified."


def test_audit_verify_broken(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer(
        "GET",
        "/v1/audit/verify",
        {"ok": False, "entries": 42, "problem": {"position": 17, "reason": "changed"}},
    )
    result = cli("--lang", "en", *home(fake_node), "audit", "verify")
    assert result.code == 1
    assert "AUDIT LOG TAMPERED WITH at entry 17 (entry changed) of 42" in result.err
    french = cli(*home(fake_node), "audit", "verify")
    assert "JOURNAL D'AUDIT ALTÉRÉ à l'entrée 17 (entrée modifiée) sur 42" in french.err
    fake_node.answer(
        "GET",
        "/v1/audit/verify",
        {"ok": False, "entries": 3, "problem": {"position": 3, "reason": "future_reason"}},
    )
    unknown = cli("--lang", "en", *home(fake_node), "audit", "verify")
    assert unknown.code == 1
    assert "at entry 3 (future_reason) of 3" in unknown.err


def test_audit_export(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    ndjson = b'{"seq":0,"event":"paired"}\n{"seq":1,"event":"sent"}\n'
    fake_node.answer("GET", "/v1/audit/export", ndjson)
    out = tmp_path / "audit.jsonl"
    result = cli("--lang", "en", *home(fake_node), "audit", "export", "--out", str(out))
    assert result.code == 0
    assert out.read_bytes() == ndjson
    assert private(out)
    refused = cli("--lang", "en", *home(fake_node), "audit", "export", "--out", str(out))
    assert refused.code == 1
    assert "already exists" in refused.err


def test_audit_export_to_stdout(
    fake_node: FakeNode, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    from clients.cli.main import main

    ndjson = b'{"seq":0,"event":"paired"}\n'
    fake_node.answer("GET", "/v1/audit/export", ndjson)
    assert main([*home(fake_node), "audit", "export"]) == 0
    assert capsysbinary.readouterr().out == ndjson


def test_audit_export_broken_log(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer_sequence(
        "GET", "/v1/audit/export", [(409, error("audit_broken", "chain broken at 3"))]
    )
    result = cli("--lang", "en", *home(fake_node), "audit", "export")
    assert result.code == 1
    assert "releve audit verify" in result.err
