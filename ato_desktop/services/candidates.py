"""K candidate timetables to choose from: the optimizer run K times (a different seed each, and a named
weighting profile in turn), each result saved as a new draft version named after its profile and seed,
then compared (``services.compare``) with the first. ``ato-desktop candidates``, the Dashboard's
Candidates….

Built on :func:`services.solving.run_solve` and :func:`services.solving.save_solve`. A profile
multiplies the weights of some soft rules of ``engine.rules`` for the optimizer's search only; every
candidate is saved and scored with the department's own weights, so their scores compare fairly:

* ``balanced``: the department's weights as set on the Constraints page;
* ``students``: compact for students: idle periods (``gaps``) and isolated sessions weigh three
  times as much, a course spread over its days (``min_days``) twice;
* ``faculty``: fewer days on campus for faculty: days beyond a teacher's limit (``max_days``) weigh
  four times as much, too many periods in a row, undesired and non-preferred periods twice (the
  engine counts days on campus only beyond each teacher's "max days", so a teacher without one
  is not pushed to come on fewer days).

The runs go side by side (at most ``OptimizerSettings.threads`` at a time, each on one thread), each saved
as it finishes. Cancel (``should_stop``) stops every run under way; the candidates finished before it
are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ato_desktop.engine.rules import SOFT_RULES

if TYPE_CHECKING:
    from ato_desktop.services.compare import Comparison
    from ato_desktop.services.operations import Change
    from ato_desktop.services.solving import OptimizerSettings
    from ato_desktop.storage.database import Database


@dataclass(frozen=True)
class Profile:
    key: str
    title: str
    multipliers: tuple[tuple[str, int], ...]  # (soft rule, factor); rules not listed keep their weight


PROFILES: tuple[Profile, ...] = (
    Profile("balanced", "Balanced", ()),
    Profile("students", "Compact for students", (("gaps", 3), ("isolated", 3), ("min_days", 2))),
    Profile("faculty", "Fewest days for faculty", (("max_days", 4), ("max_consecutive", 2),
                                                   ("resource_undesired", 2), ("resource_not_preferred", 2))),
)
BY_KEY = {p.key: p for p in PROFILES}
assert all(r in SOFT_RULES for p in PROFILES for r, _ in p.multipliers), "profiles name soft rules of engine.rules"

MAX_K = 12


@dataclass(frozen=True)
class Candidate:
    index: int  # 0-based
    profile: str  # Profile.key
    seed: int
    version_id: int
    name: str
    hard: int
    soft: int
    seconds: float


@dataclass(frozen=True)
class CandidatesResult:
    candidates: tuple[Candidate, ...]
    comparisons: tuple[Comparison, ...]  # candidate i (i >= 1) against candidate 0
    stopped: bool  # Cancel: fewer than K candidates

    def text_lines(self) -> list[str]:
        lines = [f"{'candidate':44} {'profile':10} {'seed':>5} {'hard':>5} {'soft':>7} {'moved vs 1st':>12}"]
        moved = {c.b.id: len(c.moved) for c in self.comparisons}
        for c in self.candidates:
            lines.append(f"{c.name[:44]:44} {c.profile:10} {c.seed:>5} {c.hard:>5} {c.soft:>7} "
                         f"{moved.get(c.version_id, '-'):>12}")
        if self.stopped:
            lines.append("Stopped: the candidates above were finished before it.")
        return lines


def plan(k: int, seed: int = 1, profiles: tuple[str, ...] | None = None) -> list[tuple[str, int]]:
    """The (profile, seed) of each of ``k`` candidates: the profiles in turn, seed, seed+1, …"""
    if not 1 <= k <= MAX_K:
        from ato_desktop.services.errors import ValidationError

        raise ValidationError("candidates", "k", f"the number of candidates must be between 1 and {MAX_K} (not {k})")
    keys = profiles or tuple(p.key for p in PROFILES)
    unknown = [p for p in keys if p not in BY_KEY]
    if unknown:
        from ato_desktop.services.errors import ValidationError

        raise ValidationError("candidates", "profile", f"{unknown[0]!r} is not a profile; choose from {', '.join(BY_KEY)}")
    return [(keys[i % len(keys)], seed + i) for i in range(k)]


def weights_for(problem, profile: str) -> dict[str, int]:
    """``problem``'s weights with ``profile``'s multipliers applied (a weight of 0 stays 0: off)."""
    from ato_desktop.engine.problem import DEFAULT_WEIGHTS

    w = {name: problem.weight(name, DEFAULT_WEIGHTS.get(name, 0)) for name in DEFAULT_WEIGHTS}
    w.update(problem.weights)
    for rule, factor in BY_KEY[profile].multipliers:
        w[rule] = w.get(rule, 0) * factor
    return w


def _prepare(db: Database, settings: OptimizerSettings):
    """The department's problem compiled once for every run (and refused first when it is impossible)."""
    from ato_desktop.services import solving
    from ato_desktop.services.compile import compile_database
    from ato_desktop.services.scores import data_fingerprint

    comp, _current, tt_id = compile_database(db, None)
    if settings.refuse_impossible:
        solving.refuse_if_impossible(comp.problem)
    return comp, tt_id, data_fingerprint(comp.problem)


def _run(prepared, settings: OptimizerSettings, profile: str, on_progress, should_stop):
    """One optimizer run for ``profile`` (on a worker thread; reads no database): the department's weights,
    or the profile's for the search only, the department's compiled problem kept in the run (so
    :func:`save_solve` scores it with the department's weights)."""
    from ato_desktop.engine.optimizer import optimize
    from ato_desktop.services import solving

    comp, tt_id, fingerprint = prepared
    params = settings.engine_params(minimal_change=False)
    if not BY_KEY[profile].multipliers:
        result = optimize(comp.problem, None, params, on_progress=on_progress,
                          should_stop=should_stop)
        bound, explanation = solving.explain_result(comp.problem, result)
        return solving.SolveRun(settings, comp, result, tt_id, fingerprint, bound=bound, explanation=explanation)
    search = replace(comp.problem, weights=weights_for(comp.problem, profile))
    result = optimize(search, None, params, on_progress=on_progress,
                      should_stop=should_stop)
    return solving.SolveRun(settings, comp, result, tt_id, fingerprint)


def workers_for(k: int, settings: OptimizerSettings) -> int:
    """How many runs go side by side: at most ``settings.threads`` (default: cores − 1), at least 1."""
    return max(1, min(k, int(settings.threads or 1)))


def make_candidates(db: Database, k: int = 3, settings: OptimizerSettings | None = None, *,
                    profiles: tuple[str, ...] | None = None, backup: bool = True,
                    on_progress: Callable[[int, int, str, object], None] | None = None,
                    should_stop: Callable[[], bool] | None = None,
                    write: Callable[[Callable[[Database], Change]], Change] | None = None) -> CandidatesResult:
    """Optimize ``k`` candidates (``settings`` for each run, its seed the first candidate's) and save each
    as a draft version "Candidate i: <profile> (seed s)"; compare candidates 2…k with the first.

    The runs go side by side on :func:`workers_for` threads (the engine's kernels release the GIL), each
    run on one thread (``threads=1``), so a candidate depends on its seed only, not on how many run at
    once (with a generation limit). Each result is saved as it finishes by the operation
    :func:`save_candidate`, handed to ``write`` (the app's one writer, waited for; by default it runs on the
    calling thread); a new run starts only after that, when Cancel was not asked for. Cancel stops every
    run under way.

    ``on_progress(index, k, profile, progress)`` relays the optimizer's progress (from the run's thread: an
    :class:`ato_desktop.progress.Progress`, the engine's snapshot in ``detail``).
    A backup is taken before the first save only (``backup=False``: none)."""
    import queue
    import threading

    from ato_desktop import thread_priority
    from ato_desktop.services import compare, solving

    settings = settings or solving.OptimizerSettings()
    write = write or (lambda operation: operation(db))
    if settings.keep_changes:
        settings = settings.but(keep_changes=False)  # candidates start afresh: different timetables to choose from
    steps = plan(k, settings.seed, profiles)
    workers = workers_for(k, settings)
    stop = should_stop or (lambda: False)
    abort = threading.Event()  # a run or a save failed: stop the others

    def stopping() -> bool:
        return abort.is_set() or stop()

    prepared = _prepare(db, settings)
    finished: queue.Queue = queue.Queue()
    priority = thread_priority.current()  # the runs go at the caller's priority (the app's task: background)

    def job(i: int, profile: str, seed: int) -> None:
        thread_priority.apply(priority)  # Linux threads inherit it; Windows and macOS threads do not
        relay = (lambda snap: on_progress(i, k, profile, snap)) if on_progress else None
        try:
            finished.put((i, profile, seed, _run(prepared, settings.but(seed=seed, threads=1), profile, relay,
                                                 stopping), None))
        except BaseException as exc:  # handed to the calling thread
            finished.put((i, profile, seed, None, exc))

    pending = list(enumerate(steps))
    done: list[Candidate] = []
    stopped = False
    error: BaseException | None = None
    running = 0
    while True:
        while pending and running < workers and not stopped and error is None:
            if stop():
                stopped = True
                break
            i, (profile, seed) = pending.pop(0)
            threading.Thread(target=job, args=(i, profile, seed), name=f"candidate-{i + 1}", daemon=True).start()
            running += 1
        if running == 0:
            break
        i, profile, seed, run, exc = finished.get()
        running -= 1
        if exc is not None or error is not None:
            error = error or exc
            abort.set()
            continue
        if run.result.stopped and stop():
            stopped = True  # the run was cut short: dropped
            continue
        try:
            title = f"Candidate {i + 1}: {BY_KEY[profile].title} (seed {seed})"
            saved = write(lambda d, run=run, title=title, first=not done: save_candidate(
                d, run=run, title=title, backup=backup and first)).result
        except BaseException as exc:
            error = exc
            abort.set()
            continue
        done.append(Candidate(i, profile, seed, saved.version.id, saved.version.name, saved.hard, saved.soft,
                              run.result.seconds))
    if error is not None:
        raise error
    done.sort(key=lambda c: c.index)
    comparisons = tuple(compare.compare_versions(db, done[0].version_id, c.version_id) for c in done[1:])
    return CandidatesResult(tuple(done), comparisons, stopped)


def save_candidate(db: Database, *, run, title: str, backup: bool) -> Change:
    """Save one candidate's run as a new draft version named ``title`` (made unique): the operation each
    finished run is written by (on the app's writer). It is no undo step of its own: the candidates
    made together are one (:func:`candidates_made`). ``result``: the :class:`~services.solving.SavedSolve`."""
    from ato_desktop.services import solving
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.operations import Change

    saved = solving.save_solve(db, run, name=tts.unique_version_name(db, title), backup=backup)
    return Change(f"Save {saved.version.name}", {"timetable"}, {saved.version.id}, result=saved)


def candidates_made(*, versions: list[int]):
    """The change of candidates saved as new draft versions (written by their runs): one undo step that
    deletes them all, whose undo (the redo) brings them back."""
    from ato_desktop.services import version_lifecycle
    from ato_desktop.services.operations import Change

    ids = list(versions)
    summary = f"Make {len(ids)} candidate timetable(s)"

    def back(db) -> Change:
        snaps = [version_lifecycle.delete_version(db, tid) for tid in reversed(ids)]

        def again(d) -> Change:
            for snap in reversed(snaps):
                version_lifecycle.restore_version(d, snap)
            return candidates_made(versions=ids)

        return Change(summary, {"timetable"}, set(ids), reverse=again)

    return Change(summary, {"timetable"}, set(ids), reverse=back)
