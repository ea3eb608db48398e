"""Every decoder of outside input, fed random bytes and mutated valid encodings (bit flips,
truncations, insertions, deletions, splices): it returns a value or raises the project's
own error (``node.protocol.ProtocolError``; the relay wire's ``RelayProtocolError`` is one), nothing
else; what it accepts encodes again without error. Stateful decoders (a ratchet session, a
phone-pairing exchange) get the same treatment from each of their stages."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import nacl.bindings as sodium
from hypothesis import given
from hypothesis import strategies as st

from node.edges.peer_wire import decode_batch, encode_batch
from node.protocol import (
    ContactCard,
    Endpoint,
    Identity,
    Invitation,
    Payload,
    PayloadKind,
    PendingInvitation,
    Profile,
    ProtocolError,
    RatchetMessage,
    Reachability,
    Receipt,
    ReceiptType,
    Revocation,
    Role,
    SealedAnswer,
    Session,
    Unpair,
    open_packet,
    phone,
    relay_wire,
)
from node.protocol.conversation import (
    Meta,
    content_from_json,
    decode_conversation,
    encode_conversation,
)
from node.protocol.envelope import BUCKETS, decode_inner
from node.protocol.identity import parse_node_id_prefix
from node.protocol.mailbox import Mailboxes, PublicMailbox
from node.protocol.pairing import Answer
from node.protocol.payload import decode_text_body, encode_text
from node.protocol.primitives import SEAL_OVERHEAD, pad, seal, seal_open
from node.protocol.profile import PrescriberIdentity
from node.protocol.ratchet import Header, Ratchet
from node.protocol.wire import Reader, Writer
from tests.hostile.fuzz_support import (
    count,
    fuzz_settings,
    memory_bounded,
    mutations,
    sized,
    spends,
    tagged,
)
from tests.unit.protocol.protocol_support import (
    T0,
    DeterministicRandom,
    Node,
    Party,
    pair,
    run_pairing,
)
from tests.unit.protocol.test_protocol_clinical import TODAY, handoff_json, patient_json
from tests.unit.protocol.test_protocol_handoff_v2 import BEFORE_STATUS, FULL


def _with(encode_into: Callable[[Writer], None]) -> bytes:
    writer = Writer()
    encode_into(writer)
    return writer.getvalue()


@dataclass(frozen=True)
class Corpus:
    """Valid encodings of every wire format and stored state, to mutate."""

    by_decoder: dict[str, tuple[bytes, ...]]
    packets: tuple[bytes, ...]
    texts: dict[str, tuple[str, ...]]
    recipient: Node  # opens ``packets``
    bob_state: bytes  # Bob's session before any of ``messages``
    messages: tuple[bytes, ...]  # inner encodings of Alice's messages to Bob


@cache
def corpus() -> Corpus:
    rand = DeterministicRandom("hostile corpus")
    alice, bob = pair("hostile corpus")
    bob_state = bob.session.encode()
    notes = "Patient: DUPONT Jeanne, née le 12/03/1957, INR 3,2 ; arrêter le Préviscan."
    messages: list[bytes] = []
    packets: list[bytes] = []
    payloads: list[bytes] = []
    for index in range(4):
        payload, packet = alice.send(f"{notes} ({index})")
        packets.append(packet)
        payloads.append(payload.encode())
    # Bob answers, so that Alice's next messages start a new ratchet step.
    bob_copy = Party(bob.node, Session.decode(bob_state))
    for packet in packets:
        bob_copy.receive(packet)
    _, reply = bob_copy.send("reçu")
    alice.receive(reply)
    for index in range(2):
        _, packet = alice.send(f"après le pas de ratchet {index}")
        packets.append(packet)
    for packet in packets:
        inner = bob.node.open(packet)
        assert isinstance(inner, RatchetMessage)
        messages.append(inner.encode())

    receipt_body = Receipt(ReceiptType.DELIVERED, (rand(16), rand(16))).encode()
    unpair = Unpair.sign(alice.node.identity, bob.node.identity.public, T0)
    successor = Identity.generate(rand).public
    revocation = Revocation.sign(alice.node.identity, bob.node.identity.public, successor, T0)
    bare_revocation = Revocation.sign(alice.node.identity, bob.node.identity.public, None, T0)
    card = ContactCard(
        Profile("Cécile Dürr-Ñúñez", Role.SPECIALIST),
        Reachability(
            (
                Endpoint.direct("2001:db8::7", 7440),
                Endpoint.direct("cabinet.local", 7440),
                Endpoint.relay("http://10.1.2.3:8080"),
            ),
            rand(16),
        ),
    )
    mailboxes = Mailboxes(
        (
            PublicMailbox(rand(8), "Secrétariat"),
            PublicMailbox(rand(8), "Dr Martin", PrescriberIdentity("10001234565", "C. Martin")),
        ),
        answer_requested=True,
    ).encode()
    for kind, body in (
        (PayloadKind.RECEIPT, receipt_body),
        (PayloadKind.CONTACT_CARD, card.encode()),
        (PayloadKind.UNPAIR, unpair.encode()),
        (PayloadKind.REVOCATION, revocation.encode()),
        (PayloadKind.MAILBOXES, mailboxes),
        (PayloadKind.TEXT, encode_text("pour le secrétariat", Meta(mailbox=rand(8)))),
    ):
        payloads.append(Payload.new(kind, body, 7, T0, rand).encode())

    inviter = Node.create("Pharmacie du Marché", Role.PHARMACIST, rand)
    acceptor = Node.create("Dr Martin", Role.GP, DeterministicRandom("hostile acceptor"))
    pairing = run_pairing(inviter, acceptor)
    pending = pairing.pending
    sealed = inviter.open(pairing.answer_packet)
    assert isinstance(sealed, SealedAnswer)
    answer = seal_open(pending.invitation.one_time_key, pending.one_time_private, sealed.sealed)
    invitation = pending.invitation
    endpoints = invitation.reachability.endpoints + card.reachability.endpoints
    headers = tuple(
        inner.header.encode()
        for inner in (decode_inner(m) for m in messages)
        if isinstance(inner, RatchetMessage)
    )
    code = phone.Code(42, ("lapin", "orage", "tigre"))
    frames, records = phone_transcript(code, invitation.to_text(), pairing.answer_packet)
    by_decoder = {
        "invitation": (invitation.encode(),),
        "pending invitation": (pending.encode(),),
        "payload": tuple(payloads),
        "receipt": (receipt_body,),
        "contact card": (card.encode(), alice.node.card.encode()),
        "unpair": (unpair.encode(),),
        "revocation": (revocation.encode(), bare_revocation.encode()),
        "header": headers,
        "inner": (*messages, sealed.encode()),
        "answer": (answer,),
        "endpoint": tuple(_with(e.encode_into) for e in endpoints),
        "reachability": (
            _with(invitation.reachability.encode_into),
            _with(card.reachability.encode_into),
        ),
        "profile": (_with(card.profile.encode_into),),
        "session state": (bob_state, alice.session.encode()),
        "ratchet state": (alice.session.ratchet.encode(),),
        "identity": (alice.node.identity.encode(),),
        "phone frame": frames,
        "phone record": records,
        "packet batch": (encode_batch(packets[:3]), encode_batch([pairing.answer_packet])),
        "text body": (encode_text(notes),),
        "mailboxes": (mailboxes, Mailboxes().encode()),
        # A handoff v2 body (§18.4) in its three shapes: the INS status (qualified, with the
        # INS), a status without an INS, and none at all (the layout sent before the status).
        "handoff v2 body": (
            _handoff_body(handoff_json(**FULL)),
            _handoff_body(handoff_json(patient=patient_json(ins=None, ins_status="retrieved"))),
            BEFORE_STATUS,
        ),
    }
    texts = {
        "invitation text": (invitation.to_text(),),
        "phone code": (str(code), "  7 LAPIN orage-Tigre ", "9999 zoo zoo zoo"),
        "node id prefix": ("k3xq-7b2m-aaaa",),
    }
    return Corpus(
        by_decoder,
        (*packets, pairing.answer_packet),
        texts,
        bob.node,
        bob_state,
        tuple(messages),
    )


def phone_transcript(
    code: phone.Code, invitation_text: str, answer_packet: bytes
) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """Every frame of a whole phone pairing, and the records they carry."""
    caller = phone.PhoneExchange(phone.PhoneRole.CALLER, code, DeterministicRandom("caller"))
    joiner = phone.PhoneExchange(phone.PhoneRole.JOINER, code, DeterministicRandom("joiner"))
    pake_c, pake_j = caller.start(), joiner.start()
    confirm_c, _ = caller.receive(pake_j)
    confirm_j, _ = joiner.receive(pake_c)
    assert confirm_c is not None
    assert confirm_j is not None
    caller.receive(confirm_j)
    joiner.receive(confirm_c)
    invitation = caller.send_invitation(invitation_text)
    joiner.receive(invitation)
    answer = joiner.send_answer(answer_packet)
    caller.receive(answer)
    done = caller.send_done()
    records = (
        phone.InvitationRecord(invitation_text).encode(),
        phone.AnswerRecord(answer_packet).encode(),
        phone.DoneRecord().encode(),
        phone.AbortRecord("wrong_code").encode(),
    )
    return (pake_c, pake_j, confirm_c, confirm_j, invitation, answer, done), records


def _handoff_body(form: dict[str, object]) -> bytes:
    return encode_conversation(Meta(), content_from_json("handoff", form, TODAY))[1]


def _handoff_v2(body: bytes) -> object:
    return decode_conversation(PayloadKind.HANDOFF_V2, body)[1]


def _read(decode_from: Callable[[Reader], object], what: str) -> Callable[[bytes], object]:
    def decode(data: bytes) -> object:
        reader = Reader(data, what)
        value = decode_from(reader)
        reader.done()
        return value

    return decode


def _reencode(value: object) -> None:
    """What a decoder accepted encodes again (no crash on a value it let through)."""
    encode = getattr(value, "encode", None)
    if callable(encode):
        encode()
    encode_into = getattr(value, "encode_into", None)
    if callable(encode_into):
        encode_into(Writer())


NODE_DECODERS: dict[str, Callable[[bytes], object]] = {
    "invitation": Invitation.decode,
    "pending invitation": PendingInvitation.decode,
    "payload": Payload.decode,
    "receipt": Receipt.decode,
    "contact card": ContactCard.decode,
    "unpair": Unpair.decode,
    "revocation": Revocation.decode,
    "header": Header.decode,
    "inner": decode_inner,
    "answer": Answer.decode,
    "endpoint": _read(Endpoint.decode_from, "endpoint"),
    "reachability": _read(Reachability.decode_from, "reachability"),
    "profile": _read(Profile.decode_from, "profile"),
    "session state": Session.decode,
    "ratchet state": Ratchet.decode,
    "identity": Identity.decode,
    "phone frame": phone.decode_frame,
    "phone record": phone.decode_record,
    "packet batch": decode_batch,
    "text body": decode_text_body,
    "mailboxes": Mailboxes.decode,
    "handoff v2 body": _handoff_v2,
}


@cache
def node_inputs() -> st.SearchStrategy[tuple[str, bytes]]:
    seeds = corpus().by_decoder
    return tagged({name: mutations(st.sampled_from(seeds[name])) for name in NODE_DECODERS})


@spends("decoders.bytes")
@given(case=node_inputs())
@fuzz_settings("decoders.bytes")
def test_node_decoders_raise_only_protocol_errors(case: tuple[str, bytes]) -> None:
    name, data = case
    count("decoders.bytes")
    try:
        value = NODE_DECODERS[name](data)
    except ProtocolError:
        return
    _reencode(value)


def test_node_decoders_accept_their_valid_samples() -> None:
    """The corpus is valid: mutations start from real encodings."""
    for name, decode in NODE_DECODERS.items():
        for encoded in corpus().by_decoder[name]:
            decode(encoded)


# --- text forms ---------------------------------------------------------------------------

TEXT_DECODERS: dict[str, Callable[[str], object]] = {
    "invitation text": Invitation.from_text,
    "phone code": phone.Code.parse,
    "node id prefix": parse_node_id_prefix,
}


def _text_mutations(valid: tuple[str, ...]) -> st.SearchStrategy[str]:
    def change(text: str, index: int, char: str) -> str:
        index %= len(text) + 1
        return text[:index] + char + text[index + 1 :]

    base = st.sampled_from(valid)
    as_bytes = mutations(base.map(lambda text: text.encode("utf-8")))
    return st.one_of(
        st.text(max_size=300),
        st.builds(change, base, st.integers(0, 2**16), st.characters()),
        st.builds(change, base, st.integers(0, 2**16), st.text(max_size=5)),
        as_bytes.map(lambda data: data.decode("utf-8", "replace")),
        as_bytes.map(lambda data: data.decode("latin-1")),
        st.builds(lambda text, n: text * (n % 40 + 1), base, st.integers(0, 100)),
    )


@cache
def text_inputs() -> st.SearchStrategy[tuple[str, str]]:
    texts = corpus().texts
    return tagged({name: _text_mutations(texts[name]) for name in TEXT_DECODERS})


@spends("decoders.text")
@given(case=text_inputs())
@fuzz_settings("decoders.text")
def test_text_decoders_raise_only_protocol_errors(case: tuple[str, str]) -> None:
    name, text = case
    count("decoders.text")
    try:
        value = TEXT_DECODERS[name](text)
    except ProtocolError:
        return
    if isinstance(value, Invitation):
        assert Invitation.from_text(value.to_text()) == value
    elif isinstance(value, phone.Code):
        assert phone.Code.parse(str(value)) == value


# --- packets ------------------------------------------------------------------------------

_BLOCK = BUCKETS[0] - 1 - SEAL_OVERHEAD


def _sealed_around(content: bytes, padded: bool, seed: int) -> bytes:
    """A packet that opens (right version, right key) around arbitrary content."""
    public = corpus().recipient.identity.public.dh_key
    if padded:
        block = next(b - 1 - SEAL_OVERHEAD for b in BUCKETS if len(content) < b - 1 - SEAL_OVERHEAD)
        body = pad(content, block)
    else:
        body = content[:_BLOCK].ljust(_BLOCK, b"\x00")
    return b"\x01" + seal(public, body, DeterministicRandom(seed))


@cache
def packet_inputs() -> st.SearchStrategy[bytes]:
    inners = corpus().by_decoder["inner"]
    return st.one_of(
        mutations(st.sampled_from(corpus().packets), max_random=2000),
        sized(BUCKETS[:2]),
        st.builds(
            _sealed_around,
            st.one_of(st.binary(max_size=600), mutations(st.sampled_from(inners))),
            st.booleans(),
            st.integers(0, 2**16),
        ),
    )


@spends("decoders.packet")
@given(packet=packet_inputs())
@fuzz_settings("decoders.packet")
def test_open_packet_raises_only_protocol_errors(packet: bytes) -> None:
    count("decoders.packet")
    node = corpus().recipient
    try:
        inner = open_packet(packet, node.identity.public.dh_key, node.identity.dh_private)
    except ProtocolError:
        return
    assert isinstance(inner, RatchetMessage | SealedAnswer)
    assert decode_inner(inner.encode()) == inner


# --- a live ratchet session ---------------------------------------------------------------


@cache
def message_inputs() -> st.SearchStrategy[tuple[int, bytes]]:
    messages = corpus().messages
    return st.tuples(
        st.integers(0, len(messages)),  # how many genuine messages Bob has taken first
        mutations(st.sampled_from(messages)),
    )


@spends("decoders.ratchet_session")
@given(case=message_inputs())
@fuzz_settings("decoders.ratchet_session")
def test_session_open_raises_only_protocol_errors(case: tuple[int, bytes]) -> None:
    """Forged, replayed and damaged ratchet messages against Bob's session, from any point
    of the conversation: refused with a protocol error, or (the genuine ones) decrypted."""
    taken, data = case
    count("decoders.ratchet_session")
    session = Session.decode(corpus().bob_state)
    rand = DeterministicRandom(taken)
    for genuine in corpus().messages[:taken]:
        inner = decode_inner(genuine)
        assert isinstance(inner, RatchetMessage)
        session.open(inner, T0, rand)
    before = session.encode()
    try:
        inner = decode_inner(data)
        if not isinstance(inner, RatchetMessage):
            return
        payload = session.open(inner, T0, rand)
    except ProtocolError:
        # Decryption is transactional: a refusal leaves the state as it was.
        assert session.encode() == before
        return
    assert payload.encode()


# --- a live phone-pairing exchange --------------------------------------------------------


@cache
def exchanges() -> tuple[phone.PhoneExchange, ...]:
    """Both sides of a phone pairing at each stage where they receive."""
    code = phone.Code(42, ("lapin", "orage", "tigre"))
    caller = phone.PhoneExchange(phone.PhoneRole.CALLER, code, DeterministicRandom("c"))
    joiner = phone.PhoneExchange(phone.PhoneRole.JOINER, code, DeterministicRandom("j"))
    stages = []
    pake_c, pake_j = caller.start(), joiner.start()
    stages += [copy.deepcopy(caller), copy.deepcopy(joiner)]
    confirm_c, _ = caller.receive(pake_j)
    confirm_j, _ = joiner.receive(pake_c)
    assert confirm_c is not None
    assert confirm_j is not None
    stages += [copy.deepcopy(caller), copy.deepcopy(joiner)]
    caller.receive(confirm_j)
    joiner.receive(confirm_c)
    stages.append(copy.deepcopy(joiner))  # authenticated, waits for the invitation
    text = corpus().texts["invitation text"][0]
    joiner.receive(caller.send_invitation(text))
    stages.append(copy.deepcopy(caller))  # invited, waits for the answer
    caller.receive(joiner.send_answer(corpus().packets[-1]))
    stages.append(copy.deepcopy(joiner))  # answered, waits for DONE
    return tuple(stages)


@spends("decoders.phone_exchange")
@given(
    stage=st.integers(0, 6),
    frame=st.deferred(lambda: mutations(st.sampled_from(corpus().by_decoder["phone frame"]))),
)
@fuzz_settings("decoders.phone_exchange")
def test_phone_exchange_raises_only_protocol_errors(stage: int, frame: bytes) -> None:
    count("decoders.phone_exchange")
    exchange = copy.deepcopy(exchanges()[stage])
    try:
        exchange.receive(frame)
    except ProtocolError:
        assert exchange.stage is phone.Stage.FAILED
        return


# --- the relay's wire formats -------------------------------------------------------------


@cache
def relay_corpus() -> dict[str, tuple[bytes, ...]]:
    rand = DeterministicRandom("relay corpus")
    public, secret = sodium.crypto_sign_seed_keypair(rand(32))
    nonce = rand(32)
    frames = (
        relay_wire.Challenge(nonce).encode(),
        relay_wire.Welcome(3).encode(),
        relay_wire.Blob(rand(16), corpus().packets[0]).encode(),
        relay_wire.Error(relay_wire.ErrorCode.RATE_LIMITED, "slow down").encode(),
        relay_wire.Auth.sign(nonce, bytes(public), bytes(secret), rand(32)).encode(),
        relay_wire.Ack((rand(16), rand(16), rand(16))).encode(),
    )
    deposits = relay_wire.encode_deposits([(rand(16), rand(32), p) for p in corpus().packets[:3]])
    return {"frame": frames, "deposits": (deposits,)}


RELAY_DECODERS: dict[str, Callable[[bytes], object]] = {
    "frame": relay_wire.decode_frame,
    "deposits": relay_wire.decode_deposits,
    "mailbox id": lambda data: relay_wire.parse_mailbox_id(data.decode("latin-1")),
    "nameplate": lambda data: relay_wire.parse_nameplate(data.decode("latin-1")),
}


@cache
def relay_inputs() -> st.SearchStrategy[tuple[str, bytes]]:
    seeds = {
        **relay_corpus(),
        "mailbox id": (bytes(range(16)).hex().encode(), b"00" * 16),
        "nameplate": (b"1", b"42", b"9999"),
    }
    return tagged({name: mutations(st.sampled_from(seeds[name])) for name in RELAY_DECODERS})


@spends("decoders.relay")
@given(case=relay_inputs())
@fuzz_settings("decoders.relay")
def test_relay_decoders_raise_only_relay_protocol_errors(case: tuple[str, bytes]) -> None:
    name, data = case
    count("decoders.relay")
    try:
        value = RELAY_DECODERS[name](data)
    except relay_wire.RelayProtocolError:
        return
    if name == "frame":
        assert relay_wire.decode_frame(value.encode()) == value  # type: ignore[attr-defined]
    elif name == "deposits":
        assert relay_wire.decode_deposits(relay_wire.encode_deposits(value)) == value  # type: ignore[arg-type]


def test_decoding_stays_within_memory() -> None:
    """The largest inputs the decoders take, repeated: no growth beyond the bound."""
    with memory_bounded(64 * 1024 * 1024):
        big = bytes(70_000)
        for _ in range(200):
            for decode in (*NODE_DECODERS.values(), *RELAY_DECODERS.values()):
                try:
                    decode(big)
                except (ProtocolError, relay_wire.RelayProtocolError):
                    pass
