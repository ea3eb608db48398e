"""How to reach a node: direct addresses and relays (docs/protocol.md §6).

Encoded compactly, one tagged endpoint after another, so that an invitation with a relay
and two addresses still fits a QR code an old webcam reads.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final

from .errors import LocalProtocolError, MalformedInput
from .wire import Reader, Writer

MAX_ENDPOINTS: Final = 8
MAX_HOST_LENGTH: Final = 253
MAILBOX_ID_SIZE: Final = 16
CAPABILITY_SIZE: Final = 32  # node.protocol.relay_wire.CAPABILITY_SIZE
_LABEL: Final = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
# \Z, not $: $ also matches before a final newline, which would let "host\n" through.
_HOSTNAME: Final = re.compile(rf"^(?=.{{1,253}}\Z){_LABEL}(\.{_LABEL})*\Z")


class EndpointKind(IntEnum):
    DIRECT_IPV4 = 0x01
    DIRECT_IPV6 = 0x02
    DIRECT_HOST = 0x03
    RELAY_HTTP = 0x11
    RELAY_HTTPS = 0x12


@dataclass(frozen=True)
class Endpoint:
    """A direct peer endpoint or a relay, as ``kind``, ``host`` and ``port``."""

    kind: EndpointKind
    host: str
    port: int

    def __post_init__(self) -> None:
        _check_endpoint(self, LocalProtocolError)

    @property
    def is_relay(self) -> bool:
        return self.kind in (EndpointKind.RELAY_HTTP, EndpointKind.RELAY_HTTPS)

    @property
    def url(self) -> str:
        """``http(s)://host:port`` (IPv6 hosts in brackets)."""
        scheme = "https" if self.kind is EndpointKind.RELAY_HTTPS else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @classmethod
    def direct(cls, host: str, port: int) -> Endpoint:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return cls(EndpointKind.DIRECT_HOST, host.lower(), port)
        kind = EndpointKind.DIRECT_IPV4 if address.version == 4 else EndpointKind.DIRECT_IPV6
        return cls(kind, str(address), port)

    @classmethod
    def relay(cls, url: str) -> Endpoint:
        """Parses ``http://host:port`` or ``https://host[:port]`` (no path)."""
        match = re.fullmatch(r"(https?)://(\[[0-9a-fA-F:.]+\]|[^/:\[\]]+)(?::(\d{1,5}))?/?", url)
        if match is None:
            raise LocalProtocolError("relay URL must look like http://host:port")
        scheme, host, port = match.groups()
        secure = scheme == "https"
        kind = EndpointKind.RELAY_HTTPS if secure else EndpointKind.RELAY_HTTP
        return cls(kind, host.strip("[]").lower(), int(port) if port else (443 if secure else 80))

    def encode_into(self, writer: Writer) -> None:
        writer.u8(self.kind)
        if self.kind in (EndpointKind.DIRECT_IPV4, EndpointKind.DIRECT_IPV6):
            writer.raw(ipaddress.ip_address(self.host).packed)
        else:
            writer.bytes8(self.host.encode("ascii"))
        writer.u16(self.port)

    @classmethod
    def decode_from(cls, reader: Reader) -> Endpoint:
        try:
            kind = EndpointKind(reader.u8())
        except ValueError:
            raise reader.fail("unknown endpoint kind") from None
        if kind is EndpointKind.DIRECT_IPV4:
            host = str(ipaddress.IPv4Address(reader.raw(4)))
        elif kind is EndpointKind.DIRECT_IPV6:
            host = str(ipaddress.IPv6Address(reader.raw(16)))
        else:
            try:
                host = reader.bytes8().decode("ascii")
            except UnicodeDecodeError:
                raise reader.fail("host name is not ASCII") from None
        port = reader.u16()
        endpoint = object.__new__(cls)
        object.__setattr__(endpoint, "kind", kind)
        object.__setattr__(endpoint, "host", host)
        object.__setattr__(endpoint, "port", port)
        _check_endpoint(endpoint, MalformedInput)
        return endpoint


def _check_endpoint(endpoint: Endpoint, error: type[Exception]) -> None:
    if not 1 <= endpoint.port <= 0xFFFF:
        raise error("endpoint port out of range")
    if "%" in endpoint.host:
        # An IPv6 scope id ("fe80::1%eth0") names one of our own interfaces: meaningless to a
        # peer, dropped by the packed encoding, and ipaddress accepts any character in it.
        raise error("endpoint address must not carry a scope id")
    if endpoint.kind in (EndpointKind.DIRECT_IPV4, EndpointKind.DIRECT_IPV6):
        try:
            address = ipaddress.ip_address(endpoint.host)
        except ValueError:
            raise error("endpoint address is not an IP address") from None
        expected = 4 if endpoint.kind is EndpointKind.DIRECT_IPV4 else 6
        if address.version != expected:
            raise error("endpoint address family does not match its kind")
    elif not _HOSTNAME.match(endpoint.host):
        try:
            ipaddress.ip_address(endpoint.host)
        except ValueError:
            raise error("endpoint host name is invalid") from None


@dataclass(frozen=True)
class Reachability:
    """Every way to reach a node, plus its relay mailbox id (empty when it uses no relay) and
    the mailbox's deposit capability (docs/protocol.md §6.3; docs/relay-protocol.md §3).

    A node always gives the capability with its mailbox id; one without it was made by a
    version that predates capabilities: relays refuse deposits for it."""

    endpoints: tuple[Endpoint, ...] = ()
    mailbox_id: bytes = b""
    deposit_capability: bytes = field(default=b"", repr=False)  # a secret shared with contacts

    def __post_init__(self) -> None:
        if len(self.endpoints) > MAX_ENDPOINTS:
            raise LocalProtocolError(f"at most {MAX_ENDPOINTS} endpoints")
        if self.mailbox_id and len(self.mailbox_id) != MAILBOX_ID_SIZE:
            raise LocalProtocolError("mailbox id must be 16 bytes")
        if self.deposit_capability and (
            len(self.deposit_capability) != CAPABILITY_SIZE or not self.mailbox_id
        ):
            raise LocalProtocolError("a deposit capability is 32 bytes, with a mailbox id")

    @property
    def direct(self) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.endpoints if not e.is_relay)

    @property
    def relays(self) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.endpoints if e.is_relay)

    @property
    def can_deposit(self) -> bool:
        """Whether a sender can deposit for this node on its relays."""
        return bool(self.mailbox_id and self.deposit_capability)

    def encode_into(self, writer: Writer) -> None:
        # The mailbox field: empty, the mailbox id with its capability (48 bytes), or, only
        # when re-encoding what an older node sent, the bare mailbox id (16 bytes).
        writer.bytes8(self.mailbox_id + self.deposit_capability)
        writer.u8(len(self.endpoints))
        for endpoint in self.endpoints:
            endpoint.encode_into(writer)

    @classmethod
    def decode_from(cls, reader: Reader) -> Reachability:
        mailbox = reader.bytes8()
        if len(mailbox) not in (0, MAILBOX_ID_SIZE, MAILBOX_ID_SIZE + CAPABILITY_SIZE):
            raise reader.fail("mailbox field must be 0, 16 or 48 bytes")
        count = reader.u8()
        if count > MAX_ENDPOINTS:
            raise reader.fail(f"more than {MAX_ENDPOINTS} endpoints")
        endpoints = tuple(Endpoint.decode_from(reader) for _ in range(count))
        return cls(endpoints, mailbox[:MAILBOX_ID_SIZE], mailbox[MAILBOX_ID_SIZE:])
