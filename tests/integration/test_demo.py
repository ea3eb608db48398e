"""`releve demo` end to end: real init, two real nodes, a real invitation, receipts, clean-up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.nodes import wait_for

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.integration


def demo_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELEVE_")}
    env["TMPDIR"] = str(tmp_path)  # the demo's temporary folder goes here, to be checked
    return env


def processes_mentioning(path: Path) -> list[int]:
    """Processes whose command line names ``path`` (the demo's nodes carry --home inside it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(path).encode() in cmdline and b"--home" in cmdline:
            found.append(int(entry.name))
    return found


def test_demo_runs_and_cleans_up(tmp_path: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "clients.cli", "--lang", "en", "demo"],
        cwd=REPO,
        env=demo_env(tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert time.monotonic() - started < 60
    out = result.stdout
    assert "Dr Camille Martin → Pharmacie du Port" in out
    assert "patient fictif" in out
    assert "Status at Dr Camille Martin: delivered at" in out
    assert "Status at Dr Camille Martin: read at" in out
    assert "receives the reply" in out
    assert list(tmp_path.iterdir()) == []
    assert processes_mentioning(tmp_path) == []


@pytest.mark.parametrize(
    ("phase", "signum"),
    [
        ("1.", signal.SIGINT),  # while the homes are being created
        ("2.", signal.SIGINT),  # while the nodes start
        ("2.", signal.SIGTERM),
    ],
)
def test_demo_interrupted_stops_its_nodes(tmp_path: Path, phase: str, signum: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "clients.cli", "--lang", "en", "demo"],
        cwd=REPO,
        env=demo_env(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(phase):
                break
        # A child with --home in the demo's folder is running: the phase is under way.
        wait_for(lambda: processes_mentioning(tmp_path), 30, "the demo's child processes", 0.01)
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "Demonstration interrupted." in err
    assert list(tmp_path.iterdir()) == []
    assert processes_mentioning(tmp_path) == []
