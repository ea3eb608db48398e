"""`releve backup` / `sauvegarder` against a stand-in node, and `releve restore`'s refusals:
the passphrase asked twice (or read from a file), sent in the body only, the archive written
0600 and never over another file; errors worded for people, never a traceback."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from clients.cli.commands import backup as backup_command

from .conftest import Cli
from .fake_node import FakeNode

ARCHIVE = b"RLVBAK\x00\x01" + bytes(range(200))


def tty(monkeypatch: pytest.MonkeyPatch, value: bool) -> None:
    monkeypatch.setattr(backup_command, "_stdin_is_tty", lambda: value)


def test_backup_asks_twice_and_writes_a_private_file(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tty(monkeypatch, True)
    answers = iter(["une longue phrase secrète", "une longue phrase secrète"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    fake_node.answer("POST", "/v1/backup", ARCHIVE)
    out = tmp_path / "cabinet.bak"
    result = cli("--home", str(fake_node.home), "sauvegarder", "--out", str(out))
    assert result.code == 0, result.err
    assert out.read_bytes() == ARCHIVE
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    request = fake_node.to("POST", "/v1/backup")[0]
    assert request.body == {"passphrase": "une longue phrase secrète"}
    assert "phrase" not in request.path
    assert not request.query
    assert "Sauvegarde écrite" in result.out


def test_backup_refusals(
    cli: Cli, fake_node: FakeNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = str(fake_node.home)
    out = tmp_path / "cabinet.bak"
    tty(monkeypatch, False)
    result = cli("--lang", "en", "--home", home, "backup", "--out", str(out))
    assert result.code == 1
    assert "a passphrase is needed" in result.err
    tty(monkeypatch, True)
    answers = iter(["une longue phrase secrète", "une autre phrase"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    result = cli("--lang", "en", "--home", home, "backup", "--out", str(out))
    assert "differ" in result.err
    secret = tmp_path / "secret"
    secret.write_text("court\n")
    fake_node.fail("POST", "/v1/backup", 400, "backup_weak_passphrase", "too short")
    result = cli(
        "--lang",
        "en",
        "--home",
        home,
        "backup",
        "--out",
        str(out),
        "--passphrase-file",
        str(secret),
    )
    assert result.code == 1
    assert "at least 12 characters" in result.err
    assert not out.exists()
    assert not list(tmp_path.glob(".releve-*"))  # no temporary file left behind
    out.write_bytes(b"autre chose")
    result = cli(
        "--lang",
        "en",
        "--home",
        home,
        "backup",
        "--out",
        str(out),
        "--passphrase-file",
        str(secret),
    )
    assert "already exists" in result.err
    assert out.read_bytes() == b"autre chose"


def test_restore_refusals_are_worded(cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("une longue phrase secrète\n")
    not_backup = tmp_path / "notes.txt"
    not_backup.write_text("bonjour")
    home = tmp_path / "home"
    args = ("--lang", "en", "--home", str(home), "restore")
    result = cli(*args, str(not_backup), "--passphrase-file", str(secret))
    assert result.code == 1
    assert "not a Relève backup" in result.err
    result = cli(*args, str(tmp_path / "missing"), "--passphrase-file", str(secret))
    assert result.code == 1
    assert "cannot read" in result.err
    assert not home.exists()
