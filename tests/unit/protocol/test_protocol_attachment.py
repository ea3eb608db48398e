"""Attachments (docs/protocol.md §18.6), the profile's phone number (§6.1), and random bytes
against every new decoder."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import (
    ContactCard,
    Invitation,
    MalformedInput,
    PayloadKind,
    Profile,
    Reachability,
    RemoteProtocolError,
    Role,
)
from node.protocol.attachment import (
    CHUNK_DATA_SIZE,
    MAX_ATTACHMENT_BYTES,
    AttachmentManifest,
    Chunk,
    check_file_name,
    detect_media_type,
)
from node.protocol.conversation import (
    Content,
    Handoff,
    Meta,
    Priority,
    content_from_json,
    decode_conversation,
    encode_conversation,
)
from node.protocol.envelope import MAX_PACKET_SIZE
from node.protocol.errors import ClinicalError, LocalProtocolError
from node.protocol.payload import check_body
from node.protocol.wire import Reader, Writer
from tests.unit.protocol.protocol_support import T0, inviter_and_acceptor, pair
from tests.unit.protocol.test_protocol_clinical import TODAY, handoff_json, prescription_json

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 1000  # about 250 KB: five chunks


def heif(major: bytes, compatible: bytes = b"") -> bytes:
    box = b"ftyp" + major + b"\x00\x00\x00\x00" + compatible
    return (len(box) + 4).to_bytes(4, "big") + box + b"\x00" * 32


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"II*\x00\x08\x00", "image/tiff"),
        (b"MM\x00*\x00\x08", "image/tiff"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (heif(b"heic", b"mif1heic"), "image/heic"),
        (heif(b"mif1", b"mif1heic"), "image/heic"),
        (heif(b"mif1", b"mif1avif"), None),  # AVIF shares the generic HEIF brand
        (heif(b"avif"), None),
        (b"PK\x03\x04 a zip named bilan.pdf", None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_media_type_comes_from_the_content(data: bytes, media_type: str | None) -> None:
    assert detect_media_type(data) == media_type


def test_a_file_in_chunks_reassembles_to_the_same_sha256() -> None:
    manifest = AttachmentManifest.for_file("bilan.pdf", PDF, "Bilan du 28/11")
    assert manifest.media_type == "application/pdf"
    assert manifest.sha256 == hashlib.sha256(PDF).digest()
    assert manifest.chunk_size == CHUNK_DATA_SIZE
    chunks = manifest.chunks(PDF, bytes(16))
    assert len(chunks) == manifest.chunk_count == -(-len(PDF) // CHUNK_DATA_SIZE)
    decoded = [Chunk.decode(chunk.encode()) for chunk in chunks]
    assert decoded == chunks
    shuffled = decoded[:]
    random.Random(7).shuffle(shuffled)
    data = manifest.reassemble(shuffled + shuffled[:1])  # any order, a duplicate is harmless
    assert hashlib.sha256(data).digest() == manifest.sha256
    assert data == PDF
    with pytest.raises(MalformedInput):
        manifest.reassemble(decoded[:-1])
    forged = Chunk(bytes(16), 0, bytes(CHUNK_DATA_SIZE))
    with pytest.raises(MalformedInput):
        manifest.reassemble([forged, *decoded[1:]])
    with pytest.raises(MalformedInput):
        manifest.check_chunk(Chunk(bytes(16), 0, b"short"))
    with pytest.raises(MalformedInput):
        manifest.check_chunk(Chunk(bytes(16), manifest.chunk_count, b"x"))
    with pytest.raises(LocalProtocolError):
        manifest.chunks(PDF[:-1] + b"?", bytes(16))


def test_the_manifest_round_trips_and_its_json_has_no_chunk_fields() -> None:
    manifest = AttachmentManifest.for_file(" compte rendu.pdf ", PDF, None)
    assert manifest.file_name == "compte rendu.pdf"
    kind, body = encode_conversation(Meta(Priority.URGENT), manifest)
    assert kind is PayloadKind.ATTACHMENT
    assert decode_conversation(kind, body) == (Meta(Priority.URGENT), manifest)
    assert manifest.to_json() == {
        "file_name": "compte rendu.pdf",
        "media_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "caption": None,
    }
    assert AttachmentManifest.from_json(manifest.to_json()) == manifest


@pytest.mark.parametrize(
    ("name", "data", "field", "reason"),
    [
        ("../etc/passwd", PDF, "file_name", "invalid_name"),
        ("dossier\\bilan.pdf", PDF, "file_name", "invalid_name"),
        (".bashrc", PDF, "file_name", "invalid_name"),
        ("CON.pdf", PDF, "file_name", "invalid_name"),
        ("bilan\u202efdp.exe", PDF, "file_name", "invalid_name"),
        ("bilan\n.pdf", PDF, "file_name", "invalid_name"),
        ("bilan.pdf.", PDF, "file_name", "invalid_name"),
        ("   ", PDF, "file_name", "required"),
        ("é" * 201, PDF, "file_name", "too_long"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /", "file", "invalid_media_type"),
        ("vide.pdf", b"", "file", "required"),
    ],
)
def test_bad_files_are_refused(name: str, data: bytes, field: str, reason: str) -> None:
    with pytest.raises(ClinicalError) as caught:
        AttachmentManifest.for_file(name, data, None)
    assert (caught.value.field, caught.value.reason) == (field, reason)


def test_a_file_over_64_mib_is_too_large() -> None:
    with pytest.raises(ClinicalError) as caught:
        AttachmentManifest.for_file("scan.pdf", b"%PDF-" + bytes(MAX_ATTACHMENT_BYTES), None)
    assert caught.value.reason == "too_large"


def test_a_peers_inconsistent_manifest_is_malformed() -> None:
    manifest = AttachmentManifest.for_file("bilan.pdf", PDF, None)
    for changes in ({"chunk_count": 1}, {"chunk_size": 100}, {"size": 0}):
        values = {**manifest.__dict__, **changes}
        writer = Writer()
        Meta().encode_into(writer)
        name = values["file_name"].encode()
        writer.bytes8(name).u8(1).u32(values["size"]).raw(values["sha256"]).bytes16(b"")
        writer.u32(values["chunk_count"]).u32(values["chunk_size"])
        with pytest.raises(MalformedInput):
            decode_conversation(PayloadKind.ATTACHMENT, writer.getvalue())


def test_a_full_chunk_travels_in_the_largest_packet() -> None:
    alice, bob = pair("full chunk")
    data = b"%PDF-" + bytes(3 * CHUNK_DATA_SIZE)
    manifest = AttachmentManifest.for_file("scan.pdf", data, None)
    kind, body = encode_conversation(Meta(), manifest)
    announced, packet = alice.session.seal(kind, body, T0, alice.rand)
    assert bob.receive(packet) == announced
    for chunk in manifest.chunks(data, announced.message_id):
        _payload, packet = alice.session.seal(PayloadKind.CHUNK, chunk.encode(), T0, alice.rand)
        assert len(packet) <= MAX_PACKET_SIZE
        received = bob.receive(packet)
        assert Chunk.decode(received.body) == chunk


def test_file_names_are_normalised() -> None:
    assert check_file_name("  Radio thorax.jpeg ") == "Radio thorax.jpeg"
    assert check_file_name("e\u0301chographie.png") == "\u00e9chographie.png"


# --- Profile phone -------------------------------------------------------------------------------


def encode_profile(profile: Profile) -> bytes:
    writer = Writer()
    profile.encode_into(writer)
    return writer.getvalue()


def decode_profile(data: bytes) -> Profile:
    reader = Reader(data, "profile")
    profile = Profile.decode_from(reader)
    reader.done()
    return profile


def test_the_phone_travels_in_the_profile_and_old_profiles_still_decode() -> None:
    with_phone = Profile("Dr Martin", Role.GP, " 04 95 12 34 56 ")
    assert with_phone.phone == "04 95 12 34 56"
    assert decode_profile(encode_profile(with_phone)) == with_phone
    without = Profile("Dr Martin", Role.GP)
    assert encode_profile(without) == Writer().bytes8(b"Dr Martin").u8(Role.GP).getvalue()
    assert decode_profile(encode_profile(without)).phone is None
    assert Profile("Dr Martin", Role.GP, "  ").phone is None
    with pytest.raises(ClinicalError) as caught:
        Profile("Dr Martin", Role.GP, "le standard")
    assert (caught.value.field, caught.value.reason) == ("phone", "invalid_phone")


def test_an_unreadable_phone_from_a_peer_is_left_out_not_refused() -> None:
    for raw in (b"not a phone", b"\xff\xfe", b""):
        data = Writer().bytes8(b"Dr Martin").u8(Role.GP | 0x80).bytes8(raw).getvalue()
        profile = decode_profile(data)
        assert (profile.role, profile.phone) == (Role.GP, None)
    with pytest.raises(MalformedInput):  # the framing itself is broken: refused
        decode_profile(Writer().bytes8(b"Dr Martin").u8(0x81).u8(20).getvalue())


def test_the_phone_travels_in_invitations_and_contact_cards() -> None:
    inviter, _ = inviter_and_acceptor("phone")
    profile = Profile("Pharmacie du Port", Role.PHARMACIST, "+33 4 95 00 00 00")
    card = ContactCard(profile, Reachability(()))
    assert ContactCard.decode(card.encode()).profile.phone == "+33 4 95 00 00 00"
    pending = inviter.invite()
    invitation = pending.invitation
    with_phone = Invitation(
        invitation.inviter,
        invitation.one_time_key,
        invitation.secret,
        invitation.expires_at,
        profile,
        invitation.reachability,
    )
    assert Invitation.from_text(with_phone.to_text()).profile == profile


# --- Random bytes against every new decoder ------------------------------------------------------


def valid_bodies() -> dict[PayloadKind, tuple[bytes, ...]]:
    handoff = content_from_json("handoff", handoff_json(), TODAY)
    assert isinstance(handoff, Handoff)
    # Version 1 under its own kind; version 2 with and without its optional INS status.
    unstated = replace(handoff, patient=replace(handoff.patient, ins_status=None))
    version_1 = Handoff(unstated.patient, "S", "A", "E", "D")
    prescription = content_from_json("prescription", prescription_json(), TODAY)
    manifest = AttachmentManifest.for_file("bilan.pdf", PDF, "légende")
    return {
        PayloadKind.TEXT: (encode_conversation(Meta(Priority.URGENT, bytes(16)), _text())[1],),
        PayloadKind.HANDOFF: (encode_conversation(Meta(), version_1)[1],),
        PayloadKind.HANDOFF_V2: tuple(
            encode_conversation(Meta(), h)[1] for h in (handoff, unstated)
        ),
        PayloadKind.PRESCRIPTION: (encode_conversation(Meta(reply_to=bytes(16)), prescription)[1],),
        PayloadKind.ATTACHMENT: (encode_conversation(Meta(), manifest)[1],),
        PayloadKind.CHUNK: (Chunk(bytes(16), 3, b"data").encode(),),
    }


def _text() -> Content:
    return content_from_json("text", "Patient vu : RAS.", TODAY)


VALID = valid_bodies()


def mutations(valid: tuple[bytes, ...]) -> st.SearchStrategy[bytes]:
    base = st.sampled_from(valid)

    def flip(data: bytes, index: int, mask: int) -> bytes:
        index %= len(data)
        return data[:index] + bytes([data[index] ^ mask]) + data[index + 1 :]

    return st.one_of(
        st.binary(max_size=400),
        st.builds(lambda d, n: d[: n % (len(d) + 1)], base, st.integers(0, 2**16)),
        st.builds(lambda d, extra: d + extra, base, st.binary(min_size=1, max_size=8)),
        st.builds(flip, base, st.integers(0, 2**16), st.integers(1, 255)),
        st.builds(
            lambda d, n, extra: d[: n % (len(d) + 1)] + extra + d[n % (len(d) + 1) :],
            base,
            st.integers(0, 2**16),
            st.binary(min_size=1, max_size=4),
        ),
    )


def accepted_again(kind: PayloadKind, body: bytes) -> None:
    """Whatever a decoder accepts encodes to something that decodes to the same value."""
    if kind is PayloadKind.CHUNK:
        chunk = Chunk.decode(body)
        assert Chunk.decode(chunk.encode()) == chunk
        return
    meta, content = decode_conversation(kind, body)
    again_kind, again = encode_conversation(meta, content)
    assert again_kind is kind
    assert decode_conversation(kind, again) == (meta, content)


@pytest.mark.parametrize("kind", sorted(VALID), ids=lambda kind: kind.name)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_random_bodies_raise_only_remote_protocol_errors(
    kind: PayloadKind, data: st.DataObject
) -> None:
    body = data.draw(mutations(VALID[kind]))
    try:
        check_body(kind, body)
    except RemoteProtocolError:
        return
    accepted_again(kind, body)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=80))
def test_random_profiles_raise_only_remote_protocol_errors(data: bytes) -> None:
    prefixed = Writer().bytes8(b"Dr Martin").getvalue() + data
    for candidate in (data, prefixed):
        try:
            profile = decode_profile(candidate)
        except RemoteProtocolError:
            continue
        assert decode_profile(encode_profile(profile)) == profile


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(min_size=1, max_size=200),
    urgent=st.booleans(),
    reply=st.none() | st.binary(min_size=16, max_size=16),
)
def test_any_accepted_text_round_trips(text: str, urgent: bool, reply: bytes | None) -> None:
    try:
        content = content_from_json("text", {"text": text}, TODAY)
    except ClinicalError:
        return
    meta = Meta(Priority.URGENT if urgent else Priority.NORMAL, reply)
    kind, body = encode_conversation(meta, content)
    assert decode_conversation(kind, body) == (meta, content)
