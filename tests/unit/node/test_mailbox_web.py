"""A clinic server's mailboxes in the web client, in process: each person sees the messages of
their mailboxes only (another's is refused, 403, audited), a colleague's read shows with their
name ("Lu par Bob"), and what a person writes leaves from their mailbox, so that their
colleagues of that mailbox see it too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import nacl.pwhash.argon2id as argon2id
import pytest
from aiohttp.test_utils import TestServer

from node.core.accounts import Accounts, PasswordHasher, acting_as
from node.core.ports import MessageQuery
from node.edges.web.app import WebClient
from node.protocol.conversation import Meta, Priority, TextContent
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    MemoryNetwork,
    audit_events,
    message,
    wait_until,
)
from tests.unit.node.test_accounts_web import PASSWORD, Browser
from tests.unit.node.test_mailboxes import Practice, practice_and_pharmacy, staffed


@dataclass
class Clinic:
    practice: Practice
    pharmacy: LocalNode
    server: TestServer
    web: WebClient
    browsers: list[Browser] = field(default_factory=list)

    async def browser(self, name: str) -> Browser:
        browser = Browser(self.server)
        self.browsers.append(browser)
        status, _, _ = await browser.log_in(name)
        assert status == 303
        return browser


@pytest.fixture
async def clinic(tmp_path: Path) -> AsyncIterator[Clinic]:
    practice, pharmacy = await practice_and_pharmacy(tmp_path, MemoryNetwork(), ManualClock())
    node = practice.node
    # Fast hashing for the test (the real one costs a second and 64 MiB).
    fast = Accounts(
        node.store,
        node.ctx.clock,
        hasher=PasswordHasher(argon2id.OPSLIMIT_MIN, argon2id.MEMLIMIT_MIN),
    )
    await fast.load()
    practice.accounts = fast
    node.core.mailboxes.people = fast
    await staffed(practice)
    for account in practice.people.values():
        setup = await fast.reset(account.account_id)
        await fast.set_password(setup.code, PASSWORD)
    web_client = WebClient(node.core, accounts=fast)
    server = TestServer(web_client.create_app(), host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    web_client.serve_on(server.port)
    served = Clinic(practice, pharmacy, server, web_client)
    try:
        yield served
    finally:
        for browser in served.browsers:
            await browser.session.close()
        await server.close()
        await node.close()
        await pharmacy.close()


async def test_each_person_sees_their_mailboxes_and_who_read(clinic: Clinic) -> None:
    node, pharmacy = clinic.practice.node, clinic.pharmacy
    await wait_until(lambda: pharmacy.contact(node).row.mailboxes is not None)
    shared = node.core.mailboxes.resolve("Secrétariat").mailbox_id
    sent = await pharmacy.core.sending.send(
        "Cabinet", Meta(mailbox=shared), TextContent("Commande arrivée pour M. Y")
    )
    await wait_until(lambda: node.store.message(sent.message_id))
    conversation = f"/c/{pharmacy.node_id.hex()}"

    bob = await clinic.browser("Bob")
    status, page, _ = await bob.get(conversation)  # opening it reads it
    assert status == 200
    assert "Commande arrivée pour M. Y" in page
    assert "Boîte : Secrétariat" in page

    doctor = await clinic.browser("Claire Martin")
    status, page, _ = await doctor.get(conversation)
    assert status == 200
    assert "Commande arrivée" not in page
    status, _, _ = await doctor.get(f"/m/{sent.message_id.hex()}/file")
    assert status == 403
    assert "forbidden" in await audit_events(node, sent.message_id)

    alice = await clinic.browser("Alice")
    status, page, _ = await alice.get(conversation)
    assert "Lu par Bob" in page
    # Alice saw it too: her own read, shown to Bob; the pharmacy still had one read receipt.
    status, page, _ = await bob.get(conversation)
    assert "Lu par Bob, Alice" in page
    assert (await audit_events(node, sent.message_id)).count("read") == 2

    async def read_receipt() -> bool:
        return (await message(pharmacy, sent.message_id)).status == "read"

    await wait_until(read_receipt)
    assert (await audit_events(pharmacy, sent.message_id)).count("read") == 1
    # Alice answers from the page: it leaves from Secrétariat, so Bob sees it too.
    csrf = await alice.csrf(conversation)
    status, _, _ = await alice.post(
        f"{conversation}/send", {"csrf": csrf, "text": "Merci, nous passons"}
    )
    assert status in (200, 303)
    status, page, _ = await bob.get(conversation)
    assert "Merci, nous passons" in page
    status, page, _ = await doctor.get(conversation)
    assert "Merci, nous passons" not in page
    ours = await node.core.reading.shown(MessageQuery(direction="out"))
    assert [row.mailbox for row in ours] == [shared]
    assert (await message(node, ours[0].message_id)).mailbox == shared


async def test_live_pushes_tell_each_person_of_their_mailboxes_only(clinic: Clinic) -> None:
    node, pharmacy = clinic.practice.node, clinic.pharmacy
    await wait_until(lambda: pharmacy.contact(node).row.mailboxes is not None)
    shared = node.core.mailboxes.resolve("Secrétariat").mailbox_id
    alice = await clinic.browser("Alice")
    doctor = await clinic.browser("Claire Martin")
    origin = {"Origin": f"http://{alice.host}"}
    # The hub itself: both tabs get the same round, each seen through its person's access.
    book = node.core.mailboxes
    people = clinic.practice.people
    alice_sub = await clinic.web.hub.subscribe(book.access_of(people["Alice"].account_id))
    doctor_sub = await clinic.web.hub.subscribe(book.access_of(people["Claire Martin"].account_id))
    async with (
        alice.session.ws_connect(alice.url("/ws"), headers=origin) as alice_tab,
        doctor.session.ws_connect(doctor.url("/ws"), headers=origin) as doctor_tab,
    ):
        assert (await alice_tab.receive_json(timeout=10))["unread"] == 0
        assert (await doctor_tab.receive_json(timeout=10))["unread"] == 0
        await pharmacy.core.sending.send(
            "Cabinet", Meta(Priority.URGENT, mailbox=shared), TextContent("Rappel urgent")
        )
        pushed = await alice_tab.receive_json(timeout=10)
        while not pushed["notices"]:
            pushed = await alice_tab.receive_json(timeout=10)
        assert pushed["unread"] == 1
        assert "Pharmacie du Port" in pushed["notices"][0]["text"]
        told = await doctor_tab.receive_json(timeout=10)
        assert (told["unread"], told["notices"]) == (0, [])
        await wait_until(lambda: any(p.arrivals for p in alice_sub.pushes))
        assert not any(p.arrivals for p in doctor_sub.pushes)
        assert doctor_sub.pushes[-1].unread == 0
        assert alice_sub.pushes[-1].unread == 1
    # The unread count of each page is the person's own.
    with acting_as(clinic.practice.people["Claire Martin"]):
        assert await node.core.reading.unread_count() == 0
    with acting_as(clinic.practice.people["Alice"]):
        assert await node.core.reading.unread_count() == 1


async def test_a_contact_picks_the_practices_mailbox_and_a_person_ours(clinic: Clinic) -> None:
    node, pharmacy = clinic.practice.node, clinic.pharmacy
    await wait_until(lambda: pharmacy.contact(node).row.mailboxes is not None)
    book = node.core.mailboxes
    personal = book.resolve("Dr Martin").mailbox_id
    # The pharmacy's own web client (a single-user node): it offers the practice's mailboxes.
    web_client = WebClient(pharmacy.core)
    server = TestServer(web_client.create_app(), host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    web_client.serve_on(server.port)
    screen = Browser(server)
    clinic.browsers.append(screen)
    try:
        link, _ = web_client.mint_login()
        status, _, _ = await screen.get(link.split(screen.host, 1)[1])
        assert status in (200, 303)
        conversation = f"/c/{node.node_id.hex()}"
        status, page, _ = await screen.get(conversation)
        assert 'id="to-mailbox"' in page
        assert ">Secrétariat</option>" in page
        assert ">Dr Martin</option>" in page
        csrf = await screen.csrf(conversation)
        status, _, _ = await screen.post(
            f"{conversation}/send",
            {"csrf": csrf, "text": "Question pour le Dr Martin", "to_mailbox": personal.hex()},
        )
        assert status == 303
        (sent,) = await pharmacy.core.reading.shown(MessageQuery(direction="out"))
        await wait_until(lambda: node.store.message(sent.message_id))
        assert (await message(node, sent.message_id)).mailbox == personal
    finally:
        await server.close()
    # On the practice, someone in two mailboxes picks the one they write from.
    alice = clinic.practice.people["Alice"]
    nurses = await book.add("Infirmières", "shared", [alice.account_id])
    browser = await clinic.browser("Alice")
    conversation = f"/c/{pharmacy.node_id.hex()}"
    status, page, _ = await browser.get(conversation)
    assert 'id="from-mailbox"' in page
    assert 'id="to-mailbox"' not in page  # the pharmacy has no mailboxes
    csrf = await browser.csrf(conversation)
    status, _, _ = await browser.post(
        f"{conversation}/send",
        {"csrf": csrf, "text": "Des infirmières", "from_mailbox": nurses.mailbox_id.hex()},
    )
    assert status == 303
    with acting_as(alice):
        ours = await node.core.reading.shown(MessageQuery(direction="out"))
    assert [row.mailbox for row in ours] == [nurses.mailbox_id]
    # Not a member: refused, nothing sent.
    doctor = await clinic.browser("Claire Martin")
    csrf = await doctor.csrf(conversation)
    status, _, _ = await doctor.post(
        f"{conversation}/send",
        {"csrf": csrf, "text": "Usurpation", "from_mailbox": nurses.mailbox_id.hex()},
    )
    assert status == 400
    assert len(await node.core.reading.shown(MessageQuery(direction="out"))) == 1


async def test_an_export_from_the_browser_holds_the_persons_mailboxes(clinic: Clinic) -> None:
    node, pharmacy = clinic.practice.node, clinic.pharmacy
    await wait_until(lambda: pharmacy.contact(node).row.mailboxes is not None)
    shared = node.core.mailboxes.resolve("Secrétariat").mailbox_id
    sent = await pharmacy.core.sending.send(
        "Cabinet", Meta(mailbox=shared), TextContent("Livraison de Mme Dupont")
    )
    await wait_until(lambda: node.store.message(sent.message_id))
    for name, count in (("Alice", 1), ("Claire Martin", 0)):
        browser = await clinic.browser(name)
        csrf = await browser.csrf("/records")
        status, body, _ = await browser.post("/records/export", {"csrf": csrf})
        assert status == 200
        assert body.count("Livraison de Mme Dupont") == count, name
