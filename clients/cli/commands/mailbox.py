"""``releve mailbox ...`` (French: ``releve boite ...``): a clinic server's mailboxes, personal
(a clinician's) and shared ("Secrétariat"), and who may read and send from each (issue #15;
docs/local-api.md, "Mailboxes"; docs/operations.md, "Serveur de cabinet / Clinic server").

Run by the operator on the server, over the local API: ``list``, ``add NAME [--personal]
[--member USER]... [--private] [--default]``, ``remove NAME``, ``members NAME [--add USER]...
[--remove USER]...``, ``default NAME``. Users are named by their name or account id
(``releve user list``).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..api import ApiClient, JsonObject
from ..arguments import json_option
from ..command import Command, Context
from ..i18n import Translator
from ..text import clean, dump_json


def _name(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("mailbox", metavar=tr("metavar.mailbox"), help=tr("help.mailbox_name"))


def _add_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    _name(parser, tr)
    parser.add_argument(
        "--personal", "--personnelle", action="store_true", help=tr("help.mailbox_personal")
    )
    parser.add_argument(
        "--member",
        "--membre",
        action="append",
        default=[],
        metavar=tr("metavar.mailbox_user"),
        help=tr("help.mailbox_member"),
    )
    parser.add_argument(
        "--private", "--privee", action="store_true", help=tr("help.mailbox_private")
    )
    parser.add_argument(
        "--default", "--defaut", action="store_true", help=tr("help.mailbox_default")
    )
    json_option(parser, tr)


def _members_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    _name(parser, tr)
    for english, french, key in (
        ("--add", "--ajouter", "add"),
        ("--remove", "--retirer", "remove"),
    ):
        parser.add_argument(
            english,
            french,
            dest=key,
            action="append",
            default=[],
            metavar=tr("metavar.mailbox_user"),
            help=tr(f"help.mailbox_members_{key}"),
        )
    json_option(parser, tr)


def _named_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    _name(parser, tr)
    json_option(parser, tr)


def _path(mailbox: str, tail: str = "") -> str:
    import urllib.parse

    return "/v1/mailboxes/" + urllib.parse.quote(mailbox, safe="") + tail


def mailbox_lines(tr: Translator, mailbox: JsonObject) -> list[str]:
    """One mailbox: its name and kind, then its members."""
    kind = tr("mailbox.personal" if mailbox.get("kind") == "personal" else "mailbox.shared")
    tags = [kind]
    if mailbox.get("default"):
        tags.append(tr("mailbox.is_default"))
    if not mailbox.get("public", True):
        tags.append(tr("mailbox.private"))
    prescriber = mailbox.get("prescriber")
    if prescriber:
        tags.append(tr("mailbox.prescriber", name=clean(prescriber)))
    members: list[Any] = mailbox.get("members") or []
    names = ", ".join(
        clean(m.get("name") or m.get("account_id") or "?") for m in members if isinstance(m, dict)
    )
    return [
        f"{clean(mailbox.get('name', '?'))} ({', '.join(tags)})",
        "  " + (tr("mailbox.members", names=names) if names else tr("mailbox.no_members")),
    ]


def _show(args: argparse.Namespace, ctx: Context, mailbox: JsonObject, key: str) -> int:
    if args.json:
        print(dump_json(mailbox))
        return 0
    print(ctx.tr(key, name=clean(mailbox.get("name", "?"))))
    for line in mailbox_lines(ctx.tr, mailbox):
        print(line)
    return 0


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    response = ApiClient.from_home(ctx.layout).request("GET", "/v1/mailboxes")
    if args.json:
        print(dump_json(response))
        return 0
    mailboxes = response.get("mailboxes") or []
    if not mailboxes:
        print(ctx.tr("mailbox.none"))
        return 0
    for mailbox in mailboxes:
        if isinstance(mailbox, dict):
            for line in mailbox_lines(ctx.tr, mailbox):
                print(line)
    return 0


def cmd_add(args: argparse.Namespace, ctx: Context) -> int:
    body: JsonObject = {
        "name": args.mailbox,
        "kind": "personal" if args.personal else "shared",
        "members": args.member,
        "public": not args.private,
        "default": args.default,
    }
    mailbox = ApiClient.from_home(ctx.layout).request("POST", "/v1/mailboxes", body)
    return _show(args, ctx, mailbox, "mailbox.added")


def cmd_remove(args: argparse.Namespace, ctx: Context) -> int:
    response = ApiClient.from_home(ctx.layout).request("DELETE", _path(args.mailbox))
    removed = response.get("removed")
    return _show(args, ctx, removed if isinstance(removed, dict) else {}, "mailbox.removed")


def cmd_members(args: argparse.Namespace, ctx: Context) -> int:
    body: JsonObject = {"add": args.add, "remove": args.remove}
    client = ApiClient.from_home(ctx.layout)
    mailbox = client.request("POST", _path(args.mailbox, "/members"), body)
    return _show(args, ctx, mailbox, "mailbox.changed")


def cmd_default(args: argparse.Namespace, ctx: Context) -> int:
    client = ApiClient.from_home(ctx.layout)
    mailbox = client.request("POST", _path(args.mailbox, "/default"), {})
    return _show(args, ctx, mailbox, "mailbox.now_default")


LIST = Command("list", "help.mailbox_list", cmd_list, json_option)
ADD = Command("add", "help.mailbox_add", cmd_add, _add_arguments)
REMOVE = Command("remove", "help.mailbox_remove", cmd_remove, _named_arguments)
MEMBERS = Command("members", "help.mailbox_members", cmd_members, _members_arguments)
DEFAULT = Command("default", "help.mailbox_set_default", cmd_default, _named_arguments)
ENGLISH = (LIST, ADD, REMOVE, MEMBERS, DEFAULT)
# French: releve boite liste | ajouter | retirer | membres | defaut
FRENCH = (
    Command("liste", "help.mailbox_list", cmd_list, json_option),
    Command("ajouter", "help.mailbox_add", cmd_add, _add_arguments),
    Command("retirer", "help.mailbox_remove", cmd_remove, _named_arguments),
    Command("membres", "help.mailbox_members", cmd_members, _members_arguments),
    Command("defaut", "help.mailbox_set_default", cmd_default, _named_arguments),
)
