"""What a clinician waits for: ``releve send`` on one machine until the message shows in the
recipient's ``releve inbox --wait``, directly and through a relay, next to a bare POST round
trip measured in the same run (a report, not a test; everything on 127.0.0.1).

    python -m bench.latency               # 200 messages per path
    python -m bench.latency --quick       # 10 per path: under a minute

Per message, on each path in turn (the order rotating from one message to the next):

1. the recipient's waiting command is started and left until it is blocked on its request
   (its socket open, then 100 ms): ``releve inbox --wait 60`` (the real command, as a person
   types it), or for the baseline ``python -m bench.bare_client wait``;
2. the clock starts, and the sending command runs as its own process: ``releve send CONTACT
   TEXT`` (the real command), or ``python -m bench.bare_client post`` (a Python process that
   POSTs the same text with urllib, as the CLI does, to ``bench.bare_server``, which hands it to
   the waiting GET);
3. the clock stops when the waiting command has printed its output and exited.

Both sides therefore pay a Python start-up for the sender and an HTTP request each way; what the
node adds is the CLI, the local API, sealing, the durable commits, the outbox, the transport
(direct ``POST /v1/packets``, or a deposit on the relay and its push to the recipient's
subscription), opening, and the listing. The nodes and the relay run with their default settings.
Between two messages the recipient marks the message read and both outboxes settle (watched
read-only from outside), so that no receipt is in flight when the next clock starts.

Reported: p50 and p99 per path, and their ratio to the bare round trip's.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from bench import processes
from bench.processes import REPO, NodeProcess

WAIT_SECONDS: Final = 60
READY_MARGIN: Final = 0.1
SETTLE_SECONDS: Final = 0.02
TEXT: Final = "Patient vu ce jour : merci de délivrer le traitement habituel. Dr Martin"


def _has_socket(pid: int) -> bool:
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except FileNotFoundError:
        return False
    for fd in fds:
        try:
            if fd.readlink().name.startswith("socket:"):
                return True
        except OSError:
            continue
    return False


def timed_wait(waiter: list[str], sender: list[str], env: dict[str, str]) -> float:
    """Starts ``waiter``, waits until it is blocked on its request, then runs ``sender``;
    returns the seconds from starting the sender to the waiter's exit."""
    process = subprocess.Popen(
        waiter, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    done: list[float] = []
    output: list[bytes] = []

    def read() -> None:
        assert process.stdout is not None
        output.append(process.stdout.read())
        process.wait()
        done.append(time.perf_counter())

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 30
    while not _has_socket(process.pid):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the waiting command did not start: {' '.join(waiter)}")
        time.sleep(0.005)
    time.sleep(READY_MARGIN)
    start = time.perf_counter()
    sent = subprocess.run(sender, cwd=REPO, env=env, capture_output=True, timeout=60, check=False)
    if sent.returncode != 0:
        raise RuntimeError(f"{' '.join(sender)} failed: {sent.stderr.decode()}")
    reader.join(WAIT_SECONDS + 10)
    assert process.stderr is not None
    errors = process.stderr.read()
    process.stderr.close()
    if not done or process.returncode != 0:
        raise RuntimeError(f"{' '.join(waiter)} failed: {errors.decode()}")
    return done[0] - start


class NodePath:
    """A paired sender and recipient, direct or through relays only."""

    def __init__(self, folder: Path, label: str, relay: str | None) -> None:
        self.label = label
        self.gp = NodeProcess(folder / f"{label}-gp", "Bench GP", "gp")
        self.pharmacy = NodeProcess(folder / f"{label}-pharmacy", "Bench Pharmacy", "pharmacist")
        self.relay_args = ["--relay", relay] if relay else []
        self.sent = 0

    def start(self) -> None:
        for node in (self.gp, self.pharmacy):
            node.init()
            node.start(*self.relay_args, listen=not self.relay_args)
        if self.relay_args:
            for node in (self.gp, self.pharmacy):
                wait_until(
                    lambda node=node: all(  # type: ignore[misc]
                        r["connected"] for r in node.request("GET", "/v1/status")["relays"]
                    ),
                    f"{node.name}'s relay subscription",
                )
        self.gp.pair_with(self.pharmacy)
        # The contact cards each side announces at pairing are delivered before timing.
        self.settle()

    def stop(self) -> None:
        for node in (self.gp, self.pharmacy):
            node.stop()

    def sample(self) -> float:
        self.sent += 1
        text = f"{TEXT} ({self.label} {self.sent})"
        elapsed = timed_wait(
            processes.cli_command(self.pharmacy.home, "inbox", "--wait", str(WAIT_SECONDS)),
            processes.cli_command(self.gp.home, "send", self.pharmacy.name, text),
            self.gp.env,
        )
        unread = self.pharmacy.request("GET", "/v1/inbox")["messages"]
        if [m["text"] for m in unread] != [text]:
            raise RuntimeError(f"unexpected inbox: {unread}")
        self.pharmacy.request("POST", f"/v1/messages/{unread[0]['message_id']}/read")
        self.settle()
        return elapsed

    def settle(self) -> None:
        """Until neither outbox holds anything (the receipts are all back)."""
        for node in (self.gp, self.pharmacy):
            db = processes.read_only(node.database)
            try:
                wait_until(
                    lambda db=db: processes.count_rows(db, "SELECT COUNT(*) FROM outbox") == 0,  # type: ignore[misc]
                    f"{node.name}'s outbox to empty",
                )
            finally:
                db.close()


class BarePath:
    label = "bare"

    def __init__(self, url: str) -> None:
        self.url = url
        self.env = processes.clean_env()

    def sample(self) -> float:
        bare = [sys.executable, "-m", "bench.bare_client"]
        return timed_wait([*bare, "wait", self.url], [*bare, "post", self.url, TEXT], self.env)


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(SETTLE_SECONDS)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__)
    parser.add_argument("--messages", type=int, default=200, help="per path")
    parser.add_argument("--quick", action="store_true", help="10 messages per path")
    args = parser.parse_args(argv)
    messages = 10 if args.quick else args.messages
    with tempfile.TemporaryDirectory(prefix="releve-bench-latency-") as tmp:
        folder = Path(tmp)
        bare_server, bare_url = processes.start_listening(
            ["-m", "bench.bare_server", "127.0.0.1:0"]
        )
        relay, relay_url = processes.start_listening(
            ["-m", "clients.cli", "relay", "--listen", "127.0.0.1:0"], processes.NODE_ENV
        )
        direct = NodePath(folder, "direct", None)
        relayed = NodePath(folder, "relay", relay_url)
        paths: list[NodePath | BarePath] = [BarePath(bare_url), direct, relayed]
        times: dict[str, list[float]] = {path.label: [] for path in paths}
        try:
            direct.start()
            relayed.start()
            for path in paths:  # warm-up: caches, connections, the relay's session
                path.sample()
            for index in range(messages):
                turn = index % len(paths)
                for path in paths[turn:] + paths[:turn]:
                    times[path.label].append(path.sample())
        finally:
            direct.stop()
            relayed.stop()
            processes.stop(relay, 10)
            processes.stop(bare_server, 10)
    bare = times["bare"]
    b50, b99 = statistics.median(bare), percentile(bare, 0.99)
    print(
        f"bench/latency: send -> visible in the recipient's inbox --wait, {messages} messages"
        " per path (each command its own process)"
    )
    print(f"  {'':<36}{'p50':>9}{'p99':>10}{'p50 ratio':>11}{'p99 ratio':>11}")
    rows = (("bare POST round trip", "bare"), ("direct", "direct"), ("through a relay", "relay"))
    for title, label in rows:
        values = times[label]
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        print(
            f"  {title:<36}{p50 * 1e3:>7.0f} ms{p99 * 1e3:>7.0f} ms"
            f"{p50 / b50:>10.2f}x{p99 / b99:>10.2f}x"
        )
    print(f"({processes.load_average()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
