"""The patient's identity status (RNIV: provisional, retrieved, validated, qualified) is shown
wherever the patient is, in French and English: `releve show` and the lines shared with the
printed page and the record page (clients/cli/clinical_view.py patient_lines; issue #16)."""

from __future__ import annotations

from datetime import date

import pytest

from clients.cli.clinical_view import patient_lines
from clients.cli.i18n import Translator

from .conftest import Cli
from .fake_node import MESSAGE_IN, PATIENT, SHOWN_PRESCRIPTION, FakeNode, message

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
