"""The command line as people type it: any order of options and words, every message in the
user's language (argparse's own and the system's included), "did you mean" for commands and
contacts."""

from __future__ import annotations

import argparse
import ast
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Cli
from .fake_node import CONTACT, MESSAGE_IN, FakeNode, error

SENT = {**MESSAGE_IN, "direction": "out", "status": "queued", "message_id": "a" * 32}


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def parse(*args: str) -> argparse.Namespace:
    from clients.cli.command_line import build_parser
    from clients.cli.commands import TABLE
    from clients.cli.i18n import Translator

    return build_parser(TABLE, Translator()).parse_args(list(args))


def catalog(lang: str, key: str, **values: object) -> str:
    from clients.cli.catalog import CATALOG

    return CATALOG[key][lang].format(**values)


# -- any order -----------------------------------------------------------------------------------


def test_send_with_the_urgent_flag_before_the_text(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("POST", "/v1/messages", SENT, status=201)
    result = cli(*home(fake_node), "send", "Pharmacie", "--urgent", "Bonjour")
    assert (result.code, result.err.count("erreur")) == (0, 0), result.err
    assert fake_node.last().body == {
        "contact": "Pharmacie",
        "kind": "text",
        "text": "Bonjour",
        "priority": "urgent",
        "reply_to": None,
    }


# Each command with its words (in their order) and its options (each with its value): every
# interleaving of the options among the words must read the same.
TYPED: list[tuple[list[str], list[str], list[list[str]]]] = [
    (["init"], [], [["--name", "Dr Martin"], ["--role", "medecin"], ["--unattended"]]),
    (
        ["node"],
        [],
        [["--listen", "0.0.0.0:7301"], ["--relay", "http://r"], ["--web-listen", "0.0.0.0:8443"]],
    ),
    (["verify"], ["Pharmacie"], [["--confirm"]]),
    (["unpair"], ["Pharmacie"], []),
    (["revoke"], [], [["--yes"]]),
    (["relay"], [], [["--listen", "127.0.0.1:7400"]]),
    (["status"], [], [["--json"]]),
    (["open"], [], [["--no-browser"]]),
    (["ouvrir"], [], [["--no-browser"]]),
    (["pair", "invite"], [], [["--ttl", "30"], ["--png", "a.png"]]),
    (["pair", "accept"], ["releve:AbC"], []),
    (["pair", "accept"], [], [["--image", "photo.png"]]),
    (["pair", "call"], [], [["--relay", "http://r"]]),
    (["pair", "join"], ["7", "lapin", "orage"], [["--relay", "http://r"]]),
    (["contacts"], [], [["--json"]]),
    (["send"], ["Pharmacie", "Bonjour"], [["--urgent"], ["--reply-to", "b767"]]),
    (["send"], ["Cabinet", "Bonjour"], [["--to-mailbox", "Secrétariat"], ["--from-mailbox", "X"]]),
    (["send"], ["Labo"], [["--file", "bilan.pdf"], ["--caption", "Bilan"], ["--no-wait"]]),
    (["send"], ["Cabinet"], [["--handoff"], ["--urgent"], ["--from-json", "h.json"]]),
    (["show"], ["b767"], []),
    (["ack"], ["b767"], []),
    (["prescription", "cancel"], ["b767"], [["--reason", "Erreur de dose"]]),
    (["prescription", "amend"], ["b767"], [["--from-json", "o.json"], ["--urgent"]]),
    (
        ["prescription", "dispense"],
        ["b767"],
        [["--state", "partly"], ["--note", "1 boîte"], ["--confirmed-by-phone"]],
    ),
    (["save"], ["b767", "/tmp/x"], []),
    (["print"], ["b767"], [["--out", "p.html"]]),
    (["print"], [], [["--conversation", "Pharmacie"], ["--out", "p.html"]]),
    (["verify-print"], ["photo.jpg"], []),
    (["export"], [], [["--patient", "Dupont"], ["--since", "1/11/2026"]]),
    (["audit", "verify"], [], []),
    (["audit", "export"], [], [["--out", "a.jsonl"]]),
    (["check"], [], [["--wait", "10"], ["--json"]]),
    (["verifier"], [], [["--wait", "10"], ["--json"]]),
    (["inbox"], [], [["--json"], ["--wait", "5"]]),
    (["read"], ["b767"], []),
    (["demo"], [], []),
    (["backup"], [], [["--out", "cabinet.bak"], ["--passphrase-file", "secret"]]),
    (["sauvegarder"], [], [["--out", "cabinet.bak"], ["--passphrase-file", "secret"]]),
    (["restore"], ["cabinet.bak"], [["--passphrase-file", "secret"], ["--replace"]]),
    (["restaurer"], ["cabinet.bak"], [["--passphrase-file", "secret"], ["--replace"]]),
    (["service", "install"], [], [["--print"], ["--user", "releve"], ["--listen", "0.0.0.0:7301"]]),
    (["service", "uninstall"], [], []),
    (["service", "status"], [], []),
    (["tls", "ca"], [], [["--out", "ca.crt"], ["--new"]]),
    (["tls", "ac"], [], [["--out", "ca.crt"], ["--new"]]),
    (["mailbox", "list"], [], [["--json"]]),
    (
        ["mailbox", "add"],
        ["Secrétariat"],
        [["--member", "Alice"], ["--default"], ["--private"], ["--json"]],
    ),
    (["mailbox", "add"], ["Dr Martin"], [["--personal"], ["--member", "Claire Martin"]]),
    (["mailbox", "remove"], ["Secrétariat"], [["--json"]]),
    (["mailbox", "members"], ["Secrétariat"], [["--add", "Bob"], ["--remove", "Alice"]]),
    (["mailbox", "default"], ["Secrétariat"], [["--json"]]),
    (["boite", "liste"], [], [["--json"]]),
    (["boite", "ajouter"], ["Infirmières"], [["--membre", "Alice"], ["--defaut"]]),
    (["boite", "retirer"], ["Infirmières"], []),
    (["boite", "membres"], ["Infirmières"], [["--ajouter", "Bob"], ["--retirer", "Alice"]]),
    (["boite", "defaut"], ["Infirmières"], []),
    (
        ["user", "add"],
        ["Dr Camille Martin"],
        [["--role", "clinician"], ["--rpps", "10001234565"], ["--json"]],
    ),
    (["user", "list"], [], [["--json"]]),
    (["user", "disable"], ["Anne"], [["--json"]]),
    (["user", "enable"], ["Anne"], [["--json"]]),
    (["user", "reset"], ["Anne"], [["--json"]]),
    (["user", "end-session"], ["0123456789abcdef"], [["--json"]]),
    (["user", "actions"], ["Anne"], [["--limit", "20"], ["--json"]]),
    (["utilisateur", "ajouter"], ["Anne"], [["--role", "secretariat"], ["--json"]]),
    (["utilisateur", "liste"], [], []),
    (["utilisateur", "desactiver"], ["Anne"], []),
    (["utilisateur", "reactiver"], ["Anne"], []),
    (["utilisateur", "reinitialiser"], ["Anne"], []),
    (["utilisateur", "fermer-session"], ["0123456789abcdef"], []),
    (["utilisateur", "actions"], ["Anne"], [["--limit", "20"]]),
]


def orders(words: list[str], options: list[list[str]]) -> Iterator[list[str]]:
    """Every way of typing ``words`` (in their order) and ``options`` (in any order)."""
    for permutation in itertools.permutations(options):
        for slots in itertools.combinations_with_replacement(range(len(words) + 1), len(options)):
            typed: list[str] = []
            for index, word in enumerate([*words, None]):
                for slot, option in zip(slots, permutation, strict=True):
                    if slot == index:
                        typed.extend(option)
                if word is not None:
                    typed.append(word)
            yield typed


@pytest.mark.parametrize(("command", "words", "options"), TYPED, ids=lambda v: str(v))
def test_every_order_of_options_and_words_reads_the_same(
    command: list[str], words: list[str], options: list[list[str]]
) -> None:
    typed = list(orders(words, options))
    first = vars(parse(*command, *typed[0]))
    for order in typed[1:]:
        assert vars(parse(*command, *order)) == first, order


def test_every_command_is_in_the_order_test() -> None:
    from clients.cli.command import Group
    from clients.cli.commands import TABLE

    declared: set[tuple[str, ...]] = set()
    for entry in TABLE:
        if isinstance(entry, Group):
            declared |= {(entry.name, command.name) for command in entry.commands}
        else:
            declared.add((entry.name,))
    assert {tuple(command) for command, _, _ in TYPED} == declared


def test_words_after_a_double_dash_stay_words() -> None:
    args = parse("send", "Pharmacie", "--urgent", "--", "--not-an-option")
    assert (args.contact, args.text, args.urgent) == ("Pharmacie", "--not-an-option", True)


def test_accept_still_takes_the_text_or_an_image_in_any_order(cli: Cli) -> None:
    result = cli("pair", "accept", "--image", "photo.png", "releve:AbC")
    assert result.code == 2
    assert "--image" in result.err
    assert result.err.startswith("releve pair accept : erreur : ")


# -- argparse's own messages in the user's language ---------------------------------------------

ARGPARSE_CASES = [
    (["send"], "arguments obligatoires manquants", "the following arguments are required"),
    (["status", "en-trop"], "arguments non reconnus : en-trop", "unrecognized arguments"),
    (["inbox", "--wait"], "une valeur est attendue", "expected one argument"),
    (["init", "--name", "X", "--unattended", "--passphrase-file", "f"], "incompatible avec", None),
    (["--lang"], "une valeur est attendue", "expected one argument"),
    (["pair"], "arguments obligatoires manquants", "the following arguments are required"),
    (["inbox", "--wait", "301"], "valeur invalide : 301", None),
    (["--lang", "de", "status"], "choix invalide : « de » (possibles : fr, en)", None),
]


@pytest.mark.parametrize(("args", "french", "english"), ARGPARSE_CASES)
def test_argparse_messages_are_in_french(
    cli: Cli, args: list[str], french: str, english: str | None
) -> None:
    result = cli(*args)
    assert result.code == 2
    assert french in result.err
    assert "error:" not in result.err
    assert "usage: " not in result.err
    assert "usage : " in result.err
    if english is not None:
        assert english not in result.err


@pytest.mark.parametrize(("args", "french", "english"), ARGPARSE_CASES)
def test_argparse_messages_stay_in_english_in_english(
    cli: Cli, args: list[str], french: str, english: str | None
) -> None:
    result = cli("--lang", "en", *args)
    assert result.code == 2
    assert french not in result.err
    assert "error:" in result.err


def test_argparse_is_given_back_its_own_words() -> None:
    from clients.cli.argparse_language import speaking
    from clients.cli.i18n import Translator

    before = (vars(argparse)["_"], vars(argparse)["ngettext"])
    with speaking(Translator("fr")):
        assert vars(argparse)["_"]("unrecognized arguments: %s") == "arguments non reconnus : %s"
    assert (vars(argparse)["_"], vars(argparse)["ngettext"]) == before
    with pytest.raises(RuntimeError), speaking(Translator("fr")):
        raise RuntimeError
    assert (vars(argparse)["_"], vars(argparse)["ngettext"]) == before


# The messages argparse raises at a programmer who built a parser wrongly, never at a user.
PROGRAMMER_MESSAGES = {
    ".__call__() not defined",
    "'required' is an invalid argument for positionals",
    "mutually exclusive arguments must be optional",
    "cannot merge actions - two groups are named %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "cannot have multiple subparser arguments",
    "conflicting subparser: %s",
    "conflicting subparser alias: %s",
    "conflicting option string: %s",
    "conflicting option strings: %s",
    "%r is not callable",
}


def argparse_message_ids() -> set[str]:
    """Every literal message id the running Python's argparse passes to _() or ngettext()."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "ngettext")
        ):
            found |= {
                arg.value
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            }
    return found


def test_every_message_of_argparse_a_user_can_meet_has_french_words() -> None:
    from clients.cli.catalog.parser_messages import ARGPARSE_FRENCH

    ids = argparse_message_ids()
    assert "unrecognized arguments: %s" in ids
    assert sorted(ids - PROGRAMMER_MESSAGES - set(ARGPARSE_FRENCH)) == []
    placeholder = re.compile(r"%(?:\([a-z_]+\))?[rsd]")
    for message_id, french in ARGPARSE_FRENCH.items():
        assert sorted(placeholder.findall(french)) == sorted(placeholder.findall(message_id))


# -- the system's errors in the user's language ----------------------------------------------


def test_a_missing_folder_is_said_in_french(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    fake_node.answer("POST", "/v1/invitations", {"text": "releve:AbC", "expires_at": None}, 201)
    target = tmp_path / "absent" / "invitation.png"
    result = cli(*home(fake_node), "pair", "invite", "--png", str(target))
    assert result.code == 1
    assert f"impossible d'écrire {target} (fichier ou dossier introuvable)" in result.err
    assert "No such file" not in result.err


def test_a_folder_given_as_a_file_is_said_in_french(cli: Cli, tmp_path: Path) -> None:
    result = cli("--home", str(tmp_path / "h"), "init", "--name", "X", "--passphrase-file", ".")
    assert result.code == 1
    assert "(c'est un dossier)" in result.err
    assert "Is a directory" not in result.err


def test_a_json_error_is_said_in_french(cli: Cli, fake_node: FakeNode, tmp_path: Path) -> None:
    form = tmp_path / "handoff.json"
    form.write_text("{oops}", encoding="utf-8")
    result = cli(*home(fake_node), "send", "Cabinet", "--handoff", "--from-json", str(form))
    assert result.code == 1
    assert "nom de champ entre guillemets droits attendu" in result.err
    assert "Expecting" not in result.err


def test_os_error_causes_are_worded_in_both_languages() -> None:
    import errno

    from clients.cli.i18n import Translator
    from clients.cli.os_errors import OsReason

    for lang in ("fr", "en"):
        tr = Translator(lang)
        for number in (errno.EACCES, errno.ENOENT, errno.EISDIR, errno.ENOSPC, errno.EROFS):
            assert tr("error.prefix", message=OsReason(number)) != ""
            assert OsReason(number).localize(tr) == catalog(
                lang, f"oserror.{errno.errorcode[number]}"
            )
        assert OsReason(errno.ENOMEDIUM).localize(tr) == catalog(
            lang, "oserror.other", code="ENOMEDIUM"
        )


# -- did you mean --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [(["stauts"], "status"), (["sned", "X", "Y"], "send"), (["pair", "invit"], "invite")],
)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_mistyped_command_gets_a_suggestion(
    cli: Cli, args: list[str], suggestion: str, lang: str
) -> None:
    result = cli("--lang", lang, *args)
    assert result.code == 2
    near = {"fr": f"vouliez-vous dire « {suggestion} » ?", "en": f'did you mean "{suggestion}"?'}
    assert near[lang] in result.err
    assert "invalid choice" not in result.err


def test_a_command_far_from_any_gets_no_suggestion(cli: Cli) -> None:
    result = cli("xyzzy")
    assert result.code == 2
    assert "commande inconnue : « xyzzy »" in result.err
    assert "vouliez-vous dire" not in result.err


def contacts_known(node: FakeNode) -> None:
    node.answer("GET", "/v1/contacts", {"contacts": [CONTACT, {**CONTACT, "name": "Clinique"}]})


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_mistyped_contact_gets_a_suggestion(cli: Cli, fake_node: FakeNode, lang: str) -> None:
    fake_node.fail("POST", "/v1/messages", 404, "contact_not_found", "no contact matches")
    contacts_known(fake_node)
    result = cli("--lang", lang, *home(fake_node), "send", "Pharmcie", "Bonjour")
    assert result.code == 1
    said = catalog(
        lang, "error.contact_not_found_near", given="Pharmcie", suggestion="Pharmacie du Port"
    )
    assert result.err.strip() == catalog(lang, "error.prefix", message=said)


def test_verify_suggests_a_contact(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer_sequence(
        "GET",
        "/v1/contacts",
        [(404, error("contact_not_found", "no contact matches")), (200, {"contacts": [CONTACT]})],
    )
    result = cli(*home(fake_node), "verify", "Pharmacie du Prot")
    assert result.code == 1
    assert "vouliez-vous dire « Pharmacie du Port » ?" in result.err


@pytest.mark.parametrize(
    "args",
    [["unpair", "Pharmaci du port"], ["print", "--conversation", "pharmacie du prot"]],
)
def test_other_commands_naming_a_contact_suggest_too(
    cli: Cli, fake_node: FakeNode, args: list[str]
) -> None:
    for method, path in (("POST", "/v1/contacts/unpair"), ("GET", "/v1/messages")):
        fake_node.fail(method, path, 404, "contact_not_found", "no contact matches")
    contacts_known(fake_node)
    result = cli(*home(fake_node), *args)
    assert result.code == 1
    assert "vouliez-vous dire « Pharmacie du Port » ?" in result.err


def test_no_near_contact_leaves_the_node_answer_as_it_was(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.fail("POST", "/v1/messages", 404, "contact_not_found", "no contact matches")
    contacts_known(fake_node)
    result = cli(*home(fake_node), "send", "Laboratoire", "Bonjour")
    assert result.code == 1
    assert result.err.strip() == catalog(
        "fr", "error.prefix", message=catalog("fr", "api.contact_not_found")
    )
