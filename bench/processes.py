"""Server processes the benchmarks start on 127.0.0.1: a relay (or a raw baseline server)
that prints ``... listening on http://HOST:PORT`` once bound."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parents[1]


def start_listening(
    args: list[str], env: Mapping[str, str] = {}
) -> tuple[subprocess.Popen[str], str]:
    """Starts ``python ARGS`` in the repository, without the caller's ``RELEVE_*`` settings
    (the bench sets its own in ``env``); returns the process and the URL it listens on."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RELEVE_")}
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env={**clean, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if " listening on " not in line:
        process.kill()
        process.wait()
        raise RuntimeError(f"{' '.join(args)} did not start: {line!r}")
    return process, line.split()[-1]


def stop(process: subprocess.Popen[str], timeout: float) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds; reaps the process."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def rss(process: subprocess.Popen[str]) -> int:
    """Resident memory of a running process, in bytes."""
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")
