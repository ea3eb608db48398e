"""The node, the relay and the CLI import no POSIX-only module outside a guarded branch
(issue #17).

Checked on the source (AST): an ``import fcntl`` (or resource, termios, pwd, grp, posix...)
is allowed only under ``if sys.platform != "win32":`` (or ``== "win32"``'s else branch), or
in a ``try`` whose handlers catch ImportError. Anything else would stop the node, the relay
or the CLI from starting on Windows.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("node", "clients", "relay")
POSIX_ONLY = frozenset(
    {"fcntl", "resource", "termios", "tty", "pty", "pwd", "grp", "posix", "syslog", "crypt"}
)
# With pywin32's modules: an optional extra, on Windows only.
WINDOWS_ONLY = frozenset(
    {"msvcrt", "winreg", "winsound", "_winapi", "nt", "pywintypes", "servicemanager"}
    | {"win32api", "win32event", "win32security", "win32service", "win32serviceutil"}
)


def _platform_test(test: ast.expr) -> tuple[str, bool] | None:
    """``sys.platform == "win32"`` -> ("win32", True); ``!=`` -> ("win32", False);
    ``sys.platform.startswith("linux")`` -> ("linux", True)."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq | ast.NotEq)
        and ast.unparse(test.left) == "sys.platform"
        and isinstance(test.comparators[0], ast.Constant)
        and isinstance(test.comparators[0].value, str)
    ):
        return test.comparators[0].value, isinstance(test.ops[0], ast.Eq)
    if (
        isinstance(test, ast.Call)
        and ast.unparse(test.func) == "sys.platform.startswith"
        and test.args
        and isinstance(test.args[0], ast.Constant)
        and isinstance(test.args[0].value, str)
    ):
        return test.args[0].value, True
    return None


def _branches(platform: str, equal: bool) -> tuple[str, str]:
    """Where the body and the else branch of a platform test run: "posix", "win32" or "any"."""
    if platform == "win32":
        return ("win32", "posix") if equal else ("posix", "win32")
    return ("posix", "any") if equal else ("any", "posix")


def _catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(
            name is not None and ast.unparse(name) in ("ImportError", "ModuleNotFoundError")
            for name in names
        ):
            return True
    return False


def unguarded_imports(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) of each POSIX-only or Windows-only import outside a guarded branch."""

    def visit(node: ast.AST, posix: bool, windows: bool) -> Iterator[tuple[int, str]]:
        # posix / windows: we are in a branch that runs on POSIX only / on Windows only.
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if not node.level
                else []
            )
            for name in names:
                top = name.split(".")[0]
                if (top in POSIX_ONLY and not posix) or (top in WINDOWS_ONLY and not windows):
                    yield node.lineno, name
            return
        if isinstance(node, ast.If):
            test = _platform_test(node.test)
            if test is not None:
                taken, other = _branches(*test)
                for child in node.body:
                    yield from visit(child, posix or taken == "posix", windows or taken == "win32")
                for child in node.orelse:
                    yield from visit(child, posix or other == "posix", windows or other == "win32")
                return
        if isinstance(node, ast.Try) and _catches_import_error(node):
            for child in node.body:
                yield from visit(child, True, True)
            rest: list[ast.AST] = [*node.handlers, *node.orelse, *node.finalbody]
            for part in rest:
                yield from visit(part, posix, windows)
            return
        for inner in ast.iter_child_nodes(node):
            yield from visit(inner, posix, windows)

    yield from visit(ast.parse(source), False, False)


def _modules() -> list[Path]:
    return sorted(path for folder in CHECKED for path in (ROOT / folder).rglob("*.py"))


def test_no_platform_only_import_outside_a_guarded_branch() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in _modules()
        for line, name in unguarded_imports(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        "import fcntl\n",
        "from resource import getrlimit\n",
        "def f():\n    import termios\n",
        "import sys\nif sys.platform == 'win32':\n    import pwd\n",
        "import sys\nif sys.platform != 'win32':\n    pass\nelse:\n    import grp\n",
        "try:\n    import fcntl\nexcept OSError:\n    pass\n",
        "import msvcrt\n",
        "import sys\nif sys.platform != 'win32':\n    import winreg\n",
    ],
)
def test_the_check_sees_an_unguarded_import(source: str) -> None:
    assert list(unguarded_imports(source)), source


@pytest.mark.parametrize(
    "source",
    [
        "import sys\nif sys.platform != 'win32':\n    import fcntl\n",
        "import sys\nif sys.platform == 'win32':\n    import msvcrt\nelse:\n    import fcntl\n",
        "import sys\nif sys.platform.startswith('linux'):\n    import pwd\n",
        "try:\n    import resource\nexcept ImportError:\n    resource = None\n",
        "def f():\n    if sys.platform != 'win32':\n        import grp\n",
        "from . import posix_helpers\n",
    ],
)
def test_the_check_accepts_a_guarded_import(source: str) -> None:
    assert list(unguarded_imports(source)) == [], source
