"""What differs between Windows, macOS and Linux, in one place (issue #17).

Every other module of the node and of the CLI calls these instead of a POSIX-only function:

- where a home lives: the platform's per-user data folder, or the machine-wide one for a
  service (:func:`user_home`, :func:`service_home`, :func:`legacy_home`);
- private files: 0600/0700 on POSIX; on Windows, where a mode means nothing, an access list
  with inheritance removed that names the user (and, in the machine-wide home, the service
  account and the Administrators): :func:`make_private`, :func:`private_problems`;
- binary file descriptors (:data:`O_BINARY`: Windows' ``os.open`` is in text mode otherwise and
  would turn a LF byte of a 32-byte key into CR LF);
- ``os.replace`` retried for a moment on Windows, where an antivirus or an indexer holding the
  target makes it fail with PermissionError (:func:`replace`);
- the home's lock (:func:`try_lock`: ``fcntl.flock`` or ``msvcrt.locking``);
- the signals that stop the daemon (:func:`on_stop_signals`: ``loop.add_signal_handler`` does
  not exist on Windows' proactor loop) and a stop request a service's control thread can make
  (:class:`StopRequest`).

POSIX-only modules are imported under ``sys.platform`` checks only; tests/unit/test_portable.py
fails otherwise, and `make typecheck` checks this module for win32 and darwin too.

Windows access lists are set with ``icacls`` (present on every Windows since Vista, no extra
package: the node must work with pywin32 absent, it is an optional extra) using well-known SIDs
(``*S-1-5-18``...), which every language of Windows understands. They are checked with pywin32's
``win32security`` when it is installed (exact, by SID), otherwise by reading ``icacls``'s
listing: no inherited entry and no more entries than granted (its names are translated, so
they are not compared).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import asyncio

# Light to import (the CLI loads this module at every start, through node.paths): asyncio,
# subprocess, signal and threading are imported by the functions that use them.

APP: Final = "releve"
WINDOWS: Final = sys.platform == "win32"

if sys.platform == "win32":
    import msvcrt

    O_BINARY: Final[int] = os.O_BINARY
else:
    import fcntl

    O_BINARY: Final[int] = 0

# Well-known SIDs: the same in every language of Windows.
SID_SYSTEM: Final = "S-1-5-18"
SID_ADMINISTRATORS: Final = "S-1-5-32-544"
# How long a Windows rename is retried while another program holds the file.
REPLACE_ATTEMPTS: Final = 20
REPLACE_DELAY: Final = 0.05
ICACLS_TIMEOUT: Final = 30.0


# -- homes --------------------------------------------------------------------------------


def user_home() -> Path:
    """This user's data folder: ``$XDG_DATA_HOME/releve`` (``~/.local/share/releve``) on Linux,
    ``~/Library/Application Support/releve`` on macOS, ``%LOCALAPPDATA%\\releve`` on Windows
    (local, not roaming: keys must not follow the user to other PCs)."""
    import platformdirs  # lazily: `releve --help` does not need it

    return Path(platformdirs.user_data_dir(APP, appauthor=False, roaming=False))


def legacy_home() -> Path:
    """Where homes were made before platformdirs (the XDG rule on every system)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP


def service_home() -> Path:
    """The machine-wide home of a node run as a service: ``/var/lib/releve`` on Linux (as
    docs/operations.md always said), ``C:\\ProgramData\\releve`` on Windows,
    ``/Library/Application Support/releve`` on macOS."""
    if sys.platform.startswith("linux"):
        return Path("/var/lib") / APP
    import platformdirs

    return Path(platformdirs.site_data_dir(APP, appauthor=False))


def in_service_home(path: Path) -> bool:
    try:
        path.resolve().relative_to(service_home().resolve())
    except (ValueError, OSError):
        return False
    return True


# -- private files ------------------------------------------------------------------------


def open_private(path: Path | str, flags: int) -> int:
    """``os.open`` of a file only its owner may read (0600 from creation on POSIX), in binary
    mode on Windows; the access list (Windows) is set by :func:`make_private` afterwards."""
    return os.open(path, flags | O_BINARY, 0o600)


def make_private(path: Path, *, directory: bool = False) -> None:
    """0600 (0700 for a folder) on POSIX; on Windows an access list for the owner alone (see
    :func:`windows_grantees`), inheritance removed, inherited by what a folder holds."""
    if not WINDOWS:
        os.chmod(path, 0o700 if directory else 0o600)
        return
    run_icacls(icacls_arguments(path, windows_grantees(path), directory=directory))


def icacls_arguments(path: Path, sids: Sequence[str], *, directory: bool) -> list[str]:
    """``icacls PATH /inheritance:r /grant:r *SID:(OI)(CI)F ...``: replaces every entry."""
    rights = "(OI)(CI)F" if directory else "F"
    arguments = ["icacls", str(path), "/inheritance:r"]
    for sid in sids:
        arguments += ["/grant:r", f"*{sid}:{rights}"]
    return arguments


def run_icacls(arguments: Sequence[str]) -> str:
    import subprocess

    try:
        done = subprocess.run(  # noqa: S603 - a fixed program, our own arguments
            list(arguments),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=ICACLS_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PermissionError(f"icacls could not run: {exc}") from None
    if done.returncode != 0:
        raise PermissionError(f"icacls failed: {(done.stdout + done.stderr).strip()[:300]}")
    return done.stdout


def windows_grantees(path: Path) -> list[str]:
    """Who may open a private file on Windows: the user running us; in the machine-wide home
    also LocalSystem (the service's account) and the Administrators, who manage the service."""
    sids = [current_user_sid()]
    if in_service_home(path):
        sids += [SID_SYSTEM, SID_ADMINISTRATORS]
    return list(dict.fromkeys(sids))


_user_sid: str | None = None


def current_user_sid() -> str:
    """The SID of the account running us, from ``whoami /user /fo csv /nh`` (CSV: the same in
    every language): ``"DOMAIN\\user","S-1-5-21-..."``."""
    global _user_sid  # one lookup per process
    if _user_sid is None:
        _user_sid = parse_whoami(run_program(["whoami", "/user", "/fo", "csv", "/nh"]))
    return _user_sid


def run_program(arguments: Sequence[str]) -> str:
    import subprocess

    try:
        done = subprocess.run(  # noqa: S603 - a fixed program, our own arguments
            list(arguments), capture_output=True, text=True, timeout=ICACLS_TIMEOUT, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise PermissionError(f"{arguments[0]} could not run: {exc}") from None
    return done.stdout


def parse_whoami(output: str) -> str:
    found = re.search(r"\bS-1-\d+(?:-\d+)+\b", output)
    if found is None:
        raise PermissionError("cannot tell which account runs Relève (whoami)")
    return found.group(0)


def private_problems(path: Path) -> list[str]:
    """What lets someone else than the owner open ``path``; empty when it is private.

    POSIX: any group or other permission bit. Windows: an inherited entry, or an entry for
    someone not in :func:`windows_grantees`."""
    if not WINDOWS:
        mode = path.stat().st_mode & 0o777
        return [f"mode {mode:04o} (expected 0600 or 0700)"] if mode & 0o077 else []
    allowed = set(windows_grantees(path))
    try:
        entries = _acl_by_pywin32(path)
    except ImportError:
        return icacls_problems(run_icacls(["icacls", str(path)]), path, len(allowed))
    return [f"{sid} may open it" for sid, _inherited in entries if sid not in allowed] + [
        f"{sid}: inherited entry" for sid, inherited in entries if inherited
    ]


def _acl_by_pywin32(path: Path) -> list[tuple[str, bool]]:
    """(SID, inherited) for each entry of the file's access list, by pywin32."""
    if sys.platform != "win32":
        raise ImportError("pywin32 exists on Windows only")
    else:  # not code after the raise: mypy --platform linux would read it
        import win32security

        info = win32security.DACL_SECURITY_INFORMATION
        dacl = win32security.GetFileSecurity(str(path), info).GetSecurityDescriptorDacl()
        if dacl is None:  # a NULL DACL: everyone may do anything
            return [("S-1-1-0", False)]
        entries = []
        for index in range(dacl.GetAceCount()):
            (_type, flags), _mask, sid = dacl.GetAce(index)
            text = win32security.ConvertSidToStringSid(sid)
            entries.append((text, bool(flags & win32security.INHERITED_ACE)))
        return entries


def icacls_problems(listing: str, path: Path, granted: int) -> list[str]:
    """Reads ``icacls PATH``'s listing: the path, then one entry a line (``NAME:(flags)``), a
    blank line, then a translated summary. Inherited entries carry ``(I)``."""
    lines = listing.splitlines()
    entries: list[str] = []
    for number, line in enumerate(lines):
        if not line.strip():
            break
        text = line[len(str(path)) :] if number == 0 and line.startswith(str(path)) else line
        entries.append(text.strip())
    problems = [f"{entry}: inherited entry" for entry in entries if "(I)" in entry]
    if len(entries) > granted:
        problems.append(
            f"{len(entries)} entries, expected at most {granted}: " + "; ".join(entries)
        )
    return problems


# -- writing files ------------------------------------------------------------------------


def replace(source: Path | str, target: Path | str) -> None:
    """``os.replace``; on Windows retried for about a second while another program (an
    antivirus, the search indexer) holds ``target`` open, which fails with PermissionError."""
    if not WINDOWS:
        os.replace(source, target)
        return
    replace_retrying(source, target)


def replace_retrying(
    source: Path | str,
    target: Path | str,
    *,
    attempts: int = REPLACE_ATTEMPTS,
    delay: float = REPLACE_DELAY,
    rename: Callable[[Path | str, Path | str], None] = os.replace,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    for attempt in range(attempts):
        try:
            rename(source, target)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            sleep(delay)


# -- the home's lock ----------------------------------------------------------------------


def try_lock(fd: int) -> bool:
    """An exclusive lock on the open file ``fd``, without waiting: False if another process
    holds it. Released when ``fd`` is closed (or the process ends)."""
    if sys.platform == "win32":
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            # One byte at offset 0 (beyond the end of an empty file is allowed on Windows).
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
    else:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
    return True


# -- stopping the daemon ------------------------------------------------------------------


def on_stop_signals(
    loop: asyncio.AbstractEventLoop, stop: Callable[[], None]
) -> Callable[[], None]:
    """Calls ``stop`` in ``loop`` on SIGINT and SIGTERM (POSIX) or SIGINT and SIGBREAK
    (Windows: Ctrl-C, Ctrl-Break); returns what undoes it. Outside the main thread (a Windows
    service runs the node in a thread of its own) there are no signals to take: the service's
    stop request is the way to stop."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    if sys.platform == "win32":
        return handle_with_signal_module(loop, stop, (signal.SIGINT, signal.SIGBREAK))
    signums = (signal.SIGINT, signal.SIGTERM)
    for signum in signums:
        loop.add_signal_handler(signum, stop)

    def restore() -> None:
        for signum in signums:
            loop.remove_signal_handler(signum)

    return restore


def handle_with_signal_module(
    loop: asyncio.AbstractEventLoop, stop: Callable[[], None], signums: Sequence[int]
) -> Callable[[], None]:
    """Windows' way: ``signal.signal``, whose handler runs between two bytecodes of the main
    thread, hands ``stop`` to the loop with ``call_soon_threadsafe`` (which also wakes it)."""
    import signal

    def handler(signum: int, frame: object) -> None:
        del signum, frame
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(stop)

    previous = {signum: signal.signal(signum, handler) for signum in signums}

    def restore() -> None:
        for signum, old in previous.items():
            signal.signal(signum, old)

    return restore


class StopRequest:
    """Asks a running daemon to stop, from any thread (a Windows service's control handler,
    a test): the daemon binds it to its loop and stop event when it starts; a request made
    before that stops the daemon as soon as it is ready."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._requested = False
        self._target: tuple[asyncio.AbstractEventLoop, Callable[[], None]] | None = None

    def bind(self, loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> None:
        with self._lock:
            self._target = (loop, stop)
            requested = self._requested
        if requested:
            loop.call_soon_threadsafe(stop)

    def request(self) -> None:
        with self._lock:
            self._requested = True
            target = self._target
        if target is not None:
            loop, stop = target
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(stop)

    @property
    def requested(self) -> bool:
        return self._requested
