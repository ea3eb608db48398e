"""Secrets at rest: a random data key, wrapped by a passphrase or by a key file.

``keyring.json`` (0600) holds the wrapped data key and the node's identity encrypted under
the data key. The data key also encrypts every secret field of the database (see
:class:`FieldCipher`).

- Passphrase mode: key-encryption key = Argon2id(passphrase, salt) with libsodium's
  "moderate" limits (about 1 s and 256 MiB on a practice PC), so a stolen disk resists
  guessing.
- Unattended mode (headless clinic server): the key-encryption key is the 32 random bytes
  of ``node.key`` (0600) next to the database. Weaker: anyone who copies the whole home folder
  can read the data. Documented in docs/operations.md.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import nacl.bindings as sodium
import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.pwhash.argon2id as argon2id
import nacl.utils

from node import system
from node.core.errors import SetupError
from node.paths import HomeLayout, write_private
from node.protocol import Identity
from node.protocol.errors import CorruptState

KEY_SIZE: Final = 32
NONCE_SIZE: Final = 24
FORMAT_VERSION: Final = 1
OPSLIMIT: Final = argon2id.OPSLIMIT_MODERATE
MEMLIMIT: Final = argon2id.MEMLIMIT_MODERATE
MIN_PASSPHRASE_CHARS: Final = 8

log = logging.getLogger("releve.keystore")


class FieldCipher:
    """XChaCha20-Poly1305 for database fields; ``label`` binds a value to its row and column,
    so that encrypted values cannot be swapped between rows."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encrypt(self, plaintext: bytes, label: bytes) -> bytes:
        nonce = nacl.utils.random(NONCE_SIZE)
        return nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
            plaintext, label, nonce, self._key
        )

    def subkey(self, purpose: bytes) -> bytes:
        """A key for another use of the data key (e.g. sealing the audit log's head): keyed
        BLAKE2b with the purpose as personalisation, as libsodium's crypto_kdf does."""
        person = purpose.ljust(16, b"\0")[:16]
        return nacl.hash.blake2b(
            b"", key=self._key, person=person, encoder=nacl.encoding.RawEncoder
        )

    def decrypt(self, ciphertext: bytes, label: bytes) -> bytes:
        try:
            return bytes(
                sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                    ciphertext[NONCE_SIZE:], label, ciphertext[:NONCE_SIZE], self._key
                )
            )
        except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError):
            raise CorruptState("an encrypted database field does not decrypt") from None


@dataclass(frozen=True)
class Unlocked:
    identity: Identity
    cipher: FieldCipher


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise SetupError("the keyring file is damaged", "keyring_damaged")
    return base64.b64decode(text)


def _kek_from_passphrase(passphrase: bytes, salt: bytes, ops: int, mem: int) -> bytes:
    return bytes(argon2id.kdf(KEY_SIZE, passphrase, salt, opslimit=ops, memlimit=mem))


def create(layout: HomeLayout, identity: Identity, passphrase: bytes | None) -> Unlocked:
    """Writes the keyring (and the key file in unattended mode) for a new home."""
    data_key = nacl.utils.random(KEY_SIZE)
    document: dict[str, Any] = {"version": FORMAT_VERSION}
    if passphrase is None:
        kek = nacl.utils.random(KEY_SIZE)
        write_private(layout.key_file, kek)
        document["mode"] = "keyfile"
    else:
        if len(passphrase.decode("utf-8", "replace")) < MIN_PASSPHRASE_CHARS:
            raise SetupError(
                f"the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters",
                "weak_passphrase",
            )
        salt = nacl.utils.random(argon2id.SALTBYTES)
        kek = _kek_from_passphrase(passphrase, salt, OPSLIMIT, MEMLIMIT)
        document["mode"] = "passphrase"
        document["kdf"] = {
            "algorithm": "argon2id13",
            "opslimit": OPSLIMIT,
            "memlimit": MEMLIMIT,
            "salt": _b64(salt),
        }
    cipher = FieldCipher(data_key)
    document["wrapped_key"] = _b64(FieldCipher(kek).encrypt(data_key, b"releve data key"))
    document["identity"] = _b64(cipher.encrypt(identity.encode(), b"releve identity"))
    write_private(layout.keyring, json.dumps(document, indent=2).encode())
    return Unlocked(identity, cipher)


def mode(layout: HomeLayout) -> str:
    return str(_load(layout).get("mode"))


def _load(layout: HomeLayout) -> dict[str, Any]:
    try:
        document = json.loads(layout.keyring.read_bytes())
    except FileNotFoundError:
        raise SetupError(f"no Relève home at {layout.root}", "home_missing") from None
    except (OSError, ValueError):
        raise SetupError("the keyring file is damaged", "keyring_damaged") from None
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        raise SetupError("the keyring file is damaged or too new", "keyring_damaged")
    return document


def unlock(layout: HomeLayout, passphrase: bytes | None) -> Unlocked:
    """Unwraps the data key; a wrong passphrase changes nothing and says so."""
    document = _load(layout)
    ensure_private(layout)
    try:
        if document.get("mode") == "keyfile":
            kek = layout.key_file.read_bytes()
        elif passphrase is None:
            raise SetupError("this node is protected by a passphrase", "passphrase_required")
        else:
            kdf = document["kdf"]
            kek = _kek_from_passphrase(
                passphrase, _unb64(kdf["salt"]), int(kdf["opslimit"]), int(kdf["memlimit"])
            )
        wrapped, encrypted_identity = document["wrapped_key"], document["identity"]
    except FileNotFoundError:
        raise SetupError("the key file node.key is missing", "key_file_missing") from None
    except (KeyError, TypeError, ValueError):
        raise SetupError("the keyring file is damaged", "keyring_damaged") from None
    try:
        data_key = FieldCipher(kek).decrypt(_unb64(wrapped), b"releve data key")
    except CorruptState:
        code = "wrong_passphrase" if document.get("mode") == "passphrase" else "keyring_damaged"
        raise SetupError("the passphrase is wrong", code) from None
    cipher = FieldCipher(data_key)
    try:
        identity = Identity.decode(cipher.decrypt(_unb64(encrypted_identity), b"releve identity"))
    except CorruptState:
        raise SetupError("the keyring file is damaged", "keyring_damaged") from None
    return Unlocked(identity, cipher)


def replace_identity(layout: HomeLayout, unlocked: Unlocked, identity: Identity) -> Unlocked:
    """Stores a new identity under the same data key (``releve revoke``), atomically."""
    document = _load(layout)
    document["identity"] = _b64(unlocked.cipher.encrypt(identity.encode(), b"releve identity"))
    write_private(layout.keyring, json.dumps(document, indent=2).encode())
    return Unlocked(identity, unlocked.cipher)


def ensure_private(layout: HomeLayout) -> list[str]:
    """Checks that the secret files are the owner's alone (0600, or on Windows an access list
    naming the owner only), puts them right if not, and says what stays wrong (in the log:
    starting anyway is better than no messaging during an outage)."""
    remaining: list[str] = []
    for path in (layout.keyring, layout.key_file):
        try:
            if not path.exists() or not system.private_problems(path):
                continue
            system.make_private(path)
            problems = system.private_problems(path)
        except OSError as exc:
            problems = [exc.strerror or str(exc)]
        if problems:
            remaining.append(f"{path.name}: {'; '.join(problems)}")
            log.warning("%s can be read by others: %s", path, "; ".join(problems))
        else:
            log.warning("%s could be read by others: made private again", path)
    return remaining


def exists(layout: HomeLayout) -> bool:
    return Path(layout.keyring).exists()
