"""Two real nodes on 127.0.0.1: pairing, bursts, crashes and outages (issue 3)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest

from tests.integration.nodes import ApiFailure, Node, outbox_empty, wait_for

pytestmark = pytest.mark.integration


def send_many(
    sender: Node, contact: str, texts: list[str], workers: int = 8
) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda text: sender.send(contact, text), texts))


def assert_in_sender_order(received: list[dict[str, Any]]) -> None:
    seqs = [m["seq"] for m in received]
    assert seqs == sorted(seqs), "messages are not shown in the sender's order"
    assert len(set(seqs)) == len(seqs)


def wait_all_received(node: Node, count: int, timeout: float = 90) -> list[dict[str, Any]]:
    def enough() -> list[dict[str, Any]] | None:
        messages = node.received()
        return messages if len(messages) >= count else None

    result: list[dict[str, Any]] = wait_for(
        enough, timeout, f"{count} messages at {node.name}", 0.3
    )
    return result


def test_200_messages_each_way_exactly_once_in_order(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    to_pharmacy = [f"gp->pharmacy {i}" for i in range(200)]
    to_gp = [f"pharmacy->gp {i}" for i in range(200)]
    with ThreadPoolExecutor(2) as pool:
        sent_a = pool.submit(send_many, gp, "Pharmacie du Port", to_pharmacy)
        sent_b = pool.submit(send_many, pharmacy, "Dr Camille Martin", to_gp)
        sent = {"gp": sent_a.result(), "pharmacy": sent_b.result()}

    for node, outgoing, texts in (
        (pharmacy, sent["gp"], to_pharmacy),
        (gp, sent["pharmacy"], to_gp),
    ):
        received = wait_all_received(node, 200)
        assert len(received) == 200
        assert sorted(m["text"] for m in received) == sorted(texts)
        assert_in_sender_order(received)
        by_id = {m["message_id"]: m["seq"] for m in outgoing}
        assert {m["message_id"]: m["seq"] for m in received} == by_id

    # End-to-end delivery receipts came back for every message.
    for sender in (gp, pharmacy):
        wait_for(partial(all_delivered, sender), 60, f"delivery receipts at {sender.name}")
        wait_for(partial(outbox_empty, sender), 60, "an empty outbox")


def all_delivered(sender: Node) -> bool:
    sent = sender.request("GET", "/v1/messages?direction=out&limit=10000")["messages"]
    return all(m["status"] in ("delivered", "read") for m in sent)


def test_sender_killed_mid_burst_loses_and_duplicates_nothing(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    confirmed: list[dict[str, Any]] = []
    killed = threading.Event()
    lock = threading.Lock()

    def send(i: int) -> None:
        try:
            message = gp.send("Pharmacie du Port", f"burst {i}")
        except (ApiFailure, OSError):
            return  # the node died under this request: not confirmed, may or may not arrive
        with lock:
            confirmed.append(message)
            if len(confirmed) >= 80 and not killed.is_set():
                killed.set()
                gp.kill()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, range(200)))
    assert killed.is_set()
    assert len(confirmed) < 200, "the node was not killed mid-burst"

    gp.start()
    confirmed_ids = {m["message_id"] for m in confirmed}

    def all_confirmed() -> list[dict[str, Any]] | None:
        messages = pharmacy.received()
        return messages if confirmed_ids <= {m["message_id"] for m in messages} else None

    received = wait_for(all_confirmed, 90, "every confirmed message to arrive", 0.3)
    ids = [m["message_id"] for m in received]
    assert len(ids) == len(set(ids)), "a message was shown twice"
    texts = [m["text"] for m in received]
    assert len(texts) == len(set(texts))
    assert_in_sender_order(received)

    # The restarted node's session and outbox are intact: a new message goes through.
    after = gp.send("Pharmacie du Port", "after the crash")
    wait_for(lambda: gp.message(after["message_id"])["status"] == "delivered", 30, "delivery")


def test_outbox_delivers_when_the_receiver_comes_back(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    assert pharmacy.stop() == 0
    sent = [gp.send("Pharmacie du Port", f"while you were away {i}") for i in range(20)]
    status = gp.status()
    assert status["outbox"]["pending"] == 20
    assert all(gp.message(m["message_id"])["status"] == "queued" for m in sent)

    pharmacy.start()
    received = wait_all_received(pharmacy, 20, timeout=60)
    assert [m["text"] for m in received] == [f"while you were away {i}" for i in range(20)]
    wait_for(
        lambda: all(gp.message(m["message_id"])["status"] == "delivered" for m in sent),
        30,
        "delivery receipts after the outage",
    )


def test_read_receipt_reaches_the_sender(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    message = gp.send("pharm", "Renouvellement pour le patient fictif ?")
    received = wait_all_received(pharmacy, 1)
    assert received[0]["status"] == "received"
    read = pharmacy.request("POST", f"/v1/messages/{received[0]['message_id']}/read")
    assert read["status"] == "read"
    assert pharmacy.request("GET", "/v1/inbox")["messages"] == []
    wait_for(lambda: gp.message(message["message_id"])["status"] == "read", 30, "read receipt")
    assert gp.message(message["message_id"])["delivered_at"] is not None
