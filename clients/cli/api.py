"""The client of the node's local API (docs/local-api.md), on the standard library only.

``releve status`` must start fast, so this module imports neither the daemon nor aiohttp:
urllib.request is enough for JSON over HTTP on 127.0.0.1. Even urllib.request (with http.client,
email and ssl, about a third of the start-up) is imported by the first request only: when no
node runs, nothing is sent and the command says so at once.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import ApiFailure, CliError, NoNodeRunning
from .os_errors import decode_reason, os_reason
from .text import clean

if TYPE_CHECKING:
    import urllib.request

    from node.paths import HomeLayout

JsonObject = dict[str, Any]

DEFAULT_TIMEOUT = 30.0
# Beyond the `wait` of GET /v1/inbox, so that a long poll ends on the node's side first.
WAIT_MARGIN = 15.0
# Pairing by phone: the node reaches a relay first (up to 15 s each to allocate and connect),
# and a join runs the whole exchange (up to 60 s more) before it answers.
PHONE_CALL_TIMEOUT = 45.0
PHONE_JOIN_TIMEOUT = 100.0
# Uploading 64 MiB to the node on loopback, which hashes it and stores it before it answers.
UPLOAD_TIMEOUT = 300.0
# An export reads every message of the period: allow the node time on a large store.
EXPORT_TIMEOUT = 120.0
DOWNLOAD_BLOCK = 256 * 1024
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _opener() -> urllib.request.OpenerDirector:
    """An opener that never uses a proxy and never follows a redirect.

    The bearer token must go to the local node only: a proxy from the environment
    (http_proxy) or a redirect would carry it elsewhere.
    """
    import urllib.request  # at the first request only: see the module docstring

    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler({}),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _is_initialised(layout: HomeLayout) -> bool:
    return layout.keyring.exists() or layout.api_token.exists()


class ApiClient:
    """One node's local API: ``url`` from HOME/api.json, ``token`` from HOME/api-token."""

    def __init__(self, url: str, token: str, *, home: Path | None = None) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.home = home
        self._opener = _opener()

    @classmethod
    def from_home(cls, layout: HomeLayout) -> ApiClient:
        """Finds the running node of ``layout``; raises NoNodeRunning when there is none."""
        try:
            info = json.loads(layout.api_info.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NoNodeRunning(layout.root, initialised=_is_initialised(layout)) from None
        except (OSError, ValueError):
            # A damaged api.json is left by a node that did not stop cleanly.
            raise NoNodeRunning(layout.root, initialised=_is_initialised(layout)) from None
        url = info.get("url") if isinstance(info, dict) else None
        if not isinstance(url, str) or not _is_loopback_http(url):
            raise CliError("error.api_info_invalid", path=layout.api_info)
        try:
            token = layout.api_token.read_text(encoding="ascii").strip()
        except OSError as exc:
            why = os_reason(exc)
            raise CliError("error.token_unreadable", path=layout.api_token, reason=why) from None
        except UnicodeDecodeError as exc:
            wrong = decode_reason(exc)
            raise CliError("error.token_unreadable", path=layout.api_token, reason=wrong) from None
        return cls(url, token, home=layout.root)

    # -- endpoints ---------------------------------------------------------------------------

    def status(self) -> JsonObject:
        return self.request("GET", "/v1/status")

    def create_invitation(self, ttl_minutes: int | None = None) -> JsonObject:
        body: JsonObject = {} if ttl_minutes is None else {"ttl_minutes": ttl_minutes}
        return self.request("POST", "/v1/invitations", body)

    def accept_invitation(self, text: str) -> JsonObject:
        return self.request("POST", "/v1/pairings", {"invitation": text})

    def contacts(self) -> JsonObject:
        return self.request("GET", "/v1/contacts")

    def send(self, contact: str, text: str) -> JsonObject:
        """A plain text message of normal priority."""
        return self.send_message(contact, "text", text)

    def send_message(
        self,
        contact: str,
        kind: str,
        content: object,
        *,
        urgent: bool = False,
        reply_to: str | None = None,
        mailboxes: dict[str, str] | None = None,
    ) -> JsonObject:
        """POST /v1/messages: ``content`` is the text, or the handoff or prescription object;
        ``mailboxes``: a clinic server's ``to_mailbox`` and ``mailbox``, when given."""
        body: JsonObject = {
            "contact": contact,
            "kind": kind,
            kind: content,
            "priority": "urgent" if urgent else "normal",
            "reply_to": reply_to,
            **(mailboxes or {}),
        }
        return self.request("POST", "/v1/messages", body)

    def send_file(
        self,
        contact: str,
        name: str,
        stream: IO[bytes],
        size: int,
        *,
        urgent: bool = False,
        reply_to: str | None = None,
        caption: str | None = None,
        mailboxes: dict[str, str] | None = None,
    ) -> JsonObject:
        """POST /v1/files: the bytes are streamed from ``stream``, never held whole in memory."""
        query = {"contact": contact, "name": name, **(mailboxes or {})}
        if urgent:
            query["priority"] = "urgent"
        if reply_to is not None:
            query["reply_to"] = reply_to
        if caption is not None:
            query["caption"] = caption
        return self.request(
            "POST",
            "/v1/files",
            query=query,
            raw=(stream, size, "application/octet-stream"),
            timeout=UPLOAD_TIMEOUT,
        )

    def acknowledge(self, message_id: str, read_back: str | None = None) -> JsonObject:
        body = None if read_back is None else {"read_back": read_back}
        return self.request("POST", f"/v1/messages/{_segment(message_id)}/ack", body)

    def prescription_action(self, message_id: str, action: str, body: JsonObject) -> JsonObject:
        """POST /v1/messages/{id}/cancel, /amend or /dispense (docs/local-api.md)."""
        return self.request("POST", f"/v1/messages/{_segment(message_id)}/{action}", body)

    def verify_print(self, codes: list[str]) -> JsonObject:
        """POST /v1/prescriptions/verify: the QR texts read from a printed prescription."""
        return self.request("POST", "/v1/prescriptions/verify", {"codes": codes})

    def record_printed(self, message_id: str) -> JsonObject:
        return self.request("POST", f"/v1/messages/{_segment(message_id)}/printed")

    def record_saved(self, message_id: str) -> JsonObject:
        return self.request("POST", f"/v1/messages/{_segment(message_id)}/saved")

    def download_file(
        self,
        message_id: str,
        write: Callable[[bytes], object],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """GET /v1/messages/{id}/file, block by block to ``write``; returns the bytes read."""
        written = 0

        def copy(response: IO[bytes]) -> None:
            nonlocal written
            while block := response.read(DOWNLOAD_BLOCK):
                write(block)
                written += len(block)
                if progress is not None:
                    progress(written)

        self.request(
            "GET",
            f"/v1/messages/{_segment(message_id)}/file",
            reader=copy,
            timeout=UPLOAD_TIMEOUT,
        )
        return written

    def conversation(self, contact: str, limit: int) -> JsonObject:
        return self.request("GET", "/v1/messages", query={"contact": contact, "limit": str(limit)})

    def export(self, patient: str | None, since: str | None) -> JsonObject:
        return self.request(
            "POST", "/v1/export", {"patient": patient, "since": since}, timeout=EXPORT_TIMEOUT
        )

    def audit_verify(self) -> JsonObject:
        return self.request("GET", "/v1/audit/verify", timeout=EXPORT_TIMEOUT)

    def audit_export(self, write: Callable[[bytes], object]) -> int:
        """GET /v1/audit/export (NDJSON), block by block to ``write``; returns the bytes read."""
        written = 0

        def copy(response: IO[bytes]) -> None:
            nonlocal written
            while block := response.read(DOWNLOAD_BLOCK):
                write(block)
                written += len(block)

        self.request("GET", "/v1/audit/export", reader=copy, timeout=EXPORT_TIMEOUT)
        return written

    def messages(
        self, *, direction: str | None = None, unread: bool = False, limit: int | None = None
    ) -> JsonObject:
        query: dict[str, str] = {}
        if direction is not None:
            query["direction"] = direction
        if unread:
            query["unread"] = "1"
        if limit is not None:
            query["limit"] = str(limit)
        return self.request("GET", "/v1/messages", query=query)

    def inbox(self, wait: float | None = None) -> JsonObject:
        if wait is None:
            return self.request("GET", "/v1/inbox")
        return self.request(
            "GET", "/v1/inbox", query={"wait": _number(wait)}, timeout=wait + WAIT_MARGIN
        )

    def message(self, message_id: str) -> JsonObject:
        return self.request("GET", f"/v1/messages/{_segment(message_id)}")

    def mark_read(self, message_id: str) -> JsonObject:
        return self.request("POST", f"/v1/messages/{_segment(message_id)}/read")

    def verify(self, contact: str) -> JsonObject:
        return self.request("POST", "/v1/contacts/verify", {"contact": contact})

    def unpair(self, contact: str) -> JsonObject:
        return self.request("POST", "/v1/contacts/unpair", {"contact": contact})

    def revoke(self) -> JsonObject:
        return self.request("POST", "/v1/identity/revoke", {"confirm": True})

    def phone_call(self, relay: str | None = None) -> JsonObject:
        body: JsonObject = {} if relay is None else {"relay": relay}
        return self.request("POST", "/v1/pairings/call", body, timeout=PHONE_CALL_TIMEOUT)

    def phone_call_state(self, call_id: str, wait: float | None = None) -> JsonObject:
        path = f"/v1/pairings/call/{_segment(call_id)}"
        if wait is None:
            return self.request("GET", path)
        return self.request("GET", path, query={"wait": _number(wait)}, timeout=wait + WAIT_MARGIN)

    def phone_call_cancel(self, call_id: str) -> JsonObject:
        return self.request("DELETE", f"/v1/pairings/call/{_segment(call_id)}")

    def phone_join(self, code: str, relay: str | None = None) -> JsonObject:
        body: JsonObject = {"code": code} if relay is None else {"code": code, "relay": relay}
        return self.request("POST", "/v1/pairings/join", body, timeout=PHONE_JOIN_TIMEOUT)

    def find_contact(self, reference: str) -> JsonObject:
        """The contact a name or node id prefix designates, matched by the node."""
        contacts = self.request("GET", "/v1/contacts", query={"match": reference}).get("contacts")
        if (
            not isinstance(contacts, list)
            or len(contacts) != 1
            or not isinstance(contacts[0], dict)
        ):
            raise CliError("error.bad_response")
        contact: JsonObject = contacts[0]
        return contact

    # -- transport ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: JsonObject | None = None,
        *,
        query: dict[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        raw: tuple[IO[bytes], int, str] | None = None,
        reader: Callable[[IO[bytes]], None] | None = None,
    ) -> JsonObject:
        """Sends one request; returns the JSON object or raises a CliError.

        ``raw`` is a body streamed from a file (stream, length, content type) instead of JSON;
        ``reader`` consumes a successful response that is not JSON (then ``{}`` is returned).
        """
        import urllib.error  # with the opener: see the module docstring
        import urllib.request

        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data: bytes | IO[bytes] | None = None
        if raw is not None:
            # http.client sends a file object block by block; the length must be given.
            data, length, content_type = raw
            headers["Content-Type"] = content_type
            headers["Content-Length"] = str(length)
        elif body is not None or method == "POST":
            data = json.dumps(body or {}).encode("utf-8")
            headers["Content-Type"] = "application/json"
        # Only http:// on loopback: from_home checks the URL; the opener has no other scheme.
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with self._opener.open(request, timeout=timeout) as response:
                if reader is not None:
                    reader(response)
                    return {}
                payload = response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                raise _failure(exc.code, exc.read()) from None
        except urllib.error.URLError as exc:
            raise self._unreachable(exc.reason) from None
        except OSError as exc:
            raise self._unreachable(exc) from None
        return _decode_object(payload)

    def _unreachable(self, reason: object) -> CliError:
        if isinstance(reason, ConnectionRefusedError) and self.home is not None:
            # api.json is there but nobody listens: the node stopped without cleaning up.
            return NoNodeRunning(self.home, initialised=True)
        if isinstance(reason, ConnectionRefusedError):
            return CliError("error.node_refused", url=self.url)
        if isinstance(reason, TimeoutError):
            return CliError("error.node_timeout", url=self.url)
        worded = os_reason(reason) if isinstance(reason, OSError) else clean(reason)
        return CliError("error.node_unreachable", url=self.url, reason=worded)


def _is_loopback_http(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK_HOSTS


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _decode_object(payload: bytes) -> JsonObject:
    try:
        value = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CliError("error.bad_response") from None
    if not isinstance(value, dict):
        raise CliError("error.bad_response")
    return value


def _failure(status: int, payload: bytes) -> CliError:
    """The documented error body {"error": {"code", "message"}}, or a generic failure.

    A validation error (invalid_field) also names the field and the reason, which the CLI
    translates and uses to ask for that field again.
    """
    try:
        error = json.loads(payload.decode("utf-8"))["error"]
        code, message = error["code"], error.get("message", "")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return ApiFailure(status, "unknown", f"HTTP {status}")
    if not isinstance(code, str):
        return ApiFailure(status, "unknown", f"HTTP {status}")
    field, reason = error.get("field"), error.get("reason")
    return ApiFailure(
        status,
        code,
        str(message),
        field=field if isinstance(field, str) else None,
        reason=reason if isinstance(reason, str) else None,
    )
