"""The clinical documents the node refused lately (node.core.refusals), on the web client's
status screen and at the top of its conversations list (the real web client on aiohttp's
in-process test server): from whom, what, why and whom to call, in French and in English;
never a word of the refused document."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from node.core.errors import Verdict
from node.protocol import PayloadKind
from node.protocol.conversation import Meta, encode_conversation
from node.protocol.prescription_signature import sign_body
from tests.unit.node.test_node_prescriptions import (
    OTHER_RPPS,
    form,
    hand_over,
    own_prescription,
    pair,
)
from tests.unit.node.test_node_refusals import unchecked
from tests.unit.node.test_web_status import open_screen


async def test_refused_documents_show_who_what_why_and_whom_to_call(tmp_path: Path) -> None:
    gp, pharmacy, _ = await pair(tmp_path)
    screen, _ = await open_screen(pharmacy)
    try:
        _, page = await screen.get("/")
        assert 'id="refused"' not in page  # nothing refused: no section
        # A prescription in another prescriber's name, then one breaking a rule (a narcotic,
        # as a modified sender would send it).
        base = own_prescription(gp)
        impostor = replace(base, prescriber=replace(base.prescriber, rpps=OTHER_RPPS))
        await gp.core.sending.send_to(gp.contact(pharmacy), Meta(), impostor)
        assert await hand_over(gp, pharmacy) == [Verdict.GONE]
        line = {**form()["lines"][0], "medicine": "XXXXXXXX", "inn": "YYYYYYYY"}
        _, body = encode_conversation(Meta(), own_prescription(gp, lines=[line]))
        body = body.replace(b"YYYYYYYY", b"morphine")
        message_id = bytes(range(3, 19))
        body = sign_body(
            gp.ctx.identity, PayloadKind.SIGNED_PRESCRIPTION, pharmacy.node_id, message_id, body
        )
        await unchecked(gp, pharmacy, PayloadKind.SIGNED_PRESCRIPTION, body, message_id)
        assert await hand_over(gp, pharmacy) == [Verdict.MALFORMED]

        for path in ("/", "/status"):
            status, page = await screen.get(path)
            assert status == 200
            assert 'id="refused"' in page
            section = page[page.index('id="refused"') :]
            section = section[: section.index("</section>")]
            entries = section.split("<li ")[1:]
            assert len(entries) == 2
            newest, oldest = entries  # newest first
            assert f'data-message="{message_id.hex()}"' in newest
            assert "Une ordonnance de Dr Martin" in newest
            assert "Ligne 1 – médicament – Stupéfiant" in newest
            assert "le prescripteur indiqué n&#39;est pas ce contact" in oldest
            assert "Appelez Dr Martin" in oldest
            assert f'href="/c/{gp.node_id.hex()}"' in oldest
            for patient_field in ("DUPONT", "morphine", "XXXXXXXX"):
                assert patient_field not in section

        screen.client.session.cookie_jar.update_cookies({"releve_lang": "en"})
        _, page = await screen.get("/status")
        assert "Documents your node refused" in page
        assert "A prescription from Dr Martin" in page
        assert "a rule is not met: Line 1 – medicine" in page
        assert "Phone Dr Martin" in page
    finally:
        await screen.client.close()
        await gp.close()
        await pharmacy.close()
