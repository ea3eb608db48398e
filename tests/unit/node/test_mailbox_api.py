"""The local API's mailboxes and their permissions (docs/local-api.md, "Mailboxes"): a person
sees only the messages of their mailboxes (403, audited, for the others), prescriptions leave
only from a clinician's personal mailbox with the prescriber block of their account, and the
operator or an admin manages the mailboxes. The person acting is set as an authenticating edge
sets it (node.core.accounts.set_acting), here from a test header."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from node.core.accounts import set_acting
from node.edges.api.mailboxes import Handler
from node.protocol.conversation import Meta, TextContent
from tests.unit.node.node_support import (
    ManualClock,
    MemoryNetwork,
    audit_events,
    settle,
    wait_until,
)
from tests.unit.node.test_mailboxes import Practice, practice_and_pharmacy, staffed

TOKEN = "t" * 43
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PRACTICE: dict[str, Any] = {  # what the clinicians' prescriptions say of the practice
    "specialty": "Médecine générale",
    "address": "3 rue du Parc\n29900 Concarneau",
    "phone": "02 98 00 00 00",
    "email": "accueil@cabinet-du-parc.example.fr",
}


def prescription_form(today: datetime.date) -> dict[str, Any]:
    return {
        "date": today.isoformat(),
        "patient": {
            "birth_name": "DUPONT",
            "first_names": "Marie Claire",
            "birth_date": "1956-03-14",
            "sex": "F",
            "ins": "256037512345654",
            "weight_kg": None,
            "ins_status": "qualified",
        },
        "lines": [
            {
                "medicine": "Doliprane",
                "inn": "paracétamol",
                "strength": "1 g",
                "dosage": "1 comprimé toutes les 6 heures si douleur",
                "duration": "5 jours",
                "quantity": None,
                "renewals": 0,
                "non_substitutable": None,
            }
        ],
        "notes": None,
    }


class Clinic:
    def __init__(
        self, practice: Practice, client: TestClient[web.Request, web.Application]
    ) -> None:
        self.practice = practice
        self.client = client

    def headers(self, person: str | None) -> dict[str, str]:
        if person is None:
            return AUTH
        return {**AUTH, "X-Test-Person": self.practice.people[person].account_id}

    async def get(self, path: str, person: str | None = None, **params: str) -> Any:
        response = await self.client.get(path, params=params, headers=self.headers(person))
        return response.status, await response.json()

    async def post(self, path: str, body: object, person: str | None = None) -> Any:
        response = await self.client.post(path, json=body, headers=self.headers(person))
        return response.status, await response.json()


@pytest.fixture
async def clinic(tmp_path: Path) -> AsyncIterator[Clinic]:
    practice, pharmacy = await practice_and_pharmacy(
        tmp_path, MemoryNetwork(), ManualClock(), **PRACTICE
    )
    node = practice.node
    app = node.node.local_api(TOKEN, phone=False).create_app()

    @web.middleware
    async def person(request: web.Request, handler: Handler) -> web.StreamResponse:
        account_id = request.headers.get("X-Test-Person")
        set_acting(None if account_id is None else practice.accounts.get(account_id))
        return await handler(request)

    app.middlewares.append(person)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        await staffed(practice)
        await wait_until(lambda: pharmacy.contact(node).row.mailboxes is not None)
        yield Clinic(practice, client)
        await settle(node, pharmacy)
    finally:
        await client.close()
        await node.close()
        await pharmacy.close()


async def test_a_person_sees_only_the_messages_of_their_mailboxes(clinic: Clinic) -> None:
    node = clinic.practice.node
    pharmacy_id = next(iter(node.ctx.contacts))
    pharmacy = node.network.receivers[pharmacy_id]
    shared = node.core.mailboxes.resolve("Secrétariat").mailbox_id
    sent = await pharmacy.core.sending.send(
        "Cabinet", Meta(mailbox=shared), TextContent("Livraison demain")
    )
    await wait_until(lambda: node.store.message(sent.message_id))
    path = f"/v1/messages/{sent.message_id.hex()}"

    status, body = await clinic.get("/v1/messages", "Alice")
    assert status == 200
    assert [m["message_id"] for m in body["messages"]] == [sent.message_id.hex()]
    assert body["messages"][0]["mailbox"]["name"] == "Secrétariat"
    status, body = await clinic.get("/v1/messages", "Claire Martin")
    assert (status, body["messages"]) == (200, [])
    status, body = await clinic.get(path, "Claire Martin")
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, body = await clinic.get("/v1/messages", "Claire Martin", mailbox="Secrétariat")
    assert status == 403
    status, body = await clinic.post(f"{path}/read", {}, "Claire Martin")
    assert status == 403
    assert (await audit_events(node, sent.message_id)).count("forbidden") == 2

    status, body = await clinic.post(f"{path}/read", {}, "Bob")
    assert status == 200
    assert [(m["name"], m["event"]) for m in body["marks"]] == [("Bob", "read")]
    status, body = await clinic.get(path, "Alice")
    assert body["status"] == "read"  # Alice sees that Bob read it ("lu par Bob")
    assert body["marks"][0]["name"] == "Bob"
    status, body = await clinic.get("/v1/inbox", "Alice")
    assert (status, body["messages"]) == (200, [])
    # The operator (the bearer token, nobody acting) reads everything.
    status, body = await clinic.get(path)
    assert status == 200
    # An export holds the person's mailboxes only.
    status, body = await clinic.post("/v1/export", {}, "Claire Martin")
    assert (status, body["count"]) == (200, 0)
    status, body = await clinic.post("/v1/export", {}, "Alice")
    assert (status, body["count"]) == (200, 1)


async def test_prescriptions_leave_from_a_clinicians_mailbox_only(clinic: Clinic) -> None:
    node = clinic.practice.node
    today = datetime.datetime.fromtimestamp(node.ctx.clock(), datetime.UTC).date()
    form = prescription_form(today)
    body = {"contact": "Pharmacie", "kind": "prescription", "prescription": form}
    status, answer = await clinic.post("/v1/messages", {**body, "mailbox": "Secrétariat"}, "Alice")
    assert (status, answer["error"]["code"]) == (400, "not_prescriber")
    status, answer = await clinic.post("/v1/messages", {**body, "mailbox": "Dr Martin"}, "Alice")
    assert (status, answer["error"]["code"]) == (403, "forbidden")
    status, answer = await clinic.post("/v1/messages", body, "Claire Martin")
    assert status == 201, answer
    prescriber = answer["prescription"]["prescriber"]
    assert (prescriber["name"], prescriber["rpps"]) == ("Claire Martin", "10001234565")
    assert answer["mailbox"]["name"] == "Dr Martin"
    # The pharmacy accepts it: the practice listed the clinician with that RPPS.
    pharmacy = node.network.receivers[next(iter(node.ctx.contacts))]
    message_id = bytes.fromhex(answer["message_id"])
    await wait_until(lambda: pharmacy.store.message(message_id))
    # Only its clinician cancels it (Alice may not even read it: it is in Dr Martin's mailbox).
    cancel = f"/v1/messages/{answer['message_id']}/cancel"
    status, refused = await clinic.post(cancel, {"reason": "Erreur de dose"}, "Alice")
    assert (status, refused["error"]["code"]) == (403, "forbidden")
    status, refused = await clinic.post(cancel, {"reason": "Erreur de dose"})  # the operator
    assert (status, refused["error"]["code"]) == (403, "forbidden")  # signs for nobody
    status, cancelled = await clinic.post(cancel, {"reason": "Erreur de dose"}, "Claire Martin")
    assert status == 201, cancelled
    assert cancelled["mailbox"]["name"] == "Dr Martin"
    cancellation = bytes.fromhex(cancelled["message_id"])
    await wait_until(lambda: pharmacy.store.message(cancellation))  # signed, accepted


async def test_mailboxes_are_managed_by_the_operator_or_an_admin(clinic: Clinic) -> None:
    practice = clinic.practice
    admin = await practice.person("Paul", "admin")
    status, body = await clinic.post("/v1/mailboxes", {"name": "Infirmières"}, "Alice")
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, body = await clinic.post(
        "/v1/mailboxes", {"name": "Infirmières", "members": ["Alice"]}, "Paul"
    )
    assert status == 201
    assert body["members"][0]["name"] == "Alice"
    assert admin.account_id not in [m["account_id"] for m in body["members"]]
    status, body = await clinic.post("/v1/mailboxes", {"name": "infirmières"})
    assert (status, body["error"]["code"]) == (409, "mailbox_exists")
    status, body = await clinic.post("/v1/mailboxes", {"name": "", "kind": "shared"})
    assert (status, body["error"]["code"]) == (400, "invalid_field")
    status, body = await clinic.post(
        "/v1/mailboxes/Infirmières/members", {"add": ["Bob"], "remove": ["Alice"]}
    )
    assert [m["name"] for m in body["members"]] == ["Bob"]
    status, body = await clinic.get("/v1/mailboxes", "Bob")
    assert sorted(m["name"] for m in body["mailboxes"]) == ["Infirmières", "Secrétariat"]
    status, body = await clinic.get("/v1/mailboxes")
    assert len(body["mailboxes"]) == 3
    response = await clinic.client.delete("/v1/mailboxes/Infirmières", headers=AUTH)
    assert response.status == 200
    status, body = await clinic.get("/v1/mailboxes")
    assert len(body["mailboxes"]) == 2
    status, body = await clinic.get("/v1/contacts")
    assert body["contacts"][0]["mailboxes"] == []  # the pharmacy knows mailboxes, has none
