"""Pairing (docs/protocol.md §7, §12): invitation as text, accept, answer packet, complete;
one-time, expiring, authenticated, and only for the node it is addressed to."""

from __future__ import annotations

import base64
import dataclasses
import re

import pytest

from node.protocol import (
    ContactCard,
    DecryptionFailed,
    Identity,
    Invitation,
    InvitationBook,
    InvitationExpired,
    InvitationUsed,
    LocalProtocolError,
    MalformedInput,
    PayloadKind,
    PendingInvitation,
    Profile,
    RemoteProtocolError,
    Role,
    SealedAnswer,
    Session,
    UnsupportedVersion,
    accept,
    complete,
    format_node_id,
    safety_number,
)
from node.protocol.invitation import MAX_TEXT_LENGTH, URI_PREFIX
from node.protocol.pairing import ANSWER_GRACE_SECONDS, Answer
from node.protocol.primitives import seal, seal_open
from tests.unit.protocol.protocol_support import (
    RELAY_URL,
    T0,
    DeterministicRandom,
    Node,
    Party,
    flip_bit,
    inviter_and_acceptor,
    run_pairing,
    typical_reachability,
)


def answer_of(inviter: Node, packet: bytes) -> SealedAnswer:
    sealed = inviter.open(packet)
    assert isinstance(sealed, SealedAnswer)
    return sealed


def book_with(pending: PendingInvitation) -> InvitationBook:
    book = InvitationBook()
    book.add(pending)
    return book


# --- The whole flow ----------------------------------------------------------------------------


def test_full_pairing_then_messages_both_ways() -> None:
    inviter, acceptor = inviter_and_acceptor("full")
    pending = PendingInvitation.create(
        inviter.identity, inviter.profile, inviter.reachability, T0, inviter.rand
    )
    book = book_with(pending)
    text = pending.invitation.to_text()
    invitation = Invitation.from_text(text)  # what the acceptor's camera read
    assert invitation == pending.invitation
    acceptor_paired, packet = accept(
        invitation, acceptor.identity, acceptor.card, T0 + 30, acceptor.rand
    )
    inviter_paired = book.complete(
        answer_of(inviter, packet), inviter.identity, T0 + 31, inviter.rand
    )

    assert acceptor_paired.peer == inviter.identity.public
    assert inviter_paired.peer == acceptor.identity.public
    assert inviter_paired.first_payload == acceptor_paired.first_payload
    assert inviter_paired.first_payload.kind is PayloadKind.CONTACT_CARD
    assert ContactCard.decode(inviter_paired.first_payload.body) == acceptor.card
    assert acceptor_paired.session.peer == inviter.identity.public
    assert inviter_paired.session.peer == acceptor.identity.public

    gp, pharmacy = (
        Party(acceptor, acceptor_paired.session),
        Party(inviter, inviter_paired.session),
    )
    for round_ in range(3):
        for sender, receiver in ((pharmacy, gp), (gp, pharmacy)):
            payloads = [sender.send(f"round {round_} #{i}") for i in range(2)]
            for payload, packet in payloads:
                assert receiver.receive(packet) == payload


def test_safety_numbers_match_and_do_not_depend_on_order() -> None:
    pairing = run_pairing(*inviter_and_acceptor("safety"))
    inviter_view = safety_number(pairing.inviter.identity.public, pairing.inviter_paired.peer)
    acceptor_view = safety_number(pairing.acceptor_paired.peer, pairing.acceptor.identity.public)
    assert inviter_view == acceptor_view
    assert re.fullmatch(r"\d{5}( \d{5}){11}", inviter_view)
    a, b = pairing.inviter.identity.public, pairing.acceptor.identity.public
    assert safety_number(a, b) == safety_number(b, a)
    stranger = Identity.generate(DeterministicRandom("stranger")).public
    assert safety_number(a, stranger) != safety_number(a, b)


def test_node_ids_are_shown_in_groups_of_four() -> None:
    identity = Identity.generate(DeterministicRandom("node id"))
    shown = format_node_id(identity.public.node_id)
    assert re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{1,4})+", shown)
    assert len(shown.replace("-", "")) == 26  # 16 bytes of base32, unpadded


def test_paired_sessions_survive_storage() -> None:
    pairing = run_pairing(*inviter_and_acceptor("storage"))
    for paired in (pairing.acceptor_paired, pairing.inviter_paired):
        encoded = paired.session.encode()
        assert Session.decode(encoded).encode() == encoded


# --- One-time, expiring ------------------------------------------------------------------------


def test_a_replayed_answer_is_refused() -> None:
    pairing = run_pairing(*inviter_and_acceptor("replay"))
    sealed = answer_of(pairing.inviter, pairing.answer_packet)
    with pytest.raises(InvitationUsed):
        pairing.book.complete(sealed, pairing.inviter.identity, T0 + 1, pairing.inviter.rand)


def test_a_second_acceptor_is_refused() -> None:
    pairing = run_pairing(*inviter_and_acceptor("second"))
    late = Node.create("Dr Late", Role.GP, DeterministicRandom("late"))
    _, packet = accept(pairing.pending.invitation, late.identity, late.card, T0, late.rand)
    with pytest.raises(InvitationUsed):
        pairing.book.complete(
            answer_of(pairing.inviter, packet), pairing.inviter.identity, T0, pairing.inviter.rand
        )


def test_an_expired_invitation_is_refused_on_accept() -> None:
    inviter, acceptor = inviter_and_acceptor("expired")
    pending = inviter.invite(T0, ttl_seconds=600)
    invitation = pending.invitation
    assert invitation.expires_at == T0 + 600
    accept(invitation, acceptor.identity, acceptor.card, T0 + 599.9, acceptor.rand)
    for now in (T0 + 600, T0 + 86_400):
        with pytest.raises(InvitationExpired):
            accept(invitation, acceptor.identity, acceptor.card, now, acceptor.rand)


def test_an_answer_in_transit_is_accepted_until_the_grace_period_ends() -> None:
    inviter, acceptor = inviter_and_acceptor("grace")
    pending = inviter.invite(T0, ttl_seconds=600)
    expires = pending.invitation.expires_at
    _, packet = accept(
        pending.invitation, acceptor.identity, acceptor.card, expires - 1, acceptor.rand
    )
    sealed = answer_of(inviter, packet)
    last_moment = expires + ANSWER_GRACE_SECONDS - 1
    paired = book_with(pending).complete(sealed, inviter.identity, last_moment, inviter.rand)
    assert paired.peer == acceptor.identity.public


def test_an_answer_after_expiry_and_grace_is_refused() -> None:
    inviter, acceptor = inviter_and_acceptor("too late")
    pending = inviter.invite(T0, ttl_seconds=600)
    expires = pending.invitation.expires_at
    _, packet = accept(
        pending.invitation, acceptor.identity, acceptor.card, expires - 1, acceptor.rand
    )
    sealed = answer_of(inviter, packet)
    too_late = expires + ANSWER_GRACE_SECONDS
    with pytest.raises(InvitationExpired):
        complete(pending, sealed, inviter.identity, too_late, inviter.rand)
    book = book_with(pending)
    with pytest.raises(RemoteProtocolError):  # the book has forgotten the invitation by then
        book.complete(sealed, inviter.identity, too_late, inviter.rand)


# --- Authenticated -----------------------------------------------------------------------------


def test_an_answer_with_the_wrong_secret_is_refused() -> None:
    inviter, acceptor = inviter_and_acceptor("wrong secret")
    pending = inviter.invite()
    book = book_with(pending)
    guessed = dataclasses.replace(pending.invitation, secret=bytes(16))
    _, packet = accept(guessed, acceptor.identity, acceptor.card, T0, acceptor.rand)
    with pytest.raises(DecryptionFailed):
        book.complete(answer_of(inviter, packet), inviter.identity, T0, inviter.rand)
    # The failed attempt did not use the invitation up.
    _, packet = accept(pending.invitation, acceptor.identity, acceptor.card, T0, acceptor.rand)
    assert book.complete(answer_of(inviter, packet), inviter.identity, T0, inviter.rand)


def tampered(pending: PendingInvitation, sealed: SealedAnswer, **changes: object) -> SealedAnswer:
    """The answer opened with the one-time key, changed, and sealed again: what anyone who
    saw the QR code could send."""
    one_time = pending.invitation.one_time_key
    answer = Answer.decode(seal_open(one_time, pending.one_time_private, sealed.sealed))
    changed = dataclasses.replace(answer, **changes)  # type: ignore[arg-type]
    return SealedAnswer(sealed.tag, seal(one_time, changed.encode(), DeterministicRandom("mitm")))


@pytest.mark.parametrize("field", ["proof", "signature", "acceptor", "ephemeral_key"])
def test_a_tampered_answer_is_refused(field: str) -> None:
    inviter, acceptor = inviter_and_acceptor(f"tampered {field}")
    pending = inviter.invite()
    book = book_with(pending)
    _, packet = accept(pending.invitation, acceptor.identity, acceptor.card, T0, acceptor.rand)
    sealed = answer_of(inviter, packet)
    answer = Answer.decode(
        seal_open(pending.invitation.one_time_key, pending.one_time_private, sealed.sealed)
    )
    other = Identity.generate(DeterministicRandom("other")).public
    replacement: object = {
        "proof": flip_bit(answer.proof, 100),
        "signature": flip_bit(answer.signature, 3),
        "acceptor": other,  # someone else's keys under the acceptor's signature
        "ephemeral_key": other.dh_key,
    }[field]
    with pytest.raises(DecryptionFailed):
        book.complete(
            tampered(pending, sealed, **{field: replacement}), inviter.identity, T0, inviter.rand
        )
    assert (
        book.complete(sealed, inviter.identity, T0, inviter.rand).peer == acceptor.identity.public
    )


def test_only_the_addressed_node_opens_a_packet() -> None:
    pairing = run_pairing(*inviter_and_acceptor("addressed"))
    carol = Node.create("Carol", Role.NURSE, DeterministicRandom("carol"))
    with pytest.raises(DecryptionFailed):
        carol.open(pairing.answer_packet)
    gp = Party(pairing.acceptor, pairing.acceptor_paired.session)
    _, packet = gp.send("pour la pharmacie seulement")
    with pytest.raises(DecryptionFailed):
        carol.open(packet)
    with pytest.raises(DecryptionFailed):
        pairing.acceptor.open(packet)  # not even the sender


def test_answer_to_another_invitation_is_a_local_mistake() -> None:
    inviter, acceptor = inviter_and_acceptor("other invitation")
    first, second = inviter.invite(), inviter.invite()
    _, packet = accept(first.invitation, acceptor.identity, acceptor.card, T0, acceptor.rand)
    sealed = answer_of(inviter, packet)
    with pytest.raises(LocalProtocolError):
        complete(second, sealed, inviter.identity, T0, inviter.rand)
    with pytest.raises(MalformedInput):  # the book routes by tag: unknown here
        book_with(second).complete(sealed, inviter.identity, T0, inviter.rand)


def test_accepting_ones_own_invitation_is_refused() -> None:
    inviter, _ = inviter_and_acceptor("own")
    pending = inviter.invite()
    with pytest.raises(LocalProtocolError):
        accept(pending.invitation, inviter.identity, inviter.card, T0, inviter.rand)


# --- The invitation's text form ----------------------------------------------------------------


def test_invitation_text_round_trips_with_line_breaks_and_upper_case_prefix() -> None:
    invitation = inviter_and_acceptor("text")[0].invite().invitation
    text = invitation.to_text()
    assert text.startswith(URI_PREFIX)
    assert "=" not in text
    broken = "\n".join(text[i : i + 40] for i in range(0, len(text), 40))
    assert Invitation.from_text(f"  {broken}\r\n") == invitation
    assert Invitation.from_text("RELEVE:" + text[len(URI_PREFIX) :]) == invitation


def test_invitation_text_with_a_typical_practice_fits_in_250_characters() -> None:
    rand = DeterministicRandom("size")
    reachability = typical_reachability(rand)  # one relay, two IPv4 addresses, a mailbox
    assert [e.url for e in reachability.relays] == [f"{RELAY_URL}:443"]
    assert len(reachability.direct) == 2
    assert len(reachability.mailbox_id) == 16
    profile = Profile("Dr Martin", Role.GP)
    pending = PendingInvitation.create(Identity.generate(rand), profile, reachability, T0, rand)
    assert len(pending.invitation.to_text()) <= 250


def test_a_wrong_version_invitation_is_unsupported() -> None:
    valid = inviter_and_acceptor("version")[0].invite().invitation.encode()
    for version in (0, 2, 255):
        encoded = bytes([version]) + valid[1:]
        with pytest.raises(UnsupportedVersion):
            Invitation.decode(encoded)
        text = URI_PREFIX + base64.urlsafe_b64encode(encoded).decode("ascii").rstrip("=")
        with pytest.raises(UnsupportedVersion):
            Invitation.from_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "releve",
        "relève:AQ",
        "https://releve.example/AQ",
        "releve:" + "A" * MAX_TEXT_LENGTH,
        "releve:AQID+A",
        "releve:AQID/A",
        "releve:AQI=",
        "releve:AQ!D",
        "releve:AA!!",
        "releve:AQéD",
        "releve:AQIDB",  # 5 characters: not a length base64 can have
    ],
)
def test_malformed_invitation_text_is_refused(text: str) -> None:
    with pytest.raises(MalformedInput):
        Invitation.from_text(text)


def test_a_damaged_character_is_refused_not_skipped() -> None:
    # A character outside base64url must not be dropped silently: the rest of the text
    # would then decode as if nothing had happened.
    text = inviter_and_acceptor("damaged")[0].invite().invitation.to_text()
    for damaged in (text[:40] + "!" + text[40:], text[:40] + "+" + text[41:], text + "="):
        with pytest.raises(MalformedInput):
            Invitation.from_text(damaged)


def test_invitation_text_must_be_text() -> None:
    with pytest.raises(MalformedInput):
        Invitation.from_text(b"releve:AQ")  # type: ignore[arg-type]


def test_an_overlong_text_is_refused_before_decoding() -> None:
    valid = inviter_and_acceptor("long")[0].invite().invitation.to_text()
    padded = valid + "A" * (MAX_TEXT_LENGTH - len(valid) + 1)
    with pytest.raises(MalformedInput, match="too long"):
        Invitation.from_text(padded)


def test_pending_invitation_round_trips_and_hides_its_secrets() -> None:
    pending = inviter_and_acceptor("pending")[0].invite()
    assert PendingInvitation.decode(pending.encode()) == pending
    assert pending.one_time_private.hex() not in repr(pending)
    assert pending.invitation.secret.hex() not in repr(pending)
