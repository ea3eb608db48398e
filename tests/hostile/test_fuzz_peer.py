"""The node's peer endpoint (node/edges/peer_server.py), the only thing other machines reach, fed
raw HTTP requests on 127.0.0.1: random methods, paths, headers, sizes and bodies, and
bodies built from a paired contact's real packets, mutated. Never a 5xx, never an error
logged, bounded memory, and the node still takes the contact's next message."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from node.edges.peer_wire import BATCH_PATH, MAX_BATCH_BYTES, PACKET_PATH, encode_batch
from node.protocol import Role
from node.protocol.envelope import BUCKETS
from tests.hostile.fuzz_support import (
    METHODS,
    count,
    fuzz_settings,
    header_names,
    header_values,
    memory_bounded,
    mutations,
    no_logged_errors,
    raw_request,
    sized,
    spends,
    status_of,
)
from tests.hostile.inprocess import InProcessNode, exchange
from tests.unit.protocol.protocol_support import Party


@pytest.fixture(scope="module")
def peer(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[InProcessNode, Party, list[bytes]]]:
    """A pharmacy node whose peer endpoint takes any rate (the flood test covers the limit),
    paired with a GP; the GP's real packets seed the mutations."""
    node = InProcessNode(
        tmp_path_factory.mktemp("peer") / "home",
        "Pharmacie du Port",
        "pharmacist",
        peer_rate_per_second=1e9,
        peer_rate_burst=1_000_000_000,
    )
    try:
        gp = node.pair_with("Dr Camille Martin", Role.GP, "hostile peer gp")
        packets = [gp.send(f"ordonnance {i}", time.time())[1] for i in range(6)]
        yield node, gp, packets
    finally:
        node.close()


def bodies(packets: list[bytes]) -> st.SearchStrategy[bytes]:
    one = mutations(st.sampled_from(packets), max_random=2048)
    batch = st.lists(one, min_size=1, max_size=6).map(encode_batch)
    return st.one_of(
        one,
        mutations(batch, max_random=64),
        sized(BUCKETS),
        st.integers(0, 3 * 65536).map(lambda n: b"\x01" * n),  # around every size limit
        st.just(b""),
    )


paths = st.one_of(
    st.sampled_from((PACKET_PATH, BATCH_PATH)),
    st.sampled_from((PACKET_PATH, BATCH_PATH, "/", "/v1", "/v1/packet/", "//v1/packet")).map(
        lambda path: path.encode()
    ),
    st.builds(
        lambda base, tail: base + tail,
        st.sampled_from((b"/v1/packet", b"/v1/packets", b"/")),
        st.binary(max_size=40).map(
            lambda b: b.replace(b" ", b"%20").replace(b"\r", b"").replace(b"\n", b"")
        ),
    ),
    st.text(max_size=60).map(lambda t: ("/" + t).encode("utf-8").replace(b" ", b"+")),
).map(lambda path: path.encode() if isinstance(path, str) else path)


_METHOD = st.one_of(st.just("POST"), st.sampled_from(METHODS), st.text(min_size=1, max_size=8))
_HEADERS = st.lists(st.tuples(header_names, header_values), max_size=4)
_LENGTH = st.one_of(
    st.none(),
    st.integers(0, 2 * MAX_BATCH_BYTES).map(str),
    st.sampled_from(("-1", "abc", "1e3", " 5", "0x10", str(2**64))),
)
_VERSION = st.sampled_from((b"HTTP/1.1", b"HTTP/1.0", b"HTTP/1.1", b"HTTP/2.0", b"HTTX/1.1"))


def requests(packets: list[bytes]) -> st.SearchStrategy[bytes]:
    """Every strategy is built once, here: one built inside each draw would cost Hypothesis
    a validation per example, more than the request itself."""
    return _requests(bodies(packets))


@st.composite
def _requests(draw: st.DrawFn, body_strategy: st.SearchStrategy[bytes]) -> bytes:
    method = draw(_METHOD)
    body = draw(body_strategy)
    headers = draw(_HEADERS)
    length = str(len(body)) if draw(st.booleans()) else draw(_LENGTH)
    return raw_request(
        method,
        draw(paths),
        headers,
        body,
        content_length=length,
        chunked=draw(st.booleans()) and length is None,
        version=draw(_VERSION),
    )


@spends("peer.http")
def test_peer_endpoint_survives_random_requests(
    peer: tuple[InProcessNode, Party, list[bytes]],
) -> None:
    node, gp, packets = peer
    statuses: dict[int | None, int] = {}

    @given(request=requests(packets))
    @fuzz_settings("peer.http")
    def fuzz(request: bytes) -> None:
        count("peer.http")
        status = status_of(node.io.run(exchange(node.peer_port, request)))
        statuses[status] = statuses.get(status, 0) + 1
        assert status is None or status < 500, f"HTTP {status} for {request[:200]!r}"

    with no_logged_errors(), memory_bounded():
        fuzz()
    print(f"peer endpoint statuses: {dict(sorted(statuses.items(), key=str))}")
    assert statuses.get(400, 0) > 0

    # Still serving: the contact's next message is stored, and shown once.
    payload, packet = gp.send("toujours là ?", time.time())
    status, body = node.post(node.peer_port, PACKET_PATH, packet)
    assert (status, body) == (200, b'{"status": "stored"}')
    assert node.post(node.peer_port, PACKET_PATH, packet)[1] == b'{"status": "duplicate"}'
    row = node.io.run(node.store.message(payload.message_id))
    assert row is not None
    assert "toujours là ?".encode() in row.body
