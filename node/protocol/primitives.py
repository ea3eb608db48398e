"""The libsodium primitives the protocol composes, called through PyNaCl (docs/protocol.md §3).

This module is the only one that calls PyNaCl. Randomness is always a parameter
(:data:`RandomSource`) so that the core stays deterministic under test; production passes
:func:`system_random` (the operating system's, through PyNaCl).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Final

import nacl.bindings as sodium
import nacl.exceptions
import nacl.utils

from .errors import DecryptionFailed, LocalProtocolError, MalformedInput

_blake2b: Final = hashlib.blake2b
_hmac_digest: Final = hmac.digest

RandomSource = Callable[[int], bytes]

KEY_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64
SEAL_OVERHEAD: Final = 48  # ephemeral public key (32) + Poly1305 tag (16)
AEAD_TAG_SIZE: Final = 16
AEAD_NONCE_SIZE: Final = 24


def system_random(n: int) -> bytes:
    """Cryptographically secure randomness: the operating system's (PyNaCl's
    ``nacl.utils.random`` is ``os.urandom``)."""
    return nacl.utils.random(n)


def _random_exact(rand: RandomSource, n: int) -> bytes:
    data = rand(n)
    if len(data) != n:
        raise LocalProtocolError("random source returned the wrong length")
    return data


# --- X25519 --------------------------------------------------------------------------


def x25519_private(rand: RandomSource) -> bytes:
    return _random_exact(rand, KEY_SIZE)


def x25519_public(private: bytes) -> bytes:
    return bytes(sodium.crypto_scalarmult_base(private))


def x25519(private: bytes, public: bytes) -> bytes:
    """Diffie-Hellman; a peer key of low order (all-zero output) is a remote error."""
    if len(public) != KEY_SIZE:
        raise MalformedInput("X25519 public key: wrong length")
    try:
        return bytes(sodium.crypto_scalarmult(private, public))
    except nacl.exceptions.CryptoError:
        raise MalformedInput("X25519 public key: low-order point") from None


# --- Ed25519 -------------------------------------------------------------------------


def ed25519_keypair(seed: bytes) -> tuple[bytes, bytes]:
    """Returns (public key, libsodium secret key) from a 32-byte seed."""
    public, secret = sodium.crypto_sign_seed_keypair(seed)
    return bytes(public), bytes(secret)


def ed25519_sign(secret: bytes, message: bytes) -> bytes:
    return bytes(sodium.crypto_sign(message, secret)[:SIGNATURE_SIZE])


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> None:
    if len(signature) != SIGNATURE_SIZE or len(public) != KEY_SIZE:
        raise DecryptionFailed("signature: wrong length")
    try:
        sodium.crypto_sign_open(signature + message, public)
    except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError):
        raise DecryptionFailed("signature does not verify") from None


# --- AEAD: XChaCha20-Poly1305 (IETF) --------------------------------------------------


def aead_encrypt(key: bytes, nonce: bytes, plaintext: bytes, ad: bytes) -> bytes:
    return bytes(sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, nonce, key))


def aead_decrypt(key: bytes, nonce: bytes, ciphertext: bytes, ad: bytes) -> bytes:
    try:
        return bytes(sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, ad, nonce, key))
    except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError):
        raise DecryptionFailed("message authentication failed") from None


# --- Sealed boxes (libsodium crypto_box_seal) -----------------------------------------


def seal(recipient_public: bytes, plaintext: bytes, rand: RandomSource) -> bytes:
    """libsodium's sealed box with the ephemeral key drawn from ``rand``.

    Byte-for-byte the published construction (ephemeral pk || crypto_box(m, nonce, pk, esk)
    with nonce = BLAKE2b-192(epk || pk)), so ``crypto_box_seal_open`` opens it; building it
    from ``crypto_box`` lets known-answer vectors fix the ephemeral key.
    """
    ephemeral_private = x25519_private(rand)
    ephemeral_public = x25519_public(ephemeral_private)
    nonce = _blake2b(ephemeral_public + recipient_public, digest_size=24).digest()
    try:
        # crypto_box_easy writes tag || ciphertext, the bytes crypto_box gives after its
        # 16 zero bytes, without PyNaCl copying the message behind 32 zero bytes first.
        boxed = sodium.crypto_box_easy(plaintext, nonce, recipient_public, ephemeral_private)
    except nacl.exceptions.CryptoError:
        raise MalformedInput("recipient public key: low-order point") from None
    return ephemeral_public + boxed


def seal_open(public: bytes, private: bytes, sealed: bytes) -> bytes:
    if len(sealed) < SEAL_OVERHEAD:
        raise MalformedInput("sealed box: truncated")
    try:
        return bytes(sodium.crypto_box_seal_open(sealed, public, private))
    except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError):
        raise DecryptionFailed("sealed box does not open with this key") from None


# --- Hashing and padding ---------------------------------------------------------------


def blake2b(data: bytes, size: int = 32, person: bytes = b"") -> bytes:
    """BLAKE2b (RFC 7693) with a personalisation string; the standard library's is the same
    function as libsodium's ``crypto_generichash_blake2b_salt_personal`` and ten times
    cheaper to call from Python (a test compares both)."""
    return _blake2b(data, digest_size=size, person=person).digest()


def pad(data: bytes, block: int) -> bytes:
    """ISO/IEC 7816-4 padding to the next multiple of ``block`` (always at least one byte):
    the bytes libsodium's ``sodium_pad`` writes, without its per-call overhead (a test
    compares both)."""
    return b"".join((data, b"\x80", bytes(-(len(data) + 1) % block)))


def unpad(data: bytes, block: int) -> bytes:
    """Inverse of :func:`pad`. It runs on authenticated plaintext only, so it need not be
    constant-time."""
    # The last 0x80 byte followed only by zero bytes (``rstrip(b"\0")`` would test each byte
    # with a memchr call: 8 µs for a 4 KiB bucket; rfind and endswith scan in C).
    end = data.rfind(0x80)
    if not data or len(data) % block or end < 0 or not data.endswith(bytes(len(data) - end - 1)):
        raise MalformedInput("padding is invalid")
    return data[:end]


def hmac_sha256(key: bytes, data: bytes) -> bytes:
    return _hmac_digest(key, data, "sha256")


def constant_time_equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
