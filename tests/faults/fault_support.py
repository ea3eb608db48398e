"""Shared helpers of the crash, relay and disk fault tests (issue 7).

Builds on the integration harness (tests/integration/nodes.py: real ``releve node`` and
``releve relay`` processes on 127.0.0.1) and adds what faults need:

- :func:`post_message`: one local API submission whose fate is classified exactly: committed
  (201), refused (an error answer), not sent (no node to take it: safe to submit again), or
  in doubt (the node died while it had the request: it may or may not have committed it);
- :class:`Conversation`: what one node submitted to one contact, checked against what the
  other node shows (exactly once, in the sender's order);
- :func:`seeded`: the random source of a fault schedule, its seed printed and overridable
  with ``RELEVE_FAULT_SEED`` to replay a failure;
- :class:`CappedRelay`: a relay started with limits of its own (``RELEVE_RELAY_*``);
- :func:`tmpfs` and :func:`require_root`: a small file system that the test mounts itself.
"""

from __future__ import annotations

import enum
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from tests.integration.nodes import Node, Relay, pair, wait_for

SEED_ENV: Final = "RELEVE_FAULT_SEED"
# How long a submission waits for the node's answer before it is left "in doubt": generous,
# for a node on a loaded machine answers late, and a late answer must not turn a committed
# message into a doubt (the relay tests require every submission to be committed).
ANSWER_SECONDS: Final = 120.0
# Bound on the other waits of the helpers below (a wait on a condition ends when it holds).
WAIT_SECONDS: Final = 120.0
GP_NAME: Final = "Dr Camille Martin"
PHARMACY_NAME: Final = "Pharmacie du Port"


def seeded(what: str) -> tuple[int, random.Random]:
    """A seeded random source for a fault schedule; the seed is printed (pytest shows it
    with the failure) and ``RELEVE_FAULT_SEED`` replays it."""
    text = os.environ.get(SEED_ENV)
    seed = int(text) if text else random.SystemRandom().randrange(2**32)
    print(f"{what}: seed {seed} (replay with {SEED_ENV}={seed})")
    return seed, random.Random(seed)


def require_root(why: str) -> None:
    """Fails loudly (never skips) when the test cannot do what it must."""
    if os.geteuid() != 0:
        raise AssertionError(f"this fault test must run as root: {why} (CI runs it as root)")


def require_tools(*names: str) -> None:
    """Fails loudly when a system tool the test drives is missing."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        raise AssertionError(
            f"missing system tools: {', '.join(missing)} (Debian: util-linux, e2fsprogs)"
        )


def run_root(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed: {result.stderr.strip()}")


@contextmanager
def tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (e.g. ``"6m"``) mounted on ``mountpoint``, unmounted afterwards."""
    require_root("it mounts a small tmpfs to fill or make read-only")
    require_tools("mount", "umount")
    mountpoint.mkdir(parents=True, exist_ok=True)
    run_root("mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mountpoint))
    try:
        yield mountpoint
    finally:
        unmount(mountpoint)


def unmount(mountpoint: Path, strict: bool = False) -> None:
    """Unmounts; when something still holds it, detaches it anyway (``strict``: and fails,
    naming what held it)."""
    result = subprocess.run(["umount", str(mountpoint)], capture_output=True, text=True)
    if result.returncode != 0:
        holders = ""
        if shutil.which("fuser"):
            found = subprocess.run(
                ["fuser", "-vm", str(mountpoint)], capture_output=True, text=True
            )
            holders = found.stderr
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, check=False)
        if strict:
            raise AssertionError(f"umount {mountpoint}: {result.stderr} {holders}")


def fill(directory: Path) -> Path:
    """Writes a filler file until the file system has not one page left; returns it."""
    filler = directory / "filler"
    chunk = 1024 * 1024
    with open(filler, "wb", buffering=0) as handle:
        while chunk >= 512:
            try:
                handle.write(b"\0" * chunk)
            except OSError:
                chunk //= 8
    return filler


# --- the local API, with each submission's fate known ------------------------------------


class Fate(enum.Enum):
    COMMITTED = "committed"  # 201: the node committed it before answering
    REFUSED = "refused"  # an error answer: nothing was committed
    NOT_SENT = "not sent"  # no node took the request: safe to submit again
    IN_DOUBT = "in doubt"  # the node died holding the request


@dataclass(frozen=True)
class Answer:
    fate: Fate
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)


def post_message(node: Node, contact: str, text: str, timeout: float = ANSWER_SECONDS) -> Answer:
    """POST /v1/messages once, over a connection of its own."""
    try:
        url = json.loads(node.api_info.read_text())["url"]
        token = (node.home / "api-token").read_text().strip()
    except (OSError, ValueError, KeyError):
        return Answer(Fate.NOT_SENT)  # not started yet (api.json appears once ready)
    host, port = url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        try:
            # A request that could not be sent whole cannot have been handled.
            connection.request(
                "POST",
                "/v1/messages",
                body=json.dumps({"contact": contact, "text": text}).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
        except OSError:
            return Answer(Fate.NOT_SENT)
        try:
            response = connection.getresponse()
            status, data = response.status, response.read()
        except (OSError, http.client.HTTPException):
            return Answer(Fate.IN_DOUBT)
    finally:
        connection.close()
    body = json.loads(data) if data else {}
    return Answer(Fate.COMMITTED if status == 201 else Fate.REFUSED, status, body)


@dataclass
class Conversation:
    """Everything one node submitted to one contact, and the fate of each submission."""

    sender: Node
    contact: str  # the contact's name at the sender
    prefix: str
    committed: list[tuple[int, str]] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)
    refused: list[tuple[str, Answer]] = field(default_factory=list)
    waited: int = 0  # submissions that found the node down and waited for it
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 0

    def next_text(self) -> str:
        with self._lock:
            self._next += 1
            return f"{self.prefix} {self._next:04d}"

    def submit(self, deadline: float) -> Answer:
        """Submits a new message, waiting for the node while it is down; a submission left
        in doubt is recorded and not repeated (a second copy would be a new message)."""
        text = self.next_text()
        tries = 0
        while True:
            answer = post_message(self.sender, self.contact, text)
            if answer.fate is not Fate.NOT_SENT:
                break
            tries += 1
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.sender.name} took no message before the deadline")
            time.sleep(0.05)
        with self._lock:
            self.waited += 1 if tries else 0
            if answer.fate is Fate.COMMITTED:
                self.committed.append((int(answer.body["seq"]), text))
            elif answer.fate is Fate.IN_DOUBT:
                self.in_doubt.append(text)
            else:
                self.refused.append((text, answer))
        return answer

    def check(self, recipient: Node, context: str) -> None:
        """The recipient shows exactly what the sender committed, once each, in order."""
        sent = shown(self.sender, "out")
        received = shown(recipient, "in")
        where = f"{self.prefix}: {context}"
        assert [seq for seq, _ in sent] == sorted({seq for seq, _ in sent}), where
        texts = [text for _, text in sent]
        assert len(texts) == len(set(texts)), f"{where}: the sender lists a message twice"
        missing = sorted(set(self.committed) - set(sent))
        assert not missing, f"{where}: committed but not at the sender: {missing[:5]}"
        unknown = set(texts) - {text for _, text in self.committed} - set(self.in_doubt)
        assert not unknown, f"{where}: refused or never submitted: {sorted(unknown)[:5]}"
        lost = [item for item in sent if item not in set(received)]
        assert not lost, f"{where}: {len(lost)} lost, first {lost[:5]}"
        assert received == sent, f"{where}: shown twice, out of order or foreign messages"


def shown(node: Node, direction: str) -> list[tuple[int, str]]:
    """(seq, text) of the text messages the local API lists, in its display order."""
    messages = node.request("GET", f"/v1/messages?direction={direction}&limit=10000")["messages"]
    return [(int(m["seq"]), str(m["text"])) for m in messages]


def settled(*nodes: Node, timeout: float = 180) -> None:
    """Every outbox empty: each message's end-to-end receipt has come back."""
    for node in nodes:
        wait_for(
            lambda node=node: node.status()["outbox"]["pending"] == 0,  # type: ignore[misc]
            timeout,
            f"{node.name}'s outbox to empty",
            0.3,
        )


def start_pair(tmp_path: Path, *extra: str, listen: bool = True) -> tuple[Node, Node]:
    """A GP and a pharmacy, started and paired, their pairing settled."""
    gp = Node(tmp_path / "gp", GP_NAME, "gp")
    pharmacy = Node(tmp_path / "pharmacy", PHARMACY_NAME, "pharmacist")
    for node in (gp, pharmacy):
        node.init()
        node.start(*extra, listen=listen)
    if not listen:
        for node in (gp, pharmacy):
            wait_for(
                lambda node=node: all(r["connected"] for r in node.status()["relays"]),  # type: ignore[misc]
                WAIT_SECONDS,
                "relay subscriptions",
            )
    pair(gp, pharmacy)
    settled(gp, pharmacy, timeout=WAIT_SECONDS)
    return gp, pharmacy


def kill_all(*nodes: Node) -> None:
    for node in nodes:
        if node.process is not None:
            node.kill()


def log_text(node: Node) -> str:
    """What the node wrote on stderr (its log lines) over all its runs."""
    return node.stderr_path.read_text(encoding="utf-8", errors="replace")


class CappedRelay(Relay):
    """A relay started with ``RELEVE_RELAY_*`` settings of its own (relay/config.py)."""

    def __init__(self, log_path: Path, **settings: int) -> None:
        env = {f"RELEVE_RELAY_{name.upper()}": str(value) for name, value in settings.items()}
        super().__init__(log_path, env)


def interrupt(node: Node, timeout: float = WAIT_SECONDS) -> int:
    """Ctrl-C; returns the exit code (the harness's stop() without its fixed timeout)."""
    assert node.process is not None
    node.process.send_signal(signal.SIGINT)
    code = node.process.wait(timeout=timeout)
    node.process = None
    return code


class Worker(threading.Thread):
    """A thread whose exception is raised again by :meth:`result`."""

    def __init__(self, name: str, target: Any) -> None:
        super().__init__(name=name, daemon=True)
        self._target_fn = target
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._target_fn()
        except BaseException as exc:  # handed to the test's thread
            self.error = exc

    def result(self, timeout: float) -> None:
        self.join(timeout)
        if self.is_alive():
            raise AssertionError(f"{self.name} still running after {timeout}s")
        if self.error is not None:
            raise self.error
