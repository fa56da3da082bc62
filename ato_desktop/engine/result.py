"""The end of a run: the best of one search or of several islands as a :class:`Result`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from deap import tools

from . import kernels as K
from .problem import Assignment, Problem
from .snapshot import Snapshot, report

if TYPE_CHECKING:
    from .optimizer import _Search


@dataclass
class Result:
    assignment: Assignment
    hard: int
    soft: int
    evaluations: int
    seconds: float
    first_feasible_seconds: float | None
    generations: int
    stopped: bool  # True when should_stop or the time limit ended the run early
    history: list[Snapshot] = field(default_factory=list)
    logbook: tools.Logbook | None = None
    changed_sessions: int = 0  # sessions whose start/room differ from `start` (if given)
    optimal: bool = False  # the run ended early at a proven optimum (hard 0, soft + penalty at its lower bound 0)
    cpu_seconds: float = 0.0  # CPU time of the search thread(s), summed over islands (time.thread_time)
    kernel_seconds: float = 0.0  # wall time spent inside the annealing kernel (GIL released), summed over islands
    reheats: int = 0  # offspring annealed from a higher temperature because the best was stuck (reheat_after)


def finish(problem: Problem, start: Assignment | None, searches: list[_Search], logbook, on_progress,
            history: list[Snapshot], now: float) -> Result:
    """The result of one run or of several islands: the best of ``searches`` (first wins a tie)."""
    cp = searches[0].cp
    found = [(s.best_h, s.best_s, i) for i, s in enumerate(searches) if s.best is not None]
    evaluations = sum(s.evaluations for s in searches)
    generations = max(s.generation for s in searches)
    if not found:  # stopped before anything was built
        a = start.copy() if start is not None else Assignment.empty(problem)
        h, s = K.full_cost_kernel(cp, a.start, a.room)
        best_a, best_h, best_soft = a, int(h), int(s)
    else:
        win = searches[min(found)[2]]
        best_a = Assignment(win.best.start.astype(np.int32), win.best.room.astype(np.int32))
        h, s = K.full_cost_kernel(cp, best_a.start, best_a.room)
        best_h, best_soft = int(h), int(s)
        assert best_h == win.best_h, "incremental and full evaluation disagree"
    final = Snapshot(generations, best_h, best_soft, evaluations,
                     evaluations / now if now > 0 else 0.0, now, "done")
    history.append(final)
    report(on_progress, searches[0].params, final)
    changed = 0
    if start is not None:
        moved = (best_a.start != start.start) | (cp.needs_room & (best_a.room != start.room))
        changed = int(moved.sum())
    feasible = [s.first_feasible for s in searches if s.first_feasible is not None]
    return Result(
        assignment=best_a, hard=best_h, soft=best_soft, evaluations=evaluations, seconds=now,
        first_feasible_seconds=min(feasible) if feasible else None, generations=generations,
        stopped=any(s.stopped for s in searches) and not any(s.optimal for s in searches),
        history=history, logbook=logbook, changed_sessions=changed,
        optimal=any(s.optimal for s in searches),
        cpu_seconds=sum(s.cpu_seconds for s in searches),
        kernel_seconds=sum(s.kernel_seconds for s in searches), reheats=sum(s.reheats for s in searches),
    )
