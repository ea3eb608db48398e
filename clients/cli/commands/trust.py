"""``releve verify``, ``releve unpair`` and ``releve revoke``: trust in contacts."""

from __future__ import annotations

import argparse
import sys

from ..api import ApiClient, JsonObject
from ..arguments import contact_argument
from ..command import Command, Context
from ..display import format_contact
from ..errors import CliError
from ..i18n import Translator
from ..suggestions import suggesting_contacts
from ..text import clean


def _contact(answer: JsonObject) -> JsonObject:
    contact = answer.get("contact")
    if not isinstance(contact, dict):
        raise CliError("error.bad_response")
    return contact


def cmd_verify(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    client = ApiClient.from_home(ctx.layout)
    if not args.confirm:
        with suggesting_contacts(client, args.contact):
            contact = client.find_contact(args.contact)
        for line in format_contact(tr, contact):
            print(line)
        print()
        print(tr("verify.how", number=clean(contact.get("safety_number"))))
        print(tr("verify.then", contact=args.contact))
        return 0
    with suggesting_contacts(client, args.contact):
        contact = _contact(client.verify(args.contact))
    print(tr("verify.done", name=clean(contact.get("name"))))
    return 0


def cmd_unpair(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    client = ApiClient.from_home(ctx.layout)
    with suggesting_contacts(client, args.contact):
        contact = _contact(client.unpair(args.contact))
    print(tr("unpair.done", name=clean(contact.get("name"))))
    return 0


def cmd_revoke(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    client = ApiClient.from_home(ctx.layout)
    if not args.yes:
        print(tr("revoke.warning"), file=sys.stderr)
        if not sys.stdin.isatty():
            raise CliError("error.revoke_needs_yes")
        answer = input(tr("revoke.prompt"))
        if answer.strip().lower() not in (tr("word.yes").lower(), "yes", "oui"):
            print(tr("revoke.cancelled"))
            return 1
    result = client.revoke()
    print(
        tr(
            "revoke.done",
            count=result.get("contacts_told", 0),
            node_id=clean(result.get("node_id")),
        )
    )
    print(tr("revoke.next"))
    return 0


def _verify_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    contact_argument(parser, tr)
    parser.add_argument("--confirm", action="store_true", help=tr("help.confirm"))


def _revoke_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--yes", action="store_true", help=tr("help.yes"))


VERIFY = Command("verify", "help.verify", cmd_verify, _verify_arguments)
UNPAIR = Command("unpair", "help.unpair", cmd_unpair, contact_argument)
REVOKE = Command("revoke", "help.revoke", cmd_revoke, _revoke_arguments)
