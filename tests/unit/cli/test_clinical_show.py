"""`releve show`, `releve ack`, and urgent messages in `releve status` and `releve inbox`."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import Cli
from .fake_node import (
    HANDOFF,
    MESSAGE_IN,
    SHOWN_PRESCRIPTION,
    STATUS,
    FakeNode,
    attachment,
    error,
    message,
)

ID = MESSAGE_IN["message_id"]


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def test_show_handoff(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", f"/v1/messages/{ID}", message("handoff", handoff=HANDOFF))
    result = cli(*home(fake_node), "show", ID)
    assert result.code == 0
    lines = result.out.splitlines()
    assert "Transmission SAED" in lines
    patient = next(line for line in lines if line.startswith("Patient :"))
    # the age is today's: completed years since 14/03/1956
    assert re.fullmatch(
        r"Patient : DUPONT Marie Claire, né\(e\) le 14/03/1956, sexe F \(\d+ ans\)", patient
    )
    assert "INS : 2 56 03 75 123 456 54" in lines
    for heading in ("S – Situation", "A – Antécédents", "E – Évaluation", "D – Demande"):
        assert heading in lines
    assert "    Constantes stables" in lines
    assert "    Douleur hanche droite" in lines
    # Showing is not reading: no receipt is sent.
    assert [r.method for r in fake_node.requests] == ["GET"]


def test_show_prescription_in_english(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer(
        "GET", f"/v1/messages/{ID}", message("prescription", prescription=SHOWN_PRESCRIPTION)
    )
    result = cli("--lang", "en", *home(fake_node), "show", ID)
    assert result.code == 0
    out = result.out
    assert "Prescription of 2026-11-29" in out
    assert "Prescriber: Dr Camille Martin, Médecine générale – RPPS 10001234565" in out
    assert "Weight: 61.5 kg" in out
    assert "1. Paracétamol 500 mg" in out
    assert "1 comprimé 3 fois par jour – for 7 jours – not renewable" in out
    assert "2. Amoxicilline 1 g" in out
    assert "quantity: 1 boîte – renew 2 times" in out
    assert "Notes:" in out
    assert "Ne pas substituer" in out


def test_show_attachment_in_progress_and_complete(cli: Cli, fake_node: FakeNode) -> None:
    data = b"%PDF-1.7 bilan"
    partial = attachment(data, chunks=8, done=2, complete=False)
    fake_node.answer("GET", f"/v1/messages/{ID}", message("attachment", attachment=partial))
    result = cli("--lang", "en", *home(fake_node), "show", ID)
    assert "Attachment: bilan.pdf (application/pdf, 14 bytes)" in result.out
    assert "Caption: Bilan sanguin" in result.out
    assert "Receiving: 2/8 parts (25%) – cannot be saved yet" in result.out
    fake_node.answer(
        "GET", f"/v1/messages/{ID}", message("attachment", attachment=attachment(data))
    )
    done = cli("--lang", "en", *home(fake_node), "show", ID)
    assert f"File complete and checked: releve save {ID} FOLDER" in done.out


def test_show_a_corrupt_attachment(cli: Cli, fake_node: FakeNode) -> None:
    corrupt = {**attachment(b"x", chunks=2, done=2, complete=False), "corrupt": True}
    fake_node.answer("GET", f"/v1/messages/{ID}", message("attachment", attachment=corrupt))
    result = cli("--lang", "en", *home(fake_node), "show", ID)
    assert "WARNING: the received file does not match its fingerprint" in result.out
    assert "releve save" not in result.out


def test_show_urgent_with_receipts_and_thread(cli: Cli, fake_node: FakeNode) -> None:
    parent_id, grandparent_id = "c" * 32, "d" * 32
    shown = message(
        "text",
        "out",
        message_id=ID,
        priority="urgent",
        reply_to=parent_id,
        status="read",
        delivered_at="2026-11-28T22:54:00.000Z",
        read_at="2026-11-28T22:55:00.000Z",
        acknowledged_at="2026-11-28T22:56:00.000Z",
    )
    fake_node.answer("GET", f"/v1/messages/{ID}", shown)
    fake_node.answer(
        "GET",
        f"/v1/messages/{parent_id}",
        message("prescription", message_id=parent_id, reply_to=grandparent_id),
    )
    fake_node.fail("GET", f"/v1/messages/{grandparent_id}", 404, "message_not_found", "gone")
    result = cli("--lang", "en", *home(fake_node), "show", ID)
    assert result.code == 0
    out = result.out
    assert "Priority: URGENT (acknowledgement requested)" in out
    assert "Delivered: 2026-11-28" in out
    assert "Read: 2026-11-28" in out
    assert "Acknowledged: 2026-11-28" in out
    (reply,) = [line for line in out.splitlines() if line.startswith("In reply to: ")]
    assert reply.startswith("In reply to: Prescription from Pharmacie du Port, 2026-11-2")
    assert reply.endswith(f"[{parent_id}]")
    assert "↳" not in out  # the grandparent is gone from the node: the thread stops there
    assert "releve ack" not in out  # a sent message: nothing for this side to acknowledge
    assert [r.path for r in fake_node.requests] == [
        f"/v1/messages/{ID}",
        f"/v1/messages/{parent_id}",
        f"/v1/messages/{grandparent_id}",
    ]


def test_show_incoming_urgent_suggests_ack(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", f"/v1/messages/{ID}", message(priority="urgent"))
    result = cli("--lang", "en", *home(fake_node), "show", ID)
    assert "Not acknowledged yet" in result.out
    assert f"awaits your acknowledgement: releve ack {ID}" in result.out


def test_show_cleans_hostile_clinical_fields(cli: Cli, fake_node: FakeNode) -> None:
    hostile = {
        **HANDOFF,
        "situation": "a\x1b[2Jb",
        "patient": {**HANDOFF["patient"], "birth_name": "X\u202eY"},
    }
    fake_node.answer("GET", f"/v1/messages/{ID}", message("handoff", handoff=hostile))
    result = cli(*home(fake_node), "show", ID)
    assert "\x1b" not in result.out
    assert "\u202e" not in result.out


def test_ack(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer(
        "POST",
        f"/v1/messages/{ID}/ack",
        message(priority="urgent", acknowledged_at="2026-11-28T22:56:00.000Z", status="read"),
    )
    result = cli("--lang", "en", *home(fake_node), "ack", ID)
    assert result.code == 0
    assert result.out.strip() == "Acknowledged: Pharmacie du Port is being told."
    assert (fake_node.last().method, fake_node.last().path) == ("POST", f"/v1/messages/{ID}/ack")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_ack_of_a_message_that_is_not_urgent(cli: Cli, fake_node: FakeNode, lang: str) -> None:
    fake_node.fail("POST", f"/v1/messages/{ID}/ack", 409, "not_urgent", "not urgent")
    result = cli("--lang", lang, *home(fake_node), "ack", ID)
    assert result.code == 1
    expected = "seul un message urgent" if lang == "fr" else "only a received urgent message"
    assert expected in result.err


URGENT_STATUS = {
    **STATUS,
    "urgent": {
        "escalate_after_minutes": 15,
        "awaiting_ack": [
            {
                "message_id": "e" * 32,
                "contact_name": "Pharmacie du Port",
                "contact_phone": "02 98 11 22 33",
                "sent_at": "2026-11-28T22:00:00.000Z",
                "overdue": True,
            },
            {
                "message_id": "f" * 32,
                "contact_name": "Cabinet Nord",
                "contact_phone": None,
                "sent_at": "2026-11-28T22:50:00.000Z",
                "overdue": False,
            },
        ],
    },
    "incoming_urgent": [message(priority="urgent")],
}


def test_status_shows_urgent_messages_loudly(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", URGENT_STATUS)
    result = cli("--lang", "en", *home(fake_node), "status")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("!!!!")
    assert "URGENT NOT ACKNOWLEDGED for more than 15 min: Pharmacie du Port" in lines[1]
    assert lines[2] == "!!  Call Pharmacie du Port on 02 98 11 22 33."
    assert lines[3].startswith("!!!!")
    assert "URGENT message from Pharmacie du Port" in result.out
    assert f"releve ack {ID}" in result.out
    assert "Urgent sent to Cabinet Nord" in result.out
    assert "Node: Dr Camille Martin" in result.out


def test_status_overdue_without_a_phone(cli: Cli, fake_node: FakeNode) -> None:
    status = {**URGENT_STATUS, "incoming_urgent": []}
    status["urgent"] = {
        "escalate_after_minutes": 15,
        "awaiting_ack": [{**URGENT_STATUS["urgent"]["awaiting_ack"][0], "contact_phone": None}],
    }
    fake_node.answer("GET", "/v1/status", status)
    result = cli(*home(fake_node), "status")
    assert "Appelez Pharmacie du Port par téléphone." in result.out


def test_inbox_shows_urgent_reminders_and_kinds(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", URGENT_STATUS)
    fake_node.answer(
        "GET",
        "/v1/inbox",
        {"messages": [message("handoff", handoff=HANDOFF, priority="urgent")]},
    )
    result = cli("--lang", "en", *home(fake_node), "inbox")
    assert result.code == 0
    assert "URGENT NOT ACKNOWLEDGED" in result.out
    assert "[URGENT] " in result.out
    assert "    SAED handoff – DUPONT Marie Claire" in result.out


def test_inbox_without_the_status_still_lists(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/inbox", {"messages": [MESSAGE_IN]})
    fake_node.answer_sequence("GET", "/v1/status", [(500, error("internal", "boom"))])
    result = cli("--lang", "en", *home(fake_node), "inbox")
    assert result.code == 0
    assert "le renouvellement est prêt" in result.out


HANDOFF_V2: dict[str, Any] = {
    "version": 2,
    "callback": "02 98 00 00 00",
    "severity": "unstable",
    "allergies": ["Pénicilline"],
    "treatments": [],
    "contingency": "Si vomissements : appeler le 15.",
    "deadline": "2026-11-21T13:00:00Z",
    "home": {
        "address": "4 rue des Lilas\n29900 Concarneau",
        "phone": None,
        "next_of_kin": {"name": "Paul Durand", "relationship": "fils", "phone": "06 12 34 56 78"},
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_show_a_version_2_handoff_with_its_read_back(
    cli: Cli, fake_node: FakeNode, lang: str
) -> None:
    shown = message("handoff", "out", handoff={**HANDOFF, **HANDOFF_V2})
    shown["read_backs"] = [
        {
            "message_id": "c" * 32,
            "direction": "in",
            "at": "2026-11-20T10:00:00.000Z",
            "status": "received",
            "text": "Surveillance neuro, appel au 15 si vomit.",
        }
    ]
    fake_node.answer("GET", f"/v1/messages/{ID}", shown)
    out = cli("--lang", lang, *home(fake_node), "show", ID).out
    french = lang == "fr"
    for words in (
        "Gravité : INSTABLE" if french else "Severity: UNSTABLE",
        "Rappeler au : 02 98 00 00 00" if french else "Call back on: 02 98 00 00 00",
        "Allergies : Pénicilline" if french else "Allergies: Pénicilline",
        "Traitements en cours : aucun(e) connu(e)" if french else "Current treatments: none known",
        "Proche : Paul Durand (fils), 06 12 34 56 78"
        if french
        else "Next of kin: Paul Durand (fils), 06 12 34 56 78",
        "Si vomissements : appeler le 15.",
        "Reformulation du destinataire" if french else "Recipient's read-back",
        "Surveillance neuro, appel au 15 si vomit.",
    ):
        assert words in out, words


def test_ack_with_a_read_back(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("POST", f"/v1/messages/{ID}/ack", message("handoff", status="read"))
    result = cli("--lang", "en", *home(fake_node), "ack", ID, "--read-back", "Reçu : radio.")
    assert result.code == 0, result.err
    assert fake_node.last().body == {"read_back": "Reçu : radio."}
    assert "read-back goes with it" in result.out
