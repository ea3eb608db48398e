"""Refusals cost a bounded log (issue #12, item 3): 20,000 junk requests to the peer endpoint
from one stranger and 20,000 requests with a wrong token to the local API, as fast as a
pipelining client sends them, grow node.log by a few kilobytes, not a line each; the counts
per reason are still reported (a summary line when the window ends, or at shutdown).

A real `releve node` process; the figures are printed (``pytest -s``)."""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections import Counter
from pathlib import Path
from typing import Final

import pytest

from tests.integration.nodes import Node

pytestmark = pytest.mark.integration

REQUESTS: Final = 20_000
CONNECTIONS: Final = 8
LOG_BOUND: Final = 16 * 1024  # growth of node.log for both floods together, summaries included
# The node writes at most 20 refusal lines a minute per kind of refusal, and one summary line
# (docs/local-api.md): the bound above is for floods over within their first minute, as on a
# quiet machine; each further minute they last (a loaded machine answers 40,000 requests more
# slowly) may add that minute's budget. Relative to the duration measured in the same run.
LOG_PER_MINUTE: Final = 8 * 1024
# Bound on waiting for all the answers of one connection: generous (it ends as soon as they
# are in), for a loaded machine answers 20,000 requests much more slowly.
ANSWERS_SECONDS: Final = 600.0


async def pipelined(port: int, request: bytes, source: str) -> Counter[int]:
    """REQUESTS copies of ``request`` over CONNECTIONS keep-alive connections, each sent in
    one go (HTTP pipelining); returns the statuses of the answers."""
    statuses: Counter[int] = Counter()

    async def one(count: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        try:
            writer.write(request * count)
            await writer.drain()
            answers = b""
            async with asyncio.timeout(ANSWERS_SECONDS):
                while answers.count(b"HTTP/1.1 ") < count:
                    chunk = await reader.read(1 << 20)
                    assert chunk, "the node closed the connection before answering all"
                    answers += chunk
            statuses.update(int(s) for s in re.findall(rb"HTTP/1\.1 (\d{3}) ", answers))
        finally:
            writer.close()
            await writer.wait_closed()

    share = REQUESTS // CONNECTIONS
    await asyncio.gather(*(one(share) for _ in range(CONNECTIONS)))
    return statuses


def counted(log: str, logger: str, line: str) -> int:
    """Refusals of ``logger`` in ``log``: each line written, plus each summary's counts."""
    written = sum(1 for entry in log.splitlines() if f"{logger}: {line}" in entry)
    summarised = 0
    for summary in re.findall(rf"{re.escape(logger)}: refusals not logged individually: (.*)", log):
        summarised += sum(int(n) for n in re.findall(r"(?:^|, )(\d+) ", summary))
    return written + summarised


def test_twenty_thousand_refusals_cost_a_few_kilobytes_of_log(tmp_path: Path) -> None:
    node = Node(tmp_path / "pharmacy", "Pharmacie du Port", "pharmacist")
    node.init()
    node.start()
    try:
        assert node.port is not None
        log_path = node.home / "node.log"
        before = log_path.stat().st_size
        junk = b"not a sealed packet at all"
        peer_request = (
            b"POST /v1/packet HTTP/1.1\r\nHost: x\r\n"
            + f"Content-Length: {len(junk)}\r\n\r\n".encode()
            + junk
        )
        api_url = json.loads(node.api_info.read_text())["url"]
        api_port = int(api_url.rsplit(":", 1)[1])
        api_request = b"GET /v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\n\r\n"
        start = time.monotonic()
        peer = asyncio.run(pipelined(node.port, peer_request, "127.0.0.2"))
        api = asyncio.run(pipelined(api_port, api_request, "127.0.0.1"))
        seconds = time.monotonic() - start
        # Still serving: the token's owner gets the status.
        assert node.status()["name"] == "Pharmacie du Port"
    finally:
        node.stop()
    log = log_path.read_text()
    grown = log_path.stat().st_size - before
    peer_refusals = counted(log, "node.edges.peer_server", "refused ")
    api_refusals = counted(log, "node.edges.api.server", "refused local API request")
    bound = LOG_BOUND + LOG_PER_MINUTE * max(0, math.ceil(seconds / 60) - 1)
    print(
        f"\n{REQUESTS:,} junk peer requests ({dict(peer)}) and {REQUESTS:,} wrong-token API"
        f" requests ({dict(api)}) in {seconds:.1f} s: node.log grew {grown:,} bytes"
        f" (bound {bound:,}); refusals reported: peer {peer_refusals:,}, API {api_refusals:,}"
    )
    assert sum(peer.values()) == REQUESTS
    assert all(400 <= status < 500 for status in peer)
    assert api == Counter({401: REQUESTS})
    assert grown < bound
    assert peer_refusals == REQUESTS
    assert api_refusals == REQUESTS
    assert "Traceback" not in log
