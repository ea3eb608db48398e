"""Runs last in tests/hostile (file order): the fuzz budgets add up to at least 100,000
generated inputs per run (1,000,000 in the long mode), and every fuzz test that ran
executed its whole budget."""

from __future__ import annotations

from tests.hostile.fuzz_support import BUDGETS, COUNTS, MIN_TOTAL, RAN, SCALE, budget


def test_fuzz_budgets_add_up_to_the_promised_total() -> None:
    assert sum(BUDGETS.values()) >= MIN_TOTAL
    assert sum(budget(name) for name in BUDGETS) >= MIN_TOTAL * SCALE


def test_every_fuzz_test_that_ran_executed_its_budget() -> None:
    for name in RAN:
        # Hypothesis stops at max_examples valid examples; it may stop a little short when
        # it runs out of new inputs, never on our account.
        assert COUNTS[name] >= 0.95 * budget(name), (name, COUNTS[name], budget(name))
    if set(BUDGETS) == RAN:
        total = sum(COUNTS.values())
        print(f"hostile-input fuzzing: {total:,} generated inputs in this run")
        assert total >= MIN_TOTAL * SCALE
