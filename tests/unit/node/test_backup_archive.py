"""The backup archive (node/storage/backup.py): what goes in comes out; a wrong passphrase, a
file cut short, a changed byte or another file is refused with its own code, and a restore
that is refused writes nothing."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import nacl.pwhash.argon2id as argon2id
import pytest

from node.paths import HomeLayout
from node.storage import backup

PASSPHRASE = b"une phrase assez longue"


@pytest.fixture(autouse=True)
def quick_argon(monkeypatch: pytest.MonkeyPatch) -> None:
    """The archive records its own limits: the cheapest ones keep these tests fast."""
    monkeypatch.setattr(backup, "OPSLIMIT", argon2id.OPSLIMIT_MIN)
    monkeypatch.setattr(backup, "MEMLIMIT", argon2id.MEMLIMIT_MIN)


def _files() -> dict[str, bytes]:
    manifest = json.dumps({"format": 1, "made_at": 1_790_000_000.5, "node_id": "00"})
    return {
        backup.MANIFEST: manifest.encode(),
        backup.DATABASE: b"SQLite format 3\x00" + bytes(range(256)) * 4,
        "keyring.json": b'{"version": 1}',
        "node.key": bytes(32),
    }


def _code(data: bytes, passphrase: bytes = PASSPHRASE) -> str:
    with pytest.raises(backup.BackupError) as refused:
        backup.open_archive(data, passphrase)
    return refused.value.code


def test_round_trip() -> None:
    archive = backup.seal(_files(), PASSPHRASE)
    contents = backup.open_archive(archive, PASSPHRASE)
    assert contents.files == _files()
    assert contents.made_at == 1_790_000_000.5
    assert PASSPHRASE not in archive
    assert b"SQLite format 3" not in archive


def test_refusals_name_what_is_wrong() -> None:
    archive = backup.seal(_files(), PASSPHRASE)
    assert _code(archive, b"pas la bonne phrase") == "backup_wrong_passphrase"
    assert _code(archive[:-1]) == "backup_truncated"
    assert _code(archive[: len(archive) // 2]) == "backup_truncated"
    assert _code(archive[:10]) == "backup_not_a_backup"
    assert _code(b"hello world" * 10) == "backup_not_a_backup"
    for index in (9, 40, len(archive) // 2, len(archive) - 1):
        altered = bytearray(archive)
        altered[index] ^= 0x01
        assert _code(bytes(altered)) in ("backup_wrong_passphrase", "backup_damaged")
    with pytest.raises(backup.BackupError) as weak:
        backup.seal(_files(), b"court")
    assert weak.value.code == "backup_weak_passphrase"


def test_restore_writes_a_new_home_and_refuses_a_taken_one(tmp_path: Path) -> None:
    layout = HomeLayout(tmp_path / "new")
    contents = backup.open_archive(backup.seal(_files(), PASSPHRASE), PASSPHRASE)
    assert backup.restore(layout, contents) == 1_790_000_000.5
    for name in ("keyring.json", "node.key", "releve.db", "api-token", backup.RESTORED_MARKER):
        path = layout.root / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert layout.database.read_bytes() == _files()[backup.DATABASE]
    assert backup.take_marker(layout) == 1_790_000_000.5
    before = {p.name: p.read_bytes() for p in layout.root.iterdir()}
    with pytest.raises(backup.BackupError) as taken:
        backup.restore(layout, contents)
    assert taken.value.code == "backup_home_taken"
    assert {p.name: p.read_bytes() for p in layout.root.iterdir()} == before
    backup.drop_marker(layout)
    assert backup.take_marker(layout) is None
