"""The practice certificate authority and its server certificate (node/edges/tls.py, issue #15):
name constraints present, critical and enforced by a verifier (cryptography's, and OpenSSL's
through a real handshake in test_tls_serving.py), server certificates of at most 397 days
for the right names, keys encrypted at rest and 0600, names parsed strictly."""

from __future__ import annotations

import datetime
import ipaddress
import logging
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from node.core.errors import SetupError
from node.edges import tls
from node.edges.tls import Names, TlsFiles, WebTls, covered, parse_names

NOW = datetime.datetime(2026, 12, 5, 8, 0, tzinfo=datetime.UTC)
NAMES = parse_names(["cabinet.lan", "srv-cabinet", "192.168.1.20", "fd00::20"])
PASSWORD = tls.key_password(b"k" * 32)


def verify(
    ca: x509.Certificate, leaf: x509.Certificate, name: x509.DNSName | x509.IPAddress
) -> None:
    """RFC 5280 path validation with the CA as the only trust anchor (name constraints
    included), as of NOW plus a day."""
    builder = PolicyBuilder().store(Store([ca])).time(NOW + datetime.timedelta(days=1))
    builder.build_server_verifier(name).verify(leaf, [])


def test_the_ca_is_constrained_to_the_servers_names_critically() -> None:
    ca, _ = tls.create_ca(NAMES, "Cabinet du Parc", NOW)
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    assert set(constraints.value.permitted_subtrees or ()) == {
        x509.DNSName("cabinet.lan"),
        x509.DNSName("srv-cabinet"),
        x509.IPAddress(ipaddress.ip_network("192.168.1.20/32")),
        x509.IPAddress(ipaddress.ip_network("fd00::20/128")),
    }
    assert constraints.value.excluded_subtrees is None
    basic = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical
    assert basic.value.ca
    assert basic.value.path_length == 0
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.key_cert_sign
    assert not usage.value.digital_signature
    assert ca.subject == ca.issuer
    assert "Cabinet du Parc" in ca.subject.rfc4514_string()


def test_a_ca_without_addresses_shuts_every_address_out() -> None:
    ca, _ = tls.create_ca(parse_names(["cabinet.lan"]), "Cabinet", NOW)
    value = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    assert set(value.excluded_subtrees or ()) == {
        x509.IPAddress(ipaddress.ip_network("0.0.0.0/0")),
        x509.IPAddress(ipaddress.ip_network("::/0")),
    }


def test_a_ca_without_host_names_permits_only_the_unresolvable_invalid_domain() -> None:
    ca, key = tls.create_ca(parse_names(["127.0.0.2"]), "Cabinet", NOW)
    value = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    assert x509.DNSName("invalid") in (value.permitted_subtrees or ())
    rogue, _ = tls.issue_server(ca, key, parse_names(["bank.example"]), NOW)
    with pytest.raises(VerificationError):
        verify(ca, rogue, x509.DNSName("bank.example"))
    assert tls.permitted_names(ca) == parse_names(["127.0.0.2"])


def test_the_server_certificate_lives_at_most_397_days_and_names_the_server() -> None:
    ca, key = tls.create_ca(NAMES, "Cabinet", NOW)
    leaf, leaf_key = tls.issue_server(ca, key, NAMES, NOW)
    lifetime = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    assert lifetime <= datetime.timedelta(days=397)
    assert leaf.not_valid_before_utc <= NOW < leaf.not_valid_after_utc
    asked, _ = tls.issue_server(ca, key, NAMES, NOW, days=800)  # capped, whatever is asked
    assert asked.not_valid_after_utc - asked.not_valid_before_utc <= datetime.timedelta(days=397)
    alt = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert alt.get_values_for_type(x509.DNSName) == ["cabinet.lan", "srv-cabinet"]
    assert alt.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("192.168.1.20"),
        ipaddress.ip_address("fd00::20"),
    ]
    assert tls.server_names_of(leaf) == NAMES
    basic = leaf.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical
    assert not basic.value.ca
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert tls.issued_by(leaf, ca)
    assert leaf_key.public_key() == leaf.public_key()
    for name in (
        x509.DNSName("cabinet.lan"),
        x509.DNSName("srv-cabinet"),
        x509.IPAddress(ipaddress.ip_address("192.168.1.20")),
        x509.IPAddress(ipaddress.ip_address("fd00::20")),
    ):
        verify(ca, leaf, name)


@pytest.mark.parametrize(
    "outside", ["bank.example", "cabinet.lan.evil.example", "lan", "10.0.0.1", "fd00::21"]
)
def test_a_certificate_outside_the_name_constraints_does_not_verify(outside: str) -> None:
    """What the constraints are for: the CA's key, stolen with the server, vouches for no
    other site the workstations visit."""
    ca, key = tls.create_ca(NAMES, "Cabinet", NOW)
    rogue, _ = tls.issue_server(ca, key, parse_names([outside]), NOW)
    try:
        name: x509.DNSName | x509.IPAddress = x509.IPAddress(ipaddress.ip_address(outside))
    except ValueError:
        name = x509.DNSName(outside)
    with pytest.raises(VerificationError):
        verify(ca, rogue, name)


def test_a_subdomain_of_a_permitted_name_is_inside() -> None:
    ca, key = tls.create_ca(NAMES, "Cabinet", NOW)
    leaf, _ = tls.issue_server(ca, key, parse_names(["poste.cabinet.lan"]), NOW)
    verify(ca, leaf, x509.DNSName("poste.cabinet.lan"))
    assert covered(parse_names(["poste.cabinet.lan", "other.lan"]), ca) == parse_names(
        ["poste.cabinet.lan"]
    )


def test_two_cas_of_one_practice_have_different_subjects() -> None:
    first, _ = tls.create_ca(NAMES, "Cabinet", NOW)
    second, _ = tls.create_ca(NAMES, "Cabinet", NOW)
    assert first.subject != second.subject
    assert tls.fingerprint(first) != tls.fingerprint(second)
    assert len(tls.fingerprint(first).split(":")) == 32


def test_a_long_practice_name_still_makes_a_ca() -> None:
    ca, _ = tls.create_ca(NAMES, "Maison de santé pluriprofessionnelle " * 4, NOW)
    assert ca.subject


@pytest.mark.parametrize(
    "bad", ["", "bad name", "-cabinet", "a" * 64 + ".lan", "cabinet_lan", "http://x", "é.lan"]
)
def test_names_are_host_names_or_addresses(bad: str) -> None:
    with pytest.raises(SetupError) as caught:
        parse_names([bad])
    assert caught.value.code == "invalid_web_name"


def test_names_are_normalised_and_deduplicated() -> None:
    names = parse_names(["Cabinet.LAN.", "cabinet.lan", "[fd00::20]", "192.168.1.20"])
    assert names == Names(
        ("cabinet.lan",), (ipaddress.ip_address("fd00::20"), ipaddress.ip_address("192.168.1.20"))
    )
    with pytest.raises(SetupError):
        parse_names([f"10.0.0.{i}" for i in range(40)])


def test_no_name_makes_no_certificate() -> None:
    with pytest.raises(SetupError) as caught:
        tls.create_ca(Names(), "Cabinet", NOW)
    assert caught.value.code == "tls_no_names"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        ("localhost.localdomain", True),
        ("ip6-localhost", True),
        ("poste.localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("cabinet.lan", False),
        ("localhostess.lan", False),
    ],
)
def test_what_is_loopback(host: str, loopback: bool) -> None:
    assert tls.is_loopback(host) is loopback


def test_detected_names_are_never_loopback_or_link_local() -> None:
    names = tls.detect_names()
    assert names.dns  # at least the host name
    for ip in names.ips:
        assert not (ip.is_loopback)
        assert not (ip.is_link_local)
        assert not (ip.is_unspecified)
    for name in names.dns:
        assert not tls.is_loopback(name)


# --- the files of the home --------------------------------------------------------------------


def test_keys_are_encrypted_and_private_and_never_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = TlsFiles(tmp_path / "tls")
    caplog.set_level(logging.DEBUG)
    served = WebTls.practice(files, PASSWORD, NAMES, "Cabinet", NOW.timestamp)
    assert served.names == NAMES
    assert stat.S_IMODE(files.folder.stat().st_mode) == 0o700
    for path in (files.ca_key, files.server_key):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        data = path.read_bytes()
        assert data.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises(TypeError):  # no password: not readable
            serialization.load_pem_private_key(data, password=None)
        serialization.load_pem_private_key(data, password=PASSWORD)
    chain = files.server.read_bytes()
    assert chain.count(b"BEGIN CERTIFICATE") == 2  # the server's, then the CA's
    logged = caplog.text
    assert "PRIVATE KEY" not in logged
    assert PASSWORD.decode() not in logged
    assert tls.fingerprint(tls.read_certificate(files.ca)) in logged  # said once, to compare


def test_a_second_start_keeps_the_ca_and_a_certificate_not_due(tmp_path: Path) -> None:
    files = TlsFiles(tmp_path / "tls")
    WebTls.practice(files, PASSWORD, NAMES, "Cabinet", NOW.timestamp)
    ca_before = files.ca.read_bytes()
    server_before = files.server.read_bytes()
    later = (NOW + datetime.timedelta(days=100)).timestamp()
    again = WebTls.practice(files, PASSWORD, NAMES, "Cabinet", lambda: later)
    assert files.ca.read_bytes() == ca_before
    assert files.server.read_bytes() == server_before
    assert again.not_after == tls.read_certificate(files.server).not_valid_after_utc


def test_a_wrong_key_password_is_a_clear_error(tmp_path: Path) -> None:
    files = TlsFiles(tmp_path / "tls")
    WebTls.practice(files, PASSWORD, NAMES, "Cabinet", NOW.timestamp)
    with pytest.raises(SetupError) as caught:
        WebTls.practice(files, tls.key_password(b"x" * 32), NAMES, "Cabinet", NOW.timestamp)
    assert caught.value.code == "tls_ca_damaged"
    assert "BEGIN" not in str(caught.value)


def test_names_the_ca_does_not_cover_are_left_out_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = TlsFiles(tmp_path / "tls")
    WebTls.practice(files, PASSWORD, NAMES, "Cabinet", NOW.timestamp)
    moved = parse_names(["cabinet.lan", "192.168.1.77"])  # the server got a new address
    served = WebTls.practice(files, PASSWORD, moved, "Cabinet", NOW.timestamp)
    assert served.names == parse_names(["cabinet.lan"])
    assert tls.server_names_of(tls.read_certificate(files.server)) == served.names
    assert "192.168.1.77" in caplog.text
    assert "releve tls ca --new" in caplog.text
    with pytest.raises(SetupError) as caught:
        WebTls.practice(files, PASSWORD, parse_names(["10.1.1.1"]), "Cabinet", NOW.timestamp)
    assert caught.value.code == "tls_names_changed"


def test_forgetting_the_ca_makes_a_new_one_at_the_next_start(tmp_path: Path) -> None:
    files = TlsFiles(tmp_path / "tls")
    WebTls.practice(files, PASSWORD, NAMES, "Cabinet", NOW.timestamp)
    old = tls.read_certificate(files.ca)
    assert tls.forget_ca(files)
    assert not any(files.folder.iterdir())
    assert not tls.forget_ca(files)
    WebTls.practice(files, PASSWORD, NAMES, "Cabinet", NOW.timestamp)
    assert tls.fingerprint(tls.read_certificate(files.ca)) != tls.fingerprint(old)


def test_near_the_cas_end_the_log_says_so_daily_and_nothing_is_issued_in_vain(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = TlsFiles(tmp_path / "tls")
    moment = [NOW.timestamp()]
    served = WebTls.practice(files, PASSWORD, NAMES, "Cabinet", lambda: moment[0])
    ca_end = tls.read_certificate(files.ca).not_valid_after_utc
    assert "ends on" not in caplog.text
    moment[0] = (ca_end - datetime.timedelta(days=20)).timestamp()
    assert served.check()  # the old certificate ended long ago: a new one, to the CA's end
    assert tls.read_certificate(files.server).not_valid_after_utc == ca_end
    assert caplog.text.count("the practice CA ends on") == 1
    assert not served.check()  # no longer than it already is: nothing issued
    assert caplog.text.count("the practice CA ends on") == 1  # once that day
    moment[0] += 24 * 3600
    assert not served.check()
    assert caplog.text.count("the practice CA ends on") == 2


def test_a_certificate_and_key_that_do_not_match_are_issued_again(tmp_path: Path) -> None:
    """A stop between writing the new key and the new certificate leaves a pair that does not
    match: the next start issues a new one instead of refusing to start."""
    files = TlsFiles(tmp_path / "tls")
    WebTls.practice(files, PASSWORD, NAMES, "Cabinet", NOW.timestamp)
    first = tls.read_certificate(files.server)
    ca, ca_key = tls.load_or_create_ca(files, PASSWORD, NAMES, "Cabinet", NOW.timestamp)
    _, other_key = tls.issue_server(ca, ca_key, NAMES, NOW)
    files.server_key.write_bytes(
        other_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASSWORD),
        )
    )
    served = WebTls.practice(files, PASSWORD, NAMES, "Cabinet", NOW.timestamp)
    again = tls.read_certificate(files.server)
    assert again.serial_number != first.serial_number
    assert served.not_after == again.not_valid_after_utc
