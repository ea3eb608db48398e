"""Real `releve node` processes on 127.0.0.1 for integration tests (no mocks of our code)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, Final

# Bounds on the harness's waits for a condition (a node ready, a pairing seen, a process
# gone): each wait ends as soon as its condition holds, so a generous bound costs nothing on
# a quiet machine and keeps a loaded one (make test-faults-loaded) from failing on time alone.
START_SECONDS: Final = 120.0
PAIR_SECONDS: Final = 120.0
EXIT_SECONDS: Final = 60.0
REQUEST_SECONDS: Final = 120.0  # a local API or relay answer

# Fast retries so that tests about outages finish quickly.
FAST_ENV = {
    "RELEVE_RETRY_BASE_SECONDS": "0.2",
    "RELEVE_RETRY_MAX_SECONDS": "1",
    "RELEVE_REDELIVERY_SECONDS": "3",
    "RELEVE_LANG": "en",
}


def cli(
    home: Path, *args: str, check: bool = True, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Runs `releve --home HOME ARGS...` as a real process."""
    env = {**os.environ, **FAST_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "clients.cli", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"releve {' '.join(args)} failed: {result.stderr}{result.stdout}")
    return result


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


async def eventually(
    predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.01
) -> Any:
    """:func:`wait_for` for a test running on an event loop: it awaits between checks, so
    that what runs on the same loop (a server under test) gets on with it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


class ApiFailure(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


# `releve init` options of a physician's node: its prescriber profile (docs/protocol.md §19).
PRESCRIBER_OPTIONS: Final = [
    "--phone",
    "02 98 00 00 00",
    "--prescriber-name",
    "Dr Camille Martin",
    "--rpps",
    "10001234565",
    "--specialty",
    "Médecine générale",
    "--address",
    "3 rue du Port, 29900 Concarneau",
    "--email",
    "c.martin@cabinet.example.fr",
]


class Node:
    """One home folder and, while started, one `releve node` process."""

    def __init__(self, home: Path, name: str, role: str) -> None:
        self.home = home
        self.name = name
        self.role = role
        self.process: subprocess.Popen[bytes] | None = None
        self.stderr_path = home.parent / f"{home.name}.stderr"
        self.port: int | None = None  # the peer port, kept across restarts

    def init(self, passphrase_file: Path | None = None) -> None:
        secret = (
            ["--passphrase-file", str(passphrase_file)] if passphrase_file else ["--unattended"]
        )
        # A physician's node signs prescriptions with its profile (issue #16): given here.
        profile = PRESCRIBER_OPTIONS if self.role in ("gp", "specialist") else []
        cli(self.home, "init", "--name", self.name, "--role", self.role, *profile, *secret)

    def start(self, *extra: str, wait: bool = True, listen: bool = True) -> None:
        """Starts the node; ``listen=False`` starts it with --no-listen (relays only)."""
        assert self.process is None or self.process.poll() is not None
        where = ["--listen", f"127.0.0.1:{self.port or 0}"] if listen else ["--no-listen"]
        env = {**os.environ, **FAST_ENV}
        self.api_info.unlink(missing_ok=True)
        home = ["--home", str(self.home)]
        with open(self.stderr_path, "ab") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "clients.cli", *home, "node", *where, *extra],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=env,
            )
        if wait:
            wait_for(self._ready, START_SECONDS, f"{self.name} to start")
            if self.port is None and listen:
                self.port = int(self.status()["peer_endpoints"][0].rsplit(":", 1)[1])

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited: {self.stderr_path.read_text()}")
        return self.api_info.exists()

    @property
    def api_info(self) -> Path:
        return self.home / "api.json"

    def stop(self) -> int:
        """Ctrl-C, as an operator would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=EXIT_SECONDS)
        self.process = None
        return code

    def kill(self) -> None:
        """kill -9: no chance to clean up."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=EXIT_SECONDS)
        self.process = None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        timeout: float = REQUEST_SECONDS,
    ) -> Any:
        info = json.loads(self.api_info.read_text())
        token = token if token is not None else (self.home / "api-token").read_text().strip()
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            info["url"] + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise ApiFailure(error.code, json.loads(error.read())) from None

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", "/v1/status")
        return result

    def contacts(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.request("GET", "/v1/contacts")["contacts"]
        return result

    def send(self, contact: str, text: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request(
            "POST", "/v1/messages", {"contact": contact, "text": text}
        )
        return result

    def received(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.request("GET", "/v1/messages?direction=in&limit=10000")[
            "messages"
        ]
        return result

    def message(self, message_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", f"/v1/messages/{message_id}")
        return result

    @property
    def peer_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def outbox_empty(node: Node) -> bool:
    return bool(node.status()["outbox"]["pending"] == 0)


def pair(inviter: Node, acceptor: Node) -> None:
    def pairings() -> set[tuple[str, str]]:
        return {
            (c["contact_id"], c["paired_at"]) for c in inviter.contacts() if c["state"] == "active"
        }

    before = pairings()
    text = inviter.request("POST", "/v1/invitations", {"ttl_minutes": 5})["text"]
    acceptor.request("POST", "/v1/pairings", {"invitation": text})
    wait_for(lambda: pairings() - before, PAIR_SECONDS, "the inviter to see the pairing")


@contextlib.contextmanager
def running_pair(
    first: Node, second: Node, *first_options: str, clinic: bool = False
) -> Iterator[tuple[Node, Node]]:
    """Both nodes initialised, started (``first`` with ``first_options``; as a clinic server,
    ``[web] clinic_server = true``, with ``clinic``) and paired, their contact cards delivered
    and receipted both ways; both killed at the end."""
    try:
        first.init()
        if clinic:
            config = first.home / "config.toml"
            config.write_text(
                config.read_text(encoding="utf-8") + "\n[web]\nclinic_server = true\n",
                encoding="utf-8",
            )
        second.init()
        first.start(*first_options)
        second.start()
        pair(first, second)
        for node in (first, second):
            wait_for(partial(outbox_empty, node), 30, "a settled pairing")
        yield first, second
    finally:
        for node in (first, second):
            if node.process is not None:
                node.kill()


class Relay:
    """One `releve relay` process; restarted on the same port it first got."""

    def __init__(self, log_path: Path, env: dict[str, str] | None = None) -> None:
        self.log_path = log_path
        self.env = env or {}  # extra environment, e.g. RELEVE_RELAY_* limits
        self.process: subprocess.Popen[str] | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        assert self.port is not None
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.process is None
        env = {**os.environ, **FAST_ENV, **self.env}
        listen = f"127.0.0.1:{self.port or 0}"
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "clients.cli", "relay", "--listen", listen],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=env,
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "http://" not in line:
            raise AssertionError(f"the relay did not start: {line!r} {self.log_path.read_text()}")
        self.port = int(line.strip().rsplit(":", 1)[1])

    def kill(self) -> None:
        """kill -9: everything the relay held in memory is gone."""
        assert self.process is not None
        self.process.kill()
        self._reap()

    def stop(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        self._reap()

    def _reap(self) -> None:
        assert self.process is not None
        self.process.wait(timeout=EXIT_SECONDS)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/health", timeout=REQUEST_SECONDS) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result
