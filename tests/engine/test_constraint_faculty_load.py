"""daily_load (hard), max_consecutive and max_days (soft) on hand-built problems."""

from __future__ import annotations

from tests.engine.handmade import S, expect, idx, make, place

PERIODS = ("P1", "P2", "P3", "P4", "P5", "P6")
DAYS = ("Mon", "Tue", "Wed")


def test_daily_load_counts_periods_above_the_maximum() -> None:
    p = make([S("Lab", "Dr. Rao", dur=3), S("L1", "Dr. Rao"), S("L2", "Dr. Rao"), S("L3", "Dr. Iyer")],
             periods=PERIODS, max_daily={"Dr. Rao": 3, "CSE-3A": 1})
    a = place(p, {"Lab": ("Mon P1", "R1"), "L1": ("Mon P5", "R1"), "L2": ("Mon P6", "R1"), "L3": ("Mon P1", "R2")})
    (v,) = expect(p, a, "daily_load", 2)  # 5 periods on Mon, maximum 3
    assert v.resources == (0,) and v.sessions == idx(p, "Lab", "L1", "L2") and v.slots == (0, 1, 2, 4, 5)
    assert v.message == "Dr. Rao teaches 5 periods on Mon; the limit is 3: Lab, L1 and L2"
    expect(p, place(p, {"Lab": ("Mon P1", "R1"), "L1": ("Tue P5", "R1"), "L2": ("Tue P6", "R1")}),
           "daily_load", 0)


def test_daily_load_ignores_groups() -> None:
    p = make([S("A", "CSE-3A"), S("B", "CSE-3A")], max_daily={"CSE-3A": 1})
    expect(p, place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P2", "R1")}), "daily_load", 0)


def test_max_consecutive_runs_end_at_breaks_and_free_periods() -> None:
    p = make([S(f"L{k}", "Dr. Rao") for k in range(6)], periods=PERIODS, breaks=("P4",),
             max_consecutive={"Dr. Rao": 2})
    # Mon P1 P2 P3 (run of 3), break P4, P5 P6 (run of 2): 1
    a = place(p, {"L0": ("Mon P1", "R1"), "L1": ("Mon P2", "R1"), "L2": ("Mon P3", "R1"),
                  "L3": ("Mon P5", "R1"), "L4": ("Mon P6", "R1"), "L5": ("Tue P1", "R1")})
    (v,) = expect(p, a, "max_consecutive", 1)
    assert v.sessions == (0, 1, 2) and v.slots == (0, 1, 2) and v.resources == (0,)
    assert v.message == "Dr. Rao teaches 3 periods in a row on Mon P1–P3 (maximum 2): L0, L1 and L2"
    # a session over the break: the break period belongs to no run
    p2 = make([S("Lab", "Dr. Rao", dur=3), S("X", "Dr. Rao")], periods=PERIODS, breaks=("P4",),
              max_consecutive={"Dr. Rao": 1})
    a2 = place(p2, {"Lab": ("Mon P3", "R1"), "X": ("Mon P6", "R1")})  # P3 | break | P5 P6
    (v2,) = expect(p2, a2, "max_consecutive", 1)
    assert v2.slots == (4, 5) and v2.sessions == (0, 1)


def test_max_days_on_campus() -> None:
    p = make([S("A", "Dr. Rao"), S("B", "Dr. Rao"), S("C", "Dr. Rao"), S("D", "Dr. Rao")], days=DAYS,
             max_days={"Dr. Rao": 1, "CSE-3A": 1})
    a = place(p, {"A": ("Mon P1", "R1"), "B": ("Tue P1", "R1"), "C": ("Wed P1", "R1"), "D": ("Wed P2", "R1")})
    (v,) = expect(p, a, "max_days", 2)
    assert v.message == "Dr. Rao comes on 3 days (Mon, Tue, Wed), more than the maximum of 1"
    assert v.sessions == (0, 1, 2, 3) and v.resources == (0,)
    expect(p, place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P2", "R1")}), "max_days", 0)


def test_disabled_load_rules_report_nothing() -> None:
    names = ("daily_load", "max_consecutive", "max_days")
    p = make([S("A", "Dr. Rao"), S("B", "Dr. Rao"), S("C", "Dr. Rao")], max_daily={"Dr. Rao": 1},
             max_consecutive={"Dr. Rao": 1}, max_days={"Dr. Rao": 1}, weights={n: 0 for n in names})
    a = place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P2", "R1"), "C": ("Tue P1", "R1")})
    for name in names:
        assert expect(p, a, name, 1) == []
