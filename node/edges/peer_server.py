"""The peer endpoint: the only thing other nodes can reach. It accepts sealed packets, one
or a batch per request, and nothing else; every refusal is a 4xx with a log line that holds
no content, at most 20 lines a minute plus a summary of the rest by reason
(node.protocol.admission.RefusalLog): one budget for refused connections and requests (the
connection guard shares it: ``app[REFUSALS]``), one for refused packets, so that a flood of
junk packets does not hide the moment its sender is rate-limited."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from node.core.config import NodeConfig
from node.core.errors import PeerRefused, Verdict
from node.core.ports import Clock
from node.core.receiving import Receiver
from node.edges.http_hardening import (
    expect_continue,
    filter_malformed_request_logs,
    roll_periodically,
)
from node.edges.peer_wire import BATCH_PATH, GONE_STATUS, MAX_BATCH_BYTES, PACKET_PATH, decode_batch
from node.protocol import MalformedInput
from node.protocol.admission import RateLimiter, RefusalLog

log = logging.getLogger(__name__)
# A peer sends one packet or one batch (at most 1 MiB): a body still arriving after this
# long holds a connection for nothing (a slow-loris).
BODY_TIMEOUT_SECONDS: Final = 30.0
# How a refused packet is answered (docs/protocol.md §17).
STATUS: Final = {
    Verdict.MALFORMED: 400,
    Verdict.UNKNOWN_SENDER: 403,
    Verdict.GONE: GONE_STATUS,
    Verdict.BUSY: 503,
}
# The endpoint's bounded refusal log, for the daemon's connection guard to share.
REFUSALS: Final = web.AppKey("refusals", RefusalLog)


def create_app(receiver: Receiver, config: NodeConfig, clock: Clock) -> web.Application:
    filter_malformed_request_logs()
    limiter = RateLimiter(config.peer_rate_per_second, config.peer_rate_burst, clock)
    refusals = RefusalLog(log, clock)
    packet_refusals = RefusalLog(log, clock)

    def refuse(source: str, code: str, status: int) -> web.Response:
        refusals.refused("request", code, source)
        return web.json_response({"error": code}, status=status)

    async def read_body(request: web.Request, limit: int) -> bytes | web.Response:
        source = request.remote or "unknown"
        if not limiter.allow(source):
            return refuse(source, "rate_limited", 429)
        if request.content_length is not None and request.content_length > limit:
            return refuse(source, "too_large", 413)
        try:
            async with asyncio.timeout(BODY_TIMEOUT_SECONDS):
                return await request.read()
        except web.HTTPRequestEntityTooLarge:
            return refuse(source, "too_large", 413)
        except TimeoutError:
            return refuse(source, "timeout", 408)  # the body did not arrive in time
        except (ConnectionError, HttpProcessingError, RequestPayloadError):
            # The peer went away mid-body, or its chunked or compressed encoding is broken.
            return refuse(source, "malformed_body", 400)

    async def handle(packet: bytes, source: str) -> Any:
        try:
            return await receiver.receive(packet)
        except PeerRefused as exc:
            # The reasons are a fixed set of texts: one counter each in the summary.
            packet_refusals.refused("packet", exc.reason, source)
            return {"status": STATUS[exc.verdict], "error": exc.reason}

    async def receive_one(request: web.Request) -> web.Response:
        body = await read_body(request, config.peer_max_request_bytes)
        if isinstance(body, web.Response):
            return body
        outcome = await handle(body, request.remote or "unknown")
        if isinstance(outcome, dict):
            return web.json_response({"error": outcome["error"]}, status=outcome["status"])
        return web.json_response({"status": outcome})

    async def receive_batch(request: web.Request) -> web.Response:
        body = await read_body(request, MAX_BATCH_BYTES)
        if isinstance(body, web.Response):
            return body
        source = request.remote or "unknown"
        try:
            packets = decode_batch(body)
        except MalformedInput:
            return refuse(source, "malformed_batch", 400)
        # Handled concurrently so that their commits share one transaction.
        results = await asyncio.gather(*(handle(packet, source) for packet in packets))
        return web.json_response({"results": results})

    async def elsewhere(request: web.Request) -> web.Response:
        """Any other path or method (a route of its own, so that its Expect header goes
        through :func:`expect_continue` too)."""
        if request.path in (PACKET_PATH, BATCH_PATH):
            return web.json_response(
                {"error": "method_not_allowed"}, status=405, headers={"Allow": "POST"}
            )
        return web.json_response({"error": "not_found"}, status=404)

    app = web.Application(client_max_size=MAX_BATCH_BYTES)
    app[REFUSALS] = refusals
    app.cleanup_ctx.append(roll_periodically(refusals, packet_refusals))
    app.router.add_post(PACKET_PATH, receive_one, expect_handler=expect_continue)
    app.router.add_post(BATCH_PATH, receive_batch, expect_handler=expect_continue)
    app.router.add_route("*", "/{tail:.*}", elsewhere, expect_handler=expect_continue)
    return app
