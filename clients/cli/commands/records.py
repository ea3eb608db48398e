"""Back to the record: ``releve print`` (an A4 page) and ``releve export`` (FHIR R4 NDJSON).

Each writes a new file readable by its owner only (it holds patient data), complete or not at
all, and never over an existing file. Printing and exporting are recorded in the node's audit
log (``POST .../printed``; the node records the export itself).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from ..api import ApiClient
from ..arguments import day
from ..command import Command, Context
from ..errors import CliError, UsageError
from ..files import safe_file_name, write_new_private
from ..i18n import Translator
from ..message_ids import resolve_message_id
from ..suggestions import suggesting_contacts
from ..text import clean

CONVERSATION_LIMIT = 10000  # the node's maximum for GET /v1/messages


def _target(given: str | None, default_name: str) -> tuple[Path, bool]:
    """The file to write and whether a taken name may become "name (2)" (only a default)."""
    if given is not None:
        return Path(given), False
    return Path(default_name), True


def cmd_print(args: argparse.Namespace, ctx: Context) -> int:
    # The pages' modules load html and its entity table: for this command only.
    from ..print_page import check_target
    from ..record_page import page_html

    if (args.message_id is None) == (args.conversation is None):
        raise UsageError("error.print_what")
    if args.out is not None:
        check_target(Path(args.out))
    client = ApiClient.from_home(ctx.layout)
    if args.message_id is not None:
        message_id = resolve_message_id(client, args.message_id)
        messages = [client.message(message_id)]
        default = f"releve-{message_id[:12]}.html"
    else:
        with suggesting_contacts(client, args.conversation):
            listed = client.conversation(args.conversation, CONVERSATION_LIMIT).get("messages")
        messages = [m for m in listed if isinstance(m, dict)] if isinstance(listed, list) else []
        if not messages:
            raise CliError("error.no_messages")
        name = clean(messages[0].get("contact_name") or args.conversation)
        default = safe_file_name(f"releve-{name}.html").replace(" ", "-")
    me = client.status().get("name")
    html = page_html(ctx.tr, messages, printed_by=me, now=datetime.now(UTC))
    path, numbering = _target(args.out, default)
    written = write_new_private(path, html.encode("utf-8"), numbering=numbering)
    for message in messages:
        client.record_printed(str(message.get("message_id", "")))
    print(ctx.tr("print.written", path=written, count=len(messages)))
    return 0


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    if args.out is not None and Path(args.out).exists():
        raise CliError("error.out_exists", path=Path(args.out))
    client = ApiClient.from_home(ctx.layout)
    answer = client.export(args.patient, args.since)
    bundles = answer.get("bundles")
    if not isinstance(bundles, list):
        raise CliError("error.bad_response")
    if not bundles:
        print(ctx.tr("export.none"))
        return 0
    # NDJSON: one FHIR Bundle per line, compact, UTF-8.
    data = "".join(json.dumps(b, ensure_ascii=False, separators=(",", ":")) + "\n" for b in bundles)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    path, numbering = _target(args.out, f"releve-export-{stamp}.ndjson")
    written = write_new_private(path, data.encode("utf-8"), numbering=numbering)
    print(ctx.tr("export.done", count=len(bundles), path=written))
    return 0


def _print_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument(
        "message_id", nargs="?", metavar=tr("metavar.message_id"), help=tr("help.message_id")
    )
    parser.add_argument(
        "--conversation", metavar=tr("metavar.contact"), help=tr("help.conversation")
    )
    parser.add_argument("--out", metavar=tr("metavar.file"), help=tr("help.print_out"))


def _export_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--patient", metavar=tr("metavar.text"), help=tr("help.patient"))
    parser.add_argument("--since", type=day(tr), metavar=tr("metavar.date"), help=tr("help.since"))
    parser.add_argument("--out", metavar=tr("metavar.file"), help=tr("help.export_out"))


PRINT = Command("print", "help.print_message", cmd_print, _print_arguments)
EXPORT = Command("export", "help.export", cmd_export, _export_arguments)
