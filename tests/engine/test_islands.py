"""The optimizer on several threads (engine.islands): determinism, feasibility, cancel, merged progress."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from ato_desktop.engine.islands import (
    _Exchange,
    default_threads,
    island_params,
    island_seed,
)
from ato_desktop.engine.optimizer import OptimizeParams, Snapshot, optimize
from ato_desktop.engine.state import full_cost
from ato_desktop.progress import Progress

SMALL = dict(population_size=2, init_iterations=4_000, generation_iterations=6_000)


def _key(r) -> bytes:
    return r.assignment.start.tobytes() + r.assignment.room.tobytes()


def test_same_seed_threads_and_generation_limit_give_the_same_result(comp01) -> None:
    params = OptimizeParams(time_limit=None, generations=6, seed=7, threads=2, exchange_at=(0.5,), **SMALL)
    a = optimize(comp01, params=params)
    b = optimize(comp01, params=params)
    assert _key(a) == _key(b) and (a.hard, a.soft) == (b.hard, b.soft)
    assert a.generations == 6 and a.evaluations == b.evaluations
    assert full_cost(comp01, a.assignment) == (a.hard, a.soft)
    # two islands did twice the work of one
    one = optimize(comp01, params=OptimizeParams(time_limit=None, generations=6, seed=7, **SMALL))
    assert a.evaluations == 2 * one.evaluations
    # the islands' CPU time and the time inside the (GIL-free) annealing kernel are measured, per run
    assert 0 < a.kernel_seconds <= 2 * a.seconds + 0.05 and 0 < a.cpu_seconds <= 2 * a.seconds + 0.05
    assert 0 < one.kernel_seconds <= one.seconds + 0.05 and 0 < one.cpu_seconds <= one.seconds + 0.05


class _Fit:
    def __init__(self, h, sp):
        self.values = (h, sp)


class _Ind:
    def __init__(self, h, sp, tag):
        self.fitness, self.soft = _Fit(h, sp), sp
        self.start, self.room = np.full(3, tag, np.int32), np.zeros(3, np.int32)


class _Sr:
    def __init__(self, ind, frac):
        self.best, self.f, self.stopped = ind, frac, False

    def frac(self):
        return self.f


def test_the_synchronous_exchange_hands_the_best_to_the_other_island_at_its_point_only() -> None:
    ex = _Exchange(2, at=(0.5,), synchronous=True)
    srs = [_Sr(_Ind(0, 50, 1), 0.25), _Sr(_Ind(0, 40, 2), 0.25)]
    got = [None, None]

    def run(i):
        got[i] = ex.migrate(i)(srs[i])

    def both():
        ths = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for th in ths:
            th.start()
        for th in ths:
            th.join(10)

    both()  # before the point the islands search apart: nothing moves, although island 1 is better
    assert got == [None, None]
    for sr in srs:
        sr.f = 0.5
    both()
    assert got[1] is None  # island 1 holds the best already
    start, _room, h, sp, _soft = got[0]
    assert (h, sp) == (0, 40) and (start == 2).all()
    got = [None, None]
    for sr in srs:
        sr.f = 0.75
    both()  # a post is taken once: no second exchange after the point
    assert got == [None, None]


def test_the_asynchronous_exchange_lets_the_first_island_take_a_later_post() -> None:
    ex = _Exchange(2, at=(0.5,), synchronous=False)
    a, b = _Sr(_Ind(0, 50, 1), 0.5), _Sr(_Ind(0, 40, 2), 0.1)
    take_a, take_b = ex.migrate(0), ex.migrate(1)
    assert take_a(a) is None  # island 0 is first at the point: nobody else has posted yet
    assert take_b(b) is None  # island 1 has not reached it
    b.f = 0.6
    assert take_b(b) is None  # island 1 posts; island 0's post is worse than its own best
    start, _room, h, sp, _soft = take_a(a)  # island 0 sees island 1's post at its next generation
    assert (h, sp) == (0, 40) and (start == 2).all()
    assert take_a(a) is None  # once


def test_apart_islands_are_never_worse_than_one_thread_at_the_same_work(comp01) -> None:
    """Without an exchange island 0 is exactly the one-thread run (same seed, same generations), so two
    threads at the same work per thread end at least as well; the default exchange keeps them apart
    until two thirds of the run (an exchange every generation made both follow one lineage)."""
    gen = dict(time_limit=None, generations=4, seed=3, **SMALL)
    one = optimize(comp01, params=OptimizeParams(**gen))
    apart = optimize(comp01, params=OptimizeParams(threads=2, exchange_at=(), **gen))
    assert (apart.hard, apart.soft) <= (one.hard, one.soft)
    assert apart.evaluations == 2 * one.evaluations
    assert OptimizeParams().exchange_at == (2 / 3,)


def test_the_second_island_starts_hotter_and_cools_to_the_same_end() -> None:
    """A portfolio, not two copies: island 0 is the one-thread run until the first meeting, island 1
    starts hotter (another valley); both end at temp_end."""
    params = OptimizeParams(time_limit=None, generations=6, seed=4, threads=2)
    assert params.island_heat == (1.0, 4.0)
    one, two, three = (island_params(params, i) for i in range(3))
    assert replace(one, threads=2) == params
    assert (two.temp_start, two.temp_end, two.seed, two.threads) == (4 * params.temp_start, params.temp_end,
                                                                     island_seed(4, 1), 1)
    assert three.temp_start == params.temp_start  # the factors cycle
    alike = replace(params, island_heat=())
    assert island_params(alike, 1).temp_start == params.temp_start


def test_a_reheat_when_stuck_is_deterministic(comp01) -> None:
    params = OptimizeParams(time_limit=None, generations=12, seed=1, reheat_after=1, reheat_back=1.0,
                            **{**SMALL, "generation_iterations": 300})  # short chains: the best gets stuck
    a, b = optimize(comp01, params=params), optimize(comp01, params=params)
    assert a.reheats >= 1 and a.reheats == b.reheats
    assert _key(a) == _key(b) and full_cost(comp01, a.assignment) == (a.hard, a.soft)
    cold = optimize(comp01, params=replace(params, reheat_after=0))
    assert cold.reheats == 0
    # the reheats changed the search (a reheated child takes the worst's place even when it is worse)
    assert [g["avg_soft"] for g in a.logbook] != [g["avg_soft"] for g in cold.logbook]


def test_two_threads_reach_zero_hard_on_the_demo(demo_problem) -> None:
    seen: list[Progress] = []
    r = optimize(demo_problem, params=OptimizeParams(time_limit=6, seed=0, threads=2), on_progress=seen.append)
    assert r.hard == 0
    assert full_cost(demo_problem, r.assignment) == (0, r.soft)
    assert all(type(p) is Progress and isinstance(p.detail, Snapshot) and p.total == 6 for p in seen)
    run = [p.detail for p in seen if p.detail.phase != "prepare"]
    evals = [p.evaluations for p in run]
    assert evals == sorted(evals) and evals[-1] == r.evaluations
    assert (run[-1].phase, run[-1].best_hard, run[-1].best_soft) == ("done", r.hard, r.soft)
    assert len(run) >= 10  # merged progress several times a second


def test_cancel_with_two_threads_returns_promptly(comp01) -> None:
    flag = threading.Event()
    seen: list[Snapshot] = []
    out = {}

    def run():
        out["r"] = optimize(comp01, params=OptimizeParams(time_limit=60, seed=0, threads=2),
                            on_progress=lambda p: seen.append(p.detail), should_stop=flag.is_set)
        out["t"] = time.perf_counter()

    th = threading.Thread(target=run)
    th.start()
    deadline = time.perf_counter() + 120
    while not any(p.phase != "prepare" and p.best_hard >= 0 for p in seen):  # a first solution
        assert time.perf_counter() < deadline
        time.sleep(0.05)
    t_cancel = time.perf_counter()
    flag.set()
    th.join(30)
    assert not th.is_alive()
    assert out["t"] - t_cancel <= 0.5, f"cancel took {out['t'] - t_cancel:.3f} s"
    r = out["r"]
    assert r.stopped and r.seconds < 30
    assert not [t for t in threading.enumerate() if t.name.startswith("ato-island-")]
    assert full_cost(comp01, r.assignment) == (r.hard, r.soft)


def test_cancel_during_a_synchronous_run_releases_the_waiting_island(comp01) -> None:
    flag = threading.Event()
    flag.set()  # cancelled from the start: nobody may hang at the exchange
    t0 = time.perf_counter()
    r = optimize(comp01, params=OptimizeParams(time_limit=None, generations=1000, seed=0, threads=2, **SMALL),
                 should_stop=flag.is_set)
    assert r.stopped and time.perf_counter() - t0 < 30
    assert not [t for t in threading.enumerate() if t.name.startswith("ato-island-")]


def test_defaults_and_seeds() -> None:
    assert default_threads() >= 1
    assert island_seed(5, 0) == 5 and island_seed(5, 1) == island_seed(5, 1) != island_seed(5, 2)
    with pytest.raises(ValueError, match="threads"):
        optimize(None, params=OptimizeParams(time_limit=1, threads=0))
