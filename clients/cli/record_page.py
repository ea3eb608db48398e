"""The printable record of messages (`releve print`): one A4 HTML page for the paper record.

Same house style as the invitation page (:mod:`clients.cli.print_page`): self-contained, nothing
fetched (a Content-Security-Policy forbids it), black on white, no meaning carried by colour.
Every value comes from a message a peer wrote, so every value is escaped; the words are in the
user's language. HTML only: the browser prints it or saves it as a PDF with the machine's fonts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

from .clinical_view import (
    SAED_SECTIONS,
    body_lines,
    fmt_date,
    handoff_v2_lines,
    kind_name,
    patient_lines,
    prescription_line,
    read_back_lines,
    state_lines,
    transfer_percent,
)
from .files import human_size
from .i18n import Translator
from .text import clean, parse_time, role_name, status_name

JsonObject = dict[str, Any]

_STYLE = """
@page { size: A4 portrait; margin: 12mm; }
* { box-sizing: border-box; }
html { background: #fff; color: #000; }
body { margin: 0 auto; max-width: 186mm; font: 10.5pt/1.4 "DejaVu Sans", Arial, Helvetica,
  sans-serif; }
h1 { font-size: 16pt; margin: 0 0 1mm; }
.printed { font-size: 8.5pt; margin: 0 0 4mm; }
article { border-top: 0.6mm solid #000; padding-top: 2mm; margin-bottom: 5mm;
  break-inside: avoid-page; }
h2 { font-size: 13pt; margin: 0 0 2mm; }
h3 { font-size: 10.5pt; margin: 3mm 0 1mm; }
.urgent { border: 0.6mm solid #000; padding: 0 1.5mm; font-weight: bold; }
.state { border: 0.8mm solid #000; padding: 1.5mm 2.5mm; font-size: 13pt; }
table.meta { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin-bottom: 2mm; }
table.meta th { text-align: left; font-weight: bold; width: 38mm; padding: 0.3mm 2mm 0.3mm 0;
  vertical-align: top; }
table.meta td { padding: 0.3mm 0; }
.patient { border: 0.3mm solid #000; padding: 1.5mm 2.5mm; margin: 2mm 0; }
.patient p { margin: 0; }
.text { white-space: pre-wrap; margin: 0 0 1mm; }
ol.lines { margin: 0; padding-left: 6mm; }
ol.lines li { margin-bottom: 1.5mm; }
.codes { display: flex; flex-wrap: wrap; gap: 4mm; align-items: flex-start; margin: 3mm 0 1mm;
  break-inside: avoid; }
.codes svg { flex: 0 0 60mm; width: 60mm; height: 60mm; }
.codes p { flex: 1 1 60mm; margin: 0; font-size: 9pt; }
code { font-family: "DejaVu Sans Mono", Consolas, "Liberation Mono", "Courier New", monospace; }
"""


def _e(value: object) -> str:
    return escape(clean(value))


def stamp_text(tr: Translator, value: object) -> str:
    """A time for the paper record: local date and time with its offset from UTC."""
    moment = parse_time(value)
    if moment is None:
        return clean(value) if value else "–"
    pattern = "%d/%m/%Y %H:%M:%S" if tr.french else "%Y-%m-%d %H:%M:%S"
    offset = moment.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:5]}" if len(offset) >= 5 else "UTC"
    return f"{moment.strftime(pattern)} ({zone})"


def fmt_stamp(tr: Translator, value: object) -> str:
    return escape(stamp_text(tr, value))


def _party(tr: Translator, party: object, fallback: object) -> str:
    if not isinstance(party, dict):
        return _e(fallback)
    text = _e(party.get("name") or fallback)
    if party.get("role"):
        text += f" ({escape(role_name(tr, party.get('role')))})"
    if party.get("node_id"):
        text += f" – {escape(tr('record.node_id'))} <code>{_e(party.get('node_id'))}</code>"
    return text


def _row(tr: Translator, label_key: str, value_html: str) -> str:
    return f"<tr><th>{escape(tr(label_key))}</th><td>{value_html}</td></tr>"


def _patient(tr: Translator, patient: object) -> str:
    if not isinstance(patient, dict):
        return ""
    lines = patient_lines(tr, patient)
    first = f"<p><strong>{escape(lines[0])}</strong></p>"
    return f'<div class="patient">{first}{"".join(f"<p>{escape(x)}</p>" for x in lines[1:])}</div>'


def _text(value: object) -> str:
    return f'<p class="text">{_e(value)}</p>'


def _body(tr: Translator, message: JsonObject) -> str:
    kind = message.get("kind")
    if kind == "handoff":
        handoff: Any = message.get("handoff")
        if not isinstance(handoff, dict):
            return ""
        sections = "".join(
            f"<h3>{escape(tr(f'field.{section}'))}</h3>{_text(handoff.get(section))}"
            for section in SAED_SECTIONS
        )
        # Severity, callback, deadline, allergies, treatments, home (version 2).
        facts = "".join(f"<p>{escape(line)}</p>" for line in handoff_v2_lines(tr, handoff))
        if handoff.get("contingency"):
            sections += f"<h3>{escape(tr('show.contingency'))}</h3>"
            sections += _text(handoff.get("contingency"))
        read_backs = read_back_lines(tr, message)
        if read_backs:
            sections += f'<div class="patient">{_text(chr(10).join(read_backs))}</div>'
        return _patient(tr, handoff.get("patient")) + facts + sections
    if kind == "read_back":
        return "".join(_text(line) for line in body_lines(tr, message))
    if kind == "prescription":
        prescription: Any = message.get("prescription")
        if not isinstance(prescription, dict):
            return ""
        prescriber: Any = prescription.get("prescriber") or {}
        dated = tr("show.prescription_date", date=fmt_date(tr, prescription.get("date")))
        head = [
            f"<h3>{escape(dated)}</h3>",
            f"<p>{escape(tr('show.prescriber', name=clean(prescriber.get('name')), specialty=clean(prescriber.get('specialty')), rpps=clean(prescriber.get('rpps'))))}</p>",  # noqa: E501
            f"<p>{escape(tr('show.prescriber_contact', address=clean(prescriber.get('address')), phone=clean(prescriber.get('phone'))))}</p>",  # noqa: E501
        ]
        if prescriber.get("email"):  # R.5132-3: the prescription states the e-mail address
            email = tr("show.prescriber_email", email=clean(prescriber.get("email")))
            head.append(f"<p>{escape(email)}</p>")
        head.append(_patient(tr, prescription.get("patient")))
        entries = prescription.get("lines")
        items = []
        for number, line in enumerate(entries if isinstance(entries, list) else [], start=1):
            first, *rest = prescription_line(tr, number, line if isinstance(line, dict) else {})
            title = first.partition(". ")[2]
            details = " ".join(part.strip() for part in rest)
            items.append(f"<li><strong>{escape(title)}</strong><br>{escape(details)}</li>")
        notes = ""
        if prescription.get("notes"):
            notes = f"<h3>{escape(tr('show.notes'))}</h3>{_text(prescription.get('notes'))}"
        # ANNULÉE / REMPLACÉE / past its validity, in a box above everything, then who signed.
        states = state_lines(tr, message)
        banner = ""
        if states:
            first, *others = states
            lifecycle = message.get("lifecycle") or {}
            boxed = isinstance(lifecycle, dict) and (
                lifecycle.get("state") in ("cancelled", "replaced") or lifecycle.get("expired")
            )
            shown = f'<p class="state"><strong>{escape(first)}</strong></p>' if boxed else ""
            rest = others if boxed else states
            banner = shown + "".join(f"<p>{escape(line)}</p>" for line in rest)
        lines_html = f'<ol class="lines">{"".join(items)}</ol>'
        return banner + "".join(head) + lines_html + notes
    if kind in ("cancellation", "dispensing", "escalation"):
        return "".join(_text(line) for line in body_lines(tr, message))
    if kind == "attachment":
        attachment: Any = message.get("attachment")
        if not isinstance(attachment, dict):
            return ""
        size = attachment.get("size")
        parts = [
            escape(
                tr(
                    "show.attachment",
                    file=clean(attachment.get("file_name")),
                    media_type=clean(attachment.get("media_type")),
                    size=human_size(tr, size) if isinstance(size, int) else clean(size),
                )
            )
        ]
        if attachment.get("caption"):
            parts.append(escape(tr("show.caption", caption=clean(attachment.get("caption")))))
        parts.append(
            escape(tr("show.sha256", sha256="")) + f"<code>{_e(attachment.get('sha256'))}</code>"
        )
        done, total = attachment.get("done"), attachment.get("chunks")
        if isinstance(done, int) and isinstance(total, int) and not attachment.get("complete"):
            outgoing = message.get("direction") == "out"
            key = "show.transfer_out" if outgoing else "show.transfer_in"
            parts.append(
                escape(tr(key, done=done, total=total, percent=transfer_percent(done, total)))
            )
        return "".join(f"<p>{part}</p>" for part in parts)
    return _text(message.get("text"))


def _codes(tr: Translator, message: JsonObject) -> str:
    """The QR code(s) of a signed prescription or cancellation (docs/protocol.md §19.7): the
    signed body, the signer's keys and ids, so that ``releve verify-print PHOTO`` checks the
    paper copy offline. The text above is written from the same signed body."""
    codes = message.get("print_codes")
    if not isinstance(codes, list) or not codes:
        signature = message.get("signature")
        if isinstance(signature, dict) and signature.get("state") in ("signed", "verified"):
            return f"<p>{escape(tr('record.code_none'))}</p>"  # too large for the page
        return ""
    from . import qr

    label = tr("record.code_label")
    svgs = "".join(
        qr.svg_markup(str(code), label=label).replace("<svg ", f'<svg data-part="{n}" ', 1)
        for n, code in enumerate(codes, start=1)
    )
    return f'<div class="codes">{svgs}<p>{escape(tr("record.code_about"))}</p></div>'


def message_html(tr: Translator, message: JsonObject) -> str:
    outgoing = message.get("direction") == "out"
    contact = message.get("contact_name")
    urgent = message.get("priority") == "urgent"
    title = escape(kind_name(tr, message.get("kind", "text")))
    if urgent:
        title += f' <span class="urgent">{escape(tr("record.urgent"))}</span>'
    rows = [
        _row(tr, "record.from", _party(tr, message.get("sender"), "" if outgoing else contact)),
        _row(tr, "record.to", _party(tr, message.get("recipient"), contact if outgoing else "")),
        _row(tr, "record.sent_at", fmt_stamp(tr, message.get("sent_at"))),
    ]
    if not outgoing:
        rows.append(_row(tr, "record.received_at", fmt_stamp(tr, message.get("received_at"))))
    for key in ("delivered_at", "read_at", "acknowledged_at"):
        if message.get(key):
            rows.append(_row(tr, f"record.{key}", fmt_stamp(tr, message.get(key))))
    priority = tr("record.urgent") if urgent else tr("record.normal")
    rows.append(_row(tr, "record.priority", escape(priority)))
    if urgent and not message.get("acknowledged_at"):
        rows.append(_row(tr, "record.acknowledged_at", escape(tr("show.not_acknowledged"))))
    rows.append(_row(tr, "record.status", escape(status_name(tr, message.get("status")))))
    if not outgoing:
        verified = message.get("contact_verified")
        rows.append(
            _row(tr, "record.verified", escape(tr("word.yes") if verified else tr("word.no")))
        )
    rows.append(_row(tr, "record.message_id", f"<code>{_e(message.get('message_id'))}</code>"))
    if message.get("reply_to"):
        rows.append(_row(tr, "record.reply_to", f"<code>{_e(message.get('reply_to'))}</code>"))
    return (
        f"<article><h2>{title}</h2>"
        f'<table class="meta">{"".join(rows)}</table>'
        f"{_body(tr, message)}{_codes(tr, message)}</article>\n"
    )


def page_html(
    tr: Translator, messages: Sequence[JsonObject], *, printed_by: object, now: datetime
) -> str:
    """The whole page: a header saying who printed it and when, then each message."""
    title = tr("record.title")
    printed = escape(
        tr("record.printed_by", when=stamp_text(tr, now.isoformat()), name=clean(printed_by))
    )
    lang = tr.language
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}"><head><meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>{_STYLE}</style></head>\n"
        "<body><main>\n"
        f"<h1>{escape(title)}</h1>\n"
        f'<p class="printed">{printed}</p>\n'
        + "".join(message_html(tr, message) for message in messages)
        + "</main></body></html>\n"
    )
