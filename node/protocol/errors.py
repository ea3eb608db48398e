"""The protocol core's exception tree.

    ProtocolError                    anything the protocol core raises
    ├── LocalProtocolError           our own misuse (a bug or a wrong argument on this side)
    │   ├── CorruptState             our own stored state does not decode
    │   └── ClinicalError            a clinical field given on this side is invalid (field, reason)
    └── RemoteProtocolError          a peer's (or a file's, or a QR code's) bad input
        ├── MalformedInput           bytes that do not decode: truncated, bad lengths, bad values
        │   ├── MalformedBody        an authentic payload whose body breaks its kind's rules
        │   └── RelayProtocolError   the relay's wire format (relay_wire) does not decode
        ├── UnsupportedVersion       a version byte this code does not know
        ├── InvitationExpired        an invitation past its expiry
        ├── InvitationUsed           a second answer to a one-time invitation (a replay)
        ├── DecryptionFailed         authentication failed: tampered, wrong key, or forged
        ├── DuplicateMessage         a ratchet message already decrypted once
        └── TooManySkipped           a header asks to skip more message keys than allowed

Every error carries a stable ``code`` (for logs, the local API and the CLI's translated
messages). Messages never contain key material or plaintext.

A :class:`ClinicalError` also names the ``field`` (a dotted path such as ``patient.ins`` or
``lines.2.renewals``) and a stable ``reason`` (:data:`CLINICAL_REASONS`). It is a *local*
error: the JSON a clinician typed on this node is wrong. The same checks on a peer's body
raise :class:`MalformedInput` instead (a remote error). Its message never quotes the value.
"""

from __future__ import annotations

from typing import Final


class ProtocolError(Exception):
    """Base of every error raised by ``node.protocol``."""

    code = "protocol_error"


class LocalProtocolError(ProtocolError):
    """The caller on this side misused the API."""

    code = "local_protocol_error"


class CorruptState(LocalProtocolError):
    """Serialised state written by this node does not decode."""

    code = "corrupt_state"


CLINICAL_REASONS: Final = frozenset(
    {
        "required",
        "too_long",
        "invalid_date",
        "future_date",
        "invalid_ins",
        "ins_key",
        "invalid_rpps",
        "rpps_key",
        "invalid_phone",
        "invalid_sex",
        "weight_required",
        "invalid_weight",
        "invalid_number",
        "duration_or_quantity",
        "too_many",
        "invalid_media_type",
        "too_large",
        "invalid_name",
        "invalid_choice",
        "unknown_field",
        # Beyond the shared spec's list: a value of the wrong JSON type, text with control
        # characters (or not encodable), and a message id that is not 32 hex digits.
        "invalid_type",
        "invalid_text",
        "invalid_id",
        # Prescriptions a pharmacist can rely on (issue #16; docs/protocol.md §19).
        "invalid_duration",
        "treatment_too_long",
        "narcotic",
        "ins_not_qualified",
        "ins_mismatch",
        "invalid_email",
        "prescriber_from_profile",
        "prescription_expired",
    }
)

_REASON_MESSAGES: Final = {
    "required": "a value is required",
    "too_long": "the value is too long",
    "invalid_date": "not a valid date (YYYY-MM-DD, year 1900 or later)",
    "future_date": "the date is in the future",
    "invalid_ins": "not a valid INS (15 characters: 13 digits, 2A or 2B allowed, and a key)",
    "ins_key": "the INS key does not match the number",
    "invalid_rpps": "not a valid RPPS number (11 digits)",
    "rpps_key": "the RPPS check digit does not match the number",
    "invalid_phone": "not a valid phone number (6 to 20 digits; spaces, dots, + and -)",
    "invalid_sex": "sex must be F, M or U",
    "weight_required": "the weight is required for a patient under 15",
    "invalid_weight": "not a valid weight in kilograms",
    "invalid_number": "not a valid number for this field",
    "duration_or_quantity": "a duration or a quantity is required",
    "too_many": "too many items",
    "invalid_media_type": "this kind of file cannot be sent",
    "too_large": "the file is empty or too large",
    "invalid_name": "not a valid file name",
    "invalid_choice": "not one of the allowed values",
    "unknown_field": "this field is not known",
    "invalid_type": "the value has the wrong type",
    "invalid_text": "the text contains characters that are not allowed",
    "invalid_id": "not a valid message id (32 hexadecimal digits)",
    "invalid_duration": "not a duration Relève can read (a number and a unit: 7 jours, 3 mois)",
    "treatment_too_long": "the treatment with its renewals exceeds 12 months (R.5132-21)",
    "narcotic": "a narcotic (stupéfiant) needs a secure paper prescription",
    "ins_not_qualified": "an INS may only be sent for a qualified identity",
    "ins_mismatch": "the INS does not match the patient's sex or birth year and month",
    "invalid_email": "not a valid e-mail address",
    "prescriber_from_profile": "the prescriber comes from the node's profile, not the form",
    "prescription_expired": "dated more than three months ago: past its validity (R.5132-22)",
}


class ClinicalError(LocalProtocolError):
    """A clinical field is invalid: ``field`` (dotted path), ``reason`` (stable code).

    ``str()`` is an English sentence for logs and tests; it never contains the value."""

    code = "invalid_field"

    def __init__(self, field: str, reason: str, message: str | None = None) -> None:
        if reason not in CLINICAL_REASONS:
            raise ValueError(f"unknown clinical error reason {reason!r}")
        self.field = field
        self.reason = reason
        self.message = message or f"{field or 'message'}: {_REASON_MESSAGES[reason]}"
        super().__init__(self.message)

    def within(self, prefix: str | int) -> ClinicalError:
        """The same error, its field seen from the enclosing object (``prefix.field``)."""
        field = f"{prefix}.{self.field}" if self.field else str(prefix)
        message = f"{field}: {_REASON_MESSAGES[self.reason]}"
        return ClinicalError(field, self.reason, message)


class RemoteProtocolError(ProtocolError):
    """Input from outside (a peer, a relay, a QR code) is invalid."""

    code = "remote_protocol_error"


class MalformedInput(RemoteProtocolError):
    code = "malformed"

    def __init__(self, message: str = "", clinical: tuple[str, str] | None = None) -> None:
        super().__init__(message)
        # The (field, reason) of the clinical rule a peer's content broke, when it was one
        # (validation.remote): what the receiving node tells its user, never a value.
        self.clinical = clinical


class MalformedBody(MalformedInput):
    """A payload whose header decoded but whose body does not (its kind's rules): the
    receiver knows the kind (and the message id) of what it refuses."""

    code = "malformed_body"

    def __init__(
        self, kind: int, message_id: bytes, message: str, clinical: tuple[str, str] | None
    ) -> None:
        super().__init__(message, clinical)
        self.kind = kind
        self.message_id = message_id


class RelayProtocolError(MalformedInput):
    """Bytes of the relay's wire format (node.protocol.relay_wire) that do not decode, from
    either side of a relay connection. Its own class because the relay answers it with its
    own error code and the node's relay client with a reconnect."""

    code = "relay_malformed"


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
