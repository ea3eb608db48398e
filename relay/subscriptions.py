"""A mailbox owner's WebSocket (``GET /v1/subscribe``; docs/relay-protocol.md, "Subscribing").

    relay: CHALLENGE(2, nonce)
    owner: AUTH(public key, deposit hash, signature over auth_message(nonce, key, hash))
    relay: registers the deposit hash for the mailbox (replacing any earlier one)
    relay: WELCOME(queued), then BLOB frames (FIFO, at most max_in_flight unacknowledged)
    owner: ACK(blob ids)      relay: deletes them and pushes more

Every refusal is an ERROR frame, then a close with code 4000 + the error code. A deposit
pushes its blob itself when the owner's socket has nothing unsent (the blob leaves before the
deposit is answered); otherwise, and after ACKs, pushing runs in a short-lived task. So an
idle subscription costs no task of its own, and a slow reader never blocks a depositor or the
reading of its own ACKs. Blobs are taken one at a time: an interrupted push leaves nothing
marked in flight that was not sent.
"""

from __future__ import annotations

import asyncio
from typing import Final

from aiohttp import WSMessage, WSMsgType, web

from node.protocol.relay_wire import (
    FAST_VERSION,
    MAX_ACK_IDS,
    NONCE_SIZE,
    VERSION,
    Ack,
    Auth,
    Blob,
    Challenge,
    Error,
    ErrorCode,
    Frame,
    RelayProtocolError,
    Welcome,
    decode_frame,
    encode_blobs,
    is_legacy_auth,
    parse_mailbox_id,
)
from relay.refusals import code_name, error_response, rate_limited
from relay.state import STATE, RelayState, logger

CLOSE_TIMEOUT: Final = 2.0  # seconds to wait for the owner's close frame
CLOSE_CODE_BASE: Final = 4000  # WebSocket close code = 4000 + ErrorCode (private range)
MAX_U32: Final = 2**32 - 1
# A deposit pushes at most this many blobs itself (no task), and only while the subscriber's
# socket has nothing unsent; the rest goes through a pushing task.
INLINE_PUSH_BLOBS: Final = 4
# Version 3 subscriptions take pending blobs in BLOBS frames of at most this many bytes (and
# MAX_ACK_IDS blobs, the most a BLOBS frame may hold).
MAX_PUSH_FRAME_BYTES: Final = 256 * 1024
_ENDED: Final = frozenset({WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR})


class Subscription:
    __slots__ = (
        "_batched",
        "_closed",
        "_generation",
        "_mailbox_id",
        "_path_mailbox",
        "_pushing",
        "_ready",
        "_source",
        "_state",
        "_ws",
        "_ws_transport",
    )

    def __init__(
        self,
        state: RelayState,
        ws: web.WebSocketResponse,
        transport: asyncio.Transport | None,
        source: str,
        path_mailbox: bytes | None = None,
    ) -> None:
        self._state = state
        # Version 3 (§18): the mailbox named in the path; AUTH must open this one, and blobs
        # go out several to a frame (BLOBS).
        self._path_mailbox = path_mailbox
        self._batched = path_mailbox is not None
        self._ws = ws
        self._ws_transport = transport  # to see whether the owner keeps up with pushes
        self._source = source  # logged only with a refusal
        self._mailbox_id = b""
        self._generation = 0
        self._ready = False  # WELCOME sent: blobs may be pushed
        self._pushing = False
        self._closed = False

    async def serve(self) -> None:
        state, ws = self._state, self._ws
        nonce = state.random(NONCE_SIZE)
        version = VERSION if self._path_mailbox is None else FAST_VERSION
        await ws.send_bytes(Challenge(nonce, version).encode())
        try:
            message = await ws.receive(timeout=state.config.auth_timeout_seconds)
        except TimeoutError:
            await self.fail(ErrorCode.IDLE_TIMEOUT, "no AUTH in time")
            return
        if message.type is WSMsgType.BINARY and is_legacy_auth(message.data):
            state.refusals.refused(
                "subscription", code_name(ErrorCode.UNSUPPORTED_VERSION), self._source
            )
            await self.fail(
                ErrorCode.UNSUPPORTED_VERSION,
                "relay protocol version 1 is not supported: update Relève",
            )
            return
        frame = await self._decode(message)
        if frame is None:
            return
        if not isinstance(frame, Auth):
            await self.fail(ErrorCode.MALFORMED, "expected AUTH")
            return
        reason = None
        if not frame.verify(nonce):
            reason = "the signature does not match"
        elif self._path_mailbox is not None and frame.mailbox_id != self._path_mailbox:
            reason = "this key does not open the mailbox in the path"
        if reason is not None:
            state.refusals.refused("subscription", code_name(ErrorCode.AUTH_FAILED), self._source)
            await self.fail(ErrorCode.AUTH_FAILED, reason)
            return
        queued = self._subscribe(frame.mailbox_id)
        # Subscribed first, so that the registration is never the one forgotten for room.
        state.store.register(frame.mailbox_id, frame.deposit_hash)
        try:
            await ws.send_bytes(Welcome(min(queued, MAX_U32)).encode())
            self._ready = True  # only now: no BLOB may precede WELCOME
            self.wake()
            await self._receive_acks()
        finally:
            self._closed = True
            self._ready = False
            if state.subscribers.get(self._mailbox_id) is self:
                del state.subscribers[self._mailbox_id]
            state.store.unsubscribe(self._mailbox_id, self._generation)

    def _subscribe(self, mailbox_id: bytes) -> int:
        """Makes this connection the mailbox's subscription, synchronously (no deposit or
        other subscription interleaves); returns how many blobs are queued."""
        state = self._state
        previous = state.subscribers.get(mailbox_id)
        state.subscribers[mailbox_id] = self
        self._mailbox_id = mailbox_id
        self._generation, queued = state.store.subscribe(mailbox_id)
        if previous is not None:
            state.spawn(previous.fail(ErrorCode.REPLACED, "another connection subscribed"))
        return queued

    async def _receive_acks(self) -> None:
        state = self._state
        while not self._closed:
            frame = await self._decode(await self._ws.receive())
            if frame is None:
                return
            if not isinstance(frame, Ack):
                await self.fail(ErrorCode.MALFORMED, "expected ACK")
                return
            state.store.ack(self._mailbox_id, frame.blob_ids)
            self.wake()

    async def _decode(self, message: WSMessage) -> Frame | None:
        """The frame in ``message``; None (after ERROR(MALFORMED) if needed) to stop."""
        if message.type is WSMsgType.BINARY:
            try:
                return decode_frame(message.data)
            except RelayProtocolError:
                await self.fail(ErrorCode.MALFORMED, "undecodable frame")
                return None
        if message.type not in _ENDED:
            await self.fail(ErrorCode.MALFORMED, "frames are binary")
        return None

    def _can_push(self) -> bool:
        state = self._state
        return (
            self._ready
            and not self._pushing
            and not self._closed
            and state.store.can_push(self._mailbox_id, self._generation, state.config.max_in_flight)
        )

    def wake(self) -> None:
        if self._can_push():
            self._pushing = True
            self._state.spawn(self._push_all())

    async def _push_all(self) -> None:
        await self._push()

    async def deliver(self) -> None:
        """Pushes in the depositor's own task when this socket keeps up: the blob leaves
        before the deposit is answered, and no task is made. Otherwise as :meth:`wake`."""
        transport = self._ws_transport
        if transport is None or transport.get_write_buffer_size():
            self.wake()
        elif self._ready and not self._pushing and not self._closed:
            self._pushing = True
            if await self._push(INLINE_PUSH_BLOBS):
                self.wake()  # whatever is left, in a task of its own

    async def _push(self, budget: int = MAX_U32) -> bool:
        """Sends pending blobs (at least ``budget``, whole frames), FIFO, within the
        in-flight window; True when it stopped at its budget (more may be pending).

        A version 3 subscription takes whatever is pending, up to MAX_PUSH_FRAME_BYTES, in
        one BLOBS frame: taken and written synchronously, so nothing is marked in flight
        that is not written."""
        state, ws, store = self._state, self._ws, self._state.store
        window = state.config.max_in_flight
        per_frame = MAX_ACK_IDS if self._batched else 1
        sent = 0
        try:
            while self._ready and not self._closed:
                if sent >= budget:
                    return True
                taken = store.take(
                    self._mailbox_id, self._generation, window, per_frame, MAX_PUSH_FRAME_BYTES
                )
                if not taken:
                    return False
                if len(taken) == 1:
                    await ws.send_bytes(Blob(*taken[0]).encode())
                else:
                    await ws.send_bytes(encode_blobs(taken))
                sent += len(taken)
            return False
        except ConnectionError:
            # The socket is closing; its blobs stay queued for the next subscription.
            self._closed = True
            return False
        finally:
            self._pushing = False

    async def fail(self, code: ErrorCode, reason: str) -> None:
        if self._closed:
            return
        self._closed = True
        self._ready = False
        ws = self._ws
        try:
            await ws.send_bytes(Error(code, reason).encode())
        except ConnectionError:
            pass
        await ws.close(code=CLOSE_CODE_BASE + code, message=code.name.lower().encode())


async def subscribe(request: web.Request) -> web.StreamResponse:
    """``GET /v1/subscribe`` (version 2) and ``GET /v3/mailboxes/{id}/subscribe`` (§18)."""
    state = request.app[STATE]
    config = state.config
    if state.shutting_down:
        return error_response(
            ErrorCode.SHUTTING_DOWN, "the relay is restarting", config.retry_after_seconds
        )
    path_mailbox: bytes | None = None
    if "mailbox" in request.match_info:
        try:
            path_mailbox = parse_mailbox_id(request.match_info["mailbox"])
        except RelayProtocolError:
            return error_response(ErrorCode.MALFORMED, "a mailbox id is 32 hexadecimal digits")
    ws = web.WebSocketResponse(
        timeout=CLOSE_TIMEOUT,
        heartbeat=config.heartbeat_seconds,
        # aiohttp refuses a message of max_msg_size bytes or more: the limit is one above.
        max_msg_size=config.max_frame_bytes + 1,
        compress=False,  # sealed blobs do not compress
    )
    if not ws.can_prepare(request).ok:
        return error_response(ErrorCode.MALFORMED, "expected a WebSocket upgrade")
    source = state.source_of(request)
    refused = await admit_websocket(state, request, ws, source, "subscription")
    if refused is not None:
        return refused
    session = Subscription(state, ws, request.transport, source, path_mailbox)
    state.sessions.add(session)
    try:
        if state.shutting_down:  # began while this socket was being upgraded
            await session.fail(ErrorCode.SHUTTING_DOWN, "the relay is restarting")
        else:
            await session.serve()
    except ConnectionError:
        logger.debug("a subscriber went away")
    finally:
        state.sessions.discard(session)
        if not ws.closed:
            await ws.close()
    return ws


async def admit_websocket(
    state: RelayState, request: web.Request, ws: web.WebSocketResponse, source: str, what: str
) -> web.Response | None:
    """Upgrades ``request`` to ``ws`` unless the relay holds all the connections it may, or
    ``source`` opens them too fast: then the refusal to answer (logged, bounded)."""
    config = state.config
    if len(state.sessions) + state.handshakes >= config.max_connections:
        state.refusals.refused(what, code_name(ErrorCode.TOO_MANY_CONNECTIONS), source)
        return error_response(
            ErrorCode.TOO_MANY_CONNECTIONS, "too many connections", config.retry_after_seconds
        )
    if not state.subscribe_limiter.take(source):
        return rate_limited(
            state.refusals,
            state.subscribe_limiter,
            what,
            source,
            "too many connections from this address",
        )
    state.handshakes += 1
    try:
        await ws.prepare(request)
    finally:
        state.handshakes -= 1
    return None
