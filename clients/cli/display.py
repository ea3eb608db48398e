"""How the node's JSON objects read on a terminal: status, contacts, messages (in lists and whole).

Single values (a peer's text, times, names) are formatted by :mod:`clients.cli.text`; the
content of clinical messages by :mod:`clients.cli.clinical_view`.
"""

from __future__ import annotations

from typing import Any

from .clinical_view import (
    body_lines,
    is_urgent,
    receipt_lines,
    refused_lines,
    summary_lines,
    thread_item,
    urgent_lines,
)
from .i18n import Translator
from .text import clean, fmt_time, role_name, status_name

JsonObject = dict[str, Any]


def format_status(tr: Translator, status: JsonObject) -> list[str]:
    outbox = status.get("outbox") or {}
    lines = [
        tr("status.node", name=clean(status.get("name")), role=role_name(tr, status.get("role"))),
        tr("status.node_id", node_id=clean(status.get("node_id"))),
        tr("status.started", when=fmt_time(tr, status.get("started_at"))),
    ]
    endpoints = status.get("peer_endpoints") or []
    lines.append(
        tr("status.endpoints", endpoints=", ".join(clean(e) for e in endpoints))
        if endpoints
        else tr("status.no_endpoints")
    )
    lines.append(tr("status.contacts", count=status.get("contacts", 0)))
    lines.append(tr("status.unread", count=status.get("unread", 0)))
    lines.append(
        tr("status.outbox", pending=outbox.get("pending", 0), failed=outbox.get("failed", 0))
    )
    for entry in outbox.get("by_contact") or []:
        lines.append(
            tr(
                "status.outbox_contact",
                name=clean(entry.get("name")),
                pending=entry.get("pending", 0),
                failed=entry.get("failed", 0),
            )
        )
    relays = status.get("relays") or []
    if not relays:
        lines.append(tr("status.no_relays"))
    for relay in relays:
        key = "status.relay_connected" if relay.get("connected") else "status.relay_disconnected"
        lines.append(
            tr(key, url=clean(relay.get("url")), when=fmt_time(tr, relay.get("last_contact")))
        )
    web = status.get("web")
    if isinstance(web, dict) and web.get("url"):
        until = web.get("certificate_until")
        url = clean(web.get("url"))
        lines.append(
            tr("status.web_tls", url=url, when=fmt_time(tr, until))
            if until
            else tr("status.web", url=url)
        )

    urgent = [*urgent_lines(tr, status), *refused_lines(tr, status)]
    # Urgent messages first: they are what a clinician must act on.
    return [*urgent, "", *lines] if urgent else lines


def format_contact(tr: Translator, contact: JsonObject) -> list[str]:
    verified = tr("word.yes") if contact.get("verified") else tr("word.no")
    endpoints = contact.get("endpoints") or []
    return [
        tr(
            "contact.title",
            name=clean(contact.get("name")),
            role=role_name(tr, contact.get("role")),
        ),
        tr("contact.node_id", node_id=clean(contact.get("node_id"))),
        tr(
            "contact.safety_number",
            safety_number=clean(contact.get("safety_number")),
            verified=verified,
        ),
        tr("contact.paired_at", when=fmt_time(tr, contact.get("paired_at"))),
        tr(
            "contact.endpoints",
            endpoints=", ".join(clean(e) for e in endpoints) or tr("word.none"),
        ),
        *_trust_lines(tr, contact),
    ]


def _trust_lines(tr: Translator, contact: JsonObject) -> list[str]:
    """What a clinician must know before trusting this contact: said plainly."""
    lines = []
    state = contact.get("state", "active")
    if state != "active":
        key = f"contact.state_{state}"
        lines.append(tr.get(key, tr("contact.state_other", state=clean(state))))
    if contact.get("held"):
        lines.append(
            tr(
                "contact.key_changed_held",
                name=clean(contact.get("replaces") or contact.get("name")),
            )
        )
    return lines


def format_message_summary(tr: Translator, message: JsonObject) -> list[str]:
    """One message in a list: a header line and its text, indented."""
    outgoing = message.get("direction") == "out"
    header_key = "message.summary_out" if outgoing else "message.summary_in"
    when = message.get("sent_at") if outgoing else message.get("received_at")
    header = tr(
        header_key,
        when=fmt_time(tr, when or message.get("sent_at")),
        name=clean(message.get("contact_name")),
        message_id=clean(message.get("message_id")),
        status=status_name(tr, message.get("status")),
    )
    if not outgoing and not message.get("contact_verified"):
        header += " " + tr("message.unverified_mark")

    if is_urgent(message):
        header = tr("show.urgent_mark") + " " + header
    return [header, *("    " + line for line in summary_lines(tr, message))]


def format_message(
    tr: Translator, message: JsonObject, thread: list[JsonObject] | None = None
) -> list[str]:
    """One message in full, as `releve read` and `releve show` show it.

    ``thread``: the messages it answers, nearest first, when the caller fetched them.
    """
    outgoing = message.get("direction") == "out"
    name = clean(message.get("contact_name"))
    lines = [
        tr("message.to", name=name) if outgoing else tr("message.from", name=name),
        tr("message.sent_at", when=fmt_time(tr, message.get("sent_at"))),
    ]
    if not outgoing:
        lines.append(tr("message.received_at", when=fmt_time(tr, message.get("received_at"))))
    lines.append(tr("message.status", status=status_name(tr, message.get("status"))))
    if not outgoing:
        verified = message.get("contact_verified")
        lines.append(tr("message.verified") if verified else tr("message.unverified"))
    if message.get("delivered_at"):
        lines.append(tr("message.delivered_at", when=fmt_time(tr, message.get("delivered_at"))))
    if message.get("read_at"):
        lines.append(tr("message.read_at", when=fmt_time(tr, message.get("read_at"))))

    lines.extend(receipt_lines(tr, message))
    if message.get("reply_to"):
        answered = [thread_item(tr, m) for m in thread or []] or [clean(message.get("reply_to"))]
        lines.append(tr("show.reply_to", summary=answered[0]))
        lines.extend("    " * depth + "↳ " + item for depth, item in enumerate(answered[1:], 1))
    lines.append(tr("message.id", message_id=clean(message.get("message_id"))))
    lines.append("")
    lines.extend(body_lines(tr, message))
    return lines
