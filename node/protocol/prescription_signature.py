"""The prescriber's signature on a prescription and its cancellation (docs/protocol.md §19.2):
the one deliberate exception to deniability (architecture invariant 10), so that a
pharmacist can show afterwards who prescribed what, to whom, and when.

A signed body (kinds SIGNED_PRESCRIPTION and CANCELLATION) ends with a 64-byte Ed25519
signature by the sender's identity key (§5.1) over::

    signed = "Releve prescription signature v2" (32 ASCII bytes, the domain)
             || u8(kind) || sender node id (16) || recipient node id (16) || message id (16)
             || body without its signature (meta, then the prescription or cancellation,
                which holds its date)

The node ids bind the signature to one conversation (a pharmacist cannot pass it on as if
the prescriber had sent it to someone else), the message id to one message (a replayed
signature in a new message fails), the kind to one meaning (a prescription's signature is
not a cancellation's). Only libsodium's Ed25519 (primitives.py) signs and verifies.
"""

from __future__ import annotations

from typing import Final

from .errors import LocalProtocolError, MalformedInput
from .identity import NODE_ID_SIZE, Identity, PublicIdentity
from .kinds import MESSAGE_ID_SIZE, PayloadKind
from .primitives import SIGNATURE_SIZE
from .wire import Writer

SIGNATURE_DOMAIN: Final = b"Releve prescription signature v2"
SIGNED_KINDS: Final = frozenset({PayloadKind.SIGNED_PRESCRIPTION, PayloadKind.CANCELLATION})
# What an unsigned body carries in place of its signature until it is signed: the sender
# checks the body's size and decoding with it (§9.2), then signs.
PLACEHOLDER: Final = bytes(SIGNATURE_SIZE)


def signed_bytes(
    kind: PayloadKind, sender_id: bytes, recipient_id: bytes, message_id: bytes, unsigned: bytes
) -> bytes:
    """What the signature covers (§19.2)."""
    if kind not in SIGNED_KINDS:
        raise LocalProtocolError(f"payload kind {kind!r} is not signed")
    if len(sender_id) != NODE_ID_SIZE or len(recipient_id) != NODE_ID_SIZE:
        raise LocalProtocolError("node ids are 16 bytes")
    if len(message_id) != MESSAGE_ID_SIZE:
        raise LocalProtocolError("message ids are 16 bytes")
    return (
        Writer()
        .raw(SIGNATURE_DOMAIN)
        .u8(kind)
        .raw(sender_id)
        .raw(recipient_id)
        .raw(message_id)
        .raw(unsigned)
        .getvalue()
    )


def sign_body(
    identity: Identity, kind: PayloadKind, recipient_id: bytes, message_id: bytes, body: bytes
) -> bytes:
    """``body`` (ending with the placeholder) with its signature in place."""
    unsigned = body[:-SIGNATURE_SIZE]
    if len(body) < SIGNATURE_SIZE or body[-SIGNATURE_SIZE:] != PLACEHOLDER:
        raise LocalProtocolError("a body to sign ends with the signature placeholder")
    message = signed_bytes(kind, identity.public.node_id, recipient_id, message_id, unsigned)
    return unsigned + identity.sign(message)


def verify_body(
    sender: PublicIdentity, kind: PayloadKind, recipient_id: bytes, message_id: bytes, body: bytes
) -> None:
    """Raises ``DecryptionFailed`` unless ``sender`` signed this body for
    ``recipient_id`` as message ``message_id`` (§19.2)."""
    if len(body) < SIGNATURE_SIZE:
        raise MalformedInput("signed body too short")
    unsigned, signature = body[:-SIGNATURE_SIZE], body[-SIGNATURE_SIZE:]
    sender.verify(signed_bytes(kind, sender.node_id, recipient_id, message_id, unsigned), signature)


def signature_of(body: bytes) -> bytes:
    """The signature at the end of a signed body."""
    return body[-SIGNATURE_SIZE:]
