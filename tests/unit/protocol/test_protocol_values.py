"""Wire values validated on construction (docs/protocol.md §6, §9): profiles, endpoints,
reachability and payloads. A bad value from this side is a LocalProtocolError, the same
value from the wire a MalformedInput."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.protocol import (
    ContactCard,
    Endpoint,
    EndpointKind,
    LocalProtocolError,
    MalformedInput,
    Payload,
    PayloadKind,
    Profile,
    Reachability,
    RemoteProtocolError,
    Role,
)
from node.protocol.payload import MAX_TEXT_BYTES, decode_text_body, encode_text
from node.protocol.profile import MAX_NAME_CHARS
from node.protocol.wire import Reader, Writer
from tests.unit.protocol.protocol_support import T0, DeterministicRandom


def profile_bytes(name: bytes, role: int = Role.GP) -> bytes:
    return Writer().bytes8(name).u8(role).getvalue()


def decode_profile(data: bytes) -> Profile:
    reader = Reader(data, "profile")
    profile = Profile.decode_from(reader)
    reader.done()
    return profile


def encode_profile(profile: Profile) -> bytes:
    writer = Writer()
    profile.encode_into(writer)
    return writer.getvalue()


# --- Profile -----------------------------------------------------------------------------------


def test_names_are_stored_in_nfc() -> None:
    decomposed = "Ce\u0301cile Du\u0308rr"
    profile = Profile(decomposed, Role.NURSE)
    assert profile.name == unicodedata.normalize("NFC", decomposed) == "Cécile Dürr"
    assert decode_profile(profile_bytes(decomposed.encode())).name == "Cécile Dürr"


@pytest.mark.parametrize(
    "name",
    ["", "   ", "Dr\nMartin", "Dr\x7fMartin", "Dr\x85Martin", "x" * (MAX_NAME_CHARS + 1)],
    ids=["empty", "blank", "newline", "DEL", "C1 control", "too long"],
)
def test_bad_names_are_refused_here_and_on_the_wire(name: str) -> None:
    with pytest.raises(LocalProtocolError):
        Profile(name)
    with pytest.raises(MalformedInput):
        decode_profile(profile_bytes(name.encode()))


def test_a_name_of_64_emoji_is_refused_rather_than_failing_to_encode() -> None:
    # 64 characters of 4 UTF-8 bytes each do not fit the 255-byte name field: refused when
    # the profile is made, not with a ValueError when it is first sent.
    with pytest.raises(LocalProtocolError):
        Profile("\U0001f9d1" * MAX_NAME_CHARS)
    widest = Profile("\U0001f9d1" * 63)
    assert decode_profile(encode_profile(widest)) == widest


def test_names_are_checked_after_normalising() -> None:
    # U+FB2C is one character whose NFC form is three: 64 of them become 192 characters.
    expanding = "\ufb2c" * MAX_NAME_CHARS
    assert len(unicodedata.normalize("NFC", expanding)) == 3 * MAX_NAME_CHARS
    with pytest.raises(LocalProtocolError):
        Profile(expanding)
    with pytest.raises(MalformedInput):
        decode_profile(profile_bytes(expanding.encode()))


def test_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(LocalProtocolError):
        Profile("Dr \ud800")


def test_an_unknown_role_from_a_newer_peer_is_shown_as_other() -> None:
    # Codes are 0..63 since the prescriber flag (0x40, docs/protocol.md §6.1, §19.1).
    assert decode_profile(profile_bytes(b"Dr Martin", 0x2E)).role is Role.OTHER


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=80))
def test_any_accepted_name_encodes_and_decodes(name: str) -> None:
    try:
        profile = Profile(name, Role.PRACTICE)
    except LocalProtocolError:
        return
    assert decode_profile(encode_profile(profile)) == profile


# --- Endpoints and reachability ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind", "host", "port"),
    [
        ("https://relay.example.fr", EndpointKind.RELAY_HTTPS, "relay.example.fr", 443),
        ("https://Relay.Example.FR:8443/", EndpointKind.RELAY_HTTPS, "relay.example.fr", 8443),
        ("http://10.0.0.1:8080", EndpointKind.RELAY_HTTP, "10.0.0.1", 8080),
        ("http://[2001:db8::1]:80", EndpointKind.RELAY_HTTP, "2001:db8::1", 80),
    ],
)
def test_relay_urls(url: str, kind: EndpointKind, host: str, port: int) -> None:
    endpoint = Endpoint.relay(url)
    assert (endpoint.kind, endpoint.host, endpoint.port) == (kind, host, port)
    assert endpoint.is_relay
    assert Endpoint.relay(endpoint.url) == endpoint


@pytest.mark.parametrize(
    "url",
    [
        "relay.example.fr",
        "ftp://relay.example.fr",
        "https://relay.example.fr/path",
        "https://relay.example.fr:0",
        "https://relay.example.fr:70000",
        "https://under_score.example",
        "https://relay.example.fr\n",
        "https://relay\n.example.fr",
        "https://-bad.example",
    ],
)
def test_bad_relay_urls_are_refused(url: str) -> None:
    with pytest.raises(LocalProtocolError):
        Endpoint.relay(url)


def test_direct_endpoints_pick_their_kind() -> None:
    assert Endpoint.direct("192.168.1.20", 7440).kind is EndpointKind.DIRECT_IPV4
    assert Endpoint.direct("2001:db8::1", 7440).kind is EndpointKind.DIRECT_IPV6
    named = Endpoint.direct("Cabinet.Local", 7440)
    assert (named.kind, named.host) == (EndpointKind.DIRECT_HOST, "cabinet.local")
    assert not named.is_relay


def endpoint_bytes(kind: int, host: bytes, port: int = 443) -> bytes:
    return Writer().u8(kind).bytes8(host).u16(port).getvalue()


@pytest.mark.parametrize(
    "host",
    [
        b"relay.example.fr\n",
        b"::1%\n",
        b"fe80::1%eth0",
        b"",
        b"a" * 254,
        b"caf\xc3\xa9.fr",
        b"A.FR",
    ],
)
def test_bad_host_names_from_the_wire_are_refused(host: bytes) -> None:
    # "$" in a regular expression also matches before a final newline: a host name ending
    # in "\n" was accepted, and would have reached a URL. A scope id ("%...") is free text.
    for kind in (EndpointKind.DIRECT_HOST, EndpointKind.RELAY_HTTPS):
        with pytest.raises(MalformedInput):
            Endpoint.decode_from(Reader(endpoint_bytes(kind, host), "endpoint"))


@pytest.mark.parametrize("host", ["relay.example\n", "fe80::1%eth0", "::1%\n"])
def test_bad_host_names_are_refused_here(host: str) -> None:
    with pytest.raises(LocalProtocolError):
        Endpoint(EndpointKind.DIRECT_HOST, host, 443)
    with pytest.raises(LocalProtocolError):
        Endpoint.direct(host, 443)


def test_address_family_must_match_the_kind() -> None:
    with pytest.raises(LocalProtocolError):
        Endpoint(EndpointKind.DIRECT_IPV4, "2001:db8::1", 1)
    with pytest.raises(LocalProtocolError):
        Endpoint(EndpointKind.DIRECT_IPV6, "10.0.0.1", 1)
    with pytest.raises(MalformedInput):  # port 0 from the wire
        Endpoint.decode_from(Reader(Writer().u8(1).raw(bytes(4)).u16(0).getvalue(), "e"))


def test_reachability_is_bounded() -> None:
    many = tuple(Endpoint.direct(f"10.0.0.{i}", 7440) for i in range(9))
    with pytest.raises(LocalProtocolError):
        Reachability(many)
    with pytest.raises(LocalProtocolError):
        Reachability(many[:2], mailbox_id=bytes(15))
    reachability = Reachability((*many[:2], Endpoint.relay("https://relay.example.fr")))
    assert len(reachability.direct) == 2
    assert len(reachability.relays) == 1
    writer = Writer()
    reachability.encode_into(writer)
    assert Reachability.decode_from(Reader(writer.getvalue(), "r")) == reachability


# --- Payloads ----------------------------------------------------------------------------------


def test_payload_fields() -> None:
    body = encode_text("bonjour")
    payload = Payload.new(PayloadKind.TEXT, body, 7, T0 + 0.123, DeterministicRandom("p"))
    assert len(payload.message_id) == 16
    assert (payload.seq, payload.sent_at_ms) == (7, (T0 * 1000) + 123)
    assert Payload.decode(payload.encode()) == payload
    with pytest.raises(LocalProtocolError):
        Payload(bytes(15), 0, PayloadKind.TEXT, 0, b"")
    with pytest.raises(LocalProtocolError):
        Payload(bytes(16), -1, PayloadKind.TEXT, 0, b"")


def test_text_bodies_are_bounded_on_both_sides() -> None:
    longest = "é" * (MAX_TEXT_BYTES // 2)
    assert encode_text(longest) == b"\x00\x00" + longest.encode()  # meta: normal, no reply
    assert decode_text_body(encode_text(longest)) == longest
    with pytest.raises(LocalProtocolError):
        encode_text("x" * (MAX_TEXT_BYTES + 1))
    with pytest.raises(MalformedInput):
        decode_text_body(b"\x00\x00" + b"x" * (MAX_TEXT_BYTES + 1))
    with pytest.raises(MalformedInput):
        decode_text_body(b"\x00\x00\xc3")


def test_unknown_payload_kinds_and_versions_are_remote_errors() -> None:
    body = encode_text("x")
    valid = Payload.new(PayloadKind.TEXT, body, 0, T0, DeterministicRandom("k")).encode()
    assert Payload.decode(valid).body == body
    with pytest.raises(RemoteProtocolError):
        Payload.decode(valid[:1] + b"\x7f" + valid[2:])
    with pytest.raises(RemoteProtocolError):
        Payload.decode(b"\x02" + valid[1:])


def test_contact_cards_round_trip() -> None:
    card = ContactCard(
        Profile("Laboratoire Centre", Role.LABORATORY),
        Reachability((Endpoint.direct("labo.example", 7440),), mailbox_id=bytes(range(16))),
    )
    assert ContactCard.decode(card.encode()) == card
    with pytest.raises(MalformedInput):
        ContactCard.decode(card.encode() + b"\x00")
