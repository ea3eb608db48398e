"""Back to the record: ``releve print``, ``releve export`` and ``releve audit verify|export``.

Each writes a new file readable by its owner only (it holds patient data or the audit trail),
complete or not at all, and never over an existing file. Printing and exporting are recorded
in the node's audit log (``POST .../printed``; the node records the export itself).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from node.paths import HomeLayout

from .api import ApiClient
from .commands import _resolve_message_id
from .display import clean
from .errors import EXIT_ERROR, CliError, UsageError
from .files import private_temporary, publish, safe_file_name, write_new_private
from .i18n import has_key, t
from .print_page import check_target
from .record_page import page_html

CONVERSATION_LIMIT = 10000  # the node's maximum for GET /v1/messages


def _target(given: str | None, default_name: str) -> tuple[Path, bool]:
    """The file to write and whether a taken name may become "name (2)" (only a default)."""
    if given is not None:
        return Path(given), False
    return Path(default_name), True


def cmd_print(args: argparse.Namespace, layout: HomeLayout) -> int:
    if (args.message_id is None) == (args.conversation is None):
        raise UsageError("error.print_what")
    if args.out is not None:
        check_target(Path(args.out))
    client = ApiClient.from_home(layout)
    if args.message_id is not None:
        message_id = _resolve_message_id(client, args.message_id)
        messages = [client.message(message_id)]
        default = f"releve-{message_id[:12]}.html"
    else:
        listed = client.conversation(args.conversation, CONVERSATION_LIMIT).get("messages")
        messages = [m for m in listed if isinstance(m, dict)] if isinstance(listed, list) else []
        if not messages:
            raise CliError("error.no_messages")
        name = clean(messages[0].get("contact_name") or args.conversation)
        default = safe_file_name(f"releve-{name}.html").replace(" ", "-")
    me = client.status().get("name")
    html = page_html(messages, printed_by=me, now=datetime.now(UTC))
    path, numbering = _target(args.out, default)
    written = write_new_private(path, html.encode("utf-8"), numbering=numbering)
    for message in messages:
        client.record_printed(str(message.get("message_id", "")))
    print(t("print.written", path=written, count=len(messages)))
    return 0


_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_day(value: str) -> str:
    """--since: YYYY-MM-DD or DD/MM/YYYY, as the ISO date the API takes."""
    text = value.strip()
    match = _FRENCH_DATE.match(text)
    try:
        if match is not None:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(t("help.bad_date", value=value)) from None


def cmd_export(args: argparse.Namespace, layout: HomeLayout) -> int:
    if args.out is not None and Path(args.out).exists():
        raise CliError("error.out_exists", path=Path(args.out))
    client = ApiClient.from_home(layout)
    answer = client.export(args.patient, args.since)
    bundles = answer.get("bundles")
    if not isinstance(bundles, list):
        raise CliError("error.bad_response")
    if not bundles:
        print(t("export.none"))
        return 0
    # NDJSON: one FHIR Bundle per line, compact, UTF-8.
    data = "".join(json.dumps(b, ensure_ascii=False, separators=(",", ":")) + "\n" for b in bundles)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    path, numbering = _target(args.out, f"releve-export-{stamp}.ndjson")
    written = write_new_private(path, data.encode("utf-8"), numbering=numbering)
    print(t("export.done", count=len(bundles), path=written))
    return 0


def cmd_audit_verify(args: argparse.Namespace, layout: HomeLayout) -> int:
    result = ApiClient.from_home(layout).audit_verify()
    entries = result.get("entries", 0)
    if result.get("ok") is True:
        print(t("audit.ok", entries=entries))
        return 0
    problem = result.get("problem")
    problem = problem if isinstance(problem, dict) else {}
    reason = problem.get("reason", "?")
    reason_key = f"audit_reason.{reason}"
    print(
        t(
            "error.prefix",
            message=t(
                "audit.broken",
                position=clean(problem.get("position", "?")),
                reason=t(reason_key) if has_key(reason_key) else clean(reason),
                entries=clean(entries),
            ),
        ),
        file=sys.stderr,
    )
    return EXIT_ERROR


def cmd_audit_export(args: argparse.Namespace, layout: HomeLayout) -> int:
    client = ApiClient.from_home(layout)
    if args.out is None:
        sys.stdout.flush()
        client.audit_export(sys.stdout.buffer.write)
        sys.stdout.buffer.flush()
        return 0
    path = Path(args.out)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CliError("error.dir_missing", path=folder)
    if path.exists():
        raise CliError("error.out_exists", path=path)
    try:
        with private_temporary(folder) as (stream, temporary):
            client.audit_export(stream.write)
            stream.flush()
            os.fsync(stream.fileno())
            written = publish(temporary, folder, path.name, numbering=False)
    except OSError as exc:
        raise CliError("error.write_failed", path=path, reason=exc.strerror or exc) from None
    print(t("audit.exported", path=written), file=sys.stderr)
    return 0
