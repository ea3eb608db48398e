"""The relay (relay/server.py ``create_app``) fed raw HTTP requests on its deposit, health
and rendezvous endpoints, and random or mutated WebSocket frames on subscriptions, before
and after a valid AUTH. Never a 5xx but the designed ones (503 only while shutting down, 507
for a full relay: neither happens here), never an error logged, every WebSocket refusal an
ERROR frame and a 4000 + code close, bounded memory; afterwards a real owner still
receives what was deposited for it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import aiohttp
import nacl.bindings as sodium
import pytest
from hypothesis import given
from hypothesis import strategies as st

from node.protocol import relay_wire as rp
from relay.config import RelayConfig
from relay.subscriptions import CLOSE_CODE_BASE
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
    seeded,
    spends,
    status_of,
)
from tests.hostile.inprocess import InProcessRelay, exchange

MAILBOX_SEED = bytes(range(32))
PUBLIC, SECRET = (bytes(k) for k in sodium.crypto_sign_seed_keypair(MAILBOX_SEED))
MAILBOX = rp.mailbox_id_for(PUBLIC)
CAPABILITY = rp.deposit_capability_for(MAILBOX_SEED)
DEPOSIT_HASH = rp.deposit_hash_for(CAPABILITY)
# Bound on waiting for a frame the relay owes (a CHALLENGE, a WELCOME, a BLOB): generous, for
# it ends as soon as the frame comes, and a loaded machine sends it late.
FRAME_SECONDS = 60.0
ALLOWED_CODES = frozenset(
    (1000, 1006, *(int(c) for c in rp.ErrorCode), *(CLOSE_CODE_BASE + int(c) for c in rp.ErrorCode))
)


@pytest.fixture(scope="module")
def relay() -> Iterator[InProcessRelay]:
    config = RelayConfig(
        deposit_rate_per_second=1e9,
        deposit_burst=1_000_000_000,
        subscribe_rate_per_second=1e9,
        subscribe_burst=1_000_000_000,
        rendezvous_rate_per_second=1e9,
        rendezvous_burst=1_000_000_000,
        max_total_bytes=64 * 1024 * 1024,
        max_mailbox_bytes=8 * 1024 * 1024,
        auth_timeout_seconds=2.0,
        body_timeout_seconds=2.0,
    )
    server = InProcessRelay(config)
    try:
        yield server
    finally:
        server.close()


def _deposits() -> st.SearchStrategy[bytes]:
    rng = seeded("relay deposits")
    blobs = [rng.randbytes(n) for n in (256, 1024, 17, 65536)]
    valid = [
        rp.encode_deposits([(MAILBOX, CAPABILITY, blobs[0])]),
        rp.encode_deposits([(rng.randbytes(16), rng.randbytes(32), b) for b in blobs]),
    ]
    return mutations(st.sampled_from(valid), max_random=1024)


PATHS = st.one_of(
    st.sampled_from(
        (
            rp.DEPOSIT_PATH,
            rp.single_deposit_path(MAILBOX),
            rp.HEALTH_PATH,
            rp.SUBSCRIBE_PATH,
            rp.RENDEZVOUS_PATH,
            rp.rendezvous_path(1),
        )
    ).map(str.encode),
    st.builds(
        lambda tail: b"/v2/mailboxes/" + tail + b"/blobs",
        st.one_of(
            st.binary(max_size=40).map(lambda b: b.hex().encode()),
            st.text(alphabet="0123456789abcdefABCDEFxyz%/.", max_size=40).map(str.encode),
        ),
    ),
    st.builds(
        lambda tail: b"/v1/rendezvous/" + tail,
        st.text(alphabet="0123456789-+ abc%", max_size=8).map(
            lambda t: t.replace(" ", "%20").encode()
        ),
    ),
    st.text(max_size=50).map(lambda t: ("/" + t).replace(" ", "+").encode("utf-8")),
)


_METHOD = st.one_of(st.just("POST"), st.sampled_from(METHODS))
_BODY = st.one_of(_deposits(), st.binary(max_size=256), st.integers(0, 70_000).map(bytes))
_LENGTH = st.one_of(
    st.none(),
    st.integers(0, 5_000_000).map(str),
    st.sampled_from(("-1", "x", str(2**64))),
)
_HEADERS = st.lists(st.tuples(header_names, header_values), max_size=4)


@st.composite
def http_requests(draw: st.DrawFn) -> bytes:
    """The strategies are module constants: built once, not at every draw."""
    method = draw(_METHOD)
    body = draw(_BODY)
    length = str(len(body)) if draw(st.booleans()) else draw(_LENGTH)
    headers = draw(_HEADERS)
    return raw_request(
        method,
        draw(PATHS),
        headers,
        body,
        content_length=length,
        chunked=draw(st.booleans()) and length is None,
    )


@spends("relay.http")
def test_relay_http_survives_random_requests(relay: InProcessRelay) -> None:
    statuses: dict[int | None, int] = {}

    @given(request=http_requests())
    @fuzz_settings("relay.http")
    def fuzz(request: bytes) -> None:
        count("relay.http")
        status = status_of(relay.io.run(exchange(relay.port, request)))
        statuses[status] = statuses.get(status, 0) + 1
        assert status is None or status < 500, f"HTTP {status} for {request[:200]!r}"

    with no_logged_errors(), memory_bounded():
        fuzz()
    print(f"relay HTTP statuses: {dict(sorted(statuses.items(), key=str))}")
    assert statuses.get(200, 0) > 0
    assert statuses.get(400, 0) > 0
    assert_owner_receives(relay)


# --- WebSocket frames ----------------------------------------------------------------------


def _frames() -> st.SearchStrategy[bytes]:
    rng = seeded("relay frames")
    nonce = rng.randbytes(32)
    valid = [
        rp.Auth.sign(nonce, PUBLIC, SECRET, DEPOSIT_HASH).encode(),
        rp.Ack((rng.randbytes(16),)).encode(),
        rp.Ack(tuple(rng.randbytes(16) for _ in range(40))).encode(),
        rp.Challenge(nonce).encode(),
        rp.Blob(rng.randbytes(16), rng.randbytes(300)).encode(),
        rp.Error(rp.ErrorCode.MALFORMED, "x").encode(),
        rp.Welcome(1).encode(),
    ]
    return mutations(st.sampled_from(valid), max_random=512)


async def _session(port: int, authenticate: bool, frames: list[tuple[str, bytes]]) -> list[int]:
    """One subscription: optionally a valid AUTH, then ``frames``; returns the close codes
    and ERROR codes seen (checked by the caller)."""
    seen: list[int] = []
    url = f"ws://127.0.0.1:{port}{rp.SUBSCRIBE_PATH}"
    async with aiohttp.ClientSession() as http, http.ws_connect(url, max_msg_size=0) as ws:
        first = await ws.receive(timeout=FRAME_SECONDS)
        challenge = rp.decode_frame(first.data)
        assert isinstance(challenge, rp.Challenge)
        if authenticate:
            auth = rp.Auth.sign(challenge.nonce, PUBLIC, SECRET, DEPOSIT_HASH)
            await ws.send_bytes(auth.encode())
            welcome = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
            assert isinstance(welcome, rp.Welcome)
        for kind, data in frames:
            if ws.closed:
                break
            try:
                if kind == "text":
                    await ws.send_str(data.decode("latin-1"))
                else:
                    await ws.send_bytes(data)
            except ConnectionError:
                break
        # The relay answers nothing to a good ACK: close our side after a short wait.
        while True:
            try:
                message = await ws.receive(timeout=0.05)
            except TimeoutError:
                await ws.close()
                break
            if message.type is aiohttp.WSMsgType.BINARY:
                frame = rp.decode_frame(message.data)  # the relay only sends valid frames
                if isinstance(frame, rp.Error):
                    seen.append(frame.code)
                continue
            break
        if ws.close_code is not None:
            seen.append(ws.close_code)
    return seen


@given(
    authenticate=st.booleans(),
    frames=st.lists(
        st.tuples(st.sampled_from(("binary", "binary", "text")), _frames()), min_size=1, max_size=4
    ),
)
@fuzz_settings("relay.websocket")
def _fuzz_websocket(
    relay: InProcessRelay, authenticate: bool, frames: list[tuple[str, bytes]]
) -> None:
    count("relay.websocket")
    for code in relay.io.run(_session(relay.port, authenticate, frames)):
        # An ERROR frame's code, a 4000 + code close, a normal close, or 1006 (the socket
        # ended without a close frame while ours was on its way); never 1011 (internal
        # error): a relay failure would also show in the logged errors.
        assert code in ALLOWED_CODES, code


@spends("relay.websocket")
def test_relay_websocket_survives_random_frames(relay: InProcessRelay) -> None:
    with no_logged_errors(), memory_bounded():
        _fuzz_websocket(relay)
    assert_owner_receives(relay)


def assert_owner_receives(relay: InProcessRelay) -> None:
    """After the fuzzing, a deposit for the owner's mailbox reaches the owner (subscribed
    first: its AUTH registers the deposit capability's hash)."""
    blob = seeded("after fuzz").randbytes(1024)

    async def run() -> None:
        ws_url = relay.url.replace("http", "ws") + rp.SUBSCRIBE_PATH
        async with aiohttp.ClientSession() as http, http.ws_connect(ws_url) as ws:
            challenge = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
            assert isinstance(challenge, rp.Challenge)
            auth = rp.Auth.sign(challenge.nonce, PUBLIC, SECRET, DEPOSIT_HASH)
            await ws.send_bytes(auth.encode())
            assert isinstance(
                rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data), rp.Welcome
            )
            async with http.post(
                relay.url + rp.DEPOSIT_PATH,
                data=rp.encode_deposits([(MAILBOX, CAPABILITY, blob)]),
            ) as response:
                assert response.status == 200
                assert (await response.json())["results"] == ["stored"]
            found = False
            while not found:
                frame = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
                assert isinstance(frame, rp.Blob)
                await ws.send_bytes(rp.Ack((frame.blob_id,)).encode())
                found = frame.blob == blob
            await ws.close()

    relay.io.run(asyncio.wait_for(run(), 4 * FRAME_SECONDS))
