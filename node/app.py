"""The one assembly of a node: the store under the core, the transports and servers around it.
The daemon (node.daemon), the tests and the benches all build a node here.

    node = await Node.open(layout, config, identity, cipher)
    peer_app, api_app = node.peer_app(), node.api_app(token)   # served by the caller
    await node.go_live(reachability)   # tell contacts how to reach us, subscribe, send
    ...
    await node.close()
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from node.core import card
from node.core.accounts import Accounts
from node.core.config import NodeConfig
from node.core.context import NodeContext
from node.core.node import NodeCore
from node.core.ports import Clock, Transport
from node.edges.api.server import LocalApi
from node.edges.api.users import UserRoutes
from node.edges.direct import DirectTransport
from node.edges.mailbox import MailboxKey, load_or_create
from node.edges.peer_server import create_app as create_peer_app
from node.edges.phone_pairing import PhonePairing
from node.edges.relay_client import RelaySubscription
from node.edges.relay_transport import RelayTransport
from node.edges.routing import Routing
from node.edges.tls import WebTls
from node.edges.web.app import LoginLink, WebClient
from node.edges.web.serving import web_status
from node.paths import HomeLayout
from node.protocol import Endpoint, Identity, Reachability, system_random
from node.protocol.primitives import RandomSource
from node.storage import backup
from node.storage.keystore import FieldCipher
from node.storage.store import Store

# Connections to other nodes and relays: enough for every contact's batches in flight.
HTTP_LIMIT = 256
HTTP_LIMIT_PER_HOST = 16


def _forget_identity(identity: Identity) -> None:
    """For a node whose keys live in memory only (tests): nothing to save."""


@dataclass
class Node:
    store: Store
    core: NodeCore
    http: aiohttp.ClientSession
    phone: PhonePairing
    relays: list[Endpoint]
    subscriptions: list[RelaySubscription] = field(default_factory=list)
    mailbox: MailboxKey | None = None
    layout: HomeLayout | None = None
    accounts: Accounts | None = None
    served_web: WebClient | None = None  # once :meth:`web_client` made it
    web_tls: WebTls | None = None  # its TLS on a clinic server's LAN (the daemon's)
    # One backup at a time: each holds the database's copy and Argon2id's 256 MiB.
    _backing_up: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def ctx(self) -> NodeContext:
        return self.core.ctx

    @classmethod
    async def open(
        cls,
        layout: HomeLayout,
        config: NodeConfig,
        identity: Identity,
        cipher: FieldCipher,
        *,
        relays: list[Endpoint] | None = None,
        clock: Clock = time.time,
        rand: RandomSource = system_random,
        transport: Transport | None = None,
        persist_identity: Callable[[Identity], None] = _forget_identity,
    ) -> Node:
        """Opens the store and builds the node; nothing is served or sent yet. ``transport``
        replaces the network (direct and relays) in tests."""
        store = await Store.open(layout, cipher)
        try:
            await store.start()
            ctx = NodeContext(config, identity, store, clock, rand)
            await ctx.load()
        except BaseException:
            await store.close()
            raise
        http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=HTTP_LIMIT, limit_per_host=HTTP_LIMIT_PER_HOST)
        )
        if transport is None:
            transport = Routing(DirectTransport(http), RelayTransport(http), clock)
        # A clinic server's people (node.core.accounts): held by every node, so that the
        # operator can prepare them; the web client asks for them in clinic mode only.
        accounts = Accounts(store, clock)
        await accounts.load()
        core = NodeCore.build(ctx, transport, persist_identity, accounts)
        await core.mailboxes.load()
        await core.attachments.check_all()
        phone = PhonePairing(ctx, core.pairing, core.receiver, http)
        node = cls(store, core, http, phone, list(relays or []), layout=layout, accounts=accounts)
        if node.relays:
            node.mailbox = await load_or_create(ctx)
            node.subscriptions = [
                RelaySubscription(relay.url, node.mailbox, core.receiver, http, clock, rand)
                for relay in node.relays
            ]
        return node

    def peer_app(self) -> web.Application:
        return create_peer_app(self.core.receiver, self.ctx.config, self.ctx.clock)

    def local_api(
        self,
        token: str,
        started_at: float | None = None,
        *,
        phone: bool = True,
        web_login: Callable[[], LoginLink] | None = None,
    ) -> LocalApi:
        """The local API; without ``phone``, pairing by phone answers 404 (the fuzzing
        harness: a fuzzed relay URL must not be dialled)."""
        return LocalApi(
            self.core,
            token,
            self.ctx.clock() if started_at is None else started_at,
            phone=self.phone if phone else None,
            status_extras=self._status_extras,
            web_login=web_login,
            backup=self.backup if self.layout is not None else None,
            users=None
            if self.accounts is None
            else UserRoutes(self.accounts, self.served_web, self.ctx.config.clinic_mode),
        )

    # --- the web client (issue #14): served by the daemon on its own port --------------
    def web_client(self) -> WebClient:
        # On a clinic server (docs/operations.md) people log in with their own accounts.
        accounts = self.accounts if self.ctx.config.clinic_mode else None
        self.served_web = WebClient(
            self.core, phone=self.phone, status_extras=self._status_extras, accounts=accounts
        )
        return self.served_web

    # --- end of the web client -----------------------------------------------------------

    async def backup(self, passphrase: bytes) -> bytes:
        """An encrypted backup of this node, made while it runs (node.storage.backup)."""
        if self.layout is None:
            raise backup.BackupError("this node has no home to back up", "backup_unavailable")
        backup.check_passphrase(passphrase)
        async with self._backing_up:
            database = await self.store.snapshot()
            node_id = self.ctx.identity.public.node_id.hex()
            files = backup.gather(self.layout, database, self.ctx.clock(), node_id)
            return await asyncio.to_thread(backup.seal, files, passphrase)

    def _status_extras(self) -> dict[str, Any]:
        extras: dict[str, Any] = {
            "relays": [subscription.status() for subscription in self.subscriptions]
        }
        if self.served_web is not None and self.served_web.port is not None:
            extras["web"] = web_status(self.served_web.pages.origin, self.web_tls)
        return extras

    def reachability(self, direct: list[Endpoint]) -> Reachability:
        """How contacts reach us: these direct endpoints, and our relays with our mailbox and
        the capability to deposit into it (docs/protocol.md §6.3)."""
        if self.mailbox is None:
            return Reachability(tuple(direct))
        return Reachability(
            (*direct, *self.relays), self.mailbox.mailbox_id, self.mailbox.deposit_capability
        )

    async def go_live(self, reachability: Reachability) -> None:
        """Tells contacts how to reach us (when that changed), subscribes to our relays and
        starts delivering the outbox."""
        self.ctx.reachability = reachability
        if self.layout is not None:
            restored_at = backup.take_marker(self.layout)
            if restored_at is not None:
                # First start after `releve restore`: no session older than the backup is
                # used again; each is renewed (docs/protocol.md §20) before anything is sent.
                margin = backup.CLOCK_MARGIN_SECONDS
                await self.core.renewal.after_restore(int(max(0.0, restored_at - margin) * 1000))
                backup.drop_marker(self.layout)
            else:
                await self.core.renewal.resume()
        await card.announce_if_changed(self.ctx)
        await self.core.mailboxes.announce_at_start()
        for subscription in self.subscriptions:
            subscription.start()
        self.core.outbox.start()
        self.core.escalation.start()

    async def close(self) -> None:
        """Stops receiving and sending, lets work in flight finish, closes the store."""
        for subscription in self.subscriptions:
            await subscription.stop()
        await self.phone.close()
        await self.core.escalation.stop()
        await self.core.outbox.stop()
        await self.ctx.close()
        await self.http.close()
        await self.store.close()
