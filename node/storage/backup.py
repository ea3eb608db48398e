"""Backups (docs/operations.md "Backup and restore", docs/protocol.md §20): one encrypted file
holding a node's keyring, key file, configuration and a consistent copy of its database
(contacts, sessions, messages, files, audit log).

    archive = MAGIC (8) || u32 opslimit || u64 memlimit || salt (16) || nonce (24)
              || u64 length of the ciphertext || ciphertext
    key     = Argon2id(passphrase, salt, opslimit, memlimit)              (libsodium pwhash)
    ciphertext = XChaCha20-Poly1305(key, nonce, contents, ad = everything before it)

    contents = u16 count || count x (bytes16 name || u64 size || data)

Every byte is authenticated: a wrong passphrase, an altered byte or a file cut short is refused
before anything is written. The database copy keeps its fields encrypted under the node's own
data key (keyring.json); the backup passphrase protects the whole, keyring included.
"""

from __future__ import annotations

import base64
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import nacl.bindings as sodium
import nacl.exceptions
import nacl.pwhash.argon2id as argon2id
import nacl.utils

from node import system
from node.core.errors import SetupError
from node.paths import HomeLayout, write_private

MAGIC: Final = b"RLVBAK\x00\x01"
OPSLIMIT: Final = argon2id.OPSLIMIT_MODERATE
MEMLIMIT: Final = argon2id.MEMLIMIT_MODERATE
MIN_PASSPHRASE_CHARS: Final = 12
MANIFEST: Final = "manifest.json"
RESTORED_MARKER: Final = "restored.json"  # read and removed by the node's first start
FORMAT: Final = 1
# Contacts send again what they sent since the backup minus this: clocks disagree (§20.5).
CLOCK_MARGIN_SECONDS: Final = 3600.0
_HEADER: Final = struct.Struct(">8sIQ16s24sQ")
_NONCE: Final = 24
# Files of a home that a backup carries, besides the database copy.
HOME_FILES: Final = ("keyring.json", "node.key", "config.toml")
DATABASE: Final = "releve.db"
# A cap on what is read back (a practice's years of messages fit; a stray file does not).
MAX_ARCHIVE_BYTES: Final = 8 * 1024**3


class BackupError(SetupError):
    """A backup that cannot be made or restored; ``code`` says why (the CLI words it)."""


@dataclass(frozen=True)
class Contents:
    files: dict[str, bytes]

    @property
    def manifest(self) -> dict[str, object]:
        try:
            value = json.loads(self.files[MANIFEST])
        except (KeyError, ValueError):
            raise BackupError("the backup has no manifest", "backup_damaged") from None
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            raise BackupError("this backup was made by a newer Relève", "backup_too_new")
        return value

    @property
    def made_at(self) -> float:
        made_at = self.manifest.get("made_at")
        if not isinstance(made_at, (int, float)):
            raise BackupError("the backup has no date", "backup_damaged")
        return float(made_at)


def check_passphrase(passphrase: bytes) -> None:
    if len(passphrase.decode("utf-8", "replace")) < MIN_PASSPHRASE_CHARS:
        raise BackupError(
            f"the backup passphrase must have at least {MIN_PASSPHRASE_CHARS} characters",
            "backup_weak_passphrase",
        )


def _key(passphrase: bytes, salt: bytes, ops: int, mem: int) -> bytes:
    return bytes(argon2id.kdf(32, passphrase, salt, opslimit=ops, memlimit=mem))


def seal(files: dict[str, bytes], passphrase: bytes) -> bytes:
    """The archive of ``files`` under ``passphrase`` (slow on purpose: Argon2id)."""
    check_passphrase(passphrase)
    parts = [struct.pack(">H", len(files))]
    for name, data in files.items():
        encoded = name.encode()
        parts += [struct.pack(">H", len(encoded)), encoded, struct.pack(">Q", len(data)), data]
    contents = b"".join(parts)
    salt, nonce = nacl.utils.random(argon2id.SALTBYTES), nacl.utils.random(_NONCE)
    header = _HEADER.pack(MAGIC, OPSLIMIT, MEMLIMIT, salt, nonce, len(contents) + 16)
    key = _key(passphrase, salt, OPSLIMIT, MEMLIMIT)
    return header + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(contents, header, nonce, key)


def open_archive(data: bytes, passphrase: bytes) -> Contents:
    """The files of an archive; raises BackupError (never anything else) when it is not a
    backup, is cut short, or the passphrase is wrong or a byte was changed."""
    if len(data) < _HEADER.size or not data.startswith(MAGIC):
        raise BackupError("this file is not a Relève backup", "backup_not_a_backup")
    _magic, ops, mem, salt, nonce, length = _HEADER.unpack_from(data)
    header, ciphertext = data[: _HEADER.size], data[_HEADER.size :]
    if len(ciphertext) != length:
        raise BackupError("the backup file is incomplete (cut short)", "backup_truncated")
    if not (1 <= ops <= argon2id.OPSLIMIT_MAX and 8192 <= mem <= 4 * 1024**3):
        raise BackupError("the backup file is damaged", "backup_damaged")
    try:
        key = _key(passphrase, salt, ops, mem)
        contents = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, header, nonce, key)
    except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError, MemoryError):
        raise BackupError(
            "the passphrase is wrong, or the backup file was altered", "backup_wrong_passphrase"
        ) from None
    return Contents(_unpack(contents))


def _unpack(contents: bytes) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    try:
        (count,) = struct.unpack_from(">H", contents)
        at = 2
        for _ in range(count):
            (size,) = struct.unpack_from(">H", contents, at)
            name = contents[at + 2 : at + 2 + size].decode()
            at += 2 + size
            (length,) = struct.unpack_from(">Q", contents, at)
            files[name] = contents[at + 8 : at + 8 + length]
            at += 8 + length
    except (struct.error, UnicodeDecodeError):
        raise BackupError("the backup file is damaged", "backup_damaged") from None
    if at != len(contents) or not set(files) <= {MANIFEST, DATABASE, *HOME_FILES}:
        raise BackupError("the backup file is damaged", "backup_damaged")
    return files


def gather(layout: HomeLayout, database: bytes, made_at: float, node_id: str) -> dict[str, bytes]:
    """What a backup of this home holds: the database copy and the home's files."""
    manifest = {"format": FORMAT, "made_at": made_at, "node_id": node_id}
    files = {MANIFEST: json.dumps(manifest).encode(), DATABASE: database}
    for name in HOME_FILES:
        path = layout.root / name
        if path.exists():
            files[name] = path.read_bytes()
    return files


def restore(layout: HomeLayout, contents: Contents, *, replace: bool = False) -> float:
    """Writes a backup's files into ``layout`` (a new home, or with ``replace`` one whose node
    is stopped) and leaves the marker that makes the node renew its sessions at its first
    start. Returns the backup's time. Checks everything before writing anything."""
    made_at = contents.made_at
    files = contents.files
    if "keyring.json" not in files or DATABASE not in files:
        raise BackupError("the backup file is damaged", "backup_damaged")
    if (layout.keyring.exists() or layout.database.exists()) and not replace:
        raise BackupError(f"a node already lives in {layout.root}", "backup_home_taken")
    try:
        layout.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        # As `releve init` does: 0700 even for a folder that was there already; on Windows
        # the owner-only access list that the files made later in it (node.log, the
        # database's -wal and -shm) inherit, instead of the parent's (ProgramData: Users).
        system.make_private(layout.root, directory=True)
        # An old write-ahead log must never be replayed onto the restored database.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(layout.database) + suffix).unlink(missing_ok=True)
        if "node.key" not in files:
            layout.key_file.unlink(missing_ok=True)
        for name, data in files.items():
            if name != MANIFEST:
                write_private(layout.root / name, data)
        if not layout.api_token.exists():  # this machine's own token, never the old one's
            token = base64.urlsafe_b64encode(nacl.utils.random(32)).rstrip(b"=")
            write_private(layout.api_token, token)
        marker = json.dumps({"backup_at": made_at}).encode()
        write_private(layout.root / RESTORED_MARKER, marker)
    except OSError as exc:
        raise BackupError(
            f"cannot write into {layout.root}: {exc.strerror or exc}", "backup_write_failed"
        ) from None
    return made_at


def take_marker(layout: HomeLayout) -> float | None:
    """The time of the backup this home was restored from, if the node has not yet renewed
    its sessions; None otherwise. The caller removes the marker once renewed."""
    path = layout.root / RESTORED_MARKER
    try:
        value = json.loads(path.read_bytes())
        return float(value["backup_at"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0  # unreadable: renew anyway, and ask every contact for everything


def drop_marker(layout: HomeLayout) -> None:
    (layout.root / RESTORED_MARKER).unlink(missing_ok=True)
