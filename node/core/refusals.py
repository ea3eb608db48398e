"""Refused clinical payloads shown to our user (issue #16): when the node refuses a
prescription, a cancellation, a dispensing report or a read-back for good (bad signature,
prescriber not the sender, a prescribing rule broken...), the person must see that one came
from that contact and why, not silence.

Each refusal is kept, with no content (invariant 1: the kind, a stable reason code, and for a
broken rule the field's path and the rule's code, never a value), in one encrypted setting,
the newest :data:`MAX_KEPT`, and shown for :data:`SHOWN_DAYS` days (``GET /v1/status``
"refused"; ``releve status`` and ``releve inbox``). The audit log's "refused" entry, committed
with it, is the permanent record.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Final

from node.core.context import NodeContext
from node.core.ports import Change
from node.protocol import PayloadKind

SETTING: Final = "refusals"
MAX_KEPT: Final = 50
SHOWN_DAYS: Final = 7
# The kinds whose refusal is shown (the others are not clinical documents).
SHOWN_KINDS: Final = frozenset(
    {
        PayloadKind.PRESCRIPTION,
        PayloadKind.SIGNED_PRESCRIPTION,
        PayloadKind.CANCELLATION,
        PayloadKind.DISPENSING,
        PayloadKind.READ_BACK,
    }
)
# Why (PeerRefused.refusal, node.core.prescriptions and read_backs; "rule" for a body that
# breaks its kind's rules, with the field and the rule).
REASONS: Final = frozenset(
    {
        "unsigned",
        "not_prescriber",
        "bad_signature",
        "prescriber_mismatch",
        "unknown_prescription",
        "unknown_handoff",
        "rule",
    }
)
_KIND_NAMES: Final = {
    PayloadKind.PRESCRIPTION: "prescription",
    PayloadKind.SIGNED_PRESCRIPTION: "prescription",
    PayloadKind.CANCELLATION: "cancellation",
    PayloadKind.DISPENSING: "dispensing",
    PayloadKind.READ_BACK: "read_back",
}
# The names a refusal's kind is kept and shown under (Refusal.kind).
KINDS: Final = frozenset(_KIND_NAMES.values())


@dataclass(frozen=True)
class Refusal:
    message_id: str  # hex: the refused message's id (it never became a message here)
    contact_id: str  # hex
    kind: str  # "prescription", "cancellation", "dispensing", "read_back"
    reason: str  # one of REASONS
    at: float
    field: str | None = None  # "rule": the field's path (lines.0.inn), never its value
    rule: str | None = None  # "rule": the clinical reason code (narcotic, ins_mismatch...)


class Refusals:
    def __init__(self, ctx: NodeContext) -> None:
        self._ctx = ctx
        self._cache: list[Refusal] | None = None

    async def _all(self) -> list[Refusal]:
        if self._cache is None:
            raw = await self._ctx.repo.get_setting(SETTING)
            entries = [] if raw is None else json.loads(raw)
            self._cache = [Refusal(**entry) for entry in entries]
        return self._cache

    async def record(
        self,
        contact_id: bytes,
        kind: PayloadKind,
        message_id: bytes,
        reason: str,
        clinical: tuple[str, str] | None = None,
    ) -> list[Change]:
        """The change that keeps a refusal (the caller commits it with the session, whose key
        was spent, and the audit entry "refused"); nothing for a kind not shown or a
        refusal already kept."""
        if kind not in SHOWN_KINDS or reason not in REASONS:
            return []
        kept = await self._all()
        if any(entry.message_id == message_id.hex() for entry in kept):
            return []
        field, rule = clinical if clinical is not None else (None, None)
        entry = Refusal(
            message_id.hex(),
            contact_id.hex(),
            _KIND_NAMES[kind],
            reason,
            self._ctx.clock(),
            field,
            rule,
        )
        updated = [*kept, entry][-MAX_KEPT:]
        self._cache = updated
        value = json.dumps([asdict(item) for item in updated]).encode()
        return [self._ctx.repo.put_setting(SETTING, value)]

    def forget(self) -> None:
        """A commit failed: read the setting again next time."""
        self._cache = None

    async def recent(self) -> list[Refusal]:
        """Refusals of the last :data:`SHOWN_DAYS` days, newest last."""
        since = self._ctx.clock() - SHOWN_DAYS * 86_400
        return [entry for entry in await self._all() if entry.at >= since]
