"""Relay protocol version 3 (docs/relay-protocol.md §18) on a real relay served on 127.0.0.1:
deposit channels (DEPOSIT / RESULTS), subscriptions on the mailbox's own path (CHALLENGE 3,
BLOBS), and the checks every deposit still goes through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import WSMsgType

from node.protocol.relay_wire import (
    FAST_VERSION,
    RESULT_DUPLICATE,
    RESULT_STORED,
    Ack,
    Blob,
    Blobs,
    Challenge,
    Error,
    ErrorCode,
    Results,
    Welcome,
    blob_id_for,
    decode_frame,
    deposit_channel_path,
    encode_deposit,
    mailbox_subscribe_path,
)
from relay.channels import max_frame_bytes
from relay.config import PROTOCOL_MAX_ACK_FRAME
from tests.integration.test_relay_server import (
    STRANGER_CAPABILITY,
    WAIT,
    Owner,
    Relay,
    serving,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def relay() -> AsyncIterator[Relay]:
    async with serving() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT)) as session:
        yield session


async def frame_of(ws: aiohttp.ClientWebSocketResponse) -> object:
    message = await ws.receive(timeout=WAIT)
    assert message.type is WSMsgType.BINARY, message
    return decode_frame(message.data)


async def subscribe_v3(
    http: aiohttp.ClientSession, relay: Relay, owner: Owner
) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(relay.url + mailbox_subscribe_path(owner.mailbox_id))
    challenge = await frame_of(ws)
    assert isinstance(challenge, Challenge)
    assert challenge.version == FAST_VERSION
    await ws.send_bytes(owner.auth(challenge.nonce))
    assert isinstance(await frame_of(ws), Welcome)
    return ws


async def results_of(ws: aiohttp.ClientWebSocketResponse) -> Results:
    frame = await frame_of(ws)
    assert isinstance(frame, Results), frame
    return frame


async def test_a_deposit_channel_stores_dedupes_and_pushes_in_batches(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(60)
    sub = await subscribe_v3(http, relay, owner)
    channel = await http.ws_connect(relay.url + deposit_channel_path(owner.mailbox_id))
    blobs = [bytes([i]) * 100 for i in range(1, 6)]
    await channel.send_bytes(encode_deposit(7, owner.capability, [*blobs, blobs[0]]))
    answer = await results_of(channel)
    assert answer.batches == ((7, bytes([RESULT_STORED] * 5 + [RESULT_DUPLICATE])),)
    assert answer.retry_after == 0
    got: list[tuple[bytes, bytes]] = []
    while len(got) < 5:
        frame = await frame_of(sub)
        if isinstance(frame, Blobs):
            got += frame.blobs
        else:
            assert isinstance(frame, Blob)
            got.append((frame.blob_id, frame.blob))
    assert [blob for _, blob in got] == blobs  # deposit order
    assert all(blob_id == blob_id_for(blob) for blob_id, blob in got)
    await sub.send_bytes(Ack(tuple(blob_id for blob_id, _ in got)).encode())
    await asyncio.wait_for(_until(lambda: relay.blobs() == 0), WAIT)
    await channel.close()
    await sub.close()


async def _until(predicate: object) -> None:
    assert callable(predicate)
    while not predicate():
        await asyncio.sleep(0.01)


async def test_an_unknown_mailbox_is_retried_later_and_keeps_the_channel(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(61)  # never subscribed on this relay
    channel = await http.ws_connect(relay.url + deposit_channel_path(owner.mailbox_id))
    await channel.send_bytes(encode_deposit(1, owner.capability, [b"early"]))
    answer = await results_of(channel)
    assert answer.batches == ((1, bytes([ErrorCode.MAILBOX_UNKNOWN])),)
    assert answer.retry_after > 0
    sub = await subscribe_v3(http, relay, owner)  # registers the capability
    await channel.send_bytes(encode_deposit(2, owner.capability, [b"now"]))
    assert (await results_of(channel)).batches == ((2, bytes([RESULT_STORED])),)
    frame = await frame_of(sub)
    assert isinstance(frame, Blob)
    assert frame.blob == b"now"
    assert relay.blobs() == 1
    await channel.close()
    await sub.close()


async def test_a_wrong_capability_stores_nothing_and_ends_the_channel(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(62)
    sub = await subscribe_v3(http, relay, owner)
    channel = await http.ws_connect(relay.url + deposit_channel_path(owner.mailbox_id))
    await channel.send_bytes(encode_deposit(3, STRANGER_CAPABILITY, [b"junk", b"more"]))
    answer = await results_of(channel)
    assert answer.batches == ((3, bytes([ErrorCode.CAPABILITY_REFUSED] * 2)),)
    error = await frame_of(channel)
    assert isinstance(error, Error)
    assert error.code is ErrorCode.CAPABILITY_REFUSED
    message = await channel.receive(timeout=WAIT)
    assert message.type is WSMsgType.CLOSE
    assert message.data == 4000 + ErrorCode.CAPABILITY_REFUSED
    assert relay.blobs() == 0
    await sub.close()


async def test_a_malformed_frame_on_a_channel_is_refused(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner = Owner(63)
    channel = await http.ws_connect(relay.url + deposit_channel_path(owner.mailbox_id))
    await channel.send_bytes(encode_deposit(1, owner.capability, [b"x"])[:-3] + b"\xff" * 8)
    error = await frame_of(channel)
    assert isinstance(error, Error)
    assert error.code is ErrorCode.MALFORMED
    assert relay.blobs() == 0


async def test_a_key_that_does_not_open_the_path_mailbox_fails_auth(
    relay: Relay, http: aiohttp.ClientSession
) -> None:
    owner, other = Owner(64), Owner(65)
    ws = await http.ws_connect(relay.url + mailbox_subscribe_path(other.mailbox_id))
    challenge = await frame_of(ws)
    assert isinstance(challenge, Challenge)
    await ws.send_bytes(owner.auth(challenge.nonce))
    error = await frame_of(ws)
    assert isinstance(error, Error)
    assert error.code is ErrorCode.AUTH_FAILED
    assert relay.state.store.registered == 0


async def test_bad_paths_and_health(relay: Relay, http: aiohttp.ClientSession) -> None:
    async with http.get(relay.url + "/v3/mailboxes/zz/deposit") as response:
        assert response.status == 400
    async with http.get(relay.url + deposit_channel_path(b"\x01" * 16)) as response:
        assert response.status == 400  # not a WebSocket upgrade
    async with http.get(relay.url + "/health") as response:
        assert (await response.json())["protocols"] == [2, 3]


async def test_a_deposit_frame_of_exactly_the_largest_size_is_read(
    http: aiohttp.ClientSession,
) -> None:
    """aiohttp refuses a WebSocket message of ``max_msg_size`` bytes or more: the relay must
    read a deposit frame of exactly the size it allows (64 blobs of ``max_blob_bytes``), and a
    subscription an ACK frame of exactly ``max_frame_bytes``."""
    blob_size = 1024
    async with serving(max_blob_bytes=blob_size) as relay:
        owner = Owner(64)
        sub = await subscribe_v3(http, relay, owner)
        channel = await http.ws_connect(relay.url + deposit_channel_path(owner.mailbox_id))
        blobs = [bytes([i]) * blob_size for i in range(64)]
        frame = encode_deposit(9, owner.capability, blobs)
        assert len(frame) == max_frame_bytes(relay.state)
        await channel.send_bytes(frame)
        answer = await results_of(channel)
        assert answer.batches == ((9, bytes([RESULT_STORED] * 64)),)
        await channel.close()
        await sub.close()
    async with serving(max_frame_bytes=PROTOCOL_MAX_ACK_FRAME) as relay:
        owner = Owner(65)
        sub = await subscribe_v3(http, relay, owner)
        ack = Ack(tuple(i.to_bytes(16, "big") for i in range(1024))).encode()
        assert len(ack) == PROTOCOL_MAX_ACK_FRAME
        await sub.send_bytes(ack)  # ids it does not hold: nothing to delete, not an error
        channel = await http.ws_connect(relay.url + deposit_channel_path(owner.mailbox_id))
        await channel.send_bytes(encode_deposit(1, owner.capability, [b"still open"]))
        assert (await results_of(channel)).batches == ((1, bytes([RESULT_STORED])),)
        pushed = await frame_of(sub)
        assert isinstance(pushed, Blob)
        assert pushed.blob == b"still open"
        await channel.close()
        await sub.close()
