"""Relay faults (issue 7): ten relay restarts during traffic, one of two relays gone for
good, and a relay whose memory cap is reached. The two nodes listen for no one: every packet
goes through a relay. Nothing is lost, nothing is shown twice, the order holds
(docs/architecture.md, invariants 3 and 4), checked through the local API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.fault_support import (
    GP_NAME,
    PHARMACY_NAME,
    CappedRelay,
    Conversation,
    Fate,
    Worker,
    kill_all,
    log_text,
    seeded,
    settled,
    start_pair,
)
from tests.integration.nodes import Node, Relay, wait_for

pytestmark = pytest.mark.integration

RESTARTS = 10
# Bounds on waits for conditions (a submission taken, outboxes empty, a relay drained): each
# ends as soon as its condition holds, and is generous for a loaded machine (issue 12).
DEADLINE_SECONDS = 600.0
SETTLE_SECONDS = 300.0
WAIT_SECONDS = 120.0


def relay_args(*relays: Relay) -> list[str]:
    return [arg for relay in relays for arg in ("--relay", relay.url)]


@pytest.fixture
def relays(tmp_path: Path) -> Iterator[list[Relay]]:
    started = [Relay(tmp_path / f"relay{i}.log") for i in range(2)]
    try:
        for relay in started:
            relay.start()
        yield started
    finally:
        for relay in started:
            if relay.process is not None:
                relay.kill()


def conversations(gp: Node, pharmacy: Node) -> tuple[Conversation, Conversation]:
    return (
        Conversation(gp, PHARMACY_NAME, "gp->pharmacie"),
        Conversation(pharmacy, GP_NAME, "pharmacie->gp"),
    )


def connections(node: Node) -> list[bool]:
    return [bool(relay["connected"]) for relay in node.status()["relays"]]


def send(conversation: Conversation, count: int, deadline: float) -> None:
    for _ in range(count):
        answer = conversation.submit(deadline)
        assert answer.fate is Fate.COMMITTED, f"{conversation.prefix}: {answer}"


def test_ten_relay_restarts_during_traffic_deliver_everything_once_in_order(
    tmp_path: Path, relays: list[Relay]
) -> None:
    seed, rng = seeded("relay restarts")
    relay = relays[0]
    gp, pharmacy = start_pair(tmp_path, *relay_args(relay), listen=False)
    outgoing, back = conversations(gp, pharmacy)
    # Drawn before the threads start: (pause, kill -9 or Ctrl-C, time down).
    restarts = [
        (rng.uniform(0.5, 2.0), rng.choice(["kill", "stop"]), rng.uniform(0.1, 1.0))
        for _ in range(RESTARTS)
    ]
    bursts = [(rng.randint(10, 30), rng.uniform(0.1, 0.8)) for _ in range(24)]
    deadline = time.monotonic() + DEADLINE_SECONDS
    started = time.monotonic()

    def traffic() -> None:
        for index, (size, pause) in enumerate(bursts):
            send(outgoing if index % 3 else back, size, deadline)
            time.sleep(pause)

    def restart() -> None:
        for pause, how, down in restarts:
            time.sleep(pause)
            relay.kill() if how == "kill" else relay.stop()
            time.sleep(down)
            relay.start()  # same port, empty memory

    try:
        workers = [Worker("traffic", traffic), Worker("relay restarts", restart)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.result(DEADLINE_SECONDS)
        settled(gp, pharmacy, timeout=SETTLE_SECONDS)
        context = (
            f"seed {seed}; {RESTARTS} restarts, settled after {time.monotonic() - started:.0f}s"
        )
        print(context)
        assert len(outgoing.committed) + len(back.committed) == sum(s for s, _ in bursts)
        outgoing.check(pharmacy, context)
        back.check(gp, context)
    finally:
        kill_all(gp, pharmacy)


def test_one_of_two_relays_gone_for_good_mid_traffic(tmp_path: Path, relays: list[Relay]) -> None:
    gp, pharmacy = start_pair(tmp_path, *relay_args(*relays), listen=False)
    outgoing, back = conversations(gp, pharmacy)
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        for conversation in (outgoing, back):
            send(conversation, 40, deadline)
        relays[0].kill()  # and never comes back
        for _ in range(3):
            for conversation in (outgoing, back):
                send(conversation, 20, deadline)
        settled(gp, pharmacy, timeout=SETTLE_SECONDS)
        outgoing.check(pharmacy, "after relay 0 went away")
        back.check(gp, "after relay 0 went away")
        for node in (gp, pharmacy):
            wait_for(
                lambda node=node: connections(node) == [False, True],  # type: ignore[misc]
                WAIT_SECONDS,
                f"{node.name}: relay 0 down, relay 1 subscribed",
            )
        # Everything taken and acknowledged. The receipts that emptied the outboxes can be
        # committed a moment before their own blobs' ACKs reach the relay: a wait, not a
        # snapshot (which failed under load).
        wait_for(lambda: relays[1].health()["blobs"] == 0, WAIT_SECONDS, "relay 1 to drain")
    finally:
        kill_all(gp, pharmacy)


MAILBOX_CAP = 24 * 1024


@pytest.mark.parametrize(
    ("setting", "code"),
    [("max_mailbox_bytes", "mailbox_full"), ("max_total_bytes", "relay_full")],
)
def test_a_full_relay_refuses_and_senders_keep_everything_until_it_drains(
    tmp_path: Path, setting: str, code: str
) -> None:
    limits = {"max_mailbox_bytes": MAILBOX_CAP, "max_total_bytes": 4 * MAILBOX_CAP}
    limits[setting] = MAILBOX_CAP
    relay = CappedRelay(tmp_path / "relay.log", **limits)
    relay.start()
    gp = pharmacy = None
    try:
        gp, pharmacy = start_pair(tmp_path, *relay_args(relay), listen=False)
        outgoing, _ = conversations(gp, pharmacy)
        pharmacy.stop()  # the recipient is away: its mailbox fills up
        count = 60
        send(outgoing, count, time.monotonic() + DEADLINE_SECONDS)
        wait_for(lambda: code in log_text(gp), WAIT_SECONDS, f"the sender to log {code}", 0.3)
        held = relay.health()
        assert 0 < held["blobs"] < count, held
        assert held["bytes"] <= limits["max_total_bytes"], held  # the cap holds
        # Nothing is given up: every message waits in the sender's outbox.
        assert gp.status()["outbox"]["pending"] == count
        statuses = {
            m["status"] for m in gp.request("GET", "/v1/messages?direction=out")["messages"]
        }
        assert statuses == {"queued"}
        pharmacy.start(*relay_args(relay), listen=False)  # it drains its mailbox
        settled(gp, pharmacy, timeout=SETTLE_SECONDS)
        outgoing.check(pharmacy, f"after the relay was full ({code})")
        # Drained: the pharmacy acknowledged every blob (a wait: see above).
        wait_for(lambda: relay.health()["blobs"] == 0, WAIT_SECONDS, "the relay to drain")
    finally:
        kill_all(*(node for node in (gp, pharmacy) if node is not None))
        relay.kill()
