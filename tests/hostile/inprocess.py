"""A real node (node.app.Node on a temporary home, its peer endpoint and its local API) or a
real relay, served on 127.0.0.1 by an event loop that the fuzz tests drive themselves
(Hypothesis tests are synchronous: each example runs the loop until its request is done).

Nothing of our own code is mocked: the home is made by ``node.setup.init_home``, the
database is the real store with its batch writer, the apps are those the daemon and the
relay serve.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from node.app import Node as AssembledNode
from node.config import load
from node.core.config import NodeConfig
from node.paths import HomeLayout
from node.protocol import Endpoint, Reachability, Role, accept
from node.setup import init_home
from node.storage import keystore
from node.storage.store import Store
from relay.config import RelayConfig
from relay.server import create_app as create_relay_app
from relay.server import make_runner
from tests.hostile.fuzz_support import status_of
from tests.unit.protocol.protocol_support import DeterministicRandom, Node, Party

T = TypeVar("T")
# Bound on waiting for an answer (it ends when the answer is in): generous for a loaded machine,
# and well above the servers' own body and header deadlines in the fuzz tests.
READ_TIMEOUT = 60.0


class Loop:
    """A private event loop, run until each coroutine given to :meth:`run` is done."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def close(self) -> None:
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.loop.close()


async def serve(
    app: web.Application, runner: web.AppRunner | None = None
) -> tuple[web.AppRunner, int]:
    runner = runner or web.AppRunner(app, access_log=None, shutdown_timeout=2)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    return runner, int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]


async def exchange(
    port: int, request: bytes, timeout: float = READ_TIMEOUT, whole: bool = False
) -> bytes:
    """Sends raw bytes and reads the answer: its status line (enough to judge it, and the
    server may linger over an unread body after answering), or ``whole`` until the server
    closes. A server that closes without answering gives b""."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = b""
    try:
        writer.write(request)
        await writer.drain()
        async with asyncio.timeout(timeout):
            while whole or b"\r\n" not in answer:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                answer += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionResetError, BrokenPipeError):
            pass
        # Let the server finish with the connection while the loop still runs: between two
        # examples the loop stands still.
        for _ in range(3):
            await asyncio.sleep(0)
    return answer


class InProcessNode:
    """A node home, the node (node.app), its peer endpoint and its local API on 127.0.0.1."""

    def __init__(self, home: Path, name: str, role: str, **limits: Any) -> None:
        self.layout = HomeLayout(home)
        init_home(self.layout, name, role, None)  # unattended: node.key unwraps the data key
        self.unlocked = keystore.unlock(self.layout, None)
        self.config: NodeConfig = load(
            self.layout, {}, {"listen": "127.0.0.1:0", **{k: str(v) for k, v in limits.items()}}
        )
        self.token = self.layout.api_token.read_text(encoding="ascii").strip()
        self.io = Loop()
        self.node = self.io.run(
            AssembledNode.open(
                self.layout, self.config, self.unlocked.identity, self.unlocked.cipher
            )
        )
        self.peer_runner, self.peer_port = self.io.run(serve(self.node.peer_app()))
        self.api = self.node.local_api(self.token, phone=False)
        self.api_runner, self.api_port = self.io.run(serve(self.api.create_app()))
        self.node.ctx.reachability = Reachability((Endpoint.direct("127.0.0.1", self.peer_port),))

    @property
    def store(self) -> Store:
        return self.node.store

    def pair_with(self, name: str, role: Role, seed: str) -> Party:
        """A protocol-level contact (tests/unit/protocol's Node) pairs with this node through
        its real invitation and its real handling of the answer packet."""
        contact = Node.create(name, role, DeterministicRandom(seed))

        async def run() -> Party:
            invitation = await self.node.core.pairing.invite(900)
            paired, packet = accept(
                invitation, contact.identity, contact.card, time.time(), contact.rand
            )
            assert await self.node.core.receiver.receive(packet) == "stored"
            return Party(contact, paired.session)

        return self.io.run(run())

    def post(
        self, port: int, path: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int | None, bytes]:
        lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        answer = self.io.run(exchange(port, raw, whole=True))
        return status_of(answer), answer.partition(b"\r\n\r\n")[2]

    def close(self) -> None:
        async def stop() -> None:
            await self.api_runner.cleanup()
            await self.peer_runner.cleanup()
            await self.node.close()

        self.io.run(stop())
        self.io.close()


class InProcessRelay:
    """The relay's application served on 127.0.0.1, as ``releve relay`` serves it."""

    def __init__(self, config: RelayConfig) -> None:
        self.io = Loop()
        self.app = create_relay_app(config, time.monotonic)
        self.runner, self.port = self.io.run(serve(self.app, make_runner(self.app, config)))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.io.run(self.runner.cleanup())
        self.io.close()
