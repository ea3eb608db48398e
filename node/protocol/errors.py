"""The protocol core's exception tree.

    ProtocolError                    anything the protocol core raises
    ├── LocalProtocolError           our own misuse (a bug or a wrong argument on this side)
    │   └── CorruptState             our own stored state does not decode
    └── RemoteProtocolError          a peer's (or a file's, or a QR code's) bad input
        ├── MalformedInput           bytes that do not decode: truncated, bad lengths, bad values
        ├── UnsupportedVersion       a version byte this code does not know
        ├── InvitationExpired        an invitation past its expiry
        ├── InvitationUsed           a second answer to a one-time invitation (a replay)
        ├── DecryptionFailed         authentication failed: tampered, wrong key, or forged
        ├── DuplicateMessage         a ratchet message already decrypted once
        └── TooManySkipped           a header asks to skip more message keys than allowed

Every error carries a stable ``code`` (for logs, the local API and the CLI's translated
messages). Messages never contain key material or plaintext.
"""

from __future__ import annotations


class ProtocolError(Exception):
    """Base of every error raised by ``node.protocol``."""

    code = "protocol_error"


class LocalProtocolError(ProtocolError):
    """The caller on this side misused the API."""

    code = "local_protocol_error"


class CorruptState(LocalProtocolError):
    """Serialised state written by this node does not decode."""

    code = "corrupt_state"


class RemoteProtocolError(ProtocolError):
    """Input from outside (a peer, a relay, a QR code) is invalid."""

    code = "remote_protocol_error"


class MalformedInput(RemoteProtocolError):
    code = "malformed"


class UnsupportedVersion(RemoteProtocolError):
    code = "unsupported_version"


class InvitationExpired(RemoteProtocolError):
    code = "invitation_expired"


class InvitationUsed(RemoteProtocolError):
    code = "invitation_used"


class DecryptionFailed(RemoteProtocolError):
    code = "decryption_failed"


class DuplicateMessage(RemoteProtocolError):
    code = "duplicate_message"


class TooManySkipped(RemoteProtocolError):
    code = "too_many_skipped"
