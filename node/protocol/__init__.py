"""Relève's protocol core, sans I/O: bytes and events in, bytes and results out.

It imports no asyncio, aiohttp, aiosqlite, socket, time or os: the clock (``now``, unix
seconds) and randomness (``rand``, a :data:`RandomSource`) are parameters. docs/protocol.md
is the normative specification; each module cites its section.

Modules, one per concept: ``errors`` (exception tree), ``wire`` (byte encoding),
``primitives`` (libsodium through PyNaCl), ``kdf``, ``identity``, ``profile``,
``reachability``, ``invitation``, ``payload``, ``notices``, ``ratchet``, ``envelope``,
``session``, ``pairing``; shared with the relay (which imports nothing else of the node):
``relay_wire`` (the relay's frames and deposits) and ``admission`` (rate limits, bounded
refusal logs).
"""

from .envelope import Inner, RatchetMessage, SealedAnswer, open_packet, seal_packet
from .errors import (
    CorruptState,
    DecryptionFailed,
    DuplicateMessage,
    InvitationExpired,
    InvitationUsed,
    LocalProtocolError,
    MalformedInput,
    ProtocolError,
    RemoteProtocolError,
    TooManySkipped,
    UnsupportedVersion,
)
from .identity import Identity, PublicIdentity, format_node_id, safety_number
from .invitation import Invitation, PendingInvitation
from .notices import Revocation, Unpair
from .pairing import InvitationBook, Paired, accept, complete
from .payload import ContactCard, Payload, PayloadKind, Receipt, ReceiptType
from .primitives import RandomSource, system_random
from .profile import Profile, Role
from .reachability import Endpoint, EndpointKind, Reachability
from .session import Session

__all__ = [
    "ContactCard",
    "CorruptState",
    "DecryptionFailed",
    "DuplicateMessage",
    "Endpoint",
    "EndpointKind",
    "Identity",
    "Inner",
    "Invitation",
    "InvitationBook",
    "InvitationExpired",
    "InvitationUsed",
    "LocalProtocolError",
    "MalformedInput",
    "Paired",
    "Payload",
    "PayloadKind",
    "PendingInvitation",
    "Profile",
    "ProtocolError",
    "PublicIdentity",
    "RandomSource",
    "RatchetMessage",
    "Reachability",
    "Receipt",
    "ReceiptType",
    "RemoteProtocolError",
    "Revocation",
    "Role",
    "SealedAnswer",
    "Session",
    "TooManySkipped",
    "Unpair",
    "UnsupportedVersion",
    "accept",
    "complete",
    "format_node_id",
    "open_packet",
    "safety_number",
    "seal_packet",
    "system_random",
]
