"""The phone-pairing rendezvous (docs/relay-protocol.md §16): the nameplate store with a clock
of our own (lowest free number, two connections ever, one use only, expiry, caps), then the
endpoints served in-process on 127.0.0.1 (forwarding, refusals, close codes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, web

from node.protocol.relay_wire import (
    MAX_NAMEPLATE,
    MAX_RENDEZVOUS_FRAME,
    RENDEZVOUS_PATH,
    ErrorCode,
    RelayProtocolError,
    parse_nameplate,
    rendezvous_path,
)
from relay import config as config_module
from relay.config import load
from relay.errors import ConfigError
from relay.mailboxes import Refused
from relay.refusals import HTTP_STATUS
from relay.rendezvous import MAX_HELD_FRAMES, RENDEZVOUS, Nameplate, Nameplates
from relay.server import create_app, make_runner
from relay.state import STATE

WAIT = 5.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def store(clock: Clock, cap: int = 10) -> Nameplates:
    return Nameplates(ttl_seconds=600, exchange_seconds=60, max_nameplates=cap, clock=clock)


def refusal(action: Any) -> ErrorCode:
    with pytest.raises(Refused) as caught:
        action()
    return caught.value.code


# --- the store ----------------------------------------------------------------------------


def test_the_lowest_free_number_is_allocated() -> None:
    clock = Clock()
    nameplates = store(clock)
    assert [nameplates.allocate().number for _ in range(3)] == [1, 2, 3]
    second = nameplates.get(2)
    assert second is not None
    nameplates.close(second)
    second.expires_at = clock.now  # its time is up (the others' is not): 2 is free again
    nameplates.sweep()
    assert nameplates.allocate().number == 2
    assert nameplates.allocate().number == 4


def test_two_connections_then_none() -> None:
    nameplates = store(Clock())
    number = nameplates.allocate().number
    first = nameplates.join(number)
    assert first.joins == 1
    assert nameplates.join(number).joins == 2
    assert refusal(lambda: nameplates.join(number)) is ErrorCode.NAMEPLATE_USED


def test_a_closed_nameplate_is_never_reopened_and_its_number_is_held() -> None:
    clock = Clock()
    nameplates = store(clock)
    nameplate = nameplates.allocate()
    nameplates.join(nameplate.number)
    nameplates.close(nameplate)  # the only side left (or a wrong code burned it)
    assert refusal(lambda: nameplates.join(nameplate.number)) is ErrorCode.NAMEPLATE_USED
    clock.now += 300
    nameplates.sweep()
    # Still held: a new caller gets another number, so an old code never reaches it.
    assert nameplates.allocate().number == 2
    assert refusal(lambda: nameplates.join(nameplate.number)) is ErrorCode.NAMEPLATE_USED
    clock.now += 300
    nameplates.sweep()
    assert refusal(lambda: nameplates.join(nameplate.number)) is ErrorCode.NAMEPLATE_UNKNOWN


def test_unknown_numbers_are_refused() -> None:
    nameplates = store(Clock())
    assert refusal(lambda: nameplates.join(1)) is ErrorCode.NAMEPLATE_UNKNOWN


def test_a_waiting_nameplate_expires() -> None:
    clock = Clock()
    nameplates = store(clock)
    nameplate = nameplates.allocate()
    nameplates.join(nameplate.number)
    clock.now += 599.9
    assert nameplates.sweep() == []
    clock.now += 0.1
    assert refusal(lambda: nameplates.join(nameplate.number)) is ErrorCode.NAMEPLATE_UNKNOWN
    assert nameplates.sweep() == [(nameplate, ErrorCode.NAMEPLATE_EXPIRED)]
    assert nameplate.closed
    assert len(nameplates) == 0
    assert nameplates.allocate().number == 1


def test_a_connected_pair_has_its_own_deadline() -> None:
    clock = Clock()
    nameplates = store(clock)
    nameplate = nameplates.allocate()
    nameplates.join(nameplate.number)
    clock.now += 590
    nameplates.join(nameplate.number)  # the second side comes just in time
    clock.now += 30  # past the waiting time, within the exchange time
    assert nameplates.sweep() == []
    clock.now += 30
    assert nameplates.sweep() == [(nameplate, ErrorCode.IDLE_TIMEOUT)]
    assert len(nameplates) == 0


def test_the_number_of_nameplates_is_capped() -> None:
    clock = Clock()
    nameplates = store(clock, cap=2)
    nameplates.allocate()
    nameplates.allocate()
    assert refusal(nameplates.allocate) is ErrorCode.TOO_MANY_NAMEPLATES
    clock.now += 600
    nameplates.sweep()
    assert nameplates.allocate().number == 1


def test_frames_held_for_an_absent_side_are_bounded() -> None:
    nameplate = Nameplate(1, 0.0)
    for _ in range(MAX_HELD_FRAMES):
        assert Nameplates.hold(nameplate, bytes(MAX_RENDEZVOUS_FRAME))
    assert not Nameplates.hold(nameplate, b"x")
    Nameplates.close(nameplate)
    assert (nameplate.held, nameplate.held_bytes) == ([], 0)


@pytest.mark.parametrize("text", ["1", "7", "42", "9999"])
def test_nameplates_in_paths(text: str) -> None:
    assert parse_nameplate(text) == int(text)
    assert rendezvous_path(int(text)) == f"{RENDEZVOUS_PATH}/{text}"


@pytest.mark.parametrize("text", ["", "0", "007", "10000", "-1", "1e3", "abc", "٣", " 7"])
def test_malformed_nameplates(text: str) -> None:
    with pytest.raises(RelayProtocolError):
        parse_nameplate(text)


def test_limits_and_codes_agree() -> None:
    assert config_module.PROTOCOL_MAX_NAMEPLATE == MAX_NAMEPLATE
    with pytest.raises(ConfigError):
        load({"RELEVE_RELAY_RENDEZVOUS_MAX_NAMEPLATES": "10000"}, {})
    assert HTTP_STATUS[ErrorCode.NAMEPLATE_UNKNOWN] == 404
    assert HTTP_STATUS[ErrorCode.NAMEPLATE_USED] == 409


# --- the endpoints, served on 127.0.0.1 ---------------------------------------------------


@asynccontextmanager
async def serving(**overrides: Any) -> AsyncIterator[tuple[str, web.Application]]:
    config = load({}, overrides)
    app = create_app(config, asyncio.get_running_loop().time)
    runner = make_runner(app, config)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", app
    finally:
        await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT)) as session:
        yield session


async def allocate(http: aiohttp.ClientSession, url: str) -> int:
    async with http.post(url + RENDEZVOUS_PATH) as response:
        assert response.status == 201
        body = await response.json()
    assert body["expires_in"] > 0
    return parse_nameplate(body["nameplate"])


async def join(
    http: aiohttp.ClientSession, url: str, number: int
) -> aiohttp.ClientWebSocketResponse:
    return await http.ws_connect(url.replace("http", "ws") + rendezvous_path(number))


async def receive_bytes(ws: aiohttp.ClientWebSocketResponse) -> bytes:
    message = await ws.receive(timeout=WAIT)
    assert message.type is WSMsgType.BINARY, message
    return bytes(message.data)


async def closed_with(ws: aiohttp.ClientWebSocketResponse, code: int) -> None:
    message = await ws.receive(timeout=WAIT)
    assert message.type is WSMsgType.CLOSE, message
    assert message.data == code


UPGRADE = {
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


async def refused(http: aiohttp.ClientSession, url: str, number: object, status: int) -> str:
    """A WebSocket upgrade refused before it happens: its status and error code."""
    async with http.get(url + f"{RENDEZVOUS_PATH}/{number}", headers=UPGRADE) as response:
        assert response.status == status
        body = await response.json()
    code: str = body["error"]["code"]
    return code


async def test_two_sides_meet_and_frames_go_both_ways(http: aiohttp.ClientSession) -> None:
    async with serving() as (url, app):
        assert await allocate(http, url) == 1
        assert await allocate(http, url) == 2
        caller = await join(http, url, 2)
        await caller.send_bytes(b"sent while alone")  # held until the other side comes
        joiner = await join(http, url, 2)
        assert await receive_bytes(joiner) == b"sent while alone"
        await joiner.send_bytes(b"\x00" * MAX_RENDEZVOUS_FRAME)
        assert await receive_bytes(caller) == b"\x00" * MAX_RENDEZVOUS_FRAME
        await caller.send_bytes(b"and back")
        assert await receive_bytes(joiner) == b"and back"
        assert len(app[STATE].sessions) == 2
        # A third side is refused before any upgrade.
        assert await refused(http, url, 2, 409) == "nameplate_used"
        # One side leaves: the other is closed, and the nameplate admits no one again.
        await caller.close()
        await closed_with(joiner, 4000 + ErrorCode.PEER_LEFT)
        assert await refused(http, url, 2, 409) == "nameplate_used"
        assert await allocate(http, url) == 3  # 2 is still held


async def test_unknown_and_malformed_nameplates(http: aiohttp.ClientSession) -> None:
    async with serving() as (url, _):
        assert await refused(http, url, 5, 404) == "nameplate_unknown"
        assert await refused(http, url, "007", 400) == "malformed"
        async with http.get(url + rendezvous_path(5)) as response:  # not an upgrade
            assert response.status == 400


async def test_frames_must_be_binary_and_bounded(http: aiohttp.ClientSession) -> None:
    async with serving() as (url, _):
        number = await allocate(http, url)
        ws = await join(http, url, number)
        await ws.send_str("hello")
        await closed_with(ws, 4000 + ErrorCode.MALFORMED)
        number = await allocate(http, url)
        ws = await join(http, url, number)
        await ws.send_bytes(bytes(MAX_RENDEZVOUS_FRAME + 1))
        await closed_with(ws, 1009)
        number = await allocate(http, url)
        ws = await join(http, url, number)
        for _ in range(MAX_HELD_FRAMES + 1):
            await ws.send_bytes(b"x")
        await closed_with(ws, 4000 + ErrorCode.TOO_LARGE)


async def test_a_waiting_side_is_closed_at_expiry(http: aiohttp.ClientSession) -> None:
    async with serving(rendezvous_ttl_seconds=0.5) as (url, app):
        number = await allocate(http, url)
        ws = await join(http, url, number)
        await closed_with(ws, 4000 + ErrorCode.NAMEPLATE_EXPIRED)
        assert await refused(http, url, number, 404) == "nameplate_unknown"
        assert len(app[RENDEZVOUS].nameplates) == 0


async def test_allocations_are_rate_limited_and_capped(http: aiohttp.ClientSession) -> None:
    async with serving(rendezvous_burst=2, rendezvous_rate_per_second=0.01) as (url, _):
        await allocate(http, url)
        await allocate(http, url)
        async with http.post(url + RENDEZVOUS_PATH) as response:
            assert response.status == 429
            assert int(response.headers["Retry-After"]) >= 1
            assert (await response.json())["error"]["code"] == "rate_limited"
    async with serving(rendezvous_max_nameplates=1) as (url, _):
        await allocate(http, url)
        async with http.post(url + RENDEZVOUS_PATH) as response:
            assert response.status == 503
            assert "Retry-After" in response.headers
            assert (await response.json())["error"]["code"] == "too_many_nameplates"


async def test_shutdown_closes_rendezvous_sockets(http: aiohttp.ClientSession) -> None:
    config = load({}, {})
    app = create_app(config, asyncio.get_running_loop().time)
    runner = make_runner(app, config)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        ws = await join(http, url, await allocate(http, url))
    finally:
        cleanup = asyncio.create_task(runner.cleanup())
    await closed_with(ws, 4000 + ErrorCode.SHUTTING_DOWN)
    await cleanup
