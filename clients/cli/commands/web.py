"""``releve open`` (French: ``releve ouvrir``): the web client, logged in.

The node mints a one-time login link (`POST /v1/web/login`): single use, valid under a
minute. A clinic server answers its login page instead (each person logs in with their own
account, docs/guide/login.md). The link is printed, and opened in the default browser unless
``--no-browser`` or there is no desktop to open it on (a text browser must not take over the
terminal).
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.parse

from ..api import ApiClient
from ..command import Command, Context
from ..errors import ApiFailure, CliError
from ..i18n import Translator


def _arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--no-browser", action="store_true", help=tr("help.no_browser"))


def _has_desktop() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_open(args: argparse.Namespace, ctx: Context) -> int:
    tr = ctx.tr
    client = ApiClient.from_home(ctx.layout)
    try:
        link = client.request("POST", "/v1/web/login")
    except ApiFailure as failure:
        if failure.code == "not_found":
            raise CliError("open.unavailable") from None
        raise
    url = str(link.get("url", ""))
    # A clinic server gives its login page: each person logs in with their own account.
    parts = urllib.parse.urlsplit(url)
    clinic = parts.path == "/login" and "token=" not in parts.query
    print(tr("open.login_page" if clinic else "open.link"))
    print(url)
    if args.no_browser:
        return 0
    opened = False
    if _has_desktop():
        import webbrowser  # slow to import: only here

        opened = webbrowser.open(url)
    print(tr("open.opened") if opened else tr("open.no_browser"))
    return 0


OPEN = Command("open", "help.open", cmd_open, _arguments)
OUVRIR = Command("ouvrir", "help.ouvrir", cmd_open, _arguments)
