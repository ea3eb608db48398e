"""Where the web client is served (node/edges/web/origin.py): the Host values and origins the
guard accepts, and cookies, on 127.0.0.1 and over TLS on a clinic server's LAN (issue #15)."""

from __future__ import annotations

from aiohttp import web

from node.edges.web.origin import WebOrigin


def test_loopback_accepts_its_port_only_over_http() -> None:
    served = WebOrigin(8123)
    assert served.hosts == {"127.0.0.1:8123", "localhost:8123"}
    assert served.origins == {"http://127.0.0.1:8123", "http://localhost:8123"}
    assert served.accepts_host("LOCALHOST:8123")
    assert not served.accepts_host("127.0.0.1:8124")
    assert not served.accepts_host("192.168.1.20:8123")
    assert served.url("/login?token=t") == "http://127.0.0.1:8123/login?token=t"
    assert served.socket_source("127.0.0.1:8123") == "ws://127.0.0.1:8123"


def test_tls_accepts_the_certificate_names_and_the_https_origins_only() -> None:
    served = WebOrigin(8443, ("cabinet.lan", "192.168.1.20", "fd00::20"), secure=True)
    assert served.hosts == {"cabinet.lan:8443", "192.168.1.20:8443", "[fd00::20]:8443"}
    assert "https://cabinet.lan:8443" in served.origins
    assert "http://cabinet.lan:8443" not in served.origins
    assert "https://[fd00::20]:8443" in served.origins
    assert not served.accepts_host("127.0.0.1:8443")
    assert not served.accepts_host("attacker.example:8443")
    assert served.url("/x") == "https://cabinet.lan:8443/x"
    assert served.socket_source("cabinet.lan:8443") == "wss://cabinet.lan:8443"


def test_on_port_443_browsers_leave_the_port_out() -> None:
    served = WebOrigin(443, ("cabinet.lan",), secure=True)
    assert served.hosts == {"cabinet.lan:443", "cabinet.lan"}
    assert "https://cabinet.lan" in served.origins


def test_cookies_under_tls_are_host_prefixed_secure_httponly_strict() -> None:
    response = web.Response()
    served = WebOrigin(8443, ("cabinet.lan",), secure=True)
    served.set_cookie(response, "releve_session_8443", "s3cret")
    morsel = response.cookies["__Host-releve_session_8443"]
    assert morsel.value == "s3cret"
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"
    assert morsel["path"] == "/"
    assert not morsel["domain"]
    gone = web.Response()
    served.del_cookie(gone, "releve_session_8443")
    expired = gone.cookies["__Host-releve_session_8443"]
    assert expired["secure"] is True
    assert str(expired["max-age"]) == "0"


def test_cookies_on_loopback_keep_their_name_and_are_not_secure() -> None:
    response = web.Response()
    WebOrigin(8123).set_cookie(response, "releve_lang", "en", max_age=60)
    morsel = response.cookies["releve_lang"]
    assert not morsel["secure"]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"
    assert str(morsel["max-age"]) == "60"
