"""``releve pair invite`` and ``releve pair accept``: pairing by invitation text or QR code.

Pairing by phone (``pair call``, ``pair join``) is in :mod:`.phone_pairing`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import qr
from ..api import ApiClient, JsonObject
from ..arguments import int_range
from ..command import Command, Context
from ..display import format_contact
from ..errors import CliError, UsageError
from ..i18n import Translator
from ..os_errors import os_reason
from ..text import clean, fmt_time, role_name

MAX_TTL_MINUTES = 43200


def cmd_pair_invite(args: argparse.Namespace, ctx: Context) -> int:
    # The printable page's module loads html and its entity table: for --print only.
    from .. import print_page

    tr = ctx.tr
    page = None if args.print is None else Path(args.print)
    if page is not None:
        print_page.check_target(page)  # before an invitation is made for nothing
    client = ApiClient.from_home(ctx.layout)
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
            raise CliError("error.write_failed", path=target, reason=os_reason(exc)) from None
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
            raise CliError("error.write_failed", path=page, reason=os_reason(exc)) from None
    print(tr("pair.invite_header", expires=fmt_time(tr, expires_at)))
    print()
    print(text)
    print()
    for line in qr.stdout_lines(text):
        print(line)
    print()
    print(tr("pair.invite_hint"))
    for option, target in written:
        print(tr("pair.file_written", path=target, option=option))
    if page is not None:
        print(tr("pair.print_written", path=page))
        if args.ttl is None:
            print(tr("pair.print_ttl_hint", expires=fmt_time(tr, expires_at)))
    return 0


def cmd_pair_accept(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    if (args.text is None) == (args.image is None):
        # Not an argparse group: argparse cannot read a group holding a positional intermixed.
        raise UsageError("error.accept_what")
    if args.image is not None:
        # Read before the node is asked anything: a bad photo is the usual failure here.
        text = qr.invitation_from_image(Path(args.image))
    else:
        text = sys.stdin.read() if args.text == "-" else args.text
    text = "".join(text.split())  # a pasted invitation may be wrapped or indented
    if not text:
        raise CliError("error.invitation_empty")
    client = ApiClient.from_home(ctx.layout)
    contact = client.accept_invitation(text).get("contact") or {}
    name, role = clean(contact.get("name")), role_name(tr, contact.get("role"))
    print(tr("pair.accepted", name=name, role=role))
    for line in format_contact(tr, contact)[1:]:
        print("  " + line)
    print(tr("pair.compare_hint"))
    return 0


def _invite_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--png", metavar=tr("metavar.file"), help=tr("help.png"))
    parser.add_argument("--svg", metavar=tr("metavar.file"), help=tr("help.svg"))
    parser.add_argument("--print", metavar=tr("metavar.file"), help=tr("help.print"))
    parser.add_argument(
        "--ttl",
        type=int_range(tr, 1, MAX_TTL_MINUTES),
        metavar=tr("metavar.minutes"),
        help=tr("help.ttl"),
    )


def _accept_arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument(
        "text", nargs="?", metavar=tr("metavar.text"), help=tr("help.invitation_text")
    )
    parser.add_argument("--image", metavar=tr("metavar.file"), help=tr("help.image"))


PAIR_INVITE = Command("invite", "help.pair_invite", cmd_pair_invite, _invite_arguments)
PAIR_ACCEPT = Command("accept", "help.pair_accept", cmd_pair_accept, _accept_arguments)
