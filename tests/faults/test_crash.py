"""Crash faults: kill -9 of sender and receiver nodes in the middle of bursts of messages
(issue 7). Nothing committed is lost, nothing is shown twice, the order per conversation
holds (docs/architecture.md, invariants 3 and 4). Checked through the local API only."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tests.faults.fault_support import (
    GP_NAME,
    PHARMACY_NAME,
    Conversation,
    Fate,
    Worker,
    kill_all,
    seeded,
    settled,
    start_pair,
)
from tests.integration.nodes import wait_for

pytestmark = pytest.mark.integration

KILLS = 20
MESSAGES = {"gp": 600, "pharmacy": 400}  # 1,000 in all, both ways
WORKERS = 4  # concurrent API clients per sender within a burst
# Generous bounds on waits for conditions (each ends as soon as its condition holds): the
# suite must pass on a loaded machine too (make test-faults-loaded).
DEADLINE_SECONDS = 900.0
SETTLE_SECONDS = 300.0
# About how long a node takes to start on a quiet machine: it sizes the pauses between
# bursts. On a loaded one restarts take longer; the bursts then also wait for their share of
# the kills (see send()), so that the kills still land while messages are being submitted.
RESTART_SECONDS = 1.0


def test_twenty_kill_9_during_1000_messages_lose_nothing_and_show_nothing_twice(
    tmp_path: Path,
) -> None:
    seed, rng = seeded("crash")
    gp, pharmacy = start_pair(tmp_path)
    nodes = {"gp": gp, "pharmacy": pharmacy}
    conversations = {
        "gp": Conversation(gp, PHARMACY_NAME, "gp->pharmacie"),
        "pharmacy": Conversation(pharmacy, GP_NAME, "pharmacie->gp"),
    }
    # The whole schedule is drawn here, from the seed, before any thread starts.
    kills = [
        (rng.uniform(0.3, 1.5), rng.choice(["gp", "pharmacy"]), rng.uniform(0.05, 0.8))
        for _ in range(KILLS)
    ]
    # Bursts spread over about as long as the kills take (a restart takes about a second),
    # so that most kills land while messages are being submitted and delivered.
    window = sum(wait + down + RESTART_SECONDS for wait, _, down in kills)
    bursts = {name: _bursts(rng, total) for name, total in MESSAGES.items()}
    pauses = {name: _pauses(rng, len(bursts[name]), window) for name in MESSAGES}
    deadline = time.monotonic() + DEADLINE_SECONDS
    started = time.monotonic()
    restarts: list[float] = []
    killed_at: list[float] = []
    sent_until: dict[str, float] = {}

    def send(name: str) -> None:
        conversation = conversations[name]
        count = len(bursts[name])
        for index, (size, pause) in enumerate(zip(bursts[name], pauses[name], strict=True)):
            # Burst i of n waits for i/n of the kills to have begun (or the killer to be
            # done): a condition, where a fixed estimate of a restart's length left the
            # bursts over before half the kills on a loaded machine.
            wanted = index * KILLS // count
            wait_for(
                lambda wanted=wanted: len(killed_at) >= wanted or not killer.is_alive(),  # type: ignore[misc]
                max(1.0, deadline - time.monotonic()),
                f"kill {wanted} before {name}'s burst {index}",
                0.05,
            )
            workers = [
                Worker(
                    f"{name} sender",
                    lambda part=part: _send_burst(conversation, part, deadline),
                )
                for part in _split(size, WORKERS)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.result(DEADLINE_SECONDS)
            sent_until[name] = time.monotonic()
            time.sleep(pause)

    def kill() -> None:
        for wait, victim, down in kills:
            time.sleep(wait)
            node = nodes[victim]
            killed_at.append(time.monotonic())
            node.kill()
            time.sleep(down)
            begin = time.monotonic()
            node.start()
            restarts.append(time.monotonic() - begin)

    killer = Worker("killer", kill)  # started first: the bursts wait on its progress
    threads = [killer]
    threads += [Worker(f"{name} bursts", lambda name=name: send(name)) for name in MESSAGES]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.result(DEADLINE_SECONDS)
        traffic_seconds = time.monotonic() - started
        doubts = sum(len(c.in_doubt) for c in conversations.values())
        waited = sum(c.waited for c in conversations.values())
        during = sum(1 for moment in killed_at if moment < max(sent_until.values()))
        settled(gp, pharmacy, timeout=SETTLE_SECONDS)
        context = (
            f"seed {seed}; {KILLS} kills over {traffic_seconds:.0f}s, {during} while bursts"
            f" were being submitted; restarts took at most {max(restarts):.1f}s;"
            f" {waited} submissions waited for a restart, {doubts} left in doubt"
        )
        print(context)
        assert during >= KILLS // 2, f"too few kills during the bursts: {context}"
        submitted = sum(len(c.committed) + len(c.in_doubt) for c in conversations.values())
        assert submitted == sum(MESSAGES.values()), context
        assert len(restarts) == KILLS, context
        conversations["gp"].check(pharmacy, context)
        conversations["pharmacy"].check(gp, context)
        for node in (gp, pharmacy):  # every receipt back: each message shows as delivered
            listed = node.request("GET", "/v1/messages?direction=out&limit=10000")["messages"]
            statuses = {m["status"] for m in listed}
            assert statuses <= {"delivered", "read"}, f"{node.name}: {statuses}; {context}"
    finally:
        kill_all(gp, pharmacy)


def _bursts(rng: random.Random, total: int) -> list[int]:
    """Random burst sizes (10 to 40 messages) adding up to ``total``."""
    sizes: list[int] = []
    while sum(sizes) < total:
        sizes.append(min(rng.randint(10, 40), total - sum(sizes)))
    return sizes


def _pauses(rng: random.Random, count: int, window: float) -> list[float]:
    """Random pauses between bursts adding up to about ``window`` seconds."""
    raw = [rng.uniform(0.2, 1.0) for _ in range(count)]
    return [pause * window / sum(raw) for pause in raw]


def _split(size: int, parts: int) -> list[int]:
    return [size // parts + (1 if i < size % parts else 0) for i in range(parts) if size > i]


def _send_burst(conversation: Conversation, count: int, deadline: float) -> None:
    for _ in range(count):
        answer = conversation.submit(deadline)
        assert answer.fate is not Fate.REFUSED, f"{conversation.prefix}: {answer}"
