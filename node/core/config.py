"""The node's settings, with their defaults and checks (node.config layers the sources: the
config file, the environment, the flags)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from node.core.errors import SetupError
from node.protocol.errors import ClinicalError
from node.protocol.identifiers import check_phone

DEFAULT_PORT: Final = 7301

_ROLES: Final = ("other", "gp", "pharmacist", "practice", "nurse", "specialist", "laboratory")


@dataclass(frozen=True)
class NodeConfig:
    name: str = ""
    role: str = "other"
    # Told to contacts in the contact card, so that they can phone when an urgent
    # message is not acknowledged.
    phone: str = ""
    listen: str | None = f"0.0.0.0:{DEFAULT_PORT}"  # None: no direct reachability
    advertise: tuple[str, ...] = ()  # host:port for invitations; empty: detect
    relays: tuple[str, ...] = ()
    outbox_max_age_hours: float = 72.0
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 300.0
    redelivery_seconds: float = 60.0
    peer_max_request_bytes: int = 65536
    peer_rate_per_second: float = 200.0
    peer_rate_burst: int = 400
    # An urgent message not acknowledged after this long is shown as overdue.
    escalate_after_minutes: float = 15.0
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        if self.role not in _ROLES:
            raise SetupError(f"unknown role {self.role!r}", "invalid_config")
        for name in (
            "outbox_max_age_hours",
            "retry_base_seconds",
            "retry_max_seconds",
            "escalate_after_minutes",
        ):
            if getattr(self, name) <= 0:
                raise SetupError(f"{name} must be positive", "invalid_config")
        if self.phone.strip():
            try:
                check_phone(self.phone)
            except ClinicalError:
                raise SetupError(
                    "phone must be a phone number (6 to 20 digits; spaces, dots, + and - allowed)",
                    "invalid_config",
                ) from None
        if self.listen is not None:
            split_host_port(self.listen)
        for address in self.advertise:
            split_host_port(address)


def split_host_port(text: str) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port``; raises ``SetupError('invalid_listen')``."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise SetupError(f"{text!r} is not HOST:PORT", "invalid_listen")
    return host, int(port)
