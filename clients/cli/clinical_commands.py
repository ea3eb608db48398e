"""``releve send`` (text, handoff, prescription, file), ``releve show`` and ``releve ack``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from node.paths import HomeLayout

from .api import ApiClient, JsonObject
from .clinical_prompts import (
    Prompter,
    ask_handoff,
    ask_prescription,
    correct,
    load_prescriber,
    paths_to_ask,
    save_prescriber,
)
from .clinical_view import body_lines, is_urgent
from .commands import _resolve_message_id
from .display import clean, format_message
from .errors import EXIT_INTERRUPTED, ApiFailure, CliError, UsageError
from .fields import field_label, reason_text
from .files import check_input_file, human_size, read_json_object
from .i18n import t
from .progress import watch_transfer

# A person corrects a refused field; a node that refuses again and again is not answered forever.
MAX_CORRECTIONS = 20
# How far up `releve show` follows the replies (each is one request).
THREAD_DEPTH = 5


def cmd_send(args: argparse.Namespace, layout: HomeLayout) -> int:
    structured = args.handoff or args.prescription
    if sum((args.text is not None, args.handoff, args.prescription, args.file is not None)) != 1:
        raise UsageError("error.send_what")
    if args.from_json is not None and not structured:
        raise UsageError("error.from_json_kind")
    if (args.caption is not None or args.no_wait) and args.file is None:
        raise UsageError("error.file_options")
    if args.file is not None:
        return _send_file(args, layout)
    if args.text is not None:
        if not args.text.strip():
            raise CliError("error.empty_text")
        client = ApiClient.from_home(layout)
        reply_to = _reply_to(client, args.reply_to)
        message = client.send_message(
            args.contact, "text", args.text, urgent=args.urgent, reply_to=reply_to
        )
        _report_sent(message)
        return 0
    kind = "handoff" if args.handoff else "prescription"
    # Local files first: a bad file is found before anything is asked or sent.
    content = None if args.from_json is None else read_json_object(Path(args.from_json))
    client = ApiClient.from_home(layout)
    reply_to = _reply_to(client, args.reply_to)
    if content is not None:
        message = client.send_message(
            args.contact, kind, content, urgent=args.urgent, reply_to=reply_to
        )
        _report_sent(message)
        return 0
    prompter = Prompter()
    if kind == "handoff":
        content = ask_handoff(prompter)
    else:
        content = ask_prescription(prompter, load_prescriber(layout.root))
    prompter.say()
    prompter.say(t("form.review"))
    for line in body_lines({"kind": kind, kind: content}):
        prompter.say("  " + line)
    prompter.say()
    if not prompter.yes(t("form.confirm_send", name=clean(args.contact))):
        prompter.say(t("form.not_sent"))
        return 1
    message = _submit(client, prompter, args, kind, content, reply_to)
    if kind == "prescription":
        save_prescriber(layout.root, content)
    _report_sent(message)
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
                args.contact, kind, content, urgent=args.urgent, reply_to=reply_to
            )
        except ApiFailure as exc:
            paths = paths_to_ask(exc.field, exc.reason) if exc.code == "invalid_field" else []
            if not paths:
                raise
            prompter.say()
            prompter.say(
                t(
                    "form.fix",
                    field=field_label(exc.field or ""),
                    reason=reason_text(exc.reason or ""),
                )
            )
            if not correct(prompter, content, paths):
                raise
    raise CliError("error.too_many_attempts")


def _reply_to(client: ApiClient, given: str | None) -> str | None:
    return None if given is None else _resolve_message_id(client, given)


def _report_sent(message: JsonObject) -> None:
    # The id alone on stdout, for scripts; the sentences for the clinician on stderr.
    print(message.get("message_id", ""))
    name = clean(message.get("contact_name"))
    print(t("send.queued", name=name, message_id=clean(message.get("message_id"))), file=sys.stderr)
    if is_urgent(message):
        print(t("send.urgent_note", name=name), file=sys.stderr)


def _send_file(args: argparse.Namespace, layout: HomeLayout) -> int:
    path = Path(args.file)
    size = check_input_file(path)
    client = ApiClient.from_home(layout)
    reply_to = _reply_to(client, args.reply_to)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise CliError("error.file_unreadable", path=path, reason=exc.strerror or exc) from None
    with stream:
        message = client.send_file(
            args.contact,
            path.name,
            stream,
            size,
            urgent=args.urgent,
            reply_to=reply_to,
            caption=args.caption,
        )
    message_id = str(message.get("message_id", ""))
    name = clean(message.get("contact_name"))
    print(message_id)
    print(
        t(
            "send.file_queued",
            file=clean(path.name),
            size=human_size(size),
            name=name,
            message_id=clean(message_id),
        ),
        file=sys.stderr,
    )
    if is_urgent(message):
        print(t("send.urgent_note", name=name), file=sys.stderr)
    if args.no_wait:
        return 0
    print(t("progress.wait_hint"), file=sys.stderr)
    try:
        watch_transfer(client, message_id)
    except KeyboardInterrupt:
        print(t("progress.interrupted", message_id=clean(message_id)), file=sys.stderr)
        return EXIT_INTERRUPTED
    print(t("progress.delivered", name=name), file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace, layout: HomeLayout) -> int:
    """Any kind of message in full, with its receipts and the messages it answers.

    Showing does not mark a message read (`releve read` does, and sends the receipt).
    """
    client = ApiClient.from_home(layout)
    message = client.message(_resolve_message_id(client, args.message_id))
    thread = _thread(client, message)
    for line in format_message(message, thread):
        print(line)
    awaiting = is_urgent(message) and not message.get("acknowledged_at")
    if message.get("direction") == "in" and awaiting:
        print()
        print(t("show.ack_hint", message_id=clean(message.get("message_id"))))
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


def cmd_ack(args: argparse.Namespace, layout: HomeLayout) -> int:
    client = ApiClient.from_home(layout)
    message = client.acknowledge(_resolve_message_id(client, args.message_id))
    print(t("ack.done", name=clean(message.get("contact_name"))))
    return 0
