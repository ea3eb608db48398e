"""Pairing by phone end to end (issue 5): real `releve node` processes that reach each other
only through a real `releve relay`, and the real commands `releve pair call` (in the
background, its printed code read back as a person would read it aloud) and
`releve pair join CODE`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.integration.nodes import FAST_ENV, Node, Relay, cli, wait_for

pytestmark = pytest.mark.integration

CODE_LINE = re.compile(r"pair join (\d+-[a-z]+-[a-z]+-[a-z]+)")


class Call:
    """`releve pair call` running in the background; its output is read as it comes."""

    def __init__(self, node: Node, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "clients.cli", "--home", str(node.home), "pair", "call", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **FAST_ENV},
        )
        self.lines: list[str] = []
        self._stderr: str | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def out(self) -> str:
        return "".join(self.lines)

    def code(self) -> str:
        def found() -> str | None:
            match = CODE_LINE.search(self.out)
            if match is None and self.process.poll() is not None:
                raise AssertionError(f"pair call ended: {self.out}{self.stderr()}")
            return match.group(1) if match else None

        code: str = wait_for(found, 30, "the code to be printed")
        return code

    def wait(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code

    def stderr(self) -> str:
        """Everything it printed on stderr, once it has ended."""
        if self._stderr is None:
            if self.process.poll() is None:
                return ""
            assert self.process.stderr is not None
            self._stderr = self.process.stderr.read()
        return self._stderr

    def kill(self) -> None:
        """Ends it if it still runs, and closes its pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.stderr()
        self._reader.join(timeout=10)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    started = Relay(tmp_path / "relay.log")
    started.start()
    yield started
    if started.process is not None:
        started.kill()


@pytest.fixture
def practices(tmp_path: Path, relay: Relay) -> Iterator[tuple[Node, Node]]:
    """A GP and a pharmacy that listen for no one: the relay is their only path."""
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    try:
        for node in (gp, pharmacy):
            node.init()
            node.start("--relay", relay.url, listen=False)
        for node in (gp, pharmacy):
            wait_for(partial(relay_connected, node), 30, "the relay subscription")
        yield gp, pharmacy
    finally:
        for node in (gp, pharmacy):
            if node.process is not None:
                node.kill()


def relay_connected(node: Node) -> bool:
    return bool(node.status()["relays"][0]["connected"])


def received(node: Node, text: str) -> bool:
    return any(m["text"] == text for m in node.received())


def test_phone_pairing_through_a_relay_then_a_message_each_way(
    practices: tuple[Node, Node],
) -> None:
    gp, pharmacy = practices
    call = Call(gp)
    try:
        code = call.code()
        # Read aloud, typed by ear: capitals and spaces instead of dashes.
        typed = code.replace("-", " ").upper().split()
        joined = cli(pharmacy.home, "pair", "join", *typed, timeout=120)
        assert "Contact added: Dr Camille Martin (general practitioner)" in joined.stdout
        assert call.wait() == 0, call.stderr()
    finally:
        call.kill()
    assert "Your correspondent is connected" in call.out
    assert "Paired with Pharmacie du Port (pharmacist)" in call.out
    [gp_side] = gp.contacts()
    [pharmacy_side] = pharmacy.contacts()
    assert gp_side["name"] == "Pharmacie du Port"
    assert pharmacy_side["name"] == "Dr Camille Martin"
    assert gp_side["safety_number"] == pharmacy_side["safety_number"]
    assert gp.status()["peer_endpoints"] == []  # no direct path: the relay is the only one
    gp.send("Pharmacie du Port", "Renouvellement pour patient fictif ?")
    pharmacy.send("Dr Camille Martin", "Prêt au comptoir.")
    wait_for(lambda: received(pharmacy, "Renouvellement pour patient fictif ?"), 60, "to pharmacy")
    wait_for(lambda: received(gp, "Prêt au comptoir."), 60, "to the GP")
    # Pairing again by phone: the joiner's node refuses the invitation inside the channel,
    # and the caller is told why.
    again = Call(gp)
    try:
        joined = cli(pharmacy.home, "pair", "join", again.code(), check=False, timeout=120)
        assert joined.returncode == 1
        assert "this contact is already paired" in joined.stderr
        assert again.wait() == 1
        assert "this contact is already paired" in again.stderr()
    finally:
        again.kill()
    assert len(gp.contacts()) == len(pharmacy.contacts()) == 1


def test_a_wrong_code_pairs_no_one_and_burns_the_code(practices: tuple[Node, Node]) -> None:
    gp, pharmacy = practices
    call = Call(gp)
    try:
        code = call.code()
        number, *words = code.split("-")
        wrong = "-".join([number, *words[:2], "zoo" if words[2] != "zoo" else "lapin"])
        started = time.monotonic()
        joined = cli(pharmacy.home, "pair", "join", wrong, check=False, timeout=120)
        assert joined.returncode == 1
        assert "do not have the same code: nothing was paired" in joined.stderr
        assert call.wait() == 1
        assert time.monotonic() - started < 30
        assert "do not have the same code: nothing was paired" in call.stderr()
    finally:
        call.kill()
    assert gp.contacts() == []
    assert pharmacy.contacts() == []
    # The right code afterwards: used up, one guess was all there was.
    again = cli(pharmacy.home, "pair", "join", code, check=False, timeout=120)
    assert again.returncode == 1
    assert "this code was already used" in again.stderr
    assert pharmacy.contacts() == []


def test_an_expired_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, practices: tuple[Node, Node]
) -> None:
    _, pharmacy = practices
    monkeypatch.setenv("RELEVE_RELAY_RENDEZVOUS_TTL_SECONDS", "2")
    short = Relay(tmp_path / "short.log")
    short.start()
    gp = Node(tmp_path / "gp2", "Cabinet des Quais", "practice")
    gp.init()
    gp.start(listen=False)  # no relay of its own: --relay on the command line
    call = Call(gp, "--relay", short.url)
    try:
        code = call.code()
        assert call.wait(timeout=30) == 1
        assert "the code expired before your correspondent typed it" in call.stderr()
        late = cli(pharmacy.home, "pair", "join", code, "--relay", short.url, check=False)
        assert late.returncode == 1
        assert "the relay does not know this code" in late.stderr
        assert "same relay" in late.stderr
    finally:
        call.kill()
        gp.kill()
        short.kill()


def test_ctrl_c_cancels_the_call_and_its_code(practices: tuple[Node, Node]) -> None:
    gp, pharmacy = practices
    call = Call(gp)
    try:
        code = call.code()
        call.process.send_signal(signal.SIGINT)
        assert call.wait() == 130
        assert "Call cancelled" in call.stderr()
    finally:
        call.kill()
    late = cli(pharmacy.home, "pair", "join", code, check=False, timeout=120)
    assert late.returncode == 1
    assert "this code was already used" in late.stderr


def test_a_node_without_relay_says_so(tmp_path: Path) -> None:
    lone = Node(tmp_path / "lone", "Cabinet Isolé", "practice")
    lone.init()
    lone.start()
    try:
        result = cli(lone.home, "pair", "call", check=False)
        assert result.returncode == 1
        assert "this node uses no relay" in result.stderr
        result = cli(lone.home, "pair", "join", "7-lapin-orage-velo", check=False)
        assert result.returncode == 1
        assert "not a valid code" in result.stderr
    finally:
        lone.kill()
