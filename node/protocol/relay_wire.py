"""The relay's wire format, sans I/O (docs/relay-protocol.md is normative).

It lives in the protocol core so that dependencies point one way: the relay imports it (and
nothing else of the node), the node's relay client, mailbox and phone pairing import it;
it imports neither of them. Decoders raise only :class:`RelayProtocolError` (a
:class:`~node.protocol.errors.MalformedInput`).

Mailboxes are self-certifying: a mailbox id is ``BLAKE2b-128(mailbox public key, person
"releve-mailbox")``, so the relay needs no registration to know who may read a mailbox. The
mailbox key is an Ed25519 key of its own, never a node's identity key.

Only those the owner allowed may deposit (version 2): the owner derives a 32-byte *deposit
capability* from its mailbox seed (:func:`deposit_capability_for`, keyed BLAKE2b) and gives it
to every contact in its reachability (docs/protocol.md §6.3); it registers only its hash
(:func:`deposit_hash_for`) with the relay in AUTH. Each deposit carries the capability; the
relay compares its hash with the registered one. Every contact holds the same capability, so
the relay cannot tell depositors apart.

WebSocket frames (binary), each starting with a type byte:

    relay -> owner   0x01 CHALLENGE  version u8 || nonce (32)
                     0x02 WELCOME    queued blobs u32
                     0x03 BLOB       blob id (16) || blob
                     0x04 ERROR      code u16 || reason (UTF-8)
    owner -> relay   0x11 AUTH       mailbox public key (32) || deposit hash (32) || signature (64)
                     0x12 ACK        count u16 || blob id (16) x count

Version 3 (§18) adds, on per-mailbox paths (``/v3/mailboxes/{id}/subscribe`` and
``/v3/mailboxes/{id}/deposit``):

    relay -> owner   0x05 BLOBS      (length u32 || blob id (16) || blob) x n
    depositor -> relay 0x21 DEPOSIT  batch u32 || capability (32) || (length u32 || blob) x n
    relay -> depositor 0x22 RESULTS  retry after u16 || (batch u32 || n u8 || result u8 x n) x m

HTTP deposit batch (``POST /v2/deposits``): mailbox id (16) || capability (32) || u32 length
|| blob, repeated. Single deposit (``POST /v2/mailboxes/{id}/blobs``): the capability in the
``Releve-Deposit-Capability`` header (64 hex digits), the blob as the body.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

import nacl.bindings as sodium
import nacl.exceptions

# Defined with the rest of the exception tree; named here too because every decoder of this
# module raises it and its callers catch it by this module's name.
from .errors import RelayProtocolError as RelayProtocolError

VERSION: Final = 2
FAST_VERSION: Final = 3  # deposit channels and per-mailbox paths (docs/relay-protocol.md §18)
LEGACY_VERSIONS: Final = frozenset({1})  # refused with UNSUPPORTED_VERSION, "update Relève"
MAILBOX_ID_SIZE: Final = 16
BLOB_ID_SIZE: Final = 16
NONCE_SIZE: Final = 32
KEY_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64
CAPABILITY_SIZE: Final = 32
DEPOSIT_HASH_SIZE: Final = 32
MAX_BLOB_SIZE: Final = 65536  # a Relève packet's largest bucket
MAX_ACK_IDS: Final = 1024
MAX_DEPOSIT_BATCH: Final = 64
AUTH_LABEL: Final = b"releve relay auth v2"
_MAILBOX_PERSON: Final = b"releve-mailbox"
_CAPABILITY_PERSON: Final = b"releve-dep-cap"
_DEPOSIT_HASH_PERSON: Final = b"releve-dep-hash"
_V1_AUTH_SIZE: Final = 1 + KEY_SIZE + SIGNATURE_SIZE  # a version 1 AUTH frame (97 bytes)

DEPOSIT_PATH: Final = "/v2/deposits"
SUBSCRIBE_PATH: Final = "/v1/subscribe"  # its version is the CHALLENGE's
HEALTH_PATH: Final = "/health"
CAPABILITY_HEADER: Final = "Releve-Deposit-Capability"
# Version 1 deposit paths: answered 400 unsupported_version ("update Relève").
LEGACY_DEPOSIT_PATH: Final = "/v1/deposits"
LEGACY_SINGLE_DEPOSIT_ROUTE: Final = "/v1/mailboxes/{mailbox}/blobs"
SINGLE_DEPOSIT_ROUTE: Final = "/v2/mailboxes/{mailbox}/blobs"


def single_deposit_path(mailbox_id: bytes) -> str:
    return f"/v2/mailboxes/{mailbox_id.hex()}/blobs"


# Version 3 (§18): every path names its mailbox, so that a proxy routes on the path alone.
MAILBOX_SUBSCRIBE_ROUTE: Final = "/v3/mailboxes/{mailbox}/subscribe"
DEPOSIT_CHANNEL_ROUTE: Final = "/v3/mailboxes/{mailbox}/deposit"


def mailbox_subscribe_path(mailbox_id: bytes) -> str:
    return f"/v3/mailboxes/{mailbox_id.hex()}/subscribe"


def deposit_channel_path(mailbox_id: bytes) -> str:
    return f"/v3/mailboxes/{mailbox_id.hex()}/deposit"


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
    # Deposit capabilities (version 2): deposits only from those the owner allowed.
    MAILBOX_UNKNOWN = 17  # no owner registered this mailbox since the relay started: retry
    CAPABILITY_REQUIRED = 18  # a single deposit without the capability header
    CAPABILITY_REFUSED = 19  # not this mailbox's deposit capability
    SOURCE_FULL = 20  # this source address holds its share of the relay's memory


class FrameType(IntEnum):
    CHALLENGE = 0x01
    WELCOME = 0x02
    BLOB = 0x03
    ERROR = 0x04
    BLOBS = 0x05  # version 3 subscriptions only
    AUTH = 0x11
    ACK = 0x12
    DEPOSIT = 0x21  # version 3 deposit channels: depositor -> relay
    RESULTS = 0x22  # version 3 deposit channels: relay -> depositor


def mailbox_id_for(public_key: bytes) -> bytes:
    return hashlib.blake2b(public_key, digest_size=MAILBOX_ID_SIZE, person=_MAILBOX_PERSON).digest()


def blob_id_for(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=BLOB_ID_SIZE).digest()


def deposit_capability_for(mailbox_seed: bytes) -> bytes:
    """The mailbox's deposit capability: keyed BLAKE2b-256 of nothing under the mailbox seed
    (a PRF of the seed, so the capability reveals nothing of the key), personalised."""
    if len(mailbox_seed) != KEY_SIZE:
        raise ValueError("a mailbox seed is 32 bytes")
    return hashlib.blake2b(
        b"", digest_size=CAPABILITY_SIZE, key=mailbox_seed, person=_CAPABILITY_PERSON
    ).digest()


def deposit_hash_for(capability: bytes) -> bytes:
    """What the owner registers and the relay compares: BLAKE2b-256 of the capability."""
    return hashlib.blake2b(
        capability, digest_size=DEPOSIT_HASH_SIZE, person=_DEPOSIT_HASH_PERSON
    ).digest()


def capability_matches(capability: bytes, registered_hash: bytes) -> bool:
    """Whether ``capability`` hashes to ``registered_hash``, in constant time."""
    return hmac.compare_digest(deposit_hash_for(capability), registered_hash)


def parse_capability(text: str) -> bytes:
    """A capability from its header (64 hex digits); raises :class:`RelayProtocolError`."""
    try:
        capability = bytes.fromhex(text)
    except ValueError:
        raise RelayProtocolError("a deposit capability is hexadecimal") from None
    if len(capability) != CAPABILITY_SIZE:
        raise RelayProtocolError("a deposit capability is 32 bytes")
    return capability


def auth_message(nonce: bytes, public_key: bytes, deposit_hash: bytes) -> bytes:
    """What the owner signs: the label, the relay's fresh nonce, the mailbox key and the hash
    of its deposit capability."""
    return AUTH_LABEL + nonce + public_key + deposit_hash


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
    deposit_hash: bytes
    signature: bytes

    @property
    def mailbox_id(self) -> bytes:
        return mailbox_id_for(self.public_key)

    def encode(self) -> bytes:
        return bytes((FrameType.AUTH,)) + self.public_key + self.deposit_hash + self.signature

    def verify(self, nonce: bytes) -> bool:
        """True when the signature covers this nonce and deposit hash with this mailbox key."""
        try:
            sodium.crypto_sign_open(
                self.signature + auth_message(nonce, self.public_key, self.deposit_hash),
                self.public_key,
            )
        except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError):
            return False
        return True

    @classmethod
    def sign(cls, nonce: bytes, public_key: bytes, secret_key: bytes, deposit_hash: bytes) -> Auth:
        """``secret_key`` is libsodium's 64-byte Ed25519 secret key."""
        if len(deposit_hash) != DEPOSIT_HASH_SIZE:
            raise ValueError("a deposit hash is 32 bytes")
        signed = sodium.crypto_sign(auth_message(nonce, public_key, deposit_hash), secret_key)
        return cls(public_key, deposit_hash, bytes(signed[:SIGNATURE_SIZE]))


@dataclass(frozen=True)
class Ack:
    blob_ids: tuple[bytes, ...]

    def encode(self) -> bytes:
        return (
            bytes((FrameType.ACK,))
            + len(self.blob_ids).to_bytes(2, "big")
            + b"".join(self.blob_ids)
        )


@dataclass(frozen=True)
class Blobs:
    """Several blobs in one frame (version 3 subscriptions): (blob id, blob) pairs."""

    blobs: tuple[tuple[bytes, bytes], ...]

    def encode(self) -> bytes:
        return encode_blobs(self.blobs)


def encode_blobs(blobs: Iterable[tuple[bytes, bytes]]) -> bytes:
    """BLOBS: ``(length u32 || blob id (16) || blob) x n``, n >= 1."""
    parts = [_BLOBS_TYPE]
    for blob_id, blob in blobs:
        parts.append(_U32.pack(len(blob)))
        parts.append(blob_id)
        parts.append(blob)
    return b"".join(parts)


@dataclass(frozen=True)
class DepositFrame:
    """A batch of blobs for the channel's mailbox (version 3): ``batch`` numbers it for the
    RESULTS that answer it; every deposit carries the mailbox's capability."""

    batch: int
    capability: bytes
    blobs: tuple[bytes, ...]

    def encode(self) -> bytes:
        return encode_deposit(self.batch, self.capability, self.blobs)


def encode_deposit(batch: int, capability: bytes, blobs: Iterable[bytes]) -> bytes:
    parts = [_DEPOSIT_TYPE, _U32.pack(batch), capability]
    for blob in blobs:
        parts.append(_U32.pack(len(blob)))
        parts.append(blob)
    return b"".join(parts)


RESULT_STORED: Final = 0
RESULT_DUPLICATE: Final = 255  # any other result byte is an ErrorCode


@dataclass(frozen=True)
class Results:
    """Answers to one or more DEPOSIT frames (version 3): ``(batch, result bytes)`` each,
    one result per blob in the batch's order; ``retry_after`` seconds (0: none)."""

    retry_after: int
    batches: tuple[tuple[int, bytes], ...]

    def encode(self) -> bytes:
        parts = [_RESULTS_TYPE, self.retry_after.to_bytes(2, "big")]
        for batch, results in self.batches:
            parts.append(_U32.pack(batch))
            parts.append(bytes((len(results),)))
            parts.append(results)
        return b"".join(parts)


Frame = Challenge | Welcome | Blob | Blobs | Error | Auth | Ack | DepositFrame | Results
_U32: Final = struct.Struct(">I")
_BLOBS_TYPE: Final = bytes((FrameType.BLOBS,))
_DEPOSIT_TYPE: Final = bytes((FrameType.DEPOSIT,))
_RESULTS_TYPE: Final = bytes((FrameType.RESULTS,))
DEPOSIT_FRAME_HEADER: Final = 1 + 4 + CAPABILITY_SIZE
MAX_DEPOSIT_FRAME: Final = DEPOSIT_FRAME_HEADER + MAX_DEPOSIT_BATCH * (4 + MAX_BLOB_SIZE)


def decode_deposit(data: bytes) -> DepositFrame:
    """A DEPOSIT frame: 1 to 64 blobs of 1 to 65 536 bytes; raises RelayProtocolError."""
    size = len(data)
    if size < DEPOSIT_FRAME_HEADER + 5 or data[0] != FrameType.DEPOSIT:
        raise RelayProtocolError("deposit: truncated")
    batch = _U32.unpack_from(data, 1)[0]
    capability = bytes(data[5:DEPOSIT_FRAME_HEADER])
    blobs: list[bytes] = []
    offset = DEPOSIT_FRAME_HEADER
    while offset < size:
        if len(blobs) == MAX_DEPOSIT_BATCH or offset + 4 > size:
            raise RelayProtocolError("deposit: too many blobs or truncated")
        length = _U32.unpack_from(data, offset)[0]
        offset += 4
        if not 0 < length <= MAX_BLOB_SIZE or offset + length > size:
            raise RelayProtocolError("deposit: wrong length")
        blobs.append(bytes(data[offset : offset + length]))
        offset += length
    return DepositFrame(batch, capability, tuple(blobs))


def _decode_blobs(body: bytes) -> Blobs:
    blobs: list[tuple[bytes, bytes]] = []
    offset, size = 0, len(body)
    while offset < size:
        if len(blobs) == MAX_ACK_IDS or offset + 4 + BLOB_ID_SIZE > size:
            raise RelayProtocolError("blobs: too many or truncated")
        length = _U32.unpack_from(body, offset)[0]
        start = offset + 4 + BLOB_ID_SIZE
        if not 0 < length <= MAX_BLOB_SIZE or start + length > size:
            raise RelayProtocolError("blobs: wrong length")
        blobs.append((body[offset + 4 : start], body[start : start + length]))
        offset = start + length
    if not blobs:
        raise RelayProtocolError("blobs: empty")
    return Blobs(tuple(blobs))


def _decode_results(body: bytes) -> Results:
    if len(body) < 2 + 5:
        raise RelayProtocolError("results: truncated")
    retry_after = int.from_bytes(body[:2], "big")
    batches: list[tuple[int, bytes]] = []
    offset, size = 2, len(body)
    while offset < size:
        if offset + 5 > size:
            raise RelayProtocolError("results: truncated")
        batch = _U32.unpack_from(body, offset)[0]
        count = body[offset + 4]
        offset += 5
        if not 1 <= count <= MAX_DEPOSIT_BATCH or offset + count > size:
            raise RelayProtocolError("results: wrong count")
        results = body[offset : offset + count]
        for code in results:
            if code not in (RESULT_STORED, RESULT_DUPLICATE) and code not in _ERROR_CODES:
                raise RelayProtocolError("results: unknown result")
        batches.append((batch, results))
        offset += count
    return Results(retry_after, tuple(batches))


_ERROR_CODES: Final = frozenset(int(code) for code in ErrorCode)


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
        if len(body) != KEY_SIZE + DEPOSIT_HASH_SIZE + SIGNATURE_SIZE:
            raise RelayProtocolError("auth: wrong length")
        return Auth(
            body[:KEY_SIZE],
            body[KEY_SIZE : KEY_SIZE + DEPOSIT_HASH_SIZE],
            body[KEY_SIZE + DEPOSIT_HASH_SIZE :],
        )
    if kind == FrameType.ACK:
        if len(body) < 2:
            raise RelayProtocolError("ack: truncated")
        count = int.from_bytes(body[:2], "big")
        if not 1 <= count <= MAX_ACK_IDS or len(body) != 2 + count * BLOB_ID_SIZE:
            raise RelayProtocolError("ack: wrong count or length")
        ids = tuple(body[2 + i * BLOB_ID_SIZE : 2 + (i + 1) * BLOB_ID_SIZE] for i in range(count))
        return Ack(ids)
    if kind == FrameType.BLOBS:
        return _decode_blobs(body)
    if kind == FrameType.DEPOSIT:
        return decode_deposit(data)
    if kind == FrameType.RESULTS:
        return _decode_results(body)
    raise RelayProtocolError("unknown frame type")


def is_legacy_auth(data: bytes) -> bool:
    """A version 1 AUTH frame (no deposit hash): answered UNSUPPORTED_VERSION, not MALFORMED."""
    return len(data) == _V1_AUTH_SIZE and data[0] == FrameType.AUTH


# --- HTTP deposit batches -------------------------------------------------------------------

DEPOSIT_HEADER_SIZE: Final = MAILBOX_ID_SIZE + CAPABILITY_SIZE + 4
Deposit = tuple[bytes, bytes, bytes]  # (mailbox id, deposit capability, blob)


def encode_deposits(deposits: list[Deposit]) -> bytes:
    """``[(mailbox id, capability, blob), ...]`` as one request body."""
    return b"".join(
        mailbox_id + capability + len(blob).to_bytes(4, "big") + blob
        for mailbox_id, capability, blob in deposits
    )


def decode_deposits(data: bytes) -> list[Deposit]:
    deposits: list[Deposit] = []
    offset = 0
    while offset < len(data):
        if len(deposits) == MAX_DEPOSIT_BATCH:
            raise RelayProtocolError(f"more than {MAX_DEPOSIT_BATCH} deposits")
        header_end = offset + DEPOSIT_HEADER_SIZE
        if header_end > len(data):
            raise RelayProtocolError("deposit: truncated")
        size = int.from_bytes(data[header_end - 4 : header_end], "big")
        if not 0 < size <= MAX_BLOB_SIZE or header_end + size > len(data):
            raise RelayProtocolError("deposit: wrong length")
        capability_at = offset + MAILBOX_ID_SIZE
        deposits.append(
            (
                data[offset:capability_at],
                data[capability_at : capability_at + CAPABILITY_SIZE],
                data[header_end : header_end + size],
            )
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
