"""The web handoff and prescription forms offer the mailboxes the text form offers (issue #15):
the contact's to write to and, on a clinic server, the person's own to write from; the chosen
ones are shown in the review and sealed with it, and leave with the message. A prescription
leaves only from the personal mailbox of the clinician who signs it; anything else is refused
with words, nothing sent. A single-user node writing to a contact without mailboxes sees the
forms as before."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import nacl.pwhash.argon2id as argon2id
import pytest
from aiohttp.test_utils import TestServer

from node.core.accounts import Accounts, PasswordHasher, acting_as
from node.core.ports import MessageQuery
from node.edges.web.app import WebClient
from node.edges.web.screens.compose_forms import today_utc
from node.protocol.kinds import PayloadKind
from tests.unit.node.node_support import LocalNode, ManualClock, MemoryNetwork, message, wait_until
from tests.unit.node.test_accounts_web import PASSWORD, Browser
from tests.unit.node.test_mailbox_api import PRACTICE
from tests.unit.node.test_mailboxes import Practice, practice_and_pharmacy, staffed

HANDOFF = {
    "patient.birth_name": "DURAND",
    "patient.first_names": "Marie",
    "patient.birth_date": "1950-03-02",
    "patient.sex": "F",
    "situation": "Sortie d'hospitalisation",
    "background": "HTA",
    "assessment": "Stable",
    "request": "Passage infirmier demain",
    "severity": "stable",
    "callback": "02 98 00 00 00",
}


def prescription(day: str) -> dict[str, str]:
    return {
        "date": day,
        "line_count": "1",
        "patient.birth_name": "LEGRAND",
        "patient.first_names": "Paul",
        "patient.birth_date": "1948-07-01",
        "patient.sex": "M",
        "lines.0.medicine": "Amoxicilline",
        "lines.0.inn": "amoxicilline",
        "lines.0.strength": "1 g",
        "lines.0.dosage": "1 comprimé matin et soir",
        "lines.0.duration": "7 jours",
    }


async def post(
    browser: Browser, path: str, data: dict[str, str]
) -> tuple[int, str, dict[str, str]]:
    """The page as read (its entities decoded) and its hidden fields (a review's, as the
    browser posts them back)."""
    status, page, _ = await browser.post(path, data)
    found = re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return status, html.unescape(page), {name: html.unescape(value) for name, value in found}


@dataclass
class Clinic:
    practice: Practice
    pharmacy: LocalNode
    server: TestServer
    pharmacy_server: TestServer
    pharmacy_web: WebClient
    browsers: list[Browser] = field(default_factory=list)

    async def browser(self, name: str) -> Browser:
        browser = Browser(self.server)
        self.browsers.append(browser)
        status, _, _ = await browser.log_in(name)
        assert status == 303
        return browser

    async def pharmacist(self) -> Browser:
        """The pharmacy's own web client: a single-user node, its one person."""
        browser = Browser(self.pharmacy_server)
        self.browsers.append(browser)
        link, _ = self.pharmacy_web.mint_login()
        status, _, _ = await browser.get(link.split(browser.host, 1)[1])
        assert status in (200, 303)
        return browser


async def serve(web_client: WebClient) -> TestServer:
    server = TestServer(web_client.create_app(), host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    web_client.serve_on(server.port)
    return server


@pytest.fixture
async def clinic(tmp_path: Path) -> AsyncIterator[Clinic]:
    """Cabinet du Parc (a clinic server whose profile completes its clinicians' prescriber
    blocks; Dr Martin's personal mailbox is its default) and the pharmacy, told its mailboxes."""
    practice, pharmacy = await practice_and_pharmacy(
        tmp_path, MemoryNetwork(), ManualClock(), **PRACTICE
    )
    node = practice.node
    fast = Accounts(  # fast hashing for the test (the real one costs a second and 64 MiB)
        node.store,
        node.ctx.clock,
        hasher=PasswordHasher(argon2id.OPSLIMIT_MIN, argon2id.MEMLIMIT_MIN),
    )
    await fast.load()
    practice.accounts = fast
    node.core.mailboxes.people = fast
    await staffed(practice)
    await node.core.mailboxes.set_default("Dr Martin")  # "Secrétariat" is then a choice
    for account in practice.people.values():
        setup = await fast.reset(account.account_id)
        await fast.set_password(setup.code, PASSWORD)
    server = await serve(WebClient(node.core, accounts=fast))
    pharmacy_web = WebClient(pharmacy.core)
    pharmacy_server = await serve(pharmacy_web)
    served = Clinic(practice, pharmacy, server, pharmacy_server, pharmacy_web)
    try:
        await wait_until(lambda: pharmacy.contact(node).row.mailboxes is not None)
        yield served
    finally:
        for browser in served.browsers:
            await browser.session.close()
        await server.close()
        await pharmacy_server.close()
        await node.close()
        await pharmacy.close()


async def test_a_handoff_to_the_secretariat_reaches_that_mailbox(clinic: Clinic) -> None:
    node, pharmacy = clinic.practice.node, clinic.pharmacy
    book = node.core.mailboxes
    shared, personal = book.resolve("Secrétariat"), book.resolve("Dr Martin")
    screen = await clinic.pharmacist()
    form = f"/c/{node.node_id.hex()}/handoff"
    status, page, _ = await screen.get(form)
    assert status == 200
    assert 'id="f-to_mailbox"' in page
    assert f'<option value="{shared.mailbox_id.hex()}">Secrétariat</option>' in page
    assert 'id="f-from_mailbox"' not in page  # a single-user node writes from its one inbox
    csrf = await screen.csrf(form)
    chosen = {"csrf": csrf, "action": "review", "to_mailbox": shared.mailbox_id.hex()}
    status, review, sealed = await post(screen, form, {**chosen, **HANDOFF})
    assert status == 200
    assert "Destinataire : Cabinet du Parc — Secrétariat" in review
    assert sealed["to_mailbox"] == shared.mailbox_id.hex()

    # The mailbox changed after the review (Dr Martin's instead): refused, nothing sent.
    altered = {**sealed, "to_mailbox": personal.mailbox_id.hex(), "action": "send"}
    status, page, _ = await post(screen, form, altered)
    assert status == 400
    assert "n'est pas celui que vous avez relu" in page
    assert await pharmacy.core.reading.shown(MessageQuery(direction="out")) == []

    # Back to edit: the form keeps the choice.
    status, page, _ = await post(screen, form, {**sealed, "action": "edit"})
    assert status == 200
    assert f'<option value="{shared.mailbox_id.hex()}" selected>' in page

    status, _, _ = await post(screen, form, {**sealed, "action": "send"})
    assert status == 303
    (sent,) = await pharmacy.core.reading.shown(MessageQuery(direction="out"))
    assert sent.kind == PayloadKind.HANDOFF_V2
    await wait_until(lambda: node.store.message(sent.message_id))
    assert (await message(node, sent.message_id)).mailbox == shared.mailbox_id
    with acting_as(clinic.practice.people["Alice"]):  # the secretaries read it
        (received,) = await node.core.reading.shown(MessageQuery(direction="in"))
    assert received.message_id == sent.message_id


async def test_a_colleague_picks_the_mailbox_a_handoff_leaves_from(clinic: Clinic) -> None:
    node, pharmacy = clinic.practice.node, clinic.pharmacy
    book = node.core.mailboxes
    people = clinic.practice.people
    shared, personal = book.resolve("Secrétariat"), book.resolve("Dr Martin")
    await book.change_members("Secrétariat", add=[people["Claire Martin"].account_id])
    form = f"/c/{pharmacy.node_id.hex()}/handoff"

    doctor = await clinic.browser("Claire Martin")
    status, page, _ = await doctor.get(form)
    assert status == 200
    assert 'id="f-from_mailbox"' in page
    assert 'id="f-to_mailbox"' not in page  # the pharmacy has no mailboxes
    csrf = await doctor.csrf(form)
    chosen = {"csrf": csrf, "action": "review", "from_mailbox": shared.mailbox_id.hex()}
    status, review, sealed = await post(doctor, form, {**chosen, **HANDOFF})
    assert status == 200
    assert "Depuis la boîte : Secrétariat" in review
    status, _, _ = await post(doctor, form, {**sealed, "action": "send"})
    assert status == 303
    with acting_as(people["Alice"]):  # it left from Secrétariat: Alice sees it
        (sent,) = await node.core.reading.shown(MessageQuery(direction="out"))
    assert sent.mailbox == shared.mailbox_id

    # Alice is not in Dr Martin's mailbox: a handoff from it is refused, with words.
    alice = await clinic.browser("Alice")
    csrf = await alice.csrf(form)
    forged = {"csrf": csrf, "action": "review", "from_mailbox": personal.mailbox_id.hex()}
    status, page, _ = await post(alice, form, {**forged, **HANDOFF})
    assert status == 403
    assert "Vous n'êtes pas dans cette boîte" in page
    assert len(await node.core.reading.shown(MessageQuery(direction="out"))) == 1


async def test_a_prescription_leaves_only_from_the_clinicians_own_mailbox(clinic: Clinic) -> None:
    node, pharmacy = clinic.practice.node, clinic.pharmacy
    book = node.core.mailboxes
    people = clinic.practice.people
    shared, personal = book.resolve("Secrétariat"), book.resolve("Dr Martin")
    await book.change_members("Secrétariat", add=[people["Claire Martin"].account_id])
    form = f"/c/{pharmacy.node_id.hex()}/prescription"
    day = today_utc(node.ctx.clock()).isoformat()

    doctor = await clinic.browser("Claire Martin")
    status, page, _ = await doctor.get(form)
    assert status == 200
    # She is in two mailboxes but signs from one: no chooser, no refusal.
    assert 'id="f-from_mailbox"' not in page
    assert 'id="form-refusal"' not in page
    assert "Le prescripteur vient de votre compte" in page  # not from the node's profile
    csrf = await doctor.csrf(form)
    base = {"csrf": csrf, "action": "review", **prescription(day)}
    forged = {**base, "from_mailbox": shared.mailbox_id.hex()}
    status, page, _ = await post(doctor, form, forged)
    assert status == 403
    assert "Une ordonnance ne part que de votre boîte personnelle" in page
    assert 'id="f-from_mailbox"' in page  # the refused choice is shown with its error
    status, _, _ = await post(doctor, form, {**forged, "action": "send"})
    assert status == 400  # no review of it: nothing to send
    assert await node.core.reading.shown(MessageQuery(direction="out")) == []

    status, review, sealed = await post(doctor, form, base)
    assert status == 200
    assert "Depuis la boîte : Dr Martin" in review
    assert "10001234565" in review  # her RPPS, from her account
    assert sealed["from_mailbox"] == personal.mailbox_id.hex()
    status, page, _ = await post(
        doctor, form, {**sealed, "from_mailbox": shared.mailbox_id.hex(), "action": "send"}
    )
    assert status == 400
    assert "n'est pas celui que vous avez relu" in page
    status, _, _ = await post(doctor, form, {**sealed, "action": "send"})
    assert status == 303
    with acting_as(people["Claire Martin"]):
        (sent,) = await node.core.reading.shown(MessageQuery(direction="out"))
    assert (sent.kind, sent.mailbox) == (PayloadKind.SIGNED_PRESCRIPTION, personal.mailbox_id)
    await wait_until(lambda: pharmacy.store.message(sent.message_id))
    received = await message(pharmacy, sent.message_id)
    assert received.kind == PayloadKind.SIGNED_PRESCRIPTION
