"""Known-answer tests: the vectors in tests/vectors/*.json, recomputed with the current code.

The JSON files are the contract (another implementation can replay them); this test only
reads them. If one fails after a change, the change altered the wire format or the key
schedule: revert it, or version the protocol and regenerate on purpose
(tests/vectors/generate.py). Two anchors do not depend on our own files at all: RFC 7748's
X25519 vector and PyNaCl's own ``SealedBox`` opening our sealed boxes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

import nacl.public
import pytest

from node.protocol import (
    ContactCard,
    Endpoint,
    EndpointKind,
    Identity,
    Invitation,
    Payload,
    PayloadKind,
    PendingInvitation,
    Profile,
    RatchetMessage,
    Reachability,
    Role,
    SealedAnswer,
    Session,
    accept,
    complete,
    format_node_id,
    kdf,
    open_packet,
    primitives,
    safety_number,
)
from node.protocol.attachment import AttachmentManifest, Chunk
from node.protocol.conversation import decode_conversation, encode_conversation
from node.protocol.errors import DecryptionFailed
from node.protocol.identity import PublicIdentity
from node.protocol.prescription_signature import signed_bytes, verify_body
from node.protocol.wire import Reader, Writer

VECTORS: Final = Path(__file__).resolve().parents[2] / "vectors"
JSON = Mapping[str, Any]


@cache
def load(name: str) -> JSON:
    with (VECTORS / name).open(encoding="utf-8") as file:
        data: JSON = json.load(file)
    return data


def h(text: str) -> bytes:
    return bytes.fromhex(text)


class ReplayRandom:
    """The vectors' RandomSource: returns the stored stream's bytes in order, and checks
    that the code asks for exactly the documented sizes and consumes the whole stream."""

    def __init__(self, record: JSON) -> None:
        self._stream = h(record["stream"])
        self._expected_calls = [int(n) for n in record["calls"]]
        self._pos = 0
        self.calls: list[int] = []

    def __call__(self, n: int) -> bytes:
        if self._pos + n > len(self._stream):
            raise AssertionError(f"asked for {n} random bytes beyond the vector's stream")
        chunk = self._stream[self._pos : self._pos + n]
        self._pos += n
        self.calls.append(n)
        return chunk

    def assert_consumed(self) -> None:
        assert self.calls == self._expected_calls
        assert self._pos == len(self._stream)


def identity_from(data: JSON) -> Identity:
    identity = Identity(h(data["signing_seed"]), h(data["dh_private"]))
    assert identity.public.signing_key == h(data["signing_key"])
    assert identity.public.dh_key == h(data["dh_key"])
    assert identity.public.node_id == h(data["node_id"])
    assert format_node_id(identity.public.node_id) == data["node_id_text"]
    return identity


def profile_from(data: JSON) -> Profile:
    assert Role(data["role"]).name == data["role_name"]
    return Profile(data["name"], Role(data["role"]))


def reachability_from(data: JSON) -> Reachability:
    endpoints = []
    for endpoint in data["endpoints"]:
        kind = EndpointKind(endpoint["kind"])
        assert kind.name == endpoint["kind_name"]
        endpoints.append(Endpoint(kind, endpoint["host"], endpoint["port"]))
    return Reachability(tuple(endpoints), h(data["mailbox_id"]), h(data["deposit_capability"]))


def assert_payload(payload: Payload, expected: JSON) -> None:
    assert payload.message_id == h(expected["message_id"])
    assert payload.seq == expected["seq"]
    assert payload.kind == PayloadKind(expected["kind"])
    assert payload.kind.name == expected["kind_name"]
    assert payload.sent_at_ms == expected["sent_at_ms"]
    assert payload.body == h(expected["body"])
    assert payload.encode() == h(expected["encoding"])
    assert Payload.decode(h(expected["encoding"])) == payload


def assert_state(session: Session, expected_hex: str) -> None:
    expected = h(expected_hex)
    assert session.encode() == expected
    assert Session.decode(expected).encode() == expected


# --- Independent anchors ------------------------------------------------------------------

# RFC 7748 §6.1 (Curve25519 Diffie-Hellman).
RFC7748_ALICE_PRIVATE: Final = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
RFC7748_ALICE_PUBLIC: Final = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
RFC7748_BOB_PRIVATE: Final = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
RFC7748_BOB_PUBLIC: Final = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
RFC7748_SHARED: Final = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"


def test_x25519_rfc7748() -> None:
    alice, bob = h(RFC7748_ALICE_PRIVATE), h(RFC7748_BOB_PRIVATE)
    assert primitives.x25519_public(alice) == h(RFC7748_ALICE_PUBLIC)
    assert primitives.x25519_public(bob) == h(RFC7748_BOB_PUBLIC)
    assert primitives.x25519(alice, h(RFC7748_BOB_PUBLIC)) == h(RFC7748_SHARED)
    assert primitives.x25519(bob, h(RFC7748_ALICE_PUBLIC)) == h(RFC7748_SHARED)


# RFC 5869 appendix A.1 (basic case) and A.3 (empty salt and info).
@pytest.mark.parametrize(
    ("ikm", "salt", "info", "length", "okm"),
    [
        (
            "0b" * 22,
            "000102030405060708090a0b0c",
            "f0f1f2f3f4f5f6f7f8f9",
            42,
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        ),
        (
            "0b" * 22,
            "",
            "",
            42,
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
        ),
    ],
    ids=["A.1", "A.3"],
)
def test_hkdf_rfc5869(ikm: str, salt: str, info: str, length: int, okm: str) -> None:
    assert kdf.hkdf_sha256(h(ikm), h(salt), h(info), length) == h(okm)


def test_seal_is_libsodium_sealed_box() -> None:
    """Our deterministic sealed box opens with libsodium's crypto_box_seal_open (through
    PyNaCl's SealedBox), and libsodium's own sealed boxes open with ours."""
    recipient = nacl.public.PrivateKey(hashlib.sha256(b"sealed box recipient").digest())
    recipient_public = bytes(recipient.public_key)
    message = "Résultats INR : 2,4 — à transmettre au Dr Martin.".encode()
    ephemeral = hashlib.sha256(b"sealed box ephemeral").digest()

    sealed = primitives.seal(recipient_public, message, lambda n: ephemeral[:n])
    assert len(sealed) == len(message) + primitives.SEAL_OVERHEAD
    assert sealed[:32] == primitives.x25519_public(ephemeral)
    assert nacl.public.SealedBox(recipient).decrypt(sealed) == message

    theirs = nacl.public.SealedBox(recipient.public_key).encrypt(message)
    assert primitives.seal_open(recipient_public, bytes(recipient), theirs) == message


# --- kdf_chain.json -----------------------------------------------------------------------


def test_kdf_constants() -> None:
    constants = load("kdf_chain.json")["constants"]
    assert h(constants["INFO_PAIRING"]) == kdf.INFO_PAIRING
    assert h(constants["INFO_ROOT"]) == kdf.INFO_ROOT
    assert set(constants) == {"INFO_PAIRING", "INFO_ROOT"}


@pytest.mark.parametrize("case", load("kdf_chain.json")["hkdf_sha256"], ids=lambda c: c["comment"])
def test_hkdf_vectors(case: JSON) -> None:
    okm = kdf.hkdf_sha256(h(case["ikm"]), h(case["salt"]), h(case["info"]), case["length"])
    assert okm == h(case["okm"])


def test_kdf_rk_vector() -> None:
    case = load("kdf_chain.json")["kdf_rk"]
    root_key, chain_key = kdf.kdf_rk(h(case["root_key"]), h(case["dh_output"]))
    assert root_key == h(case["new_root_key"])
    assert chain_key == h(case["chain_key"])


def test_kdf_ck_chain_vector() -> None:
    steps = load("kdf_chain.json")["kdf_ck_chain"]
    assert len(steps) == 5
    chain_key = h(steps[0]["chain_key"])
    for index, step in enumerate(steps):
        assert step["index"] == index
        assert chain_key == h(step["chain_key"])
        next_chain, message_key = kdf.kdf_ck(chain_key)
        assert message_key == h(step["message_key"])
        assert next_chain == h(step["next_chain_key"])
        # The definition in the file, with the standard library only.
        assert message_key == hmac.digest(chain_key, b"\x01", hashlib.sha256)
        assert next_chain == hmac.digest(chain_key, b"\x02", hashlib.sha256)
        assert kdf.message_key_material(message_key) == (h(step["aead_key"]), h(step["aead_nonce"]))
        chain_key = next_chain


def test_pairing_keys_vector() -> None:
    case = load("kdf_chain.json")["pairing_keys"]
    root_key, confirmation_key = kdf.pairing_keys(h(case["dh_outputs"]), h(case["secret"]))
    assert root_key == h(case["root_key"])
    assert confirmation_key == h(case["confirmation_key"])


# --- invitation.json ----------------------------------------------------------------------


def test_invitation_vector() -> None:
    vector = load("invitation.json")
    given, expected = vector["input"], vector["expected"]
    identity = identity_from(given["identity"])
    profile = profile_from(given["profile"])
    reachability = reachability_from(given["reachability"])
    rand = ReplayRandom(given["rand"])

    pending = PendingInvitation.create(
        identity, profile, reachability, given["now"], rand, ttl_seconds=given["ttl_seconds"]
    )
    rand.assert_consumed()
    invitation = pending.invitation
    assert pending.one_time_private == h(expected["one_time_private"])
    assert invitation.one_time_key == h(expected["one_time_key"])
    assert invitation.secret == h(expected["secret"])
    assert invitation.expires_at == expected["expires_at"]
    assert invitation.inviter.node_id == h(expected["node_id"])
    assert format_node_id(invitation.inviter.node_id) == expected["node_id_text"]
    assert invitation.tag == h(expected["tag"])
    assert invitation.encode() == h(expected["encoding"])
    assert invitation.to_text() == expected["text"]
    assert pending.encode() == h(expected["pending_encoding"])

    # Decoding gives the inputs back.
    for decoded in (
        Invitation.decode(h(expected["encoding"])),
        Invitation.from_text(expected["text"]),
    ):
        assert decoded == invitation
        assert decoded.inviter == identity.public
        assert decoded.profile == profile
        assert decoded.reachability == reachability
    assert PendingInvitation.decode(h(expected["pending_encoding"])) == pending


# --- pairing.json -------------------------------------------------------------------------


def test_pairing_vector() -> None:
    vector = load("pairing.json")
    inviter_in, acceptor_in = vector["input"]["inviter"], vector["input"]["acceptor"]
    expected = vector["expected"]
    inviter = identity_from(inviter_in["identity"])
    acceptor = identity_from(acceptor_in["identity"])
    card = ContactCard(
        profile_from(acceptor_in["card"]["profile"]),
        reachability_from(acceptor_in["card"]["reachability"]),
    )

    rand_create = ReplayRandom(inviter_in["rand_create"])
    pending = PendingInvitation.create(
        inviter,
        profile_from(inviter_in["profile"]),
        reachability_from(inviter_in["reachability"]),
        inviter_in["now_create"],
        rand_create,
        ttl_seconds=inviter_in["ttl_seconds"],
    )
    rand_create.assert_consumed()
    assert pending.invitation.to_text() == expected["invitation_text"]
    assert pending.tag == h(expected["invitation_tag"])

    rand_accept = ReplayRandom(acceptor_in["rand_accept"])
    acceptor_paired, packet = accept(
        Invitation.from_text(expected["invitation_text"]),
        acceptor,
        card,
        acceptor_in["now_accept"],
        rand_accept,
    )
    rand_accept.assert_consumed()
    assert packet == h(expected["acceptor_packet"])
    assert acceptor_paired.peer == inviter.public
    assert_payload(acceptor_paired.first_payload, expected["first_payload"])
    assert_state(acceptor_paired.session, expected["acceptor_session_state"])

    inner = open_packet(h(expected["acceptor_packet"]), inviter.public.dh_key, inviter.dh_private)
    assert isinstance(inner, SealedAnswer)
    assert inner.tag == h(expected["invitation_tag"])
    assert inner.sealed == h(expected["sealed_answer"])

    rand_complete = ReplayRandom(inviter_in["rand_complete"])
    inviter_paired = complete(pending, inner, inviter, inviter_in["now_complete"], rand_complete)
    rand_complete.assert_consumed()
    assert inviter_paired.peer == acceptor.public
    assert_payload(inviter_paired.first_payload, expected["first_payload"])
    assert ContactCard.decode(inviter_paired.first_payload.body) == card
    assert_state(inviter_paired.session, expected["inviter_session_state"])

    assert safety_number(inviter.public, acceptor.public) == expected["safety_number"]
    assert safety_number(acceptor.public, inviter.public) == expected["safety_number"]


# --- envelope.json ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case", load("envelope.json")["cases"], ids=lambda c: f"{c['sender']}-{c['seal']['kind_name']}"
)
def test_envelope_vector(case: JSON) -> None:
    identities = load("envelope.json")["identities"]
    sender_identity = identity_from(identities[case["sender"]])
    receiver_identity = identity_from(identities[case["receiver"]])
    seal, opening = case["seal"], case["open"]

    sender = Session.decode(h(seal["sender_state"]))
    assert sender.local == sender_identity.public
    assert sender.peer == receiver_identity.public
    rand_seal = ReplayRandom(seal["rand"])
    payload, packet = sender.seal(
        PayloadKind(seal["kind"]), h(seal["body"]), seal["now"], rand_seal
    )
    rand_seal.assert_consumed()
    assert_payload(payload, seal["expected_payload"])
    assert packet == h(seal["expected_packet"])
    assert_state(sender, seal["expected_sender_state"])

    receiver = Session.decode(h(opening["receiver_state"]))
    inner = open_packet(
        h(seal["expected_packet"]), receiver_identity.public.dh_key, receiver_identity.dh_private
    )
    assert isinstance(inner, RatchetMessage)
    assert inner.sender == sender_identity.public.node_id
    header = opening["expected_header"]
    assert inner.header.dh == h(header["dh"])
    assert inner.header.previous_chain_length == header["previous_chain_length"]
    assert inner.header.n == header["n"]
    rand_open = ReplayRandom(opening["rand"])
    opened = receiver.open(inner, opening["now"], rand_open)
    rand_open.assert_consumed()
    assert opened == payload
    assert_state(receiver, opening["expected_receiver_state"])


# --- clinical.json ------------------------------------------------------------------------


@pytest.mark.parametrize("case", load("clinical.json")["cases"], ids=lambda case: case["comment"])
def test_clinical_body_vector(case: JSON) -> None:
    kind = PayloadKind(case["kind"])
    assert kind.name == case["kind_name"]
    meta, content = decode_conversation(kind, h(case["body"]))
    assert meta.to_json() == case["meta"]
    assert content.to_json() == case["content"]
    assert encode_conversation(meta, content) == (kind, h(case["body"]))


def test_signed_prescription_vector() -> None:
    """docs/protocol.md §19.2: the signature over the documented bytes, by the signer's key."""
    case = load("clinical.json")["signed_prescription"]
    kind = PayloadKind(case["kind"])
    assert kind is PayloadKind.SIGNED_PRESCRIPTION
    body = h(case["body"])
    meta, content = decode_conversation(kind, body)
    assert meta.to_json() == case["meta"]
    assert content.to_json() == case["content"]
    signer = case["signer"]
    public = PublicIdentity(h(signer["signing_key"]), h(signer["dh_key"]))
    expected = signed_bytes(
        kind, h(case["sender_id"]), h(case["recipient_id"]), h(case["message_id"]), body[:-64]
    )
    assert expected == h(case["signed_bytes"])
    assert expected.startswith(b"Releve prescription signature v2")
    verify_body(public, kind, h(case["recipient_id"]), h(case["message_id"]), body)
    with pytest.raises(DecryptionFailed):
        verify_body(public, kind, h(case["sender_id"]), h(case["message_id"]), body)


def test_clinical_attachment_vector() -> None:
    vector = load("clinical.json")
    manifest_case = next(c for c in vector["cases"] if c["kind_name"] == "ATTACHMENT")
    _, manifest = decode_conversation(PayloadKind.ATTACHMENT, h(manifest_case["body"]))
    assert isinstance(manifest, AttachmentManifest)
    attachment = vector["attachment"]
    assert (manifest.chunk_count, manifest.chunk_size) == (
        attachment["chunk_count"],
        attachment["chunk_size"],
    )
    chunks = [Chunk.decode(h(encoded)) for encoded in attachment["chunks"]]
    assert {chunk.attachment_id for chunk in chunks} == {h(attachment["attachment_id"])}
    data = manifest.reassemble(chunks)
    assert hashlib.sha256(data).hexdigest() == attachment["sha256"] == manifest.sha256.hex()
    assert [c.encode() for c in manifest.chunks(data, h(attachment["attachment_id"]))] == [
        h(encoded) for encoded in attachment["chunks"]
    ]


def test_clinical_profile_vector() -> None:
    vector = load("clinical.json")["profile"]
    profile = Profile(vector["name"], Role(vector["role"]), vector["phone"])
    writer = Writer()
    profile.encode_into(writer)
    assert writer.getvalue() == h(vector["encoding"])
    reader = Reader(h(vector["encoding"]), "profile")
    assert Profile.decode_from(reader) == profile
    reader.done()
