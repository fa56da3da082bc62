"""Changes of building (issue 17, FET's max building changes per day / week and min gaps between building
changes): per rule a violating case, a near miss and the exact penalty, counted alike by the unit, evaluate(),
the kernels' full cost and State (tests.engine.handmade.expect); room and time moves: delta = the difference of
two full evaluations."""

from __future__ import annotations

import dataclasses

import numpy as np

from ato_desktop.engine import evaluate
from ato_desktop.engine.state import State
from tests.engine.handmade import S, expect, idx, make, place

PERIODS = ("P1", "P2", "P3", "P4", "P5", "P6")
ROOMS = {"A1": 60, "A2": 60, "B1": 60, "X": 60}  # buildings: A, A, B, none


def base(*, breaks=(), weights=None, **profile):
    p = make([S("L1", "Dr. Rao", "CSE-3A"), S("L2", "Dr. Rao", "CSE-3A"), S("L3", "Dr. Rao", "CSE-3B"),
              S("L4", "Dr. Rao", "CSE-3B", dur=2)], periods=PERIODS, rooms=ROOMS, breaks=breaks,
             weights=weights, profile={k: {"Dr. Rao": v} for k, v in profile.items()})
    return dataclasses.replace(p, room_building=np.array([0, 0, 1, -1], np.int32))


def test_max_building_changes_per_day() -> None:
    p = base(resource_max_bchanges_day=1)
    # A, B, A: two changes on Mon (one over); the room without a building (X) does not count
    a = place(p, {"L1": ("Mon P1", "A1"), "L2": ("Mon P2", "B1"), "L3": ("Mon P4", "X"), "L4": ("Mon P5", "A2")})
    (v,) = expect(p, a, "max_building_changes_day", 1)
    assert v.message == ("Dr. Rao changes buildings 2 times on Mon (L1 in A1 to L2 in B1; L2 in B1 to L4 in A2); "
                         "the limit is 1")
    # near miss: the same rooms, the change back on another day
    near = place(p, {"L1": ("Mon P1", "A1"), "L2": ("Mon P2", "B1"), "L3": ("Mon P4", "X"), "L4": ("Tue P1", "A2")})
    expect(p, near, "max_building_changes_day", 0)
    # two rooms of one building: no change
    expect(p, place(p, {"L1": ("Mon P1", "A1"), "L2": ("Mon P2", "A2")}), "max_building_changes_day", 0)


def test_max_building_changes_per_week() -> None:
    p = base(resource_max_bchanges_week=1)
    a = place(p, {"L1": ("Mon P1", "A1"), "L2": ("Mon P2", "B1"), "L3": ("Tue P1", "B1"), "L4": ("Tue P3", "A1")})
    (v,) = expect(p, a, "max_building_changes_week", 1)
    assert v.message == "Dr. Rao changes buildings 2 times this week; the limit is 1"
    near = place(p, {"L1": ("Mon P1", "A1"), "L2": ("Mon P2", "B1"), "L3": ("Tue P1", "B1"), "L4": ("Tue P3", "B1")})
    expect(p, near, "max_building_changes_week", 0)


def test_min_gaps_between_building_changes() -> None:
    p = base(resource_min_gaps_bchanges=2, breaks=("P3",))
    # A1 P1 then B1 P2: no free period between (2 missing); B1 P2 then A2 P4 (L4, 2 periods): P3 between (1 missing)
    a = place(p, {"L1": ("Mon P1", "A1"), "L2": ("Mon P2", "B1"), "L4": ("Mon P4", "A2")})
    vs = expect(p, a, "min_gaps_building_changes", 2 + 1)
    assert vs[0].message == "Dr. Rao goes from L1 in A1 to L2 in B1 on Mon with 0 free periods between; at least 2 needed"
    # a break counts as time to walk, as FET counts the hours between: P2 free, P3 a break -> 2 periods, none missing
    expect(p, place(p, {"L1": ("Mon P1", "A1"), "L2": ("Mon P4", "B1")}), "min_gaps_building_changes", 0)
    # near miss: P2 to P4 between (P3 a break) before B1 at P5; the next day is another day
    near = place(p, {"L1": ("Mon P1", "A1"), "L2": ("Mon P5", "B1"), "L3": ("Tue P1", "A1")})
    expect(p, near, "min_gaps_building_changes", 0)
    # the break alone between: 1 period, 1 missing
    expect(p, place(p, {"L1": ("Mon P2", "A1"), "L2": ("Mon P4", "B1")}), "min_gaps_building_changes", 1)


def test_exact_weighted_penalty_and_room_and_time_deltas() -> None:
    p = base(weights={"max_building_changes_day": 5, "min_gaps_building_changes": 3},
             resource_max_bchanges_day=0, resource_min_gaps_bchanges=1)
    a = place(p, {"L1": ("Mon P1", "A1"), "L2": ("Mon P2", "B1"), "L3": ("Mon P4", "A2"), "L4": ("Tue P1", "A1")})
    score = evaluate(p, a)
    assert score.by_constraint["max_building_changes_day"].cost == 5 * 2
    assert score.by_constraint["min_gaps_building_changes"].cost == 3 * 1  # A1 P1 -> B1 P2: no free period
    state = State(p, a)
    assert state.soft == score.soft
    for s in idx(p, "L2", "L3"):
        for t in range(p.n_slots):
            for r in range(p.n_rooms):
                b = a.copy()
                b.start[s], b.room[s] = t, r
                assert state.delta_move(s, t, r)[1] == evaluate(p, b).soft - score.soft
