"""`releve service`: the systemd unit (checked by systemd-analyze where it is installed), the
refusals, and what `--print` shows without installing anything (issue #17)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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
