"""The relay's one frozen configuration: defaults, then environment variables, then flags
(each later layer wins). The relay has no configuration file: it keeps nothing on disk.

Every field ``name`` is read from the environment variable ``RELEVE_RELAY_<NAME>`` and from
the flag ``--<name-with-dashes>`` (docs/relay-protocol.md, "Limits", lists them all).
Importing this module stays cheap (no aiohttp, no PyNaCl): the CLI may load it early.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from relay.errors import ConfigError

DEFAULT_PORT: Final = 7400
# Loopback by default: the recommended deployment is behind a TLS proxy on the same host.
DEFAULT_LISTEN: Final = f"127.0.0.1:{DEFAULT_PORT}"
ENV_PREFIX: Final = "RELEVE_RELAY_"

# node.protocol.relay_wire's MAX_BLOB_SIZE and the largest ACK frame (1 + 2 + 1024 x 16),
# repeated here so this module imports no PyNaCl; tests/unit/relay/test_config.py checks they agree.
PROTOCOL_MAX_BLOB: Final = 65536
PROTOCOL_MAX_ACK_FRAME: Final = 16387
PROTOCOL_MAX_NAMEPLATE: Final = 9999  # node.protocol.relay_wire.MAX_NAMEPLATE

_LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR")
_TRUE: Final = ("1", "true", "yes", "on")
_FALSE: Final = ("0", "false", "no", "off")
KIB: Final = 1024
MIB: Final = 1024 * KIB


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True)
class RelayConfig:
    max_blob_bytes: int = field(
        default=PROTOCOL_MAX_BLOB, metadata=_help("largest blob accepted (bytes, <= 65536)")
    )
    max_mailbox_blobs: int = field(default=10_000, metadata=_help("blobs queued per mailbox"))
    max_mailbox_bytes: int = field(
        default=64 * MIB, metadata=_help("accounted bytes queued per mailbox")
    )
    max_total_bytes: int = field(
        default=256 * MIB, metadata=_help("accounted bytes queued in the whole relay")
    )
    max_source_bytes: int = field(
        default=32 * MIB,
        metadata=_help("accounted bytes queued from one source address (IPv4, IPv6 /64)"),
    )
    max_registered_mailboxes: int = field(
        default=100_000,
        metadata=_help("mailboxes whose deposit capability hash is kept (subscribed ones stay)"),
    )
    blob_ttl_seconds: float = field(
        default=7 * 24 * 3600.0, metadata=_help("an unacknowledged blob is dropped after this")
    )
    expiry_interval_seconds: float = field(
        default=60.0, metadata=_help("how often expired blobs are swept")
    )
    deposit_rate_per_second: float = field(
        default=100.0, metadata=_help("deposits per second per source address")
    )
    deposit_burst: int = field(default=200, metadata=_help("deposit burst per source address"))
    subscribe_rate_per_second: float = field(
        default=10.0, metadata=_help("WebSocket connections per second per source address")
    )
    subscribe_burst: int = field(
        default=100, metadata=_help("WebSocket connection burst per source address")
    )
    max_connections: int = field(default=10_000, metadata=_help("concurrent WebSocket connections"))
    max_in_flight: int = field(
        default=256, metadata=_help("blobs pushed and not yet acknowledged, per connection")
    )
    max_frame_bytes: int = field(
        default=32 * KIB, metadata=_help("largest WebSocket message accepted from an owner")
    )
    auth_timeout_seconds: float = field(
        default=10.0, metadata=_help("time to answer the challenge")
    )
    heartbeat_seconds: float = field(
        default=30.0,
        metadata=_help("WebSocket ping interval; no pong within half of it closes the socket"),
    )
    http_idle_seconds: float = field(
        default=30.0, metadata=_help("an HTTP connection without a request is closed after this")
    )
    body_timeout_seconds: float = field(
        default=30.0, metadata=_help("time to receive a request body")
    )
    retry_after_seconds: int = field(
        default=60, metadata=_help("Retry-After sent with 503 and 507 answers")
    )
    rendezvous_ttl_seconds: float = field(
        default=600.0,
        metadata=_help("a phone-pairing nameplate waits this long for its second side"),
    )
    rendezvous_exchange_seconds: float = field(
        default=60.0,
        metadata=_help("once both sides of a nameplate are connected, time they have to finish"),
    )
    rendezvous_max_nameplates: int = field(
        default=1000, metadata=_help("phone-pairing nameplates held at once (<= 9999)")
    )
    rendezvous_rate_per_second: float = field(
        default=1.0,
        metadata=_help("nameplates allocated and rendezvous connections per second per source"),
    )
    rendezvous_burst: int = field(
        default=20, metadata=_help("rendezvous burst (allocations and connections) per source")
    )
    trust_forwarded_for: bool = field(
        default=False,
        metadata=_help("take the source address from X-Forwarded-For (only behind a proxy)"),
    )
    log_level: str = field(default="INFO", metadata=_help("DEBUG, INFO, WARNING or ERROR"))

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if item.type in ("int", "float") and not value > 0:
                raise ConfigError(f"{item.name} must be positive")
        if self.max_blob_bytes > PROTOCOL_MAX_BLOB:
            raise ConfigError(f"max_blob_bytes must be at most {PROTOCOL_MAX_BLOB}")
        if self.max_frame_bytes < PROTOCOL_MAX_ACK_FRAME:
            raise ConfigError(f"max_frame_bytes must be at least {PROTOCOL_MAX_ACK_FRAME}")
        if self.max_mailbox_bytes > self.max_total_bytes:
            raise ConfigError("max_mailbox_bytes must not exceed max_total_bytes")
        if self.rendezvous_max_nameplates > PROTOCOL_MAX_NAMEPLATE:
            raise ConfigError(f"rendezvous_max_nameplates must be at most {PROTOCOL_MAX_NAMEPLATE}")
        if self.log_level not in _LOG_LEVELS:
            raise ConfigError(f"log_level must be one of {', '.join(_LOG_LEVELS)}")


FIELDS: Final = {item.name: item for item in dataclasses.fields(RelayConfig)}


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def _coerce(name: str, value: object) -> object:
    kind = FIELDS[name].type
    text = value.strip() if isinstance(value, str) else None
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if text is not None and text.lower() in _TRUE + _FALSE:
                return text.lower() in _TRUE
            raise ValueError(value)
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError(value)
            return int(value.replace("_", "") if isinstance(value, str) else value)
        if kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ValueError(value)
            number = float(value)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError(value)
            return number
        if not isinstance(value, str):
            raise ValueError(value)
        return value.strip().upper()
    except ValueError:
        raise ConfigError(f"invalid value {value!r} for {name}") from None


def load(environ: Mapping[str, str], overrides: Mapping[str, object]) -> RelayConfig:
    """Defaults, then ``RELEVE_RELAY_*`` variables, then ``overrides`` (field name -> value;
    strings are parsed like environment values). Raises :class:`ConfigError`."""
    values: dict[str, object] = {}
    known = {env_name(name): name for name in FIELDS}
    for variable, text in environ.items():
        if not variable.startswith(ENV_PREFIX):
            continue
        if variable not in known:
            raise ConfigError(f"unknown environment variable {variable}")
        values[known[variable]] = _coerce(known[variable], text)
    for name, value in overrides.items():
        if name not in FIELDS:
            raise ConfigError(f"unknown setting {name!r}")
        values[name] = _coerce(name, value)
    try:
        return RelayConfig(**values)  # type: ignore[arg-type]
    except TypeError as exc:  # pragma: no cover - every value was coerced above
        raise ConfigError(str(exc)) from None


def split_listen(text: str) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port``; raises :class:`ConfigError`."""
    host, sep, port = text.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"{text!r} is not HOST:PORT")
    return host, int(port)
