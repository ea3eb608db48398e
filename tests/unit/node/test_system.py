"""node.system: what differs between Windows, macOS and Linux (issue #17).

Run on Linux: the POSIX paths for real, the Windows ones through their pure parts (the icacls
command line and listing, whoami's answer, the rename retries, signal.signal's hand-over to
the loop). What only a real Windows PC can show is listed in the README's Windows section.
"""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import threading
from pathlib import Path

import pytest

from node import system
from node.paths import HomeLayout, default_home, resolve_home, write_private
from node.setup import init_home
from node.storage import keystore


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_private_file_is_0600_and_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "secret"
    data = bytes(range(256)) * 1000  # LF and CR bytes among them: binary mode
    write_private(target, data)
    assert target.read_bytes() == data
    assert _mode(target) == 0o600
    assert system.private_problems(target) == []
    assert not (tmp_path / "secret.tmp").exists()


def test_a_new_home_is_private(tmp_path: Path) -> None:
    layout = HomeLayout(tmp_path / "home")
    init_home(layout, "Dr Martin", "gp", None)
    assert _mode(layout.root) == 0o700
    for path in (layout.keyring, layout.key_file, layout.config, layout.api_token):
        assert _mode(path) == 0o600, path
    assert len(layout.key_file.read_bytes()) == keystore.KEY_SIZE


def test_unlocking_makes_a_readable_key_file_private_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    layout = HomeLayout(tmp_path / "home")
    init_home(layout, "Dr Martin", "gp", None)
    layout.key_file.chmod(0o644)
    assert system.private_problems(layout.key_file) == ["mode 0644 (expected 0600 or 0700)"]
    keystore.unlock(layout, None)
    assert _mode(layout.key_file) == 0o600
    assert "could be read by others: made private again" in caplog.text


def test_the_linux_home_is_where_it_always_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RELEVE_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert system.user_home() == tmp_path / "data" / "releve"
    assert default_home() == tmp_path / "data" / "releve"
    assert system.legacy_home() == tmp_path / "data" / "releve"
    monkeypatch.setenv("RELEVE_HOME", str(tmp_path / "elsewhere"))
    assert resolve_home(None) == (tmp_path / "elsewhere").resolve()
    assert resolve_home(str(tmp_path / "flag")) == (tmp_path / "flag").resolve()


def test_a_home_made_at_the_old_place_is_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS and Windows homes made before platformdirs lived at the XDG place."""
    monkeypatch.setattr(system, "user_home", lambda: tmp_path / "Application Support" / "releve")
    monkeypatch.setattr(system, "legacy_home", lambda: tmp_path / "old" / "releve")
    assert default_home() == tmp_path / "Application Support" / "releve"  # nothing anywhere
    (tmp_path / "old" / "releve").mkdir(parents=True)
    (tmp_path / "old" / "releve" / "keyring.json").write_text("{}")
    assert default_home() == tmp_path / "old" / "releve"
    (tmp_path / "Application Support" / "releve").mkdir(parents=True)
    assert default_home() == tmp_path / "Application Support" / "releve"


def test_the_service_home_on_linux() -> None:
    assert system.service_home() == Path("/var/lib/releve")
    assert system.in_service_home(Path("/var/lib/releve/node.key"))
    assert not system.in_service_home(Path("/home/someone/.local/share/releve/node.key"))


def test_the_icacls_command_removes_inheritance_and_grants_by_sid() -> None:
    arguments = system.icacls_arguments(
        Path(r"C:\ProgramData\releve"), ["S-1-5-21-1-2-3-1001", system.SID_SYSTEM], directory=True
    )
    assert arguments == [
        "icacls",
        r"C:\ProgramData\releve",
        "/inheritance:r",
        "/grant:r",
        "*S-1-5-21-1-2-3-1001:(OI)(CI)F",
        "/grant:r",
        "*S-1-5-18:(OI)(CI)F",
    ]
    file_arguments = system.icacls_arguments(Path("node.key"), ["S-1-5-18"], directory=False)
    assert file_arguments[-1] == "*S-1-5-18:F"


def test_whoami_gives_the_user_sid() -> None:
    answer = '"pc-cabinet\\dr martin","S-1-5-21-3623811015-3361044348-30300820-1013"\r\n'
    assert system.parse_whoami(answer) == "S-1-5-21-3623811015-3361044348-30300820-1013"
    with pytest.raises(PermissionError):
        system.parse_whoami("ERROR: access denied")


KEY = r"C:\Users\martin\AppData\Local\releve\node.key"


def test_an_icacls_listing_for_the_owner_alone_is_private() -> None:
    listing = f"{KEY} PC-CABINET\\martin:(F)\n\nSuccessfully processed 1 files; Failed 0\n"
    assert system.icacls_problems(listing, Path(KEY), granted=1) == []


def test_an_icacls_listing_with_inherited_or_extra_entries_is_not() -> None:
    pad = " " * len(KEY)
    listing = (
        f"{KEY} PC-CABINET\\martin:(F)\n"
        f"{pad} BUILTIN\\Utilisateurs:(I)(RX)\n"
        f"{pad} AUTORITE NT\\Utilisateurs authentifiés:(I)(M)\n"
        "\n1 fichiers correctement traités ; échec du traitement de 0 fichiers\n"
    )
    problems = system.icacls_problems(listing, Path(KEY), granted=1)
    assert problems[0] == "BUILTIN\\Utilisateurs:(I)(RX): inherited entry"
    assert problems[-1].startswith("3 entries, expected at most 1")


def test_a_rename_held_by_an_antivirus_is_retried() -> None:
    calls: list[tuple[str, str]] = []
    sleeps: list[float] = []

    def busy_twice(source: Path | str, target: Path | str) -> None:
        calls.append((str(source), str(target)))
        if len(calls) <= 2:
            raise PermissionError(13, "The process cannot access the file")

    system.replace_retrying("a.tmp", "a", rename=busy_twice, sleep=sleeps.append)
    assert len(calls) == 3
    assert sleeps == [system.REPLACE_DELAY] * 2


def test_a_rename_that_keeps_failing_fails_in_the_end() -> None:
    def always_busy(source: Path | str, target: Path | str) -> None:
        raise PermissionError(13, "denied")

    with pytest.raises(PermissionError):
        system.replace_retrying(
            "a.tmp", "a", attempts=3, delay=0, rename=always_busy, sleep=lambda _: None
        )


def test_a_missing_source_is_not_retried(tmp_path: Path) -> None:
    sleeps: list[float] = []
    with pytest.raises(FileNotFoundError):
        system.replace_retrying(tmp_path / "none", tmp_path / "x", sleep=sleeps.append)
    assert sleeps == []


def test_the_lock_is_exclusive_until_closed(tmp_path: Path) -> None:
    path = tmp_path / "node.lock"
    first = system.open_private(path, os.O_RDWR | os.O_CREAT)
    second = system.open_private(path, os.O_RDWR | os.O_CREAT)
    try:
        assert system.try_lock(first)
        assert not system.try_lock(second)
        os.close(first)
        assert system.try_lock(second)
    finally:
        os.close(second)


async def test_signal_module_handler_hands_the_stop_to_the_loop() -> None:
    """Windows' way (signal.signal + call_soon_threadsafe), exercised with SIGUSR1 here."""
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    before = signal.getsignal(signal.SIGUSR1)
    restore = system.handle_with_signal_module(loop, stopped.set, [signal.SIGUSR1])
    try:
        os.kill(os.getpid(), signal.SIGUSR1)
        await asyncio.wait_for(stopped.wait(), 5)
    finally:
        restore()
    assert signal.getsignal(signal.SIGUSR1) == before


async def test_stop_signals_outside_the_main_thread_are_left_alone() -> None:
    loop = asyncio.get_running_loop()
    result: list[object] = []
    thread = threading.Thread(
        target=lambda: result.append(system.on_stop_signals(loop, lambda: None)())
    )
    thread.start()
    thread.join(5)
    assert result == [None]


async def test_a_stop_request_from_another_thread_sets_the_event() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    request = system.StopRequest()
    request.bind(loop, stop.set)
    thread = threading.Thread(target=request.request)
    thread.start()
    await asyncio.wait_for(stop.wait(), 5)
    thread.join(5)
    assert request.requested


async def test_a_stop_requested_before_the_daemon_is_ready_is_kept() -> None:
    request = system.StopRequest()
    request.request()
    stop = asyncio.Event()
    request.bind(asyncio.get_running_loop(), stop.set)
    await asyncio.wait_for(stop.wait(), 5)
