"""The clinical documents this node refused lately (node.core.refusals; the local API's
``GET /v1/status`` "refused", docs/local-api.md), as the status screen and the top of the
conversations list show them: what came, from whom, when, why, and what to do.

The node keeps nothing of a refused document (invariant 1): its kind, a reason code, and for a
broken rule the field's path and the rule's code. So the sentences say only that: "Une
ordonnance de Dr Martin, reçue le 05/12/2026 08:12, a été refusée : ...", then whom to call.
"""

from __future__ import annotations

from typing import Any

from node.core.node import NodeCore
from node.core.refusals import KINDS, REASONS
from node.edges.web.pages import local_time
from node.edges.web.screens.compose import field_label
from node.edges.web.screens.compose_forms import form_field
from node.edges.web.texts import text


async def refused_documents(core: NodeCore, lang: str) -> list[dict[str, Any]]:
    """Newest first, each with its sentences in ``lang`` (escaped by the templates)."""
    contacts = core.ctx.contacts
    shown = []
    for entry in reversed(await core.refusals.recent()):
        name = contacts.name_of(bytes.fromhex(entry.contact_id))
        who = name or text(lang, "refused.former_contact")
        what = text(lang, f"refused.kind.{entry.kind}" if entry.kind in KINDS else "refused.kind")
        shown.append(
            {
                "message_id": entry.message_id,
                "contact_id": entry.contact_id if name else None,
                "text": text(
                    lang, "refused.entry", what=what, name=who, when=local_time(entry.at, lang)
                ),
                "why": _why(lang, entry.reason, entry.field, entry.rule),
                "hint": text(lang, "refused.hint", name=who),
            }
        )
    return shown


def _why(lang: str, reason: str, field: str | None, rule: str | None) -> str:
    if reason == "rule":
        return text(
            lang,
            "refused.why.rule",
            field=field_label(lang, form_field(field or "")),
            rule=text(lang, f"reason.{rule or 'other'}"),
        )
    if reason in REASONS:
        return text(lang, f"refused.why.{reason}")
    return text(lang, "refused.why.other", reason=reason)
