"""Adversaries, each with its expected refusal (issue 7, "Hostile input"): a stranger at the
peer endpoint, a replayed envelope, a relay that reorders, duplicates, drops and replays
blobs, a relay client reading a mailbox without its key, and a peer that floods."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import nacl.bindings as sodium
import pytest
from aiohttp import web

from node.edges.peer_wire import decode_batch, encode_batch
from node.paths import HomeLayout
from node.protocol import (
    Identity,
    Invitation,
    RatchetMessage,
    SealedAnswer,
    seal_packet,
    system_random,
)
from node.protocol import relay_wire as rp
from node.protocol.ratchet import Header
from node.storage import keystore
from relay.config import RelayConfig
from tests.hostile.inprocess import InProcessRelay
from tests.hostile.malicious_relay import MaliciousRelay
from tests.integration.nodes import Node, Relay, outbox_empty, pair, wait_for

pytestmark = pytest.mark.integration

# Bound on each wait for a condition (a message shown, an outbox empty, a relay drained): it
# ends as soon as the condition holds; generous, for a loaded machine answers late.
WAIT_SECONDS = 300.0


def post(url: str, data: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


def identity_of(node: Node) -> Identity:
    """The node's private identity, as its daemon unlocks it (unattended home)."""
    return keystore.unlock(HomeLayout(node.home), None).identity


def texts_of(node: Node) -> list[str]:
    return [m["text"] for m in node.received()]


@pytest.fixture
def paired(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    try:
        for node in (gp, pharmacy):
            node.init()
            node.start()
        pair(gp, pharmacy)
        yield gp, pharmacy
    finally:
        for node in (gp, pharmacy):
            if node.process is not None:
                node.kill()


# --- an unpaired node ------------------------------------------------------------------------


def test_unpaired_node_is_refused_with_a_logged_reason(paired: tuple[Node, Node]) -> None:
    gp, pharmacy = paired
    message = gp.send("Pharmacie du Port", "avant l'intrus")
    wait_for(lambda: len(pharmacy.received()) == 1, WAIT_SECONDS, "the genuine message")
    keys = Invitation.from_text(pharmacy.request("POST", "/v1/invitations", {})["text"]).inviter
    url = pharmacy.peer_url + "/v1/packet"

    # A stranger with its own identity: not a contact.
    stranger = Identity.generate(system_random)
    forged = RatchetMessage(stranger.public.node_id, Header(os.urandom(32), 0, 0), os.urandom(80))
    status, _ = post(url, seal_packet(forged, keys.dh_key, system_random))
    assert status == 403
    # The stranger claims the GP's node id, without the GP's session keys.
    gp_id = bytes.fromhex(pharmacy.contacts()[0]["contact_id"])
    impostor = RatchetMessage(gp_id, Header(os.urandom(32), 0, 0), os.urandom(80))
    status, _ = post(url, seal_packet(impostor, keys.dh_key, system_random))
    assert status == 400
    # A pairing answer to an invitation nobody issued.
    answer = SealedAnswer(os.urandom(16), os.urandom(200))
    status, _ = post(url, seal_packet(answer, keys.dh_key, system_random))
    assert status == 410

    log = (pharmacy.home / "node.log").read_text()
    assert "packet from an unknown sender" in log
    assert "message refused (decryption_failed)" in log
    assert "answer to an unknown or expired invitation" in log
    assert [m["message_id"] for m in pharmacy.received()] == [message["message_id"]]
    assert [c["name"] for c in pharmacy.contacts()] == ["Dr Camille Martin"]


# --- a replayed envelope ----------------------------------------------------------------------


def test_replayed_envelope_is_shown_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A man in the middle on the LAN records every packet the GP sends and posts each one
    again, alone and in batches, once they were delivered: each is answered "duplicate",
    nothing is shown twice."""
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    with Tap() as tap:
        try:
            for node in (gp, pharmacy):
                node.init()
            gp.start()
            # The pharmacy advertises the tap's address: everything for it goes through it.
            monkeypatch.setenv("RELEVE_ADVERTISE", f"127.0.0.1:{tap.port}")
            pharmacy.start()
            monkeypatch.delenv("RELEVE_ADVERTISE")
            # The harness reads the advertised port; the bound one is in the node's log.
            log = (pharmacy.home / "node.log").read_text()
            tap.target = int(log.split("peer endpoint listening on 127.0.0.1 port ")[-1].split()[0])
            pharmacy.port = tap.target
            pair(pharmacy, gp)
            texts = [f"renouvellement {i}" for i in range(5)]
            for text in texts:
                gp.send("Pharmacie du Port", text)
            wait_for(lambda: set(texts) <= set(texts_of(pharmacy)), WAIT_SECONDS, "five messages")
            wait_for(lambda: gp.status()["outbox"]["pending"] == 0, WAIT_SECONDS, "their receipts")
            captured = [
                packet
                for path, body in tap.bodies
                for packet in (decode_batch(body) if path == "/v1/packets" else [body])
            ]
            assert len(captured) >= 6  # the pairing answer, the five texts (and retries)
            before = pharmacy.received()
            url = pharmacy.peer_url
            for packet in captured:
                status, body = post(url + "/v1/packet", packet)
                assert (status, body) == (200, b'{"status": "duplicate"}'), (status, body)
            status, body = post(url + "/v1/packets", encode_batch(captured[:32] * 2))
            assert status == 200
            assert b"stored" not in body
            # What the replays set off (the receipts they owe, sent again) is over once a
            # message sent after them has arrived and every receipt has come back.
            probe = "envoyé après les rejeux"
            gp.send("Pharmacie du Port", probe)
            wait_for(
                lambda: probe in texts_of(pharmacy),
                WAIT_SECONDS,
                "a message sent after the replays",
            )
            wait_for(
                lambda: outbox_empty(gp) and outbox_empty(pharmacy),
                WAIT_SECONDS,
                "the receipts owed for the replays and that message",
            )
            after = pharmacy.received()
        finally:
            for node in (gp, pharmacy):
                if node.process is not None:
                    node.kill()
    assert after[: len(before)] == before  # the replays changed nothing
    assert [m["text"] for m in after] == [*texts, probe]


class Tap:
    """Listens on a port of its own, records every request body, forwards it to
    ``target`` and answers what the target answered."""

    def __init__(self) -> None:
        self.target: int | None = None
        self.port = 0
        self.bodies: list[tuple[str, bytes]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    def __enter__(self) -> Tap:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=WAIT_SECONDS)
        return self

    async def _start(self) -> None:
        self._http = aiohttp.ClientSession()
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_post("/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        assert site._server is not None
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.bodies.append((request.path, body))
        assert self._http is not None
        assert self.target is not None
        url = f"http://127.0.0.1:{self.target}{request.path}"
        async with self._http.post(url, data=body) as response:
            answer = await response.read()
            return web.Response(
                body=answer, status=response.status, content_type="application/json"
            )

    async def _stop(self) -> None:
        assert self._runner is not None
        assert self._http is not None
        await self._runner.cleanup()
        await self._http.close()

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=WAIT_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


# --- a malicious relay ------------------------------------------------------------------------


def test_malicious_relay_cannot_lose_duplicate_or_reorder(tmp_path: Path) -> None:
    relay = Relay(tmp_path / "relay.log")
    relay.start()
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    assert relay.port is not None
    try:
        with MaliciousRelay(relay.port, "hostile relay") as evil:
            for node in (gp, pharmacy):
                node.init()
                node.start("--relay", evil.url, listen=False)
            pair(gp, pharmacy)
            texts = [f"via un relais hostile {i}" for i in range(40)]
            back = [f"réponse {i}" for i in range(10)]
            for text in texts:
                gp.send("Pharmacie du Port", text)
            for text in back:
                pharmacy.send("Dr Camille Martin", text)

            def settled(node: Node, count: int) -> list[dict[str, Any]] | None:
                received = node.received()
                return received if len(received) >= count else None

            received = wait_for(lambda: settled(pharmacy, 40), WAIT_SECONDS, "40 messages", 0.5)
            answers = wait_for(lambda: settled(gp, 10), WAIT_SECONDS, "10 answers", 0.5)
            wait_for(
                lambda: gp.status()["outbox"]["pending"] == 0, WAIT_SECONDS, "every receipt", 0.5
            )
            # Replays keep coming: four more rounds, each taken and acknowledged by its
            # owner (the relay then holds nothing), and still exactly once.
            replayed = evil.stats["replays_forwarded"]
            wait_for(
                lambda: evil.stats["replays_forwarded"] >= replayed + 8,
                WAIT_SECONDS,
                "four more replays",
            )
            wait_for(
                lambda: relay.health()["blobs"] == 0, WAIT_SECONDS, "the replays to be acknowledged"
            )
            stats = dict(evil.stats)
            received, answers = pharmacy.received(), gp.received()
    finally:
        for node in (gp, pharmacy):
            if node.process is not None:
                node.kill()
        relay.kill()
    print(f"malicious relay: {stats}")
    for what in (
        "dropped",
        "held",
        "reordered",
        "duplicated",
        "replayed",
        "pushed_twice",
        "pushed_late",
    ):
        assert stats.get(what, 0) > 0, what
    for got, expected in ((received, texts), (answers, back)):
        assert [m["text"] for m in got] == expected  # exactly once, in the sender's order
        assert len({m["message_id"] for m in got}) == len(expected)


# --- a relay client without the mailbox key ---------------------------------------------------


# The bound on waiting for a frame the relay owes: generous, for it is a wait on a condition
# (the frame arrives as soon as the relay sends it), and a loaded machine answers late.
FRAME_SECONDS = 60.0
# How long a subscriber listens for a blob that must not come (after a WELCOME that says no
# blob waits: the count is the proof, this window a second look).
SILENCE_SECONDS = 1.0


def test_relay_client_without_the_key_reads_nothing() -> None:
    owner_public, owner_secret = (bytes(k) for k in sodium.crypto_sign_seed_keypair(os.urandom(32)))
    mailbox = rp.mailbox_id_for(owner_public)
    thief_public, thief_secret = (bytes(k) for k in sodium.crypto_sign_seed_keypair(os.urandom(32)))
    relay = InProcessRelay(RelayConfig())
    try:
        thief_scenario(relay, mailbox, owner_public, owner_secret, thief_public, thief_secret)
    finally:
        relay.close()


def thief_scenario(
    relay: InProcessRelay,
    mailbox: bytes,
    owner_public: bytes,
    owner_secret: bytes,
    thief_public: bytes,
    thief_secret: bytes,
) -> None:
    blob = os.urandom(1024)
    ws_url = relay.url.replace("http", "ws") + rp.SUBSCRIBE_PATH
    # The owner's deposit capability (its contacts hold it) and one the thief makes up.
    capability, thief_capability = os.urandom(32), os.urandom(32)
    owner_hash, thief_hash = rp.deposit_hash_for(capability), rp.deposit_hash_for(thief_capability)

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with aiohttp.ClientSession() as http:
            # 0. The owner subscribed once (registering its capability's hash), then left;
            # a contact deposited.
            async with http.ws_connect(ws_url) as ws:
                challenge = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
                assert isinstance(challenge, rp.Challenge)
                auth = rp.Auth.sign(challenge.nonce, owner_public, owner_secret, owner_hash)
                await ws.send_bytes(auth.encode())
                assert isinstance(
                    rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data), rp.Welcome
                )
            async with http.post(
                relay.url + rp.DEPOSIT_PATH,
                data=rp.encode_deposits([(mailbox, capability, blob)]),
            ) as response:
                assert response.status == 200
            # 1. The owner's public key (learnt somehow) with a signature by another key,
            # registering the thief's capability for the owner's mailbox.
            async with http.ws_connect(ws_url) as ws:
                challenge = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
                assert isinstance(challenge, rp.Challenge)
                forged = rp.Auth.sign(challenge.nonce, thief_public, thief_secret, thief_hash)
                await ws.send_bytes(rp.Auth(owner_public, thief_hash, forged.signature).encode())
                seen["forged"] = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
                await ws.receive(timeout=FRAME_SECONDS)
                seen["forged_close"] = ws.close_code
            # 2. An AUTH the owner made for an earlier challenge, replayed.
            async with http.ws_connect(ws_url) as ws:
                old = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
                assert isinstance(old, rp.Challenge)
                captured = rp.Auth.sign(old.nonce, owner_public, owner_secret, owner_hash)
            async with http.ws_connect(ws_url) as ws:
                await ws.receive(timeout=FRAME_SECONDS)
                await ws.send_bytes(captured.encode())
                seen["replayed"] = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
                await ws.receive(timeout=FRAME_SECONDS)
                seen["replayed_close"] = ws.close_code
            # 3. The thief's own valid key: its own (empty) mailbox, never the owner's.
            async with http.ws_connect(ws_url) as ws:
                challenge = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
                assert isinstance(challenge, rp.Challenge)
                await ws.send_bytes(
                    rp.Auth.sign(challenge.nonce, thief_public, thief_secret, thief_hash).encode()
                )
                seen["own"] = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
                try:
                    seen["own_next"] = await ws.receive(timeout=SILENCE_SECONDS)
                except TimeoutError:
                    seen["own_next"] = None
            # 3b. Nor can it deposit into the owner's mailbox with its own capability.
            async with http.post(
                relay.url + rp.DEPOSIT_PATH,
                data=rp.encode_deposits([(mailbox, thief_capability, b"junk")]),
            ) as response:
                seen["thief_deposit"] = (await response.json())["results"]
            # 4. No HTTP way to read a mailbox.
            for method in ("GET", "DELETE"):
                async with http.request(method, relay.url + rp.single_deposit_path(mailbox)) as r:
                    seen[method] = r.status
            # 5. The owner still gets its blob.
            async with http.ws_connect(ws_url) as ws:
                challenge = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
                assert isinstance(challenge, rp.Challenge)
                await ws.send_bytes(
                    rp.Auth.sign(challenge.nonce, owner_public, owner_secret, owner_hash).encode()
                )
                seen["welcome"] = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
                seen["blob"] = rp.decode_frame((await ws.receive(timeout=FRAME_SECONDS)).data)
        return seen

    # The client runs on the relay's own loop (the relay serves while the loop runs).
    seen = relay.io.run(asyncio.wait_for(scenario(), 10 * FRAME_SECONDS))
    auth_failed = rp.ErrorCode.AUTH_FAILED
    assert seen["forged"] == rp.Error(auth_failed, "the signature does not match")
    assert seen["forged_close"] == 4000 + auth_failed
    assert isinstance(seen["replayed"], rp.Error)
    assert seen["replayed"].code == auth_failed
    assert seen["replayed_close"] == 4000 + auth_failed
    assert seen["own"] == rp.Welcome(0)
    assert seen["own_next"] is None  # nothing pushed: the owner's blob is not the thief's
    assert seen["thief_deposit"] == [{"status": 403, "error": "capability_refused"}]
    assert seen["GET"] == 405
    assert seen["DELETE"] == 405
    assert seen["welcome"] == rp.Welcome(1)
    assert isinstance(seen["blob"], rp.Blob)
    assert seen["blob"].blob == blob


# --- a peer that floods -----------------------------------------------------------------------


PEER_RATE = 20  # the pharmacy's peer_rate_per_second in this test
PEER_BURST = 40  # and its peer_rate_burst
REFUSALS_WANTED = 1_000  # the flood goes on until this many requests were refused (429)
FLOOD_BOUND_SECONDS = 180.0  # a generous bound on that, for a loaded machine


def test_flooding_peer_is_rate_limited_and_the_contact_still_gets_through(
    tmp_path: Path,
) -> None:
    gp = Node(tmp_path / "gp", "Dr Camille Martin", "gp")
    pharmacy = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    try:
        gp.init()
        pharmacy.init()
        with open(pharmacy.home / "config.toml", "a", encoding="utf-8") as config:
            config.write(
                f"\n[limits]\npeer_rate_per_second = {PEER_RATE}\npeer_rate_burst = {PEER_BURST}\n"
            )
        gp.start()
        pharmacy.start()
        pair(gp, pharmacy)
        assert pharmacy.port is not None
        # The flooder comes from 127.0.0.2 (another source address on loopback), with
        # keep-alive connections, as fast as it can, until it was refused 1,000 times and
        # the contact has sent its ten messages (a condition, not a duration: on a loaded
        # machine the flooder is slower, and a fixed 6 s made too few requests to show the
        # limit).
        answers, texts, seconds = asyncio.run(flood_while(gp, pharmacy.port))
        refused = answers.get(429, 0)
        let_through = sum(n for status, n in answers.items() if status not in (0, 429))
        print(f"flood: {dict(answers)} in {seconds:.1f} s")
        assert refused >= REFUSALS_WANTED, answers
        # The token bucket's own bound, over the flood's duration measured around it: the
        # limiter let through no more than its burst and its rate, however fast or slow the
        # flooder was (the other answers are 4xx: garbage is never stored).
        assert let_through <= PEER_BURST + PEER_RATE * seconds + 1, (answers, seconds)
        assert all(400 <= status < 500 for status in answers if status), answers
        wait_for(
            lambda: set(texts) <= set(texts_of(pharmacy)), WAIT_SECONDS, "the contact's messages"
        )
        assert (
            "refused request from 127.0.0.2: rate_limited"
            in (pharmacy.home / "node.log").read_text()
        )
        assert pharmacy.process is not None
        assert pharmacy.process.poll() is None
    finally:
        for node in (gp, pharmacy):
            if node.process is not None:
                node.kill()


async def flood_while(gp: Node, port: int) -> tuple[dict[int, int], list[str], float]:
    """Floods until :data:`REFUSALS_WANTED` refusals and the contact's messages are sent;
    returns the answers by status (0: no answer), those messages, and the flood's seconds
    (from before its first request to after its last answer)."""
    answers: dict[int, int] = {}
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0), limit=16)
    garbage = os.urandom(256)
    texts = [f"pendant l'attaque {i}" for i in range(10)]
    sent = asyncio.Event()

    def done() -> bool:
        return sent.is_set() and answers.get(429, 0) >= REFUSALS_WANTED

    async def worker(http: aiohttp.ClientSession) -> None:
        while not done():
            try:
                async with http.post(f"http://127.0.0.1:{port}/v1/packet", data=garbage) as r:
                    await r.read()
                    answers[r.status] = answers.get(r.status, 0) + 1
            except aiohttp.ClientError:
                answers[0] = answers.get(0, 0) + 1

    async def legitimate() -> None:
        for text in texts:
            await asyncio.to_thread(gp.send, "Pharmacie du Port", text)
            await asyncio.sleep(0.3)
        sent.set()

    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.wait_for(
            asyncio.gather(legitimate(), *(worker(http) for _ in range(16))),
            FLOOD_BOUND_SECONDS,
        )
    return answers, texts, time.monotonic() - started


def test_loopback_has_a_second_source_address() -> None:
    """The flood test's premise: 127.0.0.2 is usable as a source address here."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.2", 0))
