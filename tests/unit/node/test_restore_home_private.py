"""A restored home is private like one made by `releve init` (issue #17): 0700 even when the
folder existed before the restore; on Windows the owner-only access list is set on it, which
the files the node makes later (node.log, the database's -wal and -shm) inherit."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import nacl.pwhash.argon2id as argon2id
import pytest

from node import system
from node.paths import HomeLayout
from node.storage import backup

PASSPHRASE = b"une phrase assez longue"


@pytest.fixture(autouse=True)
def quick_argon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "OPSLIMIT", argon2id.OPSLIMIT_MIN)
    monkeypatch.setattr(backup, "MEMLIMIT", argon2id.MEMLIMIT_MIN)


def _contents() -> backup.Contents:
    manifest = json.dumps({"format": 1, "made_at": 1_790_000_000.5, "node_id": "00"})
    files = {
        backup.MANIFEST: manifest.encode(),
        backup.DATABASE: b"SQLite format 3\x00" + bytes(64),
        "keyring.json": b'{"version": 1}',
        "node.key": bytes(32),
    }
    return backup.open_archive(backup.seal(files, PASSPHRASE), PASSPHRASE)


@pytest.mark.skipif(system.WINDOWS, reason="POSIX modes")
def test_a_folder_made_beforehand_with_an_open_mode_is_closed(tmp_path: Path) -> None:
    layout = HomeLayout(tmp_path / "new")
    layout.root.mkdir(mode=0o755)
    layout.root.chmod(0o755)  # whatever the umask
    backup.restore(layout, _contents())
    assert stat.S_IMODE(layout.root.stat().st_mode) == 0o700
    assert system.private_problems(layout.root) == []


def test_on_windows_the_home_gets_the_owner_only_access_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Windows branch, with icacls recorded: the same command line as `releve init`'s,
    on the folder, before any file is written into it."""
    events: list[tuple[str, object]] = []
    monkeypatch.setattr(system, "WINDOWS", True)
    monkeypatch.setattr(system, "current_user_sid", lambda: "S-1-5-21-1-2-3-1001")
    monkeypatch.setattr(
        system, "run_icacls", lambda arguments: events.append(("icacls", list(arguments)))
    )

    def write_private(path: Path, data: bytes) -> None:
        events.append(("write", path.name))

    monkeypatch.setattr(backup, "write_private", write_private)
    layout = HomeLayout(tmp_path / "new")
    backup.restore(layout, _contents())
    expected = system.icacls_arguments(layout.root, ["S-1-5-21-1-2-3-1001"], directory=True)
    assert "/inheritance:r" in expected
    assert events[0] == ("icacls", expected)
    assert [kind for kind, _ in events].count("icacls") == 1
    assert ("write", "keyring.json") in events
