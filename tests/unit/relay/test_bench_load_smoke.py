"""bench/load at toy sizes: the whole run (a real relay process, real subscriptions and
deposits) delivers everything once, reports every figure, and leaves no process behind."""

from __future__ import annotations

import math
import os
from pathlib import Path

from bench.load import Plan, lines, run

TOY = Plan(
    nodes=12,
    warm_up_seconds=0.1,
    seconds=0.6,
    paced_seconds=0.3,
    scale=(3, 12),
    messages=200,
    idle_seconds=0.0,
    offline=20,
    rounds=1,
    time_limit=60.0,
    pause=0.1,
)


def _children() -> list[int]:
    me = str(os.getpid())
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if fields[1] == me:
            found.append(int(stat.parent.name))
    return found


async def test_a_toy_run_delivers_everything_once_and_cleans_up() -> None:
    before = set(_children())
    report = await run(TOY)

    sustained = report.sustained
    assert sustained.sent > 0
    assert sustained.rate > 0
    assert (sustained.refused, sustained.lost, sustained.duplicates) == (0, 0, 0)
    assert 0 < sustained.p50_ms <= sustained.p99_ms
    assert sustained.rss_subscribed > 0
    assert sustained.rss_peak >= sustained.rss_subscribed

    assert [row.mailboxes for row in report.rows] == [3, 12]
    for row in report.rows:
        assert (row.lost, row.duplicates) == (0, 0)
        assert row.rate > 0
        assert row.cpu_per_1000 > 0
    assert math.isfinite(report.ratio)
    assert report.offline_accounted_per_mailbox > 1024  # one 1 KiB blob and its overheads

    text = "\n".join(lines(report))
    assert "delivered/s" in text
    assert "goal flat cost per message: 12 vs 3 mailboxes" in text
    assert set(_children()) <= before  # every relay process stopped and reaped
