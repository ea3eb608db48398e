"""``releve relay``: runs a relay in the foreground (imported only when that command runs)."""

from __future__ import annotations

import argparse
import os
import sys

from node.paths import HomeLayout

from .errors import CliError
from .i18n import t


def cmd_relay(args: argparse.Namespace, layout: HomeLayout) -> int:
    from relay.config import DEFAULT_LISTEN, load
    from relay.errors import ConfigError
    from relay.server import run

    del layout  # a relay has no home: it keeps nothing on disk
    listen = args.listen or DEFAULT_LISTEN
    try:
        config = load(os.environ, {})
        print(t("relay.starting", listen=listen), file=sys.stderr)
        return run(listen, config)
    except ConfigError as exc:
        raise CliError("error.relay_config", detail=str(exc)) from None
