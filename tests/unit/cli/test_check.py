"""`releve check` (`releve verifier`) against a stand-in node: the table, whom to call, the exit
status, the wait bounds, and a check already running."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Cli
from .fake_node import FakeNode

REPORT: dict[str, Any] = {
    "started_at": "2026-12-04T09:00:00.000Z",
    "finished_at": "2026-12-04T09:00:03.000Z",
    "timeout_seconds": 3,
    "running": False,
    "answered": 1,
    "contacts": [
        {
            "contact_id": "aa" * 16,
            "name": "Pharmacie du Port",
            "phone": None,
            "state": "answered",
            "sent": "relay",
            "outbound": "https://relais.example.fr",
            "inbound": "direct",
            "round_trip_ms": 84,
        },
        {
            "contact_id": "bb" * 16,
            "name": "Dr Durand\x1b[31m",
            "phone": "02 98 11 22 33",
            "state": "no_answer",
            "sent": "direct",
            "outbound": None,
            "inbound": None,
            "round_trip_ms": None,
        },
        {
            "contact_id": "cc" * 16,
            "name": "Cabinet Nord",
            "phone": None,
            "state": "unreachable",
            "sent": None,
            "outbound": None,
            "inbound": None,
            "round_trip_ms": None,
        },
    ],
}


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def test_the_table_and_whom_to_call(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("POST", "/v1/check", {"check": REPORT})
    result = cli("--lang", "en", *home(fake_node), "check", "--wait", "3")
    assert result.code == 1  # not everyone answered
    assert fake_node.last().body == {"timeout_seconds": 3}
    lines = result.out.splitlines()
    assert lines[0] == "Checking (at most 3 s)…"
    assert lines[1].split() == ["Contact", "Answer", "Out", "Back", "Round", "trip"]
    assert lines[2].split() == [
        "Pharmacie", "du", "Port", "answered", "relay", "https://relais.example.fr",
        "direct", "84", "ms",
    ]  # fmt: skip
    assert lines[3].split()[:4] == ["Dr", "Durand\ufffd[31m", "no", "answer"]  # no escape sequence
    assert "\x1b" not in result.out
    assert lines[4].split()[:3] == ["Cabinet", "Nord", "unreachable"]
    assert "1 of 3 contact(s) answered." in lines
    assert "Dr Durand\ufffd[31m did not answer: call 02 98 11 22 33." in lines
    assert "Cabinet Nord did not answer: call this contact." in lines


def test_in_french_and_everyone_answered(cli: Cli, fake_node: FakeNode) -> None:
    report = {**REPORT, "answered": 1, "contacts": REPORT["contacts"][:1]}
    fake_node.answer("POST", "/v1/check", {"check": report})
    result = cli(*home(fake_node), "verifier")
    assert result.code == 0
    assert fake_node.last().body == {"timeout_seconds": 30}
    assert "a répondu" in result.out
    assert "relais https://relais.example.fr" in result.out
    assert "1 contact(s) sur 1 ont répondu." in result.out
    assert "appelez" not in result.out


def test_json_as_the_node_said(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("POST", "/v1/check", {"check": REPORT})
    result = cli(*home(fake_node), "check", "--json")
    assert result.code == 1
    assert '"round_trip_ms": 84' in result.out
    assert "Vérification" not in result.out


@pytest.mark.parametrize("wait", ["0", "121", "soon"])
def test_the_wait_is_bounded(cli: Cli, fake_node: FakeNode, wait: str) -> None:
    result = cli(*home(fake_node), "check", "--wait", wait)
    assert result.code == 2
    assert fake_node.to("POST", "/v1/check") == []


def test_a_check_already_running(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.fail("POST", "/v1/check", 409, "check_running", "a readiness check is running")
    result = cli("--lang", "en", *home(fake_node), "check")
    assert result.code == 1
    assert "a check is already running: wait for it to finish" in result.err
