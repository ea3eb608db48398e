"""The relay's wire format, sans I/O (docs/relay-protocol.md is normative).

It lives in the protocol core so that dependencies point one way: the relay imports it (and
nothing else of the node), the node's relay client, mailbox and phone pairing import it;
it imports neither of them. Decoders raise only :class:`RelayProtocolError` (a
:class:`~node.protocol.errors.MalformedInput`).

Mailboxes are self-certifying: a mailbox id is ``BLAKE2b-128(mailbox public key, person
"releve-mailbox")``, so the relay needs no registration to know who may read a mailbox. The
mailbox key is an Ed25519 key of its own, never a node's identity key.

WebSocket frames (binary), each starting with a type byte:

    relay -> owner   0x01 CHALLENGE  version u8 || nonce (32)
                     0x02 WELCOME    queued blobs u32
                     0x03 BLOB       blob id (16) || blob
                     0x04 ERROR      code u16 || reason (UTF-8)
    owner -> relay   0x11 AUTH       mailbox public key (32) || signature (64)
                     0x12 ACK        count u16 || blob id (16) x count

HTTP deposit batch (``POST /v1/deposits``): frames of mailbox id (16) || u32 length || blob.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

import nacl.bindings as sodium
import nacl.exceptions

# Defined with the rest of the exception tree; named here too because every decoder of this
# module raises it and its callers catch it by this module's name.
from .errors import RelayProtocolError as RelayProtocolError

VERSION: Final = 1
MAILBOX_ID_SIZE: Final = 16
BLOB_ID_SIZE: Final = 16
NONCE_SIZE: Final = 32
KEY_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64
MAX_BLOB_SIZE: Final = 65536  # a Relève packet's largest bucket
MAX_ACK_IDS: Final = 1024
MAX_DEPOSIT_BATCH: Final = 64
AUTH_LABEL: Final = b"releve relay auth v1"
_MAILBOX_PERSON: Final = b"releve-mailbox"

DEPOSIT_PATH: Final = "/v1/deposits"
SUBSCRIBE_PATH: Final = "/v1/subscribe"
HEALTH_PATH: Final = "/health"


def single_deposit_path(mailbox_id: bytes) -> str:
    return f"/v1/mailboxes/{mailbox_id.hex()}/blobs"


# --- phone-pairing rendezvous (docs/relay-protocol.md §16) ---------------------------------
# Two nodes meet on a nameplate, a short decimal number; the relay forwards their binary
# frames opaquely and signals only with HTTP answers and WebSocket close codes.

RENDEZVOUS_PATH: Final = "/v1/rendezvous"
MAX_NAMEPLATE: Final = 9999
MAX_RENDEZVOUS_FRAME: Final = 8192  # the largest frame forwarded (a pairing answer fits)


def rendezvous_path(nameplate: int) -> str:
    return f"{RENDEZVOUS_PATH}/{nameplate}"


def parse_nameplate(text: str) -> int:
    """A nameplate from a URL path or a JSON answer: 1 to 4 decimal digits, 1 to 9999, no
    leading zero; raises :class:`RelayProtocolError`."""
    if (
        not isinstance(text, str)
        or not 1 <= len(text) <= 4
        or not all("0" <= c <= "9" for c in text)
        or text[0] == "0"
    ):
        raise RelayProtocolError("a nameplate is a number from 1 to 9999")
    return int(text)


class ErrorCode(IntEnum):
    """Sent in ERROR frames and, as their lower-case names, in HTTP error bodies."""

    MALFORMED = 1
    UNSUPPORTED_VERSION = 2
    AUTH_FAILED = 3
    TOO_LARGE = 4
    MAILBOX_FULL = 5
    RELAY_FULL = 6
    RATE_LIMITED = 7
    TOO_MANY_CONNECTIONS = 8
    IDLE_TIMEOUT = 9
    REPLACED = 10  # another connection subscribed to the same mailbox
    SHUTTING_DOWN = 11
    # Phone-pairing rendezvous (docs/relay-protocol.md §16): HTTP answers and close codes only.
    NAMEPLATE_UNKNOWN = 12  # no such nameplate: never allocated, or expired and forgotten
    NAMEPLATE_USED = 13  # the nameplate already had its two connections, or was closed
    NAMEPLATE_EXPIRED = 14  # nobody came in time; the relay closes the waiting side
    PEER_LEFT = 15  # the other side of a rendezvous went away
    TOO_MANY_NAMEPLATES = 16  # the relay holds its maximum of nameplates


class FrameType(IntEnum):
    CHALLENGE = 0x01
    WELCOME = 0x02
    BLOB = 0x03
    ERROR = 0x04
    AUTH = 0x11
    ACK = 0x12


def mailbox_id_for(public_key: bytes) -> bytes:
    return hashlib.blake2b(public_key, digest_size=MAILBOX_ID_SIZE, person=_MAILBOX_PERSON).digest()


def blob_id_for(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=BLOB_ID_SIZE).digest()


def auth_message(nonce: bytes, public_key: bytes) -> bytes:
    """What the owner signs: the label, the relay's fresh nonce and the mailbox key."""
    return AUTH_LABEL + nonce + public_key


# --- frames ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    nonce: bytes
    version: int = VERSION

    def encode(self) -> bytes:
        return bytes((FrameType.CHALLENGE, self.version)) + self.nonce


@dataclass(frozen=True)
class Welcome:
    queued: int

    def encode(self) -> bytes:
        return bytes((FrameType.WELCOME,)) + self.queued.to_bytes(4, "big")


@dataclass(frozen=True)
class Blob:
    blob_id: bytes
    blob: bytes

    def encode(self) -> bytes:
        return bytes((FrameType.BLOB,)) + self.blob_id + self.blob


@dataclass(frozen=True)
class Error:
    code: ErrorCode
    reason: str

    def encode(self) -> bytes:
        return bytes((FrameType.ERROR,)) + int(self.code).to_bytes(2, "big") + self.reason.encode()


@dataclass(frozen=True)
class Auth:
    public_key: bytes
    signature: bytes

    @property
    def mailbox_id(self) -> bytes:
        return mailbox_id_for(self.public_key)

    def encode(self) -> bytes:
        return bytes((FrameType.AUTH,)) + self.public_key + self.signature

    def verify(self, nonce: bytes) -> bool:
        """True when the signature covers this nonce with this mailbox key."""
        try:
            sodium.crypto_sign_open(
                self.signature + auth_message(nonce, self.public_key), self.public_key
            )
        except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError):
            return False
        return True

    @classmethod
    def sign(cls, nonce: bytes, public_key: bytes, secret_key: bytes) -> Auth:
        """``secret_key`` is libsodium's 64-byte Ed25519 secret key."""
        signed = sodium.crypto_sign(auth_message(nonce, public_key), secret_key)
        return cls(public_key, bytes(signed[:SIGNATURE_SIZE]))


@dataclass(frozen=True)
class Ack:
    blob_ids: tuple[bytes, ...]

    def encode(self) -> bytes:
        return (
            bytes((FrameType.ACK,))
            + len(self.blob_ids).to_bytes(2, "big")
            + b"".join(self.blob_ids)
        )


Frame = Challenge | Welcome | Blob | Error | Auth | Ack


def decode_frame(data: bytes) -> Frame:
    """Decodes one WebSocket frame; raises only :class:`RelayProtocolError`."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise RelayProtocolError("empty frame")
    data = bytes(data)
    kind, body = data[0], data[1:]
    if kind == FrameType.CHALLENGE:
        if len(body) != 1 + NONCE_SIZE:
            raise RelayProtocolError("challenge: wrong length")
        return Challenge(body[1:], body[0])
    if kind == FrameType.WELCOME:
        if len(body) != 4:
            raise RelayProtocolError("welcome: wrong length")
        return Welcome(int.from_bytes(body, "big"))
    if kind == FrameType.BLOB:
        if not BLOB_ID_SIZE < len(body) <= BLOB_ID_SIZE + MAX_BLOB_SIZE:
            raise RelayProtocolError("blob: wrong length")
        return Blob(body[:BLOB_ID_SIZE], body[BLOB_ID_SIZE:])
    if kind == FrameType.ERROR:
        if len(body) < 2:
            raise RelayProtocolError("error: truncated")
        try:
            code = ErrorCode(int.from_bytes(body[:2], "big"))
            reason = body[2:].decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise RelayProtocolError("error: unknown code or bad text") from None
        return Error(code, reason)
    if kind == FrameType.AUTH:
        if len(body) != KEY_SIZE + SIGNATURE_SIZE:
            raise RelayProtocolError("auth: wrong length")
        return Auth(body[:KEY_SIZE], body[KEY_SIZE:])
    if kind == FrameType.ACK:
        if len(body) < 2:
            raise RelayProtocolError("ack: truncated")
        count = int.from_bytes(body[:2], "big")
        if not 1 <= count <= MAX_ACK_IDS or len(body) != 2 + count * BLOB_ID_SIZE:
            raise RelayProtocolError("ack: wrong count or length")
        ids = tuple(body[2 + i * BLOB_ID_SIZE : 2 + (i + 1) * BLOB_ID_SIZE] for i in range(count))
        return Ack(ids)
    raise RelayProtocolError("unknown frame type")


# --- HTTP deposit batches -------------------------------------------------------------------


def encode_deposits(deposits: list[tuple[bytes, bytes]]) -> bytes:
    """``[(mailbox id, blob), ...]`` as one request body."""
    return b"".join(
        mailbox_id + len(blob).to_bytes(4, "big") + blob for mailbox_id, blob in deposits
    )


def decode_deposits(data: bytes) -> list[tuple[bytes, bytes]]:
    deposits: list[tuple[bytes, bytes]] = []
    offset = 0
    while offset < len(data):
        if len(deposits) == MAX_DEPOSIT_BATCH:
            raise RelayProtocolError(f"more than {MAX_DEPOSIT_BATCH} deposits")
        header_end = offset + MAILBOX_ID_SIZE + 4
        if header_end > len(data):
            raise RelayProtocolError("deposit: truncated")
        size = int.from_bytes(data[offset + MAILBOX_ID_SIZE : header_end], "big")
        if not 0 < size <= MAX_BLOB_SIZE or header_end + size > len(data):
            raise RelayProtocolError("deposit: wrong length")
        deposits.append(
            (data[offset : offset + MAILBOX_ID_SIZE], data[header_end : header_end + size])
        )
        offset = header_end + size
    if not deposits:
        raise RelayProtocolError("no deposit")
    return deposits


def parse_mailbox_id(text: str) -> bytes:
    """A mailbox id from a URL path (32 hex characters)."""
    try:
        mailbox_id = bytes.fromhex(text)
    except ValueError:
        raise RelayProtocolError("mailbox id is not hex") from None
    if len(mailbox_id) != MAILBOX_ID_SIZE:
        raise RelayProtocolError("mailbox id must be 16 bytes")
    return mailbox_id
