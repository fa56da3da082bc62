"""``evaluate(problem, assignment) -> Score``: the full, explained breakdown.

Every constraint unit of :data:`~ato_desktop.engine.constraints.REGISTRY` runs on one
shared :class:`~ato_desktop.engine.constraints.base.Context`; the totals equal the
numba kernels' ``full_cost`` and an incremental ``State``'s ``hard`` / ``soft`` exactly
(tested).  A constraint with weight 0 is disabled: count 0, cost 0, no violations.
A weight missing from ``problem.weights`` takes its ``DEFAULT_WEIGHTS`` value; a soft rule listed in
``problem.must`` counts 1 a violation in the hard total.

This is the slow, explaining path (numpy + small Python loops): use it for the UI,
reports and the CLI, not inside the optimizer (use ``State`` deltas there).
"""

from __future__ import annotations

from .constraints import REGISTRY
from .constraints.base import Context
from .problem import Assignment, Problem
from .score import ConstraintResult, Score


def evaluate(problem: Problem, assignment: Assignment) -> Score:
    """Hard/soft weighted totals and, per constraint (canonical order), the violations.

    Raises ``ValueError`` (naming the session) if the assignment does not fit the problem.
    """
    cx = Context(problem, assignment)
    by: dict[str, ConstraintResult] = {}
    hard = soft = 0
    for name, unit in REGISTRY.items():
        w = problem.effective_weight(name)  # a must (problem.must) weighs 1, in the hard total
        is_hard = problem.is_hard(name)
        violations = tuple(unit.fn(cx, w)) if w != 0 else ()
        count = sum(v.count for v in violations)
        cost = w * count
        by[name] = ConstraintResult(name=name, label=unit.label, is_hard=is_hard, weight=w,
                                    count=count, cost=cost, violations=violations)
        if is_hard:
            hard += cost
        else:
            soft += cost
    return Score(hard=hard, soft=soft, by_constraint=by)


__all__ = ["evaluate"]
