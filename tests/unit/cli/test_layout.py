"""The CLI's modules import one another without a cycle, counting the imports made inside
functions (for start-up speed) too: none of them hides a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "clients" / "cli"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return "clients." + ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports, wherever in the module it does."""
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            target = ".".join([*base, *([node.module] if node.module else [])])
            for candidate in [target, *(f"{target}.{alias.name}" for alias in node.names)]:
                if candidate in paths and candidate != name:
                    graph[name].add(candidate)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        path.append(name)
        for imported in sorted(graph[name]):
            if state.get(imported) == "open":
                found.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported, path)
        path.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    return found


def test_the_scan_sees_the_package() -> None:
    graph = import_graph()
    assert "clients.cli.display" in graph["clients.cli.commands.status"]
    assert "clients.cli.demo" in graph["clients.cli.commands.demo"]  # imported in a function


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []
