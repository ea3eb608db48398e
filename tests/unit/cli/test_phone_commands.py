"""`releve pair call` and `releve pair join` against a stand-in local API: what is sent, what
the clinician reads (French and English), how failures are translated."""

from __future__ import annotations

import io
from typing import Any

import pytest

from clients.cli import i18n
from clients.cli.command_line import build_parser
from clients.cli.commands import TABLE
from clients.cli.commands.phone_pairing import boxed, spoken
from clients.cli.i18n import Translator

from .conftest import Cli
from .fake_node import CONTACT, FakeNode

CALL: dict[str, Any] = {
    "call_id": "c0ffee" + "0" * 26,
    "code": "42-lapin-orage-tigre",
    "relay": "http://relay.example.fr:7400",
    "expires_at": "2026-11-28T23:03:10.123Z",
    "state": "waiting",
    "peer_joined": False,
    "contact": None,
    "reason": None,
}
STATE_PATH = "/v1/pairings/call/" + CALL["call_id"]
# Every reason a failed call can give (docs/local-api.md), translated.
REASONS = (
    "wrong_code",
    "code_expired",
    "relay_unreachable",
    "relay_busy",
    "peer_left",
    "pairing_timeout",
    "pairing_failed",
    "cancelled",
    "already_paired",
    "invitation_own",
    "invitation_expired",
    "invitation_invalid",
    "store_unavailable",
    "internal",
)


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def test_the_code_is_read_digit_by_digit_then_word_by_word() -> None:
    assert spoken(Translator("fr"), "42-lapin-orage-tigre") == "quatre, deux, lapin, orage, tigre"
    assert spoken(Translator("en"), "7-lapin-orage-tigre") == "seven, lapin, orage, tigre"


def test_the_boxed_code_falls_back_to_ascii(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    lines = boxed("7-lapin-orage-tigre")
    assert lines[2] == "    |   7 - lapin - orage - tigre   |"
    assert lines[0].strip() == "+" + "-" * (len(lines[2].strip()) - 2) + "+"


def test_parser_entries() -> None:
    args = build_parser(TABLE, Translator()).parse_args(
        ["pair", "call", "--relay", "http://r:7400"]
    )
    assert (args.pair_command, args.relay) == ("call", "http://r:7400")
    args = build_parser(TABLE, Translator()).parse_args(
        ["pair", "join", "7", "lapin", "orage", "tigre"]
    )
    assert (args.code, args.relay) == (["7", "lapin", "orage", "tigre"], None)
    args = build_parser(TABLE, Translator()).parse_args(
        ["pair", "join", "7-lapin-orage-tigre", "--relay", "x"]
    )
    assert (args.code, args.relay) == (["7-lapin-orage-tigre"], "x")


def test_pair_call_shows_the_code_then_the_new_contact(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("POST", "/v1/pairings/call", CALL, status=201)
    paired = {**CALL, "state": "paired", "peer_joined": True, "contact": CONTACT}
    fake_node.answer("GET", STATE_PATH, paired)
    result = cli(*home(fake_node), "--lang", "en", "pair", "call", "--relay", CALL["relay"])
    assert result.code == 0, result.err
    assert fake_node.requests[0].body == {"relay": CALL["relay"]}
    assert fake_node.requests[1].query == {"wait": ["30"]}
    out = result.out
    assert "42 - lapin - orage - tigre" in out
    assert '"four, two, lapin, orage, tigre"' in out
    assert "releve pair join 42-lapin-orage-tigre" in out
    assert "Relay: http://relay.example.fr:7400 (the same on both sides)" in out
    assert "Your correspondent is connected" in out
    assert "Paired with Pharmacie du Port (pharmacist)" in out
    assert out.index("42 - lapin") < out.index("Paired with")


def test_pair_call_in_french(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("POST", "/v1/pairings/call", CALL, status=201)
    fake_node.answer("GET", STATE_PATH, {**CALL, "state": "paired", "contact": CONTACT})
    result = cli(*home(fake_node), "pair", "call")
    assert result.code == 0
    assert fake_node.requests[0].body == {}
    assert "« quatre, deux, lapin, orage, tigre »" in result.out
    assert "Appairé avec Pharmacie du Port (pharmacien)" in result.out


@pytest.mark.parametrize("reason", REASONS)
def test_every_failure_of_a_call_is_translated(cli: Cli, fake_node: FakeNode, reason: str) -> None:
    fake_node.answer("POST", "/v1/pairings/call", CALL, status=201)
    fake_node.answer("GET", STATE_PATH, {**CALL, "state": "failed", "reason": reason})
    for lang in i18n.LANGUAGES:
        result = cli(*home(fake_node), "--lang", lang, "pair", "call")
        assert result.code == 1
        assert Translator(lang)(f"api.{reason}") in result.err


def test_an_unknown_reason_is_still_a_clear_failure(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("POST", "/v1/pairings/call", CALL, status=201)
    fake_node.answer("GET", STATE_PATH, {**CALL, "state": "failed", "reason": "from_the_future"})
    result = cli(*home(fake_node), "--lang", "en", "pair", "call")
    assert result.code == 1
    assert "pairing by phone failed" in result.err


def test_pair_call_refused_by_the_node(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.fail("POST", "/v1/pairings/call", 400, "no_relay", "no relay")
    result = cli(*home(fake_node), "--lang", "en", "pair", "call")
    assert result.code == 1
    assert "this node uses no relay" in result.err


def test_pair_join_sends_what_was_typed(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer(
        "POST", "/v1/pairings/join", {"contact": CONTACT, "confirmed": True}, status=201
    )
    result = cli(*home(fake_node), "--lang", "en", "pair", "join", "42", "Lapin", "orage", "tigre")
    assert result.code == 0
    assert fake_node.last().body == {"code": "42 Lapin orage tigre"}
    assert "Contact added: Pharmacie du Port (pharmacist)" in result.out
    assert "not confirmed" not in result.out


def test_pair_join_unconfirmed_says_so(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer(
        "POST", "/v1/pairings/join", {"contact": CONTACT, "confirmed": False}, status=201
    )
    result = cli(*home(fake_node), "--lang", "en", "pair", "join", "42-lapin-orage-tigre")
    assert result.code == 0
    assert "has not confirmed yet" in result.out


@pytest.mark.parametrize(
    ("code", "status", "text"),
    [
        ("wrong_code", 403, "do not have the same code"),
        ("code_unknown", 404, "same relay"),
        ("code_used", 409, "already used"),
        ("code_invalid", 400, "a number then three words"),
        ("relay_unreachable", 502, "does not answer"),
    ],
)
def test_pair_join_failures(
    cli: Cli, fake_node: FakeNode, code: str, status: int, text: str
) -> None:
    fake_node.fail("POST", "/v1/pairings/join", status, code, "english detail")
    result = cli(*home(fake_node), "--lang", "en", "pair", "join", "42-lapin-orage-tigre")
    assert result.code == 1
    assert text in result.err
