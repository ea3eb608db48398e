"""`releve user ...` (`releve utilisateur ...`) against a stand-in node: what each command asks
the local API, what it prints in French and English (the setup link and code, never a
password), and the refusals worded."""

from __future__ import annotations

from typing import Any

from .conftest import Cli
from .fake_node import FakeNode

ANNE: dict[str, Any] = {
    "account_id": "aa" * 16,
    "name": "Anne\x1b[31m Dupont",
    "role": "secretary",
    "rpps": None,
    "disabled": False,
    "password_set": True,
    "setup_pending": False,
    "created_at": "2026-12-05T08:00:00.000000Z",
    "sessions": [
        {
            "handle": "0123456789abcdef",
            "address": "192.168.1.31",
            "created_at": "2026-12-05T08:10:00.000000Z",
            "seen_at": "2026-12-05T08:20:00.000000Z",
            "locked": False,
        }
    ],
}
CAMILLE: dict[str, Any] = {
    **ANNE,
    "account_id": "cc" * 16,
    "name": "Dr Camille Martin",
    "role": "clinician",
    "rpps": "10001234565",
    "password_set": False,
    "setup_pending": True,
    "sessions": [],
}
SETUP = {
    "code": "s3cr3t-c0de",
    "url": "https://cabinet.lan:8443/setup?code=s3cr3t-c0de",
    "expires_at": "2026-12-08T08:00:00.000000Z",
}


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def test_add_gives_the_link_and_the_code(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer(
        "POST", "/v1/users", {"user": CAMILLE, "setup": SETUP, "clinic_server": True}, status=201
    )
    result = cli(
        *home(fake_node),
        "utilisateur",
        "ajouter",
        "Dr Camille Martin",
        "--role",
        "soignant",
        "--rpps",
        "10001234565",
    )
    assert result.code == 0, result.err
    assert fake_node.last().body == {
        "name": "Dr Camille Martin",
        "role": "clinician",
        "rpps": "10001234565",
    }
    assert "Dr Camille Martin est ajouté(e)." in result.out
    assert SETUP["url"] in result.out
    assert "code : s3cr3t-c0de" in result.out
    assert "serveur de cabinet" not in result.out


def test_a_node_that_is_not_a_clinic_server_says_so(cli: Cli, fake_node: FakeNode) -> None:
    answer = {"user": CAMILLE, "setup": {**SETUP, "url": None}, "clinic_server": False}
    fake_node.answer("POST", "/v1/users", answer, status=201)
    result = cli("--lang", "en", *home(fake_node), "user", "add", "Camille", "--role", "admin")
    assert result.code == 0, result.err
    assert "not a clinic server" in result.out
    assert "code: s3cr3t-c0de" in result.out


def test_list_in_french_and_english(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/users", {"clinic_server": True, "users": [ANNE, CAMILLE]})
    french = cli(*home(fake_node), "utilisateur", "liste")
    assert french.code == 0, french.err
    assert "Dupont (secrétariat) — " + "aa" * 16 in french.out
    assert "\x1b" not in french.out  # a name from the node is cleaned for the terminal
    assert "session 0123456789abcdef : poste 192.168.1.31" in french.out
    assert "Dr Camille Martin (soignant, RPPS 10001234565, mot de passe à choisir)" in french.out
    english = cli("--lang", "en", *home(fake_node), "user", "list")
    assert "(clinician, RPPS 10001234565, password to be chosen)" in english.out
    fake_node.answer("GET", "/v1/users", {"clinic_server": True, "users": []})
    assert "Aucune personne" in cli(*home(fake_node), "user", "list").out


def test_disable_enable_reset_and_end_a_session(cli: Cli, fake_node: FakeNode) -> None:
    path = "/v1/users/Dr%20Camille%20Martin"
    fake_node.answer("POST", f"{path}/disable", {"user": {**CAMILLE, "disabled": True}})
    result = cli(*home(fake_node), "utilisateur", "desactiver", "Dr Camille Martin")
    assert result.code == 0, result.err
    assert "est désactivé ; ses sessions sont fermées" in result.out
    fake_node.answer("POST", f"{path}/enable", {"user": CAMILLE})
    result = cli("--lang", "en", *home(fake_node), "user", "enable", "Dr Camille Martin")
    assert "is enabled again" in result.out
    fake_node.answer("POST", f"{path}/reset", {"user": CAMILLE, "setup": SETUP})
    result = cli(*home(fake_node), "utilisateur", "reinitialiser", "Dr Camille Martin")
    assert "est oublié" in result.out
    assert SETUP["url"] in result.out
    fake_node.answer("DELETE", "/v1/web/sessions/0123456789abcdef", {"ended": True, "user": ANNE})
    result = cli(*home(fake_node), "user", "end-session", "0123456789abcdef")
    assert result.code == 0, result.err
    assert "est fermée" in result.out


def test_refusals_are_worded(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.fail("POST", "/v1/users", 409, "name_taken", "taken")
    result = cli(*home(fake_node), "user", "add", "Anne", "--role", "secretary")
    assert result.code != 0
    assert "une personne porte déjà ce nom" in result.err
    fake_node.fail("POST", "/v1/users/Zo%C3%A9/disable", 404, "user_not_found", "no")
    result = cli("--lang", "en", *home(fake_node), "user", "disable", "Zoé")
    assert "no one has that name or account id" in result.err
    result = cli(*home(fake_node), "user", "add", "Anne", "--role", "boss")
    assert result.code == 2


def test_open_on_a_clinic_server_points_to_the_login_page(cli: Cli, fake_node: FakeNode) -> None:
    login = {"url": "http://127.0.0.1:41234/login", "expires_at": "2026-12-05T08:00:00.000000Z"}
    fake_node.answer("POST", "/v1/web/login", login, status=201)
    result = cli(*home(fake_node), "ouvrir", "--no-browser")
    assert result.code == 0, result.err
    assert "connectez-vous avec votre nom et votre mot de passe" in result.out
    assert login["url"] in result.out
    link = {**login, "url": "http://127.0.0.1:41234/login?token=abc"}
    fake_node.answer("POST", "/v1/web/login", link, status=201)
    result = cli("--lang", "en", *home(fake_node), "open", "--no-browser")
    assert "works once" in result.out


def test_a_person_s_actions(cli: Cli, fake_node: FakeNode) -> None:
    actions = [
        {
            "position": 12,
            "at": "2026-12-05T08:30:00.000000Z",
            "event": "read",
            "contact": "8f0e5d3c2b1a09f8e7d6c5b4a3928170",
            "message": "b767e1a0c4d2f3e5a6b7c8d9e0f1a2b3",
            "subject": None,
        },
        {
            "position": 3,
            "at": "2026-12-05T08:10:00.000000Z",
            "event": "login",
            "contact": None,
            "message": None,
            "subject": "aa" * 16,
        },
    ]
    fake_node.answer("GET", "/v1/users/Anne/actions", {"user": ANNE, "actions": actions})
    result = cli(*home(fake_node), "utilisateur", "actions", "Anne", "--limit", "20")
    assert result.code == 0, result.err
    assert fake_node.last().query == {"limit": ["20"]}
    assert "Actions de Anne" in result.out
    assert "read  8f0e5d3c b767e1a0" in result.out
    assert "login" in result.out
    fake_node.answer("GET", "/v1/users/Anne/actions", {"user": ANNE, "actions": []})
    result = cli("--lang", "en", *home(fake_node), "user", "actions", "Anne")
    assert fake_node.last().query == {"limit": ["200"]}
    assert "No action recorded" in result.out
