"""The bare baseline of ``bench.web_push``: plain aiohttp, no Relève code, in its own process.

    python -m bench.bare_push 127.0.0.1:0

- ``GET /``: a page whose script opens a WebSocket and appends every text it is sent as a list
  item with the id it comes with (what the web client's page shows of a new message, minus
  everything Relève does).
- ``GET /ws``: that WebSocket.
- ``POST /emit?id=ID`` with a text: sends ``ID``, a newline and the text to every open page;
  answers the time (seconds since the epoch) taken just before sending.

Prints ``bare push server listening on http://HOST:PORT`` once bound (bench.processes reads it).
"""

from __future__ import annotations

import sys
import time

from aiohttp import web

from bench import bare_serving

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>bare</title></head>
<body><ul id="list"></ul>
<script>
var socket = new WebSocket("ws://" + location.host + "/ws");
socket.onopen = function () { document.body.dataset.socket = "open"; };
socket.onmessage = function (event) {
  var cut = event.data.indexOf("\\n");
  var item = document.createElement("li");
  item.id = event.data.slice(0, cut);
  item.textContent = event.data.slice(cut + 1);
  document.getElementById("list").appendChild(item);
};
</script></body></html>
"""


def create_app() -> web.Application:
    sockets: set[web.WebSocketResponse] = set()

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        sockets.add(ws)
        try:
            async for _ in ws:
                pass
        finally:
            sockets.discard(ws)
        return ws

    async def emit(request: web.Request) -> web.Response:
        text = await request.text()
        message = f"{request.query['id']}\n{text}"
        at = time.time()
        for ws in list(sockets):
            await ws.send_str(message)
        return web.Response(text=repr(at))

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_get("/ws", socket)
    app.router.add_post("/emit", emit)
    return app


def main() -> int:
    return bare_serving.main(create_app, "bare push server", sys.argv)


if __name__ == "__main__":
    raise SystemExit(main())
