"""`releve send`: urgent and threaded text, handoffs and prescriptions from JSON or prompts."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import Cli
from .fake_node import HANDOFF, PRESCRIPTION, FakeNode, invalid_field, message

SENT_ID = "a" * 32


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def sent(kind: str = "text", **fields: Any) -> dict[str, Any]:
    return message(kind, "out", message_id=SENT_ID, **fields)


def posted(node: FakeNode) -> list[Any]:
    return [r.body for r in node.to("POST", "/v1/messages")]


def typing(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(line + "\n" for line in lines)))


def test_urgent_text_in_reply_to_a_prefix(cli: Cli, fake_node: FakeNode) -> None:
    parent = message(message_id="b767" + "1" * 28)
    fake_node.answer("GET", "/v1/messages", {"messages": [parent]})
    fake_node.answer("POST", "/v1/messages", sent(priority="urgent"), status=201)
    result = cli(
        "--lang",
        "en",
        *home(fake_node),
        "send",
        "Pharm",
        "Call me",
        "--urgent",
        "--reply-to",
        "B767",
    )
    assert result.code == 0
    assert result.out == SENT_ID + "\n"
    assert posted(fake_node) == [
        {
            "contact": "Pharm",
            "kind": "text",
            "text": "Call me",
            "priority": "urgent",
            "reply_to": parent["message_id"],
        }
    ]
    assert "must acknowledge it" in result.err


def test_handoff_from_json(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    source = tmp_path / "handoff.json"
    source.write_text(json.dumps(HANDOFF, ensure_ascii=False), encoding="utf-8")
    fake_node.answer("POST", "/v1/messages", sent("handoff", handoff=HANDOFF), status=201)
    result = cli(*home(fake_node), "send", "Cabinet", "--handoff", "--from-json", str(source))
    assert result.code == 0
    assert posted(fake_node) == [
        {
            "contact": "Cabinet",
            "kind": "handoff",
            "handoff": HANDOFF,
            "priority": "normal",
            "reply_to": None,
        }
    ]


def test_prescription_from_json_refused_field_is_translated(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    source = tmp_path / "ordonnance.json"
    source.write_text(json.dumps(PRESCRIPTION), encoding="utf-8")
    fake_node.answer_sequence(
        "POST", "/v1/messages", [invalid_field("lines.0.medicine", "narcotic")]
    )
    result = cli(
        *home(fake_node), "send", "Pharmacie", "--prescription", "--from-json", str(source)
    )
    assert result.code == 1
    # A narcotic: the message says what to do instead (issue #16).
    assert result.err.strip().startswith(
        "Erreur : Ligne 1 – médicament (nom ou DCI) : stupéfiant (ou assimilé) : Relève ne "
        "peut pas le transmettre. Rédigez une ordonnance sécurisée papier"
    )
    english = cli(
        "--lang",
        "en",
        *home(fake_node),
        "send",
        "Pharmacie",
        "--prescription",
        "--from-json",
        str(source),
    )
    assert "Line 1 – medicine (name or INN): a narcotic" in english.err
    assert "Write a secure paper prescription" in english.err
    fake_node.answer_sequence(
        "POST", "/v1/messages", [invalid_field("lines.1.renewals", "too_many")]
    )
    line = cli(
        "--lang",
        "en",
        *home(fake_node),
        "send",
        "Pharmacie",
        "--prescription",
        "--from-json",
        str(source),
    )
    assert "Line 2 – renewals (0 to 12): too many" in line.err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "is not valid JSON (line 1, column 2"),
        (b"[1, 2]", "must hold a JSON object"),
        (b"\xff\xfe{}", "cannot read"),
        (b"", "is empty"),
    ],
)
def test_from_json_bad_files_send_nothing(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, content: bytes, expected: str
) -> None:
    source = tmp_path / "bad.json"
    source.write_bytes(content)
    result = cli(
        "--lang", "en", *home(fake_node), "send", "X", "--handoff", "--from-json", str(source)
    )
    assert result.code == 1
    assert expected in result.err
    assert fake_node.requests == []


def test_from_json_missing_file_and_folder(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    missing = cli(
        "--lang",
        "en",
        *home(fake_node),
        "send",
        "X",
        "--handoff",
        "--from-json",
        str(tmp_path / "none.json"),
    )
    assert missing.code == 1
    assert "does not exist" in missing.err
    folder = cli(
        "--lang", "en", *home(fake_node), "send", "X", "--handoff", "--from-json", str(tmp_path)
    )
    assert folder.code == 1
    assert "is not a file" in folder.err
    assert fake_node.requests == []


@pytest.mark.parametrize(
    "args",
    [
        ["send", "X"],
        ["send", "X", "text", "--handoff"],
        ["send", "X", "--handoff", "--prescription"],
        ["send", "X", "text", "--from-json", "f.json"],
        ["send", "X", "text", "--caption", "c"],
        ["send", "X", "--handoff", "--no-wait"],
    ],
)
def test_send_options_that_do_not_go_together(
    cli: Cli, fake_node: FakeNode, args: list[str]
) -> None:
    result = cli(*home(fake_node), *args)
    assert result.code == 2
    assert "releve" in result.err
    assert fake_node.requests == []


HANDOFF_ANSWERS = (
    "DUPONT",  # birth name
    "Marie Claire",
    "14/03/1956",  # typed the French way
    "f",
    "2 56 03 75 123 456 99",  # a wrong key: the node refuses it
    "q",  # the identity status of the INS: qualified (RNIV)
    "Chute à domicile ce matin",
    "",
    "HTA",
    "diabète de type 2",
    "",
    "Constantes stables",
    "",
    "Radio de hanche",
    "",
    "a",  # severity: à surveiller
    "",  # callback: the node puts its own phone
    "Pénicilline",  # allergies, one a line
    "Iode",
    "",
    "-",  # treatments: none known
    "Si fièvre, rappeler.",  # contingency
    "",
    "21/11/2026 14:00",  # deadline, local time
    "o",  # home care
    "4 rue des Lilas",
    "",
    "02 98 11 22 33",
    "Paul Durand",
    "fils",
    "06 12 34 56 78",
    "oui",  # send?
)


def test_interactive_handoff_asks_again_the_refused_field(
    cli: Cli, fake_node: FakeNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    typing(monkeypatch, *HANDOFF_ANSWERS, "256037512345654")
    fake_node.answer_sequence(
        "POST",
        "/v1/messages",
        [invalid_field("patient.ins", "ins_key"), (201, sent("handoff"))],
    )
    result = cli(*home(fake_node), "send", "Cabinet", "--handoff")
    assert result.code == 0, result.err
    assert result.out == SENT_ID + "\n"
    first, second = posted(fake_node)
    assert first["handoff"]["patient"] == {
        "birth_name": "DUPONT",
        "first_names": "Marie Claire",
        "birth_date": "1956-03-14",
        "sex": "F",
        "ins": "2 56 03 75 123 456 99",
        "weight_kg": None,
        "ins_status": "qualified",
    }
    assert first["handoff"]["background"] == "HTA\ndiabète de type 2"
    assert first["handoff"]["severity"] == "watcher"
    assert first["handoff"]["callback"] is None
    assert first["handoff"]["allergies"] == ["Pénicilline", "Iode"]
    assert first["handoff"]["treatments"] == []
    assert first["handoff"]["contingency"] == "Si fièvre, rappeler."
    assert first["handoff"]["deadline"].startswith("2026-11-21T14:00:00")
    assert first["handoff"]["home"] == {
        "address": "4 rue des Lilas",
        "phone": "02 98 11 22 33",
        "next_of_kin": {"name": "Paul Durand", "relationship": "fils", "phone": "06 12 34 56 78"},
    }
    assert second["handoff"]["patient"]["ins"] == "256037512345654"
    assert second["handoff"]["situation"] == "Chute à domicile ce matin"
    assert "Le nœud refuse « INS (matricule) » : la clé de l'INS" in result.err
    assert "S – Situation" in result.err  # the review before sending


def test_interactive_handoff_asks_the_ins_status_again_when_refused(
    cli: Cli, fake_node: FakeNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handoff's INS travels with its identity status, as a prescription's (issue #16):
    "validated" is refused by the node (an INS only with a qualified identity), the status
    alone is asked again."""
    answers = list(HANDOFF_ANSWERS)
    answers[4:6] = ["256037512345654", "v"]  # a good INS, a validated identity
    typing(monkeypatch, *answers, "q")
    fake_node.answer_sequence(
        "POST",
        "/v1/messages",
        [invalid_field("patient.ins_status", "ins_not_qualified"), (201, sent("handoff"))],
    )
    result = cli("--lang", "en", *home(fake_node), "send", "Cabinet", "--handoff")
    assert result.code == 0, result.err
    first, second = posted(fake_node)
    assert first["handoff"]["patient"]["ins_status"] == "validated"
    assert second["handoff"]["patient"]["ins_status"] == "qualified"
    assert second["handoff"]["patient"]["ins"] == "256037512345654"
    assert "identity status" in result.err


def test_interactive_handoff_not_confirmed_sends_nothing(
    cli: Cli, fake_node: FakeNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    typing(monkeypatch, *HANDOFF_ANSWERS[:-1], "non")
    result = cli(*home(fake_node), "send", "Cabinet", "--handoff")
    assert result.code == 1
    assert "Rien n'a été envoyé." in result.err
    assert posted(fake_node) == []


def test_input_ending_early_sends_nothing(
    cli: Cli, fake_node: FakeNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    typing(monkeypatch, "DUPONT", "Marie")
    result = cli("--lang", "en", *home(fake_node), "send", "Cabinet", "--handoff")
    assert result.code == 1
    assert "input ended: nothing was sent" in result.err
    assert posted(fake_node) == []


def test_interactive_prescription_asks_inn_status_and_non_substitution(
    cli: Cli, fake_node: FakeNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    typing(
        monkeypatch,
        "2026-11-29",
        "MARTIN",
        "Léo",
        "02/05/2019",
        "M",
        "1 19 05 75 123 456 75",
        "18,5",  # weight
        "q",  # the INS's identity status: qualified
        "Clamoxyl",
        "amoxicilline",
        "250 mg",
        "1 dose-poids matin et soir",
        "",
        "",
        "0",
        "efg",  # not substitutable: a child under 6
        "oui",  # another line
        "Doliprane",
        "paracétamol",
        "125 mg",
        "si fièvre",
        "5 jours",
        "",
        "x",
        "1",  # "x" is asked again
        "",
        "non",
        "",  # no notes
        "oui",
        # the node refuses line 1: neither duration nor quantity
        "8 jours",
        "",
    )
    fake_node.answer_sequence(
        "POST",
        "/v1/messages",
        [invalid_field("lines.0", "duration_or_quantity"), (201, sent("prescription"))],
    )
    result = cli("--lang", "en", *home(fake_node), "send", "Pharmacie", "--prescription")
    assert result.code == 0, result.err
    first, second = posted(fake_node)
    prescription = first["prescription"]
    assert "prescriber" not in prescription  # the node's profile signs it
    assert prescription["patient"]["birth_date"] == "2019-05-02"
    assert prescription["patient"]["weight_kg"] == 18.5
    assert prescription["patient"]["ins_status"] == "qualified"
    assert prescription["lines"][0]["non_substitutable"] == "EFG"
    assert prescription["lines"][1] == {
        "medicine": "Doliprane",
        "inn": "paracétamol",
        "strength": "125 mg",
        "dosage": "si fièvre",
        "duration": "5 jours",
        "quantity": None,
        "renewals": 1,
        "non_substitutable": None,
    }
    assert prescription["notes"] is None
    assert second["prescription"]["lines"][0]["duration"] == "8 jours"
    assert "this is not a whole number" in result.err
    assert "give a duration or a quantity" in result.err


def test_prescription_date_defaults_to_today(
    cli: Cli, fake_node: FakeNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    typing(
        monkeypatch,
        "",  # date: today
        "B",
        "C",
        "1980-01-01",
        "U",
        "",  # no INS: no identity status asked
        "",
        "M",
        "m",
        "1 mg",
        "1/j",
        "",
        "1 boîte",
        "",
        "",
        "non",
        "Note",
        "",
        "oui",
    )
    fake_node.answer("POST", "/v1/messages", sent("prescription"), status=201)
    assert cli(*home(fake_node), "send", "Pharmacie", "--prescription").code == 0
    (body,) = posted(fake_node)
    assert body["prescription"]["date"] == date.today().isoformat()
    assert body["prescription"]["lines"][0]["renewals"] == 0
    assert body["prescription"]["notes"] == "Note"
