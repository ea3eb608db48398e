"""The local API's users (node/edges/api/users.py, docs/local-api.md "Users"): the operator
adds, lists, disables, enables and resets people with the bearer token; a setup code, never a
password; a disabled person's web sessions end; the operator's changes are audited as
"local" about the person; bad input gets a clear error."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nacl.pwhash.argon2id as argon2id
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from node.core.accounts import PasswordHasher
from tests.unit.node.node_support import LocalNode, local_node

TOKEN = "t" * 43
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RPPS = "10001234565"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[LocalNode, TestClient[Any, Any]]]:
    node = await local_node(tmp_path / "server", "Cabinet du Parc", "practice", clinic_server=True)
    accounts = node.node.accounts
    assert accounts is not None
    accounts.hasher = PasswordHasher(argon2id.OPSLIMIT_MIN, argon2id.MEMLIMIT_MIN)
    web_client = node.node.web_client()
    web_server = TestServer(web_client.create_app(), host="127.0.0.1")
    await web_server.start_server()
    assert web_server.port is not None
    web_client.serve_on(web_server.port)
    client: TestClient[web.Request, web.Application] = TestClient(
        TestServer(node.node.local_api(TOKEN, phone=False).create_app())
    )
    await client.start_server()
    yield node, client
    await client.close()
    await web_server.close()
    await node.close()


async def call(client: TestClient[Any, Any], method: str, path: str, body: Any = None) -> Any:
    response = await client.request(method, path, json=body, headers=AUTH)
    return response.status, await response.json()


async def test_the_operator_manages_people(
    server: tuple[LocalNode, TestClient[Any, Any]],
) -> None:
    node, client = server
    status, added = await call(
        client,
        "POST",
        "/v1/users",
        {"name": "Dr Camille Martin", "role": "clinician", "rpps": RPPS},
    )
    assert status == 201
    user, setup = added["user"], added["setup"]
    assert added["clinic_server"] is True
    assert user["role"] == "clinician"
    assert user["rpps"] == RPPS
    assert user["password_set"] is False
    assert user["setup_pending"] is True
    assert setup["url"].endswith(f"/setup?code={setup['code']}")
    assert "password" not in json.dumps(added).replace("password_set", "")

    status, listed = await call(client, "GET", "/v1/users")
    assert status == 200
    assert [u["name"] for u in listed["users"]] == ["Dr Camille Martin"]

    accounts = node.node.accounts
    assert accounts is not None
    await accounts.set_password(setup["code"], "correct horse battery")
    await accounts.log_in("Dr Camille Martin", "correct horse battery", "127.0.0.1")

    status, listed = await call(client, "GET", f"/v1/users/{user['account_id']}/actions")
    assert status == 200
    assert [a["event"] for a in listed["actions"]] == ["login", "password_set"]  # newest first
    assert listed["actions"][0]["subject"] == user["account_id"]
    status, answer = await call(client, "GET", f"/v1/users/{user['account_id']}/actions?limit=0")
    assert (status, answer["error"]["code"]) == (400, "bad_request")

    status, done = await call(client, "POST", "/v1/users/dr%20camille%20martin/disable")
    assert status == 200
    assert done["user"]["disabled"] is True
    status, done = await call(client, "POST", f"/v1/users/{user['account_id']}/enable")
    assert done["user"]["disabled"] is False
    status, reset = await call(client, "POST", f"/v1/users/{user['account_id']}/reset")
    assert status == 200
    assert reset["setup"]["code"] != setup["code"]
    assert reset["user"]["password_set"] is False

    entries = [json.loads(line) async for line in node.store.audit_lines()]
    changes = [(e["event"], e["actor"]) for e in entries if e["event"].startswith("user_")]
    assert changes == [
        ("user_added", "local"),
        ("user_disabled", "local"),
        ("user_enabled", "local"),
        ("user_reset", "local"),
    ]
    assert {e.get("subject") for e in entries if e["event"].startswith("user_")} == {
        user["account_id"]
    }


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "", "role": "secretary"}, 400, "name_invalid"),
        ({"name": "Anne", "role": "boss"}, 400, "role_invalid"),
        ({"name": "Anne", "role": "clinician", "rpps": "123"}, 400, "rpps_invalid"),
        ({"name": ["Anne"], "role": "secretary"}, 400, "name_invalid"),
        ({"name": "Anne", "role": "secretary", "rpps": 5}, 400, "rpps_invalid"),
    ],
)
async def test_bad_requests_are_refused_clearly(
    server: tuple[LocalNode, TestClient[Any, Any]], body: Any, status: int, code: str
) -> None:
    _, client = server
    got, answer = await call(client, "POST", "/v1/users", body)
    assert (got, answer["error"]["code"]) == (status, code)


async def test_unknown_and_duplicate_people(server: tuple[LocalNode, TestClient[Any, Any]]) -> None:
    _, client = server
    await call(client, "POST", "/v1/users", {"name": "Anne", "role": "secretary"})
    status, answer = await call(client, "POST", "/v1/users", {"name": "ANNE", "role": "admin"})
    assert (status, answer["error"]["code"]) == (409, "name_taken")
    status, answer = await call(client, "POST", "/v1/users/nobody/disable")
    assert (status, answer["error"]["code"]) == (404, "user_not_found")
    status, answer = await call(client, "DELETE", "/v1/web/sessions/0123456789abcdef")
    assert (status, answer["error"]["code"]) == (404, "session_not_found")
    response = await client.get("/v1/users")
    assert response.status == 401  # the bearer token, always
