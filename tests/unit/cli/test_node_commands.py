"""`releve init` and `releve node`: passphrases, the node's entry points, SetupError codes."""

from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from clients.cli.commands import local_node as node_commands
from node.core.errors import SetupError
from node.paths import HomeLayout

from .conftest import Cli


@dataclass
class FakeResult:
    node_id: str
    unattended: bool


@dataclass
class Calls:
    """What the stand-in node.setup / node.daemon were called with, and what they raise."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    errors: list[SetupError] = field(default_factory=list)


@pytest.fixture
def fake_setup(monkeypatch: pytest.MonkeyPatch) -> Calls:
    record = Calls()

    def init_home(
        layout: HomeLayout,
        name: str,
        role: str,
        passphrase: bytes | None,
        phone: str = "",
        prescriber: dict[str, str] | None = None,
    ) -> FakeResult:
        record.calls.append(
            {"layout": layout, "name": name, "role": role, "pass": passphrase, "phone": phone}
        )
        if record.errors:
            raise record.errors.pop(0)
        return FakeResult("abcd-efgh-ijkl", passphrase is None)

    module = types.ModuleType("node.setup")
    module.__dict__["init_home"] = init_home
    monkeypatch.setitem(sys.modules, "node.setup", module)
    return record


@pytest.fixture
def fake_daemon(monkeypatch: pytest.MonkeyPatch) -> Calls:
    record = Calls()

    def run(
        layout: HomeLayout,
        *,
        listen: str | None,
        no_listen: bool,
        relays: list[str],
        passphrase: bytes | None,
        web: object = None,  # the web client's flags: tests/unit/cli/test_tls_command.py
    ) -> int:
        record.calls.append(
            {"layout": layout, "listen": listen, "no_listen": no_listen, "relays": relays}
            | {"pass": passphrase}
        )
        if record.errors:
            raise record.errors.pop(0)
        return 0

    module = types.ModuleType("node.daemon")
    module.__dict__["run"] = run
    monkeypatch.setitem(sys.modules, "node.daemon", module)
    return record


def no_tty(monkeypatch: pytest.MonkeyPatch, tty: bool = False) -> None:
    monkeypatch.setattr(node_commands, "_stdin_is_tty", lambda: tty)


# -- passphrase files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"correct horse battery\n", b"correct horse battery"),
        (b"correct horse battery\r\n", b"correct horse battery"),
        (b"two newlines\n\n", b"two newlines\n"),
        (b"  spaces kept  ", b"  spaces kept  "),
        ("e\u0301te\u0301\n".encode(), "été".encode()),
        (b"\xff\xfe binary", b"\xff\xfe binary"),
    ],
)
def test_passphrase_file(tmp_path: Path, content: bytes, expected: bytes) -> None:
    path = tmp_path / "pass"
    path.write_bytes(content)
    assert node_commands.read_passphrase_file(str(path)) == expected


@pytest.mark.parametrize("content", [b"", b"\n"])
def test_empty_passphrase_file(cli: Cli, tmp_path: Path, fake_setup: Calls, content: bytes) -> None:
    path = tmp_path / "pass"
    path.write_bytes(content)
    result = cli(
        "--lang",
        "en",
        "--home",
        str(tmp_path / "h"),
        "init",
        "--name",
        "X",
        "--passphrase-file",
        str(path),
    )
    assert result.code == 1
    assert f"the passphrase file {path} is empty" in result.err
    assert fake_setup.calls == []


def test_unreadable_passphrase_file(cli: Cli, tmp_path: Path, fake_setup: Calls) -> None:
    missing = tmp_path / "nope"
    result = cli(
        "--lang",
        "en",
        "--home",
        str(tmp_path / "h"),
        "init",
        "--name",
        "X",
        "--passphrase-file",
        str(missing),
    )
    assert result.code == 1
    assert f"cannot read the passphrase file {missing}" in result.err


# -- init --------------------------------------------------------------------------------------


def test_init_with_passphrase_file(cli: Cli, tmp_path: Path, fake_setup: Calls) -> None:
    path = tmp_path / "pass"
    path.write_bytes(b"une phrase secrete assez longue\n")
    result = cli(
        "--home",
        str(tmp_path / "h"),
        "init",
        "--name",
        "Dr Camille Martin",
        "--role",
        "médecin",
        "--passphrase-file",
        str(path),
    )
    assert result.code == 0
    (call,) = fake_setup.calls
    assert call["layout"] == HomeLayout((tmp_path / "h").resolve())
    assert (call["name"], call["role"], call["pass"]) == (
        "Dr Camille Martin",
        "gp",
        b"une phrase secrete assez longue",
    )
    assert "abcd-efgh-ijkl" in result.out
    assert "médecin généraliste" in result.out
    assert "Attention" not in result.out


def test_init_unattended_warns(cli: Cli, tmp_path: Path, fake_setup: Calls) -> None:
    result = cli(
        "--lang",
        "en",
        "--home",
        str(tmp_path / "h"),
        "init",
        "--name",
        "Cabinet",
        "--role",
        "cabinet",
        "--unattended",
    )
    assert result.code == 0
    assert fake_setup.calls[0]["pass"] is None
    assert fake_setup.calls[0]["role"] == "practice"
    assert "Warning: without a passphrase" in result.out
    assert f"releve --home {tmp_path / 'h'} node" in result.out


def test_init_without_passphrase_and_without_terminal(
    cli: Cli, tmp_path: Path, fake_setup: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_tty(monkeypatch)
    result = cli("--lang", "en", "--home", str(tmp_path), "init", "--name", "X")
    assert result.code == 1
    assert "a passphrase is needed" in result.err
    assert fake_setup.calls == []


def test_init_prompts_twice_on_a_terminal(
    cli: Cli, tmp_path: Path, fake_setup: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_tty(monkeypatch, tty=True)
    answers = iter(["phrase secrète", "phrase secrète"])
    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", getpass)
    assert cli("--home", str(tmp_path), "init", "--name", "X").code == 0
    assert fake_setup.calls[0]["pass"] == "phrase secrète".encode()
    assert len(prompts) == 2


def test_init_prompt_mismatch(
    cli: Cli, tmp_path: Path, fake_setup: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_tty(monkeypatch, tty=True)
    answers = iter(["one passphrase", "another one"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    result = cli("--lang", "en", "--home", str(tmp_path), "init", "--name", "X")
    assert result.code == 1
    assert "differ" in result.err
    assert fake_setup.calls == []


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("home_exists", "already holds a Relève node"),
        ("invalid_name", "invalid name (the node's reason)"),
        ("invalid_role", "invalid role"),
        ("weak_passphrase", "passphrase too weak"),
        ("something_new", "something_new: the node's reason"),
    ],
)
def test_init_errors_are_translated(
    cli: Cli, tmp_path: Path, fake_setup: Calls, code: str, words: str
) -> None:
    fake_setup.errors.append(SetupError("the node's reason", code))
    result = cli("--lang", "en", "--home", str(tmp_path), "init", "--name", "X", "--unattended")
    assert result.code == 1
    assert result.err.startswith("Error: ")
    assert words in result.err


# -- node --------------------------------------------------------------------------------------


def test_node_passes_its_options(cli: Cli, tmp_path: Path, fake_daemon: Calls) -> None:
    path = tmp_path / "pass"
    path.write_bytes(b"secret\n")
    result = cli(
        "--home",
        str(tmp_path),
        "node",
        "--listen",
        "0.0.0.0:7301",
        "--relay",
        "https://r1",
        "--relay",
        "https://r2",
        "--passphrase-file",
        str(path),
    )
    assert result.code == 0
    assert fake_daemon.calls == [
        {
            "layout": HomeLayout(tmp_path.resolve()),
            "listen": "0.0.0.0:7301",
            "no_listen": False,
            "relays": ["https://r1", "https://r2"],
            "pass": b"secret",
        }
    ]


def test_node_no_listen(cli: Cli, tmp_path: Path, fake_daemon: Calls) -> None:
    assert cli("--home", str(tmp_path), "node", "--no-listen").code == 0
    call = fake_daemon.calls[0]
    assert (call["listen"], call["no_listen"], call["relays"], call["pass"]) == (
        None,
        True,
        [],
        None,
    )


def test_node_asks_for_the_passphrase_on_a_terminal(
    cli: Cli, tmp_path: Path, fake_daemon: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_tty(monkeypatch, tty=True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "typed")
    fake_daemon.errors.append(SetupError("locked", "passphrase_required"))
    assert cli("--home", str(tmp_path), "node").code == 0
    assert [call["pass"] for call in fake_daemon.calls] == [None, b"typed"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("passphrase_required", "protected by a passphrase"),
        ("home_missing", "create it first with `releve init`"),
        ("wrong_passphrase", "wrong passphrase"),
        ("node_running", "already running"),
        ("address_in_use", "already in use"),
        ("database_too_new", "newer version"),
        ("invalid_listen", "invalid listening address (the node's reason)"),
    ],
)
def test_node_errors_are_translated(
    cli: Cli,
    tmp_path: Path,
    fake_daemon: Calls,
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    words: str,
) -> None:
    no_tty(monkeypatch)
    fake_daemon.errors.append(SetupError("the node's reason", code))
    result = cli("--lang", "en", "--home", str(tmp_path), "node")
    assert result.code == 1
    assert words in result.err


# -- against the real node.setup (the lead's code) ----------------------------------------------


def test_real_init_unattended_then_home_exists(cli: Cli, tmp_path: Path) -> None:
    home = tmp_path / "clinic"
    result = cli(
        "--lang",
        "en",
        "--home",
        str(home),
        "init",
        "--name",
        "Cabinet du Port",
        "--role",
        "cabinet",
        "--unattended",
    )
    assert result.code == 0, result.err
    assert "Node id: " in result.out
    token = HomeLayout(home).api_token
    assert os.stat(token).st_mode & 0o777 == 0o600
    again = cli("--lang", "en", "--home", str(home), "init", "--name", "X", "--unattended")
    assert again.code == 1
    assert "already holds a Relève node" in again.err
    status = cli("--lang", "en", "--home", str(home), "status")
    assert status.code == 3
    assert "releve init" not in status.err  # initialised: only the hint to start it


def test_real_node_in_a_missing_home(cli: Cli, tmp_path: Path) -> None:
    result = cli("--lang", "en", "--home", str(tmp_path / "none"), "node", "--no-listen")
    assert result.code == 1
    assert "create it first with `releve init`" in result.err


def test_restore_interrupt_undoes_an_inherited_ignore() -> None:
    import signal

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        node_commands.restore_interrupt()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
