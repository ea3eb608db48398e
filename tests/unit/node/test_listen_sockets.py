"""Listening sockets and SO_REUSEADDR on Windows (issue #17).

On Windows, SO_REUSEADDR lets a second socket bind a port another one listens on (which of
the two then gets a connection is undefined): a second node or relay on the same port would
start and take a share of the connections instead of being refused. asyncio leaves it off
there; the node and the relay must not turn it on.
"""

from __future__ import annotations

import ast
import logging
import socket
import time
from pathlib import Path

import pytest
from aiohttp import web

from node import daemon, system
from node.core.errors import SetupError
from node.edges.connections import ConnectionGuard, ConnectionLimits
from node.protocol.admission import RefusalLog

ROOT = Path(__file__).resolve().parents[3]
CHECKED = ("node", "relay", "clients")


def _guard() -> ConnectionGuard:
    limits = ConnectionLimits(8, 4, 10.0, 10.0)
    return ConnectionGuard(limits, RefusalLog(logging.getLogger("tests.listen"), time.monotonic))


async def _reuse_flag_of_a_started_site(windows: bool, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(system, "WINDOWS", windows)
    runner = web.AppRunner(web.Application(), access_log=None)
    await runner.setup()
    try:
        port = await daemon._start_site(runner, "127.0.0.1", 0, _guard())
        listening = [
            sock
            for site in runner.sites
            for sock in getattr(site, "_server").sockets  # noqa: B009 - aiohttp's own field
        ]
        assert [sock.getsockname()[1] for sock in listening] == [port]
        return int(listening[0].getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
    finally:
        await runner.cleanup()


async def test_the_node_listens_without_so_reuseaddr_on_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert daemon.reuse_address() is (not system.WINDOWS)
    assert await _reuse_flag_of_a_started_site(True, monkeypatch) == 0
    # POSIX keeps it: a restarted node binds its port while old connections are in TIME_WAIT.
    assert await _reuse_flag_of_a_started_site(False, monkeypatch) != 0


async def test_a_second_node_on_a_taken_port_is_refused() -> None:
    first = web.AppRunner(web.Application(), access_log=None)
    second = web.AppRunner(web.Application(), access_log=None)
    await first.setup()
    await second.setup()
    try:
        port = await daemon._start_site(first, "127.0.0.1", 0, _guard())
        with pytest.raises(SetupError) as refused:
            await daemon._start_site(second, "127.0.0.1", port, _guard())
        assert refused.value.code == "address_in_use"
    finally:
        await second.cleanup()
        await first.cleanup()


def _reuse_address_true(path: Path) -> list[int]:
    """Lines of calls that pass ``reuse_address=True`` (on every system, Windows included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "reuse_address"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value is True
    ]


def test_no_listening_socket_asks_for_so_reuseaddr_on_every_system() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for package in CHECKED
        for path in sorted((ROOT / package).rglob("*.py"))
        if (lines := _reuse_address_true(path))
    }
    assert found == {}, "reuse_address=True binds shared ports on Windows: " + repr(found)
