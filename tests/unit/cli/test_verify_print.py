"""What `releve verify-print` says for each answer of the node (issue #16): a verified
contact's key, an unverified one, an unknown key, a prescriber not on the card; in French and
English, always saying that the printed text is for the person to compare."""

from __future__ import annotations

from typing import Any

import pytest

from clients.cli.commands.verify_print import report_lines
from clients.cli.i18n import Translator


def answer(contact: dict[str, Any] | None, **signer: Any) -> dict[str, Any]:
    return {
        "signature": "valid",
        "kind": "prescription",
        "message_id": "ab" * 16,
        "reply_to": None,
        "signer": {"node_id": "ner7-6k3y", "ours": False, "contact": contact, **signer},
        "recipient": {"node_id": "abcd-efgh", "ours": False, "name": None},
        "stored": "absent",
        "prescription": {
            "prescriber": {"name": "Dr Camille Martin", "rpps": "10001234565"},
            "date": "2026-11-20",
            "patient": {"birth_name": "DURAND", "first_names": "Jeanne"},
            "lines": [{"medicine": "Eliquis", "strength": "5 mg", "dosage": "1 matin"}],
        },
        "cancellation": None,
        "lifecycle": None,
    }


VERIFIED = {"name": "Dr Martin", "verified": True, "role": "gp", "state": "active"}


@pytest.mark.parametrize(
    ("result", "words", "trusted"),
    [
        (answer(VERIFIED, card_matches=True), "verified contact", True),
        (answer({**VERIFIED, "verified": False}, card_matches=True), "NOT VERIFIED", False),
        (answer(None, card_matches=None), "UNKNOWN to this node", False),
        (answer(VERIFIED, card_matches=False), "not the one on this contact's card", False),
    ],
)
def test_each_answer_is_said_and_only_a_verified_key_is_trusted(
    result: dict[str, Any], words: str, trusted: bool
) -> None:
    lines, ok = report_lines(Translator("en"), result)
    text = "\n".join(lines)
    assert words in text
    assert ok is trusted
    assert "Eliquis" in text
    assert "does not read the printed text" in text
    assert "another node (abcd-efgh)" in text


def test_in_french() -> None:
    lines, ok = report_lines(Translator("fr"), answer(None, card_matches=None))
    text = "\n".join(lines)
    assert "clé INCONNUE de ce nœud" in text
    assert "ne lit pas le texte imprimé" in text
    assert not ok
