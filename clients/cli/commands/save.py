"""``releve save MESSAGE_ID DIR``: a received attachment written to disk, safely.

The name comes from the sender, so it is made safe (:func:`files.safe_file_name`); the bytes are
checked again here against the size and SHA-256 the node announced, so that a file cut short on
the way from the node is never left on disk; the file appears whole, readable by its owner only,
and never replaces another one.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ..api import ApiClient
from ..arguments import message_id_argument
from ..command import Command, Context
from ..errors import EXIT_INTERRUPTED, CliError
from ..files import human_size, private_temporary, publish, safe_file_name
from ..i18n import Translator
from ..message_ids import resolve_message_id
from ..os_errors import os_reason
from ..progress import ProgressBar
from ..text import clean

# Below this, saving is too quick for a bar to mean anything.
PROGRESS_FROM = 4 * 1024 * 1024


def cmd_save(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    folder = Path(args.dir)
    if not folder.is_dir():
        raise CliError("error.dir_missing", path=folder)
    client = ApiClient.from_home(ctx.layout)
    message_id = resolve_message_id(client, args.message_id)
    message = client.message(message_id)
    attachment: Any = message.get("attachment")
    if message.get("kind") != "attachment" or not isinstance(attachment, dict):
        raise CliError("error.not_attachment")
    original = str(attachment.get("file_name") or "")
    media_type = attachment.get("media_type")
    name = safe_file_name(original, media_type if isinstance(media_type, str) else None)
    size = attachment.get("size")
    expected = str(attachment.get("sha256") or "").lower()
    bar = None
    if isinstance(size, int) and size >= PROGRESS_FROM:
        bar = ProgressBar(size, lambda d, n: f"{human_size(tr, d)} / {human_size(tr, n)}")
    import hashlib  # loads OpenSSL: for this command only, not at every start

    digest = hashlib.sha256()
    try:
        with private_temporary(folder) as (stream, temporary):

            def write(block: bytes) -> None:
                digest.update(block)
                stream.write(block)

            try:
                written = client.download_file(
                    message_id, write, None if bar is None else bar.update
                )
            except KeyboardInterrupt:
                if bar is not None:
                    bar.close()
                print(tr("progress.download_interrupted"))
                return EXIT_INTERRUPTED
            if bar is not None:
                bar.close()
            if (isinstance(size, int) and written != size) or digest.hexdigest() != expected:
                raise CliError("error.file_mismatch")
            stream.flush()
            os.fsync(stream.fileno())
            target = publish(temporary, folder, name)
    except OSError as exc:
        raise CliError("error.write_failed", path=folder / name, reason=os_reason(exc)) from None
    client.record_saved(message_id)
    print(tr("save.done", path=target))
    if name != original:
        print(tr("save.renamed", original=clean(original)))
    return 0


def _arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    message_id_argument(parser, tr)
    parser.add_argument("dir", metavar=tr("metavar.folder"), help=tr("help.save_dir"))


SAVE = Command("save", "help.save", cmd_save, _arguments)
