"""`releve backup --out FILE` (`releve sauvegarder`) and `releve restore FILE` (`releve
restaurer`): a node's encrypted backup, and a node brought back from one (docs/operations.md,
"Backup and restore"; docs/protocol.md §20).

The backup passphrase is asked twice at the terminal (never echoed), or read from
``--passphrase-file FILE`` for scripts: never an argument, never in a URL, never logged. The
node makes the archive (SQLite's backup API, while it runs) and encrypts it; this command only
writes it, readable by its owner only, without ever replacing another file.

Restoring runs the node's code in-process on a home with no running node; the node's first
start then renews every session (the contacts are told, and send again what they sent since).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..api import ApiClient
from ..command import Command, Context
from ..errors import CliError
from ..files import private_temporary, publish
from ..i18n import Translator, has_key
from ..os_errors import os_reason
from .local_node import (
    _stdin_is_tty,
    normalise_passphrase,
    prompt_passphrase,
    read_passphrase_file,
)

if TYPE_CHECKING:
    from node.paths import HomeLayout

BACKUP_TIMEOUT = 600.0  # Argon2id and the copy of a large database on a slow PC


def _new_backup_passphrase(args: argparse.Namespace, tr: Translator) -> bytes:
    if args.passphrase_file is not None:
        return read_passphrase_file(args.passphrase_file)
    if not _stdin_is_tty():
        raise CliError("backup.passphrase_needed")
    import getpass

    first = getpass.getpass(tr("backup.prompt_new"))
    if not first:
        raise CliError("error.passphrase_empty_prompt")
    if getpass.getpass(tr("backup.prompt_repeat")) != first:
        raise CliError("error.passphrase_mismatch")
    return normalise_passphrase(first.encode("utf-8"))


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    out = Path(args.out).expanduser()
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise CliError("error.dir_missing", path=folder)
    if out.exists():
        raise CliError("backup.exists", path=out)
    client = ApiClient.from_home(ctx.layout)
    passphrase = _new_backup_passphrase(args, tr)
    try:
        text = passphrase.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError("backup.passphrase_not_text") from None
    print(tr("backup.making"))
    try:
        with private_temporary(folder) as (stream, temporary):

            def copy(response: object) -> None:
                read = getattr(response, "read")  # noqa: B009 - an IO[bytes]
                while block := read(1 << 20):
                    stream.write(block)

            client.request(
                "POST",
                "/v1/backup",
                {"passphrase": text},
                reader=copy,
                timeout=BACKUP_TIMEOUT,
            )
            stream.flush()
            os.fsync(stream.fileno())
            target = publish(temporary, folder, out.name, numbering=False)
    except OSError as exc:
        raise CliError("error.write_failed", path=out, reason=os_reason(exc)) from None
    print(tr("backup.done", path=target))
    print(tr("backup.keep_safe"))
    return 0


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    layout, tr = ctx.layout, ctx.tr
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError("backup.unreadable", path=args.file, reason=os_reason(exc)) from None
    if args.passphrase_file is not None:
        passphrase = read_passphrase_file(args.passphrase_file)
    elif _stdin_is_tty():
        passphrase = prompt_passphrase(tr)
    else:
        raise CliError("backup.passphrase_needed")

    from node.core.errors import NodeError  # lazily: the node's code, for this command only
    from node.storage import backup

    if args.replace and layout.api_info.exists() and _node_answers(layout):
        raise CliError("backup.node_running", home=layout.root)
    print(tr("restore.checking"))
    try:
        contents = backup.open_archive(data, passphrase)
        made_at = backup.restore(layout, contents, replace=args.replace)
    except NodeError as exc:
        key = f"backup.{exc.code}"
        raise CliError(key if has_key(key) else "backup.backup_damaged", home=layout.root) from None
    import time

    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(made_at))
    print(tr("restore.done", home=layout.root, when=when))
    print(tr("restore.next"))
    return 0


def _node_answers(layout: HomeLayout) -> bool:
    try:
        ApiClient.from_home(layout).status()
    except CliError:
        return False
    return True


def _backup_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument(
        "--out", required=True, metavar=tr("metavar.file"), help=tr("help.backup_out")
    )
    parser.add_argument(
        "--passphrase-file", metavar=tr("metavar.file"), help=tr("help.backup_passphrase_file")
    )


def _restore_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("file", metavar=tr("metavar.file"), help=tr("help.restore_file"))
    parser.add_argument(
        "--passphrase-file", metavar=tr("metavar.file"), help=tr("help.backup_passphrase_file")
    )
    parser.add_argument("--replace", action="store_true", help=tr("help.restore_replace"))


BACKUP = Command("backup", "help.backup", cmd_backup, _backup_arguments)
SAUVEGARDER = Command("sauvegarder", "help.sauvegarder", cmd_backup, _backup_arguments)
RESTORE = Command("restore", "help.restore", cmd_restore, _restore_arguments)
RESTAURER = Command("restaurer", "help.restaurer", cmd_restore, _restore_arguments)
