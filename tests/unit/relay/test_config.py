"""RelayConfig layering: defaults, then RELEVE_RELAY_* variables, then flags (overrides)."""

from __future__ import annotations

import dataclasses
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from node.protocol.relay_wire import BLOB_ID_SIZE, MAX_ACK_IDS, MAX_BLOB_SIZE
from relay import config as config_module
from relay import server
from relay.config import DEFAULT_LISTEN, FIELDS, RelayConfig, env_name, load, split_listen
from relay.errors import ConfigError

REPO = Path(__file__).resolve().parents[3]


def test_defaults() -> None:
    config = load({}, {})
    assert config == RelayConfig()
    assert config.max_blob_bytes == 65536
    assert config.max_mailbox_blobs == 10_000
    assert config.max_mailbox_bytes == 64 << 20
    assert config.max_total_bytes == 256 << 20
    assert config.blob_ttl_seconds == 7 * 24 * 3600
    assert (config.deposit_rate_per_second, config.deposit_burst) == (100.0, 200)
    assert config.max_connections == 10_000
    assert config.max_in_flight == 256
    assert config.auth_timeout_seconds == 10.0
    assert not config.trust_forwarded_for
    assert DEFAULT_LISTEN == "127.0.0.1:7400"


def test_protocol_constants_repeated_in_config_agree() -> None:
    assert config_module.PROTOCOL_MAX_BLOB == MAX_BLOB_SIZE
    assert config_module.PROTOCOL_MAX_ACK_FRAME == 3 + MAX_ACK_IDS * BLOB_ID_SIZE


def test_environment_then_overrides() -> None:
    environ = {
        "RELEVE_RELAY_MAX_BLOB_BYTES": "1024",
        "RELEVE_RELAY_BLOB_TTL_SECONDS": "60.5",
        "RELEVE_RELAY_TRUST_FORWARDED_FOR": "yes",
        "RELEVE_RELAY_LOG_LEVEL": "debug",
        "RELEVE_RELAY_MAX_CONNECTIONS": "5",
        "HOME": "/ignored",
    }
    config = load(environ, {"max_connections": "7", "deposit_burst": 3})
    assert config.max_blob_bytes == 1024
    assert config.blob_ttl_seconds == 60.5
    assert config.trust_forwarded_for is True
    assert config.log_level == "DEBUG"
    assert config.max_connections == 7  # the flag wins
    assert config.deposit_burst == 3
    assert load({"RELEVE_RELAY_MAX_TOTAL_BYTES": "1_000_000_000"}, {}).max_total_bytes == 10**9


def test_every_field_has_an_environment_variable_and_help() -> None:
    for name, item in FIELDS.items():
        assert env_name(name) == "RELEVE_RELAY_" + name.upper()
        assert item.metadata["help"]
        default = getattr(RelayConfig(), name)
        assert load({env_name(name): str(default)}, {}) == RelayConfig()


@pytest.mark.parametrize(
    ("environ", "overrides"),
    [
        ({"RELEVE_RELAY_MAX_BLOB_BYTES": "many"}, {}),
        ({"RELEVE_RELAY_MAX_BLOB_BYTES": "70000"}, {}),  # above the protocol's bound
        ({"RELEVE_RELAY_MAX_BLOB_BYTES": "0"}, {}),
        ({"RELEVE_RELAY_BLOB_TTL_SECONDS": "-1"}, {}),
        ({"RELEVE_RELAY_BLOB_TTL_SECONDS": "nan"}, {}),
        ({"RELEVE_RELAY_BLOB_TTL_SECONDS": "inf"}, {}),
        ({"RELEVE_RELAY_TRUST_FORWARDED_FOR": "maybe"}, {}),
        ({"RELEVE_RELAY_LOG_LEVEL": "loud"}, {}),
        ({"RELEVE_RELAY_MAX_FRAME_BYTES": "1000"}, {}),  # smaller than the largest ACK
        ({"RELEVE_RELAY_MAX_MAILBOX_BYTES": str(1 << 30)}, {}),  # more than the relay total
        ({"RELEVE_RELAY_NO_SUCH_THING": "1"}, {}),
        ({}, {"no_such_thing": 1}),
        ({}, {"max_connections": 1.5}),
        ({}, {"max_connections": True}),
        ({}, {"trust_forwarded_for": 1}),
        ({}, {"log_level": 3}),
    ],
)
def test_invalid_values_raise_config_error(
    environ: dict[str, str], overrides: dict[str, object]
) -> None:
    with pytest.raises(ConfigError):
        load(environ, overrides)


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        RelayConfig().max_connections = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:0", ("127.0.0.1", 0)),
        ("0.0.0.0:7400", ("0.0.0.0", 7400)),
        ("[::1]:80", ("::1", 80)),
    ],
)
def test_split_listen(text: str, expected: tuple[str, int]) -> None:
    assert split_listen(text) == expected


@pytest.mark.parametrize("text", ["", "7400", "host:", ":80", "host:port", "host:70000"])
def test_split_listen_refuses(text: str) -> None:
    with pytest.raises(ConfigError):
        split_listen(text)


def run_python(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in the repository, without the caller's RELEVE_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELEVE_")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=check,
    )


def test_importing_the_config_stays_cheap() -> None:
    """The CLI may load relay.config early: it must not pull in aiohttp or PyNaCl."""
    code = "import sys, relay.config; print(sorted({'aiohttp', 'nacl'} & set(sys.modules)))"
    result = run_python("-c", code)
    assert result.stdout.strip() == "[]"


def test_command_line_errors_exit_2() -> None:
    result = run_python(
        "-m", "relay", "--listen", "127.0.0.1:0", "--max-blob-bytes", "x", check=False
    )
    assert result.returncode == 2
    assert "max_blob_bytes" in result.stderr


def test_the_relay_imports_nothing_of_the_node_but_its_protocol() -> None:
    """Dependencies point one way (docs/architecture.md): the relay uses the protocol core's relay
    wire format and admission control, nothing else of the node."""
    code = (
        "import sys, relay.server, relay.__main__; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'node'"
        " and m != 'node.protocol' and not m.startswith('node.protocol.')))"
    )
    result = run_python("-c", code)
    assert result.stdout.strip() == "['node']"  # the package itself, parent of node.protocol


def test_the_relay_fits_max_connections_to_the_open_file_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hard limit below max_connections lowers it (else the relay would fail on "too many
    open files" instead of refusing subscribers cleanly); a soft limit below it is raised."""
    limits = {"soft": 1024, "hard": 4096}
    monkeypatch.setattr(resource, "getrlimit", lambda _: (limits["soft"], limits["hard"]))

    def setrlimit(_: int, values: tuple[int, int]) -> None:
        limits["soft"], limits["hard"] = values

    monkeypatch.setattr(resource, "setrlimit", setrlimit)
    fitted = server.fit_file_limit(RelayConfig(max_connections=10_000))
    assert fitted.max_connections == 4096 - server.FILE_MARGIN
    assert limits == {"soft": 4096, "hard": 4096}
    limits["soft"] = 1024
    assert server.fit_file_limit(RelayConfig(max_connections=100)).max_connections == 100
    assert limits["soft"] == 1024  # enough already: left alone
