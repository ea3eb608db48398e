"""What a signed prescription says on screen and on paper beyond its lines (issue #16): each
line's INN (CSP L.5121-1-2) and non-substitution with its reason (L.5125-23: MTE, EFG, CIF), the
prescriber's e-mail (R.5132-3), and the last day of first dispensing (R.5132-22), in French and
English, by `releve show` and `releve print`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import Cli
from .fake_node import MESSAGE_IN, SHOWN_PRESCRIPTION, STATUS, FakeNode, message

ID = MESSAGE_IN["message_id"]
LIFECYCLE: dict[str, Any] = {
    "state": "active",
    "by": None,
    "reason": None,
    "valid_until": "2027-02-28",
    "expired": False,
    "dispensing": [],
}


def _prescription() -> dict[str, Any]:
    first, second = SHOWN_PRESCRIPTION["lines"]
    return {
        **SHOWN_PRESCRIPTION,
        "notes": None,
        "lines": [
            {**first, "inn": "paracétamol", "non_substitutable": None},
            {**second, "medicine": "Clamoxyl", "inn": "amoxicilline", "non_substitutable": "EFG"},
        ],
    }


def _answer(fake_node: FakeNode) -> None:
    shown = message("prescription", prescription=_prescription(), lifecycle=LIFECYCLE)
    fake_node.answer("GET", f"/v1/messages/{ID}", shown)


def test_show_says_inn_non_substitution_email_and_validity(cli: Cli, fake_node: FakeNode) -> None:
    _answer(fake_node)
    out = cli("--home", str(fake_node.home), "show", ID).out
    assert "DCI : paracétamol" in out
    assert "DCI : amoxicilline – NON SUBSTITUABLE (EFG)" in out
    assert "Courriel : c.martin@cabinet.example.fr" in out
    assert "Première délivrance au plus tard le 28/02/2027" in out
    first_line = out[out.index("1. Paracétamol") : out.index("2. Clamoxyl")]
    assert "SUBSTITUABLE" not in first_line  # the reason is the line's own, not the whole page's
    english = cli("--lang", "en", "--home", str(fake_node.home), "show", ID).out
    assert "INN: amoxicilline" in english
    assert "E-mail: c.martin@cabinet.example.fr" in english
    assert "First dispensing by 2027-02-28 at the latest" in english


def test_print_says_them_too(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    _answer(fake_node)
    fake_node.answer("GET", "/v1/status", STATUS)
    fake_node.answer("POST", f"/v1/messages/{ID}/printed", {"recorded": True})
    out = tmp_path / "ordonnance.html"
    result = cli("--home", str(fake_node.home), "print", ID, "--out", str(out))
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    for words in (
        "DCI : amoxicilline",
        "NON SUBSTITUABLE (EFG)",
        "Courriel : c.martin@cabinet.example.fr",
        "Première délivrance au plus tard le 28/02/2027",
    ):
        assert words in page, words
