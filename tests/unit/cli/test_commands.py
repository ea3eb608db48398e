"""The commands against a stand-in local API: requests, token, output, error translation."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from clients.cli.i18n import Translator

from .conftest import Cli
from .fake_node import CONTACT, MESSAGE_IN, STATUS, TOKEN, FakeNode

DOCUMENTED_ERRORS = [
    ("unauthorized", 401),
    ("bad_request", 400),
    ("contact_not_found", 404),
    ("contact_ambiguous", 409),
    ("message_not_found", 404),
    ("invitation_invalid", 400),
    ("invitation_expired", 400),
    ("invitation_own", 400),
    ("already_paired", 409),
    ("text_too_long", 400),
    ("internal", 500),
]


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def expected_error(lang: str, key: str, **values: Any) -> str:
    tr = Translator(lang)
    return tr("error.prefix", message=tr(key, **values))


# -- no node running (exit code 3) ------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "--json"],
        ["contacts"],
        ["inbox", "--wait", "5"],
        ["send", "X", "Bonjour"],
        ["read", "b767"],
        ["pair", "invite"],
        ["pair", "accept", "releve:abc"],
    ],
)
def test_no_node_running_in_an_empty_home(cli: Cli, tmp_path: Path, args: list[str]) -> None:
    result = cli("--lang", "en", "--home", str(tmp_path), *args)
    assert result.code == 3
    assert result.out == ""
    assert f"no node is running for {tmp_path}; start it with `releve node`" in result.err
    assert "releve init" in result.err  # the folder holds no node at all


def test_no_node_running_french(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "api-token").write_text(TOKEN, encoding="ascii")  # initialised, not running
    result = cli("--home", str(tmp_path), "status")
    assert result.code == 3
    assert result.err.strip() == (
        f"Erreur : aucun nœud ne tourne pour {tmp_path} ; démarrez-le avec `releve node`"
    )


def test_home_from_environment(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELEVE_HOME", str(tmp_path / "from-env"))
    result = cli("--lang", "en", "status")
    assert result.code == 3
    assert str(tmp_path / "from-env") in result.err


def test_stale_api_json_with_connection_refused(cli: Cli, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (tmp_path / "api.json").write_text(json.dumps({"url": f"http://127.0.0.1:{port}"}))
    (tmp_path / "api-token").write_text(TOKEN, encoding="ascii")
    result = cli("--lang", "en", "--home", str(tmp_path), "status")
    assert result.code == 3
    assert "no node is running" in result.err


def test_token_is_never_sent_off_the_machine(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "api.json").write_text(json.dumps({"url": "http://example.org:80"}))
    (tmp_path / "api-token").write_text(TOKEN, encoding="ascii")
    result = cli("--lang", "en", "--home", str(tmp_path), "status")
    assert result.code == 1
    assert "refusing to send the access token" in result.err


def test_proxy_from_the_environment_is_not_used(
    cli: Cli, fake_node: FakeNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    fake_node.answer("GET", "/v1/status", STATUS)
    assert cli(*home(fake_node), "status").code == 0


# -- the bearer token and the JSON output -------------------------------------------------------


def test_bearer_token_is_sent(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", STATUS)
    assert cli(*home(fake_node), "status", "--json").code == 0
    assert fake_node.last().headers["authorization"] == f"Bearer {TOKEN}"


def test_wrong_token_is_translated(cli: Cli, fake_node: FakeNode) -> None:
    (fake_node.home / "api-token").write_text("not-the-token", encoding="ascii")
    result = cli("--lang", "en", *home(fake_node), "status")
    assert result.code == 1
    assert result.err.strip() == expected_error("en", "api.unauthorized")


@pytest.mark.parametrize(
    ("args", "method", "path", "body"),
    [
        (["status", "--json"], "GET", "/v1/status", STATUS),
        (["contacts", "--json"], "GET", "/v1/contacts", {"contacts": [CONTACT]}),
        (["inbox", "--json"], "GET", "/v1/inbox", {"messages": [MESSAGE_IN]}),
    ],
)
def test_json_output_is_the_api_response_unchanged(
    cli: Cli, fake_node: FakeNode, args: list[str], method: str, path: str, body: Any
) -> None:
    fake_node.answer(method, path, body)
    result = cli(*home(fake_node), *args)
    assert result.code == 0
    assert json.loads(result.out) == body
    assert result.out == json.dumps(body, indent=2, ensure_ascii=False) + "\n"


# -- each command --------------------------------------------------------------------------------


def test_status_human(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", STATUS)
    result = cli("--lang", "en", *home(fake_node), "status")
    assert result.code == 0
    assert "Node: Dr Camille Martin (general practitioner)" in result.out
    assert "sbl5-iyxh-5bqu-qy3o-x6rm-ciay-zy" in result.out
    assert "Outbox: 3 pending, 1 failed" in result.out
    assert "to Pharmacie du Port: 3 pending, 1 failed" in result.out
    assert "Relays: none" in result.out
    french = cli(*home(fake_node), "status")
    assert "Nœud : Dr Camille Martin (médecin généraliste)" in french.out


def test_contacts_human(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/contacts", {"contacts": [CONTACT, {**CONTACT, "name": "B"}]})
    result = cli(*home(fake_node), "contacts")
    assert result.code == 0
    assert "Pharmacie du Port (pharmacien)" in result.out
    assert "98540 45510 30894 44407 17184 57122" in result.out
    fake_node.answer("GET", "/v1/contacts", {"contacts": []})
    assert "Aucun contact" in cli(*home(fake_node), "contacts").out


def test_send_prints_the_message_id(cli: Cli, fake_node: FakeNode) -> None:
    sent = {**MESSAGE_IN, "direction": "out", "status": "queued", "message_id": "a" * 32}
    fake_node.answer("POST", "/v1/messages", sent, status=201)
    result = cli(*home(fake_node), "send", "Pharmacie", "Bonjour, ordonnance à renouveler")
    assert result.code == 0
    assert result.out == "a" * 32 + "\n"
    assert "Pharmacie du Port" in result.err
    request = fake_node.last()
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert request.body == {
        "contact": "Pharmacie",
        "kind": "text",
        "text": "Bonjour, ordonnance à renouveler",
        "priority": "normal",
        "reply_to": None,
    }
    assert request.headers["content-type"] == "application/json"


def test_send_refuses_an_empty_text(cli: Cli, fake_node: FakeNode) -> None:
    result = cli(*home(fake_node), "send", "Pharmacie", "  ")
    assert result.code == 1
    assert fake_node.requests == []


def test_inbox_waits_and_shows_messages(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/inbox", {"messages": [MESSAGE_IN]})
    result = cli("--lang", "en", *home(fake_node), "inbox", "--wait", "7")
    assert result.code == 0
    assert fake_node.to("GET", "/v1/inbox")[-1].query == {"wait": ["7"]}
    assert "from Pharmacie du Port [" + MESSAGE_IN["message_id"] + "]" in result.out
    assert "    le renouvellement est prêt" in result.out
    fake_node.answer("GET", "/v1/inbox", {"messages": []})
    empty = cli(*home(fake_node), "inbox")
    assert empty.out.strip() == "Aucun nouveau message."
    assert fake_node.to("GET", "/v1/inbox")[-1].query == {}


def test_a_peer_cannot_drive_the_terminal(cli: Cli, fake_node: FakeNode) -> None:
    hostile = {**MESSAGE_IN, "contact_name": "Dr \x1b]0;pwned\x07X", "text": "a\x1b[2Jb\r\u202ec"}
    fake_node.answer("GET", "/v1/inbox", {"messages": [hostile]})
    result = cli(*home(fake_node), "inbox")
    assert "\x1b" not in result.out
    assert "\u202e" not in result.out
    assert "\r" not in result.out
    assert "a\ufffd[2Jb" in result.out


def test_read_marks_read_and_shows_the_message(cli: Cli, fake_node: FakeNode) -> None:
    message_id = MESSAGE_IN["message_id"]
    read = {**MESSAGE_IN, "status": "read", "read_at": "2026-11-28T22:55:00.000Z"}
    fake_node.answer("POST", f"/v1/messages/{message_id}/read", read)
    result = cli("--lang", "en", *home(fake_node), "read", message_id.upper())
    assert result.code == 0
    assert (fake_node.last().method, fake_node.last().path) == (
        "POST",
        f"/v1/messages/{message_id}/read",
    )
    assert "From: Pharmacie du Port" in result.out
    assert "Status: read" in result.out
    assert "Bonjour\nle renouvellement est prêt" in result.out
    assert "read receipt" in result.out


def test_read_accepts_a_unique_prefix(cli: Cli, fake_node: FakeNode) -> None:
    message_id = MESSAGE_IN["message_id"]
    other = {**MESSAGE_IN, "message_id": "c" * 32}
    fake_node.answer("GET", "/v1/messages", {"messages": [MESSAGE_IN, other]})
    fake_node.answer("POST", f"/v1/messages/{message_id}/read", MESSAGE_IN)
    assert cli(*home(fake_node), "read", message_id[:6]).code == 0
    listing = fake_node.requests[0]
    assert (listing.path, listing.query) == ("/v1/messages", {})
    assert fake_node.last().path == f"/v1/messages/{message_id}/read"


@pytest.mark.parametrize("given", ["../status", "b7", "zzzzzzzz", "b767/read"])
def test_read_refuses_a_malformed_id(cli: Cli, fake_node: FakeNode, given: str) -> None:
    result = cli(*home(fake_node), "read", given)
    assert result.code == 1
    assert fake_node.requests == []


def test_pair_accept(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("POST", "/v1/pairings", {"contact": CONTACT}, status=201)
    result = cli("--lang", "en", *home(fake_node), "pair", "accept", " releve:AbC-d_1\n")
    assert result.code == 0
    assert fake_node.last().body == {"invitation": "releve:AbC-d_1"}
    assert "Contact added: Pharmacie du Port (pharmacist)" in result.out
    assert CONTACT["safety_number"] in result.out


def test_pair_accept_from_stdin(
    cli: Cli, fake_node: FakeNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("releve:AbC\n"))
    fake_node.answer("POST", "/v1/pairings", {"contact": CONTACT}, status=201)
    assert cli(*home(fake_node), "pair", "accept", "-").code == 0
    assert fake_node.last().body == {"invitation": "releve:AbC"}


INVITATION = {"text": "releve:" + "A" * 300, "expires_at": "2026-11-28T23:08:10.123Z"}


def test_pair_invite_prints_text_expiry_and_qr(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("POST", "/v1/invitations", INVITATION, status=201)
    result = cli("--lang", "en", *home(fake_node), "pair", "invite", "--ttl", "30")
    assert result.code == 0
    assert fake_node.last().body == {"ttl_minutes": 30}
    assert INVITATION["text"] in result.out.splitlines()
    assert "One-time invitation, valid until 2026-11-28" in result.out
    assert "█" in result.out or "▀" in result.out
    cli(*home(fake_node), "pair", "invite")
    assert fake_node.last().body == {}


def test_pair_invite_writes_private_png_and_svg(
    cli: Cli, fake_node: FakeNode, tmp_path: Path
) -> None:
    fake_node.answer("POST", "/v1/invitations", INVITATION, status=201)
    png, svg = tmp_path / "invite.png", tmp_path / "invite.svg"
    png.write_bytes(b"old")
    png.chmod(0o644)
    result = cli(*home(fake_node), "pair", "invite", "--png", str(png), "--svg", str(svg))
    assert result.code == 0
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert svg.read_bytes().lstrip().startswith(b"<?xml")
    for path in (png, svg):
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert str(path) in result.out


def test_pair_invite_unwritable_file(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    fake_node.answer("POST", "/v1/invitations", INVITATION, status=201)
    target = tmp_path / "missing-folder" / "invite.png"
    result = cli("--lang", "en", *home(fake_node), "pair", "invite", "--png", str(target))
    assert result.code == 1
    assert f"cannot write {target}" in result.err


# -- API errors, translated ------------------------------------------------------------------


@pytest.mark.parametrize(("code", "status"), DOCUMENTED_ERRORS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_api_errors_are_translated(
    cli: Cli, fake_node: FakeNode, code: str, status: int, lang: str
) -> None:
    message = f"English text for logs about {code}"
    fake_node.fail("POST", "/v1/messages", status, code, message)
    result = cli("--lang", lang, *home(fake_node), "send", "Pharmacie", "Bonjour")
    assert result.code == 1
    assert result.out == ""
    assert result.err.strip() == expected_error(
        lang, f"api.{code}", code=code, detail=message, status=status
    )


def test_unknown_api_error_code(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.fail("GET", "/v1/status", 418, "teapot", "short and stout")
    result = cli("--lang", "en", *home(fake_node), "status")
    assert result.code == 1
    assert "teapot" in result.err
    assert "short and stout" in result.err


def test_error_body_that_is_not_json(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", "plain", status=502)
    result = cli("--lang", "en", *home(fake_node), "status")
    assert result.code == 1
    assert "HTTP 502" in result.err


def test_success_body_that_is_not_an_object(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", [1, 2])
    result = cli("--lang", "en", *home(fake_node), "status")
    assert result.code == 1
    assert result.err.strip() == expected_error("en", "error.bad_response")


def test_read_on_a_sent_message_shows_its_status(cli: Cli, fake_node: FakeNode) -> None:
    sent = {
        **MESSAGE_IN,
        "message_id": "d" * 32,
        "direction": "out",
        "status": "delivered",
        "delivered_at": "2026-11-28T22:54:00.000Z",
    }
    fake_node.answer("POST", f"/v1/messages/{'d' * 32}/read", sent)
    result = cli("--lang", "en", *home(fake_node), "read", "d" * 32)
    assert result.code == 0
    assert "To: Pharmacie du Port" in result.out
    assert "Status: delivered" in result.out
    assert "Delivered: 2026-11-28" in result.out
    assert "read receipt" not in result.out
