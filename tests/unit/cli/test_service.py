"""`releve service`: the systemd unit (checked by systemd-analyze where it is installed), the
refusals, and what `--print` shows without installing anything (issue #17)."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clients.cli.commands import service
from clients.cli.main import main
from node.paths import HomeLayout
from node.setup import init_home

HARDENING = (
    "NoNewPrivileges=true",
    "ProtectSystem=strict",
    "PrivateTmp=true",
    "Restart=on-failure",
    "LimitNOFILE=4096",
    "KillSignal=SIGINT",
    "UMask=0077",
)


@pytest.fixture(scope="module")
def unattended_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    layout = HomeLayout(tmp_path_factory.mktemp("srv") / "releve")
    init_home(layout, "Cabinet des Tilleuls", "practice", None)
    return layout.root


def test_the_unit_runs_the_node_as_a_dedicated_user_with_hardening() -> None:
    unit = service.systemd_unit(Path("/var/lib/releve"), python="/opt/releve/bin/python")
    lines = unit.splitlines()
    assert "User=releve" in lines
    assert "Environment=RELEVE_HOME=/var/lib/releve" in lines
    assert "ReadWritePaths=/var/lib/releve" in lines
    assert "ProtectHome=true" in lines
    assert all(option in lines for option in HARDENING)
    assert "ExecStart=/opt/releve/bin/python -m clients.cli --home /var/lib/releve node" in lines
    assert not any(line.startswith("LoadCredential") for line in lines)


def test_a_passphrase_is_a_credential_never_in_the_unit(tmp_path: Path) -> None:
    secret = tmp_path / "passphrase"
    unit = service.systemd_unit(
        Path("/srv/cabinet data"), python="/usr/bin/python3", passphrase_file=secret
    )
    assert f"LoadCredential=passphrase:{secret}" in unit.splitlines()
    assert "--passphrase-file ${CREDENTIALS_DIRECTORY}/passphrase" in unit
    assert 'ReadWritePaths="/srv/cabinet data"' in unit
    assert '--home "/srv/cabinet data" node' in unit


def test_a_home_under_home_is_not_hidden_from_the_service() -> None:
    unit = service.systemd_unit(Path("/home/cabinet/releve"), python="/usr/bin/python3")
    assert "ProtectHome=true" not in unit


def test_the_unit_passes_systemd_analyze_verify(unattended_home: Path, tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        if os.environ.get("CI") == "true":  # .ci/run installs it: missing there is a failure
            pytest.fail("systemd-analyze is missing (Debian package systemd)")
        pytest.skip("systemd-analyze absent")
    # User=root: verify looks users up; the dedicated user exists only once installed.
    unit = tmp_path / "releve.service"
    unit.write_text(service.systemd_unit(unattended_home, user="root", python=sys.executable))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if str(unit) in line or "releve.service" in line
    ]
    assert result.returncode == 0, result.stdout + result.stderr
    assert problems == []


def test_print_shows_the_unit_for_the_given_home(
    unattended_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--home", str(unattended_home), "service", "install", "--print"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Written by `releve service install`")
    assert f"ReadWritePaths={unattended_home}" in out
    assert f"{sys.executable} -m clients.cli --home {unattended_home} node" in out


def test_a_passphrase_home_needs_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = HomeLayout(tmp_path / "home")
    init_home(layout, "Dr Martin", "gp", b"correct horse battery staple")
    code = main(["--lang", "en", "--home", str(layout.root), "service", "install", "--print"])
    assert code == 1
    assert "protected by a passphrase" in capsys.readouterr().err
    secret = tmp_path / "secret"
    secret.write_text("correct horse battery staple\n")
    arguments = ["--home", str(layout.root), "service", "install", "--print"]
    assert main([*arguments, "--passphrase-file", str(secret)]) == 0
    assert f"LoadCredential=passphrase:{secret}" in capsys.readouterr().out


def test_no_home_is_said_with_the_command_that_makes_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--home", str(tmp_path / "none"), "service", "install", "--print"])
    assert code == 1
    assert "init --unattended" in capsys.readouterr().err


def test_installing_needs_root(
    unattended_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    code = main(["--lang", "en", "--home", str(unattended_home), "service", "install"])
    assert code == 1
    assert "administrator (root)" in capsys.readouterr().err


def test_status_without_a_unit_says_not_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(service, "UNIT_PATH", tmp_path / "releve.service")
    assert main(["--lang", "en", "service", "status"]) == 3
    assert "not installed" in capsys.readouterr().out
    assert main(["--lang", "fr", "service", "uninstall"]) == 0
    assert "n'est pas installé" in capsys.readouterr().out


# --- macOS: a launchd daemon (tested here on the plist and the commands it would run) --------


def test_the_plist_runs_the_node_at_boot_kept_alive_as_a_dedicated_user() -> None:
    home = Path("/Library/Application Support/releve")
    data = service.launchd_plist(home, python="/opt/releve/bin/python")
    plist = plistlib.loads(data)  # what launchd reads: a valid XML property list
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist')
    assert plist["Label"] == "fr.releve.node"
    assert plist["ProgramArguments"] == [
        "/opt/releve/bin/python",
        "-m",
        "clients.cli",
        "--home",
        str(home),
        "node",
    ]
    assert plist["UserName"] == plist["GroupName"] == "_releve"
    assert plist["EnvironmentVariables"] == {"RELEVE_HOME": str(home)}
    assert plist["WorkingDirectory"] == str(home)
    assert plist["RunAtLoad"] is True
    assert plist["KeepAlive"] == {"SuccessfulExit": False}  # restarted when it fails
    assert plist["ExitTimeOut"] == 30
    assert plist["Umask"] == 0o077
    assert plist["SoftResourceLimits"] == plist["HardResourceLimits"] == {"NumberOfFiles": 4096}
    # The round trip gives the same bytes: nothing plistlib could not represent.
    assert plistlib.dumps(plist, sort_keys=False) == data


def test_the_plist_keeps_a_home_with_spaces_and_a_listen_address_as_single_words() -> None:
    plist = plistlib.loads(
        service.launchd_plist(
            Path("/srv/cabinet data"),
            user="_cabinet",
            python="/usr/bin/python3",
            listen="0.0.0.0:7788",
        )
    )
    assert plist["ProgramArguments"][3:] == [
        "--home",
        "/srv/cabinet data",
        "node",
        "--listen",
        "0.0.0.0:7788",
    ]
    assert plist["UserName"] == "_cabinet"


def test_macos_print_shows_the_plist(
    unattended_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert main(["--home", str(unattended_home), "service", "install", "--print"]) == 0
    plist = plistlib.loads(capsys.readouterr().out.encode())
    assert plist["ProgramArguments"] == [
        sys.executable,
        "-m",
        "clients.cli",
        "--home",
        str(unattended_home),
        "node",
    ]
    assert plist["UserName"] == "_releve"


def test_macos_needs_an_unattended_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """launchd cannot hand a passphrase over: --passphrase-file is for systemd only."""
    layout = HomeLayout(tmp_path / "home")
    init_home(layout, "Dr Martin", "gp", b"correct horse battery staple")
    secret = tmp_path / "secret"
    secret.write_text("correct horse battery staple\n")
    monkeypatch.setattr(sys, "platform", "darwin")
    arguments = ["--lang", "fr", "--home", str(layout.root), "service", "install", "--print"]
    assert main([*arguments, "--passphrase-file", str(secret)]) == 1
    assert "protégé par une phrase secrète" in capsys.readouterr().err


def test_a_free_system_id_is_taken_by_no_account_and_no_group() -> None:
    users = "_www                     70\nroot                     0\n_x    300\n_y 301\n"
    groups = "_www  70\nwheel 0\n_z 302\nnobody -2\n"
    assert service.free_macos_id(users, groups) == 303
    assert service.free_macos_id("", "") == 300


class Recorder:
    """Stands in for the programs the install runs: records each command."""

    def __init__(self, missing_user: bool) -> None:
        self.missing_user = missing_user
        self.commands: list[list[str]] = []

    def __call__(self, arguments: list[str], *, check: bool = True) -> Any:
        self.commands.append(arguments)
        code = 1 if self.missing_user and arguments[:2] == ["id", "-u"] else 0
        listing = "_www 70\n_x 300\n" if arguments[:3] == ["dscl", ".", "-list"] else ""
        return subprocess.CompletedProcess(arguments, code, listing, "")


def test_macos_install_makes_the_account_writes_the_plist_and_bootstraps_it(
    unattended_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr("os.geteuid", lambda: 0)
    plist_path = tmp_path / "fr.releve.node.plist"
    monkeypatch.setattr(service, "PLIST_PATH", plist_path)
    recorder = Recorder(missing_user=True)
    monkeypatch.setattr(service, "_run", recorder)
    assert main(["--lang", "en", "--home", str(unattended_home), "service", "install"]) == 0
    plist = plistlib.loads(plist_path.read_bytes())
    assert plist["UserName"] == "_releve"
    assert plist_path.stat().st_mode & 0o777 == 0o644
    commands = recorder.commands
    assert ["dscl", ".", "-create", "/Users/_releve", "UniqueID", "301"] in commands
    assert ["dscl", ".", "-create", "/Groups/_releve", "PrimaryGroupID", "301"] in commands
    assert ["dscl", ".", "-create", "/Users/_releve", "UserShell", "/usr/bin/false"] in commands
    assert ["dscl", ".", "-create", "/Users/_releve", "IsHidden", "1"] in commands
    assert ["chown", "-R", "_releve:_releve", str(unattended_home)] in commands
    assert commands[-1] == ["launchctl", "bootstrap", "system", str(plist_path)]
    out = capsys.readouterr().out
    assert "System account “_releve” created." in out
    assert "fr.releve.node enabled and started" in out
    # Installed again: the account exists, the running daemon is booted out first.
    recorder = Recorder(missing_user=False)
    monkeypatch.setattr(service, "_run", recorder)
    assert main(["--lang", "en", "--home", str(unattended_home), "service", "install"]) == 0
    assert not any(command[0] == "dscl" for command in recorder.commands)
    bootout = recorder.commands.index(["launchctl", "bootout", "system/fr.releve.node"])
    assert bootout < recorder.commands.index(["launchctl", "bootstrap", "system", str(plist_path)])


def test_macos_status_and_uninstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr("os.geteuid", lambda: 0)
    plist_path = tmp_path / "fr.releve.node.plist"
    monkeypatch.setattr(service, "PLIST_PATH", plist_path)
    assert main(["--lang", "en", "service", "status"]) == 3
    assert "not installed" in capsys.readouterr().out
    plist_path.write_bytes(service.launchd_plist(tmp_path, python="/usr/bin/python3"))
    printed = "system/fr.releve.node = {\n\tactive count = 1\n\tstate = running\n\tpid = 4242\n}\n"

    def launchctl(arguments: list[str], *, check: bool = True) -> Any:
        return subprocess.CompletedProcess(arguments, 0, printed, "")

    monkeypatch.setattr(service, "_run", launchctl)
    assert main(["--lang", "fr", "service", "status"]) == 0
    assert "Service launchd fr.releve.node : running." in capsys.readouterr().out
    assert service.launchd_state("") == "unknown"
    recorder = Recorder(missing_user=False)
    monkeypatch.setattr(service, "_run", recorder)
    assert main(["--lang", "en", "service", "uninstall"]) == 0
    assert recorder.commands == [["launchctl", "bootout", "system/fr.releve.node"]]
    assert not plist_path.exists()
    assert "Service stopped and removed" in capsys.readouterr().out
