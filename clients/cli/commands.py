"""The commands that talk to a running node through its local API."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from node.paths import HomeLayout

from . import qr
from .api import ApiClient, JsonObject
from .clinical_view import urgent_lines
from .display import (
    clean,
    dump_json,
    fmt_time,
    format_contact,
    format_message,
    format_message_summary,
    format_status,
    role_name,
)
from .errors import ApiFailure, CliError
from .i18n import t

_HEX = re.compile(r"[0-9a-f]+")
MESSAGE_ID_LENGTH = 32
MIN_PREFIX = 4
_QR_PROBE = "▀▄█"


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        print(line)


def cmd_status(args: argparse.Namespace, layout: HomeLayout) -> int:
    status = ApiClient.from_home(layout).status()
    if args.json:
        print(dump_json(status))
    else:
        _print_lines(format_status(status))
    return 0


def cmd_pair_invite(args: argparse.Namespace, layout: HomeLayout) -> int:
    from . import print_page

    page = None if args.print is None else Path(args.print)
    if page is not None:
        print_page.check_target(page)  # before an invitation is made for nothing
    client = ApiClient.from_home(layout)
    # The practice's name and role, for the page.
    status: JsonObject = {} if page is None else client.status()
    invitation = client.create_invitation(args.ttl)
    text = invitation.get("text")
    if not isinstance(text, str):
        raise CliError("error.bad_response")
    expires_at = invitation.get("expires_at")
    # Files first: if one cannot be written, the error is the last thing on the screen.
    written = []
    for option, writer, path in (
        ("--png", qr.write_png, args.png),
        ("--svg", qr.write_svg, args.svg),
    ):
        if path is None:
            continue
        target = Path(path)
        try:
            writer(text, target)
        except OSError as exc:
            raise CliError("error.write_failed", path=target, reason=exc.strerror or exc) from None
        written.append((option, target))
    if page is not None:
        try:
            print_page.write_page(
                page,
                text=text,
                name=status.get("name"),
                role=status.get("role"),
                expires_at=expires_at,
            )
        except OSError as exc:
            raise CliError("error.write_failed", path=page, reason=exc.strerror or exc) from None
    print(t("pair.invite_header", expires=fmt_time(expires_at)))
    print()
    print(text)
    print()
    _print_lines(_terminal_qr(text))
    print()
    print(t("pair.invite_hint"))
    for option, target in written:
        print(t("pair.file_written", path=target, option=option))
    if page is not None:
        print(t("pair.print_written", path=page))
        if args.ttl is None:
            print(t("pair.print_ttl_hint", expires=fmt_time(expires_at)))
    return 0


def _terminal_qr(text: str) -> list[str]:
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        _QR_PROBE.encode(encoding)
        unicode = True
    except (UnicodeEncodeError, LookupError):
        unicode = False
    colour = unicode and stream.isatty()
    return qr.terminal_lines(text, colour=colour, unicode=unicode)


def cmd_pair_accept(args: argparse.Namespace, layout: HomeLayout) -> int:
    if args.image is not None:
        # Read before the node is asked anything: a bad photo is the usual failure here.
        text = qr.invitation_from_image(Path(args.image))
    else:
        text = sys.stdin.read() if args.text == "-" else args.text
    text = "".join(text.split())  # a pasted invitation may be wrapped or indented
    if not text:
        raise CliError("error.invitation_empty")
    client = ApiClient.from_home(layout)
    contact = client.accept_invitation(text).get("contact") or {}
    print(t("pair.accepted", name=clean(contact.get("name")), role=role_name(contact.get("role"))))
    _print_lines(["  " + line for line in format_contact(contact)[1:]])
    print(t("pair.compare_hint"))
    return 0


def cmd_contacts(args: argparse.Namespace, layout: HomeLayout) -> int:
    response = ApiClient.from_home(layout).contacts()
    if args.json:
        print(dump_json(response))
        return 0
    contacts = response.get("contacts") or []
    if not contacts:
        print(t("contacts.none"))
        return 0
    for index, contact in enumerate(contacts):
        if index:
            print()
        lines = format_contact(contact)
        _print_lines([lines[0], *("  " + line for line in lines[1:])])
    return 0


def cmd_inbox(args: argparse.Namespace, layout: HomeLayout) -> int:
    client = ApiClient.from_home(layout)
    response = client.inbox(args.wait)
    if args.json:
        print(dump_json(response))
        return 0
    urgent = _urgent_lines(client)
    if urgent:
        _print_lines(urgent)
        print()
    messages = response.get("messages") or []
    if not messages:
        print(t("inbox.empty"))
        return 0
    print(t("inbox.count", count=len(messages)))
    for message in messages:
        print()
        _print_lines(format_message_summary(message))
    print()
    print(t("inbox.hint"))
    return 0


def _urgent_lines(client: ApiClient) -> list[str]:
    """Urgent messages awaiting acknowledgement (GET /v1/status), above the inbox.

    The inbox is shown even when this fails: the unread messages matter more than the reminder.
    """
    try:
        return urgent_lines(client.status())
    except ApiFailure:
        return []


def cmd_read(args: argparse.Namespace, layout: HomeLayout) -> int:
    """Marks a received message read (the node sends the receipt once) and shows it.

    On a sent message the node changes nothing: this shows its status (delivered, read).
    """
    client = ApiClient.from_home(layout)
    message_id = _resolve_message_id(client, args.message_id)
    message = client.mark_read(message_id)
    _print_lines(format_message(message))
    if message.get("direction") == "in":
        print()
        print(t("read.receipt_sent"))
    return 0


def _resolve_message_id(client: ApiClient, given: str) -> str:
    """A full message id, or the one message (received or sent) whose id starts with ``given``."""
    wanted = given.strip().lower()
    if not _HEX.fullmatch(wanted):
        raise CliError("error.message_id_invalid", message_id=clean(given))
    if len(wanted) >= MESSAGE_ID_LENGTH:
        return wanted
    if len(wanted) < MIN_PREFIX:
        raise CliError("error.message_id_invalid", message_id=clean(given))
    recent: list[JsonObject] = client.messages().get("messages") or []
    matches = sorted(
        {
            str(m.get("message_id"))
            for m in recent
            if str(m.get("message_id", "")).startswith(wanted)
        }
    )
    if not matches:
        raise CliError("api.message_not_found")
    if len(matches) > 1:
        raise CliError("error.message_id_ambiguous", message_id=wanted, count=len(matches))
    return matches[0]
