"""``releve audit verify`` (the hash chain is intact) and ``releve audit export`` (NDJSON).

The export is written complete or not at all, readable by its owner only, never over a file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..api import ApiClient
from ..command import Command, Context
from ..errors import EXIT_ERROR, CliError, UsageError
from ..files import private_temporary, publish
from ..i18n import Translator
from ..os_errors import os_reason
from ..text import clean


def cmd_audit_verify(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    if args.file is not None:
        return _verify_file(Path(args.file), args.head, tr)
    if args.head is not None:
        raise UsageError("error.head_without_file")
    result = ApiClient.from_home(ctx.layout).audit_verify()
    entries = result.get("entries", 0)
    if result.get("ok") is True:
        print(tr("audit.ok", entries=entries))
        return 0
    problem = result.get("problem")
    problem = problem if isinstance(problem, dict) else {}
    reason = problem.get("reason", "?")
    reason_key = f"audit_reason.{reason}"
    print(
        tr(
            "error.prefix",
            message=tr(
                "audit.broken",
                position=clean(problem.get("position", "?")),
                reason=tr.get(reason_key, clean(reason)),
                entries=clean(entries),
            ),
        ),
        file=sys.stderr,
    )
    return EXIT_ERROR


def _verify_file(path: Path, head_text: str | None, tr: Translator) -> int:
    """An exported log checked here, with no node (docs/audit.md; clients.cli.audit_file)."""
    from ..audit_file import check_lines, parse_head

    head = None
    if head_text is not None:
        head = parse_head(head_text)
        if head is None:
            raise UsageError("error.head_format")
    try:
        with path.open(encoding="utf-8", errors="replace", newline="\n") as stream:
            result = check_lines(stream, head)
    except OSError as exc:
        raise CliError("error.file_unreadable", path=path, reason=os_reason(exc)) from None
    if result.ok:
        position, digest = result.head or (0, "")
        print(tr("audit.file_ok", entries=result.entries, position=position, hash=digest))
        return 0
    reason = clean(result.reason)
    message = tr(
        "audit.file_broken",
        path=path,
        position=clean(result.position),
        reason=tr.get(f"audit_reason.{reason}", reason),
        entries=result.entries,
    )
    print(tr("error.prefix", message=message), file=sys.stderr)
    return EXIT_ERROR


def _verify_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--file", metavar=tr("metavar.file"), help=tr("help.audit_file"))
    parser.add_argument("--head", metavar="POSITION:HASH", help=tr("help.audit_head"))


def cmd_audit_export(args: argparse.Namespace, ctx: Context) -> int:
    client = ApiClient.from_home(ctx.layout)
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
        raise CliError("error.write_failed", path=path, reason=os_reason(exc)) from None
    print(ctx.tr("audit.exported", path=written), file=sys.stderr)
    return 0


def _export_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--out", metavar=tr("metavar.file"), help=tr("help.audit_out"))


AUDIT_VERIFY = Command("verify", "help.audit_verify", cmd_audit_verify, _verify_arguments)
AUDIT_EXPORT = Command("export", "help.audit_export", cmd_audit_export, _export_arguments)
