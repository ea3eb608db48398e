"""The web client served over TLS (node/edges/tls.py, node/edges/web/serving.py and the
connection guard, issue #15): real handshakes on loopback against OpenSSL's verifier, the
certificate renewed on a moved clock without a restart, the practice's own certificate
loaded again when its files change, handshakes bounded by the guard, and where the web
client may listen without TLS (nowhere but loopback)."""

from __future__ import annotations

import asyncio
import datetime
import logging
import ssl
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from node.core.config import NodeConfig
from node.core.errors import SetupError
from node.edges import tls
from node.edges.connections import ConnectionGuard, ConnectionLimits, GuardedSite
from node.edges.tls import TlsFiles, WebTls, parse_names
from node.edges.web.serving import WebListen, plan, web_status
from node.protocol.admission import RefusalLog
from tests.unit.node.test_connection_guard import Records

NOW = datetime.datetime.now(datetime.UTC)  # OpenSSL verifies with the real time
NAMES = parse_names(["cabinet.lan", "127.0.0.1"])
PASSWORD = tls.key_password(b"k" * 32)
HEADER_TIMEOUT = 0.5
BOUND = 20.0  # a generous bound on every wait (a loaded machine)


class Clock:
    """A clock the test moves."""

    def __init__(self, moment: datetime.datetime) -> None:
        self.now = moment.timestamp()

    def __call__(self) -> float:
        return self.now

    def move_to(self, moment: datetime.datetime) -> None:
        self.now = moment.timestamp()


@dataclass
class Site:
    port: int
    guard: ConnectionGuard
    log: Records


@pytest.fixture
def serve() -> Callable[[ssl.SSLContext], AsyncIterator[Site]]:
    async def serving(context: ssl.SSLContext) -> AsyncIterator[Site]:
        async def hello(request: web.Request) -> web.Response:
            return web.Response(text=f"ok {request.scheme}")

        app = web.Application()
        app.router.add_get("/", hello)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        logger = logging.getLogger("tests.tls_serving")
        records = Records()
        logger.addHandler(records)
        guard = ConnectionGuard(
            ConnectionLimits(8, 2, HEADER_TIMEOUT, 5.0), RefusalLog(logger, time.monotonic)
        )
        site = GuardedSite(runner, "127.0.0.1", 0, guard, tls=context)
        await site.start()
        try:
            yield Site(site.port, guard, records)
        finally:
            await runner.cleanup()
            logger.removeHandler(records)

    return serving


def plain_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    """A key as the practice's own tools write it: PEM, without passphrase."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def client_context(ca_pem: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca_pem))


async def served_certificate(
    port: int, trust: ssl.SSLContext, name: str = "cabinet.lan"
) -> tuple[x509.Certificate, str]:
    """The certificate the server presents (verified against ``trust`` for ``name``) and
    its answer to GET /."""
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=trust, server_hostname=name
    )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True)
        writer.write(f"GET / HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n".encode())
        answer = (await asyncio.wait_for(reader.read(), BOUND)).decode()
    finally:
        writer.close()
    return x509.load_der_x509_certificate(der), answer.rsplit("\r\n", 1)[-1]


async def ending(reader: asyncio.StreamReader) -> str:
    """How the server ends a connection that gets no answer: "reset" or "closed"."""
    try:
        data = await asyncio.wait_for(reader.read(), BOUND)
    except ConnectionResetError:
        return "reset"
    return "closed" if not data.startswith(b"HTTP/") else "answered"


async def test_the_certificate_is_renewed_before_its_end_without_a_restart(
    tmp_path: Path, serve: Callable[[ssl.SSLContext], AsyncIterator[Site]]
) -> None:
    # Issued 380 days ago: still valid today (OpenSSL checks with the real time), 17 days
    # from its end, hence due today.
    today = datetime.datetime.now(datetime.UTC)
    clock = Clock(today - datetime.timedelta(days=380))
    files = TlsFiles(tmp_path / "tls")
    served = WebTls.practice(files, PASSWORD, NAMES, "Cabinet", clock)
    trust = client_context(files.ca)
    async for site in serve(served.context):
        first, answer = await served_certificate(site.port, trust)
        assert answer == "ok https"
        assert not served.check()  # far from its end as of its issue: nothing to do
        end = first.not_valid_after_utc
        clock.move_to(today)
        assert end - today < tls.RENEW_BEFORE
        assert served.check()  # due: a new certificate, loaded into the same context
        second, answer = await served_certificate(site.port, trust)
        assert answer == "ok https"
        assert second.serial_number != first.serial_number
        assert second.not_valid_after_utc > end
        assert second.not_valid_after_utc - second.not_valid_before_utc <= datetime.timedelta(
            days=397
        )
        assert tls.read_certificate(files.server).serial_number == second.serial_number
        # The renewal's own task does the same on its schedule (a year ahead: the client
        # only reads what is served, OpenSSL would find it not valid yet).
        clock.move_to(second.not_valid_after_utc - datetime.timedelta(days=1))
        reader = ssl.create_default_context()
        reader.check_hostname = False
        reader.verify_mode = ssl.CERT_NONE
        served.start(interval=0.05)
        try:
            deadline = time.monotonic() + BOUND
            while True:
                third, _ = await served_certificate(site.port, reader)
                if third.serial_number != second.serial_number:
                    break
                assert time.monotonic() < deadline, "the renewal task never renewed"
                await asyncio.sleep(0.05)
        finally:
            await served.stop()
        assert third.not_valid_after_utc > second.not_valid_after_utc


async def test_openssl_refuses_a_certificate_outside_the_name_constraints(
    tmp_path: Path, serve: Callable[[ssl.SSLContext], AsyncIterator[Site]]
) -> None:
    ca, key = tls.create_ca(NAMES, "Cabinet", NOW)
    rogue_names = parse_names(["bank.example"])
    rogue, rogue_key = tls.issue_server(ca, key, rogue_names, NOW)
    ca_pem = tmp_path / "ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain = tmp_path / "rogue.pem"
    chain.write_bytes(rogue.public_bytes(serialization.Encoding.PEM))
    key_pem = tmp_path / "rogue-key.pem"
    key_pem.write_bytes(plain_pem(rogue_key))
    context = tls.server_context()
    context.load_cert_chain(chain, key_pem)
    async for site in serve(context):
        with pytest.raises(ssl.SSLCertVerificationError) as caught:
            await served_certificate(site.port, client_context(ca_pem), "bank.example")
        assert "permitted subtree violation" in str(caught.value)


async def test_the_practices_own_certificate_is_loaded_again_when_its_files_change(
    tmp_path: Path, serve: Callable[[ssl.SSLContext], AsyncIterator[Site]]
) -> None:
    ca, key = tls.create_ca(NAMES, "Their CA", NOW)
    ca_pem = tmp_path / "ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path, key_path = tmp_path / "cabinet.pem", tmp_path / "cabinet.key"

    def write(serial_days: int) -> x509.Certificate:
        leaf, leaf_key = tls.issue_server(ca, key, NAMES, NOW, days=serial_days)
        cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(plain_pem(leaf_key))
        key_path.chmod(0o600)
        return leaf

    first = write(90)
    served = WebTls.own(cert_path, key_path, Clock(NOW))
    assert served.names == NAMES
    trust = client_context(ca_pem)
    async for site in serve(served.context):
        seen, _ = await served_certificate(site.port, trust)
        assert seen.serial_number == first.serial_number
        assert not served.check()
        second = write(180)  # renewed by the practice's own tool
        assert served.check()
        seen, _ = await served_certificate(site.port, trust)
        assert seen.serial_number == second.serial_number
        # A new certificate with the old key (the key not written yet): refused, and the
        # context keeps serving the pair it had.
        leaf, _ = tls.issue_server(ca, key, NAMES, NOW, days=30)
        old_key = key_path.read_bytes()
        cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(old_key + b"\n")  # another stamp, the same key
        assert not served.check()
        seen, answer = await served_certificate(site.port, trust)
        assert seen.serial_number == second.serial_number
        assert answer == "ok https"
        key_path.write_bytes(b"not a key")  # half-written: the served one stays
        cert_path.write_bytes(b"not a certificate")
        assert not served.check()
        seen, _ = await served_certificate(site.port, trust)
        assert seen.serial_number == second.serial_number


async def test_handshakes_are_bounded_by_the_connection_guard(
    tmp_path: Path, serve: Callable[[ssl.SSLContext], AsyncIterator[Site]]
) -> None:
    served = WebTls.practice(TlsFiles(tmp_path / "tls"), PASSWORD, NAMES, "Cabinet", Clock(NOW))
    async for site in serve(served.context):
        # Connections that never start their handshake count against the source's cap...
        silent = [await asyncio.open_connection("127.0.0.1", site.port) for _ in range(2)]
        deadline = time.monotonic() + BOUND
        while site.guard.connections < 2:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        third = await asyncio.open_connection("127.0.0.1", site.port)
        assert await ending(third[0]) == "reset"  # over the cap
        # ...and are ended at the header deadline, their place freed.
        for reader, _ in silent:
            assert await ending(reader) in ("reset", "closed")
        while site.guard.connections:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        # Plain HTTP on the TLS port: a refused handshake, never an answer.
        reader, writer = await asyncio.open_connection("127.0.0.1", site.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: cabinet.lan\r\n\r\n")
        assert await ending(reader) in ("reset", "closed")
        writer.close()
        for _, silent_writer in [*silent, third]:
            silent_writer.close()
        while site.guard.connections:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        assert any("too_many_from_source" in line for line in site.log.lines)
        assert any("tls_handshake" in line or "header_timeout" in line for line in site.log.lines)
        # The server still serves a proper client afterwards.
        _, answer = await served_certificate(
            site.port, client_context(TlsFiles(tmp_path / "tls").ca)
        )
        assert answer == "ok https"


# --- where the web client may listen ----------------------------------------------------------


def test_no_web_listen_is_127_0_0_1_in_plain_http(tmp_path: Path) -> None:
    where = plan(NodeConfig(), tmp_path / "tls", PASSWORD, time.time)
    assert where == WebListen("127.0.0.1", 0)
    origin = where.origin(8123)
    assert not origin.secure
    assert origin.hosts == {"127.0.0.1:8123", "localhost:8123"}
    assert not (tmp_path / "tls").exists()


@pytest.mark.parametrize("listen", ["0.0.0.0:8443", "192.168.1.20:8443", "[::]:8443"])
def test_off_loopback_without_tls_is_refused_at_start(tmp_path: Path, listen: str) -> None:
    config = NodeConfig(web_listen=listen, web_tls="off")
    with pytest.raises(SetupError) as caught:
        plan(config, tmp_path / "tls", PASSWORD, time.time)
    assert caught.value.code == "web_needs_tls"
    assert "without TLS" in str(caught.value)
    assert not (tmp_path / "tls").exists()


@pytest.mark.parametrize("listen", ["127.0.0.1:8080", "127.0.0.2:8080", "localhost:8080"])
def test_loopback_may_serve_plain_http(tmp_path: Path, listen: str) -> None:
    for mode in ("auto", "off"):
        where = plan(NodeConfig(web_listen=listen, web_tls=mode), tmp_path, PASSWORD, time.time)
        assert where.tls is None
        assert f"{listen.split(':')[0]}:8080" in where.origin(8080).hosts


def test_off_loopback_gets_the_practice_ca_by_default(tmp_path: Path) -> None:
    config = NodeConfig(
        name="Cabinet du Parc", web_listen="192.168.1.20:8443", web_names=("cabinet.lan",)
    )
    where = plan(config, tmp_path / "tls", PASSWORD, time.time)
    assert where.tls is not None
    assert where.tls.names == parse_names(["192.168.1.20", "cabinet.lan"])
    origin = where.origin(8443)
    assert origin.secure
    assert origin.origins == {"https://192.168.1.20:8443", "https://cabinet.lan:8443"}
    assert origin.url("/login") == "https://cabinet.lan:8443/login"  # a name first
    assert (
        "Cabinet du Parc"
        in tls.read_certificate(TlsFiles(tmp_path / "tls").ca).subject.rfc4514_string()
    )


def test_every_interface_gets_the_detected_names_and_those_configured(tmp_path: Path) -> None:
    config = NodeConfig(web_listen="0.0.0.0:8443", web_names=("cabinet.lan",))
    where = plan(config, tmp_path / "tls", PASSWORD, time.time)
    assert where.tls is not None
    detected = tls.detect_names()
    assert set(where.tls.names.all()) == set(detected.all()) | {"cabinet.lan"}
    assert where.origin(8443).url("/") == "https://cabinet.lan:8443/"  # the operator's name


def test_the_practices_own_certificate_wins(tmp_path: Path) -> None:
    ca, key = tls.create_ca(NAMES, "Their CA", NOW)
    leaf, leaf_key = tls.issue_server(ca, key, parse_names(["cabinet.example.fr"]), NOW)
    cert_path, key_path = tmp_path / "c.pem", tmp_path / "c.key"
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(plain_pem(leaf_key))
    config = NodeConfig(
        web_listen="0.0.0.0:443", web_tls="off", tls_cert=str(cert_path), tls_key=str(key_path)
    )
    where = plan(config, tmp_path / "tls", PASSWORD, time.time)
    assert where.tls is not None
    assert where.origin(443).hosts == {"cabinet.example.fr:443", "cabinet.example.fr"}
    assert not (tmp_path / "tls").exists()  # no practice CA made


def test_unusable_own_files_are_a_clear_error(tmp_path: Path) -> None:
    missing = NodeConfig(
        web_listen="0.0.0.0:8443", tls_cert=str(tmp_path / "none.pem"), tls_key=str(tmp_path / "k")
    )
    with pytest.raises(SetupError) as caught:
        plan(missing, tmp_path / "tls", PASSWORD, time.time)
    assert caught.value.code == "tls_unreadable"


@pytest.mark.parametrize(
    "values",
    [
        {"tls_cert": "/etc/ssl/c.pem"},
        {"tls_key": "/etc/ssl/c.key"},
        {"web_tls": "maybe"},
        {"web_listen": "cabinet"},
    ],
)
def test_the_web_settings_are_checked_on_load(values: dict[str, str]) -> None:
    with pytest.raises(SetupError):
        NodeConfig(**values)  # type: ignore[arg-type]


def test_the_status_document_tells_where_and_until_when(tmp_path: Path) -> None:
    plain = plan(NodeConfig(), tmp_path / "tls", PASSWORD, time.time)
    assert web_status(plain.origin(4242), plain.tls) == {
        "url": "http://127.0.0.1:4242/",
        "https": False,
        "certificate_until": None,
        "ca_fingerprint": None,
    }
    config = NodeConfig(web_listen="192.168.1.20:8443", web_names=("cabinet.lan",))
    secure = plan(config, tmp_path / "tls", PASSWORD, time.time)
    assert secure.tls is not None
    document = web_status(secure.origin(8443), secure.tls)
    assert document["url"] == "https://cabinet.lan:8443/"
    assert document["https"] is True
    served = tls.read_certificate(TlsFiles(tmp_path / "tls").server)
    assert document["certificate_until"].startswith(
        served.not_valid_after_utc.strftime("%Y-%m-%dT")
    )
    assert document["ca_fingerprint"] == tls.fingerprint(
        tls.read_certificate(TlsFiles(tmp_path / "tls").ca)
    )
