"""Clinical messages between real nodes (issue 6): structured kinds, urgent messages that a
person acknowledges, replies, large attachments across restarts, the audit trail, export."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.nodes import ApiFailure, Node, Relay, outbox_empty, wait_for
from tests.integration.test_relay_delivery import start_pair, stop_all
from tests.unit.node.test_fhir import problems

pytestmark = pytest.mark.integration

# Born in February 1948, a woman: 2 48 02 ..., key 42 = 97 - (2480275123456 mod 97).
VALID_INS = "248027512345642"
VALID_RPPS = "10001234565"  # 11 digits, Luhn check digit 5

PATIENT: dict[str, Any] = {
    "birth_name": "DURAND",
    "first_names": "Jeanne Marie",
    "birth_date": "1948-02-11",
    "sex": "F",
    "ins": VALID_INS,
    "weight_kg": None,
}
HANDOFF: dict[str, Any] = {
    "patient": {**PATIENT, "ins_status": "qualified"},  # an INS only when qualified (RNIV)
    "situation": "Chute à domicile, douleur de hanche droite.",
    "background": "HTA, FA sous apixaban.",
    "assessment": "Stable, EVA 6/10, pas de déficit.",
    "request": "Radiographie du bassin et avis orthopédique.",
    # Version 2 (issue #16): what the next carer needs.
    "callback": "02 98 00 00 00",
    "severity": "watcher",
    "allergies": ["Pénicilline"],
    "treatments": ["Apixaban 5 mg matin et soir"],
    "contingency": "Si douleur non calmée : rappeler le cabinet.",
    "deadline": "2026-11-21T12:00:00+01:00",
}
# Version 2 (issue #16): no prescriber in the form (the GP node's profile, given at
# `releve init`, signs); the INN on each line; the INS with its identity status.
PRESCRIPTION: dict[str, Any] = {
    # Today's: a form dated more than three months ago is refused (R.5132-22, past validity).
    "date": datetime.date.today().isoformat(),
    "patient": {**PATIENT, "ins_status": "qualified"},
    "lines": [
        {
            "medicine": "Paracétamol",
            "inn": "paracétamol",
            "strength": "1 g",
            "dosage": "1 comprimé toutes les 6 heures si douleur",
            "duration": "5 jours",
            "quantity": None,
            "renewals": 0,
        },
        {
            "medicine": "Eliquis",
            "inn": "apixaban",
            "strength": "5 mg",
            "dosage": "1 comprimé matin et soir",
            "duration": None,
            "quantity": "1 boîte de 60",
            "renewals": 2,
        },
    ],
    "notes": None,
}


def upload(node: Node, query: str, data: bytes) -> dict[str, Any]:
    """POST /v1/files with the file's raw bytes."""
    info = json.loads(node.api_info.read_text())
    token = (node.home / "api-token").read_text().strip()
    request = urllib.request.Request(
        f"{info['url']}/v1/files?{query}",
        data=data,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result
    except urllib.error.HTTPError as error:
        raise ApiFailure(error.code, json.loads(error.read())) from None


def download(node: Node, message_id: str) -> bytes:
    info = json.loads(node.api_info.read_text())
    token = (node.home / "api-token").read_text().strip()
    request = urllib.request.Request(
        f"{info['url']}/v1/messages/{message_id}/file",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        data: bytes = response.read()
        return data


def refusal(node: Node, body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ApiFailure) as caught:
        node.request("POST", "/v1/messages", body)
    assert caught.value.status == 400
    error: dict[str, Any] = caught.value.body["error"]
    return error


def arrived(node: Node, message_id: str) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        try:
            return node.message(message_id)
        except ApiFailure:
            return None

    found: dict[str, Any] = wait_for(find, 60, f"message {message_id[:8]}", 0.2)
    return found


def test_handoff_and_prescription_arrive_structured(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    sent = gp.request(
        "POST", "/v1/messages", {"contact": "Pharmacie", "kind": "handoff", "handoff": HANDOFF}
    )
    assert sent["kind"] == "handoff"
    got = arrived(pharmacy, sent["message_id"])
    assert got["handoff"]["situation"] == HANDOFF["situation"]
    assert got["handoff"]["patient"]["ins"] == VALID_INS
    assert got["handoff"]["patient"]["ins_status"] == "qualified"  # travelled with it
    assert got["sender"]["name"] == "Dr Camille Martin"

    prescription = gp.request(
        "POST",
        "/v1/messages",
        {"contact": "Pharmacie", "kind": "prescription", "prescription": PRESCRIPTION},
    )
    got = arrived(pharmacy, prescription["message_id"])
    assert [line["medicine"] for line in got["prescription"]["lines"]] == [
        "Paracétamol",
        "Eliquis",
    ]
    assert got["prescription"]["prescriber"]["rpps"] == VALID_RPPS
    assert got["signature"] == {
        "state": "verified",
        "rpps": VALID_RPPS,
        "name": "Dr Camille Martin",
    }

    # The node refuses what the law or the form requires, naming the field (never its value).
    morphine = {
        **PRESCRIPTION,
        "lines": [{**PRESCRIPTION["lines"][0], "medicine": "Skenan LP", "inn": "morphine"}],
    }
    error = refusal(gp, {"contact": "Pharmacie", "kind": "prescription", "prescription": morphine})
    assert (error["code"], error["field"], error["reason"]) == (
        "invalid_field",
        "lines.0.medicine",
        "narcotic",
    )
    named = {**PRESCRIPTION, "prescriber": {"name": "Dr Autre", "rpps": "10001234566"}}
    error = refusal(gp, {"contact": "Pharmacie", "kind": "prescription", "prescription": named})
    assert (error["field"], error["reason"]) == ("prescriber", "prescriber_from_profile")
    assert "10001234566" not in error["message"]
    # A pharmacist's node cannot send a prescription at all.
    error = refusal(
        pharmacy, {"contact": "Dr", "kind": "prescription", "prescription": PRESCRIPTION}
    )
    assert error["code"] == "not_prescriber"
    bad_ins = {**HANDOFF, "patient": {**HANDOFF["patient"], "ins": "256037512345655"}}
    error = refusal(gp, {"contact": "Pharmacie", "kind": "handoff", "handoff": bad_ins})
    assert (error["field"], error["reason"]) == ("patient.ins", "ins_key")
    unqualified = {**HANDOFF, "patient": {**PATIENT, "ins_status": "retrieved"}}
    error = refusal(gp, {"contact": "Pharmacie", "kind": "handoff", "handoff": unqualified})
    assert (error["field"], error["reason"]) == ("patient.ins_status", "ins_not_qualified")
    empty = {**HANDOFF, "assessment": "   "}
    error = refusal(gp, {"contact": "Pharmacie", "kind": "handoff", "handoff": empty})
    assert (error["field"], error["reason"]) == ("assessment", "required")


def cancelled(node: Node, message_id: str) -> bool:
    return bool(node.message(message_id)["lifecycle"]["state"] == "cancelled")


def test_a_prescription_is_cancelled_replaced_and_dispensed(nodes: list[Node]) -> None:
    """Issue #16, between real processes: the pharmacist reports, the GP cancels one and
    replaces another, and both sides see the original's state."""
    gp, pharmacy = nodes
    body = {"contact": "Pharmacie", "kind": "prescription", "prescription": PRESCRIPTION}
    first = gp.request("POST", "/v1/messages", body)["message_id"]
    second = gp.request("POST", "/v1/messages", body)["message_id"]
    arrived(pharmacy, second)
    cancel = gp.request("POST", f"/v1/messages/{first}/cancel", {"reason": "Erreur de patient"})
    amended = gp.request(
        "POST",
        f"/v1/messages/{second}/amend",
        {"prescription": {**PRESCRIPTION, "notes": "Dose réduite"}},
    )
    assert amended["prescription"]["replaces"] == second
    arrived(pharmacy, amended["message_id"])
    report = pharmacy.request(
        "POST",
        f"/v1/messages/{amended['message_id']}/dispense",
        {"state": "dispensed", "note": None, "confirmed_by_phone": True},
    )
    assert report["kind"] == "dispensing"
    for node in (gp, pharmacy):
        wait_for(lambda n=node: cancelled(n, first), 60, "the cancellation")  # type: ignore[misc]
        shown = node.message(first)["lifecycle"]
        assert (shown["by"], shown["reason"]) == (cancel["message_id"], "Erreur de patient")
        replaced = node.message(second)["lifecycle"]
        assert (replaced["state"], replaced["by"]) == ("replaced", amended["message_id"])
    wait_for(
        lambda: gp.message(amended["message_id"])["lifecycle"]["dispensing"],
        60,
        "the pharmacist's report",
    )
    (dispensed,) = gp.message(amended["message_id"])["lifecycle"]["dispensing"]
    assert (dispensed["state"], dispensed["confirmed_by_phone"]) == ("dispensed", True)
    with pytest.raises(ApiFailure) as caught:
        gp.request("POST", f"/v1/messages/{first}/cancel", {"reason": "encore"})
    assert caught.value.body["error"]["code"] == "prescription_closed"


def test_replies_thread_to_the_message_they_answer(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    question = gp.send("Pharmacie", "Avez-vous de l'apixaban 5 mg ?")
    arrived(pharmacy, question["message_id"])
    answer = pharmacy.request(
        "POST",
        "/v1/messages",
        {"contact": "Dr Camille", "text": "Oui, deux boîtes.", "reply_to": question["message_id"]},
    )
    got = arrived(gp, answer["message_id"])
    assert got["reply_to"] == question["message_id"]
    with pytest.raises(ApiFailure) as caught:
        pharmacy.request(
            "POST",
            "/v1/messages",
            {"contact": "Dr Camille", "text": "?", "reply_to": "00" * 16},
        )
    assert caught.value.status == 404


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    started = Relay(tmp_path / "relay.log")
    started.start()
    yield started
    if started.process is not None:
        started.kill()


def test_urgent_message_acknowledged_end_to_end_through_a_relay(
    tmp_path: Path, relay: Relay, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Overdue after 1.2 s; the pharmacy's phone number travels in its contact card.
    monkeypatch.setenv("RELEVE_ESCALATE_AFTER_MINUTES", "0.02")
    monkeypatch.setenv("RELEVE_PHONE", "02 98 11 22 33")
    gp, pharmacy = start_pair(tmp_path, relay)
    try:
        urgent = gp.request(
            "POST",
            "/v1/messages",
            {
                "contact": "Pharmacie",
                "text": "Arrêtez la délivrance du lot 42",
                "priority": "urgent",
            },
        )
        assert urgent["priority"] == "urgent"
        got = arrived(pharmacy, urgent["message_id"])
        assert got["priority"] == "urgent"
        assert got["acknowledged_at"] is None
        incoming = pharmacy.status()["incoming_urgent"]
        assert [m["message_id"] for m in incoming] == [urgent["message_id"]]

        # Delivered (and even read) is not acknowledged: the sender keeps it on its list.
        pharmacy.request("POST", f"/v1/messages/{urgent['message_id']}/read")
        wait_for(lambda: gp.message(urgent["message_id"])["status"] == "read", 30, "read receipt")

        def overdue() -> dict[str, Any] | None:
            waiting = gp.status()["urgent"]["awaiting_ack"]
            return waiting[0] if waiting and waiting[0]["overdue"] else None

        reminder = wait_for(overdue, 30, "the urgent message to be overdue", 0.2)
        assert reminder["message_id"] == urgent["message_id"]
        assert reminder["contact_phone"] == "02 98 11 22 33"

        acked = pharmacy.request("POST", f"/v1/messages/{urgent['message_id']}/ack")
        assert acked["acknowledged_at"] is not None
        assert pharmacy.status()["incoming_urgent"] == []
        wait_for(lambda: gp.message(urgent["message_id"])["acknowledged_at"], 60, "acknowledgement")
        assert gp.status()["urgent"]["awaiting_ack"] == []

        # A normal message cannot be acknowledged; our own neither.
        normal = gp.send("Pharmacie", "Merci")
        arrived(pharmacy, normal["message_id"])
        for node, message_id in ((pharmacy, normal["message_id"]), (gp, urgent["message_id"])):
            with pytest.raises(ApiFailure) as caught:
                node.request("POST", f"/v1/messages/{message_id}/ack")
            assert caught.value.body["error"]["code"] == "not_urgent"
    finally:
        stop_all(gp, pharmacy)


def fake_pdf(size: int) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(size - 9)


def test_25_mib_attachment_survives_relay_receiver_and_sender_restarts(
    tmp_path: Path, relay: Relay
) -> None:
    gp, pharmacy = start_pair(tmp_path, relay)
    try:
        data = fake_pdf(25 * 1024 * 1024)
        sent = upload(gp, "contact=Pharmacie&name=bilan%20sanguin.pdf&caption=NFS", data)
        message_id = sent["message_id"]
        assert sent["attachment"]["size"] == len(data)
        assert sent["attachment"]["media_type"] == "application/pdf"
        chunks = sent["attachment"]["chunks"]
        assert chunks > 100

        def progress() -> int:
            try:
                return int(pharmacy.message(message_id)["attachment"]["done"])
            except ApiFailure:
                return 0

        # Mid-way: the relay loses everything it held, then the receiver is killed.
        wait_for(lambda: progress() >= chunks // 4, 180, "a quarter of the file", 0.2)
        relay.kill()
        relay.start()
        wait_for(lambda: progress() >= chunks // 2, 180, "half of the file", 0.2)
        pharmacy.kill()
        assert download(gp, message_id) == data  # the sender keeps its own copy whole
        pharmacy.start("--relay", relay.url, listen=False)
        wait_for(lambda: progress() >= 3 * chunks // 4, 180, "three quarters", 0.2)
        gp.kill()  # and the sender too
        gp.start("--relay", relay.url, listen=False)

        def complete() -> bool:
            return bool(pharmacy.message(message_id)["attachment"]["complete"])

        wait_for(complete, 300, "the whole file", 0.5)
        got = download(pharmacy, message_id)
        assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
        wait_for(lambda: gp.message(message_id)["attachment"]["complete"], 120, "all receipts")
        wait_for(lambda: outbox_empty(gp), 60, "an empty outbox")
        info = pharmacy.message(message_id)["attachment"]
        assert (info["file_name"], info["caption"], info["done"]) == (
            "bilan sanguin.pdf",
            "NFS",
            chunks,
        )
        # Chunks are not messages: the inbox shows one message, the file.
        inbox = pharmacy.request("GET", "/v1/messages?direction=in")["messages"]
        assert [m["message_id"] for m in inbox if m["kind"] == "attachment"] == [message_id]
        assert all(m["kind"] != "chunk" for m in inbox)
    finally:
        stop_all(gp, pharmacy)


def test_a_file_waits_in_the_outbox_and_only_pdfs_and_images_go(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    pharmacy.stop()  # the file waits in the GP's outbox
    sent = upload(gp, "contact=Pharmacie&name=scan.png", b"\x89PNG\r\n\x1a\n" + os.urandom(200_000))
    assert gp.message(sent["message_id"])["attachment"]["complete"] is False
    with pytest.raises(ApiFailure) as caught:
        upload(gp, "contact=Pharmacie&name=notes.exe", b"MZ" + os.urandom(1000))
    assert caught.value.body["error"]["reason"] == "invalid_media_type"
    pharmacy.start()
    arrived(pharmacy, sent["message_id"])
    wait_for(lambda: pharmacy.message(sent["message_id"])["attachment"]["complete"], 60, "the file")
    assert len(download(pharmacy, sent["message_id"])) == 200_008


def audit_lines(node: Node) -> list[dict[str, Any]]:
    info = json.loads(node.api_info.read_text())
    token = (node.home / "api-token").read_text().strip()
    request = urllib.request.Request(
        f"{info['url']}/v1/audit/export", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return [json.loads(line) for line in response.read().decode().splitlines()]


def test_audit_trail_records_every_step_and_detects_tampering(nodes: list[Node]) -> None:
    gp, pharmacy = nodes
    sent = gp.request(
        "POST", "/v1/messages", {"contact": "Pharmacie", "kind": "handoff", "handoff": HANDOFF}
    )
    arrived(pharmacy, sent["message_id"])
    pharmacy.request("POST", f"/v1/messages/{sent['message_id']}/read")
    wait_for(lambda: gp.message(sent["message_id"])["status"] == "read", 30, "read receipt")
    gp.request("POST", f"/v1/messages/{sent['message_id']}/printed")
    exported = gp.request("POST", "/v1/export", {"patient": "durand"})
    assert exported["count"] == 1
    assert problems(exported["bundles"][0]) == []  # FHIR R4, checked by fhirclient's models
    assert gp.request("POST", "/v1/export", {"patient": "Dupont"})["count"] == 0

    events = [(e["event"], e["actor"]) for e in audit_lines(gp)]
    for expected in [
        ("paired", "local"),
        ("sent", "local"),
        ("delivered", "contact"),
        ("read", "contact"),
        ("printed", "local"),
        ("exported", "local"),
    ]:
        assert expected in events
    pharmacy_events = [(e["event"], e["actor"]) for e in audit_lines(pharmacy)]
    assert ("received", "contact") in pharmacy_events
    assert ("read", "local") in pharmacy_events
    text = json.dumps(audit_lines(gp))
    for secret in ("DURAND", "Jeanne", "Chute", VALID_INS):
        assert secret not in text
    assert gp.request("GET", "/v1/audit/verify") == {
        "ok": True,
        "entries": len(events),
        "problem": None,
    }

    # Someone edits one entry while the node is stopped: the next check names it.
    gp.stop()
    with sqlite3.connect(gp.home / "releve.db") as db:
        db.execute("UPDATE audit SET event = 'read' WHERE position = 2")
    gp.start()
    result = gp.request("GET", "/v1/audit/verify")
    assert result["ok"] is False
    assert result["problem"] == {"position": 2, "reason": "changed"}
