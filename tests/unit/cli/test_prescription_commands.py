"""`releve prescription cancel|amend|dispense`, and how a prescription's signature and
lifecycle read in `releve show` and `releve print` (issue #16), in French and English."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Cli
from .fake_node import (
    MESSAGE_IN,
    PRESCRIPTION,
    SHOWN_PRESCRIPTION,
    STATUS,
    FakeNode,
    message,
)

ID = MESSAGE_IN["message_id"]
OTHER = "ab" * 16


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def test_cancel_posts_the_reason(cli: Cli, fake_node: FakeNode) -> None:
    answer = message("cancellation", "out", message_id=OTHER, reply_to=ID)
    fake_node.answer("POST", f"/v1/messages/{ID}/cancel", answer, status=201)
    result = cli(*home(fake_node), "prescription", "cancel", ID, "--reason", "Erreur de dose")
    assert result.code == 0, result.err
    assert fake_node.last().body == {"reason": "Erreur de dose"}
    assert "Annulation signée envoyée" in result.out


def test_amend_posts_the_new_form(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    source = tmp_path / "nouvelle.json"
    source.write_text(json.dumps(PRESCRIPTION), encoding="utf-8")
    answer = message("prescription", "out", message_id=OTHER, prescription=SHOWN_PRESCRIPTION)
    fake_node.answer("POST", f"/v1/messages/{ID}/amend", answer, status=201)
    result = cli(
        "--lang", "en", *home(fake_node), "prescription", "amend", ID, "--from-json", str(source)
    )
    assert result.code == 0, result.err
    assert fake_node.last().body == {"prescription": PRESCRIPTION, "priority": "normal"}
    assert "the old one is replaced" in result.out


def test_dispense_posts_the_report(cli: Cli, fake_node: FakeNode) -> None:
    answer = message("dispensing", "out", message_id=OTHER, reply_to=ID)
    fake_node.answer("POST", f"/v1/messages/{ID}/dispense", answer, status=201)
    result = cli(
        *home(fake_node),
        "prescription",
        "dispense",
        ID,
        "--state",
        "partly",
        "--note",
        "1 boîte sur 2",
        "--confirmed-by-phone",
    )
    assert result.code == 0, result.err
    assert fake_node.last().body == {
        "state": "partly_dispensed",
        "note": "1 boîte sur 2",
        "confirmed_by_phone": True,
    }


def test_a_refusal_of_the_node_is_translated(cli: Cli, fake_node: FakeNode) -> None:
    error = {"error": {"code": "not_prescriber", "message": "only a gp"}}
    fake_node.answer("POST", f"/v1/messages/{ID}/cancel", error, status=400)
    result = cli(*home(fake_node), "prescription", "cancel", ID, "--reason", "x")
    assert result.code == 1
    assert "seul un nœud de médecin" in result.err


CANCELLED = {
    "state": "cancelled",
    "by": OTHER,
    "reason": "Erreur de patient",
    "valid_until": "2027-02-28",
    "expired": False,
    "dispensing": [
        {
            "message_id": "cd" * 16,
            "at": "2026-11-29T10:00:00.000Z",
            "state": "refused",
            "note": "Ordonnance annulée",
            "confirmed_by_phone": True,
        }
    ],
}
SIGNATURE = {"state": "verified", "rpps": "10001234565", "name": "Dr Camille Martin"}


def test_show_says_cancelled_signed_and_dispensing(cli: Cli, fake_node: FakeNode) -> None:
    shown = message(
        "prescription", prescription=SHOWN_PRESCRIPTION, lifecycle=CANCELLED, signature=SIGNATURE
    )
    fake_node.answer("GET", f"/v1/messages/{ID}", shown)
    out = cli(*home(fake_node), "show", ID).out
    assert "*** ORDONNANCE ANNULÉE – NE PAS DÉLIVRER *** (Erreur de patient)" in out
    assert "Signature vérifiée : Dr Camille Martin, RPPS 10001234565 (contact appairé)" in out
    assert "Pharmacien : refusée le" in out
    assert "(confirmée par téléphone avec le prescripteur)" in out
    english = cli("--lang", "en", *home(fake_node), "show", ID).out
    assert "*** PRESCRIPTION CANCELLED – DO NOT DISPENSE ***" in english


def test_show_says_replaced_and_expired(cli: Cli, fake_node: FakeNode) -> None:
    replaced = {**CANCELLED, "state": "replaced", "reason": None, "dispensing": []}
    fake_node.answer(
        "GET",
        f"/v1/messages/{ID}",
        message("prescription", prescription=SHOWN_PRESCRIPTION, lifecycle=replaced),
    )
    assert f"ORDONNANCE REMPLACÉE par {OTHER}" in cli(*home(fake_node), "show", ID).out
    expired = {**replaced, "state": "active", "expired": True}
    fake_node.answer(
        "GET",
        f"/v1/messages/{ID}",
        message("prescription", prescription=SHOWN_PRESCRIPTION, lifecycle=expired),
    )
    out = cli("--lang", "en", *home(fake_node), "show", ID).out
    assert "PAST ITS VALIDITY: first dispensing allowed until 2027-02-28 (R.5132-22)" in out


def test_print_puts_the_state_above_the_prescription(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    shown = message(
        "prescription", prescription=SHOWN_PRESCRIPTION, lifecycle=CANCELLED, signature=SIGNATURE
    )
    fake_node.answer("GET", f"/v1/messages/{ID}", shown)
    fake_node.answer("GET", "/v1/status", STATUS)
    fake_node.answer("POST", f"/v1/messages/{ID}/printed", {"recorded": True})
    out = tmp_path / "ordonnance.html"
    result = cli(*home(fake_node), "print", ID, "--out", str(out))
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    assert '<p class="state"><strong>*** ORDONNANCE ANNULÉE' in page
    assert page.index("ORDONNANCE ANNULÉE") < page.index("Paracétamol")
    assert "Signature vérifiée" in page
