"""The relay on real sockets on 127.0.0.1: the app served in-process (its limits set small, its
clock sometimes ours) and, for start-up and shutdown, a real ``python -m relay`` process.
WebSockets through aiohttp's client; every wait is bounded."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import nacl.bindings as sodium
import pytest
from aiohttp import WSMsgType, web

from node.protocol.relay_wire import (
    CAPABILITY_HEADER,
    DEPOSIT_PATH,
    HEALTH_PATH,
    SUBSCRIBE_PATH,
    Ack,
    Auth,
    Blob,
    Challenge,
    Error,
    ErrorCode,
    Frame,
    Welcome,
    blob_id_for,
    decode_frame,
    deposit_capability_for,
    deposit_hash_for,
    encode_deposits,
    single_deposit_path,
)
from relay.config import load
from relay.mailboxes import BLOB_OVERHEAD, MAILBOX_OVERHEAD
from relay.server import create_app, make_runner
from relay.state import STATE, RelayState
from tests.integration.nodes import eventually

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
WAIT = 5.0  # seconds: the longest any single step may take


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Relay:
    url: str
    state: RelayState

    def blobs(self) -> int:
        return self.state.store.blobs


@asynccontextmanager
async def serving(
    clock: Callable[[], float] = time.monotonic, **overrides: Any
) -> AsyncIterator[Relay]:
    config = load({}, overrides)
    app = create_app(config, clock)
    runner = make_runner(app, config)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Relay(f"http://127.0.0.1:{port}", app[STATE])
    finally:
        await runner.cleanup()


@pytest.fixture
async def relay() -> AsyncIterator[Relay]:
    async with serving() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT)) as session:
        yield session


OWNERS: dict[bytes, Owner] = {}  # mailbox id -> its owner, for the deposit helpers
STRANGER_CAPABILITY = b"\x5a" * 32


class Owner:
    """A mailbox key pair and the mailbox's deposit capability."""

    def __init__(self, seed: int) -> None:
        self.public, self.secret = sodium.crypto_sign_seed_keypair(bytes([seed]) * 32)
        self.mailbox_id = Auth(self.public, b"", b"").mailbox_id
        self.capability = deposit_capability_for(bytes([seed]) * 32)
        self.deposit_hash = deposit_hash_for(self.capability)
        OWNERS[self.mailbox_id] = self

    def auth(self, nonce: bytes) -> bytes:
        return Auth.sign(nonce, self.public, self.secret, self.deposit_hash).encode()


def capability_for(relay: Relay, mailbox_id: bytes) -> bytes:
    """The capability a contact of ``mailbox_id``'s owner holds. Most tests deposit before the
    owner's first subscription: its registration is made here as if it had subscribed
    earlier (registration by AUTH, and refusals without it, are tested on their own below).
    A mailbox without a known owner gets a stranger's capability; a relay process (no state
    here) only knows the mailboxes whose owners subscribed."""
    owner = OWNERS.get(mailbox_id)
    if owner is None:
        return STRANGER_CAPABILITY
    if relay.state is not None:
        relay.state.store.register(owner.mailbox_id, owner.deposit_hash)
    return owner.capability


def carrying(relay: Relay, mailbox_id: bytes) -> dict[str, str]:
    """The header of a single deposit into ``mailbox_id`` (see :func:`capability_for`)."""
    return {CAPABILITY_HEADER: capability_for(relay, mailbox_id).hex()}


async def receive(ws: aiohttp.ClientWebSocketResponse) -> Frame:
    message = await ws.receive(timeout=WAIT)
    assert message.type is WSMsgType.BINARY, message
    return decode_frame(message.data)


async def challenge(ws: aiohttp.ClientWebSocketResponse) -> bytes:
    frame = await receive(ws)
    assert isinstance(frame, Challenge)
    assert frame.version == 2
    return frame.nonce


async def subscribe(
    http: aiohttp.ClientSession, relay: Relay, owner: Owner, **options: Any
) -> tuple[aiohttp.ClientWebSocketResponse, int]:
    ws = await http.ws_connect(relay.url + SUBSCRIBE_PATH, **options)
    await ws.send_bytes(owner.auth(await challenge(ws)))
    welcome = await receive(ws)
    assert isinstance(welcome, Welcome)
    return ws, welcome.queued


async def receive_blobs(ws: aiohttp.ClientWebSocketResponse, count: int) -> list[Blob]:
    blobs = []
    for _ in range(count):
        frame = await receive(ws)
        assert isinstance(frame, Blob)
        assert frame.blob_id == blob_id_for(frame.blob)
        blobs.append(frame)
    return blobs


async def nothing_more(ws: aiohttp.ClientWebSocketResponse, seconds: float = 0.2) -> None:
    with pytest.raises(TimeoutError):
        await ws.receive(timeout=seconds)


async def refused_with(ws: aiohttp.ClientWebSocketResponse, code: ErrorCode) -> None:
    frame = await receive(ws)
    assert isinstance(frame, Error)
    assert frame.code == code
    closing = await ws.receive(timeout=WAIT)
    assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    assert ws.close_code == 4000 + code


async def deposit(
    http: aiohttp.ClientSession,
    relay: Relay,
    mailbox_id: bytes,
    blob: bytes | AsyncIterator[bytes],
    capability: bytes | None = None,
) -> tuple[int, dict[str, Any]]:
    if capability is None:
        capability = capability_for(relay, mailbox_id)
    headers = {CAPABILITY_HEADER: capability.hex()}
    async with http.post(
        relay.url + single_deposit_path(mailbox_id), data=blob, headers=headers
    ) as r:
        return r.status, await r.json()


async def deposit_batch(
    http: aiohttp.ClientSession, relay: Relay, deposits: list[tuple[bytes, bytes]]
) -> tuple[int, dict[str, Any], str | None]:
    body = encode_deposits([(m, capability_for(relay, m), blob) for m, blob in deposits])
    async with http.post(relay.url + DEPOSIT_PATH, data=body) as r:
        return r.status, await r.json(), r.headers.get("Retry-After")


async def health(http: aiohttp.ClientSession, relay: Relay) -> dict[str, Any]:
    async with http.get(relay.url + HEALTH_PATH) as response:
        assert response.status == 200
        body: dict[str, Any] = await response.json()
        return body


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: object, method: str) -> Callable[[], int]:
    """Counts the calls of ``owner.method`` from now on (the method still runs)."""
    calls = 0
    original = getattr(owner, method)

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, method, counted)
    return lambda: calls


# --- delivery --------------------------------------------------------------------------------


async def test_deposit_then_subscribe_receive_and_ack(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(1)
    assert await deposit(http, relay, owner.mailbox_id, b"first") == (
        200,
        {"status": "stored", "blob_id": blob_id_for(b"first").hex()},
    )
    status, body, _ = await deposit_batch(
        http, relay, [(owner.mailbox_id, b"second"), (owner.mailbox_id, b"third")]
    )
    assert (status, body) == (200, {"results": ["stored", "stored"]})
    ws, queued = await subscribe(http, relay, owner)
    assert queued == 3
    blobs = await receive_blobs(ws, 3)
    assert [b.blob for b in blobs] == [b"first", b"second", b"third"]
    await ws.send_bytes(Ack(tuple(b.blob_id for b in blobs)).encode())
    await eventually(lambda: relay.blobs() == 0, WAIT, "the acknowledged blobs to be deleted")
    await ws.close()
    ws, queued = await subscribe(http, relay, owner)
    assert queued == 0
    await nothing_more(ws)
    await ws.close()
    assert (await health(http, relay))["bytes"] == 0


async def test_new_blobs_are_pushed_to_a_live_subscriber(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(2)
    ws, queued = await subscribe(http, relay, owner)
    assert queued == 0
    for i in range(5):
        await deposit(http, relay, owner.mailbox_id, b"live %d" % i)
    assert [b.blob for b in await receive_blobs(ws, 5)] == [b"live %d" % i for i in range(5)]
    await ws.close()


async def test_unacknowledged_blobs_are_redelivered_on_reconnect(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(3)
    for i in range(4):
        await deposit(http, relay, owner.mailbox_id, b"blob %d" % i)
    ws, _ = await subscribe(http, relay, owner)
    blobs = await receive_blobs(ws, 4)
    await ws.send_bytes(Ack((blobs[1].blob_id,)).encode())
    await eventually(lambda: relay.blobs() == 3, WAIT, "the acknowledged blob to be deleted")
    await ws.close()
    ws, queued = await subscribe(http, relay, owner)
    assert queued == 3
    assert [b.blob for b in await receive_blobs(ws, 3)] == [b"blob 0", b"blob 2", b"blob 3"]
    await ws.close()


async def test_a_duplicate_deposit_is_stored_once(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(4)
    assert (await deposit(http, relay, owner.mailbox_id, b"same"))[1]["status"] == "stored"
    assert (await deposit(http, relay, owner.mailbox_id, b"same"))[1]["status"] == "duplicate"
    _, body, _ = await deposit_batch(http, relay, [(owner.mailbox_id, b"same")] * 2)
    assert body == {"results": ["duplicate", "duplicate"]}
    ws, queued = await subscribe(http, relay, owner)
    assert queued == 1
    await receive_blobs(ws, 1)
    await nothing_more(ws)
    await ws.close()


async def test_at_most_max_in_flight_blobs_are_unacknowledged(http: aiohttp.ClientSession) -> None:
    owner = Owner(5)
    async with serving(max_in_flight=4) as relay:
        for i in range(10):
            await deposit(http, relay, owner.mailbox_id, b"%d" % i)
        ws, _ = await subscribe(http, relay, owner)
        first = await receive_blobs(ws, 4)
        await nothing_more(ws)
        await ws.send_bytes(Ack(tuple(b.blob_id for b in first[:2])).encode())
        second = await receive_blobs(ws, 2)
        await nothing_more(ws)
        assert [b.blob for b in first + second] == [b"%d" % i for i in range(6)]
        await ws.close()


async def test_a_second_subscription_replaces_the_first(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(6)
    await deposit(http, relay, owner.mailbox_id, b"queued")
    old, _ = await subscribe(http, relay, owner)
    await receive_blobs(old, 1)
    new, queued = await subscribe(http, relay, owner)
    assert queued == 1
    await refused_with(old, ErrorCode.REPLACED)
    assert [b.blob for b in await receive_blobs(new, 1)] == [b"queued"]  # unacked: again
    await deposit(http, relay, owner.mailbox_id, b"later")
    assert [b.blob for b in await receive_blobs(new, 1)] == [b"later"]
    await new.close()


async def test_expired_blobs_are_dropped(
    http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    owner = Owner(7)
    async with serving(clock, blob_ttl_seconds=60, expiry_interval_seconds=0.02) as relay:
        await deposit(http, relay, owner.mailbox_id, b"short-lived")
        sweeps = count_calls(monkeypatch, relay.state.store, "expire")
        # Sweeps ran after the deposit, before the TTL ended: each kept the blob.
        await eventually(lambda: sweeps() >= 3, WAIT, "three expiry sweeps")
        assert relay.blobs() == 1
        clock.now += 61
        await eventually(lambda: relay.blobs() == 0, WAIT, "the expired blob to be dropped")
        ws, queued = await subscribe(http, relay, owner)
        assert queued == 0
        await ws.close()


# --- authentication ---------------------------------------------------------------------------


async def test_each_connection_gets_a_fresh_nonce(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    nonces = set()
    for _ in range(5):
        async with http.ws_connect(relay.url + SUBSCRIBE_PATH) as ws:
            nonces.add(await challenge(ws))
    assert len(nonces) == 5


async def test_a_wrong_signature_is_refused(relay: Relay, http: aiohttp.ClientSession) -> None:
    owner, thief = Owner(8), Owner(9)
    await deposit(http, relay, owner.mailbox_id, b"secret")
    async with http.ws_connect(relay.url + SUBSCRIBE_PATH) as ws:
        nonce = await challenge(ws)
        forged = Auth(
            owner.public,
            thief.deposit_hash,
            Auth.sign(nonce, owner.public, thief.secret, thief.deposit_hash).signature,
        )
        await ws.send_bytes(forged.encode())
        await refused_with(ws, ErrorCode.AUTH_FAILED)
    assert relay.blobs() == 1


async def test_a_replayed_challenge_answer_is_refused(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(10)
    await deposit(http, relay, owner.mailbox_id, b"secret")
    async with http.ws_connect(relay.url + SUBSCRIBE_PATH) as first:
        captured = owner.auth(await challenge(first))  # an eavesdropper keeps this answer
    async with http.ws_connect(relay.url + SUBSCRIBE_PATH) as second:
        await challenge(second)
        await second.send_bytes(captured)
        await refused_with(second, ErrorCode.AUTH_FAILED)


async def test_auth_must_arrive_in_time(http: aiohttp.ClientSession) -> None:
    async with serving(auth_timeout_seconds=0.2) as relay:
        async with http.ws_connect(relay.url + SUBSCRIBE_PATH) as ws:
            await challenge(ws)
            await refused_with(ws, ErrorCode.IDLE_TIMEOUT)
        await eventually(lambda: not relay.state.sessions, WAIT, "the session to end")


# --- malformed input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before_auth", "send"),
    [
        (True, "text"),
        (True, b"\xff"),
        (True, b""),
        (True, Ack((b"i" * 16,)).encode()),
        (True, b"\x11" + b"k" * 10),
        (False, b"\x12\x00\x02" + b"i" * 16),
        (False, Challenge(b"n" * 32).encode()),
        (False, "text"),
    ],
)
async def test_malformed_frames_are_refused(
    relay: Relay, http: aiohttp.ClientSession, before_auth: bool, send: bytes | str
) -> None:
    owner = Owner(11)
    if before_auth:
        ws = await http.ws_connect(relay.url + SUBSCRIBE_PATH)
        await challenge(ws)
    else:
        ws, _ = await subscribe(http, relay, owner)
    if isinstance(send, str):
        await ws.send_str(send)
    else:
        await ws.send_bytes(send)
    await refused_with(ws, ErrorCode.MALFORMED)
    await ws.close()
    await eventually(lambda: not relay.state.sessions, WAIT, "the session to end")


async def test_an_oversized_websocket_message_closes_the_socket(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    ws, _ = await subscribe(http, relay, Owner(12))
    await ws.send_bytes(b"\x12" + b"x" * relay.state.config.max_frame_bytes)
    message = await ws.receive(timeout=WAIT)
    assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    assert ws.close_code == 1009  # message too big
    await eventually(lambda: not relay.state.sessions, WAIT, "the session to end")


async def test_oversized_blobs_are_refused(http: aiohttp.ClientSession) -> None:
    owner = Owner(13)
    async with serving(max_blob_bytes=1000) as relay:
        status, body = await deposit(http, relay, owner.mailbox_id, b"x" * 1001)
        assert status == 413
        assert body["error"]["code"] == "too_large"
        status, body = await deposit(http, relay, owner.mailbox_id, b"x" * 70_000)
        assert status == 413
        _, body, _ = await deposit_batch(
            http, relay, [(owner.mailbox_id, b"x" * 1001), (owner.mailbox_id, b"ok")]
        )
        assert body == {"results": [{"status": 413, "error": "too_large"}, "stored"]}

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(3):
                yield b"y" * 600

        status, body = await deposit(http, relay, owner.mailbox_id, chunks())
        assert (status, body["error"]["code"]) == (413, "too_large")  # chunked, no length
        assert relay.blobs() == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v2/mailboxes/nothex/blobs", b"x"),
        ("/v2/mailboxes/" + "ab" * 15 + "/blobs", b"x"),
        (DEPOSIT_PATH, b""),
        (DEPOSIT_PATH, b"m" * 16 + b"c" * 32 + b"\x00\x00\x00\x09short"),
    ],
)
async def test_malformed_deposits_are_refused(
    relay: Relay, http: aiohttp.ClientSession, path: str, body: bytes
) -> None:
    async with http.post(relay.url + path, data=body) as response:
        assert response.status == 400
        error = (await response.json())["error"]
        assert error["code"] == "malformed"
        assert error["message"]


async def test_unknown_paths_and_methods_answer_json(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    async with http.get(relay.url + "/v1/nothing") as response:
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "not_found"
    async with http.get(relay.url + DEPOSIT_PATH) as response:
        assert response.status == 405
        assert (await response.json())["error"]["code"] == "method_not_allowed"
    async with http.get(relay.url + SUBSCRIBE_PATH) as response:  # not a WebSocket upgrade
        assert response.status == 400
        assert (await response.json())["error"]["code"] == "malformed"


async def test_bad_http_is_answered_and_logged_without_its_bytes(
    relay: Relay, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = Owner(17).mailbox_id.hex().encode()
    port = int(relay.url.rsplit(":", 1)[1])
    for request in (
        b"POST /v1/mailboxes/" + mailbox + b"/blobs HTTP/1.1\r\nHost: x\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nz" + mailbox + b"\r\n",
        b"P\x00ST /v1/mailboxes/" + mailbox + b"/blobs HTTP/1.1\r\n\r\n",
    ):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        async with asyncio.timeout(WAIT):
            assert (await reader.read(4096)).startswith(b"HTTP/1.")
        writer.close()
        await writer.wait_closed()
    assert mailbox.decode() not in caplog.text
    assert "BadHttp" in caplog.text


# --- limits -----------------------------------------------------------------------------------


async def test_a_flood_is_rate_limited_without_hurting_other_sources(
    http: aiohttp.ClientSession,
) -> None:
    flooder, other = Owner(14), Owner(15)
    async with serving(deposit_rate_per_second=20, deposit_burst=40) as relay:
        # The other client comes from 127.0.0.2 (Linux routes all of 127/8 to loopback).
        connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=WAIT)
        ) as neighbour:
            ws, _ = await subscribe(neighbour, relay, other)
            statuses: list[int] = []
            retry_after: list[str] = []

            async def flood() -> None:
                url = relay.url + single_deposit_path(flooder.mailbox_id)
                headers = {CAPABILITY_HEADER: capability_for(relay, flooder.mailbox_id).hex()}
                for i in range(30):
                    async with http.post(url, data=b"%d" % i, headers=headers) as response:
                        statuses.append(response.status)
                        if response.status == 429:
                            assert (await response.json())["error"]["code"] == "rate_limited"
                            retry_after.append(response.headers["Retry-After"])

            async def live() -> None:
                for i in range(20):
                    status, _ = await deposit(neighbour, relay, other.mailbox_id, b"ok %d" % i)
                    assert status == 200
                    await asyncio.sleep(0.005)

            started = time.monotonic()
            await asyncio.gather(*(flood() for _ in range(10)), live())
            elapsed = time.monotonic() - started
            blobs = await receive_blobs(ws, 20)
            assert [b.blob for b in blobs] == [b"ok %d" % i for i in range(20)]
            await ws.close()
        assert len(statuses) == 300
        accepted = statuses.count(200)
        assert statuses.count(429) == 300 - accepted
        assert 40 <= accepted <= 40 + 20 * elapsed + 1
        assert all(int(seconds) >= 1 for seconds in retry_after)


async def test_a_batch_counts_each_deposit(http: aiohttp.ClientSession) -> None:
    owner = Owner(16)
    async with serving(deposit_rate_per_second=1, deposit_burst=10) as relay:
        status, body, retry_after = await deposit_batch(
            http, relay, [(owner.mailbox_id, b"%d" % i) for i in range(15)]
        )
        assert status == 200
        assert body["results"] == ["stored"] * 10 + [{"status": 429, "error": "rate_limited"}] * 5
        assert retry_after is not None
        status, body, _ = await deposit_batch(http, relay, [(owner.mailbox_id, b"x")])
        assert (status, body["error"]["code"]) == (429, "rate_limited")


async def test_memory_cap_refuses_new_blobs_and_keeps_old_ones(
    http: aiohttp.ClientSession,
) -> None:
    cap = 20 * (10_000 + BLOB_OVERHEAD) + 4 * MAILBOX_OVERHEAD
    owners = [Owner(20 + i) for i in range(4)]
    async with serving(max_total_bytes=cap, max_mailbox_bytes=cap, retry_after_seconds=7) as relay:
        stored = 0
        for i in range(30):
            owner = owners[i % 4]
            async with http.post(
                relay.url + single_deposit_path(owner.mailbox_id),
                data=os.urandom(10_000),
                headers=carrying(relay, owner.mailbox_id),
            ) as response:
                if response.status == 200:
                    stored += 1
                    continue
                assert response.status == 507
                assert response.headers["Retry-After"] == "7"
                assert (await response.json())["error"]["code"] == "relay_full"
        assert stored == 20
        state = await health(http, relay)
        assert state["blobs"] == 20
        assert state["bytes"] <= cap
        for owner in owners:  # nothing stored was dropped
            ws, queued = await subscribe(http, relay, owner)
            assert queued == 5
            await receive_blobs(ws, 5)
            await ws.close()


async def test_a_full_mailbox_refuses_more(http: aiohttp.ClientSession) -> None:
    owner, other = Owner(30), Owner(31)
    async with serving(max_mailbox_blobs=3) as relay:
        for i in range(3):
            await deposit(http, relay, owner.mailbox_id, b"%d" % i)
        async with http.post(
            relay.url + single_deposit_path(owner.mailbox_id),
            data=b"3",
            headers=carrying(relay, owner.mailbox_id),
        ) as response:
            assert response.status == 507
            assert "Retry-After" in response.headers
            assert (await response.json())["error"]["code"] == "mailbox_full"
        _, body, retry_after = await deposit_batch(
            http, relay, [(owner.mailbox_id, b"4"), (other.mailbox_id, b"4")]
        )
        assert body == {"results": [{"status": 507, "error": "mailbox_full"}, "stored"]}
        assert retry_after is not None


async def test_connections_are_capped(http: aiohttp.ClientSession) -> None:
    async with serving(max_connections=2) as relay:
        first, _ = await subscribe(http, relay, Owner(32))
        second = await http.ws_connect(relay.url + SUBSCRIBE_PATH)  # not authenticated yet
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(relay.url + SUBSCRIBE_PATH)
        assert refused.value.status == 503
        await second.close()
        await eventually(
            lambda: len(relay.state.sessions) == 1, WAIT, "the unauthenticated session to end"
        )
        third, _ = await subscribe(http, relay, Owner(33))
        await first.close()
        await third.close()


async def test_connection_attempts_are_rate_limited(http: aiohttp.ClientSession) -> None:
    async with serving(subscribe_rate_per_second=0.1, subscribe_burst=2) as relay:
        for _ in range(2):
            async with http.ws_connect(relay.url + SUBSCRIBE_PATH) as ws:
                await challenge(ws)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(relay.url + SUBSCRIBE_PATH)
        assert refused.value.status == 429


async def test_silent_subscribers_are_disconnected(http: aiohttp.ClientSession) -> None:
    async with serving(heartbeat_seconds=0.2) as relay:
        # autoping off and no receive(): this client never answers the relay's pings.
        ws, _ = await subscribe(http, relay, Owner(34), autoping=False)
        await eventually(lambda: not relay.state.sessions, WAIT, "the session to end")
        await ws.close()


async def test_idle_and_slow_http_connections_are_closed(http: aiohttp.ClientSession) -> None:
    async with serving(http_idle_seconds=0.3, body_timeout_seconds=0.3) as relay:
        port = int(relay.url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /v1/depo")  # and then nothing
        async with asyncio.timeout(WAIT):
            assert await reader.read() == b""
        writer.close()
        await writer.wait_closed()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        owner = Owner(35)
        path = single_deposit_path(owner.mailbox_id).encode()
        header = f"{CAPABILITY_HEADER}: {capability_for(relay, owner.mailbox_id).hex()}\r\n"
        writer.write(
            b"POST "
            + path
            + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
            + header.encode()
            + b"\r\n0123"
        )
        async with asyncio.timeout(WAIT):
            answer = await reader.read(4096)
        assert answer.startswith(b"HTTP/1.1 408")
        assert b'"idle_timeout"' in answer
        writer.close()
        await writer.wait_closed()


# --- health, shutdown -------------------------------------------------------------------------


async def test_health_counts_and_never_names_ids(relay: Relay, http: aiohttp.ClientSession) -> None:
    owner = Owner(40)
    await deposit(http, relay, owner.mailbox_id, b"one")
    ws, _ = await subscribe(http, relay, Owner(41))
    async with http.get(relay.url + HEALTH_PATH) as response:
        assert response.status == 200
        text = await response.text()
        body = await response.json()
    assert set(body) == {
        "status",
        "version",
        "protocols",
        "uptime_seconds",
        "mailboxes",
        "blobs",
        "bytes",
        "registered",
        "connections",
    }
    assert body["status"] == "ok"
    assert (body["mailboxes"], body["blobs"], body["connections"]) == (2, 1, 1)
    assert body["registered"] == 2  # both owners' deposit capability hashes
    assert body["bytes"] == 3 + BLOB_OVERHEAD + MAILBOX_OVERHEAD
    for secret in (owner.mailbox_id, Owner(41).mailbox_id, blob_id_for(b"one"), owner.public):
        assert secret.hex() not in text
    await ws.close()


async def _read_line(stream: asyncio.StreamReader) -> str:
    async with asyncio.timeout(20):
        return (await stream.readline()).decode()


async def test_a_relay_process_serves_and_shuts_down_cleanly(
    http: aiohttp.ClientSession,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELEVE_")}
    env["RELEVE_RELAY_LOG_LEVEL"] = "DEBUG"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "relay",
        "--listen",
        "127.0.0.1:0",
        cwd=REPO,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        assert process.stderr is not None
        line = await _read_line(process.stdout)
        assert line.startswith("relay listening on http://127.0.0.1:"), line
        relay = Relay(line.split()[-1], None)  # type: ignore[arg-type]
        owner = Owner(50)
        status, body = await deposit(http, relay, owner.mailbox_id, b"too early")
        assert (status, body["error"]["code"]) == (404, "mailbox_unknown")
        ws, queued = await subscribe(http, relay, owner)  # registers the capability's hash
        assert queued == 0
        assert (await deposit(http, relay, owner.mailbox_id, b"via a process"))[0] == 200
        assert [b.blob for b in await receive_blobs(ws, 1)] == [b"via a process"]
        await http.post(relay.url + single_deposit_path(owner.mailbox_id) + "x", data=b"404")
        process.send_signal(signal.SIGTERM)
        await refused_with(ws, ErrorCode.SHUTTING_DOWN)
        async with asyncio.timeout(20):
            assert await process.wait() == 0
        log = (await process.stderr.read()).decode()
        assert "relay stopped" in log
        for secret in (owner.mailbox_id, blob_id_for(b"via a process"), owner.public):
            assert secret.hex() not in log
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_busy_address_exits_1(http: aiohttp.ClientSession, relay: Relay) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELEVE_")}
    port = relay.url.rsplit(":", 1)[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "relay",
        "--listen",
        f"127.0.0.1:{port}",
        cwd=REPO,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(20):
        _, stderr = await process.communicate()
    assert process.returncode == 1
    assert b"cannot listen" in stderr


# --- deposit capabilities and fair shares (relay protocol version 2; issue 12, item 4) ------


async def test_only_the_owners_capability_deposits_and_strangers_store_nothing(
    relay: Relay, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    owner = Owner(60)
    url = relay.url + single_deposit_path(owner.mailbox_id)
    # Before its owner ever subscribed, the relay knows no capability for the mailbox.
    status, body = await deposit(http, relay, owner.mailbox_id, b"x", owner.capability)
    assert (status, body["error"]["code"]) == (404, "mailbox_unknown")
    ws, _ = await subscribe(http, relay, owner)  # AUTH registers the capability's hash
    for capability, code in (
        (STRANGER_CAPABILITY, "capability_refused"),
        (Owner(61).capability, "capability_refused"),
    ):
        status, body = await deposit(http, relay, owner.mailbox_id, b"junk", capability)
        assert (status, body["error"]["code"]) == (403, code)
    async with http.post(url, data=b"junk") as response:  # no capability at all
        assert response.status == 403
        assert (await response.json())["error"]["code"] == "capability_required"
    async with http.post(url, data=b"junk", headers={CAPABILITY_HEADER: "zz"}) as response:
        assert response.status == 400
    body_bytes = encode_deposits(
        [
            (owner.mailbox_id, STRANGER_CAPABILITY, b"junk 1"),
            (b"\x77" * 16, STRANGER_CAPABILITY, b"junk 2"),
            (owner.mailbox_id, owner.capability, b"paired"),
        ]
    )
    async with http.post(relay.url + DEPOSIT_PATH, data=body_bytes) as response:
        assert response.status == 200
        assert (await response.json())["results"] == [
            {"status": 403, "error": "capability_refused"},
            {"status": 404, "error": "mailbox_unknown"},
            "stored",
        ]
        assert "Retry-After" in response.headers  # mailbox_unknown is worth retrying
    assert relay.blobs() == 1  # only the paired deposit
    assert [b.blob for b in await receive_blobs(ws, 1)] == [b"paired"]
    await ws.close()
    logged = caplog.text
    assert "capability_refused" in logged
    assert "mailbox_unknown" in logged
    assert owner.mailbox_id.hex() not in logged
    assert owner.capability.hex() not in logged


async def test_a_new_subscription_replaces_the_registered_capability(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(62)
    ws, _ = await subscribe(http, relay, owner)
    await ws.close()
    # The owner drew a new capability (a new seed would give a new mailbox; here only the
    # registration is replaced), then subscribed again: the old one no longer deposits.
    old_capability = owner.capability
    owner.capability = deposit_capability_for(b"\x99" * 32)
    owner.deposit_hash = deposit_hash_for(owner.capability)
    ws, _ = await subscribe(http, relay, owner)
    status, _ = await deposit(http, relay, owner.mailbox_id, b"old", old_capability)
    assert status == 403
    relay.state.store.check_deposit(owner.mailbox_id, owner.capability)  # the new one does
    await ws.close()


async def test_version_1_clients_are_refused_plainly(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(63)
    for path in ("/v1/deposits", "/v1/mailboxes/" + owner.mailbox_id.hex() + "/blobs"):
        async with http.post(relay.url + path, data=b"m" * 16 + b"\0\0\0\x01x") as response:
            assert response.status == 400
            error = (await response.json())["error"]
            assert error["code"] == "unsupported_version"
            assert "update Relève" in error["message"]
    async with http.ws_connect(relay.url + SUBSCRIBE_PATH) as ws:
        nonce = await challenge(ws)
        signed = sodium.crypto_sign(b"releve relay auth v1" + nonce + owner.public, owner.secret)
        await ws.send_bytes(b"\x11" + owner.public + signed[:64])  # a version 1 AUTH
        frame = await receive(ws)
        assert isinstance(frame, Error)
        assert frame.code is ErrorCode.UNSUPPORTED_VERSION
        assert "update Relève" in frame.reason
    assert relay.blobs() == 0
    assert relay.state.store.registered == 0


async def test_one_source_cannot_take_more_than_its_share(http: aiohttp.ClientSession) -> None:
    owner, other = Owner(64), Owner(65)
    share = 5 * (10_000 + BLOB_OVERHEAD)
    async with serving(max_source_bytes=share, retry_after_seconds=9) as relay:
        results = []
        for _ in range(8):
            status, body = await deposit(http, relay, owner.mailbox_id, os.urandom(10_000))
            results.append(status if status == 200 else body["error"]["code"])
        assert results == [200] * 5 + ["source_full"] * 3
        connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
        async with aiohttp.ClientSession(connector=connector) as neighbour:
            status, _ = await deposit(neighbour, relay, owner.mailbox_id, b"another source")
            assert status == 200
            status, _ = await deposit(neighbour, relay, other.mailbox_id, b"and elsewhere")
            assert status == 200
        # Acknowledged blobs give the source its share back.
        ws, _ = await subscribe(http, relay, owner)
        blobs = await receive_blobs(ws, 6)
        await ws.send_bytes(Ack(tuple(b.blob_id for b in blobs)).encode())
        await eventually(lambda: relay.blobs() == 1, WAIT, "the acknowledged blobs to go")
        status, _ = await deposit(http, relay, owner.mailbox_id, b"room again")
        assert status == 200
        await ws.close()
