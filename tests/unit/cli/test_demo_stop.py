"""How the demo starts and stops its children (issue #17): a session of its own and SIGINT on
POSIX; on Windows a process group of its own and Ctrl-Break (which the node and the relay
take as SIGBREAK, their clean stop), ``terminate()`` only when Ctrl-Break cannot be sent.
The Windows choice is checked here on any system with a stand-in process; the POSIX one on a
real child."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest

from clients.cli import demo


class Recorded:
    """A stand-in for a Popen: what was asked of it, and what send_signal raises."""

    def __init__(self, raises: BaseException | None = None) -> None:
        self.raises = raises
        self.calls: list[tuple[str, Any]] = []

    def send_signal(self, signum: int) -> None:
        self.calls.append(("send_signal", signum))
        if self.raises is not None:
            raise self.raises

    def terminate(self) -> None:
        self.calls.append(("terminate", None))


def stop(process: Recorded, windows: bool) -> list[tuple[str, Any]]:
    demo.request_stop(cast("subprocess.Popen[bytes]", process), windows=windows)
    return process.calls


def test_windows_children_get_a_process_group_of_their_own() -> None:
    options = demo.child_options(windows=True)
    assert options.creationflags == 0x00000200  # CREATE_NEW_PROCESS_GROUP (winbase.h)
    assert not options.start_new_session


def test_posix_children_get_a_session_of_their_own() -> None:
    assert demo.child_options(windows=False) == demo.ChildOptions(True, 0)


def test_windows_stop_is_ctrl_break_not_terminate() -> None:
    assert stop(Recorded(), windows=True) == [("send_signal", 1)]  # CTRL_BREAK_EVENT (wincon.h)


def test_windows_stop_falls_back_to_terminate_without_a_console() -> None:
    # GenerateConsoleCtrlEvent fails when the demo has no console to share with its children.
    calls = stop(Recorded(OSError(6, "The handle is invalid")), windows=True)
    assert calls == [("send_signal", 1), ("terminate", None)]


def test_a_child_already_gone_is_left_alone() -> None:
    calls = stop(Recorded(ProcessLookupError()), windows=True)
    assert calls == [("send_signal", 1)]


def test_posix_stop_is_sigint() -> None:
    assert stop(Recorded(), windows=False) == [("send_signal", signal.SIGINT)]


@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX branch, on a real child")
def test_posix_child_stops_cleanly_on_request(tmp_path: Path) -> None:
    """A real child started as the demo starts its nodes, stopped as the demo stops them: it
    runs its clean-up (as a node does on SIGINT), in its own session."""
    done = tmp_path / "stopped cleanly"
    child = (
        "import sys, time\n"
        "try:\n"
        "    print('ready', flush=True)\n"  # inside the try: SIGINT may come right after
        "    time.sleep(60)\n"
        "except KeyboardInterrupt:\n"
        f"    open({str(done)!r}, 'w').close()\n"
        "    sys.exit(0)\n"
    )
    options = demo.CHILD
    assert options == demo.child_options(windows=False)
    process = subprocess.Popen(
        [sys.executable, "-c", child],
        stdout=subprocess.PIPE,
        start_new_session=options.start_new_session,
        creationflags=options.creationflags,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"
        demo.request_stop(process)
        assert process.wait(timeout=60) == 0
        assert done.exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_ctrl_break_interrupts_the_demo_on_windows() -> None:
    """Ctrl-Break in the console reaches the demo too: it must stop its children and delete
    its folder then, as on Ctrl-C, not end at once."""
    assert demo.interrupt_signals(windows=True) == (signal.SIGINT, signal.SIGTERM, 21)
    assert demo.interrupt_signals(windows=False) == (signal.SIGINT, signal.SIGTERM)
    if sys.platform == "win32":
        assert demo.SIGBREAK == signal.SIGBREAK


@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX signals, in this process")
def test_the_demo_takes_the_signals_it_names_and_gives_them_back() -> None:
    before = {signum: signal.getsignal(signum) for signum in demo.interrupt_signals()}
    interrupts = demo._Interrupts()
    interrupts.install()
    try:
        for signum in demo.interrupt_signals():
            assert signal.getsignal(signum) == interrupts._handle
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGTERM)
    finally:
        interrupts.restore()
    assert {signum: signal.getsignal(signum) for signum in before} == before
