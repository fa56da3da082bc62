"""The day profile (issue 17): per-resource limits on each day's occupancy, on hand-built problems.

For each rule: a violating case with its exact count and sentence, a near miss (0), and the exact
penalty (weight x count) through ``evaluate``, the kernels' full cost and the move deltas."""

from __future__ import annotations

import numpy as np

from ato_desktop.engine import evaluate, full_cost
from ato_desktop.engine.kernels import compile_problem
from ato_desktop.engine.state import State
from tests.engine.handmade import S, expect, idx, make, place

PERIODS = ("P1", "P2", "P3", "P4", "P5", "P6")
DAYS = ("Mon", "Tue", "Wed")


def _grp(*slots, who="CSE-3A"):
    """Sessions L0, L1... of ``who`` and where they are."""
    sessions = [S(f"L{k}", who) for k in range(len(slots))]
    return sessions, {f"L{k}": (t, "R1") for k, t in enumerate(slots)}


def test_max_gaps_week_counts_idle_periods_above_the_weekly_limit() -> None:
    sessions, where = _grp("Mon P1", "Mon P4", "Tue P1", "Tue P3")  # idle: Mon P2 P3, Tue P2
    p = make(sessions, periods=PERIODS, days=DAYS, profile={"resource_max_gaps_week": {"CSE-3A": 1}})
    (v,) = expect(p, place(p, where), "max_gaps_week", 2)
    assert v.resources == (2,) and v.slots == (1, 2, 7) and v.sessions == idx(p, "L0", "L1", "L2", "L3")
    assert v.message == "CSE-3A has 3 idle periods this week (Mon P2–P3, Tue P2); the limit is 1"
    # near miss: limit 3
    p3 = make(sessions, periods=PERIODS, days=DAYS, profile={"resource_max_gaps_week": {"CSE-3A": 3}})
    expect(p3, place(p3, where), "max_gaps_week", 0)
    # a break or an unavailable period is not idle (as in FET)
    p4 = make(sessions, periods=PERIODS, days=DAYS, breaks=("P2",), unavailable={"CSE-3A": ["Mon P3"]},
              profile={"resource_max_gaps_week": {"CSE-3A": 0}})
    expect(p4, place(p4, where), "max_gaps_week", 0)
    # a limit of 0 for a teacher: one idle period costs 1; no limit (-1) for the other resources
    p5 = make([S("A", "Dr. Rao"), S("B", "Dr. Rao")], periods=PERIODS, days=DAYS,
              profile={"resource_max_gaps_week": {"Dr. Rao": 0}})
    expect(p5, place(p5, {"A": ("Tue P1", "R1"), "B": ("Tue P3", "R1")}), "max_gaps_week", 1)


def test_max_gaps_day_counts_per_day() -> None:
    sessions, where = _grp("Mon P1", "Mon P4", "Tue P1", "Tue P3")
    p = make(sessions, periods=PERIODS, days=DAYS, profile={"resource_max_gaps_day": {"CSE-3A": 1}})
    (v,) = expect(p, place(p, where), "max_gaps_day", 1)  # Mon 2 idle (1 above), Tue 1 (at the limit)
    assert v.slots == (1, 2) and v.sessions == idx(p, "L0", "L1")
    assert v.message == "CSE-3A has 2 idle periods on Mon (Mon P2–P3); the limit is 1 a day"
    p2 = make(sessions, periods=PERIODS, days=DAYS, profile={"resource_max_gaps_day": {"CSE-3A": 2}})
    expect(p2, place(p2, where), "max_gaps_day", 0)


def test_min_hours_daily_with_and_without_empty_days() -> None:
    sessions, where = _grp("Mon P1", "Wed P1", "Wed P2", who="Dr. Rao")  # Mon 1, Tue 0, Wed 2
    p = make(sessions, periods=PERIODS, days=DAYS, profile={"resource_min_daily": {"Dr. Rao": 2}})
    (v,) = expect(p, place(p, where), "min_hours_daily", 1)  # Tue empty: fine
    assert v.message == "Dr. Rao has 1 period on Mon, fewer than the minimum of 2: L0" and v.slots == (0,)
    strict = make(sessions, periods=PERIODS, days=DAYS, profile={
        "resource_min_daily": {"Dr. Rao": 2}, "resource_min_daily_empty_ok": {"Dr. Rao": False}})
    vs = expect(strict, place(strict, where), "min_hours_daily", 3)  # + Tue: the whole minimum
    assert vs[1].message == "Dr. Rao has no period on Tue; every day needs at least 2"
    near = place(p, {**where, "L0": ("Wed P3", "R1")})  # Wed 3, no other day: near miss
    expect(p, near, "min_hours_daily", 0)


def test_early_start_counts_late_days_and_second_period_days_beyond_the_limit() -> None:
    sessions, where = _grp("Mon P2", "Tue P2", "Wed P4")
    p = make(sessions, periods=PERIODS, days=DAYS, profile={"resource_early_max_second": {"CSE-3A": 1}})
    vs = expect(p, place(p, where), "early_start", 3)  # Wed 3 periods late: 2; two days at P2, one allowed: 1
    assert [v.count for v in vs] == [2, 1]
    assert vs[0].message == "CSE-3A starts on Wed at P4, 3 periods after the day's first"
    assert vs[1].message == "CSE-3A starts at the second period on 2 days (Mon, Tue); at most 1 may"
    # the day's first period is its first open one: unavailable at P1 on Wed, P4 is 2 open periods late
    p2 = make(sessions, periods=PERIODS, days=DAYS, unavailable={"CSE-3A": ["Wed P1"]},
              profile={"resource_early_max_second": {"CSE-3A": 2}})
    expect(p2, place(p2, where), "early_start", 1)
    near = place(p2, {**where, "L2": ("Wed P2", "R1")})  # Wed starts at its first open period
    expect(p2, near, "early_start", 0)


def test_group_max_daily_and_consecutive() -> None:
    p = make([S("Lab", "CSE-3A", dur=2), S("A", "CSE-3A"), S("B", "CSE-3A")], periods=PERIODS, days=DAYS,
             breaks=("P4",), profile={"resource_group_max_daily": {"CSE-3A": 3},
                                      "resource_group_max_consecutive": {"CSE-3A": 2}})
    a = place(p, {"Lab": ("Mon P1", "R1"), "A": ("Mon P3", "R2"), "B": ("Mon P5", "R1")})
    (v,) = expect(p, a, "group_max_daily", 1)  # 4 periods on Mon, limit 3
    assert v.message == "CSE-3A has 4 periods on Mon; the limit is 3: Lab, A and B"
    (c,) = expect(p, a, "group_max_consecutive", 1)  # P1-P3 in a row, the break ends the run
    assert c.message == "CSE-3A has 3 periods in a row on Mon P1–P3 (maximum 2): Lab and A" and c.slots == (0, 1, 2)
    near = place(p, {"Lab": ("Mon P1", "R1"), "A": ("Mon P5", "R2"), "B": ("Tue P5", "R1")})
    expect(p, near, "group_max_daily", 0)
    expect(p, near, "group_max_consecutive", 0)


def test_min_days_week() -> None:
    sessions, where = _grp("Mon P1", "Mon P2", "Tue P1", who="Dr. Rao")
    p = make(sessions, periods=PERIODS, days=DAYS, profile={"resource_min_days": {"Dr. Rao": 3}})
    (v,) = expect(p, place(p, where), "min_days_week", 1)
    assert v.message == "Dr. Rao comes on 2 days (Mon, Tue), fewer than the minimum of 3"
    expect(p, place(p, {**where, "L1": ("Wed P2", "R1")}), "min_days_week", 0)


def test_exact_penalty_weights_and_move_deltas() -> None:
    sessions, where = _grp("Mon P1", "Mon P4", "Tue P2", "Tue P3")
    p = make(sessions, periods=PERIODS, days=DAYS, weights={"max_gaps_week": 7, "early_start": 5},
             profile={"resource_max_gaps_week": {"CSE-3A": 0}, "resource_early_max_second": {"CSE-3A": 0}})
    a = place(p, where)
    score = evaluate(p, a)
    assert score.by_constraint["max_gaps_week"].cost == 7 * 2  # Mon P2, P3
    assert score.by_constraint["early_start"].cost == 5 * 1  # Tue at P2
    st = State(p, a)
    for s, t in ((1, 1), (2, 0), (0, 16), (3, -1)):  # each move's delta equals two full evaluations
        before = st.assignment()
        dh, ds = st.delta_move(s, t, 0)
        after = before.copy()
        after.start[s], after.room[s] = t, 0
        assert (dh, ds) == tuple(np.subtract(full_cost(p, after), full_cost(p, before)))
        st.apply_move(s, t, 0)
    assert evaluate(p, st.assignment()).by_constraint["max_gaps_week"].count == 0


def test_a_problem_without_limits_skips_the_day_profile() -> None:
    p = make([S("A", "CSE-3A")], periods=PERIODS, days=DAYS)
    assert not compile_problem(p).prof_any.any()
    # "empty days not allowed" alone, without a minimum, counts nothing
    p2 = make([S("A", "CSE-3A")], periods=PERIODS, days=DAYS,
              profile={"resource_min_daily_empty_ok": {"CSE-3A": False}})
    assert not compile_problem(p2).prof_any.any()


def test_interval_max_days_counts_days_busy_in_a_part_of_the_day() -> None:
    sessions, where = _grp("Mon P1", "Tue P2", "Wed P1", "Wed P2", who="Dr. Rao")
    prof = {"resource_interval_max_days": {"Dr. Rao": 1}, "resource_interval_from": {"Dr. Rao": 0},
            "resource_interval_to": {"Dr. Rao": 1}}  # the first period
    p = make(sessions, periods=PERIODS, days=DAYS, profile=prof)
    (v,) = expect(p, place(p, where), "interval_max_days", 1)  # Mon and Wed at P1
    assert v.message == "Dr. Rao has classes in P1 on 2 days (Mon, Wed); at most 1 may"
    assert v.slots == (0, 12) and v.sessions == idx(p, "L0", "L2")
    wide = make(sessions, periods=PERIODS, days=DAYS, profile={**prof, "resource_interval_to": {"Dr. Rao": 2}})
    expect(wide, place(wide, where), "interval_max_days", 2)  # P1-P2: all three days
    expect(p, place(p, {**where, "L0": ("Mon P3", "R1")}), "interval_max_days", 0)  # near miss
