"""KDF: HKDF-SHA256 against RFC 5869 appendix A, test cases 1 to 3 (docs/protocol.md §4)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from node.protocol import kdf

# (IKM, salt, info, L, OKM), copied from RFC 5869 appendix A.1, A.2 and A.3.
RFC5869_CASES = [
    pytest.param(
        bytes.fromhex("0b" * 22),
        bytes.fromhex("000102030405060708090a0b0c"),
        bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"),
        42,
        bytes.fromhex(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        ),
        id="A.1 basic",
    ),
    pytest.param(
        bytes(range(0x00, 0x50)),
        bytes(range(0x60, 0xB0)),
        bytes(range(0xB0, 0x100)),
        82,
        bytes.fromhex(
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
            "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
            "cc30c58179ec3e87c14c01d5c1f3434f1d87"
        ),
        id="A.2 longer inputs",
    ),
    pytest.param(
        bytes.fromhex("0b" * 22),
        b"",
        b"",
        42,
        bytes.fromhex(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
        ),
        id="A.3 zero-length salt and info",
    ),
]


@pytest.mark.parametrize(("ikm", "salt", "info", "length", "okm"), RFC5869_CASES)
def test_hkdf_sha256_matches_rfc5869(
    ikm: bytes, salt: bytes, info: bytes, length: int, okm: bytes
) -> None:
    assert kdf.hkdf_sha256(ikm, salt, info, length) == okm


def test_hkdf_refuses_more_than_255_blocks() -> None:
    assert len(kdf.hkdf_sha256(b"k", b"", b"", 255 * 32)) == 255 * 32
    with pytest.raises(ValueError, match="too long"):
        kdf.hkdf_sha256(b"k", b"", b"", 255 * 32 + 1)


def test_chain_step_is_hmac_with_constants_two_and_one() -> None:
    # Signal's Double Ratchet specification §5.2: next chain key = HMAC(ck, 0x02),
    # message key = HMAC(ck, 0x01).
    chain_key = bytes(range(32))
    next_chain, message_key = kdf.kdf_ck(chain_key)
    assert next_chain == hmac.new(chain_key, b"\x02", hashlib.sha256).digest()
    assert message_key == hmac.new(chain_key, b"\x01", hashlib.sha256).digest()
    assert next_chain != message_key


def test_root_step_is_hkdf_salted_by_the_root_key() -> None:
    root, dh = bytes(32), bytes(range(32))
    new_root, chain = kdf.kdf_rk(root, dh)
    assert new_root + chain == kdf.hkdf_sha256(dh, root, kdf.INFO_ROOT, 64)
    assert kdf.kdf_rk(new_root, dh) != (new_root, chain)  # the root key moves forward


def test_message_key_material_is_the_key_and_a_zero_nonce() -> None:
    message_key = bytes(range(32))
    assert kdf.message_key_material(message_key) == (message_key, bytes(24))
