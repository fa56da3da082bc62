"""The anytime schedule (issue 18 §1, ``engine.schedule``): a long run restarts from its elite at segment ends
that double from ``long_run_from``, so that stopping it at one of them gives what a run that long gives.

The runs here use the fixed-work clock (``OptimizeParams.work_rate``: so many evaluations count as a second),
so their time-limited schedules are deterministic whatever the machine's load.
"""

from __future__ import annotations

import dataclasses

import pytest

from ato_desktop.engine import schedule
from ato_desktop.engine.optimizer import OptimizeParams, _Search, optimize
from ato_desktop.io.ctt import load_ctt_problem
from tests.conftest_itc import itc_dataset_dir

ITC_DIR = itc_dataset_dir()


@pytest.fixture(scope="module")
def comp01():
    if not ITC_DIR.is_dir():
        pytest.skip(f"ITC-2007 dataset not found at {ITC_DIR}")
    return load_ctt_problem(ITC_DIR / "comp01.ctt")


def test_segment_ends_double_from_the_first_and_the_last_is_the_longest() -> None:
    assert schedule.segment_ends(None, 60) == ()
    assert schedule.segment_ends(10, 60) == (10,)
    assert schedule.segment_ends(60, 60) == (60,)
    assert schedule.segment_ends(90, 60) == (60, 90)
    assert schedule.segment_ends(120, 60) == (60, 120)
    assert schedule.segment_ends(300, 60) == (60, 120, 300)
    assert schedule.segment_ends(600, 60) == (60, 120, 240, 600)
    assert schedule.segment_ends(300, float("inf")) == (300,)  # anytime=False: one schedule over the limit
    assert schedule.segment_at(0, (60, 120, 300)) == (0, 60)
    assert schedule.segment_at(60, (60, 120, 300)) == (60, 120)
    assert schedule.segment_at(299, (60, 120, 300)) == (120, 300)
    assert schedule.segment_at(5, ()) == (0, None)
    assert schedule.fraction(90, (60, 120)) == pytest.approx(0.5)
    assert schedule.fraction(5, (0, None), generation=3, generations=4) == pytest.approx(0.75)


def test_a_long_run_cools_at_each_segment_end_and_reheats_after(comp01) -> None:
    """A 300 s run anneals its first 60 s as a 60 s run (plain start temperature, cool by 60 s), then starts
    again hot at 60 and at 120 s; the last segment (180 s) has the long-run settings.  Before, one schedule
    over the whole 300 s was still at 3.8 (of 8 to 0.2) at 60 s."""
    p = OptimizeParams(time_limit=300, work_rate=1000.0)
    sr = _Search(comp01, None, p, None, None)

    def at(seconds: float) -> tuple[float, bool]:
        sr.evaluations = int(seconds * 1000)
        return sr.temperature(sr.seg_frac()), sr.long_run()

    assert at(0) == (pytest.approx(p.temp_start), False)
    assert at(59.99)[0] == pytest.approx(p.temp_end, rel=1e-3)
    assert at(60) == (pytest.approx(p.temp_start), False)
    assert at(119.99)[0] == pytest.approx(p.temp_end, rel=1e-3)
    assert at(120) == (pytest.approx(p.long_temp_start), True)
    assert at(210)[0] == pytest.approx((p.long_temp_start * p.temp_end) ** 0.5)
    # the stretched schedule, as before (anytime=False): still hot at 60 s
    sr.params = dataclasses.replace(p, anytime=False)
    assert at(60)[0] == pytest.approx(p.long_temp_start * (p.temp_end / p.long_temp_start) ** 0.2)
    assert at(60)[1]


def test_a_long_run_is_at_each_segment_end_what_a_run_that_long_gives(comp01) -> None:
    """The anytime property: with the same seed, a run with limit 3 s (segments ending at 1, 2 and 3 s with
    ``long_run_from`` 1) has, at 1 s and at 2 s, the best that runs with limits 1 s and 2 s end with (on the
    fixed-work clock, the same search up to there)."""
    base = OptimizeParams(time_limit=3, long_run_from=1, work_rate=60_000.0, seed=4, population_size=2,
                          init_iterations=4_000, generation_iterations=20_000, progress_interval=0.01)
    full = optimize(comp01, params=base)

    def best_at(t: float) -> tuple[int, int]:
        snap = [h for h in full.history if h.elapsed <= t + 1e-9][-1]
        return snap.best_hard, snap.best_soft

    for limit in (1, 2):
        short = optimize(comp01, params=dataclasses.replace(base, time_limit=limit))
        assert (short.hard, short.soft) == best_at(limit), limit
    assert full.evaluations == pytest.approx(3 * 60_000, abs=10)
    again = optimize(comp01, params=base)  # and the run is deterministic on this clock
    assert (again.soft, again.evaluations) == (full.soft, full.evaluations)
    assert (again.assignment.start == full.assignment.start).all()


def test_a_chain_long_against_its_segment_ends_cool_where_it_ends() -> None:
    """An offspring chain ends ``generation_cooling`` below its start, or where the schedule is at the chain's
    end if that is cooler: a chain that fills most of a segment (a loaded machine) then ends near ``temp_end``
    instead of at a third of its hot start.  Without a time limit (or a rate yet) nothing changes."""
    def temp(f: float) -> float:
        return schedule.temperature(f, 8.0, 0.2)

    # a 9 M chain at 60 k a second from the start of a 180 s segment ends at 150 s: 0.37, not 8 * 0.3
    assert schedule.chain_end(2.4, 120, 9_000_000, 60_000, (120, 300), temp) == pytest.approx(temp(150 / 180))
    # a short chain (an idle machine) keeps the sawtooth: 0.3 of its start
    assert schedule.chain_end(2.4, 120, 9_000_000, 600_000, (120, 300), temp) == 2.4
    assert schedule.chain_end(2.4, 0, 9_000_000, 60_000, (0, None), temp) == 2.4
    assert schedule.chain_end(2.4, 0, 9_000_000, 0.0, (0, 60), temp) == 2.4
    # past the segment's end: its last temperature
    assert schedule.chain_end(2.4, 290, 9_000_000, 60_000, (120, 300), temp) == pytest.approx(0.2)
