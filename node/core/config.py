"""The node's settings, with their defaults and checks (node.config layers the sources: the
config file, the environment, the flags)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from node.core.errors import SetupError
from node.protocol.errors import ClinicalError
from node.protocol.identifiers import check_email, check_phone, check_rpps
from node.protocol.profile import MAX_PRESCRIBER_NAME_CHARS
from node.protocol.validation import check_line

DEFAULT_PORT: Final = 7301

_ROLES: Final = ("other", "gp", "pharmacist", "practice", "nurse", "specialist", "laboratory")
# The web client's TLS (issue #15, node/edges/web/serving.py): "auto" is the practice CA off
# loopback and plain HTTP on it; "ca" the practice CA everywhere; "off" plain HTTP, refused
# off loopback. --tls-cert/--tls-key (the practice's own certificate) win over all three.
WEB_TLS_MODES: Final = ("auto", "ca", "off")


@dataclass(frozen=True)
class NodeConfig:
    name: str = ""
    role: str = "other"
    # Told to contacts in the contact card, so that they can phone when an urgent
    # message is not acknowledged.
    phone: str = ""
    # The prescriber's profile (a single-user node whose role is gp or specialist,
    # docs/protocol.md §19.1): every prescription's prescriber block comes from here, and
    # the RPPS and name go into the contact card. The phone is ``phone``.
    prescriber_name: str = ""  # as on a prescription: "Dr Camille Martin"
    rpps: str = ""
    specialty: str = ""
    address: str = ""  # the practice's address, line breaks allowed
    email: str = ""
    listen: str | None = f"0.0.0.0:{DEFAULT_PORT}"  # None: no direct reachability
    advertise: tuple[str, ...] = ()  # host:port for invitations; empty: detect
    # The web client on a clinic server's LAN (issue #15): where it listens (None: an
    # ephemeral port of 127.0.0.1, for `releve ouvrir`), the names and addresses its
    # certificate covers besides those detected, and its TLS.
    web_listen: str | None = None
    web_names: tuple[str, ...] = ()
    web_tls: str = "auto"
    tls_cert: str | None = None
    tls_key: str | None = None
    # A clinic server (issue #15, node.core.accounts): every person logs in to the web client
    # with their own account, even on 127.0.0.1; a web client listening on the LAN always
    # is one (:attr:`clinic_mode`). An idle person's screen locks after this long.
    clinic_server: bool = False
    lock_after_minutes: float = 10.0
    relays: tuple[str, ...] = ()
    outbox_max_age_hours: float = 72.0
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 300.0
    redelivery_seconds: float = 60.0
    peer_max_request_bytes: int = 65536
    peer_rate_per_second: float = 200.0
    peer_rate_burst: int = 400
    # Connections (docs/operations.md, "Connections and open files"): at most this many on
    # the peer endpoint, at most this many from one source address (an IPv6 /64), and a
    # separate budget for the local API, so that strangers holding peer connections never
    # starve it. Together they stay below the open-file limit (the daemon checks).
    peer_max_connections: int = 512
    peer_connections_per_source: int = 32
    api_max_connections: int = 64
    # A connection's first request head must be complete this long after it opens; between
    # two requests a connection may stay idle this long.
    header_timeout_seconds: float = 10.0
    idle_timeout_seconds: float = 30.0
    # An urgent message not acknowledged after this long is shown as overdue.
    escalate_after_minutes: float = 15.0
    # The backup contact (a paired contact's name or node id; empty: none) is told,
    # content-free and once per message, when an urgent message, ours or theirs, has waited
    # this long unacknowledged (node.core.escalation, docs/protocol.md §18.9).
    backup_contact: str = ""
    backup_after_minutes: float = 30.0
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        if self.role not in _ROLES:
            raise SetupError(f"unknown role {self.role!r}", "invalid_config")
        for name in (
            "outbox_max_age_hours",
            "retry_base_seconds",
            "retry_max_seconds",
            "escalate_after_minutes",
            "backup_after_minutes",
            "header_timeout_seconds",
            "idle_timeout_seconds",
            "lock_after_minutes",
        ):
            value = getattr(self, name)
            if not value > 0 or not math.isfinite(value):
                raise SetupError(f"{name} must be positive", "invalid_config")
        for name in ("peer_max_connections", "peer_connections_per_source", "api_max_connections"):
            if getattr(self, name) < 1:
                raise SetupError(f"{name} must be at least 1", "invalid_config")
        if self.phone.strip():
            try:
                check_phone(self.phone)
            except ClinicalError:
                raise SetupError(
                    "phone must be a phone number (6 to 20 digits; spaces, dots, + and - allowed)",
                    "invalid_config",
                ) from None
        if self.rpps.strip():
            try:
                check_rpps(self.rpps)
            except ClinicalError:
                raise SetupError(
                    "rpps must be an RPPS number (11 digits, the last a check digit)",
                    "invalid_config",
                ) from None
        if self.prescriber_name.strip():
            try:
                check_line(self.prescriber_name, "name", MAX_PRESCRIBER_NAME_CHARS)
            except ClinicalError:
                raise SetupError("prescriber name must be one line", "invalid_config") from None
        if self.email.strip():
            try:
                check_email(self.email)
            except ClinicalError:
                raise SetupError("email must be an e-mail address", "invalid_config") from None
        if not isinstance(self.clinic_server, bool):
            raise SetupError("clinic_server must be true or false", "invalid_config")
        if self.listen is not None:
            split_host_port(self.listen)
        for address in self.advertise:
            split_host_port(address)
        if self.web_listen is not None:
            split_host_port(self.web_listen)
        if self.web_tls not in WEB_TLS_MODES:
            raise SetupError("web tls must be auto, ca or off", "invalid_config")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise SetupError("tls_cert and tls_key go together", "invalid_config")

    @property
    def clinic_mode(self) -> bool:
        """People log in with their own accounts (node.core.accounts)."""
        return self.clinic_server or self.web_listen is not None


def split_host_port(text: str) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port``; raises ``SetupError('invalid_listen')``."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise SetupError(f"{text!r} is not HOST:PORT", "invalid_listen")
    return host, int(port)
