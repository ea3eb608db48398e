"""Bad networks (issue 7): a GP, a pharmacy and a relay on a LAN of network namespaces that
the test builds (tests/faults/netns.py), then breaks: 10 % packet loss each way, 200 ms
+/- 50 ms latency, a 64 kbit/s link, a link cut for 30 s (and a silent partition for 30 s),
connections reset mid-frame (and answers held past the sender's timeout).

Each scenario exchanges messages both ways while the fault is on and then requires every
message to be shown exactly once, in the sender's order, and every outgoing one to be
delivered (its end-to-end receipt came back). Where namespaces cannot be made the tests fail
and say why: they never pass without testing.

The nodes retry fast (tests.integration.nodes.FAST_ENV: retry_base_seconds 0.2,
retry_max_seconds 1, redelivery_seconds 3, read from the environment like config.toml).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Final

from tests.faults.chaos_proxy import ChaosProxy, ProxyStats, ProxyThread, Toxics
from tests.faults.netns import (
    PEER_PORT,
    RELAY_PORT,
    SWITCH_ADDRESS,
    Lan,
    NsNode,
    NsRelay,
    require_namespaces,
)
from tests.integration.nodes import outbox_empty, pair, wait_for

GP: Final = "Dr Camille Martin"
PHARMACY: Final = "Pharmacie du Port"
MESSAGES: Final = 50  # each way, per scenario
# Bounds on waits for conditions: generous, for the suite must pass on a loaded machine
# (make test-faults-loaded); each wait ends as soon as its condition holds.
DELIVERY_SECONDS: Final = 300.0  # bound on every wait for delivery
WAIT_SECONDS: Final = 120.0  # bound on the other waits
PROXY_LIFETIME: Final = 300.0  # a proxy left behind stops by itself
PROXY_PORTS: Final = {"gp": 17301, "pharmacy": 17302, "relay": 17400}


@dataclass
class Practice:
    lan: Lan
    relay: NsRelay
    gp: NsNode
    pharmacy: NsNode
    proxy_thread: ProxyThread | None = None
    proxies: dict[str, ChaosProxy] = field(default_factory=dict)

    def set_toxics(self, toxics: Toxics) -> None:
        assert self.proxy_thread is not None
        for proxy in self.proxies.values():
            self.proxy_thread.set_toxics(proxy, toxics)

    def proxy_stats(self) -> dict[str, ProxyStats]:
        assert self.proxy_thread is not None
        return {name: self.proxy_thread.stats(proxy) for name, proxy in self.proxies.items()}


@contextlib.contextmanager
def practice(tmp_path: Path, *, through_proxy: bool = False) -> Iterator[Practice]:
    """The LAN, a relay, two nodes subscribed to it and paired (contact cards settled).

    ``through_proxy``: every connection (direct, deposits, subscriptions) goes through a
    chaos proxy on the switch, because that is the address each side advertises."""
    require_namespaces()
    lan = Lan()
    nodes: list[NsNode] = []
    relay: NsRelay | None = None
    thread: ProxyThread | None = None
    try:
        lan.start(("gp", "pharmacy", "relay"))
        relay = NsRelay(tmp_path / "relay.log", lan.hosts["relay"])
        relay.start()
        proxies: dict[str, ChaosProxy] = {}
        relay_url = relay.url
        advertise: dict[str, str | None] = {"gp": None, "pharmacy": None}
        if through_proxy:
            thread = ProxyThread(lan.switch.enter)
            for role, listen_port in PROXY_PORTS.items():
                target = (lan.hosts[role].address, RELAY_PORT if role == "relay" else PEER_PORT)
                proxies[role] = thread.start(
                    ChaosProxy(
                        target, listen=(SWITCH_ADDRESS, listen_port), lifetime=PROXY_LIFETIME
                    )
                )
            relay_url = f"http://{SWITCH_ADDRESS}:{PROXY_PORTS['relay']}"
            advertise = {role: f"{SWITCH_ADDRESS}:{PROXY_PORTS[role]}" for role in advertise}
        for role, name, kind in (("gp", GP, "gp"), ("pharmacy", PHARMACY, "pharmacist")):
            node = NsNode(
                tmp_path / role,
                name,
                kind,
                lan.hosts[role],
                relays=(relay_url,),
                advertise=advertise[role],
            )
            node.init()
            nodes.append(node)
            node.start()
        gp, pharmacy = nodes
        for node in nodes:
            wait_for(partial(subscribed, node), WAIT_SECONDS, f"{node.name}'s relay subscription")
        pair(gp, pharmacy)
        for node in nodes:
            wait_for(partial(outbox_empty, node), WAIT_SECONDS, "a settled pairing")
        yield Practice(lan, relay, gp, pharmacy, thread, proxies)
        assert_no_errors_logged(tmp_path)
    except BaseException:
        show_logs(tmp_path)
        raise
    finally:
        for node in nodes:
            if node.process is not None:
                node.kill()
        if relay is not None and relay.process is not None:
            relay.kill()
        if thread is not None:
            thread.close()
        lan.close()


def show_logs(tmp_path: Path) -> None:
    """The tail of each process's log, in the failed test's output (logs hold no content)."""
    for log in sorted(tmp_path.glob("*.stderr")) + sorted(tmp_path.glob("*.log")):
        print(f"--- {log.name} (last lines)")
        print("\n".join(log.read_text(errors="replace").splitlines()[-30:]))


def assert_no_errors_logged(tmp_path: Path) -> None:
    """A bad network is not an error of ours: no process logs an ERROR or a traceback."""
    for log in sorted(tmp_path.glob("*.stderr")) + sorted(tmp_path.glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()
        bad = [line for line in lines if " ERROR " in line or line.startswith("Traceback")]
        assert not bad, f"{log.name} logged errors under a network fault: {bad[:3]}"


def subscribed(node: NsNode) -> bool:
    return all(relay["connected"] for relay in node.status()["relays"])


def note(sender: str, number: int) -> str:
    """A message the size of a short clinical note (fictitious; about 300 characters)."""
    body = "Renouvellement: amoxicilline 1 g matin et soir, 7 jours; contrôle à J8. " * 4
    return f"{sender} {number:03d} {body}"


def exchange(p: Practice, count: int, first: int = 0) -> tuple[list[str], list[str]]:
    """``count`` messages each way, numbered from ``first``, alternating, each accepted by
    the sender's API before the next. Returns (to the pharmacy, to the GP)."""
    to_pharmacy: list[str] = []
    to_gp: list[str] = []
    for i in range(first, first + count):
        to_pharmacy.append(note("GP", i))
        p.gp.send(PHARMACY, to_pharmacy[-1])
        to_gp.append(note("PH", i))
        p.pharmacy.send(GP, to_gp[-1])
    return to_pharmacy, to_gp


def assert_exactly_once_in_order(
    p: Practice, to_pharmacy: list[str], to_gp: list[str], timeout: float = DELIVERY_SECONDS
) -> float:
    """Waits (bounded) until both sides have everything and every receipt came back, then
    checks each inbox is exactly the sent list, in order. Returns the seconds it took."""
    started = time.monotonic()
    expected = ((p.pharmacy, to_pharmacy), (p.gp, to_gp))

    def settled() -> bool:
        arrived = all(len(node.received()) >= len(texts) for node, texts in expected)
        return arrived and all(outbox_empty(node) for node in (p.gp, p.pharmacy))

    wait_for(settled, timeout, "every message and every receipt", interval=0.5)
    elapsed = time.monotonic() - started
    for node, texts in expected:
        received = node.received()
        shown = [m["text"] for m in received]
        assert len(shown) == len(texts), f"{node.name}: {len(shown)} shown, {len(texts)} sent"
        assert shown == texts, f"{node.name}: not exactly the sent messages in the sent order"
        seqs = [m["seq"] for m in received]
        assert seqs == sorted(set(seqs))
        assert len({m["message_id"] for m in received}) == len(received)
    for node in (p.gp, p.pharmacy):
        out = node.request("GET", "/v1/messages?direction=out&limit=10000")["messages"]
        assert {m["status"] for m in out} <= {"delivered", "read"}, node.name
        assert node.status()["outbox"]["failed"] == 0
    return elapsed


def test_where_namespaces_cannot_be_made_the_suite_fails_loudly() -> None:
    """Without root, without privileges, or without the tools: a failure saying why."""
    probe = [sys.executable, "-c", "from tests.faults.netns import require_namespaces as r; r()"]
    cases = [
        (["unshare", "--user", *probe], {}, "not running as root"),
        (["unshare", "--user", "--map-root-user", *probe], {}, "creating a network namespace"),
        (probe, {"PATH": "/nonexistent"}, "`ip` is missing (Debian package iproute2)"),
    ]
    for command, env, reason in cases:
        result = subprocess.run(
            command, env={**os.environ, **env}, capture_output=True, text=True, timeout=60
        )
        assert result.returncode != 0, reason
        assert "BAD-NETWORK TESTS CANNOT RUN ON THIS MACHINE" in result.stderr
        assert reason in result.stderr


def report(what: str, **facts: Any) -> None:
    """One line in the test's captured output (shown with -rA or on failure)."""
    print(f"[bad network] {what}: " + ", ".join(f"{k}={v}" for k, v in facts.items()))


def test_ten_percent_packet_loss_each_way(tmp_path: Path) -> None:
    with practice(tmp_path) as p:
        gp_host = p.lan.hosts["gp"]
        gp_host.drop_randomly(one_in=10)  # the GP's link: 10 % of packets in and out
        to_pharmacy, to_gp = exchange(p, MESSAGES)
        elapsed = assert_exactly_once_in_order(p, to_pharmacy, to_gp)
        dropped = gp_host.dropped()
        report("10 % loss", seconds=round(elapsed, 1), packets_dropped=dropped)
        assert dropped > 0, "the loss rule dropped nothing: the scenario tested nothing"


def test_200_ms_latency_with_50_ms_jitter(tmp_path: Path) -> None:
    with practice(tmp_path, through_proxy=True) as p:
        p.set_toxics(Toxics(latency=0.2, jitter=0.05))
        to_pharmacy, to_gp = exchange(p, MESSAGES)
        elapsed = assert_exactly_once_in_order(p, to_pharmacy, to_gp)
        stats = p.proxy_stats()
        report(
            "200 +/- 50 ms",
            seconds=round(elapsed, 1),
            connections={name: s.accepted for name, s in stats.items()},
        )
        assert stats["gp"].bytes_up > 0
        assert stats["pharmacy"].bytes_up > 0


def test_a_64_kbit_per_second_link(tmp_path: Path) -> None:
    with practice(tmp_path) as p:
        gp_host = p.lan.hosts["gp"]
        gp_host.limit_rate("64kbit")
        started = time.monotonic()
        to_pharmacy, to_gp = exchange(p, MESSAGES)
        settled = assert_exactly_once_in_order(p, to_pharmacy, to_gp)
        total = time.monotonic() - started
        tbf = " ".join(gp_host.rate_stats().split())
        report("64 kbit/s", seconds=round(total, 1), after_sending=round(settled, 1), tbf=tbf)
        assert "rate 64Kbit" in tbf
        sent = re.search(r"Sent (\d+) bytes", tbf)
        assert sent is not None
        # The GP's notes alone (1 KiB packets) went through the cap: it took them that long.
        assert int(sent.group(1)) >= MESSAGES * 1024
        assert total >= MESSAGES * 1024 * 8 / 64_000 * 0.8


OUTAGE_SECONDS: Final = 30.0  # at least: see outage()
OUTAGE_BOUND_SECONDS: Final = 180.0


def outage(p: Practice, role: str, start: Callable[[], None], end: Callable[[], None]) -> None:
    """Half the messages before, half during a 30 s outage of ``role``'s host; then the
    host is back and everything must arrive exactly once, in order.

    The outage lasts 30 s, or longer if the messages sent during it have not all been
    deposited on the relay by then (a loaded machine is slower to give up the direct path
    and turn to the relay): a wait on that condition, bounded, instead of a fixed 28 s."""
    cut_off = p.pharmacy if role == "pharmacy" else p.gp
    half = MESSAGES // 2
    before_pharmacy, before_gp = exchange(p, half)
    start()
    started = time.monotonic()
    during_pharmacy, during_gp = exchange(p, half, first=half)
    # The direct path is gone: what the other side sends waits on the cut-off side's relay.
    # (A keep-alive connection to the lost peer first hangs for the direct timeout, 15 s.)
    wait_for(
        lambda: p.relay.health()["blobs"] >= half,
        OUTAGE_BOUND_SECONDS,
        "deposits during the outage",
    )
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - started)))  # the fault's length
    # Nothing sent during the outage crossed it while it lasted.
    for node, during in ((p.pharmacy, during_pharmacy), (p.gp, during_gp)):
        leaked = {m["text"] for m in node.received()} & set(during)
        assert not leaked, f"{len(leaked)} messages crossed the outage"
    assert not outbox_empty(cut_off), "the cut-off side had nowhere to send: it must still hold"
    lasted = time.monotonic() - started
    end()
    recovery = assert_exactly_once_in_order(
        p, before_pharmacy + during_pharmacy, before_gp + during_gp
    )
    # The relay forgets each blob once its owner acknowledged it (a duplicate too).
    drained = time.monotonic()
    wait_for(lambda: p.relay.health()["blobs"] == 0, WAIT_SECONDS, "the relay to be acknowledged")
    report(
        f"{role} out for 30 s",
        outage_seconds=round(lasted, 1),
        recovery_seconds=round(recovery, 1),
        relay_drained_after=round(time.monotonic() - drained + recovery, 1),
        subscriptions={n.name: subscribed(n) for n in (p.gp, p.pharmacy)},
    )


def test_a_link_cut_for_30_seconds_then_restored(tmp_path: Path) -> None:
    """The pharmacy's cable pulled (eth0 down): its own sends fail at once."""
    with practice(tmp_path) as p:
        host = p.lan.hosts["pharmacy"]
        outage(p, "pharmacy", host.cut, host.restore)


def test_a_silent_partition_for_30_seconds_then_healed(tmp_path: Path) -> None:
    """The GP's packets silently dropped both ways (nftables), its link still up: open
    connections hang instead of failing, which is what a dead router upstream looks like."""
    with practice(tmp_path) as p:
        host = p.lan.hosts["gp"]
        outage(p, "gp", host.partition, host.heal)


def test_answers_held_longer_than_the_senders_timeout(tmp_path: Path) -> None:
    """The peer's "stored" answers stall for 20 s (longer than the direct transport's 15 s
    timeout): the recipient committed, the sender never heard so and sends again."""
    with practice(tmp_path, through_proxy=True) as p:
        held = Toxics(stall_every=1, stall_seconds=20.0, only="down")
        assert p.proxy_thread is not None
        for role in ("gp", "pharmacy"):  # the direct paths; the relay stays clean
            p.proxy_thread.set_toxics(p.proxies[role], held)
        to_pharmacy, to_gp = exchange(p, MESSAGES)
        elapsed = assert_exactly_once_in_order(p, to_pharmacy, to_gp)
        stats = p.proxy_stats()
        report(
            "answers held 20 s",
            seconds=round(elapsed, 1),
            stalls={name: s.stalls for name, s in stats.items()},
            connections={name: s.accepted for name, s in stats.items()},
        )
        assert stats["gp"].stalls + stats["pharmacy"].stalls > 0


def test_connections_reset_mid_frame(tmp_path: Path) -> None:
    with practice(tmp_path, through_proxy=True) as p:
        budget = 25  # resets per proxy (to the GP, to the pharmacy, to the relay)
        p.set_toxics(
            Toxics(reset_after=(200, 8000), max_resets=budget, slice_bytes=700, latency=0.005)
        )
        to_pharmacy, to_gp = exchange(p, MESSAGES)
        elapsed = assert_exactly_once_in_order(p, to_pharmacy, to_gp)
        stats = p.proxy_stats()
        report(
            "resets mid-frame",
            seconds=round(elapsed, 1),
            connections={name: s.accepted for name, s in stats.items()},
            resets={name: s.resets for name, s in stats.items()},
            mid_chunk={name: s.resets_mid_chunk for name, s in stats.items()},
        )
        # Every path was cut, and mostly inside a chunk a peer had written (mid-frame).
        assert all(s.resets > 0 for s in stats.values()), stats
        total = sum(s.resets for s in stats.values())
        assert total >= 5
        assert sum(s.resets_mid_chunk for s in stats.values()) >= total // 2
