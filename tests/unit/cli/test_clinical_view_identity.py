"""The patient's identity status (RNIV: provisional, retrieved, validated, qualified) is shown
wherever the patient is, in French and English: `releve show` and the lines shared with the
printed page and the record page (clients/cli/clinical_view.py patient_lines; issue #16)."""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

import pytest

from clients.cli.clinical_view import patient_lines
from clients.cli.i18n import Translator

from .conftest import Cli
from .fake_node import (
    HANDOFF,
    MESSAGE_IN,
    PATIENT,
    SHOWN_PRESCRIPTION,
    STATUS,
    FakeNode,
    message,
)

ID = MESSAGE_IN["message_id"]
ON = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("status", "french", "english"),
    [
        ("provisional", "provisoire", "provisional"),
        ("retrieved", "récupérée", "retrieved"),
        ("validated", "validée", "validated"),
        ("qualified", "qualifiée", "qualified"),
    ],
)
def test_each_identity_status_is_said_in_both_languages(
    status: str, french: str, english: str
) -> None:
    patient = {**PATIENT, "ins_status": status}
    assert f"Statut de l'identité : {french}" in patient_lines(Translator("fr"), patient, ON)
    assert f"Identity status: {english}" in patient_lines(Translator("en"), patient, ON)


def test_no_status_no_line_and_an_unknown_one_is_shown_cleaned() -> None:
    lines = patient_lines(Translator("fr"), dict(PATIENT), ON)
    assert not any("Statut de l'identité" in line for line in lines)
    odd = patient_lines(Translator("en"), {**PATIENT, "ins_status": "sure\x1b[31m"}, ON)
    shown = next(line for line in odd if line.startswith("Identity status:"))
    assert "\x1b" not in shown


def test_show_a_signed_prescription_says_the_ins_and_its_status(
    cli: Cli, fake_node: FakeNode
) -> None:
    prescription = {
        **SHOWN_PRESCRIPTION,
        "patient": {**SHOWN_PRESCRIPTION["patient"], "ins_status": "qualified"},
    }
    shown = message("prescription", prescription=prescription)
    fake_node.answer("GET", f"/v1/messages/{ID}", shown)
    result = cli("--home", str(fake_node.home), "show", ID)
    assert result.code == 0
    lines = result.out.splitlines()
    assert "INS : 2 56 03 75 123 456 54" in lines
    assert "Statut de l'identité : qualifiée" in lines
    english = cli("--lang", "en", "--home", str(fake_node.home), "show", ID)
    assert "Identity status: qualified" in english.out.splitlines()


@pytest.mark.parametrize(
    ("lang", "said"),
    [("fr", "Statut de l'identité : qualifiée"), ("en", "Identity status: qualified")],
)
def test_a_handoffs_ins_travels_with_its_status_shown_and_printed(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, lang: str, said: str
) -> None:
    """A handoff's patient carries the INS status as a prescription's (docs/protocol.md
    §18.4): `releve show` and the printed record say it, in French and English."""
    handoff = {**HANDOFF, "patient": {**HANDOFF["patient"], "ins_status": "qualified"}}
    shown = message("handoff", handoff=handoff)
    fake_node.answer("GET", f"/v1/messages/{ID}", shown)
    result = cli("--lang", lang, "--home", str(fake_node.home), "show", ID)
    assert result.code == 0, result.err
    assert said in result.out.splitlines()
    fake_node.answer("GET", "/v1/status", STATUS)
    fake_node.answer("POST", f"/v1/messages/{ID}/printed", {"recorded": True})
    out = tmp_path / "dossier.html"
    result = cli("--lang", lang, "--home", str(fake_node.home), "print", ID, "--out", str(out))
    assert result.code == 0, result.err
    assert escape(said) in out.read_text(encoding="utf-8")


def test_a_handoff_sent_before_the_status_says_none() -> None:
    """A handoff without a status (older nodes, stored ones) shows no status line."""
    lines = patient_lines(Translator("en"), {**HANDOFF["patient"], "ins_status": None}, ON)
    assert not any(line.startswith("Identity status") for line in lines)
