"""Check and optimize a department database's timetable (the storage <-> engine bridge)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from ato_desktop.services import timetables as tts
from ato_desktop.services.compile import compile_database
from ato_desktop.storage.compile import Compiled
from ato_desktop.storage.database import Database


@dataclass
class SolveOutcome:
    version: tts.TimetableInfo
    hard: int
    soft: int
    seconds: float
    first_feasible_seconds: float | None
    evaluations: int
    stopped: bool
    top_violations: list[str]


def check_database(db: Database, timetable: int | str | None = None):
    """Impossible-problem findings for the database (``engine.checks.check_problem``)."""
    from ato_desktop.engine.checks import check_problem

    comp, _, _ = compile_database(db, timetable)
    return check_problem(comp.problem)


def solve_database(db: Database, *, timetable: int | str | None = None, time_limit: float | None = 30.0,
                   generations: int | None = None, seed: int = 0, population_size: int | None = None,
                   keep_changes: bool = False, new_name: str | None = None,
                   on_progress: Callable | None = None, should_stop: Callable[[], bool] | None = None,
                   refuse_impossible: bool = True) -> SolveOutcome:
    """Compile, optimize and save the result as a NEW timetable version (one transaction).

    Locked sessions of ``timetable`` stay where they are. ``keep_changes`` starts from
    that version and changes as little as possible. A backup is taken before the
    result is written.
    """
    from ato_desktop.engine import evaluate, optimize
    from ato_desktop.engine.optimizer import OptimizeParams
    from ato_desktop.storage.backup import backup_before

    comp, current, tt_id = compile_database(db, timetable)
    if refuse_impossible:
        refuse_if_impossible(comp.problem)
    kwargs = dict(time_limit=time_limit, generations=generations, seed=seed, minimal_change=keep_changes)
    if population_size:
        kwargs["population_size"] = population_size
    params = OptimizeParams(**kwargs)
    start = current if (keep_changes and current is not None) else None
    result = optimize(comp.problem, start=start, params=params, on_progress=on_progress, should_stop=should_stop)
    from ato_desktop.services.scores import score_of
    from ato_desktop.storage.compile import score_fingerprint

    score = evaluate(comp.problem, result.assignment)
    shown = score_of(comp.problem, result.assignment, score_fingerprint(comp.problem, result.assignment))
    name = new_name or tts.unique_version_name(db, f"Optimized {dt.datetime.now():%Y-%m-%d %H:%M}")
    if not db.is_campus:  # a campus database on a server is backed up there (campus backup), not as a file
        backup_before(db.path, "optimizer")
    info = tts.create_version_with_rows(
        db, name, comp.rows_from_assignment(result.assignment), parent=tt_id, hard=shown.hard, soft=shown.soft,
        fingerprint=shown.fingerprint,
        notes=f"Optimizer: seed {seed}, {result.seconds:.1f} s, {result.evaluations} evaluations.")
    return SolveOutcome(info, shown.hard, shown.soft, result.seconds, result.first_feasible_seconds,
                        result.evaluations, result.stopped, score.summary(top=10))


def refuse_if_impossible(problem) -> None:
    """Raise :class:`ImpossibleProblemError` with the error findings of ``check_problem`` (a timetable
    no optimizer can make free of hard conflicts), before any optimizing."""
    from ato_desktop.engine.checks import check_problem

    errors = [f for f in check_problem(problem) if f.severity == "error"]
    if errors:
        raise ImpossibleProblemError(errors)


class ImpossibleProblemError(Exception):
    def __init__(self, findings):
        self.findings = findings
        super().__init__("The timetable cannot be solved as entered:\n" + "\n".join(f"- {f.message}" for f in findings))
