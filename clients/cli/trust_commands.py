"""``releve verify``, ``releve unpair`` and ``releve revoke``: trust in contacts."""

from __future__ import annotations

import argparse
import sys

from node.paths import HomeLayout

from .api import ApiClient, JsonObject
from .display import clean, format_contact
from .errors import CliError
from .i18n import t


def _contact(answer: JsonObject) -> JsonObject:
    contact = answer.get("contact")
    if not isinstance(contact, dict):
        raise CliError("error.bad_response")
    return contact


def cmd_verify(args: argparse.Namespace, layout: HomeLayout) -> int:
    client = ApiClient.from_home(layout)
    if not args.confirm:
        contact = client.find_contact(args.contact)
        for line in format_contact(contact):
            print(line)
        print()
        print(t("verify.how", number=clean(contact.get("safety_number"))))
        print(t("verify.then", contact=args.contact))
        return 0
    contact = _contact(client.verify(args.contact))
    print(t("verify.done", name=clean(contact.get("name"))))
    return 0


def cmd_unpair(args: argparse.Namespace, layout: HomeLayout) -> int:
    client = ApiClient.from_home(layout)
    contact = _contact(client.unpair(args.contact))
    print(t("unpair.done", name=clean(contact.get("name"))))
    return 0


def cmd_revoke(args: argparse.Namespace, layout: HomeLayout) -> int:
    client = ApiClient.from_home(layout)
    if not args.yes:
        print(t("revoke.warning"), file=sys.stderr)
        if not sys.stdin.isatty():
            raise CliError("error.revoke_needs_yes")
        answer = input(t("revoke.prompt"))
        if answer.strip().lower() not in (t("word.yes").lower(), "yes", "oui"):
            print(t("revoke.cancelled"))
            return 1
    result = client.revoke()
    print(
        t("revoke.done", count=result.get("contacts_told", 0), node_id=clean(result.get("node_id")))
    )
    print(t("revoke.next"))
    return 0
