"""``releve node``: runs the daemon in the foreground until SIGINT or SIGTERM.

Start-up: lock the home, load the config, unlock the keys, open the store, listen for peers,
serve the local API, start the outbox. Shutdown (Ctrl-C): stop accepting, let requests and
deliveries in flight finish, flush the writer, close the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import json
import logging
import os
import signal
import socket
import sys
import time
from typing import IO, Any, Final

import aiohttp
from aiohttp import web

from node.config import NodeConfig, load, split_host_port
from node.core.attachments import AttachmentChecker
from node.core.errors import SetupError
from node.core.outbox import Outbox
from node.core.service import NodeService
from node.edges.api.server import LocalApi
from node.edges.direct import DirectTransport
from node.edges.mailbox import MailboxKey, load_or_create
from node.edges.peer_server import create_app
from node.edges.phone_pairing import PhonePairing
from node.edges.relay_client import RelaySubscription
from node.edges.relay_transport import RelayTransport
from node.edges.routing import Transports
from node.paths import HomeLayout, write_private
from node.protocol import Endpoint, Identity, LocalProtocolError, Reachability
from node.storage import keystore
from node.storage.store import Store

log = logging.getLogger("releve.node")
SHUTDOWN_TIMEOUT = 5.0


def run(
    layout: HomeLayout,
    *,
    listen: str | None,
    no_listen: bool,
    relays: list[str],
    passphrase: bytes | None,
) -> int:
    if not keystore.exists(layout):
        raise SetupError(f"no Relève home at {layout.root}; run `releve init`", "home_missing")
    lock = _lock(layout)
    try:
        overrides: dict[str, Any] = {}
        if no_listen:
            overrides["listen"] = None
        elif listen is not None:
            overrides["listen"] = listen
        if relays:
            overrides["relays"] = relays
        config = load(layout, os.environ, overrides)
        relay_endpoints(config)  # refuse a bad relay URL before anything starts
        try:
            _setup_logging(layout, config.log_level)
        except OSError as exc:
            raise _unwritable(layout, exc) from None
        if config.listen is None and not config.relays:
            log.warning("listening for no peers (--no-listen) and no relay: nothing can reach us")
        unlocked = keystore.unlock(layout, passphrase)
        asyncio.run(_serve(layout, config, unlocked))
    finally:
        lock.close()
    return 0


def _unwritable(layout: HomeLayout, exc: OSError) -> SetupError:
    """A home the node cannot write in (read-only file system, full disk, permissions):
    said plainly rather than with a traceback."""
    reason = exc.strerror or type(exc).__name__
    return SetupError(
        f"cannot write in the home folder {layout.root} ({reason}); the node keeps its"
        " database and log there: make it writable, then start the node again",
        "home_unwritable",
    )


def _lock(layout: HomeLayout) -> IO[bytes]:
    try:
        # 0600 like every file of the home; held open for the daemon's lifetime.
        handle = os.fdopen(
            os.open(layout.lock, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab"
        )
    except OSError as exc:
        raise _unwritable(layout, exc) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise SetupError("a node is already running for this home", "node_running") from None
    return handle


class _LogFile(logging.Handler):
    """node.log, one ``os.write`` per line. A line that cannot be written (disk full, home
    turned read-only) is said once on the other handlers, never as a traceback per line;
    the file is written again as soon as it can be."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._failing = False

    def emit(self, record: logging.LogRecord) -> None:
        if self._failing and record.name == log.name and record.msg is _LOG_FAILING:
            return  # our own notice, for the other handlers only
        try:
            data = (self.format(record) + "\n").encode("utf-8", "replace")
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError as exc:
            if not self._failing:
                self._failing = True
                log.error(_LOG_FAILING, exc.strerror or type(exc).__name__)
            return
        except Exception:
            self.handleError(record)
            return
        if self._failing:
            self._failing = False
            log.warning("node.log can be written again")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)
        super().close()


_LOG_FAILING: Final = "cannot write node.log (%s): log lines go to stderr only until it can"


def _setup_logging(layout: HomeLayout, level: str) -> None:
    fd = os.open(layout.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr), _LogFile(fd)]
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def detect_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (at most two), for invitations."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({str(info[4][0]) for info in infos if not str(info[4][0]).startswith("127.")})[:2]


def relay_endpoints(config: NodeConfig) -> list[Endpoint]:
    try:
        return [Endpoint.relay(url) for url in config.relays]
    except LocalProtocolError:
        raise SetupError(
            "a relay must be written http://host:port or https://host[:port]", "invalid_relay"
        ) from None


def _reachability(
    config: NodeConfig, bound_port: int | None, mailbox: MailboxKey | None
) -> Reachability:
    endpoints: list[Endpoint] = []
    if config.listen is not None and bound_port is not None:
        if config.advertise:
            addresses = [split_host_port(a) for a in config.advertise]
        else:
            host, _ = split_host_port(config.listen)
            hosts = detect_addresses() if host in ("0.0.0.0", "::", "") else [host]  # noqa: S104
            addresses = [(h, bound_port) for h in (hosts or ["127.0.0.1"])]
        endpoints += [Endpoint.direct(host, port) for host, port in addresses]
    if mailbox is None:
        return Reachability(tuple(endpoints))
    return Reachability((*endpoints, *relay_endpoints(config)), mailbox.mailbox_id)


async def _serve(layout: HomeLayout, config: NodeConfig, unlocked: keystore.Unlocked) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    store = await Store.open(layout, unlocked.cipher)
    service: NodeService | None = None

    def on_failure() -> None:
        if service is not None:
            service.invalidate()

    writer = await store.start_writer(on_failure)
    service = NodeService(config, unlocked.identity, store, writer, time.time)

    def persist_identity(identity: Identity) -> None:
        keystore.replace_identity(layout, unlocked, identity)

    service.on_identity_change = persist_identity
    await service.load()
    checker = AttachmentChecker(service)
    service.on_attachment_part = checker.part_arrived
    await checker.check_all()
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256, limit_per_host=16))
    transports = Transports(service, DirectTransport(service, http), RelayTransport(service, http))
    outbox = Outbox(service, config, transports.send)
    subscriptions: list[RelaySubscription] = []
    runners: list[web.AppRunner] = []
    phone = PhonePairing(service, http)
    try:
        mailbox = None
        if config.relays:
            mailbox = await load_or_create(store, service.rand(32))
            subscriptions = [
                RelaySubscription(endpoint.url, mailbox, service, http)
                for endpoint in relay_endpoints(config)
            ]
        bound_port = None
        if config.listen is not None:
            host, port = split_host_port(config.listen)
            peer_runner = web.AppRunner(
                create_app(service, config), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
            )
            await peer_runner.setup()
            runners.append(peer_runner)
            bound_port = await _start_site(peer_runner, host, port)
            log.info("peer endpoint listening on %s port %d", host, bound_port)
        service.reachability = _reachability(config, bound_port, mailbox)
        await service.announce_card_if_changed()
        for subscription in subscriptions:
            subscription.start()
        token = layout.api_token.read_text(encoding="ascii").strip()
        api = LocalApi(service, token, time.time())
        api.status_extras = lambda: {"relays": [s.status() for s in subscriptions]}
        api.deliver_now = outbox.deliver_now
        api.phone = phone
        api_runner = web.AppRunner(
            api.create_app(), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await api_runner.setup()
        runners.append(api_runner)
        api_port = await _start_site(api_runner, "127.0.0.1", 0)
        info = {"url": f"http://127.0.0.1:{api_port}", "pid": os.getpid()}
        try:
            write_private(layout.api_info, json.dumps(info).encode())
        except OSError as exc:
            raise _unwritable(layout, exc) from None
        outbox.start()
        log.info(
            "node ready: %d contacts; local API on 127.0.0.1 port %d",
            len(service.contacts),
            api_port,
        )
        await stop.wait()
        log.info("stopping: finishing what is in flight")
    finally:
        try:
            layout.api_info.unlink(missing_ok=True)
        except OSError as exc:  # a home turned read-only: the rest must still stop
            log.warning("could not remove api.json (%s)", exc.strerror)
        for runner in reversed(runners):
            await runner.cleanup()
        for subscription in subscriptions:
            await subscription.stop()
        await phone.close()
        await outbox.stop()
        await service.close()
        await http.close()
        await store.close()
        log.info("node stopped")


async def _start_site(runner: web.AppRunner, host: str, port: int) -> int:
    site = web.TCPSite(runner, host, port, reuse_address=True)
    try:
        await site.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SetupError(f"{host}:{port} is already in use", "address_in_use") from None
        raise SetupError(
            f"cannot listen on {host}:{port}: {exc.strerror}", "invalid_listen"
        ) from None
    server = site._server
    assert server is not None
    return int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
