"""Serving one of the bare baselines (``bench.bare_server``, ``bench.bare_push``): plain
aiohttp, no Relève code, in its own process, until interrupted.

Prints ``<name> listening on http://HOST:PORT`` once bound (bench.processes reads it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from aiohttp import web


async def serve(create_app: Callable[[], web.Application], name: str, listen: str) -> None:
    host, _, port = listen.rpartition(":")
    runner = web.AppRunner(create_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, int(port))
    await site.start()
    bound = runner.addresses[0]
    print(f"{name} listening on http://{bound[0]}:{bound[1]}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(create_app: Callable[[], web.Application], name: str, argv: Sequence[str]) -> int:
    """Serve on ``argv[1]`` (``HOST:PORT``, default ``127.0.0.1:0``) until interrupted."""
    try:
        asyncio.run(serve(create_app, name, argv[1] if len(argv) > 1 else "127.0.0.1:0"))
    except KeyboardInterrupt:
        pass
    return 0
