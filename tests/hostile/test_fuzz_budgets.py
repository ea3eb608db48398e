"""The fuzz budgets promise what the suite claims: at least 100,000 generated inputs in a
whole run (1,000,000 in the long mode), each budget spent by exactly one test. That each
test spends its budget, and that a whole run adds up, is checked by conftest.py as the tests
run, in any order or selection."""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path

from tests.hostile.fuzz_support import BUDGETS, MARK, MIN_TOTAL, SCALE, budget

HERE = Path(__file__).parent


def test_fuzz_budgets_add_up_to_the_promised_total() -> None:
    assert sum(BUDGETS.values()) >= MIN_TOTAL
    assert sum(budget(name) for name in BUDGETS) >= MIN_TOTAL * SCALE


def test_each_budget_is_spent_by_exactly_one_test() -> None:
    """Otherwise a whole run could leave a budget unspent and never check the total."""
    spent: Counter[str] = Counter()
    for path in sorted(HERE.glob("test_*.py")):
        module = importlib.import_module(f"tests.hostile.{path.stem}")
        for name, value in vars(module).items():
            if name.startswith("test_") and callable(value):
                marks = getattr(value, "pytestmark", [])
                spent.update(str(mark.args[0]) for mark in marks if mark.name == MARK)
    unspent = sorted(set(BUDGETS) - set(spent))
    shared = sorted(name for name, tests in spent.items() if tests > 1)
    assert not unspent, f"budgets no test is marked to spend (spends(name)): {unspent}"
    assert not shared, f"budgets marked on several tests: {shared}"
