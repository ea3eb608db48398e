"""The command line: every command's exact spelling, role aliases, usage errors (exit 2)."""

from __future__ import annotations

import argparse

import pytest

from clients.cli.catalog import CATALOG
from clients.cli.command_line import build_parser
from clients.cli.commands import TABLE
from clients.cli.i18n import Translator
from clients.cli.main import _early_language
from clients.cli.roles import ROLE_ALIASES, ROLE_CODES, parse_role

from .conftest import Cli


def parse(*args: str) -> argparse.Namespace:
    return build_parser(TABLE, Translator()).parse_args(list(args))


def test_global_options_and_init() -> None:
    args = parse(
        "--home",
        "/tmp/h",
        "--lang",
        "en",
        "init",
        "--name",
        "Dr Martin",
        "--role",
        "gp",
        "--passphrase-file",
        "pf",
    )
    assert (args.home, args.lang, args.command) == ("/tmp/h", "en", "init")
    assert (args.name, args.role, args.passphrase_file, args.unattended) == (
        "Dr Martin",
        "gp",
        "pf",
        False,
    )


def test_init_unattended_and_default_role() -> None:
    args = parse("init", "--name", "Cabinet", "--unattended")
    assert (args.role, args.unattended, args.passphrase_file) == ("other", True, None)


def test_node_options() -> None:
    args = parse(
        "node",
        "--listen",
        "0.0.0.0:7301",
        "--relay",
        "https://a",
        "--relay",
        "https://b",
        "--passphrase-file",
        "pf",
    )
    assert (args.command, args.listen, args.no_listen) == ("node", "0.0.0.0:7301", False)
    assert args.relay == ["https://a", "https://b"]
    assert args.passphrase_file == "pf"
    bare = parse("node", "--no-listen")
    assert (bare.listen, bare.no_listen, bare.relay, bare.passphrase_file) == (
        None,
        True,
        [],
        None,
    )


@pytest.mark.parametrize("command", ["status", "contacts", "inbox"])
def test_json_flag(command: str) -> None:
    assert parse(command).json is False
    assert parse(command, "--json").json is True


def test_pair_invite_and_accept() -> None:
    args = parse("pair", "invite", "--png", "a.png", "--svg", "a.svg", "--ttl", "30")
    assert (args.command, args.pair_command, args.png, args.svg, args.ttl) == (
        "pair",
        "invite",
        "a.png",
        "a.svg",
        30,
    )
    assert parse("pair", "invite").ttl is None
    accept = parse("pair", "accept", "releve:abc")
    assert (accept.pair_command, accept.text) == ("accept", "releve:abc")


def test_send_inbox_read_demo() -> None:
    send = parse("send", "Pharmacie du Port", "Bonjour")
    assert (send.contact, send.text) == ("Pharmacie du Port", "Bonjour")
    assert parse("inbox", "--wait", "30").wait == 30
    assert parse("inbox").wait is None
    assert parse("read", "b767").message_id == "b767"
    assert parse("demo").command == "demo"


@pytest.mark.parametrize(
    "args",
    [
        ["init", "--name", "X", "--unattended", "--passphrase-file", "f"],
        ["init", "--unattended"],
        ["init", "--name", "X", "--role", "plombier", "--unattended"],
        ["node", "--listen", "127.0.0.1:0", "--no-listen"],
        ["pair", "invite", "--ttl", "0"],
        ["pair", "invite", "--ttl", "43201"],
        ["pair", "invite", "--ttl", "quinze"],
        ["pair"],
        ["inbox", "--wait", "301"],
        ["send", "only-contact"],
        ["read"],
        ["frobnicate"],
        ["--lang", "de", "status"],
        ["--hom", "x", "status"],
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.code == 2
    assert "releve" in result.err


def test_no_command_prints_help_and_exits_2(cli: Cli) -> None:
    result = cli()
    assert result.code == 2
    assert "pair" in result.err


def test_bad_role_message_is_translated(cli: Cli) -> None:
    result = cli("--lang", "en", "init", "--name", "X", "--role", "plombier", "--unattended")
    assert "unknown role: plombier" in result.err
    assert "error:" in result.err


@pytest.mark.parametrize(("lang", "words"), [("fr", "commandes"), ("en", "commands")])
def test_help_is_translated(cli: Cli, lang: str, words: str) -> None:
    result = cli("--lang", lang, "--help")
    assert result.code == 0
    assert words in result.out
    assert CATALOG["help.pair"][lang] in result.out


def test_subcommand_help(cli: Cli) -> None:
    result = cli("--lang", "en", "pair", "invite", "--help")
    assert result.code == 0
    assert "--png" in result.out
    assert CATALOG["help.ttl"]["en"] in result.out


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("gp", "gp"),
        ("GP", "gp"),
        ("medecin", "gp"),
        ("médecin", "gp"),
        ("Médecin", "gp"),
        ("pharmacien", "pharmacist"),
        ("cabinet", "practice"),
        ("infirmier", "nurse"),
        ("infirmière", "nurse"),
        ("specialiste", "specialist"),
        ("spécialiste", "specialist"),
        ("laboratoire", "laboratory"),
        ("other", "other"),
        (" pharmacist ", "pharmacist"),
        ("me\u0301decin", "gp"),  # decomposed accent, as some keyboards send it
        ("plombier", None),
        ("", None),
    ],
)
def test_role_aliases(given: str, code: str | None) -> None:
    assert parse_role(given) == code


def test_every_alias_maps_to_a_code() -> None:
    assert set(ROLE_ALIASES.values()) <= set(ROLE_CODES)
    assert set(ROLE_CODES) == {
        "other",
        "gp",
        "pharmacist",
        "practice",
        "nurse",
        "specialist",
        "laboratory",
    }


def test_role_alias_on_the_command_line() -> None:
    assert parse("init", "--name", "X", "--role", "pharmacien", "--unattended").role == "pharmacist"


@pytest.mark.parametrize(
    ("argv", "lang"),
    [
        (["--lang", "en", "status"], "en"),
        (["--lang=en", "status"], "en"),
        (["--home", "--lang", "--lang", "fr"], "fr"),
        (["send", "X", "--lang en"], None),
        (["send", "X", "--lang", "en"], None),
        ([], None),
    ],
)
def test_early_language_reads_global_options_only(argv: list[str], lang: str | None) -> None:
    assert _early_language(argv) == lang


def test_send_variants() -> None:
    text = parse("send", "Pharmacie", "Bonjour", "--urgent", "--reply-to", "b767")
    assert (text.contact, text.text, text.urgent, text.reply_to) == (
        "Pharmacie",
        "Bonjour",
        True,
        "b767",
    )
    assert (text.handoff, text.prescription, text.file, text.from_json) == (
        False,
        False,
        None,
        None,
    )
    handoff = parse("send", "Cabinet", "--handoff", "--from-json", "h.json")
    assert (handoff.text, handoff.handoff, handoff.from_json) == (None, True, "h.json")
    file = parse("send", "Labo", "--file", "bilan.pdf", "--caption", "Bilan", "--no-wait")
    assert (file.file, file.caption, file.no_wait) == ("bilan.pdf", "Bilan", True)


def test_clinical_commands() -> None:
    assert parse("show", "b767").message_id == "b767"
    assert parse("ack", "b767").message_id == "b767"
    save = parse("save", "b767", "/tmp/x")
    assert (save.message_id, save.dir) == ("b767", "/tmp/x")
    one = parse("print", "b767", "--out", "p.html")
    assert (one.message_id, one.conversation, one.out) == ("b767", None, "p.html")
    whole = parse("print", "--conversation", "Pharmacie")
    assert (whole.message_id, whole.conversation) == (None, "Pharmacie")
    export = parse("export", "--patient", "Dupont", "--since", "2026-11-01", "--out", "e.ndjson")
    assert (export.patient, export.since, export.out) == ("Dupont", "2026-11-01", "e.ndjson")
    assert parse("export", "--since", "1/11/2026").since == "2026-11-01"
    assert parse("audit", "verify").audit_command == "verify"
    assert parse("audit", "export", "--out", "a.jsonl").out == "a.jsonl"


@pytest.mark.parametrize(
    "args",
    [
        ["send", "X", "--handoff", "--file", "f"],
        ["audit"],
        ["export", "--since", "hier"],
        ["save", "b767"],
    ],
)
def test_clinical_usage_errors(cli: Cli, args: list[str]) -> None:
    assert cli(*args).code == 2
