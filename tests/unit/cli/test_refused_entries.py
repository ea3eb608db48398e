"""A refused prescription is visible in `releve status` and `releve inbox` (issue #16): from
whom, what, and why, in French and English; never silence."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Cli
from .fake_node import STATUS, FakeNode


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def refusal(**fields: Any) -> dict[str, Any]:
    return {
        "message_id": "c" * 32,
        "contact_id": "d" * 32,
        "contact_name": "Dr Martin",
        "kind": "prescription",
        "reason": "prescriber_mismatch",
        "field": None,
        "rule": None,
        "at": "2026-11-28T22:00:00.000Z",
        **fields,
    }


STATUS_REFUSED: dict[str, Any] = {
    **STATUS,
    "refused": [
        refusal(),
        refusal(kind="prescription", reason="rule", field="lines.0.medicine", rule="narcotic"),
        refusal(kind="cancellation", reason="unknown_prescription", contact_name=None),
        refusal(kind="odd\x1b[31m", reason="new_reason"),
    ],
}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "REFUSED by your node: a prescription from Dr Martin",
                "the prescriber named is not this contact",
                "Phone Dr Martin: they can check and send it again",
                "a rule is not met: Line 1 – ",
                "a narcotic",
                "a prescription cancellation from a former contact",
                "it is about a prescription you do not have",
                "a message from Dr Martin",
                "reason new_reason",
            ],
        ),
        (
            "fr",
            [
                "REFUSÉ par votre poste : une ordonnance de Dr Martin",
                "le prescripteur indiqué n'est pas ce contact",
                "Appelez Dr Martin : qu'il vérifie et renvoie",
                "règle non respectée : Ligne 1 – ",
                "une annulation d'ordonnance de un ancien contact",
                "motif new_reason",
            ],
        ),
    ],
)
def test_status_shows_refused_prescriptions(
    cli: Cli, fake_node: FakeNode, lang: str, expected: list[str]
) -> None:
    fake_node.answer("GET", "/v1/status", STATUS_REFUSED)
    result = cli("--lang", lang, *home(fake_node), "status")
    assert result.code == 0
    for text in expected:
        assert text in result.out, text
    assert "\x1b" not in result.out


def test_inbox_shows_them_above_the_messages(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", STATUS_REFUSED)
    fake_node.answer("GET", "/v1/inbox", {"messages": []})
    result = cli("--lang", "en", *home(fake_node), "inbox")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("REFUSED by your node: a prescription from Dr Martin")


def test_nothing_refused_says_nothing(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", {**STATUS, "refused": []})
    result = cli("--lang", "en", *home(fake_node), "status")
    assert "REFUSED" not in result.out
