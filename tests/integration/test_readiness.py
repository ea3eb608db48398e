"""`releve check` against real nodes on 127.0.0.1 (docs/protocol.md §9.5): the table of who
answered, by which path and how fast; a contact that is down shown with the phone number to
call; through a relay; the probe in no inbox, no unread count and no conversation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.nodes import Node, Relay, cli
from tests.integration.test_relay_delivery import start_pair, stop_all

pytestmark = pytest.mark.integration

GP_PHONE = "02 98 00 00 00"


def nothing_shown(node: Node) -> None:
    assert node.status()["unread"] == 0
    assert node.request("GET", "/v1/messages")["messages"] == []
    assert node.request("GET", "/v1/inbox")["messages"] == []


def test_releve_check_between_two_nodes(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    result = cli(gp.home, "check", "--wait", "20")
    lines = result.stdout.splitlines()
    (row,) = [line for line in lines if line.startswith("Pharmacie du Port")]
    assert row.split()[3:6] == ["answered", "direct", "direct"], row
    assert row.endswith(" ms")
    assert "1 of 1 contact(s) answered." in lines

    answer = json.loads(cli(gp.home, "check", "--json").stdout)
    (line,) = answer["contacts"]
    assert (line["state"], line["outbound"], line["inbound"]) == ("answered",) + ("direct",) * 2
    assert 0 <= line["round_trip_ms"] < 20_000
    assert answer["finished_at"] >= answer["started_at"]
    assert gp.request("GET", "/v1/check")["check"]["contacts"] == answer["contacts"]
    for node in (gp, pharmacy):
        nothing_shown(node)

    # In French (the default), the same words as the user guide's.
    french = cli(gp.home, "--lang", "fr", "verifier", "--wait", "20").stdout
    assert "a répondu" in french
    assert "1 contact(s) sur 1 ont répondu." in french

    gp.stop()  # the pharmacy checks: the GP's node is down
    down = cli(pharmacy.home, "check", "--wait", "3", check=False)
    assert down.returncode == 1
    assert "Dr Camille Martin did not answer: call 02 98 00 00 00." in down.stdout
    rows = down.stdout.splitlines()
    (row,) = [line for line in rows if line.startswith("Dr Camille") and "call" not in line]
    assert "unreachable" in row or "no answer" in row
    nothing_shown(pharmacy)


def test_releve_check_through_a_relay(tmp_path: Path) -> None:
    relay = Relay(tmp_path / "relay.log")
    relay.start()
    gp, pharmacy = start_pair(tmp_path, relay)
    try:
        answer = json.loads(cli(gp.home, "check", "--json", "--wait", "30").stdout)
        (line,) = answer["contacts"]
        assert line["state"] == "answered"
        assert (line["sent"], line["outbound"], line["inbound"]) == ("relay", relay.url, relay.url)
        text = cli(gp.home, "check", "--wait", "30").stdout
        assert f"relay {relay.url}" in text
        for node in (gp, pharmacy):
            nothing_shown(node)
    finally:
        stop_all(gp, pharmacy)
        relay.kill()
