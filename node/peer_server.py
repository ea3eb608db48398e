"""The peer endpoint: the only thing other nodes can reach. It accepts sealed packets and
nothing else; every refusal is a 4xx with a log line that holds no content."""

from __future__ import annotations

import logging

from aiohttp import web

from node.config import NodeConfig
from node.direct import PACKET_PATH
from node.ratelimit import RateLimiter
from node.service import NodeService, PeerRejected

log = logging.getLogger(__name__)


def create_app(service: NodeService, config: NodeConfig) -> web.Application:
    limiter = RateLimiter(config.peer_rate_per_second, config.peer_rate_burst, service.clock)

    async def receive(request: web.Request) -> web.Response:
        source = request.remote or "unknown"
        if not limiter.allow(source):
            log.warning("dropped packet from %s: rate limit", source)
            return web.json_response({"error": "rate_limited"}, status=429)
        if request.content_length is not None and (
            request.content_length > config.peer_max_request_bytes
        ):
            log.warning("dropped packet from %s: too large", source)
            return web.json_response({"error": "too_large"}, status=413)
        try:
            packet = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("dropped packet from %s: too large", source)
            return web.json_response({"error": "too_large"}, status=413)
        try:
            outcome = await service.receive_packet(packet)
        except PeerRejected as exc:
            log.warning("dropped packet from %s: %s", source, exc.reason)
            return web.json_response({"error": exc.reason}, status=exc.status)
        return web.json_response({"status": outcome})

    app = web.Application(client_max_size=config.peer_max_request_bytes)
    app.router.add_post(PACKET_PATH, receive)
    return app
