"""``releve contacts``: the paired contacts, with the safety numbers to compare aloud."""

from __future__ import annotations

import argparse

from ..api import ApiClient
from ..arguments import json_option
from ..command import Command, Context
from ..display import format_contact
from ..text import dump_json


def cmd_contacts(args: argparse.Namespace, ctx: Context) -> int:
    response = ApiClient.from_home(ctx.layout).contacts()
    if args.json:
        print(dump_json(response))
        return 0
    contacts = response.get("contacts") or []
    if not contacts:
        print(ctx.tr("contacts.none"))
        return 0
    for index, contact in enumerate(contacts):
        if index:
            print()
        lines = format_contact(ctx.tr, contact)
        for line in [lines[0], *("  " + line for line in lines[1:])]:
            print(line)
    return 0


CONTACTS = Command("contacts", "help.contacts", cmd_contacts, json_option)
