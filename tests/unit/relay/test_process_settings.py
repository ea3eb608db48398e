"""The relay's own process settings (relay.server.tune_collector, docs/relay-protocol.md §12),
checked in a child process: they change the interpreter's global state."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_the_collector_waits_longer_and_leaves_what_exists_at_start_alone() -> None:
    script = textwrap.dedent(
        """
        import gc
        from relay.server import GC_THRESHOLD, tune_collector
        second, third = gc.get_threshold()[1:]
        tune_collector()
        print(gc.get_threshold() == (GC_THRESHOLD, second, third), gc.get_freeze_count() > 1000)
        gc.collect()  # a full pass still runs, and frees a cycle made afterwards
        cycle = []
        cycle.append(cycle)
        del cycle
        print(gc.collect() >= 1)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["True", "True", "True"]
