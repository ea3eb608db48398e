"""How the node's JSON objects are shown to a clinician: local times, translated words.

Text that comes from a peer (names, messages) is cleaned of control characters first, so that
a contact cannot drive the terminal with escape sequences.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from typing import Any

from .i18n import has_key, language, t

JsonObject = dict[str, Any]

_KEPT_CONTROLS = frozenset("\n\t")
# Bidirectional overrides and isolates can make a name read as another one.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def dump_json(value: object) -> str:
    """The stable --json form: the API's objects unchanged (docs/local-api.md)."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def clean(value: object) -> str:
    """A peer's text made safe to print: control characters become U+FFFD."""
    text = "" if value is None else str(value).replace("\r\n", "\n")
    out = []
    for char in text:
        if char in _KEPT_CONTROLS:
            out.append(char)
        elif char in _BIDI_CONTROLS or unicodedata.category(char) == "Cc":
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone()


def fmt_time(value: object) -> str:
    """An API time (ISO UTC, Z) as local date and time, e.g. 28/11/2026 23:53."""
    moment = parse_time(value)
    if moment is None:
        return clean(value) if value else t("word.never")
    pattern = "%d/%m/%Y %H:%M" if language() == "fr" else "%Y-%m-%d %H:%M"
    return moment.strftime(pattern)


def fmt_clock(value: object) -> str:
    """An API time as local time of day with seconds, e.g. 23:53:10."""
    moment = parse_time(value)
    return moment.strftime("%H:%M:%S") if moment is not None else clean(value)


def role_name(code: object) -> str:
    key = f"role.{code}"
    return t(key) if has_key(key) else clean(code)


def status_name(code: object) -> str:
    key = f"msgstatus.{code}"
    return t(key) if has_key(key) else clean(code)


def format_status(status: JsonObject) -> list[str]:
    outbox = status.get("outbox") or {}
    lines = [
        t("status.node", name=clean(status.get("name")), role=role_name(status.get("role"))),
        t("status.node_id", node_id=clean(status.get("node_id"))),
        t("status.started", when=fmt_time(status.get("started_at"))),
    ]
    endpoints = status.get("peer_endpoints") or []
    lines.append(
        t("status.endpoints", endpoints=", ".join(clean(e) for e in endpoints))
        if endpoints
        else t("status.no_endpoints")
    )
    lines.append(t("status.contacts", count=status.get("contacts", 0)))
    lines.append(t("status.unread", count=status.get("unread", 0)))
    lines.append(
        t("status.outbox", pending=outbox.get("pending", 0), failed=outbox.get("failed", 0))
    )
    for entry in outbox.get("by_contact") or []:
        lines.append(
            t(
                "status.outbox_contact",
                name=clean(entry.get("name")),
                pending=entry.get("pending", 0),
                failed=entry.get("failed", 0),
            )
        )
    relays = status.get("relays") or []
    if not relays:
        lines.append(t("status.no_relays"))
    for relay in relays:
        key = "status.relay_connected" if relay.get("connected") else "status.relay_disconnected"
        lines.append(t(key, url=clean(relay.get("url")), when=fmt_time(relay.get("last_contact"))))
    from .clinical_view import urgent_lines

    urgent = urgent_lines(status)
    # Urgent messages first: they are what a clinician must act on.
    return [*urgent, "", *lines] if urgent else lines


def format_contact(contact: JsonObject) -> list[str]:
    verified = t("word.yes") if contact.get("verified") else t("word.no")
    endpoints = contact.get("endpoints") or []
    return [
        t("contact.title", name=clean(contact.get("name")), role=role_name(contact.get("role"))),
        t("contact.node_id", node_id=clean(contact.get("node_id"))),
        t(
            "contact.safety_number",
            safety_number=clean(contact.get("safety_number")),
            verified=verified,
        ),
        t("contact.paired_at", when=fmt_time(contact.get("paired_at"))),
        t(
            "contact.endpoints",
            endpoints=", ".join(clean(e) for e in endpoints) or t("word.none"),
        ),
        *_trust_lines(contact),
    ]


def _trust_lines(contact: JsonObject) -> list[str]:
    """What a clinician must know before trusting this contact: said plainly."""
    lines = []
    state = contact.get("state", "active")
    if state != "active":
        key = f"contact.state_{state}"
        lines.append(t(key) if has_key(key) else t("contact.state_other", state=clean(state)))
    if contact.get("held"):
        lines.append(
            t(
                "contact.key_changed_held",
                name=clean(contact.get("replaces") or contact.get("name")),
            )
        )
    return lines


def format_message_summary(message: JsonObject) -> list[str]:
    """One message in a list: a header line and its text, indented."""
    outgoing = message.get("direction") == "out"
    header_key = "message.summary_out" if outgoing else "message.summary_in"
    when = message.get("sent_at") if outgoing else message.get("received_at")
    header = t(
        header_key,
        when=fmt_time(when or message.get("sent_at")),
        name=clean(message.get("contact_name")),
        message_id=clean(message.get("message_id")),
        status=status_name(message.get("status")),
    )
    if not outgoing and not message.get("contact_verified"):
        header += " " + t("message.unverified_mark")
    from .clinical_view import is_urgent, summary_lines

    if is_urgent(message):
        header = t("show.urgent_mark") + " " + header
    return [header, *("    " + line for line in summary_lines(message))]


def format_message(message: JsonObject, thread: list[JsonObject] | None = None) -> list[str]:
    """One message in full, as `releve read` and `releve show` show it.

    ``thread``: the messages it answers, nearest first, when the caller fetched them.
    """
    outgoing = message.get("direction") == "out"
    name = clean(message.get("contact_name"))
    lines = [
        t("message.to", name=name) if outgoing else t("message.from", name=name),
        t("message.sent_at", when=fmt_time(message.get("sent_at"))),
    ]
    if not outgoing:
        lines.append(t("message.received_at", when=fmt_time(message.get("received_at"))))
    lines.append(t("message.status", status=status_name(message.get("status"))))
    if not outgoing:
        verified = message.get("contact_verified")
        lines.append(t("message.verified") if verified else t("message.unverified"))
    if message.get("delivered_at"):
        lines.append(t("message.delivered_at", when=fmt_time(message.get("delivered_at"))))
    if message.get("read_at"):
        lines.append(t("message.read_at", when=fmt_time(message.get("read_at"))))
    from .clinical_view import body_lines, receipt_lines, thread_item

    lines.extend(receipt_lines(message))
    if message.get("reply_to"):
        answered = [thread_item(m) for m in thread or []] or [clean(message.get("reply_to"))]
        lines.append(t("show.reply_to", summary=answered[0]))
        lines.extend("    " * depth + "↳ " + item for depth, item in enumerate(answered[1:], 1))
    lines.append(t("message.id", message_id=clean(message.get("message_id"))))
    lines.append("")
    lines.extend(body_lines(message))
    return lines
