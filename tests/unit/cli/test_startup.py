"""`releve status` starts fast: it imports neither the daemon nor aiohttp, aiosqlite, PyNaCl."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .fake_node import STATUS, FakeNode

REPO = Path(__file__).resolve().parents[3]
FORBIDDEN_PACKAGES = {"aiohttp", "aiosqlite", "nacl", "qrcode", "png", "asyncio"}
FORBIDDEN_MODULES = {
    "node.daemon",
    "node.setup",
    "node.edges.api.server",
    "node.storage.store",
    "node.core.service",
}


def imported_modules(home: Path, *args: str) -> tuple[int, set[str]]:
    """Runs `python -X importtime -m clients.cli --home HOME ARGS` and lists what it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELEVE_", "PYTHON"))}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "clients.cli", "--home", str(home), *args],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "clients.cli.main" in modules, result.stderr[-2000:]
    return result.returncode, modules


def forbidden(modules: set[str]) -> set[str]:
    return {
        name
        for name in modules
        if name.split(".")[0] in FORBIDDEN_PACKAGES or name in FORBIDDEN_MODULES
    }


def test_status_without_a_node_imports_no_daemon(tmp_path: Path) -> None:
    code, modules = imported_modules(tmp_path, "status")
    assert code == 3
    assert forbidden(modules) == set()


def test_status_against_a_node_imports_no_daemon(fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", STATUS)
    code, modules = imported_modules(fake_node.home, "status")
    assert code == 0
    assert forbidden(modules) == set()
    assert "urllib.request" in modules
