"""Check and optimize a department database's timetable: ONE optimizer pipeline for the app and the CLI.

* :class:`OptimizerSettings` holds what a user chooses (seed, population, time and generation
  limits, "keep my changes", the impossible-problem check, threads) with its defaults, here and nowhere else.
* :func:`run_solve` compiles the database and runs the optimizer with the one progress contract
  (``on_progress(snapshot)``, ``should_stop()``); it writes nothing.  The optimizer panel calls it
  in its worker, the CLI ``solve`` on its own thread.
* :func:`save_solve` saves a run's result as a NEW timetable version (a backup first, then one
  transaction) with its score and score fingerprint.  The panel's Accept calls it, and so does the CLI.

So the same settings (with a generation limit) give the same timetable from the app and the CLI (tested).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # the CLI's parser reads the defaults below without loading SQLAlchemy
    from ato_desktop.services.timetables import TimetableInfo
    from ato_desktop.storage.compile import Compiled
    from ato_desktop.storage.database import Database


@dataclass(frozen=True)
class OptimizerSettings:
    """What the user chooses for one optimizer run; the defaults of the panel and of ``solve``."""

    time_limit: float | None = 30.0  # seconds; None = stop by generations only
    generations: int | None = None  # stop after this many generations (with a seed: reproducible)
    seed: int = 1
    population_size: int = 2  # the engine's tuned default (the ITC-2007 figures are measured with it)
    keep_changes: bool = False  # "Keep my changes": start from the version, move as few sessions as possible
    refuse_impossible: bool = True  # explain an impossible timetable before optimizing (False: "Optimize anyway")
    threads: int = field(default_factory=lambda: _default_threads())  # islands side by side: cores - 1, >= 1

    def engine_params(self, *, minimal_change: bool):
        """The engine's parameters for this run (the engine's own tuning keeps its defaults)."""
        from ato_desktop.engine.optimizer import OptimizeParams

        return OptimizeParams(time_limit=self.time_limit, generations=self.generations, seed=self.seed,
                              population_size=self.population_size, minimal_change=minimal_change,
                              threads=self.threads)

    def but(self, **changes) -> "OptimizerSettings":
        """A copy with ``changes`` (an unknown name raises ``TypeError``)."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise TypeError(f"unknown optimizer setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)


def _default_threads() -> int:
    from ato_desktop.engine.islands import default_threads

    return default_threads()


@dataclass
class SolveRun:
    """A finished (or stopped) optimizer run, not saved yet."""

    settings: OptimizerSettings
    compiled: Compiled
    result: object  # engine.optimizer.Result
    source_id: int | None  # the version the run started from (its locks held), None for an empty database
    data_fingerprint: str  # the data the run started from (Accept compares it with the data as it is then)
    minimal_change: bool = False  # True when the run started from the version and moved as little as it could
    bound: object = None  # engine.infeasibility.LowerBound of the problem (hard, soft with hard 0)
    explanation: object = None  # engine.infeasibility.Explanation when the run ended with hard violations
    quick: bool = False  # a first timetable of run_quick_solve (no optimizer: its kernels were not compiled yet)

    def end_lines(self) -> list[str]:
        """The lower bound beside the result, then (hard violations left) what makes them, in words."""
        out = []
        if self.bound is not None:
            out.append(f"Best possible: hard {self.bound.hard} or more, soft {self.bound.soft} or more "
                       "(a cheap lower bound).")
        if self.explanation is not None:
            out += self.explanation.lines()
        return out

    def top_violations(self, top: int = 10) -> list[str]:
        from ato_desktop.engine import evaluate

        return evaluate(self.compiled.problem, self.result.assignment).summary(top=top)

    def notes(self) -> str:
        r = self.result
        if self.quick:
            return (f"First timetable (quick construction, seed {self.settings.seed}, {r.seconds:.1f} s) "
                    "made while the optimizer was being prepared.")
        threads = f", {self.settings.threads} threads" if self.settings.threads > 1 else ""
        return (f"Optimizer: seed {self.settings.seed}{threads}, {r.seconds:.1f} s, "
                f"{r.evaluations} evaluations{' (stopped early)' if r.stopped else ''}.")


@dataclass
class SavedSolve:
    """A run saved as a new version: the version, the score stored with it, and the rows written."""

    version: TimetableInfo
    hard: int
    soft: int
    fingerprint: str
    notes: str
    rows: dict = field(repr=False, default_factory=dict)


class BackupFailed(Exception):
    """The backup before saving a result could not be taken (nothing was saved)."""


def check_database(db: Database, timetable: int | str | None = None):
    """Impossible-problem findings for the database (``engine.checks.check_problem``)."""
    from ato_desktop.engine.checks import check_problem
    from ato_desktop.services.compile import compile_database

    comp, _, _ = compile_database(db, timetable)
    return check_problem(comp.problem)


def run_solve(db: Database, settings: OptimizerSettings | None = None, *, timetable: int | str | None = None,
              on_progress: Callable | None = None, should_stop: Callable[[], bool] | None = None) -> SolveRun:
    """Compile the database (locks of ``timetable``, default the latest version, included) and optimize.

    Raises :class:`ImpossibleProblemError` first when the timetable cannot be solved as entered (unless
    ``settings.refuse_impossible`` is False).  With ``keep_changes`` the run starts from the version
    (when it places anything) and moves as few sessions as it can.  Writes nothing.
    """
    from ato_desktop.engine.optimizer import optimize
    from ato_desktop.services.compile import compile_database
    from ato_desktop.services.scores import data_fingerprint

    settings = settings or OptimizerSettings()
    comp, current, tt_id = compile_database(db, timetable)
    if settings.refuse_impossible:
        refuse_if_impossible(comp.problem)
    start = None
    if settings.keep_changes and current is not None and (current.start >= 0).any():
        start = current
    params = settings.engine_params(minimal_change=start is not None)
    result = optimize(comp.problem, start, params, on_progress=on_progress,
                      should_stop=should_stop)
    bound, explanation = explain_result(comp.problem, result)
    return SolveRun(settings, comp, result, tt_id, data_fingerprint(comp.problem), minimal_change=start is not None,
                    bound=bound, explanation=explanation)


def run_quick_solve(db: Database, settings: OptimizerSettings | None = None, *, timetable: int | str | None = None,
                    should_stop: Callable[[], bool] | None = None) -> SolveRun:
    """A first timetable in a second or two while the optimizer's kernels compile (issue 16): the greedy
    numpy constructor (``engine.quickstart``), no numba.  Same checks, inputs and result type as
    :func:`run_solve` (``quick=True``), so Accept / Discard and the preview treat it alike."""
    import time

    from ato_desktop.engine import evaluate
    from ato_desktop.engine.optimizer import Result
    from ato_desktop.engine.quickstart import quick_timetable
    from ato_desktop.services.compile import compile_database
    from ato_desktop.services.scores import data_fingerprint

    settings = settings or OptimizerSettings()
    comp, current, tt_id = compile_database(db, timetable)
    if settings.refuse_impossible:
        refuse_if_impossible(comp.problem)
    start = None
    if settings.keep_changes and current is not None and (current.start >= 0).any():
        start = current
    t0 = time.perf_counter()
    assignment = quick_timetable(comp.problem, seed=settings.seed, should_stop=should_stop, start=start)
    score = evaluate(comp.problem, assignment)
    seconds = time.perf_counter() - t0
    changed = 0 if start is None else int(((assignment.start != start.start) | (assignment.room != start.room)).sum())
    result = Result(assignment=assignment, hard=score.hard, soft=score.soft, evaluations=0, seconds=seconds,
                    first_feasible_seconds=seconds if score.hard == 0 else None, generations=0,
                    stopped=bool(should_stop is not None and should_stop()), changed_sessions=changed)
    bound, explanation = explain_result(comp.problem, result)
    return SolveRun(settings, comp, result, tt_id, data_fingerprint(comp.problem), minimal_change=start is not None,
                    bound=bound, explanation=explanation, quick=True)


def explain_result(problem, result):
    """(lower bound, explanation or None): why ``result`` still has hard violations, and how far it can be
    from the best possible (``engine.infeasibility``)."""
    from ato_desktop.engine.infeasibility import explain_hard, lower_bound, proven_conflicts

    conflicts = proven_conflicts(problem)
    bound = lower_bound(problem, conflicts)
    explanation = explain_hard(problem, result.assignment, conflicts=conflicts) if result.hard > 0 else None
    return bound, explanation


def data_changes_since(db: Database, run: SolveRun) -> list[str]:
    """What changed in the data since ``run`` started, in words ([] when nothing a score depends on)."""
    from ato_desktop.services.compile import compile_database
    from ato_desktop.services.scores import describe_changes

    now, _a, _t = compile_database(db, run.source_id)
    return describe_changes(run.compiled.problem, now.problem)


def save_solve(db: Database, run: SolveRun, *, name: str | None = None, backup: bool = True) -> SavedSolve:
    """Save ``run``'s result as a NEW version (child of the version it started from), in one transaction.

    A backup is taken first (``backup=False`` skips it: the user chose to save without one); when it
    fails, :class:`BackupFailed` is raised and nothing is saved.  The version stores the score as
    computed on the data of the run, with its score fingerprint (the versions list rechecks it when
    the data changes later).  ``name`` defaults to "Optimized <date time>" (made unique).
    """
    from ato_desktop.services import backups
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.scores import score_of
    from ato_desktop.storage.compile import score_fingerprint

    if backup and not db.is_campus:  # a campus database on a server is backed up there (campus backup)
        try:
            backups.before_optimizer(db)
        except Exception as exc:  # the caller says so and may save without a backup
            raise BackupFailed(str(exc)) from exc
    problem, assignment = run.compiled.problem, run.result.assignment
    rows = run.compiled.rows_from_assignment(assignment)
    shown = score_of(problem, assignment, score_fingerprint(problem, assignment))
    new_name = name or tts.unique_version_name(db, f"Optimized {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
    notes = run.notes()
    info = tts.create_version_with_rows(db, new_name, rows, parent=run.source_id, hard=shown.hard,
                                        soft=shown.soft, notes=notes, fingerprint=shown.fingerprint)
    return SavedSolve(info, shown.hard, shown.soft, shown.fingerprint, notes, rows)


@dataclass
class SolveOutcome:
    version: TimetableInfo
    hard: int
    soft: int
    seconds: float
    first_feasible_seconds: float | None
    evaluations: int
    stopped: bool
    top_violations: list[str]


def solve_database(db: Database, settings: OptimizerSettings | None = None, *,
                   timetable: int | str | None = None, new_name: str | None = None,
                   on_progress: Callable | None = None, should_stop: Callable[[], bool] | None = None,
                   **changes) -> SolveOutcome:
    """:func:`run_solve` then :func:`save_solve` (self-test, benchmarks); ``changes`` override ``settings``
    field by field (``time_limit=5, seed=0``)."""
    settings = (settings or OptimizerSettings()).but(**changes)
    run = run_solve(db, settings, timetable=timetable, on_progress=on_progress, should_stop=should_stop)
    saved = save_solve(db, run, name=new_name)
    r = run.result
    return SolveOutcome(saved.version, saved.hard, saved.soft, r.seconds, r.first_feasible_seconds,
                        r.evaluations, r.stopped, run.top_violations())


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
