"""``releve node``: runs the daemon in the foreground until SIGINT or SIGTERM.

Start-up: lock the home, load the config, unlock the keys, open the store, listen for peers,
serve the local API, start the outbox. Shutdown (Ctrl-C): stop accepting, let requests and
deliveries in flight finish, flush the writer, close the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import json
import logging
import os
import socket
import ssl
import sys
import time
from typing import IO, Any, Final

from aiohttp import web

from node import system
from node.app import Node
from node.config import load
from node.core.config import NodeConfig, split_host_port
from node.core.errors import SetupError
from node.edges.connections import (
    ConnectionGuard,
    ConnectionLimits,
    GuardedSite,
    filter_accept_errors,
)
from node.edges.http_hardening import ROLL_SECONDS, Rolling
from node.edges.peer_server import REFUSALS
from node.edges.tls import is_loopback, key_password
from node.edges.web.app import WebClient
from node.edges.web.serving import WebListen, plan
from node.paths import HomeLayout, write_private
from node.protocol import Endpoint, Identity, LocalProtocolError
from node.storage import keystore

if sys.platform != "win32":
    import resource

log = logging.getLogger("releve.node")
SHUTDOWN_TIMEOUT = 5.0
# Descriptors beyond the two servers' connections: the database and its journal, the log,
# the lock, the event loop, and outgoing connections to contacts and relays.
FILE_MARGIN: Final = 128
# The soft open-file limit asked for when the hard limit allows it (outgoing connections
# get the room above the servers' budgets).
FILES_WANTED: Final = 4096
# aiohttp's lingering over an unread body after answering (its default: 10 s).
LINGERING_TIME: Final = 1.0
# What the key protecting the web client's TLS key files is derived for (node/edges/tls.py).
TLS_KEY_PURPOSE: Final = b"releve-tls-keys"


def run(
    layout: HomeLayout,
    *,
    listen: str | None,
    no_listen: bool,
    relays: list[str],
    passphrase: bytes | None,
    stop: system.StopRequest | None = None,
    web: dict[str, Any] | None = None,
) -> int:
    """Runs the node until SIGINT/SIGTERM (SIGINT/SIGBREAK on Windows) or, for a service,
    until ``stop`` is requested from another thread. ``web``: the web client's flags
    (web_listen, web_names, web_tls, tls_cert, tls_key), over the config file's."""
    if not keystore.exists(layout):
        raise SetupError(f"no Relève home at {layout.root}; run `releve init`", "home_missing")
    lock = _lock(layout)
    handlers: list[logging.Handler] = []
    try:
        overrides: dict[str, Any] = {}
        if no_listen:
            overrides["listen"] = None
        elif listen is not None:
            overrides["listen"] = listen
        if relays:
            overrides["relays"] = relays
        overrides.update({key: value for key, value in (web or {}).items() if value})
        config = load(layout, os.environ, overrides)
        relay_endpoints(config)  # refuse a bad relay URL before anything starts
        try:
            handlers = _setup_logging(layout, config.log_level)
        except OSError as exc:
            raise _unwritable(layout, exc) from None
        config = fit_file_limit(config)
        if config.listen is None and not config.relays:
            log.warning("listening for no peers (--no-listen) and no relay: nothing can reach us")
        unlocked = keystore.unlock(layout, passphrase)
        # Where the web client listens, with its certificate (made or renewed now): a LAN
        # address without TLS is refused here, before anything starts (issue #15).
        password = key_password(unlocked.cipher.subkey(TLS_KEY_PURPOSE))
        web_listen = plan(config, layout.root / "tls", password, time.time)
        asyncio.run(_serve(layout, config, unlocked, stop, web_listen))
    finally:
        # A second run in the same process (the CLI asks for the passphrase after the first
        # one found the home protected) must not log every line twice.
        root = logging.getLogger()
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()
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
        handle = os.fdopen(system.open_private(layout.lock, os.O_RDWR | os.O_CREAT), "r+b")
    except OSError as exc:
        raise _unwritable(layout, exc) from None
    if not system.try_lock(handle.fileno()):
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


def _setup_logging(layout: HomeLayout, level: str) -> list[logging.Handler]:
    """Log lines to stderr and node.log; returns the handlers, for :func:`run` to remove."""
    fd = system.open_private(layout.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr), _LogFile(fd)]
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    return handlers


def fit_file_limit(config: NodeConfig) -> NodeConfig:
    """Every connection holds a descriptor. Raises the soft open-file limit (1,024 for a
    systemd service unless ``LimitNOFILE=`` says otherwise) towards :data:`FILES_WANTED`,
    as the hard limit allows; when even the servers' budgets (``peer_max_connections`` +
    ``api_max_connections`` + :data:`FILE_MARGIN`) do not fit, lowers
    ``peer_max_connections`` (and the share of one source) with a warning, so that a flood
    is refused connection by connection instead of leaving the node out of descriptors."""
    if sys.platform == "win32":  # no such limit to raise
        return config
    else:  # an else, not code after the return: mypy --platform win32 skips it then
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        # The peer endpoint, and a clinic server's web client (a practice's workstations, or
        # its Remote Desktop sessions on loopback), each take up to peer_max_connections.
        shares = (config.listen is not None) + config.clinic_mode
        peers = config.peer_max_connections * shares
        needed = peers + config.api_max_connections + FILE_MARGIN
        if soft != resource.RLIM_INFINITY and soft < max(needed, FILES_WANTED):
            wanted = max(needed, FILES_WANTED)
            raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            if raised > soft:
                try:
                    resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
                    soft = raised
                except (OSError, ValueError):
                    pass  # keep the limit we have, and fit in it
        if soft == resource.RLIM_INFINITY or soft >= needed or shares == 0:
            return config
        allowed = max(1, (soft - FILE_MARGIN - config.api_max_connections) // shares)
        log.warning(
            "the open-file limit (%d) allows %d peer connections, not %d: peer_max_connections"
            " lowered (raise the limit with LimitNOFILE= or ulimit -n)",
            soft,
            allowed,
            config.peer_max_connections,
        )
        return dataclasses.replace(
            config,
            peer_max_connections=allowed,
            peer_connections_per_source=min(config.peer_connections_per_source, allowed),
        )


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


def _direct_endpoints(config: NodeConfig, bound_port: int | None) -> list[Endpoint]:
    """Where contacts on the LAN reach our peer endpoint (none without one)."""
    if config.listen is None or bound_port is None:
        return []
    if config.advertise:
        addresses = [split_host_port(a) for a in config.advertise]
    else:
        host, _ = split_host_port(config.listen)
        hosts = detect_addresses() if host in ("0.0.0.0", "::", "") else [host]  # noqa: S104
        addresses = [(h, bound_port) for h in (hosts or ["127.0.0.1"])]
    return [Endpoint.direct(host, port) for host, port in addresses]


async def _serve(
    layout: HomeLayout,
    config: NodeConfig,
    unlocked: keystore.Unlocked,
    request: system.StopRequest | None = None,
    web_listen: WebListen | None = None,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    restore_signals = system.on_stop_signals(loop, stop.set)
    if request is not None:
        request.bind(loop, stop.set)
    accept_errors = filter_accept_errors()
    roller = asyncio.create_task(_roll_forever(accept_errors))

    def persist_identity(identity: Identity) -> None:
        keystore.replace_identity(layout, unlocked, identity)

    node = await Node.open(
        layout,
        config,
        unlocked.identity,
        unlocked.cipher,
        relays=relay_endpoints(config),
        persist_identity=persist_identity,
    )
    runners: list[web.AppRunner] = []
    try:
        bound_port = None
        if config.listen is not None:
            host, port = split_host_port(config.listen)
            peer_app = node.peer_app()
            peer_runner = _runner(peer_app, config)
            await peer_runner.setup()
            runners.append(peer_runner)
            peer_guard = ConnectionGuard(
                ConnectionLimits(
                    config.peer_max_connections,
                    config.peer_connections_per_source,
                    config.header_timeout_seconds,
                    config.idle_timeout_seconds,
                ),
                peer_app[REFUSALS],
            )
            bound_port = await _start_site(peer_runner, host, port, peer_guard)
            log.info("peer endpoint listening on %s port %d", host, bound_port)
        await node.go_live(node.reachability(_direct_endpoints(config, bound_port)))
        token = layout.api_token.read_text(encoding="ascii").strip()
        web_client = await _serve_web(
            node, config, runners, web_listen or WebListen("127.0.0.1", 0)
        )
        api = node.local_api(token, web_login=web_client.mint_login)
        api_runner = _runner(api.create_app(), config)
        await api_runner.setup()
        runners.append(api_runner)
        # Its own budget: strangers holding peer connections never starve it. One source
        # (127.0.0.1), so no share per source.
        api_guard = ConnectionGuard(
            ConnectionLimits(
                config.api_max_connections,
                None,
                config.header_timeout_seconds,
                config.idle_timeout_seconds,
            ),
            api.refusals,
        )
        api_port = await _start_site(api_runner, "127.0.0.1", 0, api_guard)
        info = {"url": f"http://127.0.0.1:{api_port}", "pid": os.getpid()}
        try:
            write_private(layout.api_info, json.dumps(info).encode())
        except OSError as exc:
            raise _unwritable(layout, exc) from None
        log.info(
            "node ready: %d contacts; local API on 127.0.0.1 port %d",
            len(node.ctx.contacts),
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
        await node.close()
        roller.cancel()
        accept_errors.flush()
        restore_signals()
        log.info("node stopped")


async def _serve_web(
    node: Node, config: NodeConfig, runners: list[web.AppRunner], where: WebListen
) -> WebClient:
    """The web client (issue #14) on its own port of 127.0.0.1, or where ``--web-listen``
    says over TLS (issue #15): its own connection budget (a browser's tabs never starve the
    CLI) and its own origin for the Host and Origin checks."""
    web_client = node.web_client()
    app = web_client.create_app()
    tls = node.web_tls = where.tls
    if tls is not None:  # the certificate's renewal lives as long as the web client

        async def renew(_: web.Application) -> None:
            tls.start()

        async def stop_renewing(_: web.Application) -> None:
            await tls.stop()

        app.on_startup.append(renew)
        app.on_cleanup.append(stop_renewing)
    runner = _runner(app, config)
    await runner.setup()
    runners.append(runner)
    # On the LAN every workstation is a source of its own: the peer endpoint's budgets. A
    # clinic server on loopback (a Remote Desktop server: everyone comes from 127.0.0.1)
    # takes a whole practice's connections too, with no share per source.
    lan = not is_loopback(where.host)
    guard = ConnectionGuard(
        ConnectionLimits(
            config.peer_max_connections if config.clinic_mode else config.api_max_connections,
            config.peer_connections_per_source if lan else None,
            config.header_timeout_seconds,
            config.idle_timeout_seconds,
        ),
        web_client.pages.refusals,
    )
    context = tls.context if tls is not None else None
    port = await _start_site(runner, where.host, where.port, guard, context)
    web_client.serve_on(port, where.origin(port))
    log.info("web client on %s (releve ouvrir)", web_client.pages.origin.url("/"))
    return web_client


async def _roll_forever(bounded: Rolling) -> None:
    while True:
        await asyncio.sleep(ROLL_SECONDS)
        bounded.roll()


def _runner(app: web.Application, config: NodeConfig) -> web.AppRunner:
    # keepalive_timeout: aiohttp's own idle bound, behind the guard's.
    return web.AppRunner(
        app,
        access_log=None,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
        keepalive_timeout=config.idle_timeout_seconds,
        lingering_time=LINGERING_TIME,
    )


def reuse_address() -> bool:
    """SO_REUSEADDR on the listening sockets. On POSIX it only lets a restarted node bind its
    port again while old connections linger in TIME_WAIT. On Windows it lets another socket
    bind the same port while the node listens on it (which one gets a connection is then
    undefined): a second node started on 7301 would share the contacts' connections instead
    of being refused with address_in_use. asyncio leaves it off there for that reason."""
    return not system.WINDOWS


async def _start_site(
    runner: web.AppRunner,
    host: str,
    port: int,
    guard: ConnectionGuard,
    tls: ssl.SSLContext | None = None,
) -> int:
    site = GuardedSite(runner, host, port, guard, reuse_address=reuse_address(), tls=tls)
    try:
        await site.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SetupError(f"{host}:{port} is already in use", "address_in_use") from None
        raise SetupError(
            f"cannot listen on {host}:{port}: {exc.strerror}", "invalid_listen"
        ) from None
    return site.port
