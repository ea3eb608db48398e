"""A clinic server with 50 people's sessions open while two contacts write to the practice: does
every session see every message it may see (and none it may not), how much memory does a
session cost the server, and how late is it told, against a single-user node with one session
(a report, not a test; issue 15).

    python -m bench.clinic              # 1,000 messages, 5 a second, 50 sessions
    python -m bench.clinic --quick      # 100 messages

Five real ``releve node`` processes on 127.0.0.1 with their default settings: two practices
that receive, each paired with the same two contacts that send ("Pharmacie du Port", "Cabinet
Lefèvre").

The clinic server ("Cabinet du Parc"): ``clinic_server = true`` in its config.toml, as
docs/operations.md says (on 127.0.0.1: a Remote Desktop server's shape, no TLS; the idle lock
set to an hour so that a long run does not lock the sessions it measures). Its operator adds
10 people with ``releve user add`` (4 doctors and 2 nurses of role clinician, 3 secretaries, 1
admin) and 6 mailboxes with ``releve mailbox add``: a personal one per doctor, "Secrétariat"
(the default) and "Infirmières" (the nurses and one doctor). Each person chooses their password
on the setup page their link opens, and logs in 5 times (name and password, ``POST /login``):
50 sessions. 49 are driven by this process (bench.clinic_tabs: the page loaded, then its
WebSocket held and its live part fetched again at each push, as the page's script does), one
is a real Chromium page (a secretary's, logged in through the form). Each session has one
conversation open, alternately with one contact and the other (Chromium: the pharmacy's).
The contacts pick a mailbox for each message in a fixed cycle (a third of them for
"Secrétariat", one in nine naming none: filed in the default).

The baseline ("Cabinet Martin"): a node made the same way, without clinic mode (no people, no
mailboxes), logged into by its one-time link (as ``releve ouvrir`` does) by one session with
two tabs: one driven by this process on the other contact's conversation, the Chromium page on
the pharmacy's. The contacts send the same texts on the same schedule (message k at k/rate
seconds from the start, the two contacts in turn), to no mailbox. The baseline runs first,
then the clinic server.

Measured, in the same run:
- per session: the messages of its person's mailboxes it was told of (a push naming it) or
  shown (in its live part), against what the contacts sent there; any other message is a leak;
- the server's memory per session: its RSS with the 50 sessions logged in and their pages
  and live channels open, minus its RSS just before (people set up, one session opened and
  closed to warm up), divided by 50;
- push latency: from the commit at the receiving node (the message's ``received_at`` in its
  database, read from outside) to the tab being told (the driven tabs: the push's arrival) or
  to the message in the page's DOM (Chromium: a MutationObserver); p50 and p99 of each,
  clinic against baseline, as a ratio.

The 49 driven tabs run in this process, on the same machine as the server: reading the live
parts they fetch at each push is work 49 workstations would do, done here on the server's
cores; this process's CPU time while the messages come is printed for each side (in the run
of 2026-12-05: 15 s in 200 s on the clinic side, 4 s on the baseline's).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
from playwright.async_api import Browser, Page, async_playwright

from bench import processes
from bench.clinic_tabs import Tab, fetch_pool, socket_pool
from bench.processes import NodeProcess
from bench.web_push import CHROMIUM, OBSERVER, percentile

TEXT: Final = "Patient vu ce jour : merci de délivrer le traitement habituel. Dr Martin"
PASSWORD: Final = "banc-d-essai-cabinet-2026"
SESSIONS_EACH: Final = 5
WAIT_SECONDS: Final = 600.0
SETTLE_SECONDS: Final = 240.0  # after the last message sent: every session has seen all by then
FETCH_CONNECTIONS: Final = 6  # the driven tabs' fetches (50 sockets + this stay below 64)
DEFAULT: Final = "Secrétariat"
# (name, role, mailboxes they are a member of)
PEOPLE: Final = (
    ("Dr Claire Martin", "clinician", ("Dr Martin",)),
    ("Dr Paul Bernard", "clinician", ("Dr Bernard",)),
    ("Dr Léa Petit", "clinician", ("Dr Petit",)),
    ("Dr Hugo Moreau", "clinician", ("Dr Moreau", "Infirmières")),
    ("Alice Durand", "secretary", ("Secrétariat",)),
    ("Bruno Lambert", "secretary", ("Secrétariat",)),
    ("Chloé Morel", "secretary", ("Secrétariat",)),
    ("Inès Roux", "clinician", ("Infirmières",)),
    ("Jules Faure", "clinician", ("Infirmières",)),
    ("Marc Leroy", "admin", ()),
)
CHROMIUM_PERSON: Final = "Alice Durand"
PERSONAL: Final = {"Dr Martin", "Dr Bernard", "Dr Petit", "Dr Moreau"}
# The mailbox each message names, in turn (None: names none, filed in the default).
CYCLE: Final = (
    "Secrétariat",
    "Dr Martin",
    "Infirmières",
    "Secrétariat",
    "Dr Bernard",
    None,
    "Secrétariat",
    "Dr Petit",
    "Dr Moreau",
)


@dataclass
class Sent:
    message_id: str
    sender: int  # 0: the pharmacy, 1: the other practice
    mailbox: str | None  # where the server files it (clinic), None for the baseline


@dataclass
class Session:
    person: str
    mailboxes: tuple[str, ...]
    tab: Tab | None = None  # driven by this process
    page: Page | None = None  # the Chromium one
    contact: int = 0  # whose conversation is open
    dom: dict[str, float] = field(default_factory=dict)


def rss(node: NodeProcess) -> int:
    assert node.process is not None
    for line in Path(f"/proc/{node.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def web_origin(node: NodeProcess) -> str:
    parts = urlsplit(node.request("POST", "/v1/web/login")["url"])
    return f"{parts.scheme}://{parts.netloc}"


def contact_id(node: NodeProcess, name: str) -> str:
    contacts = node.request("GET", "/v1/contacts")["contacts"]
    return str(next(c["contact_id"] for c in contacts if c["name"] == name))


def wait_until(check: Any, what: str, bound: float = 120) -> None:
    deadline = time.monotonic() + bound
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(0.2)


# --- the practice's people --------------------------------------------------------------------


def set_up_people(server: NodeProcess) -> dict[str, str]:
    """``releve user add`` and ``releve mailbox add``, as the operator would; returns each
    person's one-time setup code."""
    codes = {}
    for name, role, _ in PEOPLE:
        added = json.loads(server.cli("user", "add", name, "--role", role, "--json"))
        codes[name] = str(added["setup"]["code"])
    for mailbox in ("Dr Martin", "Dr Bernard", "Dr Petit", "Dr Moreau", DEFAULT, "Infirmières"):
        members = [name for name, _, theirs in PEOPLE if mailbox in theirs]
        args = ["mailbox", "add", mailbox]
        args += [arg for name in members for arg in ("--member", name)]
        if mailbox in PERSONAL:
            args.append("--personal")
        if mailbox == DEFAULT:
            args.append("--default")
        server.cli(*args)
    return codes


async def choose_password(http: aiohttp.ClientSession, origin: str, code: str) -> None:
    form = {"code": code, "password": PASSWORD, "again": PASSWORD}
    async with http.post(
        origin + "/setup", data=form, headers={"Origin": origin}, allow_redirects=False
    ) as response:
        if response.status != 303:
            raise RuntimeError(f"setup answered {response.status}")


async def log_in(http: aiohttp.ClientSession, origin: str, name: str) -> str:
    """A person's login (the form's POST); returns the session cookie as ``name=value``."""
    form = {"name": name, "password": PASSWORD, "next": "/"}
    async with http.post(
        origin + "/login", data=form, headers={"Origin": origin}, allow_redirects=False
    ) as response:
        if response.status != 303:
            raise RuntimeError(f"login of {name} answered {response.status}")
        morsel = next(m for k, m in response.cookies.items() if k.startswith("releve_session_"))
        return f"{morsel.key}={morsel.value}"


async def log_out(http: aiohttp.ClientSession, tab: Tab) -> None:
    """The logout form, with the session's CSRF token from its page."""
    async with http.get(tab.origin + "/account", headers=tab.headers) as response:
        html = await response.text()
    token = html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    async with http.post(
        tab.origin + "/logout",
        data={"csrf": token},
        headers={**tab.headers, "Origin": tab.origin},
        allow_redirects=False,
    ) as response:
        if response.status != 303:
            raise RuntimeError(f"logout answered {response.status}")


async def one_time_login(http: aiohttp.ClientSession, node: NodeProcess) -> str:
    """The single-user node's one-time link, as ``releve ouvrir`` opens it."""
    link = node.request("POST", "/v1/web/login")["url"]
    async with http.get(link, allow_redirects=False) as response:
        if response.status != 303:
            raise RuntimeError(f"login link answered {response.status}")
        morsel = next(m for k, m in response.cookies.items() if k.startswith("releve_session_"))
        return f"{morsel.key}={morsel.value}"


async def chromium_page(browser: Browser, origin: str, path: str, cookie: str | None) -> Page:
    """A Chromium tab on ``path``: logged in through the form as CHROMIUM_PERSON, or with
    the single user's ``cookie``; its socket open and the DOM watched."""
    context = await browser.new_context(base_url=origin)
    context.set_default_timeout(WAIT_SECONDS * 1000)
    if cookie is not None:
        name, value = cookie.split("=", 1)
        await context.add_cookies([{"name": name, "value": value, "url": origin}])
    page = await context.new_page()
    if cookie is None:
        await page.goto("/login")
        await page.fill("#login-name", CHROMIUM_PERSON)
        await page.fill("#login-password", PASSWORD)
        await page.click("#login-submit")
        await page.wait_for_selector("#person")
    await page.goto(path)
    await page.wait_for_selector("body[data-socket=open]", state="attached")
    await page.evaluate(OBSERVER)
    return page


async def dom_times(page: Page) -> dict[str, float]:
    seen = await page.evaluate("() => window.__seen")
    return {key[2:]: float(value) / 1000 for key, value in seen.items()}


# --- the contacts' traffic -------------------------------------------------------------------


async def send_all(
    senders: Sequence[NodeProcess],
    practice: Sequence[str],
    count: int,
    rate: float,
    clinic: bool,
) -> list[Sent]:
    """Message k at k/rate seconds from now, from sender k % 2 to ``practice[k % 2]`` (its
    contact id of the practice), naming CYCLE's mailbox when ``clinic``."""
    start = time.monotonic()
    sent: list[Sent] = []

    async def one_sender(index: int, http: aiohttp.ClientSession) -> None:
        node = senders[index]
        headers = {"Authorization": f"Bearer {node.token}"}
        for k in range(index, count, 2):
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
            body: dict[str, Any] = {"contact": practice[index], "text": f"{TEXT} ({k})"}
            named = CYCLE[k % len(CYCLE)] if clinic else None
            if named is not None:
                body["to_mailbox"] = named
            async with http.post(node.api_url + "/v1/messages", json=body, headers=headers) as r:
                answer = await r.json()
                if r.status >= 300:
                    raise RuntimeError(f"send answered {r.status}: {answer}")
            filed = (named or DEFAULT) if clinic else None
            sent.append(Sent(str(answer["message_id"]), index, filed))

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as http:
        await asyncio.gather(one_sender(0, http), one_sender(1, http))
    return sent


def committed(server: NodeProcess, sent: Sequence[Sent]) -> dict[str, float]:
    """The receiving node's commit time of each message it has (its database, read-only)."""
    found: dict[str, float] = {}
    with processes.read_only(server.database) as db:
        ids = [bytes.fromhex(s.message_id) for s in sent]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT message_id, received_at FROM messages WHERE message_id IN ({marks})",
                chunk,
            )
            found.update((bytes(row[0]).hex(), float(row[1])) for row in rows)
    return found


# --- one side of the run ---------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    sessions: list[Session]
    sent: list[Sent]
    commits: dict[str, float]
    load: str
    rss_none: int = 0
    rss_all: int = 0
    rss_after: int = 0
    cpu: float = 0.0  # this process's CPU time while the messages came (the driven tabs')
    wall: float = 0.0


def expected(session: Session, sent: Sequence[Sent], clinic: bool) -> set[str]:
    return {s.message_id for s in sent if not clinic or s.mailbox in session.mailboxes}


def visible(session: Session, sent: Sequence[Sent], clinic: bool) -> set[str]:
    """What the session could have seen: told of everything of its mailboxes; its page
    shows only its open conversation's (Chromium: the DOM, nothing else)."""
    mine = expected(session, sent, clinic)
    if session.page is not None:
        return {s.message_id for s in sent if s.message_id in mine and s.sender == session.contact}
    return mine


def seen_by(session: Session) -> dict[str, float]:
    return session.dom if session.page is not None else (session.tab or Tab("", "", "", "")).seen()


async def settle(sessions: Sequence[Session], sent: Sequence[Sent], clinic: bool) -> None:
    """Waits until every session saw what it may (or SETTLE_SECONDS)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        for session in sessions:
            if session.page is not None:
                session.dom = await dom_times(session.page)
        if all(visible(s, sent, clinic) <= set(seen_by(s)) for s in sessions):
            return
        await asyncio.sleep(0.5)


async def run_side(
    name: str,
    server: NodeProcess,
    senders: Sequence[NodeProcess],
    browser: Browser,
    count: int,
    rate: float,
    clinic: bool,
    codes: dict[str, str],
) -> Outcome:
    origin = web_origin(server)
    practice = [contact_id(s, server.name) for s in senders]
    conversations = [contact_id(server, s.name) for s in senders]
    sessions: list[Session] = []
    holders: list[asyncio.Task[None]] = []
    outcome = Outcome(name, sessions, [], {}, "")
    async with fetch_pool(FETCH_CONNECTIONS) as pages, socket_pool() as sockets:
        if clinic:
            for person in codes:
                await choose_password(pages, origin, codes[person])
            # Warm-up: one session opened, used and closed (templates, the login path).
            warm = Tab("warm-up", origin, await log_in(pages, origin, "Marc Leroy"), "/")
            await warm.open(pages)
            holder = asyncio.create_task(warm.hold(sockets, pages))
            await asyncio.wait_for(warm.opened.wait(), WAIT_SECONDS)
            await log_out(pages, warm)
            await asyncio.wait_for(holder, WAIT_SECONDS)
            await asyncio.sleep(2)
            outcome.rss_none = rss(server)
            number = 0
            for person, _, mailboxes in PEOPLE:
                for _ in range(SESSIONS_EACH):
                    sessions.append(Session(person, mailboxes, contact=number % 2))
                    number += 1
        else:
            sessions.append(Session("single user", (), contact=1))
            sessions.append(Session("single user", (), contact=0))
        single = None if clinic else await one_time_login(pages, server)
        chromium = next(
            s for s in sessions if s.person in (CHROMIUM_PERSON, "single user") and s.contact == 0
        )
        for session in sessions:
            path = f"/c/{conversations[session.contact]}"
            if session is chromium:
                session.page = await chromium_page(browser, origin, path, single)
                continue
            cookie = single or await log_in(pages, origin, session.person)
            session.tab = Tab(f"{session.person} {len(holders)}", origin, cookie, path)
            await session.tab.open(pages)
            holders.append(asyncio.create_task(session.tab.hold(sockets, pages)))
        for session in sessions:
            if session.tab is not None:
                await asyncio.wait_for(session.tab.opened.wait(), WAIT_SECONDS)
        await asyncio.sleep(2)
        outcome.rss_all = rss(server)
        before = processes.load_average()
        cpu, wall = time.process_time(), time.monotonic()
        outcome.sent = await send_all(senders, practice, count, rate, clinic)
        await settle(sessions, outcome.sent, clinic)
        outcome.cpu, outcome.wall = time.process_time() - cpu, time.monotonic() - wall
        outcome.load = f"{before} at the start, {processes.load_average()} at the end"
        outcome.rss_after = rss(server)
        outcome.commits = committed(server, outcome.sent)
        for task in holders:
            task.cancel()
        await asyncio.gather(*holders, return_exceptions=True)
        if chromium.page is not None:
            await chromium.page.context.close()
    return outcome


# --- the report ------------------------------------------------------------------------------


def latencies(outcome: Outcome, clinic: bool, dom: bool) -> list[float]:
    values = []
    for session in outcome.sessions:
        if (session.page is not None) != dom:
            continue
        times = session.dom if dom else (session.tab.told if session.tab else {})
        for message_id in visible(session, outcome.sent, clinic):
            if message_id in times and message_id in outcome.commits:
                values.append(times[message_id] - outcome.commits[message_id])
    return values


def check(outcome: Outcome, clinic: bool) -> tuple[list[str], int]:
    """One line per session: what it saw of what it may see; and the number of leaks."""
    lines = []
    leaks = 0
    everything = {s.message_id for s in outcome.sent}
    for session in outcome.sessions:
        may = visible(session, outcome.sent, clinic)
        seen = set(seen_by(session)) & everything
        leaked = seen - expected(session, outcome.sent, clinic)
        leaks += len(leaked)
        kind = "Chromium" if session.page is not None else "driven"
        told = len(set(session.tab.told) & may) if session.tab is not None else len(seen & may)
        problems = "; ".join(sorted(set(session.tab.problems))) if session.tab else ""
        lines.append(
            f"    {session.person:<17} {kind:<8} contact {session.contact}:"
            f" saw {len(seen & may):>4} of {len(may):>4}, told {told:>4},"
            f" others' {len(leaked)}{'  ' + problems if problems else ''}"
        )
    return lines, leaks


def describe(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (
        f"p50 {statistics.median(values) * 1e3:8.1f} ms"
        f"   p99 {percentile(values, 0.99) * 1e3:8.1f} ms   ({len(values)} samples)"
    )


def report(base: Outcome, clinic: Outcome, count: int, rate: float, sessions: int) -> bool:
    print(
        f"bench/clinic: {count} messages from two contacts at {rate:g}/s; a clinic server with"
        f" {sessions} sessions of {len(PEOPLE)} people against a single-user node with one"
        " session (two tabs)"
    )
    good = True
    for outcome, is_clinic in ((base, False), (clinic, True)):
        lines, leaks = check(outcome, is_clinic)
        missing = len(outcome.sent) - len(outcome.commits)
        print(f"  {outcome.name}: {len(outcome.commits)} of {len(outcome.sent)} messages committed")
        short = [line for line in lines if "saw" in line]
        complete = all(
            line.split("saw")[1].split("of")[0].strip()
            == line.split(" of ")[1].split(",")[0].strip()
            for line in short
        )
        good = good and complete and leaks == 0 and missing == 0
        for line in lines if (not complete or len(lines) <= 2) else lines[::SESSIONS_EACH]:
            print(line)
        print(
            f"    every session saw all it may: {'yes' if complete else 'NO'};"
            f" messages seen that it may not: {leaks}"
        )
        print(
            f"    this process (the driven tabs) used {outcome.cpu:.0f} s of CPU"
            f" in {outcome.wall:.0f} s ({outcome.load})"
        )
    per_session = (clinic.rss_all - clinic.rss_none) / sessions
    print(
        f"  server memory: {clinic.rss_none / 2**20:.1f} MiB with no session,"
        f" {clinic.rss_all / 2**20:.1f} MiB with {sessions}:"
        f" {per_session / 1024:.0f} KiB a session"
        f" ({clinic.rss_after / 2**20:.1f} MiB after the messages)"
    )
    for dom, what in ((False, "told (driven tabs)"), (True, "in the DOM (Chromium)")):
        one = latencies(base, False, dom)
        many = latencies(clinic, True, dom)
        print(f"  commit -> {what}")
        print(f"    single user, 1 session   {describe(one)}")
        print(f"    clinic, {sessions} sessions     {describe(many)}")
        if one and many:
            ratio = percentile(many, 0.99) / percentile(one, 0.99)
            print(f"    p99 ratio clinic / single user: {ratio:.2f}x")
    print(f"({processes.load_average()})")
    return good


async def run(count: int, rate: float, root: Path) -> int:
    env = {"RELEVE_LOCK_AFTER_MINUTES": "60"}
    base = NodeProcess(root / "single", "Cabinet Martin", "practice")
    clinic = NodeProcess(root / "clinic", "Cabinet du Parc", "practice", env)
    pharmacy = NodeProcess(root / "pharmacy", "Pharmacie du Port", "pharmacist")
    other = NodeProcess(root / "other", "Cabinet Lefèvre", "gp")
    nodes = (base, clinic, pharmacy, other)
    senders = (pharmacy, other)
    try:
        for node in nodes:
            node.init()
        config = clinic.home / "config.toml"
        config.write_text(
            config.read_text(encoding="utf-8") + "\n[web]\nclinic_server = true\n",
            encoding="utf-8",
        )
        for node in nodes:
            node.start()
        for server, sender in itertools.product((base, clinic), senders):
            server.pair_with(sender)
        codes = set_up_people(clinic)

        def told_mailboxes() -> bool:
            for sender in senders:
                listed = sender.request("GET", "/v1/contacts")["contacts"]
                card = next(c for c in listed if c["name"] == clinic.name)
                if len(card.get("mailboxes") or []) != 6:
                    return False
            return True

        wait_until(told_mailboxes, "the contacts told the practice's mailboxes")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox"]
            )
            single = await run_side(
                "single-user node", base, senders, browser, count, rate, False, {}
            )
            practice = await run_side(
                "clinic server", clinic, senders, browser, count, rate, True, codes
            )
            await browser.close()
        sessions = len(practice.sessions)
        return 0 if report(single, practice, count, rate, sessions) else 1
    finally:
        for node in nodes:
            node.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.clinic", description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=5.0, help="messages a second, in all")
    parser.add_argument("--quick", action="store_true", help="100 messages")
    args = parser.parse_args(argv)
    count = 100 if args.quick else args.messages
    with tempfile.TemporaryDirectory(prefix="releve-bench-clinic-") as tmp:
        return asyncio.run(run(count, args.rate, Path(tmp)))


if __name__ == "__main__":
    raise SystemExit(main())
