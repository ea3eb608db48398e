"""The node's subscription to its mailbox on one relay: authenticate with the mailbox key
(registering the hash of our deposit capability: relay protocol version 2), take in every
blob, acknowledge it once committed (or refused for good), reconnect with backoff when the
relay goes away (docs/relay-protocol.md §6)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

import aiohttp

from node.core.errors import PeerRefused, Verdict
from node.core.outbox import backoff_delay
from node.core.ports import Clock
from node.core.receiving import Receiver
from node.edges.api.json import iso
from node.edges.mailbox import MailboxKey
from node.protocol.primitives import RandomSource
from node.protocol.relay_wire import (
    FAST_VERSION,
    MAX_ACK_IDS,
    SUBSCRIBE_PATH,
    VERSION,
    Ack,
    Blob,
    Blobs,
    Challenge,
    Error,
    RelayProtocolError,
    Welcome,
    decode_frame,
    mailbox_subscribe_path,
)

log = logging.getLogger(__name__)

HANDSHAKE_SECONDS: Final = 15.0
STOP_SECONDS: Final = 5.0
HEARTBEAT_SECONDS: Final = 30.0
MAX_CONCURRENT_BLOBS: Final = 64
BUSY_RETRIES: Final = 5
RETRY_BASE_SECONDS: Final = 1.0
RETRY_MAX_SECONDS: Final = 60.0
MAX_PUSH_FRAME: Final = 512 * 1024  # a BLOBS frame (the relay sends at most 256 KiB + one blob)


def websocket_url(relay_url: str, path: str = SUBSCRIBE_PATH) -> str:
    """``http://host:port`` -> ``ws://host:port/v1/subscribe`` (``https`` -> ``wss``)."""
    scheme, rest = relay_url.split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest.rstrip('/')}{path}"


class RelaySubscription:
    def __init__(
        self,
        url: str,
        mailbox: MailboxKey,
        receiver: Receiver,
        session: aiohttp.ClientSession,
        clock: Clock,
        rand: RandomSource,
    ) -> None:
        self.url = url
        self._mailbox = mailbox
        self._receiver = receiver
        self._session = session
        self._clock = clock
        self._rand = rand
        self.connected = False
        self.last_contact: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._acks: list[bytes] = []
        self._ack_ready = asyncio.Event()
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_BLOBS)
        self._handlers: set[asyncio.Task[None]] = set()
        # Relay protocol version 3 (§18): the mailbox in the path (a proxy in front of
        # several relay processes routes on it); a relay that answers 404 speaks version 2.
        self._fast = True

    def status(self) -> dict[str, Any]:
        # While subscribed, the WebSocket heartbeat proves the relay alive every
        # HEARTBEAT_SECONDS (or closes the connection): the contact is now, not the last
        # frame, which may be hours old on a quiet mailbox.
        last_contact = self._clock() if self.connected else self.last_contact
        return {"url": self.url, "connected": self.connected, "last_contact": iso(last_contact)}

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"relay {self.url}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            # Bounded: a cancellation lost inside a timeout helper must not hang the node.
            await asyncio.wait({self._task}, timeout=STOP_SECONDS)
        if self._handlers:
            await asyncio.wait(set(self._handlers), timeout=10)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                if await self._subscribe():
                    failures = 0  # refused handshakes back off up to RETRY_MAX_SECONDS
            except asyncio.CancelledError:
                raise
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                log.info("relay %s unreachable: %s", self.url, type(exc).__name__)
            except RelayProtocolError as exc:
                log.warning("relay %s spoke nonsense: %s", self.url, exc)
            except Exception:
                log.exception("relay %s subscription failed", self.url)
            finally:
                if self.connected:
                    self.last_contact = self._clock()
                self.connected = False
            delay = backoff_delay(failures, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, self._rand)
            failures += 1
            await asyncio.sleep(delay)

    async def _subscribe(self) -> bool:
        """One subscription, until it ends; False when the relay refused the handshake."""
        fast = self._fast
        path = mailbox_subscribe_path(self._mailbox.mailbox_id) if fast else SUBSCRIBE_PATH
        try:
            connecting = await self._session.ws_connect(
                websocket_url(self.url, path),
                heartbeat=HEARTBEAT_SECONDS,
                max_msg_size=MAX_PUSH_FRAME,
                timeout=aiohttp.ClientWSTimeout(ws_close=5),
            )
        except aiohttp.WSServerHandshakeError as exc:
            if fast and exc.status in (404, 405):
                log.info("relay %s speaks relay protocol version 2: subscribing there", self.url)
                self._fast = False
                return await self._subscribe()
            raise
        async with connecting as ws:
            challenge = decode_frame(await self._receive(ws))
            if not isinstance(challenge, Challenge):
                raise RelayProtocolError("expected a challenge")
            if challenge.version != (FAST_VERSION if fast else VERSION):
                # An older relay would take our mailbox without deposit capabilities (anyone
                # could fill it): say so plainly, and try again later (it may be updated).
                log.warning(
                    "relay %s speaks relay protocol version %d, not %d: it runs another"
                    " Relève version and must be updated",
                    self.url,
                    challenge.version,
                    VERSION,
                )
                return False
            await ws.send_bytes(self._mailbox.authenticate(challenge.nonce).encode())
            answer = decode_frame(await self._receive(ws))
            if isinstance(answer, Error):
                log.warning("relay %s refused our mailbox: %s", self.url, answer.code.name.lower())
                return False
            if not isinstance(answer, Welcome):
                raise RelayProtocolError("expected welcome")
            self.connected = True
            self.last_contact = self._clock()
            log.info("subscribed to relay %s (%d queued)", self.url, answer.queued)
            acks = asyncio.create_task(self._send_acks(ws))
            try:
                await self._read(ws)
            finally:
                acks.cancel()
                try:
                    await acks
                except asyncio.CancelledError:
                    pass
        return True

    async def _receive(self, ws: aiohttp.ClientWebSocketResponse) -> bytes:
        message = await ws.receive(timeout=HANDSHAKE_SECONDS)
        if message.type != aiohttp.WSMsgType.BINARY:
            raise RelayProtocolError("the relay closed the connection during the handshake")
        return bytes(message.data)

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            if message.type != aiohttp.WSMsgType.BINARY:
                break
            self.last_contact = self._clock()
            frame = decode_frame(message.data)
            if isinstance(frame, Blob | Blobs):
                blobs = frame.blobs if isinstance(frame, Blobs) else ((frame.blob_id, frame.blob),)
                for blob_id, blob in blobs:
                    await self._slots.acquire()
                    task = asyncio.create_task(self._take(Blob(blob_id, blob)))
                    self._handlers.add(task)
                    task.add_done_callback(self._handlers.discard)
            elif isinstance(frame, Error):
                log.warning("relay %s closed our subscription: %s", self.url, frame.code.name)
                break

    async def _take(self, frame: Blob) -> None:
        """Commits one blob, then acknowledges it; a blob refused for good is acknowledged
        too (the relay must not keep it), one we could not save is left for later."""
        try:
            for attempt in range(BUSY_RETRIES):
                try:
                    await self._receiver.receive(frame.blob, via=self.url)
                except PeerRefused as exc:
                    busy = exc.verdict is Verdict.BUSY
                    if busy and attempt + 1 < BUSY_RETRIES:
                        await asyncio.sleep(0.2 * (attempt + 1))
                        continue
                    if busy:
                        log.warning("relay blob left for later: %s", exc.reason)
                        return
                    log.warning("dropped a blob from relay %s: %s", self.url, exc.reason)
                self._acks.append(frame.blob_id)
                self._ack_ready.set()
                return
        finally:
            self._slots.release()

    async def _send_acks(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while True:
            await self._ack_ready.wait()
            self._ack_ready.clear()
            while self._acks:
                batch, self._acks = self._acks[:MAX_ACK_IDS], self._acks[MAX_ACK_IDS:]
                await ws.send_bytes(Ack(tuple(batch)).encode())
