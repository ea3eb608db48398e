"""Processes the benchmarks start on 127.0.0.1: a relay (or a raw baseline server) that prints
``... listening on http://HOST:PORT`` once bound, and ``releve node`` processes with their
default settings (:class:`NodeProcess`), watched from outside through a read-only connection to
their database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

REPO: Final = Path(__file__).resolve().parents[1]


def start_listening(
    args: list[str], env: Mapping[str, str] = {}
) -> tuple[subprocess.Popen[str], str]:
    """Starts ``python ARGS`` in the repository, without the caller's ``RELEVE_*`` settings
    (the bench sets its own in ``env``); returns the process and the URL it listens on."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RELEVE_")}
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env={**clean, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if " listening on " not in line:
        process.kill()
        process.wait()
        raise RuntimeError(f"{' '.join(args)} did not start: {line!r}")
    return process, line.split()[-1]


def stop(process: subprocess.Popen[str], timeout: float) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds; reaps the process."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def rss(process: subprocess.Popen[str]) -> int:
    """Resident memory of a running process, in bytes."""
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


# --- Relève nodes with their default timings ----------------------------------------------------

# The benches run nodes as shipped: no test timings (tests/integration/nodes.py shortens the
# retry delays); English messages only so that the output reads the same everywhere.
NODE_ENV: Final = {"RELEVE_LANG": "en"}
# BENCH_PROFILE=DIR: every node a bench starts runs under cProfile and writes
# DIR/<home name>.prof when it stops (the harness wraps the process; the node knows nothing).
PROFILE_ENV: Final = "BENCH_PROFILE"


def clean_env(extra: Mapping[str, str] = {}) -> dict[str, str]:
    """This environment without any ``RELEVE_*`` setting, plus ``NODE_ENV`` and ``extra``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RELEVE_")}
    return {**clean, **NODE_ENV, **extra}


def cli_command(home: Path, *args: str) -> list[str]:
    """``releve --home HOME ARGS`` as an argument vector (the real command line client)."""
    return [sys.executable, "-m", "clients.cli", "--home", str(home), *args]


class NodeProcess:
    """One home folder and, while started, one ``releve node`` process with default
    settings (``env`` adds to them, e.g. relays)."""

    def __init__(self, home: Path, name: str, role: str, env: Mapping[str, str] = {}) -> None:
        self.home = home
        self.name = name
        self.role = role
        self.env = clean_env(env)
        self.process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None
        self.stderr_path = home.parent / f"{home.name}.stderr"

    def cli(self, *args: str, timeout: float = 60) -> str:
        result = subprocess.run(
            cli_command(self.home, *args),
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"releve {' '.join(args)} failed: {result.stderr}{result.stdout}")
        return result.stdout

    def init(self) -> None:
        self.cli("init", "--name", self.name, "--role", self.role, "--unattended")

    @property
    def database(self) -> Path:
        return self.home / "releve.db"

    def start(self, *extra: str, listen: bool = True, timeout: float = 60) -> None:
        where = ["--listen", f"127.0.0.1:{self.port or 0}"] if listen else ["--no-listen"]
        command = cli_command(self.home, "node", *where, *extra)
        profile = os.environ.get(PROFILE_ENV)
        if profile:
            out = Path(profile).resolve() / f"{self.home.name}.prof"
            command[1:1] = ["-m", "cProfile", "-o", str(out)]
        (self.home / "api.json").unlink(missing_ok=True)
        with open(self.stderr_path, "ab") as stderr:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=stderr
            )
        deadline = time.monotonic() + timeout
        while not (self.home / "api.json").exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.stderr_path.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.05)
        if listen and self.port is None:
            self.port = int(self.request("GET", "/v1/status")["peer_endpoints"][0].rsplit(":")[-1])

    def stop(self) -> None:
        """Ctrl-C, as an operator would (a profiled node then writes its profile)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    @property
    def api_url(self) -> str:
        return str(json.loads((self.home / "api.json").read_text())["url"])

    @property
    def token(self) -> str:
        return (self.home / "api-token").read_text().strip()

    def request(self, method: str, path: str, body: Any = None, timeout: float = 60) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.api_url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def pair_with(self, acceptor: NodeProcess, timeout: float = 60) -> str:
        """Pairs through the local APIs (an invitation as text); returns the acceptor's
        contact id as this node knows it, once both sides see the pairing."""
        text = self.request("POST", "/v1/invitations", {"ttl_minutes": 5})["text"]
        acceptor.request("POST", "/v1/pairings", {"invitation": text})
        deadline = time.monotonic() + timeout
        while True:
            mine = [c for c in self.request("GET", "/v1/contacts")["contacts"]]
            theirs = [c for c in acceptor.request("GET", "/v1/contacts")["contacts"]]
            if any(c["state"] == "active" for c in mine) and any(
                c["state"] == "active" for c in theirs
            ):
                return str(mine[0]["contact_id"])
            if time.monotonic() > deadline:
                raise RuntimeError("the pairing did not complete")
            time.sleep(0.1)


def read_only(database: Path) -> sqlite3.Connection:
    """A read-only connection to a node's database, for a bench to watch commits from
    outside the node (WAL: a reader never blocks the node's writer)."""
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True, isolation_level=None)


def count_rows(db: sqlite3.Connection, sql: str) -> int:
    row = db.execute(sql).fetchone()
    return int(row[0]) if row else 0


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages (``uptime``), to print beside every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"
