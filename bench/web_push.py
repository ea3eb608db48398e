"""Push latency of the web client: a message committed by the receiving node until it is in the
open page's DOM, against a bare aiohttp WebSocket pushing the same payload into a page, p50 and
p99 over 200 messages each (a report, not a test; issue 14).

    python -m bench.web_push              # 200 messages each way of measuring
    python -m bench.web_push --quick      # 20

The Relève path: two real ``releve node`` processes paired on 127.0.0.1 (default settings);
Chromium (Debian's /usr/bin/chromium, driven by Playwright) logged into the receiver's web
client by its one-time link, its conversation with the sender open and its WebSocket up. The
sender's local API sends a text; the clock starts at the receiving node's commit (the message's
``received_at``, read from its database from outside: the time the node stored it) and stops
when the message's element appears in the page's DOM (a MutationObserver, the page's clock:
``performance.timeOrigin + performance.now()``, the same machine clock). Between the two: the
node's live hub, the WebSocket push, the page fetching its live part, and the swap.

The baseline: ``bench.bare_push``, a bare aiohttp server in its own process serving a page that
opens a WebSocket and appends each message it is sent as a list item; the clock starts just
before the server sends the same text and id, and stops the same way. Messages alternate
between the two, one at a time; each is waited for before the next.

Goal (issue 14): the Relève p99 at most 2x the baseline's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from playwright.sync_api import Page, sync_playwright

from bench import processes
from bench.processes import NodeProcess

GOAL: Final = 2.0
CHROMIUM: Final = "/usr/bin/chromium"
TEXT: Final = "Patient vu ce jour : merci de délivrer le traitement habituel. Dr Martin"
WAIT_MS: Final = 60_000
# Records, once per element id "m-...", when it first appeared (page clock, epoch ms).
OBSERVER: Final = """
() => {
  window.__seen = {};
  const note = (element) => {
    const found = element.id && element.id.startsWith("m-") ? [element] : [];
    for (const node of [...found, ...element.querySelectorAll('[id^="m-"]')]) {
      if (!(node.id in window.__seen)) {
        window.__seen[node.id] = performance.timeOrigin + performance.now();
      }
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === 1) { note(node); }
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}
"""


# The durations (ms) of the page's fetches of its live part (one after each push).
FETCHES: Final = """
() => performance.getEntriesByType("resource")
  .filter((entry) => entry.initiatorType === "fetch" && entry.name.indexOf("/c/") >= 0)
  .map((entry) => entry.duration)
"""


def seen_at(page: Page, element_id: str) -> float:
    """Waits for the element; its appearance time in seconds since the epoch."""
    page.wait_for_function(f"() => '{element_id}' in window.__seen", timeout=WAIT_MS)
    return float(page.evaluate(f"() => window.__seen['{element_id}']")) / 1000


def node_once(sender: NodeProcess, contact: str, receiver: NodeProcess, page: Page) -> float:
    sent = sender.request("POST", "/v1/messages", {"contact": contact, "text": TEXT})
    message_id = str(sent["message_id"])
    appeared = seen_at(page, f"m-{message_id}")
    with processes.read_only(receiver.database) as db:
        row = db.execute(
            "SELECT received_at FROM messages WHERE message_id = ?", (bytes.fromhex(message_id),)
        ).fetchone()
    committed = float(row[0])
    # The read receipt and its "read" status settle before the next message.
    deadline = time.monotonic() + 60
    while sender.request("GET", f"/v1/messages/{message_id}")["status"] != "read":
        if time.monotonic() > deadline:
            raise RuntimeError("the read receipt did not come back")
        time.sleep(0.01)
    return appeared - committed


def bare_once(url: str, number: int, page: Page) -> float:
    element_id = f"m-bare{number}"
    request = urllib.request.Request(
        f"{url}/emit?id={element_id}", data=TEXT.encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        emitted = float(response.read())
    return seen_at(page, element_id) - emitted


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web_push", description=__doc__)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="20 messages")
    args = parser.parse_args(argv)
    count = 20 if args.quick else args.messages
    node_times: list[float] = []
    fetches: list[float] = []
    bare: list[float] = []
    with tempfile.TemporaryDirectory(prefix="releve-bench-push-") as tmp:
        gp = NodeProcess(Path(tmp) / "gp", "Cabinet Martin", "gp")
        pharmacy = NodeProcess(Path(tmp) / "pharmacy", "Pharmacie du Port", "pharmacist")
        server, url = processes.start_listening(["-m", "bench.bare_push", "127.0.0.1:0"])
        try:
            for node in (gp, pharmacy):
                node.init()
                node.start()
            contact = gp.pair_with(pharmacy)
            gp_id = pharmacy.request("GET", "/v1/contacts")["contacts"][0]["contact_id"]
            login = pharmacy.request("POST", "/v1/web/login")["url"]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox"]
                )
                node_page = browser.new_context().new_page()
                node_page.goto(login)
                node_page.goto(login.split("/login")[0] + f"/c/{gp_id}")
                node_page.wait_for_selector(
                    "body[data-socket=open]", state="attached", timeout=WAIT_MS
                )
                node_page.evaluate(OBSERVER)
                bare_page = browser.new_context().new_page()
                bare_page.goto(f"{url}/")
                bare_page.wait_for_selector(
                    "body[data-socket=open]", state="attached", timeout=WAIT_MS
                )
                bare_page.evaluate(OBSERVER)
                node_once(gp, contact, pharmacy, node_page)  # warm-up
                bare_once(url, -1, bare_page)
                for number in range(count):
                    if number % 2:
                        bare.append(bare_once(url, number, bare_page))
                        node_times.append(node_once(gp, contact, pharmacy, node_page))
                    else:
                        node_times.append(node_once(gp, contact, pharmacy, node_page))
                        bare.append(bare_once(url, number, bare_page))
                # Where the time goes: the page's fetch of its live part after each push.
                fetches = node_page.evaluate(FETCHES)
                browser.close()
        finally:
            for node in (gp, pharmacy):
                node.stop()
            processes.stop(server, 10)
    print(
        f"bench/web_push: commit at the receiving node -> the message in the open page's DOM,"
        f" {count} messages; baseline: a bare aiohttp WebSocket pushing the same text"
    )
    rows = []
    for name, values in (("Relève", node_times), ("bare WebSocket", bare)):
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        rows.append((p50, p99))
        print(f"  {name:<16} p50 {p50 * 1e3:>8.2f} ms   p99 {p99 * 1e3:>8.2f} ms")
    if fetches:
        print(
            f"  of which the page fetching its live part: p50 {statistics.median(fetches):.2f} ms"
            f"   p99 {percentile(fetches, 0.99):.2f} ms ({len(fetches)} fetches)"
        )
    (p50, p99), (bare50, bare99) = rows
    ratio = p99 / bare99
    verdict = "met" if ratio <= GOAL else "NOT met"
    print(
        f"push p99 {ratio:.2f}x the bare WebSocket's (p50 {p50 / bare50:.2f}x)"
        f" (goal <= {GOAL}x): {verdict}"
    )
    print(f"({processes.load_average()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
