"""Fixtures of the command-line client's tests: a clean environment, the CLI, a fake node."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from clients.cli.main import main

from .fake_node import FakeNode, FakeServer, write_home


class Result(NamedTuple):
    code: int
    out: str
    err: str


Cli = Callable[..., Result]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """French by default whatever the machine's locale; no home from the environment."""
    for name in ("RELEVE_LANG", "RELEVE_HOME", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Runs `releve ARGS...` in-process; returns the exit code and what was printed."""

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@contextlib.contextmanager
def running_fake_node(home: Path) -> Iterator[FakeNode]:
    """A stand-in local API on 127.0.0.1, and ``home`` pointing at it."""
    node = FakeNode(home)
    server = FakeServer(node)
    server.start()
    try:
        node.url = server.url
        write_home(node.home, server.url)
        yield node
    finally:
        server.stop()


@pytest.fixture
def fake_node(tmp_path: Path) -> Iterator[FakeNode]:
    """A stand-in local API on 127.0.0.1, and a home (tmp_path/home) that points at it."""
    with running_fake_node(tmp_path / "home") as node:
        yield node
