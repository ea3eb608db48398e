"""The local API pages a long history (GET /v1/messages with ``before`` and ``next``), served by
the real assembly on aiohttp's in-process test server."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from node.protocol.conversation import Meta, TextContent
from tests.unit.node.node_support import deliver, paired, settle

TOKEN = "t" * 43
AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def test_pages_of_a_conversation_follow_each_other(tmp_path: Path) -> None:
    gp, pharmacy = await paired(tmp_path)
    client = TestClient(TestServer(pharmacy.node.local_api(TOKEN, phone=False).create_app()))
    await client.start_server()
    try:
        for index in range(25):
            await gp.core.sending.send("Pharmacie", Meta(), TextContent(f"message {index}"))
        await deliver(gp, pharmacy)
        await settle(gp, pharmacy)
        texts: list[str] = []
        cursor = None
        pages = 0
        while True:
            query = {"limit": "10", **({"before": cursor} if cursor else {})}
            response = await client.get("/v1/messages", params=query, headers=AUTH)
            assert response.status == 200
            body = await response.json()
            texts = [message["text"] for message in body["messages"]] + texts
            pages += 1
            cursor = body["next"]
            if cursor is None:
                break
        assert pages == 3
        assert texts == [f"message {index}" for index in range(25)]

        refused = await client.get("/v1/messages", params={"before": "nonsense"}, headers=AUTH)
        assert refused.status == 400
        assert (await refused.json())["error"]["code"] == "bad_request"
    finally:
        await client.close()
        await gp.close()
        await pharmacy.close()
