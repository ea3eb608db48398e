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
from ..errors import EXIT_ERROR, CliError
from ..files import private_temporary, publish
from ..i18n import Translator
from ..os_errors import os_reason
from ..text import clean


def cmd_audit_verify(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
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


AUDIT_VERIFY = Command("verify", "help.audit_verify", cmd_audit_verify)
AUDIT_EXPORT = Command("export", "help.audit_export", cmd_audit_export, _export_arguments)
