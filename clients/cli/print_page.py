"""The printable invitation (`releve pair invite --print FILE`): one A4 page of HTML.

A practice pins it at its counter; the other party photographs the QR code or types the text.
The page is self-contained: the QR code is inline SVG, the style is inline and a
Content-Security-Policy forbids fetching anything, so it prints the same with no network. Black
on white, with no meaning carried by colour or by a background, so that a black-and-white
printer loses nothing. French first, then English, whatever ``--lang`` says: the page is read by
the other party.

Only HTML is written: see :func:`check_target` for why there is no PDF.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from pathlib import Path

from node.paths import write_private

from . import qr
from .catalog import CATALOG
from .errors import CliError
from .i18n import LANGUAGES
from .text import clean, parse_time

HTML_SUFFIXES = (".html", ".htm")
# The text form, grouped so that it can be typed and checked group by group; a long one (relays
# make invitations longer, up to 1024 characters) in a smaller font, so the page stays one page.
GROUP = 5
GROUPS_PER_LINE = 10
LONG_TEXT = 400
GROUPS_PER_LONG_LINE = 14
_CODE = re.compile(r"`([^`]+)`")
_TIME_FORMATS = {"fr": "%d/%m/%Y %H:%M", "en": "%Y-%m-%d %H:%M"}

_STYLE = """
@page { size: A4 portrait; margin: 10mm; }
* { box-sizing: border-box; }
html { background: #fff; color: #000; }
body { margin: 0 auto; max-width: 186mm; font: 10.5pt/1.35 "DejaVu Sans", Arial, Helvetica,
  sans-serif; }
h1 { font-size: 21pt; margin: 0; }
.role { font-size: 12pt; margin: 0.5mm 0 3mm; }
.top { display: flex; gap: 6mm; align-items: flex-start; break-inside: avoid; }
.qr { flex: 0 0 78mm; width: 78mm; height: 78mm; }
.about { flex: 1 1 0; }
.about p { margin: 0 0 2mm; }
.expiry { border: 0.6mm solid #000; padding: 1.5mm 2.5mm; margin-bottom: 3mm;
  font-weight: bold; }
.expiry p { margin: 0; }
h2 { font-size: 11.5pt; margin: 3mm 0 1mm; }
pre.text { font: 12pt/1.5 "DejaVu Sans Mono", Consolas, "Liberation Mono", "Courier New",
  monospace; white-space: pre-wrap; margin: 0; padding: 1.5mm 2.5mm;
  border: 0.3mm solid #000; break-inside: avoid; }
.long .qr { flex-basis: 72mm; width: 72mm; height: 72mm; }
.long pre.text { font-size: 10pt; line-height: 1.3; }
.long .columns { font-size: 9.5pt; }
.long h1 { font-size: 18pt; }
.long h2 { margin-top: 2mm; }
.long .owner { font-size: 7.5pt; }
code { font-family: "DejaVu Sans Mono", Consolas, "Liberation Mono", "Courier New", monospace;
  font-weight: bold; white-space: nowrap; }
.columns { display: flex; gap: 6mm; break-inside: avoid; }
.columns section { flex: 1 1 0; }
ol { margin: 0; padding-left: 5mm; }
li { margin-bottom: 1mm; }
.owner { margin-top: 3mm; padding-top: 1mm; border-top: 0.3mm solid #000; font-size: 8pt; }
.owner p { margin: 0 0 1mm; }
"""


def check_target(path: Path) -> None:
    """Refuses any FILE but .html or .htm, before an invitation is spent on it.

    No PDF: a PDF library in pure Python (fpdf2, reportlab) writes its built-in fonts in
    Latin-1 only, so "nœud" or a name in another script would need a font file shipped with
    Relève; and every browser prints the HTML page, or saves it as a PDF, with the machine's
    own fonts and printer settings.
    """
    if path.suffix.lower() not in HTML_SUFFIXES:
        raise CliError("error.print_format", path=path, suggestion=path.with_suffix(".html"))


def text_lines(text: str, groups_per_line: int = GROUPS_PER_LINE) -> list[str]:
    """``text`` in groups of GROUP characters, lines no wider than ``groups_per_line`` groups.

    The ``releve:`` prefix starts the first line on its own. ``releve pair accept`` ignores
    spaces and line breaks, so what is typed from these lines is the invitation itself.
    """
    prefix_length = len(qr.INVITATION_PREFIX)
    has_prefix = text[:prefix_length].lower() == qr.INVITATION_PREFIX
    body = text[prefix_length:] if has_prefix else text
    width = groups_per_line * (GROUP + 1) - 1
    lines: list[str] = []
    line = text[:prefix_length] if has_prefix else ""
    for start in range(0, len(body), GROUP):
        group = body[start : start + GROUP]
        if line and len(line) + 1 + len(group) > width:
            lines.append(line)
            line = ""
        line = f"{line} {group}" if line else group
    lines.append(line)
    return lines


def expiry(value: object, lang: str) -> tuple[str, str]:
    """The local date and time of an API time, and its offset from UTC (UTC+01:00)."""
    moment = parse_time(value)
    if moment is None:
        return clean(value), ""
    return moment.strftime(_TIME_FORMATS[lang]), _utc_offset(moment)


def _utc_offset(moment: datetime) -> str:
    offset = moment.strftime("%z")  # +0100
    if len(offset) < 5:
        return "UTC"
    return f"UTC{offset[:3]}:{offset[3:5]}"


def _say(key: str, lang: str, **values: object) -> str:
    """A catalog sentence in ``lang`` as HTML: escaped, `code` in backquotes set as code."""
    sentence = escape(CATALOG[key][lang].format(**values))
    return _CODE.sub(r"<code>\1</code>", sentence)


def _role(code: object, lang: str) -> str:
    key = f"role.{code}"
    return CATALOG[key][lang] if key in CATALOG else clean(code)


def page_html(*, text: str, name: object, role: object, expires_at: object) -> str:
    """The whole page. ``name`` and ``role`` come from GET /v1/status, ``expires_at`` from
    POST /v1/invitations."""
    who = clean(name)
    title = " / ".join(CATALOG["print.title"][lang] for lang in LANGUAGES)
    roles = " · ".join(dict.fromkeys(_role(role, lang) for lang in LANGUAGES))
    about = ['<div class="expiry">']
    for lang in LANGUAGES:
        when, offset = expiry(expires_at, lang)
        about.append(
            f'<p lang="{lang}">{_say("print.expires", lang, when=when, offset=offset)}</p>'
        )
    about.append("</div>")
    for lang in LANGUAGES:
        lead = _say("print.lead", lang, name=who, role=_role(role, lang))
        about.append(f'<p lang="{lang}">{lead} {_say("print.once", lang, name=who)}</p>')
    columns = []
    for lang in LANGUAGES:
        steps = "".join(
            f"<li>{_say(key, lang, name=who)}</li>"
            for key in ("print.step_photo", "print.step_text", "print.step_compare")
        )
        columns.append(
            f'<section lang="{lang}"><h2>{_say("print.how", lang)}</h2><ol>{steps}</ol></section>'
        )
    owner = "".join(
        f'<p lang="{lang}">{_say("print.owner", lang, name=who)}</p>' for lang in LANGUAGES
    )
    label = " / ".join(CATALOG["print.qr_label"][lang] for lang in LANGUAGES)
    svg = qr.svg_markup(text, label=label).replace("<svg ", '<svg class="qr" ', 1)
    long = len(text) > LONG_TEXT
    lines = text_lines(text, GROUPS_PER_LONG_LINE if long else GROUPS_PER_LINE)
    body_class = ' class="long"' if long else ""
    text_heading = " / ".join(_say("print.text_heading", lang) for lang in LANGUAGES)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr"><head><meta charset="utf-8">\n'
        # Nothing is fetched, whatever the page holds: what is printed is what was written.
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} – {escape(who)}</title>\n"
        f"<style>{_STYLE}</style></head>\n"
        f"<body{body_class}><main>\n"
        f"<h1>{escape(who)}</h1>\n"
        f'<p class="role">{escape(roles)} — {escape(title)}</p>\n'
        f'<div class="top">{svg}<div class="about">{"".join(about)}</div></div>\n'
        f"<h2>{text_heading}</h2>\n"
        f'<pre class="text">{escape(chr(10).join(lines))}</pre>\n'
        f'<div class="columns">{"".join(columns)}</div>\n'
        f'<div class="owner">{owner}</div>\n'
        "</main></body></html>\n"
    )


def write_page(path: Path, *, text: str, name: object, role: object, expires_at: object) -> None:
    """Writes the page readable by its owner only: an invitation is a secret until used."""
    html = page_html(text=text, name=name, role=role, expires_at=expires_at)
    write_private(path, html.encode("utf-8"))
