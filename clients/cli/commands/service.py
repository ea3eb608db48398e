"""``releve service install | uninstall | status``: the node started with the machine (issue #17).

Linux: a systemd unit (docs/operations.md, "Running as a systemd service") with a dedicated
system user, the hardening a reviewer expects (ProtectSystem=strict with the home as the one
writable path, PrivateTmp, NoNewPrivileges...), Restart=on-failure and LimitNOFILE=4096; the
home's ``node.key`` unlocks it, or a passphrase handed over as a systemd credential
(``--passphrase-file``: LoadCredential=, never in the unit itself). ``--print`` shows the unit
without installing anything.

macOS: a launchd daemon (``/Library/LaunchDaemons/fr.releve.node.plist``) run as a dedicated
hidden system account (``_releve``, made with ``dscl``), started at boot, kept alive (restarted
when it fails), with the same open-file limit and umask; on an unattended home (launchd has no
way to hand a passphrase over). Written with plistlib; ``--print`` shows it.

Windows: the pywin32 service of :mod:`node.winservice` (the ``[windows]`` extra), started
automatically, restarted on failure, on an unattended home whose access list names
LocalSystem and the Administrators.

The home is ``--home`` if given, else the machine-wide one (``/var/lib/releve``,
``/Library/Application Support/releve``, ``C:\\ProgramData\\releve``); create it first with
``releve --home ... init --unattended``.
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
# macOS: system accounts are named with a leading underscore and hidden from the login window.
MACOS_USER: Final = "_releve"
LAUNCHD_LABEL: Final = "fr.releve.node"
PLIST_PATH: Final = Path("/Library/LaunchDaemons") / f"{LAUNCHD_LABEL}.plist"
# Where a new macOS system account's id is looked for (below 500: not a person's account).
MACOS_IDS: Final = range(300, 500)
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
    # Only systemd can hand a passphrase over to a service (a credential); not Windows, macOS.
    if mode != "keyfile" and (passphrase is None or sys.platform in ("win32", "darwin")):
        raise CliError("service.needs_unattended", home=home)
    return home, passphrase


def cmd_install(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    if sys.platform == "win32":
        return _install_windows(args, tr)
    if sys.platform == "darwin":
        return _install_macos(args, tr)
    home, passphrase = _checked_home(args, tr)
    user = args.user or DEFAULT_USER
    unit = systemd_unit(home, user=user, passphrase_file=passphrase, listen=args.listen)
    if args.print:
        print(unit, end="")
        return 0
    if getattr(os, "geteuid", lambda: 0)() != 0:
        raise CliError("service.needs_root")
    if _run(["id", "-u", user], check=False).returncode != 0:
        system_user = ["useradd", "--system", "--home-dir", str(home), "--no-create-home"]
        _run([*system_user, "--shell", "/usr/sbin/nologin", user])
        print(tr("service.user_created", user=user))
    _run(["chown", "-R", f"{user}:", str(home)])
    UNIT_PATH.write_text(unit, encoding="utf-8")
    UNIT_PATH.chmod(0o644)
    print(tr("service.unit_written", path=UNIT_PATH, home=home, user=user))
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
        return _uninstall_macos(args, tr)
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
        return _status_macos(tr)
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


# -- macOS --------------------------------------------------------------------------------
# Tested on Linux (the plist, the commands run); to be tried on a real Mac (README).


def launchd_plist(
    home: Path, *, user: str = MACOS_USER, python: str | None = None, listen: str | None = None
) -> bytes:
    """The LaunchDaemon that runs ``python -m clients.cli --home HOME node`` as ``user``."""
    import plistlib

    command = [python or sys.executable, "-m", "clients.cli", "--home", str(home), "node"]
    if listen:
        command += ["--listen", listen]
    document = {
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": command,
        "UserName": user,
        "GroupName": user,
        "EnvironmentVariables": {"RELEVE_HOME": str(home)},
        "WorkingDirectory": str(home),
        "RunAtLoad": True,
        # Started again when it fails, not after a clean stop: systemd's Restart=on-failure.
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": 5,
        # launchd stops a daemon with SIGTERM (the node's clean stop), SIGKILL after this.
        "ExitTimeOut": 30,
        "Umask": 0o077,
        # Each connection holds a file; the node's budgets fit in 4096 (docs/operations.md).
        "SoftResourceLimits": {"NumberOfFiles": 4096},
        "HardResourceLimits": {"NumberOfFiles": 4096},
        "ProcessType": "Standard",
    }
    return plistlib.dumps(document, fmt=plistlib.FMT_XML, sort_keys=False)


def free_macos_id(users: str, groups: str) -> int:
    """The first id of :data:`MACOS_IDS` that no account and no group has, from the listings
    of ``dscl . -list /Users UniqueID`` and ``dscl . -list /Groups PrimaryGroupID``."""
    taken = set()
    for line in (users + groups).splitlines():
        words = line.split()
        if len(words) >= 2 and words[-1].isdigit():  # "_www  70"
            taken.add(int(words[-1]))
    for candidate in MACOS_IDS:
        if candidate not in taken:
            return candidate
    raise CliError("service.no_free_id", first=MACOS_IDS.start, last=MACOS_IDS.stop - 1)


def macos_account_commands(user: str, ident: int, home: Path) -> list[list[str]]:
    """``dscl`` commands that make ``user`` a hidden system account with a group of its own,
    no password and no shell."""
    group, account = f"/Groups/{user}", f"/Users/{user}"
    return [
        ["dscl", ".", "-create", group],
        ["dscl", ".", "-create", group, "PrimaryGroupID", str(ident)],
        ["dscl", ".", "-create", group, "Password", "*"],
        ["dscl", ".", "-create", account],
        ["dscl", ".", "-create", account, "UniqueID", str(ident)],
        ["dscl", ".", "-create", account, "PrimaryGroupID", str(ident)],
        ["dscl", ".", "-create", account, "UserShell", "/usr/bin/false"],
        ["dscl", ".", "-create", account, "NFSHomeDirectory", str(home)],
        ["dscl", ".", "-create", account, "RealName", "Relève node"],
        ["dscl", ".", "-create", account, "Password", "*"],
        ["dscl", ".", "-create", account, "IsHidden", "1"],
    ]


def _install_macos(args: argparse.Namespace, tr: Translator) -> int:
    home, _ = _checked_home(args, tr)
    user = args.user or MACOS_USER
    python = sys.executable
    plist = launchd_plist(home, user=user, python=python, listen=args.listen)
    if args.print:
        print(plist.decode("utf-8"), end="")
        return 0
    if getattr(os, "geteuid", lambda: 0)() != 0:
        raise CliError("service.needs_root")
    if Path("/Users") in Path(python).parents:
        # A person's folder is closed to other accounts: the service could not start.
        print(tr("service.macos_python_in_users", python=python, user=user))
    if _run(["id", "-u", user], check=False).returncode != 0:
        users = _run(["dscl", ".", "-list", "/Users", "UniqueID"]).stdout
        groups = _run(["dscl", ".", "-list", "/Groups", "PrimaryGroupID"]).stdout
        for command in macos_account_commands(user, free_macos_id(users, groups), home):
            _run(command)
        print(tr("service.user_created", user=user))
    _run(["chown", "-R", f"{user}:{user}", str(home)])
    target = f"system/{LAUNCHD_LABEL}"
    _run(["launchctl", "bootout", target], check=False)  # a previous install, if any
    PLIST_PATH.write_bytes(plist)
    PLIST_PATH.chmod(0o644)
    print(tr("service.unit_written", path=PLIST_PATH, home=home, user=user))
    _run(["launchctl", "enable", target])
    _run(["launchctl", "bootstrap", "system", str(PLIST_PATH)])
    print(tr("service.started", name=LAUNCHD_LABEL))
    return 0


def _uninstall_macos(args: argparse.Namespace, tr: Translator) -> int:
    if not PLIST_PATH.exists():
        print(tr("service.not_installed"))
        return 0
    if getattr(os, "geteuid", lambda: 0)() != 0:
        raise CliError("service.needs_root")
    _run(["launchctl", "bootout", f"system/{LAUNCHD_LABEL}"], check=False)
    PLIST_PATH.unlink()
    print(tr("service.removed", home=service_home(args)))
    return 0


def launchd_state(listing: str) -> str:
    """The ``state = ...`` of ``launchctl print system/LABEL`` ("running", "not running"...)."""
    for line in listing.splitlines():
        name, _, value = line.strip().partition(" = ")
        if name == "state":
            return value.strip()
    return "unknown"


def _status_macos(tr: Translator) -> int:
    if not PLIST_PATH.exists():
        print(tr("service.not_installed"))
        return 3
    printed = _run(["launchctl", "print", f"system/{LAUNCHD_LABEL}"], check=False)
    state = launchd_state(printed.stdout) if printed.returncode == 0 else "not loaded"
    print(tr("service.launchd_state", name=LAUNCHD_LABEL, state=state))
    print(tr("service.launchd_logs_hint", name=LAUNCHD_LABEL))
    return 0 if state == "running" else 3


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
        "--user", default=None, metavar=tr("metavar.user"), help=tr("help.service_user")
    )
    parser.add_argument(
        "--passphrase-file", metavar=tr("metavar.file"), help=tr("help.service_passphrase")
    )
    parser.add_argument("--listen", metavar=tr("metavar.host_port"), help=tr("help.listen"))


INSTALL = Command("install", "help.service_install", cmd_install, _install_arguments)
UNINSTALL = Command("uninstall", "help.service_uninstall", cmd_uninstall)
STATUS = Command("status", "help.service_status", cmd_status)
