"""TLS for the web client on a clinic server's LAN (issue #15; docs/operations.md, "Serveur de
cabinet / Clinic server").

    practice CA     made once per home: ECDSA P-256, ten years, a CA for server certificates
                    only (path length 0), with critical X.509 name constraints (RFC 5280
                    §4.2.1.10) permitting the server's own host names and LAN addresses and
                    nothing else: installed on the workstations, it can vouch for no other site
    server cert     issued by it for those names: valid at most 397 days, issued again
                    :data:`RENEW_BEFORE` before its end, without a restart (the SSL context
                    loads the new chain; new connections get it, open ones keep theirs)
    own cert        ``--tls-cert/--tls-key``: the practice's own certificate, loaded as given
                    and loaded again when its files change (a renewal by another tool)

Files in ``HOME/tls/`` (0700): ``ca.pem``, the certificate to install on the workstations;
``server.pem``, the server certificate then the CA; ``ca-key.pem`` and ``server-key.pem``,
PKCS#8 encrypted under a key derived from the node's data key (no private key is written in
the clear, invariant 1), 0600. X.509 with ``cryptography``, TLS with the standard ``ssl``
module (OpenSSL): nothing hand-made.

    Errors: node.core.errors.SetupError (codes tls_*, invalid_web_name), said at start.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import ipaddress
import logging
import os
import re
import secrets
import socket
import ssl
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from node import system
from node.core.errors import SetupError
from node.paths import write_private

log = logging.getLogger("releve.tls")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Clock = Callable[[], float]

CA_DAYS: Final = 3652  # ten years: the workstations install it once
# CA/Browser Forum baseline (and Apple's rule, 398): a server certificate lives at most 397 days.
SERVER_DAYS: Final = 397
RENEW_BEFORE: Final = datetime.timedelta(days=30)
# The log says when the CA itself nears its end (a new one is to be installed everywhere).
CA_WARN_BEFORE: Final = datetime.timedelta(days=90)
# A workstation whose clock is a little behind still accepts a certificate just issued.
BACKDATE: Final = datetime.timedelta(hours=1)
CHECK_SECONDS: Final = 3600.0  # how often the renewal looks at the certificate's end
# RFC 6761: .invalid never resolves. A CA for a server known by its addresses only permits
# this one DNS subtree, so that no DNS name at all can be vouched for.
NO_DNS_NAME: Final = "invalid"
_LABEL: Final = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_NAMES: Final = 32


# --- names ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """The host names and addresses a certificate is for, in a stable order (the first DNS
    name, else the first address, is where login links point)."""

    dns: tuple[str, ...] = ()
    ips: tuple[IPAddress, ...] = ()

    def all(self) -> tuple[str, ...]:
        return (*self.dns, *(str(ip) for ip in self.ips))

    def __bool__(self) -> bool:
        return bool(self.dns or self.ips)

    def __add__(self, other: Names) -> Names:
        return Names(
            tuple(dict.fromkeys((*self.dns, *other.dns))),
            tuple(dict.fromkeys((*self.ips, *other.ips))),
        )


def parse_names(items: Iterable[str]) -> Names:
    """Host names (lower-cased, RFC 1123 labels) and IPv4/IPv6 addresses; anything else is a
    :class:`SetupError` ``invalid_web_name``."""
    dns: list[str] = []
    ips: list[IPAddress] = []
    for item in items:
        text = item.strip().strip("[]").rstrip(".").lower()
        try:
            ips.append(ipaddress.ip_address(text))
            continue
        except ValueError:
            pass
        if not _is_host_name(text):
            raise SetupError(f"{item!r} is neither a host name nor an address", "invalid_web_name")
        dns.append(text)
    names = Names(tuple(dict.fromkeys(dns)), tuple(dict.fromkeys(ips)))
    if len(names.all()) > MAX_NAMES:
        raise SetupError(f"more than {MAX_NAMES} names", "invalid_web_name")
    return names


def _is_host_name(text: str) -> bool:
    return 0 < len(text) <= 253 and all(_LABEL.match(label) for label in text.split("."))


# Names systems give their loopback (Debian's /etc/hosts: ip6-localhost, localhost.localdomain
# elsewhere): never in a certificate, never "off loopback".
_LOOPBACK_LABELS: Final = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})


def is_loopback(host: str) -> bool:
    name = host.lower().rstrip(".")
    if name.split(".")[0] in _LOOPBACK_LABELS or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("", "0.0.0.0", "::")  # noqa: S104


def detect_names() -> Names:
    """This server's names and LAN addresses, for a web client listening on every interface:
    its host name (and ``NAME.local``, which workstations resolve by mDNS), its fully
    qualified name, the address of its default route and those its name resolves to;
    loopback and link-local addresses left out."""
    host = socket.gethostname().lower()
    found = [host]
    if host and "." not in host:
        found.append(f"{host}.local")
    with contextlib.suppress(OSError):
        found.append(socket.getfqdn().lower())
    addresses: list[str] = []
    with contextlib.suppress(OSError):
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        addresses.extend(str(info[4][0]) for info in infos)
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        # A datagram socket "connected" to a documentation address sends nothing: it only
        # asks the kernel which source address the default route would use.
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as probe_socket:
            probe_socket.connect((probe, 9))
            addresses.append(str(probe_socket.getsockname()[0]))
    usable = [name for name in found if _is_host_name(name) and not is_loopback(name)]
    ips = []
    for text in addresses:
        try:
            ip = ipaddress.ip_address(text.split("%")[0])
        except ValueError:
            continue
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast):
            ips.append(ip)
    return Names(tuple(dict.fromkeys(usable)), tuple(dict.fromkeys(ips)))


# --- certificates -----------------------------------------------------------------------------


def _now(clock: Clock) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(clock(), datetime.UTC)


def _general_names(names: Names) -> list[x509.GeneralName]:
    return [
        *(x509.DNSName(name) for name in names.dns),
        *(x509.IPAddress(ip) for ip in names.ips),
    ]


def _key_usage(*, authority: bool) -> x509.KeyUsage:
    """A CA signs certificates (and revocation lists); a server signs its handshakes (ECDHE
    with an ECDSA key: digitalSignature only)."""
    return x509.KeyUsage(
        digital_signature=not authority,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=authority,
        crl_sign=authority,
        encipher_only=False,
        decipher_only=False,
    )


def create_ca(
    names: Names, practice: str, now: datetime.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A practice CA whose name constraints permit ``names`` only (each DNS name with its
    subdomains, each address alone); any name form missing is shut out, not left open."""
    if not names:
        raise SetupError("no host name or address to make a certificate for", "tls_no_names")
    key = ec.generate_private_key(ec.SECP256R1())
    permitted: list[x509.GeneralName] = [x509.DNSName(name) for name in names.dns]
    if not names.dns:
        permitted.append(x509.DNSName(NO_DNS_NAME))
    permitted += [x509.IPAddress(ipaddress.ip_network(ip)) for ip in names.ips]
    excluded: list[x509.GeneralName] = []
    if not names.ips:  # no permitted address would leave every address allowed
        excluded = [
            x509.IPAddress(ipaddress.ip_network("0.0.0.0/0")),
            x509.IPAddress(ipaddress.ip_network("::/0")),
        ]
    subject = x509.Name(
        [
            # A fresh suffix: two CAs of one practice (a new one after a theft) never share
            # a subject, which certificate stores would confuse.
            x509.NameAttribute(NameOID.COMMON_NAME, f"Relève AC {secrets.token_hex(4)}"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, (practice.strip() or "Relève")[:64]),
        ]
    )
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(authority=True), critical=True)
        .add_extension(
            x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=excluded or None),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def issue_server(
    ca: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    names: Names,
    now: datetime.datetime,
    days: int = SERVER_DAYS,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A server certificate for ``names``, signed by ``ca``, valid ``days`` (at most 397)."""
    if not names:
        raise SetupError("no host name or address to make a certificate for", "tls_no_names")
    days = min(days, SERVER_DAYS)
    key = ec.generate_private_key(ec.SECP256R1())
    # Browsers read the names from subjectAltName only; a common name is kept for people
    # reading the certificate, and only when it is a DNS name (OpenSSL would check an
    # address-like common name against the DNS constraints).
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Relève")]
    if names.dns:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, names.dns[0][:64]))
    start = now - BACKDATE
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(min(start + datetime.timedelta(days=days), ca.not_valid_after_utc))
        .add_extension(x509.SubjectAlternativeName(_general_names(names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(authority=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(_ec_public(ca)), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return certificate, key


def _ec_public(certificate: x509.Certificate) -> ec.EllipticCurvePublicKey:
    public = certificate.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise SetupError("the practice CA's key is not an EC key", "tls_ca_damaged")
    return public


def permitted_names(ca: x509.Certificate) -> Names:
    """What ``ca``'s name constraints permit (each DNS name stands for its subdomains too;
    each address is a /32 or /128)."""
    try:
        constraints = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return Names()
    dns: list[str] = []
    ips: list[IPAddress] = []
    for subtree in constraints.permitted_subtrees or ():
        if isinstance(subtree, x509.DNSName) and subtree.value != NO_DNS_NAME:
            dns.append(subtree.value)
        elif isinstance(subtree, x509.IPAddress) and isinstance(
            subtree.value, ipaddress.IPv4Network | ipaddress.IPv6Network
        ):
            ips.append(subtree.value.network_address)
    return Names(tuple(dns), tuple(ips))


def covered(names: Names, ca: x509.Certificate) -> Names:
    """The part of ``names`` that ``ca`` may vouch for."""
    allowed = permitted_names(ca)
    dns = tuple(
        name
        for name in names.dns
        if any(name == base or name.endswith("." + base) for base in allowed.dns)
    )
    return Names(dns, tuple(ip for ip in names.ips if ip in allowed.ips))


def issued_by(certificate: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def fingerprint(
    certificate: x509.Certificate, algorithm: hashes.HashAlgorithm | None = None
) -> str:
    """As browsers and certutil show it: hex pairs separated by colons (SHA-256 unless said)."""
    digest = certificate.fingerprint(algorithm or hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


def server_names_of(certificate: x509.Certificate) -> Names:
    try:
        alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return Names()
    return Names(
        tuple(alt.get_values_for_type(x509.DNSName)),
        tuple(
            ip
            for ip in alt.get_values_for_type(x509.IPAddress)
            if isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address)
        ),
    )


# --- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsFiles:
    """``HOME/tls/``: see the module docstring."""

    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca-key.pem"

    @property
    def server(self) -> Path:
        return self.folder / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server-key.pem"

    def make_folder(self) -> None:
        self.folder.mkdir(mode=0o700, exist_ok=True)
        system.make_private(self.folder, directory=True)


def key_password(subkey: bytes) -> bytes:
    """The password of the PEM key files: a key the node derives from its data key
    (``FieldCipher.subkey``), written as ASCII for OpenSSL's password callback."""
    return base64.urlsafe_b64encode(subkey)


def _pem_key(key: ec.EllipticCurvePrivateKey, secret: bytes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(secret),
    )


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def read_certificate(path: Path) -> x509.Certificate:
    """The first certificate of a PEM file; SetupError ``tls_unreadable`` otherwise."""
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SetupError(
            f"{path} is not a readable PEM certificate ({exc})", "tls_unreadable"
        ) from None


def _read_key(path: Path, secret: bytes) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=secret)
    except (OSError, ValueError, TypeError):
        # The message names the file, never its content.
        raise SetupError(f"{path} cannot be read with this node's key", "tls_ca_damaged") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SetupError(f"{path} is not an EC key", "tls_ca_damaged")
    return key


def load_or_create_ca(
    files: TlsFiles, secret: bytes, names: Names, practice: str, clock: Clock
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The home's practice CA, made (for ``names``) when there is none yet."""
    if files.ca.exists() and files.ca_key.exists():
        return read_certificate(files.ca), _read_key(files.ca_key, secret)
    files.make_folder()
    ca, key = create_ca(names, practice, _now(clock))
    write_private(files.ca_key, _pem_key(key, secret))
    write_private(files.ca, _pem(ca))
    log.info(
        "practice CA created for %s (fingerprint SHA-256 %s): install it on the"
        " workstations, see `releve tls ca`",
        ", ".join(names.all()),
        fingerprint(ca),
    )
    return ca, key


def forget_ca(files: TlsFiles) -> bool:
    """Deletes the practice CA and its server certificate (``releve tls ca --new``): the
    node makes new ones at its next start. True when there was one."""
    existed = files.ca.exists()
    for path in (files.ca_key, files.ca, files.server_key, files.server):
        path.unlink(missing_ok=True)
    return existed


# --- the served certificate -------------------------------------------------------------------


def server_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return context


class WebTls:
    """The SSL context of the web client's listening socket and what keeps its certificate
    valid: :meth:`check` (run every :data:`CHECK_SECONDS` by :meth:`start`) issues a new
    server certificate ``RENEW_BEFORE`` its end, or loads the practice's own files again
    when they changed."""

    def __init__(self, context: ssl.SSLContext, names: Names, clock: Clock) -> None:
        self.context = context
        self.names = names
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self.not_after: datetime.datetime | None = None
        self.ca_fingerprint: str | None = None  # the practice CA's (None: the practice's own)
        self._check: Callable[[], bool] = lambda: False

    # --- the practice CA ---------------------------------------------------------------

    @classmethod
    def practice(
        cls,
        files: TlsFiles,
        secret: bytes,
        names: Names,
        practice: str,
        clock: Clock,
    ) -> WebTls:
        """The server certificate of the practice CA (made when missing) for ``names``; the
        names the CA does not cover (the server got a new address) are left out with a
        warning, and none covered is an error."""
        ca, ca_key = load_or_create_ca(files, secret, names, practice, clock)
        served = covered(names, ca)
        left_out = [name for name in names.all() if name not in served.all()]
        if left_out:
            log.warning(
                "the practice CA does not cover %s: the web client is served for %s only"
                " (`releve tls ca --new` makes a new CA at the next start, to install again)",
                ", ".join(left_out),
                ", ".join(served.all()) or "nothing",
            )
        if not served:
            raise SetupError(
                f"the practice CA covers none of {', '.join(names.all())}", "tls_names_changed"
            )
        tls = cls(server_context(), served, clock)
        tls.ca_fingerprint = fingerprint(ca)

        warned_on: list[datetime.date] = []  # the last day the CA's end was said

        def renew() -> bool:
            now = _now(clock)
            ca_end = ca.not_valid_after_utc
            if ca_end - now < CA_WARN_BEFORE and warned_on[-1:] != [now.date()]:
                warned_on[:] = [now.date()]  # a line a day, not one an hour
                log.warning(
                    "the practice CA ends on %s: `releve tls ca --new`, restart the node and"
                    " install the new CA on the workstations",
                    ca_end.date().isoformat(),
                )
            current = _read_server(files, ca)
            if (
                current is not None
                and server_names_of(current) == served
                # Far enough from its end, or ending with the CA (a new one would not last
                # longer: the CA's end caps it).
                and (
                    current.not_valid_after_utc - RENEW_BEFORE > now
                    or current.not_valid_after_utc >= ca_end
                )
            ):
                if tls.not_after is not None:
                    return False
                try:
                    tls._load(files.server, files.server_key, secret, current)
                    return False
                except SetupError:  # a key from another certificate (a stop between writes)
                    log.warning("the web client's certificate and key do not match: issued again")
            certificate, key = issue_server(ca, ca_key, served, now)
            write_private(files.server_key, _pem_key(key, secret))
            write_private(files.server, _pem(certificate) + _pem(ca))
            tls._load(files.server, files.server_key, secret, certificate)
            log.info(
                "web client certificate issued for %s, valid until %s",
                ", ".join(served.all()),
                certificate.not_valid_after_utc.date().isoformat(),
            )
            return True

        renew()
        tls._check = renew
        return tls

    # --- the practice's own certificate ---------------------------------------------------

    @classmethod
    def own(cls, certificate_path: Path, key_path: Path, clock: Clock) -> WebTls:
        """``--tls-cert/--tls-key``: loaded as given (a key protected by a passphrase cannot
        be: the node runs unattended), loaded again when either file changes."""
        certificate = read_certificate(certificate_path)
        tls = cls(server_context(), server_names_of(certificate), clock)
        if not tls.names:
            raise SetupError(
                f"{certificate_path} names no host (no subjectAltName)", "tls_unreadable"
            )
        seen = _stamps(certificate_path, key_path)
        tls._load(certificate_path, key_path, None, certificate)
        if not private_enough(key_path):
            log.warning("%s can be read by other accounts: chmod 600 it", key_path)
        if _now(clock) > certificate.not_valid_after_utc:
            log.warning("the web client's certificate %s has expired", certificate_path)

        def reload() -> bool:
            nonlocal seen
            stamps = _stamps(certificate_path, key_path)
            if stamps == seen:
                return False
            try:
                tls._load(certificate_path, key_path, None, read_certificate(certificate_path))
            except SetupError as exc:
                log.warning("the web client keeps its certificate: %s", exc)
                return False
            seen = stamps
            log.info("web client certificate %s loaded again", certificate_path)
            return True

        tls._check = reload
        return tls

    # --- loading and renewal --------------------------------------------------------------

    def _load(
        self,
        certificate_path: Path,
        key_path: Path,
        secret: bytes | None,
        certificate: x509.Certificate,
    ) -> None:
        try:
            # Tried on a scratch context first: a certificate loaded into the live one with a
            # key that then fails would leave it serving a pair that does not match.
            server_context().load_cert_chain(certificate_path, key_path, password=secret or b"")
            self.context.load_cert_chain(certificate_path, key_path, password=secret or b"")
        except (OSError, ssl.SSLError) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or "unusable"
            raise SetupError(
                f"{certificate_path} and {key_path} cannot be used ({reason})", "tls_unreadable"
            ) from None
        self.not_after = certificate.not_valid_after_utc

    def check(self) -> bool:
        """Renews (or reloads) when due; True when the served certificate changed."""
        return self._check()

    def start(self, interval: float = CHECK_SECONDS) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(interval))

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                self.check()
            except (OSError, SetupError) as exc:  # a full disk: tried again next time
                log.warning("web client certificate not renewed yet: %s", exc)


def _read_server(files: TlsFiles, ca: x509.Certificate) -> x509.Certificate | None:
    if not (files.server.exists() and files.server_key.exists()):
        return None
    try:
        certificate = read_certificate(files.server)
    except SetupError:
        return None
    return certificate if issued_by(certificate, ca) else None


def _stamps(*paths: Path) -> tuple[tuple[int, int], ...]:
    found = []
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            found.append((0, 0))
        else:
            found.append((info.st_mtime_ns, info.st_size))
    return tuple(found)


def private_enough(path: Path) -> bool:
    """A key file others cannot read (POSIX; on Windows access lists decide)."""
    if system.WINDOWS:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not mode & (stat.S_IRWXG | stat.S_IRWXO)
