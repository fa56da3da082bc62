"""Limits on the periods a set of activities takes (issue 17, FET's activity-tag max hours daily and
continuously): per rule a violating case, a near miss and the exact penalty, counted alike by the unit,
evaluate(), the kernels' full cost and State (tests.engine.handmade.expect); move deltas = the difference
of two full evaluations."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ato_desktop.engine import evaluate
from ato_desktop.engine.state import State
from tests.engine.handmade import S, expect, idx, make, place

PERIODS = ("P1", "P2", "P3", "P4", "P5", "P6")


def limited(p, *relations):
    """``p`` with relations given as (rule, labels, limit)."""
    rels = tuple((rule, np.array(idx(p, *labels), np.int32), m) for rule, labels, m in relations)
    return dataclasses.replace(p, relations=rels)


def base(**kw):
    # Dr. Rao's labs of CSE-3A (the set: "Dr. Rao's activities tagged Lab"), a lecture of his outside the set
    return make([S("Lab1", "Dr. Rao", "CSE-3A", dur=2), S("Lab2", "Dr. Rao", "CSE-3A", dur=2),
                 S("Lab3", "Dr. Rao", "CSE-3A"), S("Lec", "Dr. Rao", "CSE-3A")], periods=PERIODS, **kw)


LABS = ("Lab1", "Lab2", "Lab3")


def test_max_daily_counts_the_sets_periods_above_the_limit() -> None:
    p = limited(base(), ("activities_max_daily", LABS, 3))
    a = place(p, {"Lab1": ("Mon P1", "R1"), "Lab2": ("Mon P4", "R1"), "Lab3": ("Mon P6", "R1"),
                  "Lec": ("Mon P3", "R1")})
    (v,) = expect(p, a, "activities_max_daily", 2)  # 5 periods of labs on Mon, the limit 3; Lec not counted
    assert v.message == "Dr. Rao and CSE-3A have 5 periods of Lab1, Lab2 and Lab3 on Mon; the limit is 3"
    # near miss: exactly the limit on a day (the lecture beside does not count)
    near = place(p, {"Lab1": ("Mon P1", "R1"), "Lab3": ("Mon P3", "R1"), "Lec": ("Mon P4", "R1"),
                     "Lab2": ("Tue P1", "R1")})
    expect(p, near, "activities_max_daily", 0)
    # limit 0: every period of the set counts
    p0 = limited(base(), ("activities_max_daily", ("Lab3",), 0))
    expect(p0, place(p0, {"Lab3": ("Tue P2", "R1")}), "activities_max_daily", 1)


def test_max_consecutive_counts_runs_of_the_set_only() -> None:
    p = limited(base(breaks=("P5",)), ("activities_max_consecutive", LABS, 2))
    # Lab1 P1-P2 + Lab3 P3: a run of 3 (1 over); Lab2 P6 after the break P5 starts a new run
    a = place(p, {"Lab1": ("Mon P1", "R1"), "Lab3": ("Mon P3", "R1"), "Lab2": ("Tue P3", "R1"),
                  "Lec": ("Tue P5", "R1")})
    (v,) = expect(p, a, "activities_max_consecutive", 1)
    assert v.message == "Dr. Rao and CSE-3A have 3 periods in a row of Lab1 and Lab3 on Mon P1–P3; the limit is 2"
    # near miss: a class outside the set ends the run (Lab1, Lec, Lab3)
    near = place(p, {"Lab1": ("Mon P1", "R1"), "Lec": ("Mon P3", "R1"), "Lab3": ("Mon P4", "R1"),
                     "Lab2": ("Tue P1", "R1")})
    expect(p, near, "activities_max_consecutive", 0)
    # runs of one lab each: 2 periods in a row, 1 over the limit of 1, on Mon and on Tue
    p1 = limited(base(breaks=("P5",)), ("activities_max_consecutive", LABS, 1))
    a1 = place(p1, {"Lab3": ("Tue P4", "R1"), "Lab1": ("Mon P1", "R1"), "Lab2": ("Tue P1", "R1")})
    expect(p1, a1, "activities_max_consecutive", 2)  # the two labs of 2 periods, 1 over each


def test_exact_weighted_penalty_and_move_deltas() -> None:
    p = limited(base(weights={"activities_max_daily": 7, "activities_max_consecutive": 3}),
                ("activities_max_daily", LABS, 2), ("activities_max_consecutive", LABS, 2))
    a = place(p, {"Lab1": ("Mon P1", "R1"), "Lab3": ("Mon P3", "R1"), "Lab2": ("Tue P1", "R1"),
                  "Lec": ("Tue P3", "R1")})
    score = evaluate(p, a)
    assert score.by_constraint["activities_max_daily"].cost == 7 * 1
    assert score.by_constraint["activities_max_consecutive"].cost == 3 * 1
    state = State(p, a)
    assert state.soft == score.soft
    for t in range(p.n_slots):  # every move of a lab and the lecture: delta = difference of two evaluations
        for s in idx(p, "Lab2", "Lab3", "Lec"):
            b = a.copy()
            b.start[s] = t
            assert state.delta_move(s, t, int(a.room[s]))[1] == evaluate(p, b).soft - score.soft


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="the limit must be 0 or more"):
        limited(base(), ("activities_max_daily", LABS, -1))


def test_ordered_min_gaps_counts_only_the_second_after_the_first() -> None:
    p = limited(base(), ("activities_ordered_min_gaps", ("Lec", "Lab1"), 2))
    # Lab1 right after the lecture: 0 periods between, 2 missing
    (v,) = expect(p, place(p, {"Lec": ("Mon P2", "R1"), "Lab1": ("Mon P3", "R1")}), "activities_ordered_min_gaps", 2)
    assert v.message == "Lab1 follows Lec on Mon 0 periods after it; the minimum is 2"
    expect(p, place(p, {"Lec": ("Mon P1", "R1"), "Lab1": ("Mon P3", "R1")}), "activities_ordered_min_gaps", 1)
    # near misses: the gap kept; the lab before the lecture (the order matters); another day
    expect(p, place(p, {"Lec": ("Mon P1", "R1"), "Lab1": ("Mon P4", "R1")}), "activities_ordered_min_gaps", 0)
    expect(p, place(p, {"Lab1": ("Mon P1", "R1"), "Lec": ("Mon P3", "R1")}), "activities_ordered_min_gaps", 0)
    expect(p, place(p, {"Lec": ("Mon P6", "R1"), "Lab1": ("Tue P1", "R1")}), "activities_ordered_min_gaps", 0)


def test_ordered_min_gaps_exact_penalty_and_deltas() -> None:
    p = limited(base(weights={"activities_ordered_min_gaps": 4}), ("activities_ordered_min_gaps", ("Lec", "Lab3"), 1),
                ("activities_ordered_min_gaps", ("Lec", "Lab2"), 2))
    a = place(p, {"Lec": ("Mon P2", "R1"), "Lab3": ("Mon P3", "R1"), "Lab2": ("Mon P4", "R1")})
    score = evaluate(p, a)
    assert score.by_constraint["activities_ordered_min_gaps"].cost == 4 * (1 + 1)
    state = State(p, a)
    for t in range(p.n_slots):
        for s in idx(p, "Lec", "Lab2"):
            b = a.copy()
            b.start[s] = t
            assert state.delta_move(s, t, int(a.room[s]))[1] == evaluate(p, b).soft - score.soft


def two_sets(p, first, second, gap):
    """``p`` with one ordered-gap relation of two sets (FET's ordered pair of activity tags for one subgroup)."""
    sessions = np.array(idx(p, *first) + idx(p, *second), np.int32)
    return dataclasses.replace(p, relations=(("activities_ordered_min_gaps", sessions, gap, len(first)),))


def test_ordered_min_gaps_of_two_sets_counts_every_pair_as_the_pairs_apart() -> None:
    """One relation of two sets (Lec, Lab3 first; Lab1, Lab3 second: Lab3 in both) counts what the pairs
    (Lec, Lab1), (Lec, Lab3), (Lab3, Lab1) count as relations of their own (a session is no pair with itself)."""
    first, second = ("Lec", "Lab3"), ("Lab1", "Lab3")
    p = two_sets(base(), first, second, 2)
    pairs = limited(base(), *[("activities_ordered_min_gaps", (a, b), 2) for a in first for b in second if a != b])
    # violating: Lec P1, Lab3 P2 (0 apart: 2), Lab1 P3-P4 (1 after Lab3: 1; 1 after Lec: 1)
    a = place(p, {"Lec": ("Mon P1", "R1"), "Lab3": ("Mon P2", "R1"), "Lab1": ("Mon P4", "R1")})
    vs = expect(p, a, "activities_ordered_min_gaps", 2 + 0 + 1)
    assert sorted(v.message for v in vs) == [
        "Lab1 follows Lab3 on Mon 1 period after it; the minimum is 2",
        "Lab3 follows Lec on Mon 0 periods after it; the minimum is 2"]
    expect(pairs, a, "activities_ordered_min_gaps", 3)
    # near miss: the second set before the first, or 2 periods apart, or on another day
    for where in ({"Lab1": ("Mon P1", "R1"), "Lab3": ("Mon P3", "R1"), "Lec": ("Mon P6", "R1")},
                  {"Lec": ("Mon P1", "R1"), "Lab3": ("Mon P4", "R1"), "Lab1": ("Tue P3", "R1")},
                  {"Lec": ("Mon P1", "R1"), "Lab1": ("Mon P4", "R1"), "Lab3": ("Tue P1", "R1")}):
        expect(p, place(p, where), "activities_ordered_min_gaps", 0)
        expect(pairs, place(pairs, where), "activities_ordered_min_gaps", 0)


def test_ordered_min_gaps_of_two_sets_exact_penalty_and_deltas() -> None:
    first, second = ("Lec", "Lab3"), ("Lab1", "Lab2", "Lab3")
    p = two_sets(base(weights={"activities_ordered_min_gaps": 3}), first, second, 2)
    pairs = limited(base(weights={"activities_ordered_min_gaps": 3}),
                    *[("activities_ordered_min_gaps", (a, b), 2) for a in first for b in second if a != b])
    cost = lambda q, x: evaluate(q, x).by_constraint["activities_ordered_min_gaps"].cost  # noqa: E731
    a = place(p, {"Lec": ("Mon P1", "R1"), "Lab3": ("Mon P2", "R1"), "Lab1": ("Mon P3", "R1"),
                  "Lab2": ("Tue P1", "R1")})
    score = evaluate(p, a)
    # (Lec, Lab3) 0 apart: 2; (Lec, Lab1) 1 apart: 1; (Lab3, Lab1) 0 apart: 2
    assert score.by_constraint["activities_ordered_min_gaps"].cost == 3 * 5 == cost(pairs, a)
    state = State(p, a)
    assert state.soft == score.soft
    for t in range(p.n_slots):  # every move of each session: delta = difference of two full evaluations
        for s in idx(p, "Lec", "Lab1", "Lab2", "Lab3"):
            b = a.copy()
            b.start[s] = t
            assert state.delta_move(s, t, int(a.room[s]))[1] == evaluate(p, b).soft - score.soft
            assert cost(p, b) == cost(pairs, b)


def test_ordered_min_gaps_sets_must_each_hold_one_session() -> None:
    p = base()
    with pytest.raises(ValueError, match="each set needs one at least"):
        dataclasses.replace(p, relations=(("activities_ordered_min_gaps", np.array(idx(p, "Lec", "Lab1"), np.int32),
                                           2, 2),))
