"""Musts: a soft rule listed in ``Problem.must`` (a FET constraint at 100 % on a rule the engine has only as
soft, docs/constraints.md "FET weights") counts 1 a violation in the hard total, in evaluate(), the kernels
and the optimizer's objective, so the optimizer never trades it for soft gains."""

from __future__ import annotations

import dataclasses

from ato_desktop.engine import evaluate, full_cost
from ato_desktop.engine.rules import SOFT_RULES
from ato_desktop.engine.optimizer import OptimizeParams, optimize
from ato_desktop.engine.state import State
from ato_desktop.services.fet_import import soft_weight
from tests.engine.handmade import S, expect, make, place

GROUPS = tuple(f"G{i}" for i in range(51))


def _problem(must: bool):
    """Course X (two sessions, min days 2, a FET 100 % constraint: weight 1000) is taught to 51 groups who
    each would rather not be taught on Tuesday (a FET 95 % constraint: weight 20 each). On different days:
    51 undesired periods (51 x 20 = 1020 soft); both on Monday: one min-days violation (1000 soft)."""
    p = make([S("X #1", "Dr. Rao", *GROUPS), S("X #2", "Dr. Rao", *GROUPS)], groups=GROUPS,
             res_pref={g: {"Tue P1": -1, "Tue P2": -1, "Tue P3": -1, "Tue P4": -1} for g in GROUPS},
             min_days={"X": 2}, weights={**{n: 0 for n in SOFT_RULES},  # only the two rules below
                                          "min_days": soft_weight(100), "resource_undesired": soft_weight(95)})
    return dataclasses.replace(p, must=frozenset({"min_days"})) if must else p


def test_a_must_violation_counts_in_the_hard_total_and_is_reported_as_hard():
    p = _problem(must=True)
    both_monday = place(p, {"X #1": ("Mon P1", "R1"), "X #2": ("Mon P2", "R1")})
    vs = expect(p, both_monday, "min_days", 1)
    assert [v.cost for v in vs] == [1]  # 1 in the hard total, not its soft weight 1000
    score = evaluate(p, both_monday)
    assert (score.hard, score.soft) == (1, 0) == full_cost(p, both_monday)
    assert (State(p, both_monday).hard, State(p, both_monday).soft) == (1, 0)
    assert score.by_constraint["min_days"].is_hard and not score.feasible
    assert any(line.startswith("- [hard 1]") and "spread over 2 days" in line for line in score.summary())
    # without the must, the same timetable is feasible with a soft cost of 1000
    assert full_cost(_problem(must=False), both_monday) == (0, 1000)
    apart = place(p, {"X #1": ("Mon P1", "R1"), "X #2": ("Tue P1", "R1")})
    assert full_cost(p, apart) == (0, 51 * 20)


def test_the_optimizer_breaks_the_95_percent_rule_rather_than_the_must():
    params = OptimizeParams(time_limit=None, generations=2, seed=1, population_size=2, init_iterations=2_000,
                            generation_iterations=2_000)
    # weighed 1000 as a soft rule, the 100 % constraint is traded for the 51 cheaper ones
    r = optimize(_problem(must=False), params=params)
    assert full_cost(_problem(must=False), r.assignment) == (0, 1000)
    # as a must it is kept: the two sessions on different days, the 95 % constraint broken 51 times
    p = _problem(must=True)
    r = optimize(p, params=params)
    assert full_cost(p, r.assignment) == (0, 1020)
    assert len({int(t) // p.periods_per_day for t in r.assignment.start}) == 2
