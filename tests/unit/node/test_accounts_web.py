"""A clinic server's web client in process (node/edges/web/screens/login.py, people.py,
sessions.py): logging in with a name and a password, no fixation, brute force slowed, a
cookie shown from another address, a disabled person logged out at once (live channel too),
the idle lock that keeps the page, the admin's page, and what a person does named in the
audit log. Browsers come from different loopback addresses (127.0.0.x) to the same server."""

from __future__ import annotations

import contextlib
import html
import json
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import nacl.pwhash.argon2id as argon2id
import pytest
from aiohttp.test_utils import TestServer
from yarl import URL

from node.core.accounts import Accounts, PasswordHasher
from node.edges.web.app import MAX_SOCKETS, WebClient
from tests.unit.node.node_support import (
    LocalNode,
    ManualClock,
    deliver,
    paired,
    settle,
    text,
    wait_until,
)

PASSWORD = "correct horse battery"


@dataclass
class Browser:
    server: TestServer
    address: str = "127.0.0.1"
    session: aiohttp.ClientSession = field(init=False)

    def __post_init__(self) -> None:
        connector = aiohttp.TCPConnector(local_addr=(self.address, 0), force_close=True)
        self.session = aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)
        )

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    async def get(self, path: str, **headers: str) -> tuple[int, str, str | None]:
        async with self.session.get(
            self.url(path), allow_redirects=False, headers=headers
        ) as response:
            page = html.unescape(await response.text())
            return response.status, page, response.headers.get("Location")

    async def post(
        self, path: str, data: dict[str, str], **headers: str
    ) -> tuple[int, str, str | None]:
        headers = {"Origin": f"http://{self.host}", **headers}
        async with self.session.post(
            self.url(path), data=data, headers=headers, allow_redirects=False
        ) as response:
            page = await response.text()
            return response.status, page, response.headers.get("Location")

    def cookie(self) -> str | None:
        for morsel in self.session.cookie_jar:
            if morsel.key.startswith("releve_session_"):
                return morsel.value
        return None

    async def csrf(self, path: str = "/account") -> str:
        status, page, _ = await self.get(path)
        assert status == 200, page
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found is not None
        return found[1]

    async def log_in(self, name: str, password: str = PASSWORD) -> tuple[int, str, str | None]:
        return await self.post("/login", {"name": name, "password": password, "next": "/"})


@dataclass
class Server:
    node: LocalNode
    peer: LocalNode
    clock: ManualClock
    accounts: Accounts
    web: WebClient
    test_server: TestServer
    browsers: list[Browser] = field(default_factory=list)

    def browser(self, address: str = "127.0.0.1") -> Browser:
        browser = Browser(self.test_server, address)
        self.browsers.append(browser)
        return browser

    async def person(self, name: str, role: str = "secretary", rpps: str | None = None) -> str:
        setup = await self.accounts.add(name, role, rpps)
        await self.accounts.set_password(setup.code, PASSWORD)
        return setup.account.account_id

    async def audit(self) -> list[dict[str, Any]]:
        return [json.loads(line) async for line in self.node.store.audit_lines()]


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    clock = ManualClock()
    node, peer = await paired(tmp_path, clock=clock)
    # The node's own accounts (the mailboxes know the same people), hashing quickly.
    accounts = node.node.accounts
    assert accounts is not None
    accounts.hasher = PasswordHasher(argon2id.OPSLIMIT_MIN, argon2id.MEMLIMIT_MIN)
    web_client = WebClient(node.core, accounts=accounts)
    test_server = TestServer(web_client.create_app(), host="127.0.0.1")
    await test_server.start_server()
    assert test_server.port is not None
    web_client.serve_on(test_server.port)
    served = Server(node, peer, clock, accounts, web_client, test_server)
    yield served
    for browser in served.browsers:
        await browser.session.close()
    await test_server.close()
    await node.close()
    await peer.close()


async def test_a_page_asks_for_a_login_and_links_open_nothing(server: Server) -> None:
    browser = server.browser()
    status, _, location = await browser.get("/c/00")
    assert status == 303
    assert location == "/login?next=%2Fc%2F00"
    status, page, _ = await browser.get("/login")
    assert status == 200
    assert 'name="password"' in page
    # `releve ouvrir` on a clinic server gives the login page, not a session.
    link, _ = server.web.mint_login()
    assert link.endswith("/login")
    status, page, _ = await browser.get("/login?token=" + "A" * 43)
    assert status == 200
    assert browser.cookie() is None


async def test_setup_then_login_then_pages(server: Server) -> None:
    setup = await server.accounts.add("Dr Camille Martin", "clinician", "10001234565")
    link = server.web.setup_link(setup.code)
    assert link is not None
    browser = server.browser()
    status, page, _ = await browser.get(link.split(browser.host, 1)[1])
    assert status == 200
    assert "Dr Camille Martin" in page
    status, page, _ = await browser.post(
        "/setup", {"code": setup.code, "password": PASSWORD, "again": PASSWORD + "x"}
    )
    assert status == 400
    status, _, location = await browser.post(
        "/setup", {"code": setup.code, "password": PASSWORD, "again": PASSWORD}
    )
    assert (status, location) == (303, "/login?done=1")
    # The code is spent.
    status, _, _ = await browser.post(
        "/setup", {"code": setup.code, "password": PASSWORD, "again": PASSWORD}
    )
    assert status == 403
    status, _, location = await browser.log_in("dr camille martin")
    assert (status, location) == (303, "/")
    status, page, _ = await browser.get("/")
    assert status == 200
    assert "Dr Camille Martin" in page
    assert 'data-lock="600"' in page  # the default idle lock: 10 minutes


async def test_login_rotates_the_session_no_fixation(server: Server) -> None:
    await server.person("Anne")
    await server.person("Bruno")
    attacker = server.browser()
    await attacker.log_in("Anne")
    planted = attacker.cookie()
    assert planted is not None
    # The attacker plants their own session's cookie in the victim's browser...
    victim = server.browser()
    victim.session.cookie_jar.update_cookies(
        {f"releve_session_{server.test_server.port}": planted},
        URL(victim.url("/")),
    )
    status, _, _ = await victim.log_in("Bruno")
    assert status == 303
    # ...the victim gets a fresh one, and the planted one is over.
    assert victim.cookie() not in (None, planted)
    status, _, location = await attacker.get("/account")
    assert status == 303
    assert location is not None
    assert location.startswith("/login")
    status, page, _ = await victim.get("/account")
    assert status == 200
    assert "Bruno" in page


async def test_brute_force_is_slowed_and_logged_without_the_password(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    account_id = await server.person("Anne")
    browser = server.browser()
    caplog.set_level(logging.WARNING)
    for n in range(5):
        status, page, _ = await browser.log_in("Anne", f"guess number {n}")
        assert status == 401
        assert "incorrect" in page
    status, page, _ = await browser.log_in("Anne", PASSWORD)
    assert status == 429  # not even checked
    assert "réessayez dans" in page
    assert browser.cookie() is None
    assert "guess number" not in caplog.text
    assert account_id in caplog.text
    failed = [e for e in await server.audit() if e["event"] == "login_failed"]
    assert len(failed) == 5


async def test_a_cookie_shown_from_another_address_ends_the_session(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    account_id = await server.person("Anne")
    at_desk = server.browser("127.0.0.1")
    await at_desk.log_in("Anne")
    stolen = at_desk.cookie()
    assert stolen is not None
    elsewhere = server.browser("127.0.0.2")
    elsewhere.session.cookie_jar.update_cookies(
        {f"releve_session_{server.test_server.port}": stolen},
        URL(elsewhere.url("/")),
    )
    caplog.set_level(logging.WARNING)
    status, _, location = await elsewhere.get("/account")
    assert status == 303
    assert location is not None
    assert location.startswith("/login")
    # The policy (docs/operations.md): the session ends, for its owner too.
    status, _, _ = await at_desk.get("/account")
    assert status == 303
    assert "127.0.0.2" in caplog.text
    await wait_until(lambda: _has_event(server, "session_refused", account_id))


async def _has_event(server: Server, event: str, subject: str) -> bool:
    return any(e["event"] == event and e.get("subject") == subject for e in await server.audit())


async def test_a_disabled_person_is_logged_out_at_once_live_channel_too(server: Server) -> None:
    await server.person("Anne")
    browser = server.browser()
    await browser.log_in("Anne")
    async with browser.session.ws_connect(
        browser.url("/ws"), headers={"Origin": f"http://{browser.host}"}
    ) as socket:
        first = await socket.receive_json(timeout=10)
        assert "unread" in first
        await server.accounts.disable("Anne")
        closed = await socket.receive(timeout=10)  # at once: not at the next 30 s check
        assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert socket.close_code == 4401
    status, _, _ = await browser.get("/account")
    assert status == 303
    status, _, _ = await browser.log_in("Anne")
    assert status == 401


async def test_the_idle_lock_keeps_the_session_and_asks_for_the_password(
    server: Server,
) -> None:
    await server.person("Anne")
    browser = server.browser()
    await browser.log_in("Anne")
    csrf = await browser.csrf()
    cookie = browser.cookie()
    server.clock.advance(9 * 60)
    status, _, _ = await browser.post("/activity", {"csrf": csrf})  # typing keeps it open
    assert status == 200
    server.clock.advance(9 * 60)
    status, _, _ = await browser.get("/account")
    assert status == 200
    server.clock.advance(10 * 60 + 1)
    status, _, location = await browser.get("/account")
    assert (status, location) == (303, "/unlock?next=%2Faccount")
    status, _, _ = await browser.get("/", **{"X-Releve-Part": "live"})
    assert status == 423  # the page's script keeps the page and asks
    status, _, _ = await browser.post("/activity", {"csrf": csrf})
    assert status == 423
    status, body, _ = await browser.post(
        "/unlock", {"csrf": csrf, "password": "not it at all"}, Accept="application/json"
    )
    assert status == 401
    assert json.loads(body)["ok"] is False
    status, body, _ = await browser.post(
        "/unlock", {"csrf": csrf, "password": PASSWORD}, Accept="application/json"
    )
    assert status == 200
    assert json.loads(body) == {"ok": True, "error": "", "csrf": csrf}
    # The same session, the same CSRF token: the half-written form is sent as it was.
    assert browser.cookie() == cookie
    status, _, _ = await browser.post("/language", {"csrf": csrf, "lang": "en", "next": "/"})
    assert status == 303
    events = [e["event"] for e in await server.audit()]
    assert "unlocked" in events


async def test_only_an_admin_manages_people(server: Server) -> None:
    await server.person("Anne")
    await server.person("Alice Admin", "admin")
    secretary = server.browser()
    await secretary.log_in("Anne")
    status, _, _ = await secretary.get("/users")
    assert status == 403
    admin = server.browser("127.0.0.3")
    await admin.log_in("Alice Admin")
    csrf = await admin.csrf("/users")
    status, page, _ = await admin.post(
        "/users", {"csrf": csrf, "name": "Dr Paul Durand", "role": "clinician", "rpps": ""}
    )
    assert status == 201
    assert "/setup?code=" in page
    anne = server.accounts.resolve("Anne")
    status, _, _ = await admin.post(f"/users/{anne.account_id}/disable", {"csrf": csrf})
    assert status == 303
    status, _, _ = await secretary.get("/")
    assert status == 303  # logged out
    entries = await server.audit()
    admin_actor = server.accounts.resolve("Alice Admin").actor
    disabled = [e for e in entries if e["event"] == "user_disabled"]
    assert disabled[-1]["actor"] == admin_actor
    assert disabled[-1]["subject"] == anne.account_id


async def test_what_a_person_reads_names_them_and_they_list_it(server: Server) -> None:
    account_id = await server.person("Anne")
    await server.peer.core.sending.send(server.node.node_id.hex(), *text("Bonjour"))
    await deliver(server.peer, server.node)
    await settle(server.node, server.peer)
    browser = server.browser()
    await browser.log_in("Anne")
    status, _, _ = await browser.get(f"/c/{server.peer.node_id.hex()}")
    assert status == 200
    entries = await server.audit()
    mine = [e for e in entries if e["actor"] == f"account:{account_id}"]
    assert {"login", "read"} <= {e["event"] for e in mine}
    status, page, _ = await browser.get("/account")
    assert status == 200
    assert 'data-event="read"' in page
    assert "message lu" in page
    assert (await server.node.store.verify_audit()).ok


async def test_a_person_ends_their_other_session(server: Server) -> None:
    await server.person("Anne")
    first, second = server.browser(), server.browser("127.0.0.4")
    await first.log_in("Anne")
    await second.log_in("Anne")
    status, page, _ = await first.get("/account")
    handles = re.findall(r'data-handle="([0-9a-f]+)"', page)
    assert len(handles) == 2
    other = [h for h in handles if "127.0.0.4" in page.split(f'data-handle="{h}"', 1)[1][:40]]
    csrf = await first.csrf()
    async with second.session.ws_connect(
        second.url("/ws"), headers={"Origin": f"http://{second.host}"}
    ) as socket:
        await socket.receive_json(timeout=10)
        status, _, _ = await first.post("/account/sessions/end", {"csrf": csrf, "handle": other[0]})
        assert status == 303
        closed = await socket.receive(timeout=10)  # its live channel closes at once
        assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert socket.close_code == 4401
    status, _, _ = await second.get("/account")
    assert status == 303
    status, _, _ = await first.get("/account")
    assert status == 200


async def test_a_person_in_no_mailbox_sees_an_empty_list(server: Server) -> None:
    """A new person not yet in any of the practice's mailboxes: an empty list, not an error."""
    await server.person("Anne")
    await server.person("Bob")
    await server.node.core.mailboxes.add("Secrétariat", "shared", ["Bob"])
    browser = server.browser()
    await browser.log_in("Anne")
    status, _, _ = await browser.get("/")
    assert status == 200


async def test_unlocking_without_javascript(server: Server) -> None:
    await server.person("Anne")
    browser = server.browser()
    await browser.log_in("Anne")
    csrf = await browser.csrf()
    server.clock.advance(10 * 60 + 1)
    status, _, location = await browser.get("/account")
    assert (status, location) == (303, "/unlock?next=%2Faccount")
    status, page, _ = await browser.get("/unlock?next=%2Faccount")
    assert status == 200
    assert 'name="password"' in page
    assert "Anne" in page
    status, page, _ = await browser.post(
        "/unlock", {"csrf": csrf, "password": "wrong password", "next": "/account"}
    )
    assert status == 401
    assert "incorrect" in page
    status, _, location = await browser.post(
        "/unlock", {"csrf": csrf, "password": PASSWORD, "next": "//evil.example/x"}
    )
    assert (status, location) == (303, "/")  # only our own paths
    status, _, _ = await browser.get("/account")
    assert status == 200
    # Logging out of a locked screen works too.
    server.clock.advance(10 * 60 + 1)
    status, _, _ = await browser.post("/logout", {"csrf": csrf})
    assert status == 303
    assert browser.cookie() in (None, "")
    account_id = server.accounts.resolve("Anne").account_id
    await wait_until(lambda: _has_event(server, "logout", account_id))
    events = [e["event"] for e in await server.audit()]
    assert events[-3:] == ["login_failed", "unlocked", "logout"]  # a wrong unlock counts


async def test_the_doors_speak_english_on_request(server: Server) -> None:
    setup = await server.accounts.add("Anne", "secretary")
    browser = server.browser()
    status, _, location = await browser.get("/login?lang=en&next=%2Faccount")
    assert (status, location) == (303, "/login?next=%2Faccount")
    status, page, _ = await browser.get("/login?next=%2Faccount")
    assert "Log in with your name and your password." in page
    status, _, location = await browser.get(f"/setup?code={setup.code}&lang=fr")
    assert location == f"/setup?code={setup.code}"
    status, page, _ = await browser.get(location)
    assert "Choisir votre mot de passe" in page


async def test_a_person_changes_their_password_and_their_other_sessions_end(
    server: Server,
) -> None:
    await server.person("Anne")
    here, there = server.browser(), server.browser("127.0.0.5")
    await here.log_in("Anne")
    await there.log_in("Anne")
    csrf = await here.csrf()
    new = "another long passphrase"
    status, page, _ = await here.post(
        "/account/password", {"csrf": csrf, "current": "wrong one", "password": new, "again": new}
    )
    assert status == 401
    status, page, _ = await here.post(
        "/account/password",
        {"csrf": csrf, "current": PASSWORD, "password": "short", "again": "short"},
    )
    assert status == 400
    status, _, location = await here.post(
        "/account/password", {"csrf": csrf, "current": PASSWORD, "password": new, "again": new}
    )
    assert (status, location) == (303, "/account?changed=1#password-title")
    status, page, _ = await here.get("/account?changed=1")
    assert status == 200  # this session stays
    assert 'id="password-changed"' in page
    status, _, _ = await there.get("/account")
    assert status == 303  # the other one ended
    status, _, _ = await there.log_in("Anne")
    assert status == 401  # the old password no longer works
    status, _, _ = await there.log_in("Anne", new)
    assert status == 303
    events = [e["event"] for e in await server.audit()]
    assert events.count("password_set") == 2  # chosen with the setup code, then changed


async def test_a_clinic_server_holds_more_live_channels_than_a_single_users_node(
    server: Server,
) -> None:
    """A practice's tabs: well over the single-user node's 64 live channels (bench.clinic
    found 50 sessions' tabs would not fit)."""
    await server.person("Anne")
    browser = server.browser()
    await browser.log_in("Anne")
    wanted = MAX_SOCKETS + 16
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(wanted):
            socket = await stack.enter_async_context(
                browser.session.ws_connect(
                    browser.url("/ws"), headers={"Origin": f"http://{browser.host}"}
                )
            )
            assert "unread" in await socket.receive_json(timeout=30)
        assert server.web.hub.subscribers == wanted
