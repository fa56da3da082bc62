"""Relations between activities (issue 17): per rule a violating case, a near miss and the exact penalty,
counted alike by the unit, evaluate(), the kernels' full cost and State (tests.engine.handmade.expect)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ato_desktop.engine import evaluate
from ato_desktop.engine.state import State
from tests.engine.handmade import S, expect, idx, make, place

PERIODS = ("P1", "P2", "P3", "P4", "P5")


def related(p, *relations):
    """``p`` with relations given as (rule, labels, param)."""
    rels = tuple((rule, np.array(idx(p, *labels), np.int32), param) for rule, labels, param in relations)
    return dataclasses.replace(p, relations=rels)


def base(**kw):
    return make([S("A", "Dr. Rao", "CSE-3A"), S("B", "Dr. Iyer", "CSE-3B"), S("C", "CSE-3A"),
                 S("Lab", "CSE-3B", dur=2)], periods=PERIODS, **kw)


def test_not_overlapping_counts_shared_slots() -> None:
    p = related(base(), ("activities_not_overlapping", ("A", "B", "Lab"), 0))
    a = place(p, {"A": ("Mon P2", "R1"), "B": ("Mon P3", "R2"), "Lab": ("Mon P2", "R2")})
    vs = expect(p, a, "activities_not_overlapping", 2)  # A/Lab share P2, B/Lab share P3
    assert vs[0].message == "A and Lab must not overlap but share Mon P2"
    near = place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P4", "R2"), "Lab": ("Mon P2", "R2")})
    expect(p, near, "activities_not_overlapping", 0)


def test_consecutive_is_ordered_and_on_one_day() -> None:
    p = related(base(breaks=("P3",)), ("activities_consecutive", ("A", "C"), 0))
    expect(p, place(p, {"A": ("Mon P1", "R1"), "C": ("Mon P2", "R1")}), "activities_consecutive", 0)
    # a break between them is no gap: near miss
    expect(p, place(p, {"A": ("Mon P2", "R1"), "C": ("Mon P4", "R1")}), "activities_consecutive", 0)
    (v,) = expect(p, place(p, {"A": ("Mon P2", "R1"), "C": ("Mon P1", "R1")}), "activities_consecutive", 1)
    assert v.message == "C should come right after A on the same day: it is on Mon P1, A on Mon P2"
    expect(p, place(p, {"A": ("Mon P5", "R1"), "C": ("Tue P1", "R1")}), "activities_consecutive", 1)
    expect(p, place(p, {"A": ("Mon P1", "R1"), "C": ("Mon P4", "R1")}), "activities_consecutive", 1)
    expect(p, place(p, {"A": ("Mon P1", "R1")}), "activities_consecutive", 0)  # unscheduled: nothing


def test_grouped_in_any_order() -> None:
    p = related(base(), ("activities_grouped", ("A", "C", "Lab"), 0), ("activities_grouped", ("A", "B"), 0))
    a = place(p, {"Lab": ("Tue P1", "R1"), "A": ("Tue P3", "R1"), "C": ("Tue P4", "R1"), "B": ("Tue P2", "R2")})
    expect(p, a, "activities_grouped", 0)  # B before A is back to back too (any order); Lab, A, C as well
    a = place(p, {"Lab": ("Tue P1", "R1"), "A": ("Tue P3", "R1"), "C": ("Tue P5", "R1"), "B": ("Mon P2", "R2")})
    vs = expect(p, a, "activities_grouped", 2)
    assert vs[0].message.startswith("Lab, A and C should be held back to back on one day: Lab on Tue P1–P2")


def test_ends_day_looks_at_the_groups_later_classes() -> None:
    p = related(base(), ("activity_ends_day", ("A",), 0))
    # B is CSE-3B's, and a faculty member's later class does not matter: near miss
    expect(p, place(p, {"A": ("Mon P3", "R1"), "B": ("Mon P5", "R2")}), "activity_ends_day", 0)
    expect(p, place(p, {"A": ("Mon P3", "R1"), "C": ("Tue P5", "R2")}), "activity_ends_day", 0)
    (v,) = expect(p, place(p, {"A": ("Mon P3", "R1"), "C": ("Mon P5", "R2")}), "activity_ends_day", 1)
    assert v.message == "A should end the day of CSE-3A on Mon, but C follows at Mon P5"
    assert v.resources == (2,)


def test_min_gaps_counts_missing_periods() -> None:
    p = related(base(), ("activities_min_gaps", ("A", "C", "B"), 2))
    a = place(p, {"A": ("Mon P1", "R1"), "C": ("Mon P2", "R1"), "B": ("Mon P4", "R2")})
    vs = expect(p, a, "activities_min_gaps", 2 + 1 + 0)  # A-C 0 apart, C-B 1 apart, A-B 2 apart
    assert vs[0].message == "A and C are 0 periods apart on Mon; the minimum is 2"
    expect(p, place(p, {"A": ("Mon P1", "R1"), "C": ("Mon P4", "R1"), "B": ("Tue P1", "R2")}),
           "activities_min_gaps", 0)


def test_same_day_counts_extra_days() -> None:
    p = related(base(), ("activities_same_day", ("A", "B", "C"), 0))
    expect(p, place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P5", "R2"), "C": ("Mon P3", "R1")}),
           "activities_same_day", 0)
    (v,) = expect(p, place(p, {"A": ("Mon P1", "R1"), "B": ("Tue P5", "R2"), "C": ("Mon P3", "R1")}),
                  "activities_same_day", 1)
    assert v.message == "A, B and C should start on the same day: A and C on Mon; B on Tue"


def test_same_room_only_when_back_to_back() -> None:
    p = related(base(), ("activities_same_room", ("A", "B", "C"), 0))
    expect(p, place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P3", "R2"), "C": ("Mon P2", "R1")}),
           "activities_same_room", 1)  # C (R1) then B (R2)
    expect(p, place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P4", "R2"), "C": ("Mon P2", "R1")}),
           "activities_same_room", 0)
    (v,) = expect(p, place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P2", "R2")}), "activities_same_room", 1)
    assert v.message == "A and B are back to back (Mon P1, Mon P2) but in different rooms: R1 and R2"
    assert v.rooms == (0, 1)


def test_exact_weighted_penalty_and_deltas() -> None:
    p = related(base(weights={"activities_min_gaps": 7, "activities_consecutive": 3}),
                ("activities_min_gaps", ("A", "C"), 2), ("activities_consecutive", ("A", "B"), 0))
    a = place(p, {"A": ("Mon P1", "R1"), "C": ("Mon P2", "R1"), "B": ("Tue P1", "R2")})
    score = evaluate(p, a)
    assert score.by_constraint["activities_min_gaps"].cost == 7 * 2
    assert score.by_constraint["activities_consecutive"].cost == 3 * 1
    state = State(p, a)
    assert state.soft == score.soft
    for t in range(p.n_slots):  # every move of B and C: delta = difference of two evaluations
        for s in idx(p, "B", "C"):
            b = a.copy()
            b.start[s] = t
            assert state.delta_move(s, t, int(a.room[s]))[1] == evaluate(p, b).soft - score.soft


def test_a_problem_refuses_a_malformed_relation() -> None:
    p = base()
    with pytest.raises(ValueError, match="consecutive takes 2"):
        related(p, ("activities_consecutive", ("A", "B", "C"), 0))
    with pytest.raises(ValueError, match="unknown relation rule"):
        dataclasses.replace(p, relations=(("no_such_rule", np.array([0, 1], np.int32), 0),))
