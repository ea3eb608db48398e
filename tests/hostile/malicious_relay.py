"""A malicious relay for tests: it sits in front of a real relay and, with a fixed seed,
drops deposits (while answering "stored"), holds them and releases them later in shuffled
order, deposits some twice, replays old blobs long after they were delivered, and on the
subscription side pushes some BLOB frames twice and delays others so that later ones
overtake them. It cannot forge or read anything: blobs are sealed end to end."""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from collections.abc import Coroutine
from typing import Any, Final

import aiohttp
from aiohttp import web

from node.protocol.relay_wire import (
    DEPOSIT_PATH,
    SUBSCRIBE_PATH,
    Blob,
    Deposit,
    RelayProtocolError,
    blob_id_for,
    decode_deposits,
    decode_frame,
    encode_deposits,
)

RELEASE_SECONDS: Final = 0.5


class MaliciousRelay:
    def __init__(self, upstream_port: int, seed: str) -> None:
        self.upstream = f"127.0.0.1:{upstream_port}"
        self.stats: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._held: list[Deposit] = []
        self._seen: list[Deposit] = []
        self._dropped: set[bytes] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> MaliciousRelay:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        self._http = aiohttp.ClientSession()
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_post(DEPOSIT_PATH, self._deposits)
        app.router.add_get(SUBSCRIBE_PATH, self._subscribe)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        assert site._server is not None
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._spawn(self._release_forever())

    async def _stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        assert self._runner is not None
        assert self._http is not None
        await self._runner.cleanup()
        await self._http.close()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- deposits ---------------------------------------------------------------------------

    async def _deposits(self, request: web.Request) -> web.Response:
        try:
            deposits = decode_deposits(await request.read())
        except RelayProtocolError:
            return web.json_response({"error": {"code": "malformed"}}, status=400)
        now: list[Deposit] = []
        for deposit in deposits:
            self._seen.append(deposit)
            blob_id = blob_id_for(deposit[2])  # (mailbox id, capability, blob)
            roll = self._rng.random()
            if blob_id not in self._dropped and roll < 0.25:
                self._dropped.add(blob_id)  # the sender will deposit it again
                self.stats["dropped"] += 1
            elif roll < 0.55:
                self._held.append(deposit)
                self.stats["held"] += 1
            else:
                now.append(deposit)
                if roll > 0.85:
                    now.append(deposit)
                    self.stats["duplicated"] += 1
        if now:
            await self._forward(now)
        # Every deposit looks stored to the sender, whatever became of it.
        return web.json_response({"results": ["stored"] * len(deposits)})

    async def _forward(self, deposits: list[Deposit]) -> None:
        assert self._http is not None
        for start in range(0, len(deposits), 64):
            body = encode_deposits(deposits[start : start + 64])
            try:
                async with self._http.post(f"http://{self.upstream}{DEPOSIT_PATH}", data=body) as r:
                    await r.read()
            except aiohttp.ClientError:
                self.stats["upstream_errors"] += 1

    async def _release_forever(self) -> None:
        while True:
            await asyncio.sleep(RELEASE_SECONDS)
            held, self._held = self._held, []
            if len(held) > 1:
                self._rng.shuffle(held)
                self.stats["reordered"] += 1
            replays = self._rng.sample(self._seen, min(2, len(self._seen)))
            self.stats["replayed"] += len(replays)
            if held or replays:
                await self._forward(held + replays)
            self.stats["replays_forwarded"] += len(replays)  # the relay has them now

    # --- subscriptions ------------------------------------------------------------------------

    async def _subscribe(self, request: web.Request) -> web.WebSocketResponse:
        assert self._http is not None
        client = web.WebSocketResponse(max_msg_size=0)
        await client.prepare(request)
        try:
            async with self._http.ws_connect(
                f"ws://{self.upstream}{SUBSCRIBE_PATH}", max_msg_size=0
            ) as upstream:
                await asyncio.gather(
                    self._owner_to_relay(client, upstream),
                    self._relay_to_owner(upstream, client),
                    return_exceptions=True,
                )
        except aiohttp.ClientError:
            self.stats["upstream_errors"] += 1
        await client.close()
        return client

    async def _owner_to_relay(
        self, client: web.WebSocketResponse, upstream: aiohttp.ClientWebSocketResponse
    ) -> None:
        async for message in client:
            if message.type is not aiohttp.WSMsgType.BINARY:
                break
            await upstream.send_bytes(message.data)
        await upstream.close()

    async def _relay_to_owner(
        self, upstream: aiohttp.ClientWebSocketResponse, client: web.WebSocketResponse
    ) -> None:
        async for message in upstream:
            if message.type is not aiohttp.WSMsgType.BINARY:
                break
            data = bytes(message.data)
            try:
                is_blob = isinstance(decode_frame(data), Blob)
            except RelayProtocolError:
                is_blob = False
            roll = self._rng.random()
            if is_blob and roll < 0.2:
                self.stats["pushed_twice"] += 1
                await client.send_bytes(data)
            elif is_blob and roll < 0.4:
                self.stats["pushed_late"] += 1
                self._spawn(self._later(client, data, self._rng.uniform(0.05, 0.4)))
                continue
            await client.send_bytes(data)
        await client.close()

    @staticmethod
    async def _later(client: web.WebSocketResponse, data: bytes, delay: float) -> None:
        await asyncio.sleep(delay)
        if not client.closed:
            try:
                await client.send_bytes(data)
            except ConnectionError:
                pass
