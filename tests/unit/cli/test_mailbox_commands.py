"""`releve mailbox ...` (`releve boite ...`) against a stand-in node: what each command asks
the local API, what it prints in French and English, and the refusals worded."""

from __future__ import annotations

from typing import Any

from .conftest import Cli
from .fake_node import FakeNode, message

SHARED: dict[str, Any] = {
    "mailbox_id": "01" * 8,
    "name": "Secrétariat",
    "kind": "shared",
    "public": True,
    "default": True,
    "members": [
        {"account_id": "aa" * 16, "name": "Alice", "role": "secretary"},
        {"account_id": "bb" * 16, "name": "Bob\x1b[31m", "role": "secretary"},
    ],
    "prescriber": None,
}
PERSONAL: dict[str, Any] = {
    "mailbox_id": "02" * 8,
    "name": "Dr Martin",
    "kind": "personal",
    "public": True,
    "default": False,
    "members": [{"account_id": "cc" * 16, "name": "Claire Martin", "role": "clinician"}],
    "prescriber": "Claire Martin",
}


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def test_list_in_french_and_english(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/mailboxes", {"mailboxes": [SHARED, PERSONAL]})
    french = cli(*home(fake_node), "boite", "liste")
    assert french.code == 0
    assert "Secrétariat (partagée, par défaut)" in french.out
    assert "membres : Alice, Bob" in french.out
    assert "\x1b" not in french.out  # a name from the node is cleaned for the terminal
    assert "Dr Martin (personnelle, prescripteur : Claire Martin)" in french.out
    english = cli("--lang", "en", *home(fake_node), "mailbox", "list")
    assert "Secrétariat (shared, default)" in english.out
    assert "members: Claire Martin" in english.out
    fake_node.answer("GET", "/v1/mailboxes", {"mailboxes": []})
    assert "Aucune boîte" in cli(*home(fake_node), "mailbox", "list").out


def test_add_members_default_and_remove_ask_the_api(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("POST", "/v1/mailboxes", PERSONAL, status=201)
    result = cli(
        *home(fake_node), "mailbox", "add", "Dr Martin", "--personal", "--member", "Claire Martin"
    )
    assert result.code == 0, result.err
    assert fake_node.last().body == {
        "name": "Dr Martin",
        "kind": "personal",
        "members": ["Claire Martin"],
        "public": True,
        "default": False,
    }
    assert "Boîte « Dr Martin » créée." in result.out

    path = "/v1/mailboxes/Secr%C3%A9tariat"  # the name, percent-encoded in the path
    fake_node.answer("POST", f"{path}/members", SHARED)
    result = cli(
        *home(fake_node), "boite", "membres", "Secrétariat", "--ajouter", "Bob", "--retirer", "Zoé"
    )
    assert result.code == 0, result.err
    assert fake_node.last().body == {"add": ["Bob"], "remove": ["Zoé"]}

    fake_node.answer("POST", f"{path}/default", SHARED)
    result = cli("--lang", "en", *home(fake_node), "mailbox", "default", "Secrétariat")
    assert "now receives the messages that name no mailbox" in result.out

    fake_node.answer("DELETE", path, {"removed": SHARED})
    result = cli(*home(fake_node), "boite", "retirer", "Secrétariat", "--json")
    assert result.code == 0, result.err
    assert '"name": "Secrétariat"' in result.out


def test_refusals_are_worded(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.fail("POST", "/v1/mailboxes", 409, "mailbox_exists", "exists")
    result = cli(*home(fake_node), "mailbox", "add", "Secrétariat")
    assert result.code != 0
    assert "une boîte porte déjà ce nom" in result.err
    fake_node.fail("GET", "/v1/mailboxes", 403, "forbidden", "no")
    result = cli("--lang", "en", *home(fake_node), "mailbox", "list")
    assert "you may not use this mailbox" in result.err


def test_send_names_the_practices_mailbox_and_ours(cli: Cli, fake_node: FakeNode) -> None:
    sent = message("text", "out", message_id="cd" * 16, contact_name="Cabinet du Parc")
    fake_node.answer("POST", "/v1/messages", sent, status=201)
    result = cli(
        *home(fake_node),
        "send",
        "Cabinet",
        "Bonjour",
        "--to-mailbox",
        "Secrétariat",
        "--from-mailbox",
        "Dr Martin",
    )
    assert result.code == 0, result.err
    body = fake_node.last().body
    assert (body["to_mailbox"], body["mailbox"]) == ("Secrétariat", "Dr Martin")
    # Without them the body is as before (a node older than mailboxes reads it the same).
    cli(*home(fake_node), "send", "Cabinet", "Bonjour")
    assert "to_mailbox" not in fake_node.last().body
    assert "mailbox" not in fake_node.last().body
    fake_node.fail("POST", "/v1/messages", 400, "no_mailboxes", "none")
    result = cli(*home(fake_node), "send", "Pharmacie", "x", "--to-mailbox", "Accueil")
    assert "pas de boîtes" in result.err
