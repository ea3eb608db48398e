"""Search (node.core.search): by the contact's name, the patient's names and the text, case and
accents ignored, over the newest messages only (a bounded scan: nothing indexed on disk), at
most MAX_RESULTS results, newest first; probes and receipts are never messages to find."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from node.core import search as search_module
from node.core.errors import Invalid
from node.core.search import MAX_QUERY, NAME, PATIENT, TEXT, fold, search
from node.protocol.conversation import Meta, Priority, content_from_json
from tests.unit.node.node_support import ManualClock, MemoryNetwork, deliver, paired, settle, text
from tests.unit.node.test_node_prescriptions import NOW, TODAY
from tests.unit.protocol.test_protocol_clinical import handoff_json, patient_json


def test_folding_ignores_case_and_accents() -> None:
    assert fold("Hélène ÉLOÏSE Œdipe") == fold("helene eloise œdipe")
    assert fold("Zéphyr") == "zephyr"


async def test_by_patient_contact_and_text(tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), clock)
    try:
        patient = patient_json(birth_name="LEFÈVRE", first_names="Hélène", ins_status="qualified")
        handoff = content_from_json("handoff", handoff_json(patient=patient), TODAY)
        about = await gp.core.sending.send("Pharmacie", Meta(Priority.URGENT), handoff)
        await deliver(gp, pharmacy)
        clock.advance(1)  # listed when received: one second apart
        note = await gp.core.sending.send("Pharmacie", *text("Rappeler Mme Lefèvre demain"))
        await deliver(gp, pharmacy)
        clock.advance(1)
        other = await gp.core.sending.send("Pharmacie", *text("Stock de vaccins ?"))
        await deliver(gp, pharmacy)
        await settle(gp, pharmacy)
        await pharmacy.core.readiness.check(timeout=5)  # a probe each way: never found

        found = await search(pharmacy.ctx, pharmacy.core.reading, "lefevre")
        assert [hit.row.message_id for hit in found.hits] == [note.message_id, about.message_id]
        by_id = {hit.row.message_id: hit for hit in found.hits}
        assert by_id[about.message_id].matched == (PATIENT,)
        assert by_id[about.message_id].patient == "LEFÈVRE Hélène"
        assert by_id[note.message_id].matched == (TEXT,)
        assert by_id[note.message_id].excerpt == ("Rappeler Mme ", "Lefèvre", " demain")

        found = await search(pharmacy.ctx, pharmacy.core.reading, "  Dr   MARTIN ")
        assert found.query == "Dr MARTIN"
        assert {hit.row.message_id for hit in found.hits} == {
            about.message_id,
            note.message_id,
            other.message_id,
        }
        assert all(NAME in hit.matched for hit in found.hits)

        found = await search(pharmacy.ctx, pharmacy.core.reading, "neurologique")
        assert [hit.row.message_id for hit in found.hits] == [about.message_id]
        assert found.hits[0].excerpt == ("Surveillance ", "neurologique", " 24 h.")
        assert (await search(pharmacy.ctx, pharmacy.core.reading, "introuvable")).hits == []
    finally:
        await gp.close()
        await pharmacy.close()


async def test_the_scan_and_the_results_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "SCAN_LIMIT", 7)
    monkeypatch.setattr(search_module, "PAGE", 3)
    monkeypatch.setattr(search_module, "MAX_RESULTS", 4)
    clock = ManualClock(NOW)
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), clock)
    try:
        sent = []
        for n in range(10):
            clock.advance(1)
            sent.append(await gp.core.sending.send("Pharmacie", *text(f"message {n}")))
        found = await search(gp.ctx, gp.core.reading, "message")
        newest_first = [row.message_id for row in reversed(sent)]
        assert [hit.row.message_id for hit in found.hits] == newest_first[:4]
        assert found.more
        found = await search(gp.ctx, gp.core.reading, "message 2")  # 8th newest: not scanned
        assert found.hits == []
        assert found.scanned == 7
        found = await search(gp.ctx, gp.core.reading, "message 3")  # 7th newest: scanned
        assert [hit.row.message_id for hit in found.hits] == [sent[3].message_id]
    finally:
        await gp.close()
        await pharmacy.close()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "query_too_short"),
        (" a ", "query_too_short"),
        ("x" * (MAX_QUERY + 1), "query_too_long"),
    ],
)
async def test_a_query_is_bounded(tmp_path: Path, query: str, code: str) -> None:
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), ManualClock(NOW))
    try:
        with pytest.raises(Invalid) as refused:
            await search(gp.ctx, gp.core.reading, query)
        assert refused.value.code == code
    finally:
        await gp.close()
        await pharmacy.close()


async def test_the_local_api_searches_too(tmp_path: Path) -> None:
    clock = ManualClock(NOW)
    gp, pharmacy = await paired(tmp_path, MemoryNetwork(), clock)
    token = "t" * 43
    client = TestClient(TestServer(gp.node.local_api(token, phone=False).create_app()))
    await client.start_server()
    try:
        sent = await gp.core.sending.send("Pharmacie", *text("Ordonnance de Mme Dupont"))
        auth = {"Authorization": f"Bearer {token}"}
        response = await client.post("/v1/search", json={"query": "DUPONT"}, headers=auth)
        assert response.status == 200
        body = await response.json()
        assert (body["query"], body["more"], body["scanned"]) == ("DUPONT", False, 1)
        (result,) = body["results"]
        assert result["message"]["message_id"] == sent.message_id.hex()
        assert result["matched"] == ["text"]
        assert result["excerpt"] == ["Ordonnance de Mme ", "Dupont", ""]
        refused = await client.post("/v1/search", json={"query": "d"}, headers=auth)
        assert refused.status == 400
        assert (await refused.json())["error"]["code"] == "query_too_short"
        status = await (await client.get("/v1/status", headers=auth)).json()
        (line,) = status["outbox"]["by_contact"]
        assert (line["pending"], line["handed"]) == (1, 0)
        assert line["oldest_at"] is not None
    finally:
        await client.close()
        await gp.close()
        await pharmacy.close()
