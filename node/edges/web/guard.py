"""What every request to the web client passes first, and the headers of every answer.

- Host allow-list (DNS rebinding): ``127.0.0.1:PORT`` or ``localhost:PORT`` (on a clinic
  server's LAN: the names and addresses of its certificate, origin.py), else 421.
- A state-changing request (any method but GET and HEAD) and the WebSocket handshake must come
  from our own pages: an ``Origin`` of ours (browsers send it on every POST and WebSocket),
  and ``Sec-Fetch-Site`` ``same-origin`` when sent; else 403. SameSite=Strict alone is not
  enough here: every port of 127.0.0.1 is the same *site*, so another local web server's
  page could post to us; it cannot forge the Origin, nor read the CSRF token.
- Pages need a session (the cookie a one-time login link gave; on a clinic server, a person's
  login with their name and password: screens/login.py, checked by people.py: an enabled
  account, the address it was opened from, not idle-locked); forms also carry the session's
  CSRF token, compared in constant time. The login form is a POST like any other: its Origin
  is checked (no login CSRF).
- Every answer: a Content-Security-Policy without inline script or eval, no framing,
  ``nosniff``, ``Referrer-Policy: same-origin``, and ``Cache-Control: no-store`` (pages hold
  patient data; the static files are revalidated instead).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web

from node.edges.web.origin import WebOrigin

SAFE_METHODS: Final = frozenset({"GET", "HEAD"})
SELF_FETCH_SITES: Final = frozenset({"same-origin"})
# Fetch metadata a top-level navigation typed or opened by the person may carry (GET only).
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def from_our_pages(request: web.Request, served: WebOrigin) -> bool:
    """A state-changing request or a WebSocket handshake made by one of our pages."""
    origin = request.headers.get("Origin")
    if origin is None or origin.lower() not in served.origins:
        return False
    site = request.headers.get("Sec-Fetch-Site")
    return site is None or site in SELF_FETCH_SITES


def security_headers(
    response: web.StreamResponse, served: WebOrigin, host: str, static: bool
) -> None:
    headers = response.headers
    headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self' {served.socket_source(host)}; form-action 'self'; "
        "frame-ancestors 'none'; "
        "base-uri 'none'; object-src 'none'"
    )
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Cache-Control"] = "no-cache" if static else "no-store"
