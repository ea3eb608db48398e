"""Deposits on relays: packets for a contact go to every relay the contact listed, each with
the deposit capability the contact gave us in its reachability (docs/protocol.md §6.3).

On a relay that offers relay protocol version 3 (docs/relay-protocol.md §18) they go over a
deposit channel, a WebSocket to ``/v3/mailboxes/{id}/deposit`` kept open while in use (up to
64 packets per DEPOSIT frame, answered by RESULTS); a relay that answers that path 404 or 405
speaks version 2 only, and gets one batch request per 64 packets (POST /v2/deposits, §4.2),
for ``V2_MEMORY_SECONDS`` before the channel is tried again.

A contact whose card has a mailbox but no capability runs a Relève older than deposit
capabilities: relays refuse deposits for it, so none is attempted; its packets stay in the
outbox (direct delivery still works) and this is logged once per contact and run."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Final

import aiohttp

from node.core.ports import Outcome
from node.protocol import Endpoint, Reachability, format_node_id
from node.protocol.relay_wire import (
    DEPOSIT_PATH,
    MAX_DEPOSIT_BATCH,
    RESULT_DUPLICATE,
    RESULT_STORED,
    Error,
    ErrorCode,
    RelayProtocolError,
    Results,
    decode_frame,
    deposit_channel_path,
    encode_deposit,
    encode_deposits,
)

log = logging.getLogger(__name__)

TIMEOUT: Final = aiohttp.ClientTimeout(total=20, sock_connect=5)
RESULTS_SECONDS: Final = 20.0  # a DEPOSIT frame's RESULTS arrive within this, or it failed
CHANNEL_IDLE_SECONDS: Final = 60.0  # an unused deposit channel is closed after this
V2_MEMORY_SECONDS: Final = 600.0  # a relay without deposit channels is asked again after this
# Open deposit channels per relay: they hold connections of the node's HTTP pool (16 per
# host), which the subscription and the other requests need too. Beyond it, the least
# recently used idle channel is closed; when none is idle, the deposit goes as HTTP.
MAX_CHANNELS_PER_RELAY: Final = 8
# A DEPOSIT frame holds at most this many bytes of packets: 64 attachment chunks (64 KiB
# each) would make a 4 MiB frame, the most a relay reads in one message (relays before
# 2026-12-04 closed the channel on a frame of exactly that size), and one large frame
# delays every deposit behind it.
MAX_FRAME_PACKET_BYTES: Final = 1024 * 1024


def _ws_url(relay_url: str, path: str) -> str:
    scheme, rest = relay_url.split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest.rstrip('/')}{path}"


class _Unsupported(Exception):
    """The relay has no deposit channels (relay protocol version 2)."""


class DepositChannel:
    """One deposit channel (a WebSocket to one relay for one mailbox) and its answers."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._batch = 0
        self._waiting: dict[int, asyncio.Future[bytes]] = {}
        self.last_used = time.monotonic()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(
        cls, session: aiohttp.ClientSession, relay_url: str, mailbox_id: bytes
    ) -> DepositChannel:
        try:
            ws = await session.ws_connect(
                _ws_url(relay_url, deposit_channel_path(mailbox_id)),
                heartbeat=30,
                max_msg_size=64 * 1024,
                timeout=aiohttp.ClientWSTimeout(ws_close=5),
            )
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status in (404, 405):
                raise _Unsupported() from None
            raise
        return cls(ws)

    @property
    def closed(self) -> bool:
        return self._ws.closed or self._reader.done()

    @property
    def busy(self) -> bool:
        return bool(self._waiting)

    async def deposit(self, capability: bytes, packets: list[bytes]) -> list[bool]:
        """One DEPOSIT frame (at most 64 packets); which ones the relay holds."""
        self.last_used = time.monotonic()
        self._batch = (self._batch + 1) % 2**32
        batch = self._batch
        answer = asyncio.get_running_loop().create_future()
        self._waiting[batch] = answer
        try:
            await self._ws.send_bytes(encode_deposit(batch, capability, packets))
            async with asyncio.timeout(RESULTS_SECONDS):
                results = await answer
        finally:
            self._waiting.pop(batch, None)
        if len(results) != len(packets):
            raise RelayProtocolError("results: wrong count")
        refused = {code for code in results if code not in (RESULT_STORED, RESULT_DUPLICATE)}
        if refused:
            log.warning(
                "relay refused %d of %d deposits (codes %s); kept in the outbox",
                sum(1 for code in results if code in refused),
                len(results),
                ", ".join(_code_name(code) for code in sorted(refused)),
            )
        return [code in (RESULT_STORED, RESULT_DUPLICATE) for code in results]

    async def _read(self) -> None:
        try:
            async for message in self._ws:
                if message.type is not aiohttp.WSMsgType.BINARY:
                    break
                frame = decode_frame(message.data)
                if isinstance(frame, Error):
                    log.info("relay closed a deposit channel: %s", frame.code.name.lower())
                    break
                if not isinstance(frame, Results):
                    raise RelayProtocolError("expected RESULTS")
                for batch, results in frame.batches:
                    waiting = self._waiting.get(batch)
                    if waiting is not None and not waiting.done():
                        waiting.set_result(results)
        except RelayProtocolError as exc:
            log.warning("relay spoke nonsense on a deposit channel: %s", exc)
        finally:
            for waiting in self._waiting.values():
                if not waiting.done():
                    waiting.set_exception(ConnectionResetError("deposit channel closed"))
            await self._ws.close()

    async def close(self) -> None:
        await self._ws.close()
        self._reader.cancel()


class RelayTransport:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session
        self._told_no_capability: set[bytes] = set()  # contacts already logged (bounded by them)
        self._told_old_relay: set[str] = set()
        self._channels: dict[tuple[str, bytes], DepositChannel] = {}
        self._opening: dict[tuple[str, bytes], asyncio.Lock] = {}
        self._v2_only: dict[str, float] = {}  # relay url -> when to try channels again

    async def send(
        self, contact_id: bytes, reachability: Reachability, packets: list[bytes]
    ) -> list[Outcome]:
        """RELAYED for each packet stored on at least one of the contact's relays."""
        if not reachability.relays or not reachability.mailbox_id:
            return [Outcome.RETRY] * len(packets)
        if not reachability.can_deposit:
            if contact_id not in self._told_no_capability:
                self._told_no_capability.add(contact_id)
                log.warning(
                    "contact %s runs an older Relève (no deposit capability in its card):"
                    " relays refuse deposits for it; its messages wait in the outbox until"
                    " it updates Relève or is reachable directly",
                    format_node_id(contact_id),
                )
            return [Outcome.RETRY] * len(packets)
        mailbox_id, capability = reachability.mailbox_id, reachability.deposit_capability
        per_relay = await asyncio.gather(
            *(
                self._deposit(relay, mailbox_id, capability, packets)
                for relay in reachability.relays
            )
        )
        stored = [any(results[i] for results in per_relay) for i in range(len(packets))]
        if not any(stored):
            log.info("no relay of contact %s took its packets", format_node_id(contact_id))
        return [Outcome.RELAYED if ok else Outcome.RETRY for ok in stored]

    async def _deposit(
        self, relay: Endpoint, mailbox_id: bytes, capability: bytes, packets: list[bytes]
    ) -> list[bool]:
        results: list[bool] = []
        channel = await self._channel(relay.url, mailbox_id)
        for chunk in _frames(packets):
            if channel is None:
                results += await self._post(relay, mailbox_id, capability, chunk)
                continue
            try:
                results += await channel.deposit(capability, chunk)
            except (TimeoutError, aiohttp.ClientError, OSError, RelayProtocolError) as exc:
                log.info("relay %s deposit channel failed: %s", relay.url, type(exc).__name__)
                results += [False] * (len(packets) - len(results))
                await channel.close()
                break
        return results

    async def _channel(self, url: str, mailbox_id: bytes) -> DepositChannel | None:
        """The open deposit channel to ``url`` for ``mailbox_id``, opened if needed; None
        when the relay has none (version 2: HTTP batches) or it cannot be opened now."""
        if self._v2_only.get(url, 0.0) > time.monotonic():
            return None
        key = (url, mailbox_id)
        lock = self._opening.setdefault(key, asyncio.Lock())
        async with lock:
            channel = self._channels.get(key)
            if channel is not None and not channel.closed:
                return channel
            if not await self._sweep(key):
                return None  # every channel to this relay is busy: HTTP this time
            try:
                channel = await DepositChannel.open(self._session, url, mailbox_id)
            except _Unsupported:
                self._v2_only[url] = time.monotonic() + V2_MEMORY_SECONDS
                log.info("relay %s has no deposit channels (version 2): HTTP deposits", url)
                return None
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                log.info("relay %s unreachable: %s", url, type(exc).__name__)
                return None
            self._channels[key] = channel
            return channel

    async def _sweep(self, current: tuple[str, bytes]) -> bool:
        """Closes channels unused for CHANNEL_IDLE_SECONDS, and makes room for one more to
        ``current``'s relay (closing its least recently used idle channel); False when
        every channel to that relay is busy."""
        now = time.monotonic()
        by_age = sorted(self._channels.items(), key=lambda item: item[1].last_used)
        for key, channel in by_age:
            if key != current and (
                channel.closed or now - channel.last_used > CHANNEL_IDLE_SECONDS
            ):
                await self._drop(key, channel)
        same_relay = [
            (k, c) for k, c in self._channels.items() if k[0] == current[0] and k != current
        ]
        same_relay.sort(key=lambda item: item[1].last_used)
        while len(same_relay) >= MAX_CHANNELS_PER_RELAY:
            idle = next(((k, c) for k, c in same_relay if not c.busy), None)
            if idle is None:
                return False
            same_relay.remove(idle)
            await self._drop(*idle)
        return True

    async def close(self) -> None:
        """Closes every deposit channel (they open again when needed)."""
        for key, channel in list(self._channels.items()):
            await self._drop(key, channel)

    async def _drop(self, key: tuple[str, bytes], channel: DepositChannel) -> None:
        if self._channels.get(key) is channel:
            del self._channels[key]
        self._opening.pop(key, None)
        await channel.close()

    async def _post(
        self, relay: Endpoint, mailbox_id: bytes, capability: bytes, packets: list[bytes]
    ) -> list[bool]:
        body = encode_deposits([(mailbox_id, capability, packet) for packet in packets])
        try:
            async with self._session.post(
                relay.url + DEPOSIT_PATH,
                data=body,
                headers={"Content-Type": "application/octet-stream"},
                timeout=TIMEOUT,
            ) as response:
                if response.status != 200:
                    await response.read()
                    if response.status in (404, 405) and relay.url not in self._told_old_relay:
                        self._told_old_relay.add(relay.url)
                        log.warning(
                            "relay %s does not know relay protocol version 2 (HTTP %d):"
                            " it runs an older Relève and must be updated",
                            relay.url,
                            response.status,
                        )
                    else:
                        log.info("relay %s refused deposits: HTTP %d", relay.url, response.status)
                    return [False] * len(packets)
                answer = await response.json()
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
            log.info("relay %s unreachable: %s", relay.url, type(exc).__name__)
            return [False] * len(packets)
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(packets):
            log.info("relay %s answered deposits incoherently", relay.url)
            return [False] * len(packets)
        taken = [result in ("stored", "duplicate") for result in results]
        if not all(taken):
            # A full mailbox or relay (507) refuses some, or a relay that restarted and does
            # not know the mailbox until its owner subscribes again (mailbox_unknown), or one
            # holding another capability (the contact's card is about to change): they stay
            # in the outbox and are offered again after the backoff.
            reasons = sorted(
                {_reason(result) for result, ok in zip(results, taken, strict=True) if not ok}
            )
            log.warning(
                "relay %s refused %d of %d deposits (%s); kept in the outbox",
                relay.url,
                taken.count(False),
                len(taken),
                ", ".join(reasons),
            )
        return taken


def _frames(packets: list[bytes]) -> list[list[bytes]]:
    """Packets in order, grouped into frames (or HTTP batches) of at most MAX_DEPOSIT_BATCH
    packets and MAX_FRAME_PACKET_BYTES bytes."""
    frames: list[list[bytes]] = [[]]
    size = 0
    for packet in packets:
        full = len(frames[-1]) == MAX_DEPOSIT_BATCH
        if frames[-1] and (full or size + len(packet) > MAX_FRAME_PACKET_BYTES):
            frames.append([])
            size = 0
        frames[-1].append(packet)
        size += len(packet)
    return frames if frames[0] else []


def _code_name(code: int) -> str:
    """A result byte's error code name (docs/relay-protocol.md §8), for the log."""
    try:
        return ErrorCode(code).name.lower()
    except ValueError:
        return "refused"


def _reason(result: object) -> str:
    """The relay's error code for one refused deposit (a short token, never content)."""
    error = result.get("error") if isinstance(result, dict) else None
    if isinstance(error, str) and error.isidentifier() and len(error) <= 32:
        return error
    return "refused"
