"""Pairing by phone (docs/protocol.md §16): the word list, the code, the frames and records, and
both sides' state machines in memory: the right code pairs (with a real §12 pairing inside the
channel), a wrong code fails on both sides before anything is sent, and every replayed,
tampered, reflected or random frame is refused with a protocol error."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import (
    ContactCard,
    DecryptionFailed,
    Endpoint,
    Identity,
    Invitation,
    LocalProtocolError,
    MalformedInput,
    Profile,
    Reachability,
    RemoteProtocolError,
    Role,
    SealedAnswer,
    UnsupportedVersion,
    accept,
    complete,
)
from node.protocol.phone import (
    CALLER_LABEL,
    INFO_PHONE,
    JOINER_LABEL,
    MAX_FRAME_SIZE,
    MAX_NAMEPLATE,
    PAKE_ID,
    WORD_INDEX,
    WORDS,
    AbortRecord,
    AnswerRecord,
    Authenticated,
    Code,
    DoneRecord,
    InvitationRecord,
    PhoneExchange,
    PhoneKeys,
    PhoneRole,
    Stage,
    WrongCode,
    decode_frame,
    decode_record,
)
from node.protocol.relay_wire import MAX_NAMEPLATE as RELAY_MAX_NAMEPLATE
from node.protocol.relay_wire import MAX_RENDEZVOUS_FRAME
from tests.unit.protocol.protocol_support import T0, DeterministicRandom, Node, flip_bit

ROOT = Path(__file__).resolve().parents[3]
CODE = Code(7, ("lapin", "orage", "tigre"))


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


# --- the word list -----------------------------------------------------------------------


def test_the_word_list_has_256_distinct_simple_words() -> None:
    assert len(WORDS) == 256
    assert len(set(WORDS)) == 256
    assert {word: index for index, word in enumerate(WORDS)} == WORD_INDEX
    for word in WORDS:
        assert re.fullmatch("[a-z]{3,7}", word), word
        assert unicodedata.normalize("NFKD", word) == word  # no accent, no ligature


def test_no_two_words_are_one_letter_apart() -> None:
    close = [
        (a, b)
        for index, a in enumerate(WORDS)
        for b in WORDS[index + 1 :]
        if edit_distance(a, b) < 2
    ]
    assert close == []


def test_no_word_starts_another() -> None:
    # "lune" then "lunette" on a phone line: the listener cannot tell where a word ends.
    assert [(a, b) for a in WORDS for b in WORDS if a != b and b.startswith(a)] == []


# --- the code ----------------------------------------------------------------------------


def test_a_generated_code_draws_one_byte_per_word() -> None:
    code = Code.generate(42, lambda n: bytes(range(n)))
    assert code == Code(42, (WORDS[0], WORDS[1], WORDS[2]))
    assert str(code) == f"42-{WORDS[0]}-{WORDS[1]}-{WORDS[2]}"
    assert code.password == str(code).encode("ascii")


@pytest.mark.parametrize(
    "typed",
    [
        "7-lapin-orage-tigre",
        "  7-lapin-orage-tigre\n",
        "7 lapin orage tigre",
        "7 LAPIN Orage TIGRE",
        "7  -  lapin - orage -tigre",
        "007-lapin-orage-tigre",
        "7‐lapin—orage–tigre",  # typographic dashes from a word processor or a phone
        "7 lâpin orâge tigré",  # accents added by ear
        "7, lapin, orage, tigre.",
    ],
)
def test_parsing_tolerates_what_people_type(typed: str) -> None:
    assert Code.parse(typed) == CODE


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "a number and three words"),
        ("7-lapin-orage", "a number and three words"),
        ("7-lapin-orage-tigre-zoo", "a number and three words"),
        ("lapin-7-orage-tigre", "number"),
        ("0-lapin-orage-tigre", "number"),
        ("10000-lapin-orage-tigre", "number"),
        ("7-lapin-orage-velo", "velo"),
        ("7lapin-orage-tigre-zoo", "number"),
        ("7-" + "a" * 200, "short text"),
    ],
)
def test_parsing_refuses_what_is_not_a_code(typed: str, why: str) -> None:
    with pytest.raises(MalformedInput, match=why):
        Code.parse(typed)


def test_a_code_is_built_only_from_valid_parts() -> None:
    with pytest.raises(LocalProtocolError):
        Code(0, ("lapin", "orage", "tigre"))
    with pytest.raises(LocalProtocolError):
        Code(MAX_NAMEPLATE + 1, ("lapin", "orage", "tigre"))
    with pytest.raises(LocalProtocolError):
        Code(7, ("lapin", "orage", "velo"))
    with pytest.raises(LocalProtocolError):
        Code.generate(7, lambda n: b"\x00")  # a random source that returns too little


@given(st.text(max_size=150))
@settings(max_examples=300, deadline=None)
def test_parsing_any_text_raises_only_malformed_input(text: str) -> None:
    try:
        code = Code.parse(text)
    except MalformedInput:
        return
    assert Code.parse(str(code)) == code


def test_constants_agree_with_the_relay_and_the_specification() -> None:
    assert MAX_NAMEPLATE == RELAY_MAX_NAMEPLATE
    assert MAX_FRAME_SIZE == MAX_RENDEZVOUS_FRAME
    assert PAKE_ID == b"releve phone pairing v1"
    assert (INFO_PHONE, CALLER_LABEL, JOINER_LABEL) == (
        b"Releve phone v1",
        b"Releve phone caller v1",
        b"Releve phone joiner v1",
    )


# --- both sides in memory ----------------------------------------------------------------


def sides(
    caller_code: Code = CODE, joiner_code: Code = CODE, seed: str = "s"
) -> tuple[PhoneExchange, PhoneExchange]:
    caller = PhoneExchange(PhoneRole.CALLER, caller_code, DeterministicRandom(f"c{seed}"))
    joiner = PhoneExchange(PhoneRole.JOINER, joiner_code, DeterministicRandom(f"j{seed}"))
    return caller, joiner


def authenticate(caller: PhoneExchange, joiner: PhoneExchange) -> tuple[bytes, bytes]:
    """Runs PAKE and key confirmation; returns the two CONFIRM frames (caller's, joiner's)."""
    caller_pake, joiner_pake = caller.start(), joiner.start()
    caller_confirm, event = caller.receive(joiner_pake)
    assert caller_confirm is not None
    assert event is None
    joiner_confirm, event = joiner.receive(caller_pake)
    assert joiner_confirm is not None
    assert event is None
    assert caller.receive(joiner_confirm) == (None, Authenticated())
    assert joiner.receive(caller_confirm) == (None, Authenticated())
    return caller_confirm, joiner_confirm


def test_the_right_code_pairs_with_the_normal_pairing_inside() -> None:
    pharmacy = Node.create("Pharmacie du Port", Role.PHARMACIST, DeterministicRandom("ph"))
    gp = Node.create("Dr Camille Martin", Role.GP, DeterministicRandom("gp"))
    caller, joiner = sides()
    authenticate(caller, joiner)
    # The caller invites, inside the channel.
    pending = pharmacy.invite(T0, ttl_seconds=600)
    frame = caller.send_invitation(pending.invitation.to_text())
    reply, event = joiner.receive(frame)
    assert reply is None
    assert isinstance(event, InvitationRecord)
    # The joiner accepts it exactly as a scanned QR code, and answers inside the channel.
    invitation = Invitation.from_text(event.text)
    joiner_paired, packet = accept(invitation, gp.identity, gp.card, T0, gp.rand)
    reply, event = caller.receive(joiner.send_answer(packet))
    assert reply is None
    assert isinstance(event, AnswerRecord)
    sealed = pharmacy.open(event.packet)
    assert isinstance(sealed, SealedAnswer)
    caller_paired = complete(pending, sealed, pharmacy.identity, T0, pharmacy.rand)
    assert joiner.receive(caller.send_done()) == (None, DoneRecord())
    assert caller.stage is Stage.DONE
    assert joiner.stage is Stage.DONE
    assert caller_paired.peer == gp.identity.public
    assert joiner_paired.session.encode() != b""
    # Nothing more is accepted once done.
    with pytest.raises(LocalProtocolError):
        caller.receive(b"\x01\x03" + bytes(17))


def test_a_wrong_code_fails_on_both_sides_before_any_record() -> None:
    caller, joiner = sides(joiner_code=Code(7, ("lapin", "orage", "zoo")))
    caller_pake, joiner_pake = caller.start(), joiner.start()
    caller_confirm, _ = caller.receive(joiner_pake)
    joiner_confirm, _ = joiner.receive(caller_pake)
    assert caller_confirm is not None
    assert joiner_confirm is not None
    with pytest.raises(WrongCode):
        caller.receive(joiner_confirm)
    with pytest.raises(WrongCode):
        joiner.receive(caller_confirm)
    assert caller.stage is Stage.FAILED
    assert joiner.stage is Stage.FAILED
    # Nothing else happens: no invitation can be sent, nothing more received.
    with pytest.raises(LocalProtocolError):
        caller.send_invitation("releve:x")
    with pytest.raises(LocalProtocolError):
        joiner.receive(caller_confirm)
    assert caller.abort("wrong_code") is None  # no key to tell the other side anything


def test_the_nameplate_is_part_of_the_password() -> None:
    caller, joiner = sides(joiner_code=Code(8, CODE.words))
    caller_pake, joiner_pake = caller.start(), joiner.start()
    _, _ = joiner.receive(caller_pake)
    confirm, _ = caller.receive(joiner_pake)
    assert confirm is not None
    with pytest.raises(WrongCode):
        joiner.receive(confirm)


def test_a_reflected_pake_message_or_confirmation_is_refused() -> None:
    caller, joiner = sides()
    caller_pake = caller.start()
    joiner.start()
    with pytest.raises(MalformedInput):
        caller.receive(caller_pake)  # the relay sent our own message back
    caller, joiner = sides()
    caller_pake, joiner_pake = caller.start(), joiner.start()
    caller_confirm, _ = caller.receive(joiner_pake)
    assert caller_confirm is not None
    with pytest.raises(WrongCode):  # our own role label is not the other side's
        caller.receive(caller_confirm)


def test_a_replayed_or_reordered_record_is_refused() -> None:
    caller, joiner = sides()
    authenticate(caller, joiner)
    invitation = caller.send_invitation("releve:" + "A" * 40)
    joiner.receive(invitation)
    with pytest.raises(DecryptionFailed):  # the same record again: its nonce is spent
        joiner.receive(invitation)
    assert joiner.stage is Stage.FAILED


def test_a_record_sent_back_to_its_author_is_refused() -> None:
    caller, joiner = sides()
    authenticate(caller, joiner)
    invitation = caller.send_invitation("releve:" + "A" * 40)
    caller_b, joiner_b = sides(seed="other")
    authenticate(caller_b, joiner_b)
    caller_b.send_invitation("releve:" + "B" * 40)
    with pytest.raises(DecryptionFailed):  # each direction has its own key
        caller.receive(invitation)
    with pytest.raises(DecryptionFailed):  # and each exchange its own keys
        joiner_b.receive(invitation)


@pytest.mark.parametrize("bit", [0, 9, 16, 100, 200, 8 * 40])
def test_any_flipped_bit_in_a_record_is_refused(bit: int) -> None:
    caller, joiner = sides()
    authenticate(caller, joiner)
    frame = caller.send_invitation("releve:" + "A" * 40)
    with pytest.raises(RemoteProtocolError):
        joiner.receive(flip_bit(frame, bit))
    assert joiner.stage is Stage.FAILED


@pytest.mark.parametrize("bit", [20, 100, 8 * 33])
def test_a_tampered_pake_message_or_confirmation_fails_as_a_wrong_code(bit: int) -> None:
    caller, joiner = sides()
    caller_pake, joiner_pake = caller.start(), joiner.start()
    try:
        joiner_confirm, _ = joiner.receive(flip_bit(caller_pake, bit))
    except MalformedInput:
        return  # not a group element at all
    caller_confirm, _ = caller.receive(joiner_pake)
    assert joiner_confirm is not None
    assert caller_confirm is not None
    with pytest.raises(WrongCode):
        caller.receive(joiner_confirm)
    caller, joiner = sides()
    caller_pake, joiner_pake = caller.start(), joiner.start()
    caller_confirm, _ = caller.receive(joiner_pake)
    joiner.receive(caller_pake)
    assert caller_confirm is not None
    with pytest.raises(WrongCode):
        joiner.receive(flip_bit(caller_confirm, 16 + bit % 256))


def test_an_abort_is_an_event_and_ends_the_exchange() -> None:
    caller, joiner = sides()
    authenticate(caller, joiner)
    invitation = caller.send_invitation("releve:" + "A" * 40)
    joiner.receive(invitation)
    abort = joiner.abort("already_paired")
    assert abort is not None
    assert joiner.stage is Stage.FAILED
    assert caller.receive(abort) == (None, AbortRecord("already_paired"))
    assert caller.stage is Stage.FAILED
    with pytest.raises(LocalProtocolError):
        joiner.abort("Not A Code")


def test_records_out_of_turn_are_refused() -> None:
    caller, joiner = sides()
    authenticate(caller, joiner)
    caller.send_invitation("releve:" + "A" * 40)  # the joiner never sees it...
    with pytest.raises(LocalProtocolError):
        joiner.send_answer(bytes(1024))  # ...so it cannot answer
    caller, joiner = sides()
    caller.start()
    joiner.start()
    with pytest.raises(MalformedInput):  # a confirmation before the PAKE message
        caller.receive(b"\x01\x02" + bytes(32))
    caller, joiner = sides()
    authenticate(caller, joiner)
    # The joiner ends before it was invited: the caller is told, not confused.
    abort = joiner.abort("pairing_timeout")
    assert abort is not None
    assert caller.receive(abort) == (None, AbortRecord("pairing_timeout"))


def test_roles_are_enforced_locally() -> None:
    caller, joiner = sides()
    authenticate(caller, joiner)
    with pytest.raises(LocalProtocolError):
        joiner.send_invitation("releve:x")
    with pytest.raises(LocalProtocolError):
        caller.send_answer(bytes(1024))
    with pytest.raises(LocalProtocolError):
        caller.send_done()
    with pytest.raises(LocalProtocolError):
        caller.start()


def test_the_largest_possible_answer_fits_one_frame() -> None:
    """A card with the longest name and eight of the longest host names still answers in
    one record (so the relay's frame limit is enough)."""
    host = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
    endpoints = tuple(Endpoint.relay(f"https://{host}:65535") for _ in range(8))
    name = "É" * 64
    big = Node(
        Identity.generate(DeterministicRandom("big")),
        Profile(name, Role.LABORATORY),
        Reachability(endpoints, bytes(16)),
        DeterministicRandom("big-rand"),
    )
    inviter = Node.create("Pharmacie", Role.PHARMACIST, DeterministicRandom("inv"))
    invitation = Invitation.from_text(inviter.invite(T0).invitation.to_text())
    card = ContactCard(big.profile, big.reachability)
    _, packet = accept(invitation, big.identity, card, T0, big.rand)
    record = AnswerRecord(packet).encode()
    caller, joiner = sides()
    authenticate(caller, joiner)
    joiner.receive(caller.send_invitation(invitation.to_text()))
    assert len(joiner.send_answer(packet)) <= MAX_FRAME_SIZE
    assert len(record) + 2 + 16 <= MAX_FRAME_SIZE


# --- decoders and random input -----------------------------------------------------------


@given(st.binary(max_size=MAX_FRAME_SIZE + 10))
@settings(max_examples=300, deadline=None)
def test_random_bytes_never_crash_the_frame_decoder(data: bytes) -> None:
    try:
        frame = decode_frame(data)
    except RemoteProtocolError:
        return
    assert decode_frame(frame.encode()) == frame


@given(st.binary(max_size=1100))
@settings(max_examples=300, deadline=None)
def test_random_bytes_never_crash_the_record_decoder(data: bytes) -> None:
    try:
        record = decode_record(data)
    except RemoteProtocolError:
        return
    assert decode_record(record.encode()) == record


@given(st.sampled_from(["started", "confirming", "authenticated"]), st.binary(max_size=200))
@settings(max_examples=200, deadline=None)
def test_random_frames_at_every_stage_raise_only_protocol_errors(stage: str, data: bytes) -> None:
    caller, joiner = sides()
    caller_pake, joiner_pake = caller.start(), joiner.start()
    if stage != "started":
        caller.receive(joiner_pake)
    if stage == "authenticated":
        confirm, _ = joiner.receive(caller_pake)
        assert confirm is not None
        caller.receive(confirm)
    try:
        caller.receive(data)
    except RemoteProtocolError:
        assert caller.stage is Stage.FAILED


@given(st.sampled_from([0, 1, 2]), st.binary(min_size=32, max_size=32))
@settings(max_examples=100, deadline=None)
def test_random_pake_points_raise_only_protocol_errors(prefix: int, point: bytes) -> None:
    caller, _ = sides()
    caller.start()
    frame = b"\x01\x01" + b"SAB"[prefix : prefix + 1] + point
    try:
        reply, _ = caller.receive(frame)
    except RemoteProtocolError:
        return
    assert reply is not None
    assert len(reply) == 34


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (b"", MalformedInput),
        (b"\x01", MalformedInput),
        (b"\x02\x01" + b"S" + bytes(32), UnsupportedVersion),
        (b"\x01\x01" + b"S" + bytes(31), MalformedInput),
        (b"\x01\x01" + b"S" + bytes(33), MalformedInput),
        (b"\x01\x01" + b"A" + bytes(32), MalformedInput),
        (b"\x01\x02" + bytes(31), MalformedInput),
        (b"\x01\x03" + bytes(16), MalformedInput),
        (b"\x01\x04", MalformedInput),
        (b"\x01\x03" + bytes(MAX_FRAME_SIZE), MalformedInput),
    ],
)
def test_frames_are_checked_exactly(frame: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_frame(frame)


@pytest.mark.parametrize(
    "record",
    [
        b"",
        b"\x01",
        b"\x01" + "é".encode(),
        b"\x01" + b"a" * 1025,
        b"\x02" + bytes(1000),
        b"\x03\x00",
        b"\x04",
        b"\x04Wrong",
        b"\x04" + b"a" * 33,
        b"\x05",
    ],
)
def test_records_are_checked_exactly(record: bytes) -> None:
    with pytest.raises(MalformedInput):
        decode_record(record)


def test_keys_are_three_independent_hkdf_outputs() -> None:
    keys = PhoneKeys.derive(bytes(32))
    assert len({keys.confirm, keys.caller, keys.joiner}) == 3
    assert all(len(k) == 32 for k in (keys.confirm, keys.caller, keys.joiner))


def test_the_module_stays_sans_io() -> None:
    probe = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        "import node.protocol.phone\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    added = json.loads(result.stdout)
    forbidden = {"asyncio", "aiohttp", "aiosqlite", "socket", "time"}
    assert "spake2" in added
    assert [name for name in added if name.split(".")[0] in forbidden] == []


# --- the test vector of docs/protocol.md §16.8 --------------------------------------------


class Replay:
    """Returns the given bytes, then fails: the exchange must draw exactly them."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __call__(self, n: int) -> bytes:
        assert n <= len(self.data)
        out, self.data = self.data[:n], self.data[n:]
        return out


def documented_vector() -> dict[str, str]:
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    section = text[text.index("### 16.8 Test vector") :]
    rows = re.findall(r"^\| (.+?) \| `([0-9a-f]+)` \|$", section, flags=re.MULTILINE)
    return dict(rows)


def test_the_documented_vector_is_recomputed() -> None:
    vector = documented_vector()
    code = Code.parse("7-lapin-orage-tigre")
    caller = PhoneExchange(PhoneRole.CALLER, code, Replay(b"\x01" * 64))
    joiner = PhoneExchange(PhoneRole.JOINER, code, Replay(b"\x02" * 64))
    caller_pake, joiner_pake = caller.start(), joiner.start()
    assert caller_pake.hex() == vector["caller PAKE frame"]
    assert joiner_pake.hex() == vector["joiner PAKE frame"]
    caller_confirm, _ = caller.receive(joiner_pake)
    joiner_confirm, _ = joiner.receive(caller_pake)
    assert caller_confirm is not None
    assert joiner_confirm is not None
    assert caller_confirm.hex() == vector["caller CONFIRM frame"]
    assert joiner_confirm.hex() == vector["joiner CONFIRM frame"]
    keys = PhoneKeys.derive(bytes.fromhex(vector["SPAKE2 key"]))
    assert keys.confirm.hex() == vector["`K_confirm`"]
    assert keys.caller.hex() == vector["`K_caller`"]
    assert keys.joiner.hex() == vector["`K_joiner`"]
    assert caller._keys == keys  # the SPAKE2 key of the vector is the one the exchange got
    assert joiner._keys == keys
    caller.receive(joiner_confirm)
    record = caller.send_invitation("releve:AAAA")
    assert record.hex() == vector["caller's first RECORD, INVITATION `releve:AAAA`"]
    assert joiner.receive(caller_confirm) == (None, Authenticated())
    assert joiner.receive(record) == (None, InvitationRecord("releve:AAAA"))
