"""The protocol core stays sans-I/O: it imports no asyncio, aiohttp, aiosqlite, socket,
time or os (docs/architecture.md, the rings; node/protocol/__init__.py)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

FORBIDDEN = frozenset({"asyncio", "aiohttp", "aiosqlite", "socket", "time", "os"})
ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "node" / "protocol"
SOURCES = sorted(PACKAGE.glob("*.py"))

# Runs in a fresh interpreter: whatever the interpreter preloads (site imports os, for
# instance) is in `before`; only what importing node.protocol adds is checked.
PROBE = """
import json, sys
before = set(sys.modules)
import node.protocol
added = sorted(set(sys.modules) - before)
print(json.dumps({"added": added, "loaded": "node.protocol" in sys.modules}))
"""


def test_importing_the_package_loads_no_io_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    report = json.loads(result.stdout)
    assert report["loaded"]
    assert "node.protocol.session" in report["added"]  # the probe really imported it
    offending = [name for name in report["added"] if name.split(".")[0] in FORBIDDEN]
    assert offending == []


def imported_modules(source: Path) -> set[str]:
    """Top-level names of every module an import statement in ``source`` names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), str(source))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module is not None:
                names.add(node.module.split(".")[0])
            # `from . import x` and `from x import y`: the imported names themselves
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Name) and node.id == "__import__":
            names.add("__import__")  # a dynamic import would dodge this check
    return names


MODULES = [
    "__init__",
    "errors",
    "wire",
    "primitives",
    "kdf",
    "identity",
    "profile",
    "reachability",
    "invitation",
    "payload",
    "ratchet",
    "envelope",
    "session",
    "pairing",
    "kinds",
    "validation",
    "identifiers",
    "patient",
    "handoff",
    "prescription",
    "attachment",
    "conversation",
    "relay_wire",
    "admission",
    "characters",
]


def test_the_static_check_sees_every_module() -> None:
    assert {f"{name}.py" for name in MODULES} <= {path.name for path in SOURCES}


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_no_import_statement_names_an_io_module(source: Path) -> None:
    names = imported_modules(source)
    assert names.isdisjoint(FORBIDDEN | {"importlib", "__import__"}), names


def test_the_static_check_catches_forbidden_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os.path\nfrom time import monotonic\nfrom . import socket\n")
    assert imported_modules(sample) >= {"os", "time", "socket"}
