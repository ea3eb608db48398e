"""``releve show`` (any message in full, with the messages it answers) and ``releve ack``."""

from __future__ import annotations

import argparse

from ..api import ApiClient, JsonObject
from ..arguments import message_id_argument
from ..clinical_view import is_urgent
from ..command import Command, Context
from ..display import format_message
from ..errors import ApiFailure
from ..i18n import Translator
from ..message_ids import resolve_message_id
from ..text import clean

# How far up `releve show` follows the replies (each is one request).
THREAD_DEPTH = 5


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    """Any kind of message in full, with its receipts and the messages it answers.

    Showing does not mark a message read (`releve read` does, and sends the receipt).
    """
    client = ApiClient.from_home(ctx.layout)
    message = client.message(resolve_message_id(client, args.message_id))
    thread = _thread(client, message)
    for line in format_message(ctx.tr, message, thread):
        print(line)
    awaiting = is_urgent(message) and not message.get("acknowledged_at")
    if message.get("direction") == "in" and awaiting:
        print()
        print(ctx.tr("show.ack_hint", message_id=clean(message.get("message_id"))))
    return 0


def _thread(client: ApiClient, message: JsonObject) -> list[JsonObject]:
    """The messages ``message`` answers, nearest first, as far as the node still has them."""
    thread: list[JsonObject] = []
    seen = {message.get("message_id")}
    parent = message.get("reply_to")
    while isinstance(parent, str) and parent not in seen and len(thread) < THREAD_DEPTH:
        try:
            answered = client.message(parent)
        except ApiFailure as exc:
            if exc.code == "message_not_found":
                break
            raise
        thread.append(answered)
        seen.add(parent)
        parent = answered.get("reply_to")
    return thread


def cmd_ack(args: argparse.Namespace, ctx: Context) -> int:
    """Acknowledges an urgent message; ``--read-back``: a handoff's reformulation goes back
    with it (docs/protocol.md §18.8), urgent or not."""
    client = ApiClient.from_home(ctx.layout)
    message_id = resolve_message_id(client, args.message_id)
    message = client.acknowledge(message_id, read_back=args.read_back)
    print(ctx.tr("ack.done", name=clean(message.get("contact_name"))))
    if args.read_back is not None:
        print(ctx.tr("ack.read_back_sent"))
    return 0


def _ack_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    message_id_argument(parser, tr)
    parser.add_argument("--read-back", metavar=tr("metavar.text"), help=tr("help.read_back"))


SHOW = Command("show", "help.show", cmd_show, message_id_argument)
ACK = Command("ack", "help.ack", cmd_ack, _ack_arguments)
