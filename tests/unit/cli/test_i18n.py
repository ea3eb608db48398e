"""The catalog: both languages everywhere, same placeholders, language choice, no missing key."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from clients.cli import i18n
from clients.cli.catalog import CATALOG
from clients.cli.i18n import Translator, choose_language
from clients.cli.roles import ROLE_CODES

REPO = Path(__file__).resolve().parents[3]
CLI_SOURCES = sorted((REPO / "clients" / "cli").rglob("*.py"))
# Codes the node raises from init_home() and run() (node.core.errors.SetupError, StoreError).
SETUP_CODES = (
    "home_exists",
    "invalid_name",
    "invalid_role",
    "invalid_phone",
    "home_unwritable",
    "weak_passphrase",
    "home_missing",
    "wrong_passphrase",
    "passphrase_required",
    "node_running",
    "address_in_use",
    "database_too_new",
    "invalid_listen",
    "invalid_config",
    "keyring_damaged",
    "key_file_missing",
    "database_error",
    "invalid_relay",
)
MESSAGE_STATUSES = ("queued", "delivered", "read", "failed", "received", "held")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = CATALOG[key]
    assert set(entry) == set(i18n.LANGUAGES)
    assert all(entry[lang].strip() for lang in i18n.LANGUAGES)
    assert placeholders(entry["fr"]) == placeholders(entry["en"])


def test_every_key_used_in_the_code_exists() -> None:
    prefixes = "|".join(sorted({key.split(".")[0] for key in CATALOG}))
    used = set()
    for path in CLI_SOURCES:
        used |= set(re.findall(rf'"((?:{prefixes})\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used, "the scan found no key at all"
    assert sorted(used - set(CATALOG)) == []


def test_keys_built_at_run_time_exist() -> None:
    for code in ROLE_CODES:
        assert f"role.{code}" in CATALOG
    for status in MESSAGE_STATUSES:
        assert f"msgstatus.{status}" in CATALOG
    for code in SETUP_CODES:
        assert f"setup.{code}" in CATALOG


def test_every_documented_api_error_code_is_translated() -> None:
    doc = (REPO / "docs" / "local-api.md").read_text(encoding="utf-8")
    codes = re.findall(r"^\| `([a-z_]+)` \| \d{3} \|", doc, flags=re.MULTILINE)
    assert "unauthorized" in codes
    assert sorted(code for code in codes if f"api.{code}" not in CATALOG) == []


def test_roles_are_shown_translated() -> None:
    assert CATALOG["role.gp"] == {"fr": "médecin généraliste", "en": "general practitioner"}


@pytest.mark.parametrize(
    ("cli", "environ", "expected"),
    [
        (None, {}, "fr"),
        ("en", {"RELEVE_LANG": "fr", "LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"RELEVE_LANG": "en", "LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"RELEVE_LANG": "EN"}, "en"),
        (None, {"RELEVE_LANG": "de", "LANG": "en_GB.UTF-8"}, "en"),
        (None, {"LC_ALL": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"LC_ALL": "fr_CA.UTF-8", "LC_MESSAGES": "en_US"}, "fr"),
        (None, {"LC_MESSAGES": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        (None, {"LANG": "en_US.UTF-8"}, "en"),
        (None, {"LANG": "de_DE.UTF-8"}, "fr"),
        (None, {"LANG": "C.UTF-8"}, "fr"),
        (None, {"LC_ALL": "", "LANG": "en_US"}, "en"),
    ],
)
def test_language_choice(cli: str | None, environ: dict[str, str], expected: str) -> None:
    assert choose_language(cli, environ) == expected


def test_language_from_environment_reaches_output(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clients.cli.main import main

    monkeypatch.setenv("RELEVE_LANG", "en")
    assert main(["--home", str(tmp_path), "status"]) == 3
    assert capsys.readouterr().err.startswith("Error: no node is running")
    monkeypatch.setenv("RELEVE_LANG", "fr")
    assert main(["--home", str(tmp_path), "status"]) == 3
    assert capsys.readouterr().err.startswith("Erreur : aucun nœud ne tourne")


def test_a_translator_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        Translator("de")


# -- clinical messages (issue 6) -----------------------------------------------------------------

NEW_API_CODES = (
    "invalid_field",
    "attachment_incomplete",
    "not_urgent",
    "not_an_attachment",
    "audit_broken",
)


def test_the_api_codes_of_clinical_messages_are_translated() -> None:
    for code in NEW_API_CODES:
        assert f"api.{code}" in CATALOG


def test_every_reason_and_field_has_words() -> None:
    from clients.cli.fields import FIELD_PATHS, REASONS

    doc = (REPO / "docs" / "local-api.md").read_text(encoding="utf-8")
    listed = re.search(r"^Reasons: (.*?)\.\s*$", doc, flags=re.MULTILINE | re.DOTALL)
    assert listed is not None
    documented = set(re.findall(r"`([a-z_]+)`", listed.group(1).split(". ")[0]))
    assert "ins_key" in documented
    assert sorted(documented - set(REASONS)) == []
    for reason in REASONS:
        assert f"reason.{reason}" in CATALOG
    for path in FIELD_PATHS:
        assert f"field.{path}" in CATALOG


def test_audit_problems_are_translated() -> None:
    doc = (REPO / "docs" / "local-api.md").read_text(encoding="utf-8")
    listed = re.search(r"\(reasons: ([^)]*)\)", doc)
    assert listed is not None
    reasons = re.findall(r"`([a-z_]+)`", listed.group(1))
    assert "reordered" in reasons
    assert sorted(r for r in reasons if f"audit_reason.{r}" not in CATALOG) == []


@pytest.mark.parametrize(
    ("path", "french", "english"),
    [
        ("patient.ins", "INS (matricule)", "INS (national health id)"),
        ("lines.2.renewals", "Ligne 3 – renouvellements (0 à 12)", "Line 3 – renewals (0 to 12)"),
        ("handoff.situation", "S – Situation", "S – Situation"),
        (
            "prescription.lines.0.duration",
            "Ligne 1 – durée (ex. 7 jours)",
            "Line 1 – duration (e.g. 7 days)",
        ),
        ("mystery.field", "mystery.field", "mystery.field"),
    ],
)
def test_field_labels(path: str, french: str, english: str) -> None:
    from clients.cli.fields import field_label

    assert field_label(Translator("fr"), path) == french
    assert field_label(Translator("en"), path) == english


def test_unknown_reason_is_shown_as_its_code() -> None:
    from clients.cli.fields import reason_text

    assert reason_text(Translator("fr"), "new_reason\x1b") == "refusé (new_reason?)"
