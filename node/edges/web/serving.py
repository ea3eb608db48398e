"""Where the web client listens, and over what (issue #15; docs/operations.md, "Serveur de
cabinet / Clinic server").

- No ``web_listen``: an ephemeral port of 127.0.0.1, plain HTTP (the single-user node and
  `releve ouvrir`, as before).
- ``web_listen`` on a loopback address: plain HTTP unless ``tls = "ca"`` or a certificate
  is given.
- ``web_listen`` anywhere else (``0.0.0.0``, a LAN address, a name): TLS, always. The
  practice's own certificate (``tls_cert``/``tls_key``) when given, else the practice CA's
  (node/edges/tls.py) for the server's names and addresses: those detected when listening on
  every interface, or the address listened on, after ``[web] names``. ``tls = "off"`` there is
  refused at start (SetupError ``web_needs_tls``): passwords and patient data would cross the
  LAN in the clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.core.config import NodeConfig, split_host_port
from node.core.errors import SetupError
from node.edges.api.json import iso
from node.edges.tls import (
    Clock,
    Names,
    TlsFiles,
    WebTls,
    detect_names,
    is_loopback,
    is_wildcard,
    parse_names,
)
from node.edges.web.origin import LOOPBACK_NAMES, WebOrigin


@dataclass(frozen=True)
class WebListen:
    host: str
    port: int
    tls: WebTls | None = None

    def origin(self, bound_port: int) -> WebOrigin:
        """How browsers reach the web client once it listens on ``bound_port``."""
        if self.tls is not None:
            return WebOrigin(bound_port, self.tls.names.all(), secure=True)
        host = self.host.strip("[]").lower()
        names = LOOPBACK_NAMES if host == "localhost" else (host, "localhost")
        return WebOrigin(bound_port, tuple(dict.fromkeys(names)))


def web_status(origin: WebOrigin, tls: WebTls | None) -> dict[str, Any]:
    """The web client in ``GET /v1/status`` (docs/local-api.md): where browsers reach it and,
    over TLS, until when its certificate runs and which practice CA issued it."""
    until = None if tls is None or tls.not_after is None else tls.not_after.timestamp()
    return {
        "url": origin.url("/"),
        "https": origin.secure,
        "certificate_until": iso(until),
        "ca_fingerprint": None if tls is None else tls.ca_fingerprint,
    }


def server_names(host: str, configured: tuple[str, ...]) -> Names:
    """The names and addresses the practice CA's certificate is for; those configured first
    (the first name is where login links point)."""
    extra = parse_names(configured)
    if is_wildcard(host):
        return extra + detect_names()
    return extra + parse_names([host])


def plan(config: NodeConfig, tls_folder: Path, key_password: bytes, clock: Clock) -> WebListen:
    """Where and how to serve the web client; the practice CA and its server certificate are
    made or renewed here when they are needed (``key_password`` protects their keys)."""
    if config.web_listen is None:
        return WebListen("127.0.0.1", 0)
    host, port = split_host_port(config.web_listen)
    loopback = is_loopback(host)
    if config.tls_cert is not None and config.tls_key is not None:
        tls = WebTls.own(Path(config.tls_cert), Path(config.tls_key), clock)
        return WebListen(host, port, tls)
    if config.web_tls == "off" or (config.web_tls == "auto" and loopback):
        if not loopback:
            raise SetupError(
                f"the web client cannot be served on {host} without TLS: passwords and patient"
                " data would cross the network in the clear (leave [web] tls at auto, or give"
                " --tls-cert and --tls-key)",
                "web_needs_tls",
            )
        return WebListen(host, port)
    names = server_names(host, config.web_names)
    tls = WebTls.practice(TlsFiles(tls_folder), key_password, names, config.name, clock)
    return WebListen(host, port, tls)
