"""The node's rings point one way (docs/architecture.md): protocol <- core <- storage and
edges <- app <- daemon. Checked on the source, so that a new import in the wrong direction,
SQL text outside storage or an HTTP framework inside the core fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

NODE = Path(__file__).resolve().parents[3] / "node"
OUTER = ("node.app", "node.daemon", "node.setup", "node.config")
# What each ring may not import (a module or any module under it).
FORBIDDEN = {
    "protocol": ("node.core", "node.storage", "node.edges", *OUTER, "aiohttp", "aiosqlite"),
    "core": ("node.storage", "node.edges", *OUTER, "aiohttp", "aiosqlite", "sqlite3"),
    "storage": ("node.edges", *OUTER, "aiohttp"),
    "edges": ("node.storage", *OUTER, "aiosqlite", "sqlite3"),
}
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b"
)


def _modules(ring: str) -> list[Path]:
    return sorted((NODE / ring).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("ring", sorted(FORBIDDEN))
def test_a_ring_imports_nothing_further_out(ring: str) -> None:
    wrong = [
        f"{path.relative_to(NODE.parent)} imports {name}"
        for path in _modules(ring)
        for name in sorted(_imports(path))
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[ring])
    ]
    assert wrong == []


def test_sql_text_lives_in_storage_only() -> None:
    outside = [
        path
        for path in NODE.rglob("*.py")
        if "storage" not in path.relative_to(NODE).parts
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value)
    ]
    assert outside == []


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from node.storage.store import Store\nimport aiohttp.web\n")
    assert {"node.storage.store", "aiohttp.web"} <= _imports(module)
    assert SQL.search("SELECT a FROM b")
    assert SQL.search("INSERT OR IGNORE INTO t")
