"""A handoff's INS travels with its identity status (issue #16, docs/protocol.md §18.4), on the
web client's side: the handoff form asks the status, refuses an INS without a qualified
identity in words beside the field, and the receiving node's conversation says the status
(the real web client on aiohttp's in-process test server, two paired nodes in memory)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from node.edges.web.texts import TEXTS
from tests.unit.node.node_support import MemoryNetwork, deliver, paired
from tests.unit.node.test_web_status import PHONE, open_screen

# Born in March 1956, a woman: 2 56 03 ..., key 54 = 97 - (2560375123456 mod 97).
FORM = {
    "patient.birth_name": "DUPONT",
    "patient.first_names": "Marie",
    "patient.birth_date": "1956-03-14",
    "patient.sex": "F",
    "patient.ins": "2 56 03 75 123 456 54",
    "situation": "Chute à domicile",
    "background": "HTA",
    "assessment": "Stable",
    "request": "Passage infirmier",
    "severity": "stable",
}


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return html.unescape(found[1])


async def test_the_handoff_form_sends_the_ins_status_and_the_receiver_shows_it(
    tmp_path: Path,
) -> None:
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), phone=PHONE)
    screens = []
    try:
        screen, _ = await open_screen(gp)
        screens.append(screen)
        action = f"/c/{pharmacy.node_id.hex()}/handoff"
        status, page = await screen.get(action)
        assert status == 200
        assert 'name="patient.ins_status"' in page  # the select, as on a prescription
        csrf = await screen.csrf()

        # An INS without a qualified identity is refused beside the status, in words.
        status, page = await screen.post_page(action, {**FORM, "csrf": csrf})
        assert status == 400
        assert TEXTS["reason.ins_not_qualified"][0] in html.unescape(page)
        status, page = await screen.post_page(
            action, {**FORM, "patient.ins_status": "validated", "csrf": csrf}
        )
        assert status == 400

        # Qualified: reviewed with its status, then sent.
        form = {**FORM, "patient.ins_status": "qualified", "csrf": csrf}
        status, page = await screen.post_page(action, form)
        assert status == 200, page
        assert "Identité : qualifiée" in page
        sent = {
            "csrf": csrf,
            "action": "send",
            "payload": hidden(page, "payload"),
            "priority": hidden(page, "priority"),
            "review": hidden(page, "review"),
        }
        status, _ = await screen.post_page(action, sent)
        assert status == 303
        assert await deliver(gp, pharmacy) >= 1

        received, _ = await open_screen(pharmacy)
        screens.append(received)
        _, page = await received.get(f"/c/{gp.node_id.hex()}")
        assert "Transmission" in page or "SAED" in page
        assert "Identité : qualifiée" in page
    finally:
        for each in screens:
            await each.client.close()
        await gp.close()
        await pharmacy.close()
