"""Prints how many generated inputs the hostile-input fuzzing ran (issue 7)."""

from __future__ import annotations

import pytest

from tests.hostile.fuzz_support import BUDGETS, COUNTS, SCALE, budget


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not COUNTS:
        return
    total = sum(COUNTS.values())
    planned = sum(budget(name) for name in BUDGETS)
    terminalreporter.write_sep("-", "hostile-input fuzzing")
    for name in sorted(COUNTS):
        terminalreporter.write_line(f"  {name:28} {COUNTS[name]:>9,} inputs")
    terminalreporter.write_line(
        f"  total {total:,} generated inputs (planned {planned:,} at RELEVE_FUZZ_SCALE={SCALE:g};"
        " Hypothesis derandomized: rerun the same test to reproduce)"
    )
