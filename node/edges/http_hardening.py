"""What both of the node's HTTP servers (the peer endpoint and the local API) need against
malformed requests that aiohttp itself does not answer well: a bounded log of requests it
cannot parse, and our own handling of the ``Expect`` header."""

from __future__ import annotations

import logging
import time
from typing import Final

from aiohttp import HttpVersion11, web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from node.protocol.admission import MalformedRequestLogs

_MALFORMED: Final = (HttpProcessingError, RequestPayloadError)


def filter_malformed_request_logs() -> None:
    """A request aiohttp cannot parse is logged as one WARNING line naming the error's type,
    at most 20 a minute, never with the traceback that quotes its bytes (RequestPayloadError:
    aiohttp reads the rest of a refused body and meets the same broken encoding again)."""
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, MalformedRequestLogs) for f in server_log.filters):
        server_log.addFilter(MalformedRequestLogs(_MALFORMED, time.monotonic))


async def expect_continue(request: web.Request) -> None:
    """Only ``Expect: 100-continue`` is understood. aiohttp's default handler echoes the
    header in its 417 answer, and fails (a 500 and a logged traceback) on a value that is
    not UTF-8: a stranger's header must cost neither."""
    if request.headers.get("Expect", "").lower() != "100-continue":
        raise web.HTTPExpectationFailed(text="only Expect: 100-continue is understood")
    if request.version == HttpVersion11:
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0


ELSEWHERE: Final = "elsewhere"


async def elsewhere(request: web.Request) -> web.StreamResponse:
    """Every other path or method, as aiohttp would answer it (404, or 405 naming the
    methods the path takes), but through a route of our own (named :data:`ELSEWHERE`), so
    that its Expect header goes through :func:`expect_continue` too."""
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource.name != ELSEWHERE:
            allowed |= (await resource.resolve(request))[1]
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)
    raise web.HTTPNotFound()
