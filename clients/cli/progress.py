"""A progress bar on stderr, and the watch over an attachment's transfer.

On a terminal the bar is redrawn in place; elsewhere (a log, a pipe) a line is written at each
quarter, so that a script's output stays short.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from .api import ApiClient, JsonObject
from .errors import CliError
from .i18n import Translator

WIDTH = 30
POLL_SECONDS = 1.0
# Looked up at each pause, so that tests can replace it.
sleep: Callable[[float], None] = time.sleep
_QUARTERS = (25, 50, 75, 100)


class ProgressBar:
    """``update(done)`` out of ``total``; ``describe(done, total)`` says what the numbers are."""

    def __init__(
        self,
        total: int,
        describe: Callable[[int, int], str],
        stream: TextIO | None = None,
    ) -> None:
        self.total = max(total, 1)
        self.describe = describe
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._shown = -1
        self._drawn = False

    def update(self, done: int) -> None:
        done = min(max(done, 0), self.total)
        percent = done * 100 // self.total
        if self.tty:
            filled = done * WIDTH // self.total
            bar = "#" * filled + "." * (WIDTH - filled)
            self.stream.write(f"\r[{bar}] {percent:3d} % {self.describe(done, self.total)}")
            self.stream.flush()
            self._drawn = True
        elif percent != self._shown and (self._shown < 0 or percent in _QUARTERS):
            self.stream.write(f"{percent} % {self.describe(done, self.total)}\n")
            self.stream.flush()
        self._shown = percent

    def close(self) -> None:
        """Ends the line the bar was drawn on, so that what follows starts on its own."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def attachment_state(message: JsonObject) -> tuple[int, int, bool]:
    """(done, chunks, complete) of a message's attachment, from GET /v1/messages/{id}."""
    attachment: Any = message.get("attachment")
    if not isinstance(attachment, dict):
        raise CliError("error.not_attachment")
    chunks = attachment.get("chunks")
    done = attachment.get("done")
    if not isinstance(chunks, int) or not isinstance(done, int):
        raise CliError("error.bad_response")
    complete = bool(attachment.get("complete")) or (
        message.get("direction") == "out" and done >= chunks
    )
    return done, chunks, complete


def watch_transfer(
    tr: Translator,
    client: ApiClient,
    message_id: str,
    *,
    pause_with: Callable[[float], None] | None = None,
    interval: float | None = None,
) -> JsonObject:
    """Polls the message until its attachment is complete; returns the last state.

    Ctrl-C (KeyboardInterrupt) goes to the caller: the node keeps transferring either way.
    """
    pause = POLL_SECONDS if interval is None else interval
    wait = sleep if pause_with is None else pause_with
    message = client.message(message_id)
    done, chunks, complete = attachment_state(message)
    bar = ProgressBar(chunks, lambda d, n: tr("progress.parts", done=d, total=n))
    try:
        while True:
            bar.update(done)
            if complete:
                return message
            if message.get("status") == "failed":
                raise CliError("error.transfer_failed")
            wait(pause)
            message = client.message(message_id)
            done, chunks, complete = attachment_state(message)
    finally:
        bar.close()
