"""Escalation both ways in `releve status` and `releve inbox` (issue #16): the real time an
urgent message has waited, on the sender's and on the recipient's side, the backup contact
told, and the backup's own view of the notice, in French and English."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Cli
from .fake_node import MESSAGE_IN, STATUS, FakeNode, message

ID = MESSAGE_IN["message_id"]


def home(node: FakeNode) -> list[str]:
    return ["--home", str(node.home)]


def waiting(**fields: Any) -> dict[str, Any]:
    return {
        "message_id": "e" * 32,
        "contact_name": "Pharmacie du Port",
        "contact_phone": "02 98 11 22 33",
        "sent_at": "2026-11-28T22:00:00.000Z",
        "received_at": None,
        "waited_minutes": 47,
        "overdue": True,
        "backup_told": False,
        **fields,
    }


STATUS_BOTH_WAYS: dict[str, Any] = {
    **STATUS,
    "urgent": {
        "escalate_after_minutes": 15,
        "backup_contact": "Dr Durand",
        "backup_after_minutes": 30,
        "awaiting_ack": [
            waiting(backup_told=True),
            waiting(
                message_id="f" * 32, contact_name="Cabinet Nord", waited_minutes=3, overdue=False
            ),
        ],
        "incoming": [
            waiting(
                message_id=ID,
                contact_name="Dr Martin",
                received_at="2026-11-28T22:10:00.000Z",
                waited_minutes=62,
                backup_told=True,
            ),
            waiting(
                message_id="a" * 32,
                contact_name="Labo",
                received_at="2026-11-28T23:05:00.000Z",
                waited_minutes=4,
                overdue=False,
            ),
        ],
    },
    "incoming_urgent": [message(priority="urgent")],
}


def test_status_shows_the_real_time_waited_both_ways(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", STATUS_BOTH_WAYS)
    result = cli("--lang", "en", *home(fake_node), "status")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("!!!!")
    assert "URGENT NOT ACKNOWLEDGED for 47 min: Pharmacie du Port" in lines[1]
    assert "more than 15 min" not in result.out  # the real time, not the delay
    assert lines[2] == "!!  Call Pharmacie du Port on 02 98 11 22 33."
    assert (
        lines[3]
        == "!!  Your backup contact Dr Durand has been told (without the message's content)."
    )
    assert "URGENT from Dr Martin received 62 min ago" in lines[4]
    assert f"STILL NOT ACKNOWLEDGED: releve ack {ID}" in lines[4]
    assert lines[5].startswith("!!  Your backup contact Dr Durand")
    assert lines[6].startswith("!!!!")
    assert "URGENT message from Labo received 4 min ago" in result.out
    assert f"releve ack {'a' * 32}" in result.out
    assert "Urgent sent to Cabinet Nord" in result.out


def test_status_in_french(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", STATUS_BOTH_WAYS)
    result = cli(*home(fake_node), "status")
    assert "URGENT NON PRIS EN COMPTE depuis 47 min : Pharmacie du Port" in result.out
    assert "URGENT REÇU de Dr Martin il y a 62 min" in result.out
    assert "TOUJOURS NON PRIS EN COMPTE" in result.out
    assert "Votre contact de secours Dr Durand a été prévenu" in result.out
    assert "Message URGENT de Labo reçu il y a 4 min" in result.out


def test_inbox_keeps_reminding_the_recipient(cli: Cli, fake_node: FakeNode) -> None:
    fake_node.answer("GET", "/v1/status", STATUS_BOTH_WAYS)
    fake_node.answer("GET", "/v1/inbox", {"messages": [message(priority="urgent")]})
    result = cli("--lang", "en", *home(fake_node), "inbox")
    assert result.code == 0
    assert "URGENT from Dr Martin received 62 min ago" in result.out
    assert "[URGENT] " in result.out


NOTICE = {
    "from": "Dr Martin",
    "to": "Pharmacie du Port",
    "sent_at": "2026-11-28T22:00:00.000Z",
    "waited_minutes": 31,
}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "ALERT: an urgent message from Dr Martin to Pharmacie du Port, sent"),
        ("fr", "ALERTE : un message urgent de Dr Martin à Pharmacie du Port, envoyé le"),
    ],
)
def test_the_backup_sees_the_notice(
    cli: Cli, fake_node: FakeNode, lang: str, expected: str
) -> None:
    notice = message("escalation", escalation=NOTICE, text=None)
    fake_node.answer("GET", "/v1/inbox", {"messages": [notice]})
    fake_node.answer("GET", "/v1/status", STATUS)
    result = cli("--lang", lang, *home(fake_node), "inbox")
    assert result.code == 0
    assert expected in result.out
    assert "31 min" in result.out

    fake_node.answer("GET", f"/v1/messages/{ID}", notice)
    shown = cli("--lang", lang, *home(fake_node), "show", ID)
    assert shown.code == 0
    assert expected in shown.out
    assert ("backup contact" if lang == "en" else "contact de secours") in shown.out
