"""A stand-in for a node's local API: http.server on 127.0.0.1, answering like docs/local-api.md.

Routes answer JSON, or raw bytes (GET /v1/messages/{id}/file, GET /v1/audit/export); a route
can answer a sequence (a transfer's progress, a refusal then a success), the last one repeated.
Validation errors have the spec's shape: {"error": {"code": "invalid_field", "message",
"field", "reason"}} (docs/local-api.md; spec of issue 6).
"""

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
    raw: bytes = b""


Answer = tuple[int, Any]


@dataclass
class FakeNode:
    """Routes are (method, path) -> answers (status, JSON body or bytes), served in order with
    the last one repeated; every request is recorded."""

    home: Path
    routes: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def answer(self, method: str, path: str, body: Any, status: int = 200) -> None:
        self.routes[(method, path)] = [(status, body)]

    def answer_sequence(self, method: str, path: str, answers: list[Answer]) -> None:
        self.routes[(method, path)] = list(answers)

    def fail(self, method: str, path: str, status: int, code: str, message: str) -> None:
        self.routes[(method, path)] = [(status, error(code, message))]

    def last(self) -> Recorded:
        return self.requests[-1]

    def to(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if (r.method, r.path) == (method, path)]

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        is_json = handler.headers.get("Content-Type", "").startswith("application/json")
        self.requests.append(
            Recorded(
                method=method,
                path=parts.path,
                query=urllib.parse.parse_qs(parts.query),
                headers={k.lower(): v for k, v in handler.headers.items()},
                body=json.loads(raw) if raw and is_json else None,
                raw=raw,
            )
        )
        if handler.headers.get("Authorization") != f"Bearer {TOKEN}":
            status, body = 401, error("unauthorized", "bad token")
        else:
            answers = self.routes.get((method, parts.path))
            if not answers:
                status, body = 404, error("not_found", "no such endpoint")
            else:
                status, body = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(body, bytes):
            data, content_type = body, "application/octet-stream"
        else:
            data, content_type = json.dumps(body).encode("utf-8"), "application/json"
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def error(code: str, message: str, **extra: str) -> dict[str, Any]:
    """The API's error body; ``extra`` adds "field" and "reason" to an invalid_field."""
    return {"error": {"code": code, "message": message, **extra}}


def invalid_field(field: str, reason: str) -> Answer:
    return 400, error("invalid_field", f"{field} is invalid ({reason})", field=field, reason=reason)


class FakeServer:
    """Serves ``node`` in a thread until stop()."""

    def __init__(self, node: FakeNode) -> None:
        self.node = node

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                node.handle(self, "GET")

            def do_POST(self) -> None:
                node.handle(self, "POST")

            def do_DELETE(self) -> None:
                node.handle(self, "DELETE")

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


# -- clinical messages (spec of issue 6) ---------------------------------------------------------

PATIENT: dict[str, Any] = {
    "birth_name": "DUPONT",
    "first_names": "Marie Claire",
    "birth_date": "1956-03-14",
    "sex": "F",
    "ins": "256037512345654",
    "weight_kg": None,
}

HANDOFF: dict[str, Any] = {
    "patient": PATIENT,
    "situation": "Chute à domicile ce matin",
    "background": "HTA, diabète de type 2",
    "assessment": "Constantes stables\nDouleur hanche droite",
    "request": "Radio de hanche et avis orthopédique",
}

PRESCRIBER: dict[str, Any] = {
    "name": "Dr Camille Martin",
    "specialty": "Médecine générale",
    "rpps": "10001234565",
    "address": "1 rue du Port, 29200 Brest",
    "phone": "02 98 00 00 00",
    "email": "c.martin@cabinet.example.fr",
}

# Version 2 (issue #16): the form has no prescriber; the node adds its profile's block and
# signs. SHOWN_PRESCRIPTION is what a MESSAGE then holds.
PRESCRIPTION: dict[str, Any] = {
    "date": "2026-11-29",
    "patient": {**PATIENT, "weight_kg": 61.5},
    "lines": [
        {
            "medicine": "Paracétamol",
            "strength": "500 mg",
            "dosage": "1 comprimé 3 fois par jour",
            "duration": "7 jours",
            "quantity": None,
            "renewals": 0,
        },
        {
            "medicine": "Amoxicilline",
            "strength": "1 g",
            "dosage": "1 comprimé matin et soir",
            "duration": None,
            "quantity": "1 boîte",
            "renewals": 2,
        },
    ],
    "notes": "Ne pas substituer",
}

CLINICAL_FIELDS: dict[str, Any] = {
    "priority": "normal",
    "reply_to": None,
    "acknowledged_at": None,
    "handoff": None,
    "prescription": None,
    "attachment": None,
    "contact_verified": True,
    "sender": {"name": "Pharmacie du Port", "node_id": CONTACT["node_id"], "role": "pharmacist"},
    "recipient": {
        "name": "Dr Camille Martin",
        "node_id": "sbl5-iyxh-5bqu-qy3o-x6rm-ciay-zy",
        "role": "gp",
    },
}


def message(kind: str = "text", direction: str = "in", **fields: Any) -> dict[str, Any]:
    """A MESSAGE of the spec's shape; ``fields`` override."""
    base = {**MESSAGE_IN, **CLINICAL_FIELDS, "kind": kind, "direction": direction}
    if kind != "text":
        base["text"] = None
    if direction == "out":
        base.update(
            status="queued",
            received_at=None,
            sender=CLINICAL_FIELDS["recipient"],
            recipient=CLINICAL_FIELDS["sender"],
        )
    base.update(fields)
    return base


def attachment(
    data: bytes,
    name: str = "bilan.pdf",
    *,
    chunks: int = 4,
    done: int = 4,
    complete: bool = True,
    media_type: str = "application/pdf",
) -> dict[str, Any]:
    import hashlib

    return {
        "file_name": name,
        "media_type": media_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "caption": "Bilan sanguin",
        "chunks": chunks,
        "done": done,
        "complete": complete,
    }


SHOWN_PRESCRIPTION: dict[str, Any] = {
    **PRESCRIPTION,
    "prescriber": PRESCRIBER,
    "version": 2,
    "replaces": None,
    "valid_until": "2027-02-28",
}
