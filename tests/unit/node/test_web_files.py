"""Sending a file from the web client to a clinic server's mailboxes, in process (the practice
and the pharmacy of tests/unit/node/test_mailbox_web.py): the pharmacy's form offers the
practice's mailboxes and the file lands in the one chosen; on the practice, a person picks the
mailbox they send from, and one they are not in is refused in words, nothing sent."""

from __future__ import annotations

import aiohttp
from aiohttp.test_utils import TestServer

from node.core.accounts import acting_as
from node.core.ports import MessageQuery
from node.edges.web.app import WebClient
from tests.unit.node.node_support import message, wait_until
from tests.unit.node.test_accounts_web import Browser
from tests.unit.node.test_mailbox_web import Clinic, clinic  # noqa: F401 (the fixture)

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40


async def _post_file(browser: Browser, path: str, fields: dict[str, str]) -> tuple[int, str]:
    form = aiohttp.FormData()
    form.add_field("csrf", await browser.csrf(path))
    for name, value in fields.items():
        form.add_field(name, value)
    form.add_field("file", PDF, filename="bilan.pdf", content_type="application/pdf")
    headers = {"Origin": f"http://{browser.host}"}
    async with browser.session.post(
        browser.url(path), data=form, headers=headers, allow_redirects=False
    ) as response:
        return response.status, await response.text()


async def test_a_file_to_a_practices_mailbox_and_from_ones_own(clinic: Clinic) -> None:  # noqa: F811
    node, pharmacy = clinic.practice.node, clinic.pharmacy
    await wait_until(lambda: pharmacy.contact(node).row.mailboxes is not None)
    book = node.core.mailboxes
    personal = book.resolve("Dr Martin").mailbox_id
    web_client = WebClient(pharmacy.core)  # the pharmacy's own (a single-user node)
    server = TestServer(web_client.create_app(), host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    web_client.serve_on(server.port)
    screen = Browser(server)
    clinic.browsers.append(screen)
    try:
        link, _ = web_client.mint_login()
        await screen.get(link.split(screen.host, 1)[1])
        form = f"/c/{node.node_id.hex()}/file"
        status, page, _ = await screen.get(form)
        assert status == 200
        assert 'id="to-mailbox"' in page
        assert ">Dr Martin</option>" in page
        status, _ = await _post_file(screen, form, {"to_mailbox": personal.hex()})
        assert status == 303
        (sent,) = await pharmacy.core.reading.shown(MessageQuery(direction="out"))
        await wait_until(lambda: node.store.message(sent.message_id))
        assert (await message(node, sent.message_id)).mailbox == personal
    finally:
        await server.close()

    alice = clinic.practice.people["Alice"]
    nurses = await book.add("Infirmières", "shared", [alice.account_id])
    form = f"/c/{pharmacy.node_id.hex()}/file"
    browser = await clinic.browser("Alice")
    status, page, _ = await browser.get(form)
    assert 'id="from-mailbox"' in page
    status, _ = await _post_file(browser, form, {"from_mailbox": nurses.mailbox_id.hex()})
    assert status == 303
    with acting_as(alice):
        ours = await node.core.reading.shown(MessageQuery(direction="out"))
    assert [row.mailbox for row in ours] == [nurses.mailbox_id]
    # Not a member of that mailbox: refused in words, nothing sent.
    doctor = await clinic.browser("Claire Martin")
    status, page = await _post_file(doctor, form, {"from_mailbox": nurses.mailbox_id.hex()})
    assert status == 403
    assert 'data-error="forbidden"' in page
    assert len(await node.core.reading.shown(MessageQuery(direction="out"))) == 1
