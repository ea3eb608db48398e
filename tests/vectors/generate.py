"""Writes the known-answer vectors (tests/vectors/*.json) from the current protocol code.

Run from the repository root, either way:

    .venv/bin/python tests/vectors/generate.py            # (re)write the JSON files
    .venv/bin/python -m tests.vectors.generate --check    # exit 1 if a file would change

The vectors freeze today's wire formats and key schedule: tests/unit/protocol/test_vectors.py
recomputes every output from the inputs in the files and compares bytes. Regenerate them only
for a deliberate, versioned protocol change, never to make a failing test pass.

Randomness is replayed: each operation that takes a ``rand`` gets its own byte stream, stored
in full as ``{"stream": hex, "calls": [n, ...]}``: ``rand(n)`` returns the next ``n`` bytes
of ``stream``, ``calls`` lists the sizes requested in order, and a conforming implementation
consumes the stream exactly. The streams themselves are SHA-256 in counter mode over a label
(see :func:`derive`), which only matters for regenerating; the stored bytes are normative.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # runs as a plain script without a tests/__init__.py
    sys.path.insert(0, str(ROOT))

from node.protocol import (  # noqa: E402
    ContactCard,
    Endpoint,
    Identity,
    Invitation,
    Payload,
    PayloadKind,
    PendingInvitation,
    Profile,
    RatchetMessage,
    Reachability,
    Receipt,
    ReceiptType,
    Role,
    SealedAnswer,
    Session,
    accept,
    complete,
    format_node_id,
    kdf,
    open_packet,
    safety_number,
)
from node.protocol.attachment import CHUNK_DATA_SIZE, AttachmentManifest  # noqa: E402
from node.protocol.conversation import (  # noqa: E402
    Content,
    Handoff,
    Meta,
    Patient,
    Prescriber,
    Prescription,
    PrescriptionLine,
    Priority,
    Sex,
    TextContent,
    encode_conversation,
)
from node.protocol.patient import InsStatus  # noqa: E402
from node.protocol.payload import encode_text  # noqa: E402
from node.protocol.prescription import VERSION_2, NonSubstitution  # noqa: E402
from node.protocol.prescription_signature import sign_body, signed_bytes  # noqa: E402
from node.protocol.relay_wire import deposit_capability_for  # noqa: E402
from node.protocol.wire import Writer  # noqa: E402

VECTORS_DIR: Final = Path(__file__).resolve().parent
JSON = dict[str, Any]

RAND_CONVENTION: Final = (
    "A RandomSource rand(n) replays `stream`: each call returns the next n bytes in order. "
    "`calls` lists the n of every call, in order; the stream is consumed exactly (no bytes "
    "left over). An empty stream means the operation must not ask for randomness."
)
CONVENTIONS: Final = {
    "bytes": "byte strings are lower-case hex without a prefix",
    "text": "strings are Unicode (the protocol encodes them as UTF-8, NFC)",
    "time": "`now` is unix seconds (a float may carry milliseconds); sent_at_ms = floor(now*1000)",
    "rand": RAND_CONVENTION,
}

# One clinical-looking date for every vector: 2025-12-01T08:00:00Z.
T0: Final = 1_764_576_000


def derive(label: str, length: int) -> bytes:
    """Fixed test bytes: SHA-256(b"releve-vectors|" + label + b"|" + u32 counter) blocks."""
    out = b""
    counter = 0
    while len(out) < length:
        block = b"releve-vectors|" + label.encode() + b"|" + counter.to_bytes(4, "big")
        out += hashlib.sha256(block).digest()
        counter += 1
    return out[:length]


class RecordingRandom:
    """A RandomSource over :func:`derive`'s stream that records what was consumed."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._pos = 0
        self.calls: list[int] = []

    def __call__(self, n: int) -> bytes:
        chunk = derive(self._label, self._pos + n)[self._pos :]
        self._pos += n
        self.calls.append(n)
        return chunk

    def record(self) -> JSON:
        return {"stream": derive(self._label, self._pos).hex(), "calls": self.calls}


def identity_for(name: str) -> Identity:
    return Identity(derive(f"{name} signing seed", 32), derive(f"{name} dh private", 32))


def identity_json(identity: Identity) -> JSON:
    public = identity.public
    return {
        "signing_seed": identity.signing_seed.hex(),
        "dh_private": identity.dh_private.hex(),
        "signing_key": public.signing_key.hex(),
        "dh_key": public.dh_key.hex(),
        "node_id": public.node_id.hex(),
        "node_id_text": format_node_id(public.node_id),
    }


def profile_json(profile: Profile) -> JSON:
    return {"name": profile.name, "role": int(profile.role), "role_name": profile.role.name}


def reachability_json(reachability: Reachability) -> JSON:
    return {
        "mailbox_id": reachability.mailbox_id.hex(),
        "deposit_capability": reachability.deposit_capability.hex(),
        "endpoints": [
            {"kind": int(e.kind), "kind_name": e.kind.name, "host": e.host, "port": e.port}
            for e in reachability.endpoints
        ],
    }


def payload_json(payload: Payload) -> JSON:
    return {
        "message_id": payload.message_id.hex(),
        "seq": payload.seq,
        "kind": int(payload.kind),
        "kind_name": payload.kind.name,
        "sent_at_ms": payload.sent_at_ms,
        "body": payload.body.hex(),
        "encoding": payload.encode().hex(),
    }


# --- The fixed parties -------------------------------------------------------------------

INVITER_PROFILE: Final = Profile("Dr Élise Martin", Role.GP)
INVITER_REACHABILITY: Final = Reachability(
    endpoints=(
        Endpoint.relay("https://relais.example.org"),
        Endpoint.direct("192.168.1.20", 7643),
        Endpoint.direct("fd00::20", 7643),
    ),
    mailbox_id=derive("inviter mailbox id", 16),
    # docs/relay-protocol.md §3: derived from the mailbox seed; opaque to the protocol core.
    deposit_capability=deposit_capability_for(derive("inviter mailbox seed", 32)),
)
ACCEPTOR_CARD: Final = ContactCard(
    Profile("Pharmacie du Marché", Role.PHARMACIST),
    Reachability(
        endpoints=(Endpoint.relay("http://127.0.0.1:8700"), Endpoint.direct("10.0.0.7", 7643)),
        mailbox_id=derive("acceptor mailbox id", 16),
        deposit_capability=deposit_capability_for(derive("acceptor mailbox seed", 32)),
    ),
)
INVITATION_TTL: Final = 900


# --- kdf_chain.json -----------------------------------------------------------------------


def kdf_vectors() -> JSON:
    hkdf_inputs = [
        ("root step", derive("hkdf 1 ikm", 32), derive("hkdf 1 salt", 32), kdf.INFO_ROOT, 64),
        ("empty salt and info", derive("hkdf 2 ikm", 22), b"", b"", 42),
        ("four output blocks", derive("hkdf 3 ikm", 80), derive("hkdf 3 salt", 80), b"x", 100),
        ("56 bytes of output", derive("hkdf 4 ikm", 32), bytes(32), b"two blocks", 56),
    ]
    hkdf_cases = [
        {
            "comment": comment,
            "ikm": ikm.hex(),
            "salt": salt.hex(),
            "info": info.hex(),
            "length": length,
            "okm": kdf.hkdf_sha256(ikm, salt, info, length).hex(),
        }
        for comment, ikm, salt, info, length in hkdf_inputs
    ]

    root_key, dh_output = derive("kdf_rk root key", 32), derive("kdf_rk dh output", 32)
    new_root, chain = kdf.kdf_rk(root_key, dh_output)

    chain_key = derive("kdf_ck chain key", 32)
    steps = []
    for index in range(5):
        next_chain, message_key = kdf.kdf_ck(chain_key)
        aead_key, aead_nonce = kdf.message_key_material(message_key)
        steps.append(
            {
                "index": index,
                "chain_key": chain_key.hex(),
                "message_key": message_key.hex(),
                "next_chain_key": next_chain.hex(),
                "aead_key": aead_key.hex(),
                "aead_nonce": aead_nonce.hex(),
            }
        )
        chain_key = next_chain

    dh_outputs, secret = derive("pairing dh outputs", 96), derive("pairing secret", 16)
    pairing_root, confirm = kdf.pairing_keys(dh_outputs, secret)
    return {
        "description": (
            "Key derivation (docs/protocol.md §4): HKDF-SHA256 (RFC 5869), KDF_RK, a chain of "
            "five KDF_CK steps with each message key's AEAD key and nonce, and the pairing KDF."
        ),
        "generated_by": "tests/vectors/generate.py",
        "conventions": CONVENTIONS,
        "definitions": {
            "hkdf_sha256": "HKDF-Extract(salt or 32 zero bytes, ikm) then HKDF-Expand(info, L)",
            "kdf_rk": "HKDF(ikm=dh_output, salt=root_key, info=INFO_ROOT, L=64) = root || chain",
            "kdf_ck": "next_chain = HMAC-SHA256(ck, 0x02), message_key = HMAC-SHA256(ck, 0x01)",
            "message_key_material": "aead_key = message_key, aead_nonce = 24 zero bytes",
            "pairing_keys": (
                "HKDF(ikm=0xFF*32 || dh_outputs || secret, salt=32 zero bytes, "
                "info=INFO_PAIRING, L=64) = root_key || confirmation_key"
            ),
        },
        "constants": {
            "INFO_PAIRING": kdf.INFO_PAIRING.hex(),
            "INFO_ROOT": kdf.INFO_ROOT.hex(),
        },
        "hkdf_sha256": hkdf_cases,
        "kdf_rk": {
            "root_key": root_key.hex(),
            "dh_output": dh_output.hex(),
            "new_root_key": new_root.hex(),
            "chain_key": chain.hex(),
        },
        "kdf_ck_chain": steps,
        "pairing_keys": {
            "dh_outputs": dh_outputs.hex(),
            "secret": secret.hex(),
            "root_key": pairing_root.hex(),
            "confirmation_key": confirm.hex(),
        },
    }


# --- invitation.json ----------------------------------------------------------------------


def invitation_vectors() -> JSON:
    identity = identity_for("inviter")
    rand = RecordingRandom("invitation create")
    now = T0 + 0.5
    pending = PendingInvitation.create(
        identity, INVITER_PROFILE, INVITER_REACHABILITY, now, rand, ttl_seconds=INVITATION_TTL
    )
    invitation = pending.invitation
    return {
        "description": (
            "One invitation (docs/protocol.md §7): PendingInvitation.create(identity, profile, "
            "reachability, now, rand, ttl_seconds) draws the one-time X25519 private key (32 "
            "bytes) then the secret (16 bytes) from rand."
        ),
        "generated_by": "tests/vectors/generate.py",
        "conventions": CONVENTIONS,
        "input": {
            "identity": identity_json(identity),
            "profile": profile_json(INVITER_PROFILE),
            "reachability": reachability_json(INVITER_REACHABILITY),
            "now": now,
            "ttl_seconds": INVITATION_TTL,
            "rand": rand.record(),
        },
        "expected": {
            "one_time_private": pending.one_time_private.hex(),
            "one_time_key": invitation.one_time_key.hex(),
            "secret": invitation.secret.hex(),
            "expires_at": invitation.expires_at,
            "node_id": invitation.inviter.node_id.hex(),
            "node_id_text": format_node_id(invitation.inviter.node_id),
            "tag": invitation.tag.hex(),
            "encoding": invitation.encode().hex(),
            "text": invitation.to_text(),
            "pending_encoding": pending.encode().hex(),
        },
    }


# --- pairing.json -------------------------------------------------------------------------


def run_pairing() -> tuple[JSON, Session, Session]:
    """The whole handshake; returns its vector and both live sessions (for envelopes)."""
    inviter, acceptor = identity_for("inviter"), identity_for("acceptor")
    now_create, now_accept, now_complete = T0 + 0.5, T0 + 42.25, T0 + 43.75
    rand_create = RecordingRandom("pairing create")
    pending = PendingInvitation.create(
        inviter, INVITER_PROFILE, INVITER_REACHABILITY, now_create, rand_create, INVITATION_TTL
    )
    text = pending.invitation.to_text()

    rand_accept = RecordingRandom("pairing accept")
    acceptor_paired, packet = accept(
        Invitation.from_text(text), acceptor, ACCEPTOR_CARD, now_accept, rand_accept
    )
    acceptor_state = acceptor_paired.session.encode()

    inner = open_packet(packet, inviter.public.dh_key, inviter.dh_private)
    assert isinstance(inner, SealedAnswer)
    rand_complete = RecordingRandom("pairing complete")
    inviter_paired = complete(pending, inner, inviter, now_complete, rand_complete)
    assert inviter_paired.first_payload == acceptor_paired.first_payload
    number = safety_number(inviter.public, acceptor.public)

    vector = {
        "description": (
            "A full pairing (docs/protocol.md §12). Inviter: PendingInvitation.create(...) "
            "with rand_create, shown as `invitation_text`. Acceptor: accept(Invitation."
            "from_text(text), identity, card, now_accept, rand_accept) returns its session and "
            "`acceptor_packet`. Inviter: open_packet(packet, its identity DH keys) gives a "
            "SealedAnswer; complete(pending, answer, identity, now_complete, rand_complete) "
            "returns its session. Session states are Session.encode() (secret material)."
        ),
        "generated_by": "tests/vectors/generate.py",
        "conventions": CONVENTIONS,
        "rand_calls_explained": {
            "create": "one-time X25519 private key (32), invitation secret (16)",
            "accept": (
                "ephemeral X25519 private key (32), first ratchet key (32), message id of the "
                "contact-card payload (16), ephemeral key of the answer sealed to the one-time "
                "key (32), ephemeral key of the packet sealed to the inviter (32)"
            ),
            "complete": "the inviter's new ratchet key in its first DH ratchet step (32)",
        },
        "input": {
            "inviter": {
                "identity": identity_json(inviter),
                "profile": profile_json(INVITER_PROFILE),
                "reachability": reachability_json(INVITER_REACHABILITY),
                "ttl_seconds": INVITATION_TTL,
                "now_create": now_create,
                "rand_create": rand_create.record(),
                "now_complete": now_complete,
                "rand_complete": rand_complete.record(),
            },
            "acceptor": {
                "identity": identity_json(acceptor),
                "card": {
                    "profile": profile_json(ACCEPTOR_CARD.profile),
                    "reachability": reachability_json(ACCEPTOR_CARD.reachability),
                },
                "now_accept": now_accept,
                "rand_accept": rand_accept.record(),
            },
        },
        "expected": {
            "invitation_text": text,
            "invitation_tag": pending.tag.hex(),
            "acceptor_packet": packet.hex(),
            "sealed_answer": inner.sealed.hex(),
            "acceptor_session_state": acceptor_state.hex(),
            "inviter_session_state": inviter_paired.session.encode().hex(),
            "first_payload": payload_json(acceptor_paired.first_payload),
            "safety_number": number,
        },
    }
    return vector, inviter_paired.session, acceptor_paired.session


# --- envelope.json ------------------------------------------------------------------------


def envelope_case(
    comment: str,
    sender_name: str,
    sender: Session,
    receiver: Session,
    receiver_identity: Identity,
    kind: PayloadKind,
    body: bytes,
    now: float,
    label: str,
) -> tuple[JSON, Payload]:
    sender_before, receiver_before = sender.encode(), receiver.encode()
    rand_seal = RecordingRandom(f"{label} seal")
    payload, packet = sender.seal(kind, body, now, rand_seal)
    receive_now = now + 1.5
    inner = open_packet(packet, receiver_identity.public.dh_key, receiver_identity.dh_private)
    assert isinstance(inner, RatchetMessage)
    rand_open = RecordingRandom(f"{label} open")
    opened = receiver.open(inner, receive_now, rand_open)
    assert opened == payload
    case = {
        "comment": comment,
        "sender": sender_name,
        "receiver": "acceptor" if sender_name == "inviter" else "inviter",
        "seal": {
            "sender_state": sender_before.hex(),
            "kind": int(kind),
            "kind_name": kind.name,
            "body": body.hex(),
            "now": now,
            "rand": rand_seal.record(),
            "expected_payload": payload_json(payload),
            "expected_packet": packet.hex(),
            "expected_sender_state": sender.encode().hex(),
        },
        "open": {
            "receiver_state": receiver_before.hex(),
            "now": receive_now,
            "rand": rand_open.record(),
            "expected_header": {
                "dh": inner.header.dh.hex(),
                "previous_chain_length": inner.header.previous_chain_length,
                "n": inner.header.n,
            },
            "expected_receiver_state": receiver.encode().hex(),
        },
    }
    return case, payload


def envelope_vectors(inviter_session: Session, acceptor_session: Session) -> JSON:
    inviter, acceptor = identity_for("inviter"), identity_for("acceptor")
    text = encode_text(
        "Renouvellement : amoxicilline 1 g, 3 fois par jour pendant 7 jours. "
        "Merci de confirmer la délivrance."
    )
    first, first_payload = envelope_case(
        "inviter -> acceptor, first reply: the receiver takes a DH ratchet step",
        "inviter",
        inviter_session,
        acceptor_session,
        acceptor,
        PayloadKind.TEXT,
        text,
        T0 + 60.125,
        "envelope 1",
    )
    second, _ = envelope_case(
        "inviter -> acceptor again, same sending chain: no DH step, no randomness to open; "
        "an urgent text that replies to the first",
        "inviter",
        inviter_session,
        acceptor_session,
        acceptor,
        PayloadKind.TEXT,
        encode_text(
            "Allergie connue : pénicilline ? " * 12,
            Meta(Priority.URGENT, reply_to=first_payload.message_id),
        ),
        T0 + 61.0,
        "envelope 2",
    )
    third, _ = envelope_case(
        "acceptor -> inviter: a read receipt for the first message; the receiver takes a DH step",
        "acceptor",
        acceptor_session,
        inviter_session,
        inviter,
        PayloadKind.RECEIPT,
        Receipt(ReceiptType.READ, (first_payload.message_id,)).encode(),
        T0 + 90.0,
        "envelope 3",
    )
    return {
        "description": (
            "Packets (docs/protocol.md §10-11), continuing the sessions of pairing.json. Seal: "
            "Session.decode(sender_state).seal(kind, body, now, rand) returns the payload and "
            "the packet; rand gives the payload's message id (16) then the ephemeral key of "
            "the sealed box (32). Open: open_packet(packet, receiver identity DH public and "
            "private key) then Session.decode(receiver_state).open(message, now, rand); rand "
            "gives the receiver's new ratchet key (32) only when the header carries a new "
            "ratchet key (a DH step)."
        ),
        "generated_by": "tests/vectors/generate.py",
        "conventions": CONVENTIONS,
        "identities": {"inviter": identity_json(inviter), "acceptor": identity_json(acceptor)},
        "cases": [first, second, third],
    }


# --- clinical.json ------------------------------------------------------------------------

CHILD: Final = Patient(
    birth_name="DUPONT",
    first_names="Léa Marie",
    birth_date=datetime.date(2019, 6, 2),
    sex=Sex.FEMALE,
    ins="219067512345672",
    weight_kg=18.5,
)
ADULT: Final = Patient(
    birth_name="ÉTIENNE",
    first_names="Jean",
    birth_date=datetime.date(1980, 3, 14),
    sex=Sex.MALE,
    ins="1 80 03 2A 123 456 52",
)
PHARMACIST_PROFILE: Final = Profile("Pharmacie du Marché", Role.PHARMACIST, "+33 4 95 12 34 56")


def clinical_case(comment: str, meta: Meta, content: Content) -> JSON:
    kind, body = encode_conversation(meta, content)
    return {
        "comment": comment,
        "kind": int(kind),
        "kind_name": kind.name,
        "meta": meta.to_json(),
        "content": content.to_json(),
        "body": body.hex(),
    }


def clinical_vectors() -> JSON:
    reply_to = derive("clinical reply to", 16)
    handoff = Handoff(
        patient=ADULT,
        situation="Douleur thoracique depuis 2 h, TA 16/9.",
        background="HTA traitée, tabagisme actif.\nAllergie : pénicilline.",
        assessment="Suspicion de SCA ; ECG sans sus-décalage.",
        request="Avis cardiologique aujourd'hui, merci de rappeler.",
    )
    prescription = Prescription(
        prescriber=Prescriber(
            name="Dr Élise Martin",
            specialty="Médecine générale",
            rpps="10001234565",
            address="12 place du Marché\n20000 Ajaccio",
            phone="04 95 00 00 00",
        ),
        date=datetime.date(2025, 12, 1),
        patient=CHILD,
        lines=(
            PrescriptionLine("Amoxicilline", "250 mg/5 ml", "5 ml 3 fois par jour", "7 jours"),
            PrescriptionLine(
                "Paracétamol", "2,4 %", "1 dose-poids toutes les 6 h si fièvre", None, "1 flacon", 1
            ),
        ),
        notes="Contrôle si fièvre au-delà de 48 h.",
    )
    signed_case = signed_prescription_vector(prescription, reply_to)
    pdf = b"%PDF-1.7\n" + derive("clinical attachment", CHUNK_DATA_SIZE + 100)
    manifest = AttachmentManifest.for_file("bilan sanguin.pdf", pdf, "Bilan du 28/11")
    attachment_id = derive("clinical attachment id", 16)
    chunks = manifest.chunks(pdf, attachment_id)
    profile = Writer()
    PHARMACIST_PROFILE.encode_into(profile)
    return {
        "description": (
            "Conversational payload bodies (docs/protocol.md §18): meta (priority u8, reply "
            "flag u8, reply_to) then the content. encode_conversation(meta, content) gives the "
            "kind and body; decode_conversation(kind, body) gives them back. The attachment's "
            "file is the concatenation of its chunks' data (each chunk: attachment_id, index "
            "u32, data); its SHA-256 is the manifest's. The profile shows a phone number "
            "(the role byte's high bit set)."
        ),
        "generated_by": "tests/vectors/generate.py",
        "conventions": CONVENTIONS,
        "cases": [
            clinical_case("a plain text", Meta(), TextContent("Bonjour, reçu le bilan.")),
            clinical_case("an urgent SAED handoff", Meta(Priority.URGENT), handoff),
            clinical_case(
                "a prescription for a child (weight given), replying to a message",
                Meta(reply_to=reply_to),
                prescription,
            ),
            clinical_case("an attachment's manifest", Meta(), manifest),
        ],
        "signed_prescription": signed_case,
        "attachment": {
            "attachment_id": attachment_id.hex(),
            "chunk_count": manifest.chunk_count,
            "chunk_size": manifest.chunk_size,
            "sha256": manifest.sha256.hex(),
            "chunks": [chunk.encode().hex() for chunk in chunks],
        },
        "profile": {
            "name": PHARMACIST_PROFILE.name,
            "role": int(PHARMACIST_PROFILE.role),
            "phone": PHARMACIST_PROFILE.phone,
            "encoding": profile.getvalue().hex(),
        },
    }


def signed_prescription_vector(v1: Prescription, reply_to: bytes) -> JSON:
    """A version 2 prescription and its signature (docs/protocol.md §19.2): the body with a
    placeholder, what is signed, and the signed body, by a fixed prescriber identity."""
    prescriber = replace(v1.prescriber, email="e.martin@cabinet.example.fr")
    prescription = replace(
        v1,
        prescriber=prescriber,
        patient=replace(v1.patient, ins_status=InsStatus.QUALIFIED),
        lines=(
            replace(v1.lines[0], inn="amoxicilline"),
            replace(v1.lines[1], inn="paracétamol", non_substitutable=NonSubstitution.EFG),
        ),
        replaces=reply_to,
        version=VERSION_2,
    )
    signer = identity_for("prescriber")
    recipient = identity_for("pharmacy").public.node_id
    message_id = derive("signed prescription id", 16)
    meta = Meta(reply_to=reply_to)
    kind, placeholder_body = encode_conversation(meta, prescription)
    body = sign_body(signer, kind, recipient, message_id, placeholder_body)
    message = signed_bytes(kind, signer.public.node_id, recipient, message_id, body[:-64])
    return {
        "comment": "an amendment (replaces = reply_to), signed by the prescriber's identity key",
        "kind": int(kind),
        "kind_name": kind.name,
        "signer": identity_json(signer),
        "sender_id": signer.public.node_id.hex(),
        "recipient_id": recipient.hex(),
        "message_id": message_id.hex(),
        "meta": meta.to_json(),
        "content": prescription.to_json(),
        "signed_bytes": message.hex(),
        "body": body.hex(),
    }


# --- Writing ------------------------------------------------------------------------------


def all_vectors() -> dict[str, JSON]:
    pairing, inviter_session, acceptor_session = run_pairing()
    return {
        "kdf_chain.json": kdf_vectors(),
        "invitation.json": invitation_vectors(),
        "pairing.json": pairing,
        "envelope.json": envelope_vectors(inviter_session, acceptor_session),
        "clinical.json": clinical_vectors(),
    }


def render(vector: JSON) -> str:
    return json.dumps(vector, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    stale = []
    for name, vector in all_vectors().items():
        path = VECTORS_DIR / name
        text = render(vector)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
