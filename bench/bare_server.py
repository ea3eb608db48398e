"""The bare baseline server of ``bench.direct`` and ``bench.latency``: plain aiohttp, no
Relève code, in its own process.

    python -m bench.bare_server 127.0.0.1:0

- ``POST /v1/packets``: a batch framed as the direct transport frames it (u32 length +
  packet, docs/protocol.md §17); the answer is the node's, ``{"results": ["stored", ...]}``,
  one per packet. Nothing is opened, checked or committed: this is the transport alone.
- ``POST /post`` and ``GET /wait``: a one-slot message board. A POST wakes the waiting GET,
  which answers with the posted body (the bare analogue of ``releve send`` -> ``releve inbox
  --wait``); a POST with nobody waiting is kept for the next GET.

Prints ``bare server listening on http://HOST:PORT`` once bound (bench.processes reads it).
"""

from __future__ import annotations

import asyncio
import struct
import sys
from collections import deque

from aiohttp import web

from bench import bare_serving

_U32 = struct.Struct(">I")


def count_packets(body: bytes) -> int:
    count, offset = 0, 0
    while offset < len(body):
        (size,) = _U32.unpack_from(body, offset)
        offset += 4 + size
        count += 1
    return count


def create_app() -> web.Application:
    board: deque[bytes] = deque()
    posted = asyncio.Condition()

    async def packets(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({"results": ["stored"] * count_packets(body)})

    async def post(request: web.Request) -> web.Response:
        body = await request.read()
        async with posted:
            board.append(body)
            posted.notify_all()
        return web.json_response({"status": "stored"}, status=201)

    async def wait(request: web.Request) -> web.Response:
        async with posted:
            await posted.wait_for(lambda: bool(board))
            body = board.popleft()
        return web.Response(body=body, content_type="application/json")

    app = web.Application(client_max_size=2 * 1024 * 1024)
    app.router.add_post("/v1/packets", packets)
    app.router.add_post("/post", post)
    app.router.add_get("/wait", wait)
    return app


def main() -> int:
    return bare_serving.main(create_app, "bare server", sys.argv)


if __name__ == "__main__":
    raise SystemExit(main())
