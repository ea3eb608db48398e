"""``releve status``: this node, its outbox, its relays, and the urgent messages waiting."""

from __future__ import annotations

import argparse

from ..api import ApiClient
from ..arguments import json_option
from ..command import Command, Context
from ..display import format_status
from ..text import dump_json


def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    status = ApiClient.from_home(ctx.layout).status()
    if args.json:
        print(dump_json(status))
    else:
        for line in format_status(ctx.tr, status):
            print(line)
    return 0


STATUS = Command("status", "help.status", cmd_status, json_option)
