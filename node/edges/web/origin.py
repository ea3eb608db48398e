"""Where the web client is served, and what follows from it: the ``Host`` values the guard
accepts (guard.py), the origins it trusts, the address of login links, and the names and
attributes of its cookies.

On 127.0.0.1 (the single-user node) the origin is ``http://127.0.0.1:PORT`` (or
``localhost``). On a clinic server's LAN (issue #15, docs/operations.md "Serveur de cabinet")
it is ``https://NAME:PORT`` for each name and address of the server's certificate, and every
cookie is a ``__Host-`` cookie: Secure (never sent over plain HTTP), no Domain (never shared
with another host), Path=/, besides HttpOnly and SameSite=Strict as on 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Final

from aiohttp import web

LOOPBACK_NAMES: Final = ("127.0.0.1", "localhost")
# RFC 6265bis §4.1.3.2: a cookie so named is only accepted when Secure, Path=/, without Domain.
HOST_PREFIX: Final = "__Host-"
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


@dataclass(frozen=True)
class WebOrigin:
    """``names``: the host names and addresses the web client answers to, the first one in
    login links; ``secure``: served over TLS."""

    port: int
    names: tuple[str, ...] = LOOPBACK_NAMES
    secure: bool = False

    @property
    def scheme(self) -> str:
        return "https" if self.secure else "http"

    @cached_property
    def authorities(self) -> tuple[str, ...]:
        """``host:port`` for each name (an IPv6 address in brackets), and the bare host when
        the port is the scheme's default (browsers leave it out of ``Host`` and ``Origin``)."""
        found: list[str] = []
        for name in self.names:
            host = f"[{name}]" if ":" in name else name.lower()
            found.append(f"{host}:{self.port}")
            if self.port == _DEFAULT_PORTS[self.scheme]:
                found.append(host)
        return tuple(found)

    @cached_property
    def hosts(self) -> frozenset[str]:
        return frozenset(self.authorities)

    @cached_property
    def origins(self) -> frozenset[str]:
        return frozenset(f"{self.scheme}://{authority}" for authority in self.authorities)

    def accepts_host(self, host: str) -> bool:
        return host.lower() in self.hosts

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.authorities[0]}{path}"

    def socket_source(self, host: str) -> str:
        """The Content-Security-Policy source of our own WebSocket, for this ``Host``."""
        return f"{'wss' if self.secure else 'ws'}://{host}"

    # --- cookies ------------------------------------------------------------------------

    def cookie_name(self, name: str) -> str:
        return HOST_PREFIX + name if self.secure else name

    def set_cookie(
        self, response: web.StreamResponse, name: str, value: str, *, max_age: int | None = None
    ) -> None:
        response.set_cookie(
            self.cookie_name(name),
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self.secure or None,
        )

    def del_cookie(self, response: web.StreamResponse, name: str) -> None:
        # A __Host- cookie is only replaced (here: expired) by one with the same attributes.
        response.del_cookie(
            self.cookie_name(name),
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self.secure or None,
        )
