"""The QR code of a printed prescription (docs/protocol.md §19.7; issue #16): base45 per RFC
9285, the codes' texts and their pieces, the signature checked with the key the code carries,
and any change to the code refused."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import Identity, PayloadKind, system_random
from node.protocol.conversation import Meta, Prescription, content_from_json, encode_conversation
from node.protocol.errors import DecryptionFailed, LocalProtocolError, MalformedInput
from node.protocol.prescription_signature import sign_body
from node.protocol.printed import (
    MAX_PARTS,
    PREFIX,
    PrintedPrescription,
    TooLarge,
    base45_decode,
    base45_encode,
)
from tests.unit.protocol.test_protocol_clinical import TODAY, line_json, prescription_json

SIGNER = Identity.generate(system_random)
RECIPIENT = bytes(range(16))
MESSAGE_ID = bytes(range(16, 32))
ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def printed(**changes: object) -> PrintedPrescription:
    content = content_from_json("prescription", prescription_json(**changes), TODAY)
    kind, body = encode_conversation(Meta(), content)
    signed = sign_body(SIGNER, kind, RECIPIENT, MESSAGE_ID, body)
    return PrintedPrescription(kind, SIGNER.public, RECIPIENT, MESSAGE_ID, signed)


def test_base45_matches_rfc_9285_examples() -> None:
    # RFC 9285 §4.3 and §4.4
    assert base45_encode(b"AB") == "BB8"
    assert base45_encode(b"Hello!!") == "%69 VD92EX0"
    assert base45_encode(b"base-45") == "UJCLQE7W581"
    assert base45_decode("QED8WEX0") == b"ietf!"
    for bad in ("GGW", "A", "ab", "BB8A"):  # out of range, lone char, outside the alphabet
        with pytest.raises(MalformedInput):
            base45_decode(bad)


@given(st.binary(max_size=200))
def test_base45_round_trips(data: bytes) -> None:
    assert base45_decode(base45_encode(data)) == data


def test_a_prescription_fits_one_alphanumeric_code_and_verifies() -> None:
    copy = printed()
    texts = copy.qr_texts()
    assert len(texts) == 1
    assert texts[0].startswith(PREFIX + "1/1:")
    assert set(texts[0]) <= ALPHANUMERIC  # the QR code's alphanumeric mode
    again = PrintedPrescription.from_qr_texts(["https://example.org", *texts])
    assert again == copy
    meta, content = again.verify()
    assert isinstance(content, Prescription)
    assert content.prescriber.rpps == "10001234565"
    assert meta == Meta()


def test_a_large_prescription_takes_several_codes_in_any_order() -> None:
    # hexadecimal noise: text that zlib cannot shrink much
    lines = [line_json(dosage=system_random(450).hex(), medicine=f"Med {n}") for n in range(4)]
    copy = printed(lines=lines)
    texts = copy.qr_texts()
    assert 1 < len(texts) <= MAX_PARTS
    assert PrintedPrescription.from_qr_texts(list(reversed(texts))) == copy
    with pytest.raises(MalformedInput):
        PrintedPrescription.from_qr_texts(texts[1:])  # a piece missing


def test_a_body_beyond_six_codes_is_too_large() -> None:
    noise = system_random(40_000)  # does not compress
    with pytest.raises(TooLarge):
        PrintedPrescription(
            PayloadKind.SIGNED_PRESCRIPTION, SIGNER.public, RECIPIENT, MESSAGE_ID, noise
        ).qr_texts()


def _recode(copy: PrintedPrescription, data: bytes) -> list[str]:
    """Texts for raw printed bytes, as a forger would write them (a valid tag)."""
    forged = PrintedPrescription.decode(data)
    assert forged.encode() == data
    return forged.qr_texts()


def test_every_altered_byte_fails_the_check() -> None:
    copy = printed()
    data = copy.encode()
    # every byte after the version and kind: keys, ids, body, signature
    for position in range(2, len(data), 7):
        altered = bytearray(data)
        altered[position] ^= 0x01
        try:
            forged = PrintedPrescription.from_qr_texts(_recode(copy, bytes(altered)))
        except MalformedInput:
            continue  # a key that is not a point, a body that no longer decodes
        with pytest.raises((DecryptionFailed, MalformedInput)):
            forged.verify()


def test_the_name_changed_and_signed_again_by_another_key_verifies_only_for_that_key() -> None:
    other = Identity.generate(system_random)
    content = content_from_json("prescription", prescription_json(), TODAY)
    kind, body = encode_conversation(Meta(), content)
    signed = sign_body(other, kind, RECIPIENT, MESSAGE_ID, body)
    forged = PrintedPrescription(kind, other.public, RECIPIENT, MESSAGE_ID, signed)
    forged.verify()  # valid, but the key is the forger's: only the contact book can tell
    assert forged.signer.node_id != SIGNER.public.node_id
    # the genuine signer's key with the forger's signature does not verify
    with pytest.raises(DecryptionFailed):
        PrintedPrescription(kind, SIGNER.public, RECIPIENT, MESSAGE_ID, signed).verify()


def test_broken_texts_are_malformed_never_a_crash() -> None:
    (text,) = printed().qr_texts()
    tag = text.split(":")[2]
    for bad in (
        [],
        ["RX1:"],
        ["RX1:0/1:" + text[8:]],
        ["RX1:1/7:" + text[8:]],
        ["RX1:1/1:XYZ:AB"],
        [text[:-3]],  # a piece cut short: the tag no longer matches, or zlib fails
        [f"RX1:1/1:{tag}:" + base45_encode(zlib.compress(b"\x02" + bytes(200)))],
        [text, text.replace(tag, "00000000")],
    ):
        with pytest.raises(MalformedInput):
            PrintedPrescription.from_qr_texts(bad)


def test_a_zlib_bomb_is_refused() -> None:
    bomb = zlib.compress(bytes(10_000_000), 9)
    pieces = [bomb[i : i + 1000] for i in range(0, len(bomb), 1000)]
    import hashlib

    tag = hashlib.sha256(bomb).digest()[:4].hex().upper()
    texts = [f"RX1:{i + 1}/{len(pieces)}:{tag}:" + base45_encode(p) for i, p in enumerate(pieces)]
    with pytest.raises(MalformedInput):
        PrintedPrescription.from_qr_texts(texts)


@settings(max_examples=200)
@given(st.lists(st.text(max_size=60), max_size=4))
def test_random_texts_never_crash(texts: list[str]) -> None:
    try:
        PrintedPrescription.from_qr_texts([PREFIX + t for t in texts])
    except MalformedInput:
        pass


def test_only_signed_kinds_are_printed() -> None:
    with pytest.raises(LocalProtocolError):
        PrintedPrescription(PayloadKind.TEXT, SIGNER.public, RECIPIENT, MESSAGE_ID, bytes(100))
