"""Nodes that cannot reach each other directly, through real relays (issue 4)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from node.protocol import Invitation
from tests.integration.nodes import Node, Relay, pair, wait_for
from tests.integration.recording_proxy import RecordingProxy

pytestmark = pytest.mark.integration


def relay_args(*relays: Relay | RecordingProxy) -> list[str]:
    return [arg for relay in relays for arg in ("--relay", relay.url)]


@pytest.fixture
def relays(tmp_path: Path) -> Iterator[list[Relay]]:
    started = [Relay(tmp_path / f"relay{i}.log") for i in range(2)]
    for relay in started:
        relay.start()
    yield started
    for relay in started:
        if relay.process is not None:
            relay.kill()


def start_pair(tmp_path: Path, *relays: Relay | RecordingProxy) -> tuple[Node, Node]:
    """A GP and a pharmacy that listen for no one: relays are their only path."""
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    for node in (gp, pharmacy):
        node.init()
        node.start(*relay_args(*relays), listen=False)
    wait_for(lambda: all(r["connected"] for r in gp.status()["relays"]), 30, "subscriptions")
    wait_for(lambda: all(r["connected"] for r in pharmacy.status()["relays"]), 30, "subscriptions")
    pair(gp, pharmacy)
    return gp, pharmacy


def stop_all(*nodes: Node) -> None:
    for node in nodes:
        if node.process is not None:
            node.kill()


def received_texts(node: Node, count: int, timeout: float = 120) -> list[dict[str, Any]]:
    def enough() -> list[dict[str, Any]] | None:
        messages = node.received()
        return messages if len(messages) >= count else None

    result: list[dict[str, Any]] = wait_for(enough, timeout, f"{count} messages", 0.3)
    return result


def send_many(sender: Node, contact: str, texts: list[str]) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda text: sender.send(contact, text), texts))


def assert_exactly_once_in_order(received: list[dict[str, Any]], texts: list[str]) -> None:
    assert sorted(m["text"] for m in received) == sorted(texts)
    seqs = [m["seq"] for m in received]
    assert seqs == sorted(seqs)
    assert len({m["message_id"] for m in received}) == len(received)


def test_200_messages_through_a_relay_killed_and_restarted_midway(
    tmp_path: Path, relays: list[Relay]
) -> None:
    relay = relays[0]
    gp, pharmacy = start_pair(tmp_path, relay)
    try:
        invitation_endpoints = gp.status()["peer_endpoints"]
        assert invitation_endpoints == []  # no direct path at all
        first = [f"avant {i}" for i in range(100)]
        back = [f"retour {i}" for i in range(100)]
        send_many(gp, "Pharmacie du Port", first)
        send_many(pharmacy, "Dr Camille Martin", back)
        relay.kill()
        relay.start()  # same port, empty memory
        second = [f"après {i}" for i in range(100)]
        send_many(gp, "Pharmacie du Port", second)
        assert_exactly_once_in_order(received_texts(pharmacy, 200), first + second)
        assert_exactly_once_in_order(received_texts(gp, 100), back)
        wait_for(lambda: gp.status()["outbox"]["pending"] == 0, 120, "every delivery receipt")
    finally:
        stop_all(gp, pharmacy)


def test_delivery_continues_when_one_of_two_relays_is_gone(
    tmp_path: Path, relays: list[Relay]
) -> None:
    gp, pharmacy = start_pair(tmp_path, *relays)
    try:
        relays[0].kill()
        texts = [f"par l'autre relais {i}" for i in range(50)]
        send_many(gp, "Pharmacie du Port", texts)
        assert_exactly_once_in_order(received_texts(pharmacy, 50), texts)
        status = gp.status()["relays"]
        assert [r["connected"] for r in status] == [False, True]
    finally:
        stop_all(gp, pharmacy)


def test_relay_restarted_empty_while_the_recipient_was_offline(
    tmp_path: Path, relays: list[Relay]
) -> None:
    relay = relays[0]
    gp, pharmacy = start_pair(tmp_path, relay)
    try:
        pharmacy.stop()
        texts = [f"pendant l'absence {i}" for i in range(20)]
        send_many(gp, "Pharmacie du Port", texts)
        wait_for(lambda: relay.health()["blobs"] >= 20, 30, "deposits on the relay")
        relay.kill()
        relay.start()
        # Empty, and without the mailbox's deposit capability until its owner subscribes
        # again: the sender's deposits meanwhile are refused (mailbox_unknown), not stored.
        assert relay.health()["blobs"] == 0
        assert relay.health()["registered"] == 0
        pharmacy.start(*relay_args(relay), listen=False)
        # Only the sender's outbox still has them: its redelivery brings them back.
        assert_exactly_once_in_order(received_texts(pharmacy, 20, timeout=120), texts)
    finally:
        stop_all(gp, pharmacy)


def test_the_relay_never_sees_plaintext_or_the_senders_identity(
    tmp_path: Path, relays: list[Relay]
) -> None:
    assert relays[0].port is not None
    with RecordingProxy(relays[0].port) as proxy:
        gp, pharmacy = start_pair(tmp_path, proxy)
        try:
            marker = "PATIENT-FICTIF-DUPONT-1942"
            for i in range(5):
                gp.send("Pharmacie du Port", f"{marker} {i}")
                pharmacy.send("Dr Camille Martin", f"{marker} réponse {i}")
            received_texts(pharmacy, 5)
            received_texts(gp, 5)
            text = gp.request("POST", "/v1/invitations", {})["text"]
            gp_keys = Invitation.from_text(text).inviter
            traffic = proxy.snapshot()
        finally:
            stop_all(gp, pharmacy)
    assert len(traffic) > 10_000  # deposits and deliveries did go through the proxy
    assert marker.encode() not in traffic
    assert "réponse".encode() not in traffic
    for secret in (gp_keys.node_id, gp_keys.signing_key, gp_keys.dh_key):
        assert secret not in traffic
        assert secret.hex().encode() not in traffic
    for name in (b"Dr Camille Martin", b"Pharmacie du Port"):
        assert name not in traffic


def test_contacts_learn_when_a_node_adds_a_relay(tmp_path: Path, relays: list[Relay]) -> None:
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    try:
        for node in (gp, pharmacy):
            node.init()
            node.start()
        pair(gp, pharmacy)
        assert [c["relays"] for c in pharmacy.contacts()] == [[]]
        gp.stop()
        gp.start("--relay", relays[1].url)  # the practice now also uses a relay
        wait_for(
            lambda: [c["relays"] for c in pharmacy.contacts()] == [[relays[1].url]],
            60,
            "the new contact card",
        )
    finally:
        stop_all(gp, pharmacy)
