"""The prescriber block a signed prescription carries (docs/protocol.md), made from a profile:
the node's own on a single-person node (``Prescriptions.own_prescriber``), a clinician's
personal mailbox on a clinic server (``Mailboxes.prescriber``)."""

from __future__ import annotations

from node.core.errors import Invalid
from node.protocol.conversation import Prescriber
from node.protocol.errors import ClinicalError


def prescriber_from(
    *, name: str, specialty: str, rpps: str, address: str, phone: str, email: str
) -> Prescriber:
    """The block; ``Invalid("prescriber_incomplete")`` naming the first empty or invalid
    field (``prescriber.<field>``)."""
    values = {
        "name": name,
        "specialty": specialty,
        "rpps": rpps,
        "address": address,
        "phone": phone,
        "email": email,
    }
    for field, value in values.items():
        if not value.strip():
            raise Invalid(
                "prescriber_incomplete",
                f"the prescriber profile has no {field}",
                {"field": f"prescriber.{field}"},
            )
    try:
        return Prescriber(**values)
    except ClinicalError as exc:
        raise Invalid(
            "prescriber_incomplete", str(exc), {"field": f"prescriber.{exc.field}"}
        ) from None
