"""``releve inbox`` (the unread messages, urgent ones first) and ``releve read``."""

from __future__ import annotations

import argparse

from ..api import ApiClient
from ..arguments import int_range, json_option, message_id_argument
from ..clinical_view import refused_lines, urgent_lines
from ..command import Command, Context
from ..display import format_message, format_message_summary
from ..errors import ApiFailure
from ..i18n import Translator
from ..message_ids import resolve_message_id
from ..text import dump_json

MAX_WAIT_SECONDS = 300


def cmd_inbox(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    client = ApiClient.from_home(ctx.layout)
    response = client.inbox(args.wait)
    if args.json:
        print(dump_json(response))
        return 0
    urgent = _urgent_lines(tr, client)
    if urgent:
        for line in urgent:
            print(line)
        print()
    messages = response.get("messages") or []
    if not messages:
        print(tr("inbox.empty"))
        return 0
    print(tr("inbox.count", count=len(messages)))
    for message in messages:
        print()
        for line in format_message_summary(tr, message):
            print(line)
    print()
    print(tr("inbox.hint"))
    return 0


def _urgent_lines(tr: Translator, client: ApiClient) -> list[str]:
    """Urgent messages awaiting acknowledgement and refused prescriptions (GET /v1/status),
    above the inbox.

    The inbox is shown even when this fails: the unread messages matter more than the reminder.
    """
    try:
        status = client.status()
        return [*urgent_lines(tr, status), *refused_lines(tr, status)]
    except ApiFailure:
        return []


def cmd_read(args: argparse.Namespace, ctx: Context) -> int:
    """Marks a received message read (the node sends the receipt once) and shows it.

    On a sent message the node changes nothing: this shows its status (delivered, read).
    """
    client = ApiClient.from_home(ctx.layout)
    message_id = resolve_message_id(client, args.message_id)
    message = client.mark_read(message_id)
    for line in format_message(ctx.tr, message):
        print(line)
    if message.get("direction") == "in":
        print()
        print(ctx.tr("read.receipt_sent"))
    return 0


def _inbox_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    json_option(parser, tr)
    parser.add_argument(
        "--wait",
        type=int_range(tr, 0, MAX_WAIT_SECONDS),
        metavar=tr("metavar.seconds"),
        help=tr("help.wait"),
    )


INBOX = Command("inbox", "help.inbox", cmd_inbox, _inbox_arguments)
READ = Command("read", "help.read", cmd_read, message_id_argument)
