"""The memetic optimizer on real problems: ITC-2007 files and the demo department.

Timing figures (speed, quality on comp01-comp14) live in benchmarks/itc2007.py; the
tests here check behaviour: determinism, locks, cancel, progress, minimal change,
feasibility, thread friendliness.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ato_desktop.engine.optimizer import OptimizeParams, Snapshot, optimize
from ato_desktop.engine.problem import Assignment
from ato_desktop.engine.state import full_cost
from ato_desktop.io.ctt import load_ctt_problem
from ato_desktop.progress import Progress

from tests.conftest_itc import itc_dataset_dir  # noqa: E402

ITC_DIR = itc_dataset_dir()
SMALL = dict(population_size=2, init_iterations=4_000, generation_iterations=6_000)


@pytest.fixture(scope="module")
def comp01(itc_dir_module):
    return load_ctt_problem(itc_dir_module / "comp01.ctt")


@pytest.fixture(scope="module")
def itc_dir_module():
    if not ITC_DIR.is_dir():
        pytest.skip(f"ITC-2007 dataset not found at {ITC_DIR}")
    return ITC_DIR


def _same(a: Assignment, b: Assignment) -> bool:
    return np.array_equal(a.start, b.start) and np.array_equal(a.room, b.room)


def test_same_seed_and_generation_limit_give_the_same_result(comp01) -> None:
    runs = [optimize(comp01, params=OptimizeParams(time_limit=None, generations=3, seed=7, **SMALL))
            for _ in range(2)]
    a, b = runs
    assert _same(a.assignment, b.assignment)
    assert (a.hard, a.soft, a.evaluations, a.generations) == (b.hard, b.soft, b.evaluations, b.generations)
    assert a.generations == 3 and not a.stopped
    # the logbook records every generation (gen 0 = initial population), same figures both times
    assert [r["gen"] for r in a.logbook] == [0, 1, 2, 3]
    strip = [{k: v for k, v in r.items() if k != "elapsed"} for r in a.logbook]
    assert strip == [{k: v for k, v in r.items() if k != "elapsed"} for r in b.logbook]
    # the population's diversity is measured every generation (mean share of sessions at another start)
    assert all(0.0 <= r["spread"] <= 1.0 for r in a.logbook) and a.logbook[0]["spread"] > 0
    # the reported costs are those of the returned assignment
    assert full_cost(comp01, a.assignment) == (a.hard, a.soft)
    other = optimize(comp01, params=OptimizeParams(time_limit=None, generations=3, seed=8, **SMALL))
    assert not _same(other.assignment, a.assignment)


def test_locked_sessions_stay_where_they_are_locked(comp01) -> None:
    S = comp01.n_sessions
    g = np.random.default_rng(3)
    lock_t = np.full(S, -1, np.int32)
    lock_r = np.full(S, -1, np.int32)
    chosen = g.choice(S, size=12, replace=False)
    for s in chosen[:8]:  # start and room locked
        lock_t[s] = g.choice(np.flatnonzero(comp01.session_available[s]))
        lock_r[s] = g.integers(0, comp01.n_rooms)
    for s in chosen[8:]:  # only the room locked
        lock_r[s] = g.integers(0, comp01.n_rooms)
    problem = dataclasses.replace(comp01, locked_start=lock_t, locked_room=lock_r)
    r = optimize(problem, params=OptimizeParams(time_limit=None, generations=2, seed=1, **SMALL))
    for s in chosen[:8]:
        assert r.assignment.start[s] == lock_t[s] and r.assignment.room[s] == lock_r[s]
    for s in chosen[8:]:
        assert r.assignment.room[s] == lock_r[s]
    # a start that already keeps the locks: still kept (minimal-change run too)
    r2 = optimize(problem, start=r.assignment,
                  params=OptimizeParams(time_limit=None, generations=1, seed=2, minimal_change=True, **SMALL))
    assert np.array_equal(r2.assignment.start[chosen[:8]], lock_t[chosen[:8]])
    assert np.array_equal(r2.assignment.room[chosen], lock_r[chosen])


def test_cancel_returns_the_best_so_far_within_half_a_second(comp01) -> None:
    flag = threading.Event()
    searching = threading.Event()  # set by the first progress snapshot of the search (it has a solution)
    seen: list[Snapshot] = []

    def on_progress(p) -> None:
        snap = p.detail
        seen.append(snap)
        if snap.phase != "prepare" and snap.best_hard >= 0:
            searching.set()

    out = {}

    def run():
        out["r"] = optimize(comp01, params=OptimizeParams(time_limit=60, seed=0),
                            on_progress=on_progress, should_stop=flag.is_set)
        out["t"] = time.perf_counter()

    th = threading.Thread(target=run)
    th.start()
    assert searching.wait(120), "no progress snapshot of the search within 120 s"
    t_cancel = time.perf_counter()
    flag.set()
    th.join(30)
    assert not th.is_alive()
    r = out["r"]
    latency = out["t"] - t_cancel
    assert latency <= 0.5, f"cancel took {latency:.3f} s"
    assert r.stopped and r.seconds < 30
    assert (r.assignment.start >= 0).all()
    assert full_cost(comp01, r.assignment) == (r.hard, r.soft)
    best_seen = min((p.best_hard, p.best_soft) for p in seen if p.best_hard >= 0)
    assert (r.hard, r.soft) <= best_seen


def test_progress_comes_several_times_a_second(comp01) -> None:
    stamps: list[tuple[float, Progress]] = []
    r = optimize(comp01, params=OptimizeParams(time_limit=3, seed=0),
                 on_progress=lambda p: stamps.append((time.perf_counter(), p)))
    # the one progress type: seconds of the time limit done, a sentence, the engine's own figures in detail
    assert all(type(p) is Progress and isinstance(p.detail, Snapshot) and p.total == 3 and p.message
               and p.done == p.detail.elapsed for _, p in stamps)
    run = [(t, p.detail) for t, p in stamps if p.detail.phase != "prepare"]
    gaps = np.diff([t for t, _ in run])
    assert len(run) >= 3 * 3, len(run)
    assert gaps.max() <= 0.5, f"longest silence {gaps.max():.3f} s"
    evals = [p.evaluations for _, p in run]
    assert evals == sorted(evals) and evals[-1] == r.evaluations
    last = run[-1][1]
    assert last.phase == "done" and (last.best_hard, last.best_soft) == (r.hard, r.soft)
    assert all(p.evals_per_second >= 0 and p.elapsed >= 0 for _, p in run)


def test_two_runs_in_two_threads_both_progress(comp01) -> None:
    """The numba loops release the GIL: two runs side by side both keep moving."""
    logs: list[list[tuple[float, int]]] = [[], []]
    results = [None, None]

    def run(i):
        results[i] = optimize(comp01, params=OptimizeParams(time_limit=3, seed=i),
                              on_progress=lambda p: logs[i].append((time.perf_counter(), p.detail.evaluations)))

    ths = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for th in ths:
        th.start()
    for th in ths:
        th.join(60)
    assert all(r is not None and r.hard == 0 for r in results)
    t_lo = max(log[1][0] for log in logs)  # both past their first progress report
    t_hi = min(log[-1][0] for log in logs)
    assert t_hi - t_lo > 1.5
    for log in logs:
        inside = [e for t, e in log if t_lo <= t <= t_hi]
        assert len(inside) >= 4 and inside[-1] > inside[0]
        gaps = np.diff([t for t, _ in log[1:]])
        assert gaps.max() <= 1.2  # reports every 0.2 s; a thread held off by the GIL for its run would show ~3 s


def test_demo_department_reaches_zero_hard(demo_problem) -> None:
    from ato_desktop.engine.state import full_counts

    r = optimize(demo_problem, params=OptimizeParams(time_limit=6, seed=0))
    assert r.hard == 0, full_counts(demo_problem, r.assignment)
    assert r.first_feasible_seconds is not None and r.first_feasible_seconds <= r.seconds
    assert full_cost(demo_problem, r.assignment) == (0, r.soft)
    from ato_desktop.engine.evaluate import evaluate

    assert (evaluate(demo_problem, r.assignment).hard, evaluate(demo_problem, r.assignment).soft) == (0, r.soft)


def test_minimal_change_moves_fewer_sessions_than_a_free_run_after_a_hand_edit(demo_problem) -> None:
    p = demo_problem
    base = optimize(p, params=OptimizeParams(time_limit=4, seed=0)).assignment
    assert full_cost(p, base)[0] == 0
    # hand edit: move two single-period sessions (not in an elective basket) to other free-looking slots
    in_sync = np.zeros(p.n_sessions, bool)
    for m in p.sync_sets:
        in_sync[m] = True
    edited = base.copy()
    movable = [s for s in range(p.n_sessions) if p.session_duration[s] == 1 and not in_sync[s]]
    g = np.random.default_rng(5)
    for s in g.choice(movable, size=2, replace=False):
        choices = [t for t in range(p.n_slots) if p.slot_usable[t] and t != base.start[s]]
        edited.start[s] = choices[int(g.integers(0, len(choices)))]
    assert full_cost(p, edited) != full_cost(p, base)
    keep = optimize(p, start=edited, params=OptimizeParams(time_limit=3, seed=1, minimal_change=True))
    free = optimize(p, start=edited, params=OptimizeParams(time_limit=3, seed=1))
    assert keep.hard == 0
    assert keep.changed_sessions < free.changed_sessions, (keep.changed_sessions, free.changed_sessions)
    assert keep.changed_sessions <= 12
    moved = (keep.assignment.start != edited.start) | (p.session_needs_room & (keep.assignment.room != edited.room))
    assert int(moved.sum()) == keep.changed_sessions
    # the reported soft cost is the plain soft cost (no change penalty in it)
    assert full_cost(p, keep.assignment) == (keep.hard, keep.soft)


def test_bad_parameters_are_refused(comp01) -> None:
    with pytest.raises(ValueError, match="time_limit or a number of generations"):
        optimize(comp01, params=OptimizeParams(time_limit=None, generations=None))
    with pytest.raises(ValueError, match="minimal_change needs a start"):
        optimize(comp01, params=OptimizeParams(time_limit=1, minimal_change=True))
    with pytest.raises(ValueError):
        optimize(comp01, start=Assignment(np.zeros(3, np.int32), np.zeros(3, np.int32)),
                 params=OptimizeParams(time_limit=1))



def test_the_run_stops_early_at_a_proven_optimum() -> None:
    """Issue 16: hard 0 and soft 0 cannot be beaten, so the run ends there instead of using its whole time."""
    from tests.engine.handmade import S, make

    p = make([S("CS301 L", "Dr. Rao", "CSE-3A"), S("CS305 L", "Dr. Iyer", "CSE-3A")])  # side by side: soft 0
    t0 = time.perf_counter()
    result = optimize(p, None, OptimizeParams(time_limit=60, seed=3, population_size=4))
    assert (result.hard, result.soft) == (0, 0)
    assert result.optimal and not result.stopped
    assert time.perf_counter() - t0 < 20  # far from the 60 s limit (most of it is loading the kernels)
    assert result.history[-1].phase == "done"


def test_long_runs_anneal_each_offspring_longer(comp01) -> None:
    """In a segment (``engine.schedule``) over ``long_run_from`` seconds an offspring's chain grows with the
    segment (longer, slower-cooling annealing rather than more short chains from the elite, which stalled); in a
    60 s run, a long run's first 60 + 60 s, and with a generation limit alone, nothing changes (the 60 s figures
    and the deterministic runs).  The work clock (``work_rate``) sets the run's time."""
    from ato_desktop.engine.optimizer import _Search

    sr = _Search(comp01, None, OptimizeParams(time_limit=300, generation_iterations=6_000, work_rate=1000.0),
                 None, None)
    assert sr.generation_iterations() == 6_000  # the first segment is a 60 s run
    sr.evaluations = 130_000  # 130 s: in the last segment, 120-300 s
    assert sr.generation_iterations() == 18_000
    # near the end the chain shrinks to what the time left allows (at the clock's rate), never below the base
    sr.evaluations = 290_000
    assert 8_900 <= sr.generation_iterations() <= 9_000
    sr.evaluations = 299_900
    assert sr.generation_iterations() == 6_000
    for limit in (60, 10, None):
        sr.params = dataclasses.replace(sr.params, time_limit=limit, generations=5)
        assert sr.generation_iterations() == 6_000


def test_long_runs_start_hotter_with_more_kempe_chains(comp01, monkeypatch) -> None:
    """A segment of a run over ``long_run_from`` seconds starts its schedule at ``long_temp_start`` (a
    hotter start escapes the deep valleys of tight files such as comp03 and comp05, and the segment has the time
    to cool) and draws Kempe chains with ``long_p_kempe``; it still ends at ``temp_end``.  Up to
    ``long_run_from``, and with a generation limit alone, nothing changes (the 60 s figures and the
    deterministic runs)."""
    from deap import base

    from ato_desktop.engine import local_search as SK
    from ato_desktop.engine import optimizer as O

    seen: list[float] = []
    real = SK.sa_chunk

    def spy(cp, st, rs, sr_, fpar, *rest):
        seen.append(float(fpar[SK.F_PKEMPE]))
        return real(cp, st, rs, sr_, fpar, *rest)

    monkeypatch.setattr(O.SK, "sa_chunk", spy)

    def p_kempe(sr) -> float:
        st = sr._new_state()
        seen.clear()
        sr.anneal(st, 10, 1.0, 0.5, type("F", (base.Fitness,), {"weights": (-1.0, -1.0)}))
        return seen[0]

    sr = O._Search(comp01, None, OptimizeParams(time_limit=300, generation_iterations=6_000, work_rate=1000.0),
                   None, None)
    assert not sr.long_run()  # the first 60 s are a 60 s run
    sr.evaluations = 130_000  # 130 s: the last segment, 120-300 s, is a long one
    assert sr.long_run()
    assert sr.params.long_temp_start > sr.params.temp_start
    assert sr.temperature(0.0) == pytest.approx(sr.params.long_temp_start)
    assert sr.temperature(1.0) == pytest.approx(sr.params.temp_end)
    assert sr.params.long_p_kempe > sr.params.p_kempe
    assert p_kempe(sr) == pytest.approx(sr.params.long_p_kempe)
    sr.evaluations = 0
    for limit in (60, 10, None):
        sr.params = dataclasses.replace(sr.params, time_limit=limit, generations=5)
        assert not sr.long_run()
        assert sr.temperature(0.0) == pytest.approx(sr.params.temp_start)
        assert sr.temperature(1.0) == pytest.approx(sr.params.temp_end)
        assert p_kempe(sr) == pytest.approx(sr.params.p_kempe)
