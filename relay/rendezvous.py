"""Phone-pairing rendezvous (docs/relay-protocol.md §16): two nodes meet on a short number.

    POST /v1/rendezvous               201 {"nameplate": "7", "expires_in": 600}
    GET  /v1/rendezvous/{nameplate}   WebSocket; binary frames are forwarded to the other side

A nameplate admits two connections in its whole life: a third is refused (409
``nameplate_used``), and when either side leaves, the other is closed and the nameplate admits
no one again. So an attacker who does not know the code gets one guess per code, and then
only by taking a legitimate side's place, which that side notices. The number stays held until
the nameplate's time is up, so that a late or repeated join with an old code meets "used" or
"unknown", never a stranger's newer nameplate. Frames are opaque to the relay (a SPAKE2
exchange, then AEAD records, docs/protocol.md §16): it learns timing and sizes only.

    Nameplates        the store of nameplates, no I/O (the clock is a parameter)
    RendezvousSocket  one side's WebSocket (a relay.state.Session, so shutdown closes it)
    Rendezvous        the store, the rate limiter, forwarding and the expiry sweep
    install(app)      adds the routes and the sweep to the relay's aiohttp application
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Final

from aiohttp import WSMsgType, web

from node.protocol.admission import RateLimiter
from node.protocol.relay_wire import (
    MAX_NAMEPLATE,
    MAX_RENDEZVOUS_FRAME,
    RENDEZVOUS_PATH,
    ErrorCode,
    RelayProtocolError,
    parse_nameplate,
)
from relay.config import RelayConfig
from relay.mailboxes import Refused
from relay.refusals import code_name, error_response, expect_continue, rate_limited
from relay.state import STATE, RelayState, logger

CLOSE_CODE_BASE: Final = 4000  # WebSocket close code = 4000 + ErrorCode, as for subscriptions
CLOSE_TIMEOUT: Final = 2.0  # seconds to wait for the other end's close frame
SWEEP_SECONDS: Final = 1.0  # how often expired nameplates are closed and forgotten
# Frames a side sends before the other side has arrived are held for it, up to this much.
MAX_HELD_FRAMES: Final = 2
MAX_HELD_BYTES: Final = MAX_HELD_FRAMES * MAX_RENDEZVOUS_FRAME
_ENDED: Final = frozenset({WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR})


@dataclass(eq=False)
class Nameplate:
    number: int
    expires_at: float  # the second side must arrive before this; the number is held until then
    exchange_until: float | None = None  # both sides connected: they must be done by then
    joins: int = 0  # connections ever admitted (at most two)
    closed: bool = False  # a side left, or time ran out: no one is admitted any more
    sides: list[RendezvousSocket] = field(default_factory=list)
    held: list[bytes] = field(default_factory=list)
    held_bytes: int = 0

    @property
    def forget_at(self) -> float:
        return max(self.expires_at, self.exchange_until or 0.0)


class Nameplates:
    """Allocation, admission and expiry of nameplates (no sockets, no task)."""

    def __init__(
        self,
        ttl_seconds: float,
        exchange_seconds: float,
        max_nameplates: int,
        clock: Callable[[], float],
    ) -> None:
        self._ttl = ttl_seconds
        self._exchange = exchange_seconds
        self._max = min(max_nameplates, MAX_NAMEPLATE)
        self._clock = clock
        self._by_number: dict[int, Nameplate] = {}

    @classmethod
    def from_config(cls, config: RelayConfig, clock: Callable[[], float]) -> Nameplates:
        return cls(
            config.rendezvous_ttl_seconds,
            config.rendezvous_exchange_seconds,
            config.rendezvous_max_nameplates,
            clock,
        )

    def __len__(self) -> int:
        return len(self._by_number)

    def get(self, number: int) -> Nameplate | None:
        return self._by_number.get(number)

    def allocate(self) -> Nameplate:
        """The lowest number not held; raises Refused(TOO_MANY_NAMEPLATES) at the cap."""
        self._forget(self._clock())
        if len(self._by_number) >= self._max:
            raise Refused(ErrorCode.TOO_MANY_NAMEPLATES, "too many phone pairings in progress")
        # Linear, but bounded by the cap (<= 9999) and by the allocation rate limit.
        number = next(n for n in range(1, MAX_NAMEPLATE + 1) if n not in self._by_number)
        nameplate = Nameplate(number, self._clock() + self._ttl)
        self._by_number[number] = nameplate
        return nameplate

    def join(self, number: int) -> Nameplate:
        """Admits one connection; raises Refused(NAMEPLATE_UNKNOWN or NAMEPLATE_USED)."""
        now = self._clock()
        nameplate = self._by_number.get(number)
        if nameplate is None or (nameplate.joins < 2 and now >= nameplate.expires_at):
            raise Refused(ErrorCode.NAMEPLATE_UNKNOWN, "no such nameplate (or it expired)")
        if nameplate.closed or nameplate.joins >= 2:
            raise Refused(ErrorCode.NAMEPLATE_USED, "this nameplate was already used")
        nameplate.joins += 1
        if nameplate.joins == 2:
            nameplate.exchange_until = now + self._exchange
        return nameplate

    @staticmethod
    def close(nameplate: Nameplate) -> None:
        """No one is admitted any more; frames held for an absent side are dropped."""
        nameplate.closed = True
        nameplate.held.clear()
        nameplate.held_bytes = 0

    @staticmethod
    def hold(nameplate: Nameplate, frame: bytes) -> bool:
        """Keeps a frame for the side that has not arrived; False when over the bound."""
        if (
            len(nameplate.held) >= MAX_HELD_FRAMES
            or nameplate.held_bytes + len(frame) > MAX_HELD_BYTES
        ):
            return False
        nameplate.held.append(frame)
        nameplate.held_bytes += len(frame)
        return True

    def sweep(self) -> list[tuple[Nameplate, ErrorCode]]:
        """Closes the nameplates whose time is up (returned with the close code their sockets
        get) and forgets those whose number need not be held any more."""
        now = self._clock()
        ended: list[tuple[Nameplate, ErrorCode]] = []
        for nameplate in self._by_number.values():
            if nameplate.closed:
                continue
            if nameplate.exchange_until is None and now >= nameplate.expires_at:
                ended.append((nameplate, ErrorCode.NAMEPLATE_EXPIRED))
            elif nameplate.exchange_until is not None and now >= nameplate.exchange_until:
                ended.append((nameplate, ErrorCode.IDLE_TIMEOUT))
        for nameplate, _ in ended:
            self.close(nameplate)
        self._forget(now)
        return ended

    def _forget(self, now: float) -> None:
        old = [n for n, p in self._by_number.items() if p.closed and now >= p.forget_at]
        for number in old:
            del self._by_number[number]


class RendezvousSocket:
    """One side of a nameplate; structurally a relay.state.Session."""

    __slots__ = ("_closed", "nameplate", "peer", "ws")

    def __init__(self, ws: web.WebSocketResponse, nameplate: Nameplate) -> None:
        self.ws = ws
        self.nameplate = nameplate
        self.peer: RendezvousSocket | None = None  # set once held frames are flushed to us
        self._closed = False

    def wake(self) -> None:
        """Nothing to push: frames are forwarded as they arrive."""

    async def deliver(self) -> None:
        """Nothing to push: frames are forwarded as they arrive."""

    async def fail(self, code: ErrorCode, reason: str) -> None:
        """Closes with 4000 + code; no frame of the relay's own precedes it."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(ConnectionError):
            await self.ws.close(code=CLOSE_CODE_BASE + code, message=code.name.lower().encode())


class Rendezvous:
    def __init__(self, state: RelayState) -> None:
        config = state.config
        self.state = state
        self.nameplates = Nameplates.from_config(config, state.clock)
        self.limiter = RateLimiter(
            config.rendezvous_rate_per_second, config.rendezvous_burst, state.clock
        )

    async def serve(self, socket: RendezvousSocket) -> None:
        """Forwards this side's frames to the other side (or holds them until it comes)."""
        nameplate = socket.nameplate
        other = next(iter(nameplate.sides), None)
        nameplate.sides.append(socket)
        if other is not None:
            # What the first side sent while alone comes first, in order; frames it sends
            # meanwhile are held too, so the links are made only once nothing is held.
            while nameplate.held:
                frame = nameplate.held.pop(0)
                nameplate.held_bytes -= len(frame)
                await socket.ws.send_bytes(frame)
            socket.peer, other.peer = other, socket
        while True:
            message = await socket.ws.receive()
            if message.type is WSMsgType.BINARY:
                if socket.peer is not None:
                    await socket.peer.ws.send_bytes(message.data)
                elif not self.nameplates.hold(nameplate, message.data):
                    await socket.fail(ErrorCode.TOO_LARGE, "too much sent before the other side")
                    return
            elif message.type in _ENDED:
                return
            else:
                await socket.fail(ErrorCode.MALFORMED, "frames are binary")
                return

    async def leave(self, socket: RendezvousSocket) -> None:
        """One side is gone: the nameplate closes, and so does the other side."""
        nameplate = socket.nameplate
        if socket in nameplate.sides:
            nameplate.sides.remove(socket)
        self.nameplates.close(nameplate)
        for other in list(nameplate.sides):
            await other.fail(ErrorCode.PEER_LEFT, "the other side left")

    async def sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            for nameplate, code in self.nameplates.sweep():
                for side in list(nameplate.sides):
                    self.state.spawn(side.fail(code, "the nameplate's time is up"))


RENDEZVOUS: Final = web.AppKey("relay_rendezvous", Rendezvous)


def _refuse(state: RelayState, refused: Refused, source: str) -> web.Response:
    state.refusals.refused("rendezvous", code_name(refused.code), source)
    retry = state.config.retry_after_seconds
    return error_response(
        refused.code,
        refused.message,
        retry if refused.code is ErrorCode.TOO_MANY_NAMEPLATES else None,
    )


def _admission(state: RelayState, rendezvous: Rendezvous, source: str) -> web.Response | None:
    """The refusals common to both endpoints: shutting down, then the rate limit."""
    if state.shutting_down:
        return error_response(
            ErrorCode.SHUTTING_DOWN, "the relay is restarting", state.config.retry_after_seconds
        )
    if not rendezvous.limiter.take(source):
        return rate_limited(
            state.refusals,
            rendezvous.limiter,
            "rendezvous",
            source,
            "too many phone pairings from this address",
        )
    return None


async def open_nameplate(request: web.Request) -> web.Response:
    state, rendezvous = request.app[STATE], request.app[RENDEZVOUS]
    source = state.source_of(request)
    refusal = _admission(state, rendezvous, source)
    if refusal is not None:
        return refusal
    try:
        nameplate = rendezvous.nameplates.allocate()
    except Refused as refused:
        return _refuse(state, refused, source)
    expires_in = math.ceil(state.config.rendezvous_ttl_seconds)
    return web.json_response(
        {"nameplate": str(nameplate.number), "expires_in": expires_in}, status=201
    )


async def join_nameplate(request: web.Request) -> web.StreamResponse:
    state, rendezvous = request.app[STATE], request.app[RENDEZVOUS]
    config = state.config
    source = state.source_of(request)
    ws = web.WebSocketResponse(
        timeout=CLOSE_TIMEOUT,
        heartbeat=config.heartbeat_seconds,
        # aiohttp refuses a message of exactly max_msg_size bytes: the limit is one above.
        max_msg_size=MAX_RENDEZVOUS_FRAME + 1,
        compress=False,  # end-to-end encrypted frames do not compress
    )
    if state.shutting_down:
        return error_response(
            ErrorCode.SHUTTING_DOWN, "the relay is restarting", config.retry_after_seconds
        )
    if not ws.can_prepare(request).ok:
        return error_response(ErrorCode.MALFORMED, "expected a WebSocket upgrade")
    try:
        number = parse_nameplate(request.match_info["nameplate"])
    except RelayProtocolError as exc:
        return error_response(ErrorCode.MALFORMED, str(exc))
    if len(state.sessions) + state.handshakes >= config.max_connections:
        state.refusals.refused("rendezvous", code_name(ErrorCode.TOO_MANY_CONNECTIONS), source)
        return error_response(
            ErrorCode.TOO_MANY_CONNECTIONS, "too many connections", config.retry_after_seconds
        )
    refusal = _admission(state, rendezvous, source)
    if refusal is not None:
        return refusal
    try:
        # Admitted before the upgrade, synchronously: a third concurrent attempt is refused.
        nameplate = rendezvous.nameplates.join(number)
    except Refused as refused:
        return _refuse(state, refused, source)
    socket = RendezvousSocket(ws, nameplate)
    state.handshakes += 1
    try:
        await ws.prepare(request)
    except BaseException:
        await rendezvous.leave(socket)  # the admission is spent: one use only
        raise
    finally:
        state.handshakes -= 1
    state.sessions.add(socket)
    try:
        if state.shutting_down:
            await socket.fail(ErrorCode.SHUTTING_DOWN, "the relay is restarting")
        elif nameplate.closed:  # the other side left, or time ran out, during the upgrade
            await socket.fail(ErrorCode.PEER_LEFT, "the other side left")
        else:
            await rendezvous.serve(socket)
    except ConnectionError:
        logger.debug("a rendezvous side went away")
    finally:
        state.sessions.discard(socket)
        await rendezvous.leave(socket)
        if not ws.closed:
            await ws.close()
    return ws


async def _sweeping(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[RENDEZVOUS].sweep_forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def install(app: web.Application) -> None:
    """Adds the rendezvous to a relay application (after relay.state.STATE is set)."""
    app[RENDEZVOUS] = Rendezvous(app[STATE])
    app.router.add_post(RENDEZVOUS_PATH, open_nameplate, expect_handler=expect_continue)
    app.router.add_get(
        RENDEZVOUS_PATH + "/{nameplate}", join_nameplate, expect_handler=expect_continue
    )
    app.cleanup_ctx.append(_sweeping)
