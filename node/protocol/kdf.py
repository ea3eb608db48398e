"""Key derivation for pairing and the Double Ratchet (docs/protocol.md §4).

HKDF-SHA256 (RFC 5869) over the standard library's HMAC, as Signal's Double Ratchet
specification recommends (§5.2): it is the KDF every other implementation has, its RFC
ships test vectors (tests check them), and the chain step is a single HMAC call.
"""

from __future__ import annotations

import hmac
from typing import Final

from .primitives import AEAD_NONCE_SIZE, KEY_SIZE

# HMAC-SHA256 (primitives.hmac_sha256) called directly: the chain step runs twice per
# message on each side.
_hmac_digest: Final = hmac.digest

_HASH_LEN: Final = 32
_ZERO_SALT: Final = bytes(_HASH_LEN)

INFO_PAIRING: Final = b"Releve pairing v1"
INFO_ROOT: Final = b"Releve ratchet root v1"
_ZERO_NONCE: Final = bytes(AEAD_NONCE_SIZE)


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    """HKDF-Extract then HKDF-Expand (RFC 5869 §2.2, §2.3)."""
    if length > 255 * _HASH_LEN:
        raise ValueError("HKDF output too long")
    prk = _hmac_digest(salt or _ZERO_SALT, ikm, "sha256")
    blocks: list[bytes] = []
    previous = b""
    for counter in range(1, -(-length // _HASH_LEN) + 1):
        previous = _hmac_digest(prk, previous + info + bytes((counter,)), "sha256")
        blocks.append(previous)
    return b"".join(blocks)[:length]


def kdf_rk(root_key: bytes, dh_output: bytes) -> tuple[bytes, bytes]:
    """KDF_RK: (new root key, new chain key) from the root key (salt) and a DH output."""
    out = hkdf_sha256(dh_output, root_key, INFO_ROOT, 2 * KEY_SIZE)
    return out[:KEY_SIZE], out[KEY_SIZE:]


def kdf_ck(chain_key: bytes) -> tuple[bytes, bytes]:
    """KDF_CK: (next chain key, message key), HMAC with constants 0x02 and 0x01."""
    return _hmac_digest(chain_key, b"\x02", "sha256"), _hmac_digest(chain_key, b"\x01", "sha256")


def message_key_material(message_key: bytes) -> tuple[bytes, bytes]:
    """The AEAD key and nonce for one message key: the key itself and an all-zero nonce.

    A message key encrypts exactly one message, so a constant nonce is safe; Signal's
    specification (§5.2) lists "fixed to a constant" among the ways to handle an AEAD nonce.
    An HKDF step here would cost three HMACs per message on each side for no security gain.
    """
    return message_key, _ZERO_NONCE


def pairing_keys(dh_outputs: bytes, secret: bytes) -> tuple[bytes, bytes]:
    """X3DH-style: (shared root key, confirmation key) from the DH outputs and the secret."""
    ikm = b"\xff" * KEY_SIZE + dh_outputs + secret
    out = hkdf_sha256(ikm, _ZERO_SALT, INFO_PAIRING, 2 * KEY_SIZE)
    return out[:KEY_SIZE], out[KEY_SIZE:]
