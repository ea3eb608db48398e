"""Payload kinds and message ids (docs/protocol.md §9.2), apart from payload.py so that the
clinical contents (conversation.py) can name them while payload.py checks their bodies."""

from __future__ import annotations

from enum import IntEnum
from typing import Final

MESSAGE_ID_SIZE: Final = 16


class PayloadKind(IntEnum):
    TEXT = 0x01  # meta + UTF-8 text (conversation.py)
    RECEIPT = 0x02
    CONTACT_CARD = 0x03  # name, role and reachability: sent at pairing and when they change
    UNPAIR = 0x04  # the sender ends the pairing (signed notice, notices.py)
    REVOCATION = 0x05  # the sender's identity is revoked (signed notice, notices.py)
    HANDOFF = 0x06  # meta + SAED handoff (handoff.py)
    PRESCRIPTION = 0x07  # meta + prescription v1, unsigned: stored ones stay readable
    ATTACHMENT = 0x08  # meta + attachment manifest (attachment.py)
    CHUNK = 0x09  # one piece of an attachment's file (attachment.py); never shown as a message
    # Prescriptions a pharmacist can rely on (§19): signed by the prescriber's identity key.
    SIGNED_PRESCRIPTION = 0x0A  # meta + prescription v2 + signature (prescription.py)
    CANCELLATION = 0x0B  # meta + a signed cancellation of a prescription (lifecycle.py)
    DISPENSING = 0x0C  # meta + the pharmacist's report: dispensed, partly, refused (lifecycle.py)
    # What the next carer needs (§18.4): callback, allergies, treatments, severity...
    HANDOFF_V2 = 0x0D  # meta + SAED handoff version 2 (handoff.py); HANDOFF stays readable
    READ_BACK = 0x0E  # meta (reply_to: the handoff) + the receiver's reformulation (handoff.py)
    # After a restore (§20): "my backup dates from T, send again what you sent since".
    RESTORED = 0x10  # backup time (restored.py); first payload of a renewed session
    # The readiness check (§9.5, readiness.py): content-free, never shown, never stored.
    PROBE = 0x0F  # "are you there?": answered at once by the contact's node
    PROBE_ANSWER = 0x13  # the answer: which probe, and by which path it arrived
    ESCALATION = 0x12  # meta + the backup contact's content-free notice (escalation.py, §18.9)
    # A practice's public mailboxes (§9.6, mailbox.py): taken by nodes that know mailboxes.
    MAILBOXES = 0x14
