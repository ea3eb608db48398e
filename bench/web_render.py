"""The web client's pages cost the same whatever the store's size: the conversation list and a
conversation of 500 messages (its first page and its tenth, oldest page), with 100,000 messages
in the store against the same pages with 1,000 (a report, not a test; issue 14).

    python -m bench.web_render            # 1,000 against 100,000 messages, 200 repetitions
    python -m bench.web_render --quick    # the same stores, 40 repetitions

Two homes are made by ``releve init`` and filled as bench.reads fills them (10 contacts, the
same shape at both sizes: bodies encrypted with the home's data key, an audit entry each), the
newest 500 messages all in the first contact's conversation, so that the conversation timed is
the same 500 messages in both stores. Both homes then run as real ``releve node`` processes
(default settings); this process logs into each web client by its one-time link (as ``releve
ouvrir`` does) and times, over keep-alive connections with the session cookie, ``GET /`` (the
list), ``GET /c/ID`` (the newest 50 messages) and ``GET /c/ID?before=CURSOR`` (the tenth page:
the conversation's oldest 50, reached by following the pages' own "older" links): each request
from sending it to the last byte of the page, the two stores taking turns request by request.
Figures are medians; the ratio is large/small.

Goal (issue 14): every ratio at most 1.2x.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import re
import statistics
import tempfile
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from bench import processes
from bench.processes import NodeProcess
from bench.reads import fill

GOAL: Final = 1.2
CONVERSATION: Final = 500
PAGES: Final = 10  # of 50 messages: the whole conversation
PAGE_NAMES: Final = ("list", "conversation", "oldest page")
_OLDER: Final = re.compile(r'href="(/c/[0-9a-f]{32}\?before=[0-9a-fA-Fpx.%_-]+)"')
_CONTACT: Final = re.compile(r'href="/c/([0-9a-f]{32})"')


class Browser:
    """One keep-alive connection to a node's web client, logged in."""

    def __init__(self, node: NodeProcess) -> None:
        link = urllib.parse.urlsplit(node.request("POST", "/v1/web/login")["url"])
        assert link.hostname is not None
        assert link.port is not None
        self.connection = http.client.HTTPConnection(link.hostname, link.port, timeout=60)
        self.connection.request("GET", f"{link.path}?{link.query}")
        response = self.connection.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie")
        if response.status != 303 or cookie is None:
            raise RuntimeError(f"login refused: {response.status}")
        self.headers = {"Cookie": cookie.split(";", 1)[0]}

    def get(self, path: str) -> tuple[float, str]:
        start = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")
        return elapsed, body.decode()

    def paths(self) -> dict[str, str]:
        """The three pages, found as a person would: the busiest conversation at the top of
        the list, then its "older" links."""
        _, listing = self.get("/")
        contact = _CONTACT.search(listing)
        assert contact is not None, "no conversation in the list"
        first = f"/c/{contact.group(1)}"
        path = first
        for _ in range(PAGES - 1):
            _, page = self.get(path)
            older = _OLDER.search(page)
            assert older is not None, f"no older page after {path}"
            path = older.group(1).replace("&amp;", "&")
        _, oldest = self.get(path)
        assert oldest.count('class="message ') == 50, "the tenth page is not full"
        return {"list": "/", "conversation": first, "oldest page": path}

    def close(self) -> None:
        self.connection.close()


def measure(browsers: dict[int, Browser], repetitions: int) -> dict[tuple[str, int], list[float]]:
    paths = {size: browser.paths() for size, browser in browsers.items()}
    sizes = sorted(browsers)
    for size in sizes:  # warm-up
        for path in paths[size].values():
            for _ in range(5):
                browsers[size].get(path)
    times: dict[tuple[str, int], list[float]] = {}
    for repetition in range(repetitions):
        order = sizes if repetition % 2 == 0 else sizes[::-1]
        for name in PAGE_NAMES:
            for size in order:
                elapsed, _ = browsers[size].get(paths[size][name])
                times.setdefault((name, size), []).append(elapsed)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web_render", description=__doc__)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="40 repetitions")
    args = parser.parse_args(argv)
    repetitions = 40 if args.quick else args.repetitions
    sizes = (args.small, args.large)
    with tempfile.TemporaryDirectory(prefix="releve-bench-web-") as tmp:
        nodes: dict[int, NodeProcess] = {}
        browsers: dict[int, Browser] = {}
        try:
            for size in sizes:
                node = NodeProcess(Path(tmp) / f"store{size}", f"Cabinet {size}", "gp")
                node.init()
                start = time.perf_counter()
                asyncio.run(fill(node.home, size, focus=CONVERSATION))
                print(f"  {size:,} messages written in {time.perf_counter() - start:.1f} s")
                nodes[size] = node
            for size, node in nodes.items():
                node.start(listen=False)
                browsers[size] = Browser(node)
            times = measure(browsers, repetitions)
        finally:
            for browser in browsers.values():
                browser.close()
            for node in nodes.values():
                node.stop()
    small, large = sizes
    print(
        f"bench/web_render: web client of a real node, {small:,} against {large:,} messages"
        f" (a conversation of {CONVERSATION}); median of {repetitions} pages each"
    )
    worst = 0.0
    for name in PAGE_NAMES:
        a = statistics.median(times[name, small])
        b = statistics.median(times[name, large])
        worst = max(worst, b / a)
        print(
            f"  {name:<14}{a * 1e3:>8.2f} ms {b * 1e3:>8.2f} ms   {b / a:.2f}x"
            f"   (p90 {statistics.quantiles(times[name, large], n=10)[-1] * 1e3:.2f} ms)"
        )
    verdict = "met" if worst <= GOAL else "NOT met"
    print(
        f"pages with {large:,} messages: at most {worst:.2f}x those with {small:,}"
        f" (goal <= {GOAL}x): {verdict}"
    )
    print(f"({processes.load_average()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
