"""The Windows service's start and stop, without Windows (issue #17).

pywin32's modules are replaced by fakes that record what the service tells the service
manager; the node itself is real: a home made by `releve init --unattended`, run by the
service on a thread of its own (as pythonservice.exe does), stopped by ``SvcStop`` from
another thread, as the service manager does.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node import winservice
from node.paths import HomeLayout
from node.setup import init_home
from node.system import StopRequest

SERVICE_STOP_PENDING = 3
SERVICE_RUNNING = 4
# Bounds on waits for a condition (a thread ended, the node started or stopped): each ends as
# soon as it holds, and is generous for a busy machine (issue 12).
WAIT_SECONDS = 120.0


class FakeServiceFramework:
    def __init__(self, args: Any) -> None:
        self.args = list(args)
        self.reported: list[int] = []

    def ReportServiceStatus(self, status: int, *rest: int) -> None:
        self.reported.append(status)


def _fake_pywin32(options: dict[str, str], events: list[str]) -> dict[str, types.ModuleType]:
    serviceutil = types.ModuleType("win32serviceutil")
    serviceutil.ServiceFramework = FakeServiceFramework  # type: ignore[attr-defined]
    serviceutil.GetServiceCustomOption = lambda name, option: options.get(option)  # type: ignore[attr-defined]
    service = types.ModuleType("win32service")
    service.SERVICE_STOP_PENDING = SERVICE_STOP_PENDING  # type: ignore[attr-defined]
    service.SERVICE_RUNNING = SERVICE_RUNNING  # type: ignore[attr-defined]
    manager = types.ModuleType("servicemanager")
    manager.LogInfoMsg = events.append  # type: ignore[attr-defined]
    return {"win32serviceutil": serviceutil, "win32service": service, "servicemanager": manager}


@pytest.fixture
def with_fake_pywin32(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[types.ModuleType, dict[str, str], list[str]]]:
    options: dict[str, str] = {}
    events: list[str] = []
    for name, module in _fake_pywin32(options, events).items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "node.winservice")
    module = importlib.import_module("node.winservice")
    yield module, options, events
    sys.modules["node.winservice"] = winservice


def test_without_pywin32_there_is_no_service_class() -> None:
    assert not hasattr(winservice, "ReleveService")


def test_the_home_is_the_one_given_at_install_else_the_machine_wide_one() -> None:
    assert winservice.configured_home(lambda name, option: "D:\\Releve") == Path("D:\\Releve")
    assert winservice.configured_home(lambda name, option: None) == Path("/var/lib/releve")
    assert winservice.configured_home() == Path("/var/lib/releve")


def test_the_stop_request_stops_the_runner(tmp_path: Path) -> None:
    seen: list[StopRequest | None] = []

    def run(layout: HomeLayout, *, stop: StopRequest | None = None, **_: object) -> int:
        seen.append(stop)
        assert stop is not None
        deadline = time.monotonic() + WAIT_SECONDS
        while not stop.requested and time.monotonic() < deadline:
            time.sleep(0.01)
        return 0 if stop.requested else 9

    events: list[str] = []
    runner = winservice.ServiceRunner(HomeLayout(tmp_path), events.append, run)
    thread = threading.Thread(target=runner.run)
    thread.start()
    runner.stop()
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive()
    assert seen == [runner.stop_request]
    assert events[-1] == "Relève: the node stopped"


def test_a_home_that_cannot_start_is_said_in_the_event_log(tmp_path: Path) -> None:
    events: list[str] = []
    runner = winservice.ServiceRunner(HomeLayout(tmp_path / "none"), events.append)
    assert runner.run() == 1
    assert "home_missing" in events[-1]


def test_the_service_runs_the_node_and_its_stop_handler_stops_it_cleanly(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    with_fake_pywin32: tuple[types.ModuleType, dict[str, str], list[str]],
) -> None:
    module, options, events = with_fake_pywin32
    layout = HomeLayout(tmp_path / "ProgramData" / "releve")
    init_home(layout, "Cabinet des Tilleuls", "practice", None)
    options["home"] = str(layout.root)
    monkeypatch.setenv("RELEVE_LISTEN", "127.0.0.1:0")

    service = module.ReleveService(["Releve"])
    assert service._svc_name_ == "Releve"
    assert service.runner.layout == layout
    thread = threading.Thread(target=service.SvcDoRun)
    thread.start()
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not layout.api_info.exists():
            assert thread.is_alive(), events
            assert time.monotonic() < deadline, "the node did not start"
            time.sleep(0.05)
    finally:
        service.SvcStop()  # from another thread, as the service manager calls it
        thread.join(WAIT_SECONDS)
    assert not thread.is_alive()
    assert service.reported == [SERVICE_RUNNING, SERVICE_STOP_PENDING]
    assert not layout.api_info.exists()  # removed on a clean stop only
    assert events[-1] == "Relève: the node stopped"
    assert "node stopped" in layout.log.read_text(encoding="utf-8")
