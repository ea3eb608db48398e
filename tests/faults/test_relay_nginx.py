"""Scale-out (issue 13): three relay processes behind nginx hashing consistently on the
mailbox id (docs/operations.md, "Several relay processes behind nginx"), traffic between two
real ``releve node`` processes through it, and the process that holds one of the mailboxes
killed (-9) and restarted mid-traffic. Nothing is lost, nothing is shown twice, the order
holds; every mailbox stays on its process (the subscriptions and deposit channels of a
mailbox reach the process that holds it, before and after the restart).

nginx is started by the test (its own configuration in a temporary prefix, a port on
127.0.0.1, ``nginx -p PREFIX -c CONF``), never the system service. CI installs it
(.ci/run)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.fault_support import (
    GP_NAME,
    PHARMACY_NAME,
    Conversation,
    Fate,
    kill_all,
    settled,
    start_pair,
)
from tests.faults.nginx import Nginx
from tests.integration.nodes import Relay, wait_for

pytestmark = pytest.mark.integration

PROCESSES = 3
# Bounds on waits for conditions, generous for a loaded machine (issue 12): each wait ends
# as soon as its condition holds.
DEADLINE_SECONDS = 600.0
SETTLE_SECONDS = 300.0
WAIT_SECONDS = 120.0
RELAY_ENV = {"RELEVE_RELAY_TRUST_FORWARDED_FOR": "1"}


@pytest.fixture
def farm(tmp_path: Path) -> Iterator[tuple[list[Relay], Nginx]]:
    relays = [Relay(tmp_path / f"relay{i}.log", dict(RELAY_ENV)) for i in range(PROCESSES)]
    nginx: Nginx | None = None
    try:
        for relay in relays:
            relay.start()
        nginx = Nginx(tmp_path / "nginx", [relay.port for relay in relays if relay.port])
        yield relays, nginx
    finally:
        if nginx is not None:
            nginx.stop()
        for relay in relays:
            if relay.process is not None:
                relay.kill()


def registered(relays: list[Relay]) -> list[int]:
    return [int(relay.health()["registered"]) for relay in relays]


def send(conversation: Conversation, count: int, deadline: float) -> None:
    for _ in range(count):
        answer = conversation.submit(deadline)
        assert answer.fate is Fate.COMMITTED, f"{conversation.prefix}: {answer}"


def test_relay_processes_behind_nginx_keep_each_mailbox_and_lose_nothing_on_a_restart(
    tmp_path: Path, farm: tuple[list[Relay], Nginx]
) -> None:
    relays, nginx = farm
    gp, pharmacy = start_pair(tmp_path, "--relay", nginx.url, listen=False)
    try:
        outgoing = Conversation(gp, PHARMACY_NAME, "gp->pharmacie")
        back = Conversation(pharmacy, GP_NAME, "pharmacie->gp")
        deadline = time.monotonic() + DEADLINE_SECONDS
        for conversation in (outgoing, back):
            send(conversation, 15, deadline)
        settled(gp, pharmacy, timeout=SETTLE_SECONDS)
        # Two mailboxes, each registered on exactly one process (the one nginx hashes it to).
        before = registered(relays)
        assert sum(before) == 2, before
        holder = next(relay for relay, count in zip(relays, before, strict=True) if count)
        holder.kill()  # kill -9: its blobs and registrations are gone
        for conversation in (outgoing, back):
            send(conversation, 10, deadline)
        time.sleep(0.5)  # the fault's duration: down for half a second
        holder.start()  # same port, empty memory: its owners subscribe again there
        for conversation in (outgoing, back):
            send(conversation, 10, deadline)
        settled(gp, pharmacy, timeout=SETTLE_SECONDS)
        context = "three relay processes behind nginx, the holder of a mailbox restarted"
        outgoing.check(pharmacy, context)
        back.check(gp, context)
        # The same processes hold the same mailboxes: subscribers came back to their holder.
        wait_for(
            lambda: registered(relays) == before, WAIT_SECONDS, "the owners to subscribe again"
        )
        # Everything delivered and acknowledged: the last receipts can be committed a moment
        # before their blobs' ACKs reach the relay, so a wait, not a snapshot.
        wait_for(
            lambda: all(relay.health()["blobs"] == 0 for relay in relays),
            WAIT_SECONDS,
            "every relay process to drain",
        )
        for node in (gp, pharmacy):
            wait_for(
                lambda node=node: all(r["connected"] for r in node.status()["relays"]),  # type: ignore[misc]
                WAIT_SECONDS,
                f"{node.name}'s subscription",
            )
    finally:
        kill_all(gp, pharmacy)
