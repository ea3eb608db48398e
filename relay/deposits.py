"""HTTP deposits: those a mailbox's owner allowed drop sealed blobs into it
(docs/relay-protocol.md §4, relay protocol version 2).

    POST /v2/mailboxes/{mailbox id hex}/blobs   header Releve-Deposit-Capability: hex(32)
                                                body: one blob
        200 {"status": "stored" | "duplicate", "blob_id": hex}
    POST /v2/deposits                           body: node.protocol.relay_wire.encode_deposits(...)
        200 {"results": ["stored" | "duplicate" | {"status": 403, "error": "capability_refused"}]}
    POST /v1/deposits, /v1/mailboxes/{id}/blobs (version 1, no capability)
        400 unsupported_version: update Relève

Each deposit, alone or in a batch, costs one token of the source's rate limit. A deposit into
a mailbox whose owner has not registered its capability since the relay started
(``mailbox_unknown``) or with the wrong capability (``capability_refused``) is refused before
anything of it is stored: a single deposit before its body is even read. Refusals are logged
through the bounded refusal log, with the source address and never a mailbox id.
"""

from __future__ import annotations

import asyncio
from typing import Final

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from node.protocol.relay_wire import (
    CAPABILITY_HEADER,
    DEPOSIT_HEADER_SIZE,
    MAX_BLOB_SIZE,
    MAX_DEPOSIT_BATCH,
    ErrorCode,
    RelayProtocolError,
    decode_deposits,
    parse_capability,
    parse_mailbox_id,
)
from relay.mailboxes import Refused
from relay.refusals import HTTP_STATUS, RETRYABLE, code_name, error_response, rate_limited
from relay.state import STATE, RelayState

MAX_BATCH_BYTES: Final = MAX_DEPOSIT_BATCH * (DEPOSIT_HEADER_SIZE + MAX_BLOB_SIZE)
UPDATE_RELEVE: Final = (
    "relay protocol version 1 is not supported: update Relève"
    " (deposits now carry the mailbox's deposit capability)"
)
_STORED: Final = "stored"
_DUPLICATE: Final = "duplicate"


async def read_body(request: web.Request, limit: int, timeout: float) -> bytes:
    """The request body, at most ``limit`` bytes within ``timeout`` seconds; raises
    :class:`Refused` (TOO_LARGE, IDLE_TIMEOUT or MALFORMED when the peer goes away)."""
    length = request.content_length
    if length is not None and length > limit:
        raise Refused(ErrorCode.TOO_LARGE, f"the body is larger than {limit} bytes")
    if length is not None and request.content.is_eof():
        return await request.read()  # already received whole: no timer needed
    try:
        async with asyncio.timeout(timeout):
            if length is not None:
                return await request.read()
            body = bytearray()
            async for chunk in request.content.iter_any():
                body += chunk
                if len(body) > limit:
                    raise Refused(ErrorCode.TOO_LARGE, f"the body is larger than {limit} bytes")
            return bytes(body)
    except TimeoutError:
        raise Refused(ErrorCode.IDLE_TIMEOUT, "the body did not arrive in time") from None
    except (ConnectionError, web.HTTPException, HttpProcessingError, RequestPayloadError):
        # Gone mid-body, or a broken chunked or compressed encoding.
        raise Refused(ErrorCode.MALFORMED, "the body could not be read") from None


def _refuse(state: RelayState, refused: Refused, source: str, what: str) -> web.Response:
    state.refusals.refused(what, code_name(refused.code), source)
    retry_after = state.config.retry_after_seconds if refused.code in RETRYABLE else None
    return error_response(refused.code, refused.message, retry_after)


def _shutting_down(state: RelayState) -> web.Response:
    return error_response(
        ErrorCode.SHUTTING_DOWN, "the relay is restarting", state.config.retry_after_seconds
    )


def _rate_limited(state: RelayState, source: str, what: str) -> web.Response:
    return rate_limited(
        state.refusals, state.deposit_limiter, what, source, "too many deposits from this address"
    )


async def legacy_deposit(request: web.Request) -> web.Response:
    """A version 1 deposit (no capability): refused plainly, its body not read."""
    state = request.app[STATE]
    if state.shutting_down:
        return _shutting_down(state)
    source = state.source_of(request)
    state.refusals.refused("deposit", code_name(ErrorCode.UNSUPPORTED_VERSION), source)
    return error_response(ErrorCode.UNSUPPORTED_VERSION, UPDATE_RELEVE)


def _capability_of(request: web.Request) -> bytes:
    """The single deposit's capability header; raises :class:`Refused`."""
    text = request.headers.get(CAPABILITY_HEADER)
    if text is None:
        raise Refused(
            ErrorCode.CAPABILITY_REQUIRED,
            f"a deposit carries the mailbox's deposit capability ({CAPABILITY_HEADER})",
        )
    try:
        return parse_capability(text.strip())
    except RelayProtocolError as exc:
        raise Refused(ErrorCode.MALFORMED, str(exc)) from None


async def deposit_one(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.shutting_down:
        return _shutting_down(state)
    try:
        mailbox_id = parse_mailbox_id(request.match_info["mailbox"])
    except RelayProtocolError:
        return error_response(ErrorCode.MALFORMED, "a mailbox id is 32 hexadecimal digits")
    source = state.source_of(request)
    if not state.deposit_limiter.take(source):
        return _rate_limited(state, source, "deposit")
    config = state.config
    try:
        # Who may deposit, before a byte of the body is read.
        state.store.check_deposit(mailbox_id, _capability_of(request))
        blob = await read_body(request, config.max_blob_bytes, config.body_timeout_seconds)
        stored, blob_id = state.store.deposit(mailbox_id, blob, source)
    except Refused as refused:
        return _refuse(state, refused, source, "deposit")
    if stored:
        await state.deliver(mailbox_id)
    return web.json_response(
        {"status": _STORED if stored else _DUPLICATE, "blob_id": blob_id.hex()}
    )


async def deposit_batch(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.shutting_down:
        return _shutting_down(state)
    source = state.source_of(request)
    # One token up front, so a limited source's body is not even read.
    if not state.deposit_limiter.take(source):
        return _rate_limited(state, source, "deposits")
    try:
        body = await read_body(request, MAX_BATCH_BYTES, state.config.body_timeout_seconds)
    except Refused as refused:
        return _refuse(state, refused, source, "deposits")
    try:
        deposits = decode_deposits(body)
    except RelayProtocolError as exc:
        return error_response(ErrorCode.MALFORMED, str(exc))
    granted = 1 + state.deposit_limiter.take(source, len(deposits) - 1)
    results: list[str | dict[str, int | str]] = []
    refusals: set[ErrorCode] = set()
    for index, (mailbox_id, capability, blob) in enumerate(deposits):
        try:
            if index >= granted:
                raise Refused(ErrorCode.RATE_LIMITED, "too many deposits from this address")
            state.store.check_deposit(mailbox_id, capability)
            stored, _ = state.store.deposit(mailbox_id, blob, source)
        except Refused as refused:
            refusals.add(refused.code)
            results.append({"status": HTTP_STATUS[refused.code], "error": code_name(refused.code)})
            continue
        if stored:
            state.notify(mailbox_id)
        results.append(_STORED if stored else _DUPLICATE)
    headers: dict[str, str] = {}
    for code in sorted(refusals):
        state.refusals.refused("deposit in a batch", code_name(code), source)
    if ErrorCode.RATE_LIMITED in refusals:
        headers["Retry-After"] = str(state.deposit_limiter.retry_after(source))
    elif refusals & RETRYABLE:
        headers["Retry-After"] = str(state.config.retry_after_seconds)
    return web.json_response({"results": results}, headers=headers)
