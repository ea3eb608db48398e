"""How clinical messages read on a terminal: SAED sections, prescription lines, attachments.

Everything here comes from a peer's message: every value passes through :func:`clean` (no
escape sequence reaches the terminal) and a missing or odd field shows as blank, never fails.
"""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any

from .fields import field_label, reason_text
from .files import human_size
from .i18n import Translator
from .text import clean, fmt_time

JsonObject = dict[str, Any]

INDENT = "    "
SAED_SECTIONS = ("situation", "background", "assessment", "request")
_NIR_GROUPS = (1, 2, 2, 2, 3, 3, 2)


def kind_name(tr: Translator, kind: object) -> str:
    key = f"kind.{kind}"
    return tr.get(key, clean(kind))


def fmt_date(tr: Translator, value: object) -> str:
    """An ISO date as the user's language writes it: 14/03/1956 in French."""
    if not isinstance(value, str):
        return clean(value)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return clean(value)
    return day.strftime("%d/%m/%Y") if tr.french else day.isoformat()


def fmt_ins(value: object) -> str:
    """A 15-character INS grouped as on a carte Vitale: 2 56 03 75 123 456 78."""
    text = clean(value)
    if len(text) != sum(_NIR_GROUPS):
        return text
    parts, start = [], 0
    for size in _NIR_GROUPS:
        parts.append(text[start : start + size])
        start += size
    return " ".join(parts)


def sex_name(tr: Translator, code: object) -> str:
    key = f"sex.{code}"
    return tr.get(key, clean(code))


def _object(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def patient_name(patient: JsonObject) -> str:
    return " ".join(
        part
        for part in (clean(patient.get("birth_name")), clean(patient.get("first_names")))
        if part
    )


def age_on(birth: object, on: date) -> int | None:
    """Completed years on ``on``; None when the birth date does not read."""
    try:
        born = date.fromisoformat(str(birth))
    except ValueError:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def patient_lines(tr: Translator, patient: JsonObject, on: date | None = None) -> list[str]:
    """The patient's identity; ``on`` (default today): the date their age is given for."""
    lines = [
        tr(
            "show.patient",
            name=patient_name(patient),
            birth_date=fmt_date(tr, patient.get("birth_date")),
            sex=sex_name(tr, patient.get("sex")),
        )
    ]
    age = age_on(patient.get("birth_date"), on or date.today())
    if age is not None and age >= 0:
        lines[0] += tr("show.age", age=age)
    if patient.get("ins"):
        lines.append(tr("show.ins", ins=fmt_ins(patient.get("ins"))))
    status = patient.get("ins_status")
    if isinstance(status, str):
        lines.append(tr("show.ins_status", status=tr.get(f"ins_status.{status}", clean(status))))
    weight = patient.get("weight_kg")
    if isinstance(weight, int | float) and not isinstance(weight, bool):
        text = f"{weight:g}"
        lines.append(tr("show.weight", weight=text.replace(".", ",") if tr.french else text))
    return lines


def _paragraph(value: object) -> list[str]:
    return [INDENT + line for line in (clean(value).splitlines() or [""])]


def handoff_lines(tr: Translator, handoff: JsonObject) -> list[str]:
    lines = [kind_name(tr, "handoff"), *patient_lines(tr, _object(handoff.get("patient")))]
    lines.extend(handoff_v2_lines(tr, handoff))
    for section in SAED_SECTIONS:
        lines.append("")
        lines.append(tr(f"field.{section}"))
        lines.extend(_paragraph(handoff.get(section)))
    if handoff.get("contingency"):
        lines.extend(["", tr("show.contingency"), *_paragraph(handoff.get("contingency"))])
    return lines


def _items(tr: Translator, value: object) -> str:
    if not isinstance(value, list):
        return tr("show.not_stated")
    return "; ".join(clean(item) for item in value) if value else tr("show.none_known")


def handoff_v2_lines(tr: Translator, handoff: JsonObject) -> list[str]:
    """Severity, callback, deadline, allergies, treatments and home of a version 2 handoff
    (docs/local-api.md, HANDOFF); nothing for a version 1 handoff."""
    if handoff.get("version") != 2:
        return []
    severity = clean(handoff.get("severity"))
    lines = [
        tr("show.severity", severity=tr.get(f"severity.{severity}", severity)),
        tr("show.callback", phone=clean(handoff.get("callback"))),
    ]
    if handoff.get("deadline"):
        lines.append(tr("show.deadline", when=fmt_time(tr, handoff.get("deadline"))))
    lines.append(tr("show.allergies", items=_items(tr, handoff.get("allergies"))))
    lines.append(tr("show.treatments", items=_items(tr, handoff.get("treatments"))))
    home = _object(handoff.get("home"))
    if home.get("address"):
        lines.append(
            tr("show.home_address", address=clean(home.get("address")).replace("\n", ", "))
        )
    if home.get("phone"):
        lines.append(tr("show.home_phone", phone=clean(home.get("phone"))))
    kin = _object(home.get("next_of_kin"))
    if kin:
        relation = f" ({clean(kin.get('relationship'))})" if kin.get("relationship") else ""
        lines.append(
            tr(
                "show.next_of_kin",
                name=clean(kin.get("name")) + relation,
                phone=clean(kin.get("phone")),
            )
        )
    return lines


def read_back_lines(tr: Translator, message: JsonObject) -> list[str]:
    """The read-backs of a handoff: the receiver's reformulation, as the sender sees it."""
    entries = message.get("read_backs")
    lines: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        entry = _object(entry)
        key = "show.read_back_in" if entry.get("direction") == "in" else "show.read_back_out"
        lines.append(tr(key, at=fmt_time(tr, entry.get("at"))))
        lines.extend(_paragraph(entry.get("text")))
    return lines


def prescription_line(tr: Translator, number: int, line: JsonObject) -> list[str]:
    head = f"{number}. " + " ".join(
        part for part in (clean(line.get("medicine")), clean(line.get("strength"))) if part
    )
    details = []
    if line.get("inn"):
        details.append(tr("show.line_inn", inn=clean(line.get("inn"))))
    if line.get("non_substitutable"):
        reason = clean(line.get("non_substitutable"))
        details.append(tr("show.line_non_substitutable", reason=reason))
    details.append(clean(line.get("dosage")))
    if line.get("duration"):
        details.append(tr("show.line_duration", value=clean(line.get("duration"))))
    if line.get("quantity"):
        details.append(tr("show.line_quantity", value=clean(line.get("quantity"))))
    renewals = line.get("renewals")
    if isinstance(renewals, int) and renewals > 0:
        details.append(tr("show.line_renewals", count=renewals))
    else:
        details.append(tr("show.line_no_renewal"))
    text = " – ".join(part for part in details if part)
    wrapped = textwrap.wrap(text, width=72) or [""]
    return [head, *(INDENT + part for part in wrapped)]


def prescription_lines(tr: Translator, prescription: JsonObject) -> list[str]:
    prescriber = _object(prescription.get("prescriber"))
    lines = [
        tr("show.prescription_date", date=fmt_date(tr, prescription.get("date"))),
        tr(
            "show.prescriber",
            name=clean(prescriber.get("name")),
            specialty=clean(prescriber.get("specialty")),
            rpps=clean(prescriber.get("rpps")),
        ),
        INDENT
        + tr(
            "show.prescriber_contact",
            address=clean(prescriber.get("address")).replace("\n", ", "),
            phone=clean(prescriber.get("phone")),
        ),
    ]
    if prescription.get("prescriber") and _object(prescription.get("prescriber")).get("email"):
        lines.append(INDENT + tr("show.prescriber_email", email=clean(prescriber.get("email"))))
    lines.extend([*patient_lines(tr, _object(prescription.get("patient"))), ""])
    entries = prescription.get("lines")
    for number, line in enumerate(entries if isinstance(entries, list) else [], start=1):
        lines.extend(prescription_line(tr, number, _object(line)))
    if prescription.get("notes"):
        lines.extend(["", tr("show.notes"), *_paragraph(prescription.get("notes"))])
    return lines


def state_lines(tr: Translator, message: JsonObject) -> list[str]:
    """A prescription's signature and lifecycle (docs/local-api.md, "Message"): ANNULÉE /
    REMPLACÉE / past its validity first, in capitals, then who signed it and what the
    pharmacist reported."""
    lines: list[str] = []
    lifecycle = _object(message.get("lifecycle"))
    state = lifecycle.get("state")
    if state == "cancelled":
        lines.append(tr("lifecycle.cancelled", reason=clean(lifecycle.get("reason"))))
    elif state == "replaced":
        lines.append(tr("lifecycle.replaced", by=clean(lifecycle.get("by"))))
    elif lifecycle.get("expired"):
        lines.append(tr("lifecycle.expired", date=fmt_date(tr, lifecycle.get("valid_until"))))
    signature = _object(message.get("signature"))
    sign_state = signature.get("state")
    if sign_state in ("verified", "signed", "unsigned"):
        lines.append(
            tr(
                f"signature.{sign_state}",
                name=clean(signature.get("name")),
                rpps=clean(signature.get("rpps")),
            )
        )
    if lifecycle.get("valid_until") and state == "active" and not lifecycle.get("expired"):
        lines.append(tr("lifecycle.valid_until", date=fmt_date(tr, lifecycle.get("valid_until"))))
    reports = lifecycle.get("dispensing")
    for report in reports if isinstance(reports, list) else []:
        lines.append(dispensing_text(tr, "lifecycle.dispensing", _object(report), at=True))
    return lines


def dispensing_text(tr: Translator, key: str, report: JsonObject, **values: object) -> str:
    state = clean(report.get("state"))
    note = f" – {clean(report.get('note'))}" if report.get("note") else ""
    phone = tr("lifecycle.phone") if report.get("confirmed_by_phone") is True else ""
    at = fmt_time(tr, report.get("at")) if values.pop("at", False) else ""
    return tr(
        key,
        state=tr.get(f"dispensing.{state}", state),
        note=note,
        phone=phone,
        at=at,
        **values,
    )


def transfer_percent(done: int, total: int) -> int:
    return 100 if total <= 0 else min(done, total) * 100 // total


def attachment_lines(tr: Translator, message: JsonObject) -> list[str]:
    attachment = _object(message.get("attachment"))
    size = attachment.get("size")
    lines = [
        tr(
            "show.attachment",
            file=clean(attachment.get("file_name")),
            media_type=clean(attachment.get("media_type")),
            size=human_size(tr, size) if isinstance(size, int) else clean(size),
        )
    ]
    if attachment.get("caption"):
        lines.append(tr("show.caption", caption=clean(attachment.get("caption"))))
    lines.append(tr("show.sha256", sha256=clean(attachment.get("sha256"))))
    done, total = attachment.get("done"), attachment.get("chunks")
    done = done if isinstance(done, int) else 0
    total = total if isinstance(total, int) else 0
    outgoing = message.get("direction") == "out"
    if attachment.get("corrupt"):
        lines.append(tr("show.corrupt"))
    elif attachment.get("complete") or (outgoing and total and done >= total):
        key = "show.complete_out" if outgoing else "show.complete_in"
        lines.append(tr(key, message_id=clean(message.get("message_id"))))
    else:
        key = "show.transfer_out" if outgoing else "show.transfer_in"
        lines.append(tr(key, done=done, total=total, percent=transfer_percent(done, total)))
    return lines


def body_lines(tr: Translator, message: JsonObject) -> list[str]:
    """The content of any kind of message, for `releve show` and `releve read`."""
    kind = message.get("kind", "text")
    if kind == "handoff":
        handoff = handoff_lines(tr, _object(message.get("handoff")))
        read_backs = read_back_lines(tr, message)
        return [*handoff, *([""] if read_backs else []), *read_backs]
    if kind == "read_back":
        return [
            tr("show.read_back_of", target=clean(message.get("reply_to"))),
            *_paragraph(_object(message.get("read_back")).get("text")),
        ]
    if kind == "prescription":
        prescription = prescription_lines(tr, _object(message.get("prescription")))
        return [*state_lines(tr, message), *prescription]
    if kind == "attachment":
        return attachment_lines(tr, message)
    if kind == "cancellation":
        cancellation = _object(message.get("cancellation"))
        return [
            tr(
                "show.cancellation",
                target=clean(message.get("reply_to")),
                reason=clean(cancellation.get("reason")),
            )
        ]
    if kind == "dispensing":
        report = _object(message.get("dispensing"))
        target = clean(message.get("reply_to"))
        return [dispensing_text(tr, "show.dispensing", report, target=target)]
    if kind == "escalation":
        return escalation_lines(tr, message)
    text = message.get("text")
    if kind != "text" or not isinstance(text, str):
        return [tr("message.kind", kind=clean(kind))]
    return clean(text).splitlines() or [""]


def summary_lines(tr: Translator, message: JsonObject) -> list[str]:
    """A few lines saying what a message is, for lists (inbox)."""
    kind = message.get("kind", "text")
    if kind == "handoff":
        patient = _object(_object(message.get("handoff")).get("patient"))
        return [f"{kind_name(tr, kind)} – {patient_name(patient)}"]
    if kind == "prescription":
        prescription = _object(message.get("prescription"))
        patient = _object(prescription.get("patient"))
        count = len(prescription.get("lines") or [])
        summary = [f"{kind_name(tr, kind)} – {patient_name(patient)} ({count})"]
        lifecycle = _object(message.get("lifecycle"))
        if lifecycle.get("state") in ("cancelled", "replaced") or lifecycle.get("expired"):
            summary.extend(state_lines(tr, message)[:1])
        return summary
    if kind == "attachment":
        return attachment_lines(tr, message)[:1]
    return body_lines(tr, message)


def is_urgent(message: JsonObject) -> bool:
    return message.get("priority") == "urgent"


def receipt_lines(tr: Translator, message: JsonObject) -> list[str]:
    """Priority and the acknowledgement of an urgent message (delivered and read are shown by
    :func:`clients.cli.display.format_message`)."""
    if not is_urgent(message):
        return []
    lines = [tr("show.urgent")]
    if message.get("acknowledged_at"):
        lines.append(tr("show.acknowledged_at", when=fmt_time(tr, message.get("acknowledged_at"))))
    else:
        lines.append(tr("show.not_acknowledged"))
    return lines


def thread_item(tr: Translator, message: JsonObject) -> str:
    outgoing = message.get("direction") == "out"
    return tr(
        "show.thread_item",
        kind=kind_name(tr, message.get("kind")),
        direction=tr("show.direction_out" if outgoing else "show.direction_in"),
        name=clean(message.get("contact_name")),
        when=fmt_time(tr, message.get("sent_at")),
        message_id=clean(message.get("message_id")),
    )


def urgent_lines(tr: Translator, status: JsonObject) -> list[str]:
    """Urgent messages awaiting a human acknowledgement, both ways, from GET /v1/status.

    Overdue ones (past the node's escalation delay) come first, inside a banner: ours suggest
    phoning the contact, theirs ask for ``releve ack``; an urgent message must not wait
    silently. The time shown is the time really waited (``waited_minutes``); a node too old to
    say it gives only its delay.
    """
    urgent = _object(status.get("urgent"))
    minutes = urgent.get("escalate_after_minutes")
    backup = urgent.get("backup_contact")
    overdue: list[str] = []
    waiting: list[str] = []
    reminders: list[str] = []
    awaiting = urgent.get("awaiting_ack")
    for entry in awaiting if isinstance(awaiting, list) else []:
        item = _object(entry)
        values = _waiting_values(tr, item, "sent_at")
        if item.get("overdue"):
            overdue.append(
                _overdue_line(tr, ("urgent.overdue_waited", "urgent.overdue"), minutes, values)
            )
            phone = item.get("contact_phone")
            overdue.append(
                tr("urgent.call", name=values["name"], phone=clean(phone))
                if phone
                else tr("urgent.call_no_phone", name=values["name"])
            )
            if item.get("backup_told") and backup:
                overdue.append(tr("urgent.backup_told", backup=clean(backup)))
        else:
            waiting.append(tr("urgent.awaiting", **values))
    incoming = urgent.get("incoming")
    if isinstance(incoming, list):
        for entry in incoming:
            item = _object(entry)
            values = _waiting_values(tr, item, "received_at")
            if item.get("overdue"):
                keys = ("urgent.incoming_overdue_waited", "urgent.incoming_overdue")
                overdue.append(_overdue_line(tr, keys, minutes, values))
                if item.get("backup_told") and backup:
                    overdue.append(tr("urgent.backup_told", backup=clean(backup)))
            else:
                reminders.append(tr("urgent.incoming_waited", **values))
    else:  # a node that does not say how long: the messages themselves
        messages = status.get("incoming_urgent")
        for entry in messages if isinstance(messages, list) else []:
            message = _object(entry)
            reminders.append(
                tr(
                    "urgent.incoming",
                    name=clean(message.get("contact_name")),
                    when=fmt_time(tr, message.get("received_at") or message.get("sent_at")),
                    message_id=clean(message.get("message_id")),
                )
            )
    lines: list[str] = []
    if overdue:
        width = min(max(len(line) for line in overdue) + 6, 100)
        lines.extend(["!" * width, *(f"!!  {line}" for line in overdue), "!" * width])
    lines.extend(reminders)
    lines.extend(waiting)
    return lines


def _waiting_values(tr: Translator, item: JsonObject, since: str) -> dict[str, str]:
    waited = item.get("waited_minutes")
    return {
        "name": clean(item.get("contact_name")),
        "when": fmt_time(tr, item.get(since) or item.get("sent_at")),
        "message_id": clean(item.get("message_id")),
        "waited": str(waited) if isinstance(waited, int) and not isinstance(waited, bool) else "?",
    }


def _overdue_line(
    tr: Translator, keys: tuple[str, str], minutes: object, values: dict[str, str]
) -> str:
    """The banner's line: the real time waited (``keys[0]``); from a node too old to say
    it, only its delay (``keys[1]``)."""
    if values["waited"] == "?":
        return tr(keys[1], minutes=clean(minutes), **values)
    return tr(keys[0], **values)


_REFUSED_REASONS = frozenset(
    {
        "unsigned",
        "not_prescriber",
        "bad_signature",
        "prescriber_mismatch",
        "unknown_prescription",
        "unknown_handoff",
    }
)
_REFUSED_KINDS = frozenset({"prescription", "cancellation", "dispensing", "read_back"})


def refused_lines(tr: Translator, status: JsonObject) -> list[str]:
    """Clinical messages our node refused lately (GET /v1/status "refused"): from whom, what,
    and why; what to do next. Never their content (the node keeps none)."""
    refused = status.get("refused")
    lines: list[str] = []
    for entry in refused if isinstance(refused, list) else []:
        item = _object(entry)
        kind = item.get("kind")
        reason = item.get("reason")
        if reason == "rule":
            field, rule = item.get("field"), item.get("rule")
            why = tr(
                "refused.reason.rule",
                field=field_label(tr, field if isinstance(field, str) else ""),
                rule=reason_text(tr, rule if isinstance(rule, str) else ""),
            )
        elif reason in _REFUSED_REASONS:
            why = tr(f"refused.reason.{reason}")
        else:
            why = tr("refused.reason.other", reason=clean(reason))
        name = clean(item.get("contact_name")) or tr("refused.unknown_contact")
        lines.append(
            tr(
                "refused.entry",
                what=tr(f"refused.kind.{kind}" if kind in _REFUSED_KINDS else "refused.kind.other"),
                name=name,
                when=fmt_time(tr, item.get("at")),
                reason=why,
            )
        )
        lines.append(INDENT + tr("refused.hint", name=name))
    return lines


def escalation_lines(tr: Translator, message: JsonObject) -> list[str]:
    """A backup contact's notice (content-free): who, to whom, since when, how long."""
    notice = _object(message.get("escalation"))
    waited = notice.get("waited_minutes")
    return [
        tr(
            "show.escalation",
            sender=clean(notice.get("from")),
            recipient=clean(notice.get("to")),
            minutes=clean(waited if isinstance(waited, int) else "?"),
            when=fmt_time(tr, notice.get("sent_at")),
        ),
        tr("show.escalation_hint", sender=clean(notice.get("from"))),
    ]
