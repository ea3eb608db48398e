"""Holds the hostile-input fuzzing to its budgets (issue 7), whatever tests are selected
(``-k``, ``-x``, one file), in whatever order:

- a test marked ``fuzz_budget(name)`` fails unless it executed at least
  ``SHORTFALL_ALLOWED`` of its own budget (the inputs it counted while it ran);
- when every budget of :data:`BUDGETS` was spent by a passing test (the whole suite ran),
  the inputs must add up to ``MIN_TOTAL`` times ``RELEVE_FUZZ_SCALE``, or the run fails;
- the figures are printed at the end of the run, and whether the total was proven.

The figures travel in each test's report (``user_properties``), not in module globals, so
they add up the same way under a distributed runner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import pytest

from tests.hostile.fuzz_support import (
    BUDGETS,
    COUNTS,
    MARK,
    MIN_TOTAL,
    SCALE,
    SHORTFALL_ALLOWED,
    budget,
)

PROPERTY: Final = "fuzz_inputs"


@dataclass
class FuzzRun:
    """Inputs per budget name, from the reports of the tests that passed."""

    inputs: dict[str, int] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.inputs.values())

    @property
    def complete(self) -> bool:
        return set(BUDGETS) <= set(self.inputs)

    @property
    def minimum(self) -> float:
        return MIN_TOTAL * SCALE

    @property
    def short(self) -> bool:
        return self.complete and self.total < self.minimum


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARK}(name): the test spends the fuzz budget BUDGETS[name]"
        " (tests/hostile/fuzz_support.py)",
    )
    if not config.pluginmanager.has_plugin(Accounting.NAME):
        config.pluginmanager.register(Accounting(), Accounting.NAME)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    marker = item.get_closest_marker(MARK)
    if marker is None:
        return (yield)
    name = str(marker.args[0])
    before = COUNTS[name]
    try:
        result = yield
    finally:
        executed = COUNTS[name] - before
        item.user_properties.append((PROPERTY, (name, executed)))
    planned = budget(name)
    if executed < SHORTFALL_ALLOWED * planned:
        pytest.fail(
            f"fuzz budget {name!r} not spent: {executed:,} inputs executed of {planned:,}"
            f" planned (RELEVE_FUZZ_SCALE={SCALE:g}); does the test still call count({name!r})?",
            pytrace=False,
        )
    return result


class Accounting:
    """Adds up the figures carried by the test reports, in the process that receives them
    (under pytest-xdist, the controller: it sees every worker's tests)."""

    NAME: Final = "releve-fuzz-accounting"

    def __init__(self) -> None:
        self.run = FuzzRun()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for key, value in report.user_properties:
            if key != PROPERTY:
                continue
            name, executed = str(value[0]), int(value[1])  # type: ignore[index]
            if report.passed:
                self.run.inputs[name] = self.run.inputs.get(name, 0) + executed
            else:
                self.run.failed.add(name)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.run.short and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        run = self.run
        if not run.inputs and not run.failed:
            return
        write = terminalreporter.write_line
        terminalreporter.write_sep("-", "hostile-input fuzzing")
        for name in sorted(run.inputs):
            write(f"  {name:28} {run.inputs[name]:>9,} inputs (budget {budget(name):,})")
        for name in sorted(run.failed - set(run.inputs)):
            write(f"  {name:28}    failed")
        figures = (
            f"{run.total:,} generated inputs; at least {run.minimum:,.0f} promised for a whole"
            f" run at RELEVE_FUZZ_SCALE={SCALE:g}"
        )
        if run.short:
            terminalreporter.write_sep(
                "!", f"FUZZ TOTAL NOT MET: {figures}; the run fails", red=True, bold=True
            )
        elif run.complete:
            write(f"  total {figures}: met (Hypothesis derandomized: rerun a test to reproduce)")
        else:
            spent = len(set(BUDGETS) & set(run.inputs))
            write(
                f"  total {figures}: not checked, {spent} of {len(BUDGETS)} budgets spent by"
                " passing tests in this selection (Hypothesis derandomized: rerun a test to"
                " reproduce)"
            )
