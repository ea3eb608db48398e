"""The names of the clinical forms' fields and of the node's validation reasons, translated.

The node validates every form (docs/local-api.md, ``invalid_field``) and names the field by a
dotted path such as ``patient.ins`` or ``lines.2.renewals`` (the index of a prescription line
counts from 0), and the reason by a stable code. The CLI shows both in the user's language.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from .i18n import Translator

# Every field path of the forms (indices of prescription lines left out).
FIELD_PATHS: Final = (
    "contact",
    "message",
    "kind",
    "text",
    "priority",
    "reply_to",
    "patient",
    "patient.birth_name",
    "patient.first_names",
    "patient.birth_date",
    "patient.sex",
    "patient.ins",
    "patient.weight_kg",
    "patient.ins_status",
    "situation",
    "background",
    "assessment",
    "request",
    "prescriber",
    "prescriber.name",
    "prescriber.specialty",
    "prescriber.rpps",
    "prescriber.address",
    "prescriber.phone",
    "prescriber.email",
    "date",
    "lines",
    "lines.medicine",
    "lines.strength",
    "lines.dosage",
    "lines.duration",
    "lines.quantity",
    "lines.renewals",
    "lines.inn",
    "lines.non_substitutable",
    "reason",
    "state",
    "note",
    "confirmed_by_phone",
    "notes",
    "file_name",
    "media_type",
    "size",
    "sha256",
    "caption",
    # Handoff version 2 (docs/protocol.md §18.4) and its read-back (§18.8).
    "callback",
    "severity",
    "allergies",
    "treatments",
    "contingency",
    "deadline",
    "home",
    "home.address",
    "home.phone",
    "home.next_of_kin",
    "home.next_of_kin.name",
    "home.next_of_kin.relationship",
    "home.next_of_kin.phone",
    "read_back",
    "version",
)

# The stable reason codes of ClinicalError and of the API (docs/local-api.md, "Errors").
REASONS: Final = (
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
    # Added by the node's API (docs/local-api.md, "Errors").
    "invalid_type",
    "invalid_text",
    "invalid_id",
    # A prescription (docs/protocol.md §19).
    "invalid_duration",
    "treatment_too_long",
    "narcotic",
    "ins_not_qualified",
    "ins_mismatch",
    "invalid_email",
    "prescriber_from_profile",
    "prescription_expired",
)

# The node may name a field from the request body's root ("handoff.patient.ins").
_CONTENT_ROOTS: Final = ("handoff.", "prescription.", "attachment.")
_INDEX = re.compile(r"^\d+$")


def split_path(path: str) -> tuple[str, int | None]:
    """``lines.2.renewals`` -> (``lines.renewals``, 2); the form's own path otherwise."""
    for root in _CONTENT_ROOTS:
        if path.startswith(root):
            path = path[len(root) :]
            break
    index = None
    parts = []
    for part in path.split("."):
        if _INDEX.match(part) and index is None:
            index = int(part)
        else:
            parts.append(part)
    return ".".join(parts), index


def field_label(tr: Translator, path: str) -> str:
    """A field path as a clinician reads it: "Patient – INS", "Line 3 – renewals"."""
    if not path:
        return tr("field.unknown")
    generic, index = split_path(path)
    key = f"field.{generic}"
    # A peer never writes these paths (the node does); cleaned all the same, as any text shown.
    label = tr.get(key, "".join(c if c.isprintable() else "?" for c in path))
    if index is not None:
        return tr("field.in_line", number=index + 1, label=label)
    return label


def reason_text(tr: Translator, reason: str) -> str:
    printable = "".join(c if c.isprintable() else "?" for c in reason)
    return tr.get(f"reason.{reason}", tr("reason.other", reason=printable))


class FieldLabel(NamedTuple):
    """A field path named by the node, worded when the error that carries it is shown."""

    path: str

    def localize(self, tr: Translator) -> str:
        return field_label(tr, self.path)


class ReasonText(NamedTuple):
    """A validation reason code of the node, worded when the error that carries it is shown."""

    reason: str

    def localize(self, tr: Translator) -> str:
        return reason_text(tr, self.reason)
