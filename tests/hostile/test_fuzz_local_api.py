"""The node's local API (node/edges/api/server.py ``LocalApi``, with a real node on a
temporary home) fed random JSON bodies, paths and query strings with a valid token, and
random headers: never a 5xx, never an error logged, bounded memory, still serving after.

Left out on purpose: ``POST /v1/identity/revoke`` with ``{"confirm": true}`` (a valid,
irreversible request, tested by tests/integration/test_trust.py) and ``wait`` values above
zero (a valid long poll). Pairing by phone is not wired (it would reach out to relays), so
its routes answer 404 here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from node.protocol import Role
from tests.hostile.fuzz_support import (
    count,
    fuzz_settings,
    header_names,
    header_values,
    memory_bounded,
    no_logged_errors,
    raw_request,
    spends,
    status_of,
)
from tests.hostile.inprocess import InProcessNode, exchange


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessNode]:
    node = InProcessNode(tmp_path_factory.mktemp("api") / "home", "Dr Camille Martin", "gp")
    try:
        node.pair_with("Pharmacie du Port", Role.PHARMACIST, "api pharmacy")
        node.pair_with("Cabinet Saint-Roch", Role.PRACTICE, "api practice")
        yield node
    finally:
        node.close()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
KEYS = (
    "contact",
    "text",
    "invitation",
    "ttl_minutes",
    "confirm",
    "relay",
    "code",
    "kind",
    # a clinic server's mailboxes
    "name",
    "members",
    "public",
    "default",
    "add",
    "remove",
    "mailbox",
    "to_mailbox",
    # a clinic server's people
    "role",
    "rpps",
)
VALUES = st.one_of(
    JSON,
    st.sampled_from(("Pharmacie", "Cabinet", "p", "", " ", "x" * 70_000, "releve:AAAA")),
    st.sampled_from(("clinician", "secretary", "admin", "10001234565", "Anne\u202eRoux")),
    st.integers(-(2**70), 2**70),
    st.sampled_from((0, 1, 15, 43200, 43201, -1, 1e308, float("inf"))),
)
OBJECTS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4) | st.dictionaries(
    st.text(max_size=8), JSON, max_size=3
)


def _dump(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


def _nested(depth: int, kind: str) -> bytes:
    """``[[[1]]]`` or ``{"a": {"a": 1}}``, ``depth`` levels: Python's parser recursed once
    per level and failed near 1,000 with a RecursionError (a 500)."""
    opener, closer = {"array": (b"[", b"]"), "object": (b'{"a": ', b"}")}[kind]
    return opener * depth + b"1" + closer * depth


DEEP = st.builds(_nested, st.integers(1, 5000), st.sampled_from(("array", "object")))
# Numbers JSON cannot hold (Python's parser reads them as nan and inf unless told not to).
NON_FINITE = st.sampled_from(
    (b"Infinity", b"-Infinity", b"NaN", b"1e999", b"-1e999", b"1E400", b"2e308", b"-0.1e310")
)


def _member(key: str, value: bytes, last: bool) -> bytes:
    member = b'"' + key.encode() + b'": ' + value
    return b"{" + member + b"}" if last else b'{"contact": "Pharmacie", ' + member + b"}"


HOSTILE_MEMBERS = st.builds(
    _member, st.sampled_from(KEYS), st.one_of(DEEP, NON_FINITE), st.booleans()
)
BODIES = st.one_of(
    OBJECTS.map(_dump),
    JSON.map(_dump),
    DEEP,
    HOSTILE_MEMBERS,
    st.binary(max_size=200),
    st.text(max_size=100).map(str.encode),
    st.just(b""),
    st.integers(200_000, 300_000).map(lambda n: b'{"text": "' + b"a" * n + b'"}'),  # > 256 KiB
)
ROUTES = (
    ("GET", "/v1/status"),
    ("POST", "/v1/invitations"),
    ("POST", "/v1/pairings"),
    ("GET", "/v1/contacts"),
    ("POST", "/v1/messages"),
    ("GET", "/v1/messages"),
    ("GET", "/v1/inbox"),
    ("GET", "/v1/messages/{id}"),
    ("POST", "/v1/messages/{id}/read"),
    ("POST", "/v1/contacts/verify"),
    ("POST", "/v1/contacts/unpair"),
    ("POST", "/v1/identity/revoke"),
    ("POST", "/v1/pairings/call"),
    ("GET", "/v1/pairings/call/{id}"),
    ("DELETE", "/v1/pairings/call/{id}"),
    ("POST", "/v1/pairings/join"),
    ("POST", "/v1/search"),  # (not POST /v1/check: its contacts here never answer, a check
    # would wait its whole bound)
    ("GET", "/v1/mailboxes"),
    ("POST", "/v1/mailboxes"),
    ("DELETE", "/v1/mailboxes/{id}"),
    ("POST", "/v1/mailboxes/{id}/members"),
    ("POST", "/v1/mailboxes/{id}/default"),
    ("GET", "/v1/users"),
    ("POST", "/v1/users"),
    ("GET", "/v1/users/{id}"),
    ("POST", "/v1/users/{id}/disable"),
    ("POST", "/v1/users/{id}/enable"),
    ("POST", "/v1/users/{id}/reset"),
    ("DELETE", "/v1/web/sessions/{id}"),
)
IDS = st.one_of(
    st.binary(max_size=20).map(bytes.hex),
    st.text(max_size=20).map(lambda t: quote(t, safe="")),
    st.sampled_from(("..", "%00", "%2F", "0" * 32, "zz")),
)
QUERY_KEYS = ("direction", "limit", "unread", "match", "wait", "mailbox", "x")
QUERY_VALUES = st.one_of(
    st.sampled_from(("in", "out", "1", "true", "0", "-1", "", "10001", "1e9", "abc", "%", "Ph")),
    st.integers(-(2**40), 2**40).map(str),
    st.text(max_size=20),
)


def _query(pairs: list[tuple[str, str]]) -> str:
    # wait > 0 is a valid long poll: keep it at an invalid or zero value.
    kept = [(k, v if k != "wait" or not v.strip().isdigit() else "0") for k, v in pairs]
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in kept)


_ASCII_VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)


@st.composite
def api_requests(draw: st.DrawFn, token: str) -> bytes:
    method, template = draw(st.sampled_from(ROUTES))
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")))
    path = template.replace("{id}", draw(IDS))
    if draw(st.integers(0, 9)) == 0:
        path = "/" + quote(draw(st.text(max_size=30)), safe="/")
    query = _query(draw(st.lists(st.tuples(st.sampled_from(QUERY_KEYS), QUERY_VALUES), max_size=3)))
    body = draw(BODIES)
    if path == "/v1/identity/revoke" and b'"confirm": true' in body:
        body = b"{}"
    headers = [("Authorization", f"Bearer {token}")]
    if draw(st.integers(0, 19)) == 0:
        headers = [("Authorization", draw(_ASCII_VALUES))]
    headers += draw(st.lists(st.tuples(header_names, header_values), max_size=2))
    target = (path + ("?" + query if query else "")).encode("utf-8", "replace")
    return raw_request(method, target, headers, body, content_length=str(len(body)), chunked=False)


@spends("local_api.http")
def test_local_api_survives_random_requests(node: InProcessNode) -> None:
    statuses: dict[int | None, int] = {}

    @given(request=api_requests(node.token))
    @fuzz_settings("local_api.http")
    def fuzz(request: bytes) -> None:
        count("local_api.http")
        status = status_of(node.io.run(exchange(node.api_port, request)))
        statuses[status] = statuses.get(status, 0) + 1
        assert status is None or status < 500, f"HTTP {status} for {request[:300]!r}"

    with no_logged_errors(), memory_bounded():
        fuzz()
    print(f"local API statuses: {dict(sorted(statuses.items(), key=str))}")
    assert statuses.get(500, 0) == 0
    assert statuses.get(200, 0) > 0
    assert statuses.get(400, 0) > 0

    # Still serving: the status and a message to a contact that is still paired.
    status, body = node.post(
        node.api_port, "/v1/invitations", b"{}", {"Authorization": f"Bearer {node.token}"}
    )
    assert status == 201, body
    answer = node.io.run(
        exchange(
            node.api_port,
            f"GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            f"Authorization: Bearer {node.token}\r\n\r\n".encode(),
            whole=True,
        )
    )
    assert status_of(answer) == 200
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["name"] == "Dr Camille Martin"


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # A token that is not UTF-8 is a wrong token.
        (b"GET /v1/status HTTP/1.1\r\nAuthorization: Bearer \x80\xff\r\n", b"", 401),
        # A body that is not what its Content-Encoding says.
        (b"POST /v1/invitations HTTP/1.1\r\nContent-Encoding: gzip\r\n{auth}", b"{}", 400),
        # An Expect header that is not UTF-8, on a route and elsewhere.
        (b"POST /v1/invitations HTTP/1.1\r\nExpect: \xe9t\xe9\r\n{auth}", b"{}", 417),
        (b"POST /v1/nowhere HTTP/1.1\r\nExpect: \xe9t\xe9\r\n{auth}", b"{}", 417),
    ],
)
def test_headers_and_bodies_that_once_gave_a_500(
    node: InProcessNode, head: bytes, body: bytes, expected: int
) -> None:
    auth = f"Authorization: Bearer {node.token}\r\n".encode()
    request = (
        head.replace(b"{auth}", auth)
        + b"Host: x\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    with no_logged_errors():
        assert status_of(node.io.run(exchange(node.api_port, request, whole=True))) == expected


# The JSON endpoints, each with a body that nests too deep: 400 too_deep, never a 500.
JSON_ENDPOINTS = (
    "/v1/invitations",
    "/v1/pairings",
    "/v1/messages",
    "/v1/export",
    "/v1/contacts/verify",
    "/v1/contacts/unpair",
    "/v1/identity/revoke",
    "/v1/pairings/call",
    "/v1/pairings/join",
)


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
@pytest.mark.parametrize("body", [_nested(100_000, "array"), _nested(2_000, "object")])
def test_deep_nesting_is_refused_on_every_json_endpoint(
    node: InProcessNode, path: str, body: bytes
) -> None:
    with no_logged_errors():
        status, answer = node.post(
            node.api_port, path, body, {"Authorization": f"Bearer {node.token}"}
        )
    assert status == 400, answer
    assert json.loads(answer)["error"]["code"] == "too_deep"


@pytest.mark.parametrize(
    ("ttl", "code"),
    [
        (b"Infinity", "non_finite_number"),
        (b"-Infinity", "non_finite_number"),
        (b"NaN", "non_finite_number"),
        (b"1e999", "non_finite_number"),
        (b"-1e999", "non_finite_number"),
        (b"1e308", "bad_request"),  # finite, out of range
        (b"15.5", "bad_request"),  # not a whole number
        (b"true", "bad_request"),
        (b"1" + b"0" * 5000, "bad_request"),  # over Python's limit of digits
    ],
)
def test_ttl_minutes_that_is_not_a_number_of_minutes_is_refused(
    node: InProcessNode, ttl: bytes, code: str
) -> None:
    with no_logged_errors():
        status, answer = node.post(
            node.api_port,
            "/v1/invitations",
            b'{"ttl_minutes": ' + ttl + b"}",
            {"Authorization": f"Bearer {node.token}"},
        )
    assert status == 400, answer
    assert json.loads(answer)["error"]["code"] == code


@pytest.mark.parametrize(
    ("authorization", "status"),
    [("Bearer {token}", 201), ("bearer {token}", 201), ("{token}", 201), ("Basic {token}", 401)],
)
def test_the_token_with_or_without_its_scheme(
    node: InProcessNode, authorization: str, status: int
) -> None:
    """docs/local-api.md: ``Bearer TOKEN`` (any case), or the bare token."""
    headers = {"Authorization": authorization.format(token=node.token)}
    assert node.post(node.api_port, "/v1/invitations", b"{}", headers)[0] == status
