"""Every kind of message the node stores has its name on the web client's screens, in French
and English, and a backup contact's delay alert (docs/protocol.md §18.9) reads in words in the
conversation: who wrote to whom, since when, whom to call; never what the message said."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from node.edges.web.texts import TEXTS
from node.protocol import PayloadKind
from node.protocol.conversation import CONVERSATION_KINDS, TextContent, kind_name
from tests.unit.node.node_support import ManualClock, deliver
from tests.unit.node.test_node_escalation import SECRET, URGENT, close, three
from tests.unit.node.test_web_status import open_screen


def test_every_stored_kind_has_a_name_in_both_languages() -> None:
    names = {kind_name(PayloadKind(kind)) for kind in CONVERSATION_KINDS}
    assert {"text", "handoff", "prescription", "read_back", "escalation"} <= names
    for name in names:
        french, english = TEXTS[f"kind.{name}"]
        assert french
        assert english


async def test_a_delay_alert_reads_in_words_without_the_message(tmp_path: Path) -> None:
    clock = ManualClock()
    settings: dict[str, Any] = {"backup_contact": "Dr Durand", "backup_after_minutes": 30.0}
    gp, pharmacy, backup = await three(tmp_path, clock, {}, settings)
    screen = None
    try:
        await gp.core.sending.send("Pharmacie", URGENT, TextContent(SECRET))
        await deliver(gp, pharmacy)
        clock.advance(31 * 60)
        assert await pharmacy.core.escalation.check() == 1
        assert await deliver(pharmacy, backup) == 1
        screen, _ = await open_screen(backup)  # logged in now: past the session's idle limit
        _, page = await screen.get(f"/c/{pharmacy.node_id.hex()}")
        assert '<span class="kind">Alerte de délai</span>' in page
        assert "un message urgent de Dr Martin à Pharmacie du Port" in page
        assert "attend depuis 31 min" in page
        assert "Vous êtes le contact de secours : appelez Dr Martin" in page
        assert "DUPONT" not in page
        _, page = await screen.get("/")
        assert "Alerte de délai" in page  # the list's preview names the kind
    finally:
        if screen is not None:
            await screen.client.close()
        await close(gp, pharmacy, backup)
