"""``releve relay``: runs a relay in the foreground (the relay's code is loaded then only)."""

from __future__ import annotations

import argparse
import os
import sys

from ..command import Command, Context
from ..errors import CliError
from ..i18n import Translator


def cmd_relay(args: argparse.Namespace, ctx: Context) -> int:
    from relay.config import DEFAULT_LISTEN, load
    from relay.errors import ConfigError
    from relay.server import run

    # ctx.layout is not used: a relay has no home, it keeps nothing on disk.
    listen = args.listen or DEFAULT_LISTEN
    try:
        config = load(os.environ, {})
        print(ctx.tr("relay.starting", listen=listen), file=sys.stderr)
        return run(listen, config)
    except ConfigError as exc:
        raise CliError("error.relay_config", detail=str(exc)) from None


def _arguments(parser: argparse.ArgumentParser, tr: Translator) -> None:
    parser.add_argument("--listen", metavar=tr("metavar.host_port"), help=tr("help.relay_listen"))


RELAY = Command("relay", "help.relay_command", cmd_relay, _arguments)
