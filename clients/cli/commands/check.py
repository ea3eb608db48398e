"""``releve check`` (French: ``releve verifier``): the readiness check (docs/protocol.md §9.5).

A content-free probe to every paired contact, answered by their node (never shown to anyone);
the table says who answered, by which path each way and how fast, and who did not, with the
phone number to call. Exit status 0 when every contact answered, 1 otherwise (for a monthly
script).
"""

from __future__ import annotations

import argparse

from ..api import ApiClient
from ..arguments import json_option
from ..command import Command, Context
from ..errors import EXIT_ERROR
from ..i18n import Translator
from ..text import clean, dump_json

DEFAULT_SECONDS = 30
MAX_SECONDS = 120
TIMEOUT_MARGIN = 15.0


def _seconds(value: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(value) from None
    if not 1 <= seconds <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(value)
    return seconds


def _arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument(
        "--wait",
        type=_seconds,
        default=DEFAULT_SECONDS,
        metavar=tr("metavar.seconds"),
        help=tr("help.check_wait", max=MAX_SECONDS, default=DEFAULT_SECONDS),
    )
    json_option(parser, tr)


def _path(tr: Translator, value: object) -> str:
    if value is None:
        return "—"
    if value == "direct":
        return tr("check.direct")
    return tr("check.relay", url=clean(value))


def check_lines(tr: Translator, check: dict[str, object]) -> list[str]:
    """The report as a table, then one line per contact to call."""
    contacts = check.get("contacts")
    rows: list[tuple[str, str, str, str, str]] = []
    calls: list[str] = []
    for line in contacts if isinstance(contacts, list) else []:
        if not isinstance(line, dict):
            continue
        name = clean(line.get("name", "?"))
        state = str(line.get("state", "?"))
        rtt = line.get("round_trip_ms")
        rows.append(
            (
                name,
                tr.get(f"check.state.{clean(state)}", clean(state)),
                _path(tr, line.get("outbound") or line.get("sent")),
                _path(tr, line.get("inbound")),
                tr("check.ms", ms=rtt) if isinstance(rtt, int) else "—",
            )
        )
        if state != "answered":
            phone = line.get("phone")
            calls.append(
                tr("check.call", name=name, phone=clean(phone))
                if phone
                else tr("check.call_nophone", name=name)
            )
    if not rows:
        return [tr("check.no_contacts")]
    header = (
        tr("check.col.contact"),
        tr("check.col.answer"),
        tr("check.col.out"),
        tr("check.col.back"),
        tr("check.col.rtt"),
    )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    table = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    answered = check.get("answered", 0)
    summary = tr("check.summary", answered=answered, total=len(rows))
    return [*table, "", summary, *calls]


def cmd_check(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    client = ApiClient.from_home(ctx.layout)
    if not args.json:
        print(tr("check.running", seconds=args.wait))
    answer = client.request(
        "POST",
        "/v1/check",
        {"timeout_seconds": args.wait},
        timeout=args.wait + TIMEOUT_MARGIN,
    )
    check = answer.get("check")
    check = check if isinstance(check, dict) else {}
    if args.json:
        print(dump_json(check))
    else:
        for line in check_lines(tr, check):
            print(line)
    contacts = check.get("contacts")
    total = len(contacts) if isinstance(contacts, list) else 0
    return 0 if check.get("answered") == total else EXIT_ERROR


CHECK = Command("check", "help.check", cmd_check, _arguments)
VERIFIER = Command("verifier", "help.verifier", cmd_check, _arguments)
