"""``python -m relay [--listen HOST:PORT] [--max-blob-bytes N ...]``: runs a relay.

Every setting of relay.config.RelayConfig is a flag (``--name-with-dashes``) that wins over
its ``RELEVE_RELAY_*`` environment variable. Logs go to stderr; the bound address is printed
on stdout as ``relay listening on http://HOST:PORT``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from relay.config import DEFAULT_LISTEN, FIELDS, env_name, load
from relay.errors import ConfigError


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(
        prog="python -m relay", description="Relève relay: stores sealed blobs in memory."
    )
    result.add_argument(
        "--listen", default=DEFAULT_LISTEN, metavar="HOST:PORT", help="default %(default)s"
    )
    for name, item in FIELDS.items():
        result.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            metavar="VALUE",
            help=f"{item.metadata['help']} (default {item.default}; {env_name(name)})",
        )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    overrides = {name: getattr(args, name) for name in FIELDS if getattr(args, name) is not None}
    try:
        config = load(os.environ, overrides)
        logging.basicConfig(
            level=config.log_level,
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        from relay.server import run  # after the configuration is known to be valid

        return run(args.listen, config)
    except ConfigError as exc:
        print(f"relay: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
