"""``releve service install | uninstall | status``: the node started with the machine (issue #17).

Linux: a systemd unit (docs/operations.md, "Running as a systemd service") with a dedicated
system user, the hardening a reviewer expects (ProtectSystem=strict with the home as the one
writable path, PrivateTmp, NoNewPrivileges...), Restart=on-failure and LimitNOFILE=4096; the
home's ``node.key`` unlocks it, or a passphrase handed over as a systemd credential
(``--passphrase-file``: LoadCredential=, never in the unit itself). ``--print`` shows the unit
without installing anything.

Windows: the pywin32 service of :mod:`node.winservice` (the ``[windows]`` extra), started
automatically, restarted on failure, on an unattended home whose access list names
LocalSystem and the Administrators.

The home is ``--home`` if given, else the machine-wide one (``/var/lib/releve``,
``C:\\ProgramData\\releve``); create it first with ``releve --home ... init --unattended``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..command import Command, Context
from ..errors import CliError
from ..i18n import Translator

if TYPE_CHECKING:
    import subprocess

# Light to import (every command module is loaded at each start): json, shutil and subprocess
# are imported where they are used.

UNIT_NAME: Final = "releve.service"
UNIT_PATH: Final = Path("/etc/systemd/system") / UNIT_NAME
DEFAULT_USER: Final = "releve"
CREDENTIAL: Final = "passphrase"
# Where systemd's home-protecting option would hide the home or the interpreter.
_HOMES: Final = ("/home", "/root", "/run/user")
COMMAND_TIMEOUT: Final = 60.0


def service_home(args: argparse.Namespace) -> Path:
    from node import system

    return Path(args.home).expanduser().resolve() if args.home else system.service_home()


def keyring_mode(home: Path) -> str | None:
    """ "keyfile" (unattended), "passphrase", or None when there is no home there."""
    import json

    try:
        document = json.loads((home / "keyring.json").read_bytes())
    except (OSError, ValueError):
        return None
    mode = document.get("mode") if isinstance(document, dict) else None
    return mode if isinstance(mode, str) else None


def _quote(value: str) -> str:
    """A systemd command-line word: quoted when it holds a space, ``\\`` and ``"`` escaped."""
    if value and not any(c in value for c in ' \t"\\'):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _under_homes(path: Path) -> bool:
    return any(path == Path(h) or Path(h) in path.parents for h in _HOMES)


def systemd_unit(
    home: Path,
    *,
    user: str = DEFAULT_USER,
    python: str | None = None,
    passphrase_file: Path | None = None,
    listen: str | None = None,
) -> str:
    """The unit that runs ``python -m clients.cli --home HOME node`` as ``user``."""
    python = python or sys.executable
    command = [python, "-m", "clients.cli", "--home", str(home), "node"]
    if listen:
        command += ["--listen", listen]
    if passphrase_file is not None:
        # systemd copies the file to a private, in-memory folder readable by the service only.
        command += ["--passphrase-file", f"${{CREDENTIALS_DIRECTORY}}/{CREDENTIAL}"]
    lines = [
        "# Written by `releve service install` (docs/operations.md).",
        "[Unit]",
        "Description=Relève node (secure messaging fallback for clinicians)",
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=simple",
        f"User={user}",
        f"Group={user}",
        f"Environment={_quote('RELEVE_HOME=' + str(home))}",
        "ExecStart=" + " ".join(_quote(word) for word in command),
    ]
    if passphrase_file is not None:
        lines.append(f"LoadCredential={CREDENTIAL}:{passphrase_file}")
    lines += [
        "Restart=on-failure",
        "RestartSec=5",
        "# Ctrl-C's equivalent: the node finishes what is in flight, then stops.",
        "KillSignal=SIGINT",
        "TimeoutStopSec=30",
        "# Each connection holds a file; the node's budgets fit in 4096 (docs/operations.md).",
        "LimitNOFILE=4096",
        "UMask=0077",
        "NoNewPrivileges=true",
        "ProtectSystem=strict",
        f"ReadWritePaths={_quote(str(home))}",
        "PrivateTmp=true",
        "PrivateDevices=true",
        "ProtectKernelTunables=true",
        "ProtectKernelModules=true",
        "ProtectControlGroups=true",
        "RestrictSUIDSGID=true",
        "LockPersonality=true",
    ]
    if not _under_homes(home) and not _under_homes(Path(python)):
        lines.append("ProtectHome=true")
    lines += ["", "[Install]", "WantedBy=multi-user.target", ""]
    return "\n".join(lines)


def _run(arguments: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    import subprocess

    try:
        return subprocess.run(  # noqa: S603 - fixed programs, our own arguments
            arguments, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=check
        )
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or exc.stdout or "").strip()[:300]
        raise CliError(
            "service.command_failed", command=" ".join(arguments), detail=detail
        ) from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CliError(
            "service.command_failed", command=" ".join(arguments), detail=str(exc)
        ) from None


def _which(program: str) -> str | None:
    import shutil

    return shutil.which(program)


def _checked_home(args: argparse.Namespace, tr: Translator) -> tuple[Path, Path | None]:
    home = service_home(args)
    mode = keyring_mode(home)
    if mode is None:
        raise CliError("service.no_home", home=home)
    passphrase = Path(args.passphrase_file).resolve() if args.passphrase_file else None
    if mode != "keyfile" and (passphrase is None or sys.platform == "win32"):
        raise CliError("service.needs_unattended", home=home)
    return home, passphrase


def cmd_install(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    if sys.platform == "win32":
        return _install_windows(args, tr)
    if sys.platform == "darwin":
        raise CliError("service.unsupported")
    home, passphrase = _checked_home(args, tr)
    unit = systemd_unit(home, user=args.user, passphrase_file=passphrase, listen=args.listen)
    if args.print:
        print(unit, end="")
        return 0
    if getattr(os, "geteuid", lambda: 0)() != 0:
        raise CliError("service.needs_root")
    if _run(["id", "-u", args.user], check=False).returncode != 0:
        system_user = ["useradd", "--system", "--home-dir", str(home), "--no-create-home"]
        _run([*system_user, "--shell", "/usr/sbin/nologin", args.user])
        print(tr("service.user_created", user=args.user))
    _run(["chown", "-R", f"{args.user}:", str(home)])
    UNIT_PATH.write_text(unit, encoding="utf-8")
    UNIT_PATH.chmod(0o644)
    print(tr("service.unit_written", path=UNIT_PATH, home=home, user=args.user))
    if _which("systemctl") is None:
        print(tr("service.no_systemctl"))
        return 0
    _run(["systemctl", "daemon-reload"])
    _run(["systemctl", "enable", "--now", UNIT_NAME])
    print(tr("service.started", name=UNIT_NAME))
    return 0


def cmd_uninstall(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    if sys.platform == "win32":
        return _uninstall_windows(tr)
    if sys.platform == "darwin":
        raise CliError("service.unsupported")
    if not UNIT_PATH.exists():
        print(tr("service.not_installed"))
        return 0
    if getattr(os, "geteuid", lambda: 0)() != 0:
        raise CliError("service.needs_root")
    if _which("systemctl") is not None:
        _run(["systemctl", "disable", "--now", UNIT_NAME], check=False)
    UNIT_PATH.unlink()
    if _which("systemctl") is not None:
        _run(["systemctl", "daemon-reload"], check=False)
    print(tr("service.removed", home=service_home(args)))
    return 0


def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    if sys.platform == "win32":
        return _status_windows(tr)
    if sys.platform == "darwin":
        raise CliError("service.unsupported")
    if not UNIT_PATH.exists():
        print(tr("service.not_installed"))
        return 3
    if _which("systemctl") is None:
        print(tr("service.unit_only", path=UNIT_PATH))
        return 0
    enabled = _run(["systemctl", "is-enabled", UNIT_NAME], check=False).stdout.strip()
    active = _run(["systemctl", "is-active", UNIT_NAME], check=False).stdout.strip()
    print(tr("service.systemd_state", name=UNIT_NAME, enabled=enabled, active=active))
    print(tr("service.logs_hint"))
    return 0 if active == "active" else 3


# -- Windows ------------------------------------------------------------------------------
# Checked by mypy --platform win32 (make typecheck); to be tried on a real Windows PC (README).


def _pywin32() -> None:
    try:
        import win32serviceutil  # noqa: F401
    except ImportError:
        raise CliError("service.needs_pywin32") from None


def _install_windows(args: argparse.Namespace, tr: Translator) -> int:
    from node import system, winservice

    home, _ = _checked_home(args, tr)
    if args.print:
        print(tr("service.windows_plan", name=winservice.SERVICE_NAME, home=home))
        return 0
    _pywin32()
    if sys.platform == "win32":
        import win32service
        import win32serviceutil

        # LocalSystem runs the service; the Administrators manage it; the home's access list
        # says so (the files in it inherit it; the secret ones get it again explicitly).
        grantees = [system.current_user_sid(), system.SID_SYSTEM, system.SID_ADMINISTRATORS]
        system.run_icacls(system.icacls_arguments(home, grantees, directory=True))
        for path in home.iterdir():
            if path.is_file():
                system.run_icacls(system.icacls_arguments(path, grantees, directory=False))
        win32serviceutil.InstallService(
            winservice.CLASS_STRING,
            winservice.SERVICE_NAME,
            winservice.DISPLAY_NAME,
            startType=win32service.SERVICE_AUTO_START,
            description=winservice.DESCRIPTION,
        )
        win32serviceutil.SetServiceCustomOption(
            winservice.SERVICE_NAME, winservice.HOME_OPTION, str(home)
        )
        # Restarted 5 s after a failure, like systemd's Restart=on-failure.
        failure = ["sc.exe", "failure", winservice.SERVICE_NAME, "reset=", "86400"]
        _run([*failure, "actions=", "restart/5000/restart/5000/restart/5000"], check=False)
        win32serviceutil.StartService(winservice.SERVICE_NAME)
    print(tr("service.windows_installed", name=winservice.SERVICE_NAME, home=home))
    return 0


def _uninstall_windows(tr: Translator) -> int:
    from node import winservice

    _pywin32()
    if sys.platform == "win32":
        import win32serviceutil

        try:
            win32serviceutil.StopService(winservice.SERVICE_NAME)
        except Exception:  # noqa: S110 - already stopped
            pass
        win32serviceutil.RemoveService(winservice.SERVICE_NAME)
    print(tr("service.windows_removed", name=winservice.SERVICE_NAME))
    return 0


# SERVICE_STOPPED ... SERVICE_PAUSED (winsvc.h)
_WINDOWS_STATES: Final = {
    1: "stopped",
    2: "starting",
    3: "stopping",
    4: "running",
    5: "resuming",
    6: "pausing",
    7: "paused",
}


def _status_windows(tr: Translator) -> int:
    from node import winservice

    _pywin32()
    state = "unknown"
    if sys.platform == "win32":
        import win32serviceutil

        try:
            code = win32serviceutil.QueryServiceStatus(winservice.SERVICE_NAME)[1]
        except Exception:
            print(tr("service.not_installed"))
            return 3
        state = _WINDOWS_STATES.get(int(code), str(code))
    print(tr("service.windows_state", name=winservice.SERVICE_NAME, state=state))
    return 0 if state == "running" else 3


def _install_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--print", action="store_true", help=tr("help.service_print"))
    parser.add_argument(
        "--user", default=DEFAULT_USER, metavar=tr("metavar.user"), help=tr("help.service_user")
    )
    parser.add_argument(
        "--passphrase-file", metavar=tr("metavar.file"), help=tr("help.service_passphrase")
    )
    parser.add_argument("--listen", metavar=tr("metavar.host_port"), help=tr("help.listen"))


INSTALL = Command("install", "help.service_install", cmd_install, _install_arguments)
UNINSTALL = Command("uninstall", "help.service_uninstall", cmd_uninstall)
STATUS = Command("status", "help.service_status", cmd_status)
