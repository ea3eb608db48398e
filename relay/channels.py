"""Deposit channels (relay protocol version 3, docs/relay-protocol.md §18): a depositor's
WebSocket to one mailbox, ``GET /v3/mailboxes/{mailbox id hex}/deposit``.

    depositor: DEPOSIT(batch, capability, blobs)    1 to 64 blobs for the path's mailbox
    relay:     RESULTS(retry after, (batch, results)...)   one result byte per blob

The same checks as an HTTP deposit (§4), for every DEPOSIT frame: the source's deposit tokens
(one per blob), the mailbox's registration and capability (compared through its hash, in
constant time), then the store's limits. A channel costs what a subscription costs: it counts
in ``max_connections`` and takes a connection token from its source. A capability the relay
refuses ends the channel (ERROR(CAPABILITY_REFUSED), close 4019) after its RESULTS; an
unknown mailbox (the owner has not subscribed since the relay started) does not: its results
carry ``retry_after``. Nothing here logs a mailbox id, blob, capability or key.
"""

from __future__ import annotations

import asyncio
from typing import Final

from aiohttp import WSMsgType, web

from node.protocol.relay_wire import (
    DEPOSIT_FRAME_HEADER,
    RESULT_DUPLICATE,
    RESULT_STORED,
    Error,
    ErrorCode,
    FrameType,
    RelayProtocolError,
    Results,
    decode_deposit,
    parse_mailbox_id,
)
from relay.mailboxes import Refused
from relay.refusals import RETRYABLE, code_name, error_response
from relay.state import STATE, RelayState, logger
from relay.subscriptions import CLOSE_CODE_BASE, CLOSE_TIMEOUT, admit_websocket

_ENDED: Final = frozenset({WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR})
_DEPOSIT: Final = FrameType.DEPOSIT
_STORED: Final = RESULT_STORED
_DUPLICATE: Final = RESULT_DUPLICATE
_MAX_BATCH: Final = 64
# RESULTS are batched acknowledgements: a channel's results wait at most this long (or until
# 64 batches are unanswered, or a refusal) and leave together, for every channel at once.
RESULTS_DELAY_SECONDS: Final = 0.05
MAX_UNANSWERED: Final = 64


class DepositChannel:
    """One open deposit channel (a :class:`relay.state.Session`: it is closed at shutdown)."""

    __slots__ = (
        "_closed",
        "_deferred",
        "_mailbox_id",
        "_results",
        "_retry_after",
        "_source",
        "_state",
        "_ws",
    )

    def __init__(
        self, state: RelayState, ws: web.WebSocketResponse, mailbox_id: bytes, source: str
    ) -> None:
        self._state = state
        self._ws = ws
        self._mailbox_id = mailbox_id
        self._source = source  # logged only with a refusal
        self._closed = False
        self._results: list[tuple[int, bytes]] = []  # unanswered batches, at most 64
        self._retry_after = 0
        self._deferred = False  # a flush is due with the relay's next deferred pass

    async def flush(self) -> None:
        """Sends the RESULTS of every batch not yet answered, in one frame."""
        self._deferred = False
        if not self._results or self._closed:
            return
        batches, self._results = tuple(self._results), []
        retry_after, self._retry_after = self._retry_after, 0
        await self._ws.send_bytes(Results(min(retry_after, 65535), batches).encode())

    def wake(self) -> None:
        """Nothing is pushed on a deposit channel."""

    async def deliver(self) -> None:
        """Nothing is pushed on a deposit channel."""

    async def serve(self) -> None:
        state, ws, mailbox_id = self._state, self._ws, self._mailbox_id
        store, subscribers = state.store, state.subscribers
        while not self._closed:
            message = await ws.receive()
            data = message.data
            if message.type is not WSMsgType.BINARY:
                if message.type not in _ENDED:
                    await self.fail(ErrorCode.MALFORMED, "frames are binary")
                return
            if len(data) <= DEPOSIT_FRAME_HEADER or data[0] != _DEPOSIT:
                await self.fail(ErrorCode.MALFORMED, "expected DEPOSIT")
                return
            try:
                frame = decode_deposit(data)
            except RelayProtocolError:
                await self.fail(ErrorCode.MALFORMED, "undecodable frame")
                return
            del data, message  # the frame's bytes: only the blobs are kept
            count = len(frame.blobs)
            granted = state.deposit_limiter.take(self._source, count)
            results = bytearray(count)
            refusal: ErrorCode | None = None
            stored_any = False
            try:
                store.check_deposit(mailbox_id, frame.capability)
            except Refused as refused:
                refusal = refused.code
                results[:] = bytes((refused.code,)) * count
            else:
                for index, blob in enumerate(frame.blobs):
                    if index >= granted:
                        refusal = ErrorCode.RATE_LIMITED
                        results[index:] = bytes((ErrorCode.RATE_LIMITED,)) * (count - index)
                        break
                    try:
                        stored, _ = store.deposit(mailbox_id, blob, self._source)
                    except Refused as refused:
                        refusal = refused.code
                        results[index] = refused.code
                        continue
                    if stored:
                        stored_any = True
                    else:
                        results[index] = _DUPLICATE
            if stored_any and (subscriber := subscribers.get(mailbox_id)) is not None:
                # The blobs leave for the owner before the depositor is answered.
                await subscriber.deliver()
            retry_after = 0
            if refusal is not None:
                state.refusals.refused("deposit on a channel", code_name(refusal), self._source)
                if refusal is ErrorCode.RATE_LIMITED:
                    retry_after = state.deposit_limiter.retry_after(self._source)
                elif refusal in RETRYABLE:
                    retry_after = state.config.retry_after_seconds
            self._results.append((frame.batch, bytes(results)))
            self._retry_after = max(self._retry_after, retry_after)
            if refusal is not None or len(self._results) >= MAX_UNANSWERED:
                await self.flush()
            elif not self._deferred:  # once per pass (not a bound method per frame)
                self._deferred = True
                state.defer(self, self.flush, RESULTS_DELAY_SECONDS)
            if refusal is ErrorCode.CAPABILITY_REFUSED:
                await self.fail(refusal, "this is not the mailbox's deposit capability")
                return

    async def fail(self, code: ErrorCode, reason: str) -> None:
        if self._closed:
            return
        ws = self._ws
        try:
            await self.flush()  # the depositor learns what was stored before the error
        except ConnectionError:
            pass
        self._closed = True
        try:
            await ws.send_bytes(Error(code, reason).encode())
        except ConnectionError:
            pass
        await ws.close(code=CLOSE_CODE_BASE + code, message=code.name.lower().encode())


def max_frame_bytes(state: RelayState) -> int:
    """The largest DEPOSIT frame this relay reads: 64 blobs of its ``max_blob_bytes``."""
    return DEPOSIT_FRAME_HEADER + _MAX_BATCH * (4 + state.config.max_blob_bytes)


async def deposit_channel(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    config = state.config
    if state.shutting_down:
        return error_response(
            ErrorCode.SHUTTING_DOWN, "the relay is restarting", config.retry_after_seconds
        )
    try:
        mailbox_id = parse_mailbox_id(request.match_info["mailbox"])
    except RelayProtocolError:
        return error_response(ErrorCode.MALFORMED, "a mailbox id is 32 hexadecimal digits")
    ws = web.WebSocketResponse(
        timeout=CLOSE_TIMEOUT,
        heartbeat=config.heartbeat_seconds,
        # aiohttp refuses a message of max_msg_size bytes or more: the limit is one above.
        max_msg_size=max_frame_bytes(state) + 1,
        compress=False,  # sealed blobs do not compress
    )
    if not ws.can_prepare(request).ok:
        return error_response(ErrorCode.MALFORMED, "expected a WebSocket upgrade")
    source = state.source_of(request)
    refused = await admit_websocket(state, request, ws, source, "deposit channel")
    if refused is not None:
        return refused
    channel = DepositChannel(state, ws, mailbox_id, source)
    state.sessions.add(channel)
    try:
        if state.shutting_down:
            await channel.fail(ErrorCode.SHUTTING_DOWN, "the relay is restarting")
        else:
            await channel.serve()
            await channel.flush()  # what is stored is answered, if the socket still can
    except (ConnectionError, asyncio.CancelledError) as exc:
        if isinstance(exc, asyncio.CancelledError):
            raise
        logger.debug("a depositor went away")
    finally:
        state.sessions.discard(channel)
        if not ws.closed:
            await ws.close()
    return ws
