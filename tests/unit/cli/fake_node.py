"""A stand-in for a node's local API: http.server on 127.0.0.1, answering like docs/local-api.md."""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TOKEN = "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC10b2tlbjA"  # 43 characters of base64url


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeNode:
    """Routes are (method, path) -> (status, JSON body); every request is recorded."""

    home: Path
    routes: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def answer(self, method: str, path: str, body: Any, status: int = 200) -> None:
        self.routes[(method, path)] = (status, body)

    def fail(self, method: str, path: str, status: int, code: str, message: str) -> None:
        self.routes[(method, path)] = (status, {"error": {"code": code, "message": message}})

    def last(self) -> Recorded:
        return self.requests[-1]

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        self.requests.append(
            Recorded(
                method=method,
                path=parts.path,
                query=urllib.parse.parse_qs(parts.query),
                headers={k.lower(): v for k, v in handler.headers.items()},
                body=json.loads(raw) if raw else None,
            )
        )
        if handler.headers.get("Authorization") != f"Bearer {TOKEN}":
            status, body = 401, {"error": {"code": "unauthorized", "message": "bad token"}}
        else:
            status, body = self.routes.get(
                (method, parts.path),
                (404, {"error": {"code": "not_found", "message": "no such endpoint"}}),
            )
        data = json.dumps(body).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


class FakeServer:
    """Serves ``node`` in a thread until stop()."""

    def __init__(self, node: FakeNode) -> None:
        self.node = node

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                node.handle(self, "GET")

            def do_POST(self) -> None:
                node.handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def write_home(home: Path, url: str) -> None:
    """What a running node leaves in its home: api.json and api-token."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "api.json").write_text(json.dumps({"url": url, "pid": 1}), encoding="utf-8")
    (home / "api-token").write_text(TOKEN, encoding="ascii")


CONTACT: dict[str, Any] = {
    "contact_id": "8f0e" + "0" * 28,
    "node_id": "r4dt-ywgz-4khu-jb3w-zaei-isv3-e4",
    "name": "Pharmacie du Port",
    "role": "pharmacist",
    "safety_number": "98540 45510 30894 44407 17184 57122",
    "verified": False,
    "paired_at": "2026-11-28T22:53:10.123Z",
    "endpoints": ["http://192.168.1.20:7301"],
}

MESSAGE_IN: dict[str, Any] = {
    "message_id": "b767" + "1" * 28,
    "direction": "in",
    "contact_id": "8f0e" + "0" * 28,
    "contact_name": "Pharmacie du Port",
    "seq": 0,
    "kind": "text",
    "text": "Bonjour\nle renouvellement est prêt",
    "sent_at": "2026-11-28T22:53:10.123Z",
    "received_at": "2026-11-28T22:53:11.456Z",
    "status": "received",
    "delivered_at": None,
    "read_at": None,
}

STATUS: dict[str, Any] = {
    "api_version": 1,
    "node_id": "sbl5-iyxh-5bqu-qy3o-x6rm-ciay-zy",
    "contact_id": "1234" + "0" * 28,
    "name": "Dr Camille Martin",
    "role": "gp",
    "started_at": "2026-11-28T22:50:00.000Z",
    "peer_endpoints": ["http://127.0.0.1:7301"],
    "contacts": 2,
    "outbox": {
        "pending": 3,
        "failed": 1,
        "by_contact": [
            {
                "contact_id": "8f0e" + "0" * 28,
                "name": "Pharmacie du Port",
                "pending": 3,
                "failed": 1,
            }
        ],
    },
    "unread": 1,
    "relays": [],
    "some_future_field": {"ignored": True},
}
