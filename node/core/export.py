"""Which messages go back into the patient record (``releve export``): conversation messages,
optionally from a date on, optionally about one patient — matched on the INS or on the
birth name and first names, ignoring case and accents. Patient fields are inside the
encrypted bodies, so the match is made here, after decryption, never in SQL."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime

from node.core.ports import Repository
from node.core.records import MessageRow, content_of
from node.protocol import PayloadKind
from node.protocol.conversation import Handoff, Prescription

MAX_EXPORT: int = 100_000


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def about_patient(row: MessageRow, wanted: str) -> bool:
    content = content_of(row)
    if not isinstance(content, Handoff | Prescription):
        return False
    patient = content.patient
    digits = "".join(c for c in wanted if c.isalnum()).upper()
    if patient.ins is not None and digits and digits == patient.ins:
        return True
    needle = _folded(wanted).strip()
    names = _folded(f"{patient.birth_name} {patient.first_names}")
    reverse = _folded(f"{patient.first_names} {patient.birth_name}")
    return bool(needle) and (needle in names or needle in reverse)


async def select_for_export(
    repo: Repository,
    patient: str | None,
    since: datetime | None,
    readable: Callable[[list[MessageRow]], list[MessageRow]] | None = None,
) -> list[MessageRow]:
    """``readable``: keeps what the person acting may read (a clinic server's mailboxes:
    node.core.reading.Reading.readable)."""
    since_ms = None if since is None else int(since.timestamp() * 1000)
    rows = await repo.export_candidates(since_ms, MAX_EXPORT)
    if readable is not None:
        rows = readable(rows)
    # A backup contact's notice (§18.9) is about a delay, not about a patient.
    rows = [row for row in rows if row.kind != PayloadKind.ESCALATION]
    if patient is None:
        return rows
    return [row for row in rows if about_patient(row, patient)]
