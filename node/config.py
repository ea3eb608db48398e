"""The node's one frozen configuration: defaults, then ``config.toml``, then the environment,
then command-line flags (each later layer wins).

``config.toml`` sections and keys (all optional but ``[node]``)::

    [node]     name = "Dr Martin"    role = "gp"    phone = "01 23 45 67 89"
    [prescriber]  name = "Dr Camille Martin"   rpps = "10001234565"
               specialty = "Médecine générale"   address = "3 rue du Port, 29900 Concarneau"
               email = "c.martin@example.fr"     (gp and specialist roles, §19.1)
    [network]  listen = "0.0.0.0:7301"   advertise = ["192.168.1.20:7301"]   relays = []
    [web]      listen = "0.0.0.0:8443"   names = ["cabinet.lan"]   tls = "auto"
               tls_cert = "/etc/ssl/cabinet.pem"   tls_key = "/etc/ssl/cabinet.key"
               clinic_server = true   lock_after_minutes = 10   (node.core.accounts)
    [outbox]   max_age_hours = 72   retry_base_seconds = 1   retry_max_seconds = 300
               redelivery_seconds = 60
    [limits]   peer_max_request_bytes = 65536   peer_rate_per_second = 200
               peer_rate_burst = 400   peer_max_connections = 512
               peer_connections_per_source = 32   api_max_connections = 64
               header_timeout_seconds = 10   idle_timeout_seconds = 30
    [messages] escalate_after_minutes = 15   backup_contact = "Dr Durand"
               backup_after_minutes = 30
    [log]      level = "INFO"

Environment: ``RELEVE_LISTEN``, ``RELEVE_ADVERTISE`` and ``RELEVE_RELAYS`` (comma-separated),
``RELEVE_WEB_LISTEN``, ``RELEVE_WEB_NAMES`` (comma-separated), ``RELEVE_WEB_TLS``,
``RELEVE_TLS_CERT``, ``RELEVE_TLS_KEY``, ``RELEVE_CLINIC_SERVER``, ``RELEVE_LOCK_AFTER_MINUTES``,
``RELEVE_LOG_LEVEL``, ``RELEVE_OUTBOX_MAX_AGE_HOURS``, ``RELEVE_RETRY_BASE_SECONDS``,
``RELEVE_RETRY_MAX_SECONDS``, ``RELEVE_REDELIVERY_SECONDS``, ``RELEVE_PHONE``,
``RELEVE_ESCALATE_AFTER_MINUTES``, ``RELEVE_BACKUP_CONTACT``, ``RELEVE_BACKUP_AFTER_MINUTES``,
``RELEVE_PEER_MAX_CONNECTIONS``,
``RELEVE_PEER_CONNECTIONS_PER_SOURCE``, ``RELEVE_API_MAX_CONNECTIONS``,
``RELEVE_HEADER_TIMEOUT_SECONDS``, ``RELEVE_IDLE_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from typing import Any, Final

from node.core.config import DEFAULT_PORT, NodeConfig
from node.core.errors import SetupError
from node.paths import HomeLayout

_TOML_KEYS: Final = {
    ("node", "name"): "name",
    ("node", "role"): "role",
    ("node", "phone"): "phone",
    ("prescriber", "name"): "prescriber_name",
    ("prescriber", "rpps"): "rpps",
    ("prescriber", "specialty"): "specialty",
    ("prescriber", "address"): "address",
    ("prescriber", "email"): "email",
    ("messages", "escalate_after_minutes"): "escalate_after_minutes",
    ("messages", "backup_contact"): "backup_contact",
    ("messages", "backup_after_minutes"): "backup_after_minutes",
    ("network", "listen"): "listen",
    ("network", "advertise"): "advertise",
    ("network", "relays"): "relays",
    ("web", "listen"): "web_listen",
    ("web", "names"): "web_names",
    ("web", "tls"): "web_tls",
    ("web", "tls_cert"): "tls_cert",
    ("web", "tls_key"): "tls_key",
    ("web", "clinic_server"): "clinic_server",
    ("web", "lock_after_minutes"): "lock_after_minutes",
    ("outbox", "max_age_hours"): "outbox_max_age_hours",
    ("outbox", "retry_base_seconds"): "retry_base_seconds",
    ("outbox", "retry_max_seconds"): "retry_max_seconds",
    ("outbox", "redelivery_seconds"): "redelivery_seconds",
    ("limits", "peer_max_request_bytes"): "peer_max_request_bytes",
    ("limits", "peer_rate_per_second"): "peer_rate_per_second",
    ("limits", "peer_rate_burst"): "peer_rate_burst",
    ("limits", "peer_max_connections"): "peer_max_connections",
    ("limits", "peer_connections_per_source"): "peer_connections_per_source",
    ("limits", "api_max_connections"): "api_max_connections",
    ("limits", "header_timeout_seconds"): "header_timeout_seconds",
    ("limits", "idle_timeout_seconds"): "idle_timeout_seconds",
    ("log", "level"): "log_level",
}

_ENV_KEYS: Final = {
    "RELEVE_LISTEN": "listen",
    "RELEVE_ADVERTISE": "advertise",
    "RELEVE_RELAYS": "relays",
    "RELEVE_WEB_LISTEN": "web_listen",
    "RELEVE_WEB_NAMES": "web_names",
    "RELEVE_WEB_TLS": "web_tls",
    "RELEVE_TLS_CERT": "tls_cert",
    "RELEVE_TLS_KEY": "tls_key",
    "RELEVE_CLINIC_SERVER": "clinic_server",
    "RELEVE_LOCK_AFTER_MINUTES": "lock_after_minutes",
    "RELEVE_LOG_LEVEL": "log_level",
    "RELEVE_OUTBOX_MAX_AGE_HOURS": "outbox_max_age_hours",
    "RELEVE_RETRY_BASE_SECONDS": "retry_base_seconds",
    "RELEVE_RETRY_MAX_SECONDS": "retry_max_seconds",
    "RELEVE_REDELIVERY_SECONDS": "redelivery_seconds",
    "RELEVE_PHONE": "phone",
    "RELEVE_ESCALATE_AFTER_MINUTES": "escalate_after_minutes",
    "RELEVE_BACKUP_CONTACT": "backup_contact",
    "RELEVE_BACKUP_AFTER_MINUTES": "backup_after_minutes",
    "RELEVE_PEER_MAX_CONNECTIONS": "peer_max_connections",
    "RELEVE_PEER_CONNECTIONS_PER_SOURCE": "peer_connections_per_source",
    "RELEVE_API_MAX_CONNECTIONS": "api_max_connections",
    "RELEVE_HEADER_TIMEOUT_SECONDS": "header_timeout_seconds",
    "RELEVE_IDLE_TIMEOUT_SECONDS": "idle_timeout_seconds",
}


def _coerce(field: str, value: Any) -> Any:
    kind = {f.name: f.type for f in dataclasses.fields(NodeConfig)}[field]
    try:
        if kind == "tuple[str, ...]":
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(item).strip() for item in items if str(item).strip())
        if kind == "float":
            return float(value)
        if kind == "int":
            return int(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if str(value).strip().lower() in ("1", "true", "yes", "on"):
                return True
            if str(value).strip().lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(value)
        if kind == "str | None":
            return None if value in (None, "", "none") else str(value)
        return str(value)
    except (TypeError, ValueError):
        raise SetupError(f"invalid value for {field}", "invalid_config") from None


def load(
    layout: HomeLayout, environ: Mapping[str, str], overrides: Mapping[str, Any]
) -> NodeConfig:
    values: dict[str, Any] = {}
    try:
        document = tomllib.loads(layout.config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SetupError(f"config.toml cannot be read: {exc}", "invalid_config") from None
    for (section, key), field in _TOML_KEYS.items():
        table = document.get(section, {})
        if isinstance(table, dict) and key in table:
            values[field] = _coerce(field, table[key])
    for variable, field in _ENV_KEYS.items():
        if variable in environ:
            values[field] = _coerce(field, environ[variable])
    for field, value in overrides.items():
        values[field] = _coerce(field, value)
    return NodeConfig(**values)


def _toml_string(text: str) -> str:
    """A TOML basic string (quotes, backslashes and line breaks escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def initial_toml(
    name: str, role: str, phone: str = "", prescriber: Mapping[str, str] | None = None
) -> str:
    """The config file ``releve init`` writes; ``prescriber``: the ``[prescriber]`` keys
    given (name, rpps, specialty, address, email)."""
    phone_line = f"phone = {_toml_string(phone)}\n" if phone else ""
    section = ""
    if prescriber:
        keys = "".join(
            f"{key} = {_toml_string(value)}\n" for key, value in prescriber.items() if value
        )
        section = f"[prescriber]\n{keys}\n"
    return (
        "# Relève node configuration. See docs/operations.md for every key.\n"
        f"[node]\nname = {_toml_string(name)}\nrole = {_toml_string(role)}\n{phone_line}\n"
        f"{section}"
        f'[network]\nlisten = "0.0.0.0:{DEFAULT_PORT}"\nrelays = []\n'
    )
