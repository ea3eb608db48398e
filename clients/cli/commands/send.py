"""``releve send``: a text, a handoff or a prescription (asked field by field, or from a JSON
file), or a file, to a contact; urgent or not, in reply to a message or not."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..api import ApiClient, JsonObject
from ..arguments import contact_argument
from ..clinical_prompts import (
    Prompter,
    ask_handoff,
    ask_prescription,
    correct,
    paths_to_ask,
)
from ..clinical_view import body_lines, is_urgent
from ..command import Command, Context
from ..errors import EXIT_INTERRUPTED, ApiFailure, CliError, UsageError
from ..fields import field_label, reason_text
from ..files import check_input_file, human_size, read_json_object
from ..i18n import Translator
from ..message_ids import resolve_message_id
from ..os_errors import os_reason
from ..progress import watch_transfer
from ..suggestions import suggesting_contacts
from ..text import clean

# A person corrects a refused field; a node that refuses again and again is not answered forever.
MAX_CORRECTIONS = 20


def cmd_send(args: argparse.Namespace, ctx: Context) -> int:
    tr, layout = ctx.tr, ctx.layout
    structured = args.handoff or args.prescription
    if sum((args.text is not None, args.handoff, args.prescription, args.file is not None)) != 1:
        raise UsageError("error.send_what")
    if args.from_json is not None and not structured:
        raise UsageError("error.from_json_kind")
    if (args.caption is not None or args.no_wait) and args.file is None:
        raise UsageError("error.file_options")
    if args.file is not None:
        return _send_file(args, ctx)
    if args.text is not None:
        if not args.text.strip():
            raise CliError("error.empty_text")
        client = ApiClient.from_home(layout)
        reply_to = _reply_to(client, args.reply_to)
        with suggesting_contacts(client, args.contact):
            message = client.send_message(
                args.contact,
                "text",
                args.text,
                urgent=args.urgent,
                reply_to=reply_to,
                mailboxes=_mailboxes(args),
            )
        _report_sent(tr, message)
        return 0
    kind = "handoff" if args.handoff else "prescription"
    # Local files first: a bad file is found before anything is asked or sent.
    content = None if args.from_json is None else read_json_object(Path(args.from_json))
    client = ApiClient.from_home(layout)
    reply_to = _reply_to(client, args.reply_to)
    if content is not None:
        with suggesting_contacts(client, args.contact):
            message = client.send_message(
                args.contact,
                kind,
                content,
                urgent=args.urgent,
                reply_to=reply_to,
                mailboxes=_mailboxes(args),
            )
        _report_sent(tr, message)
        return 0
    prompter = Prompter(tr)
    content = ask_handoff(prompter) if kind == "handoff" else ask_prescription(prompter)
    prompter.say()
    prompter.say(tr("form.review"))
    for line in body_lines(tr, {"kind": kind, kind: content}):
        prompter.say("  " + line)
    prompter.say()
    if not prompter.yes(tr("form.confirm_send", name=clean(args.contact))):
        prompter.say(tr("form.not_sent"))
        return 1
    with suggesting_contacts(client, args.contact):
        message = _submit(client, prompter, args, kind, content, reply_to)
    _report_sent(tr, message)
    return 0


def _submit(
    client: ApiClient,
    prompter: Prompter,
    args: argparse.Namespace,
    kind: str,
    content: JsonObject,
    reply_to: str | None,
) -> JsonObject:
    """Sends the form; on the node's invalid_field, asks that field again and resends."""
    for _ in range(MAX_CORRECTIONS):
        try:
            return client.send_message(
                args.contact,
                kind,
                content,
                urgent=args.urgent,
                reply_to=reply_to,
                mailboxes=_mailboxes(args),
            )
        except ApiFailure as exc:
            paths = paths_to_ask(exc.field, exc.reason) if exc.code == "invalid_field" else []
            if not paths:
                raise
            prompter.say()
            prompter.say(
                prompter.tr(
                    "form.fix",
                    field=field_label(prompter.tr, exc.field or ""),
                    reason=reason_text(prompter.tr, exc.reason or ""),
                )
            )
            if not correct(prompter, content, paths):
                raise
    raise CliError("error.too_many_attempts")


def _mailboxes(args: argparse.Namespace) -> dict[str, str]:
    """A clinic server's mailboxes: the contact's one it goes to, ours it leaves from."""
    chosen = {"to_mailbox": args.to_mailbox, "mailbox": args.from_mailbox}
    return {key: value for key, value in chosen.items() if value is not None}


def _reply_to(client: ApiClient, given: str | None) -> str | None:
    return None if given is None else resolve_message_id(client, given)


def _report_sent(tr: Translator, message: JsonObject) -> None:
    # The id alone on stdout, for scripts; the sentences for the clinician on stderr.
    print(message.get("message_id", ""))
    name = clean(message.get("contact_name"))
    print(
        tr("send.queued", name=name, message_id=clean(message.get("message_id"))), file=sys.stderr
    )
    if is_urgent(message):
        print(tr("send.urgent_note", name=name), file=sys.stderr)


def _send_file(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    path = Path(args.file)
    size = check_input_file(path)
    client = ApiClient.from_home(ctx.layout)
    reply_to = _reply_to(client, args.reply_to)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise CliError("error.file_unreadable", path=path, reason=os_reason(exc)) from None
    with stream, suggesting_contacts(client, args.contact):
        message = client.send_file(
            args.contact,
            path.name,
            stream,
            size,
            urgent=args.urgent,
            reply_to=reply_to,
            caption=args.caption,
            mailboxes=_mailboxes(args),
        )
    message_id = str(message.get("message_id", ""))
    name = clean(message.get("contact_name"))
    print(message_id)
    print(
        tr(
            "send.file_queued",
            file=clean(path.name),
            size=human_size(tr, size),
            name=name,
            message_id=clean(message_id),
        ),
        file=sys.stderr,
    )
    if is_urgent(message):
        print(tr("send.urgent_note", name=name), file=sys.stderr)
    if args.no_wait:
        return 0
    print(tr("progress.wait_hint"), file=sys.stderr)
    try:
        watch_transfer(tr, client, message_id)
    except KeyboardInterrupt:
        print(tr("progress.interrupted", message_id=clean(message_id)), file=sys.stderr)
        return EXIT_INTERRUPTED
    print(tr("progress.delivered", name=name), file=sys.stderr)
    return 0


def _arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    contact_argument(parser, tr)
    parser.add_argument(
        "text", nargs="?", metavar=tr("metavar.text"), help=tr("help.message_text_optional")
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--handoff", action="store_true", help=tr("help.handoff"))
    what.add_argument("--prescription", action="store_true", help=tr("help.prescription"))
    what.add_argument("--file", metavar=tr("metavar.file"), help=tr("help.file"))
    parser.add_argument("--from-json", metavar=tr("metavar.file"), help=tr("help.from_json"))
    parser.add_argument("--urgent", action="store_true", help=tr("help.urgent"))
    parser.add_argument("--reply-to", metavar=tr("metavar.message_id"), help=tr("help.reply_to"))
    parser.add_argument("--caption", metavar=tr("metavar.text"), help=tr("help.caption"))
    parser.add_argument("--no-wait", action="store_true", help=tr("help.no_wait"))
    parser.add_argument(
        "--to-mailbox", metavar=tr("metavar.mailbox"), help=tr("help.send_to_mailbox")
    )
    parser.add_argument(
        "--from-mailbox", metavar=tr("metavar.mailbox"), help=tr("help.send_from_mailbox")
    )


SEND = Command("send", "help.send", cmd_send, _arguments)
