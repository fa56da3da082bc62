"""min_days, isolated and gaps on hand-built problems."""

from __future__ import annotations

from tests.engine.handmade import S, expect, idx, make, place

DAYS = ("Mon", "Tue", "Wed")
PERIODS = ("P1", "P2", "P3", "P4", "P5")


def test_min_days_counts_missing_days() -> None:
    p = make([S("CS301 L #1", "CSE-3A"), S("CS301 L #2", "CSE-3A"), S("CS301 L #3", "CSE-3A")], days=DAYS,
             min_days={"CS301 L": 3})
    a = place(p, {"CS301 L #1": ("Mon P1", "R1"), "CS301 L #2": ("Mon P3", "R1"), "CS301 L #3": ("Tue P1", "R1")})
    (v,) = expect(p, a, "min_days", 1)
    assert v.sessions == (0, 1, 2)
    assert v.message == "CS301 L meets on only 2 days (Mon, Tue); it should be spread over 3 days"
    a.start[1] = -1  # unscheduled sessions do not count for a day
    expect(p, a, "min_days", 1)
    a.start[2] = -1
    expect(p, a, "min_days", 2)
    (v,) = expect(p, place(p, {}), "min_days", 3)
    assert "meets on no day at all" in v.message
    expect(p, place(p, {"CS301 L #1": ("Mon P1", "R1"), "CS301 L #2": ("Tue P1", "R1"),
                        "CS301 L #3": ("Wed P4", "R1")}), "min_days", 0)


def test_isolated_per_group_and_session() -> None:
    p = make([S("A", "CSE-3A"), S("B", "CSE-3A"), S("C", "CSE-3A", "CSE-3B"), S("D", "CSE-3B"), S("E", "Dr. Rao")],
             periods=PERIODS)
    a = place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P2", "R1"), "C": ("Mon P4", "R1"), "D": ("Mon P5", "R2"),
                  "E": ("Tue P1", "R1")})
    # A, B adjacent; C alone for CSE-3A but next to D for CSE-3B; faculty are never isolated
    (v,) = expect(p, a, "isolated", 1)
    assert v.sessions == idx(p, "C") and v.resources == (2,)
    assert v.message == "C on Mon P4 stands alone in the day of CSE-3A (no class of theirs just before or after)"
    a.start[3] = 5  # D moves to Tue P2: C is alone for both groups, D alone for CSE-3B
    vs = expect(p, a, "isolated", 3)
    assert [(v.sessions, v.resources, v.count) for v in vs] == [((2,), (2, 3), 2), ((3,), (3,), 1)]


def test_isolated_neighbours_stay_on_the_same_day() -> None:
    p = make([S("A", "CSE-3A"), S("B", "CSE-3A")], periods=PERIODS)
    a = place(p, {"A": ("Mon P5", "R1"), "B": ("Tue P1", "R1")})  # consecutive slots, different days
    expect(p, a, "isolated", 2)


def test_gaps_count_idle_usable_periods() -> None:
    p = make([S("A", "CSE-3A"), S("Lab", "CSE-3A", dur=2), S("B", "CSE-3B"), S("C", "CSE-3B")],
             periods=PERIODS, breaks=("P3",))
    # CSE-3A: P1, then P4-P5: P2 idle, P3 is a break -> 1; CSE-3B: P1 and Tue P5 -> no gap
    a = place(p, {"A": ("Mon P1", "R1"), "Lab": ("Mon P4", "R1"), "B": ("Mon P1", "R2"), "C": ("Tue P5", "R2")})
    (v,) = expect(p, a, "gaps", 1)
    assert v.resources == (2,) and v.slots == (1,) and v.sessions == idx(p, "A", "Lab")
    assert v.message == "CSE-3A has 1 idle period on Mon between classes: Mon P2"
    a.start[3] = 4  # C to Mon P5: CSE-3B idle at P2, P4
    vs = expect(p, a, "gaps", 3)
    assert vs[1].message == "CSE-3B has 2 idle periods on Mon between classes: Mon P2, Mon P4"


def test_disabled_student_rules_report_nothing() -> None:
    names = ("min_days", "isolated", "gaps")
    p = make([S("A #1", "CSE-3A"), S("A #2", "CSE-3A")], min_days={"A": 2}, weights={n: 0 for n in names})
    a = place(p, {"A #1": ("Mon P1", "R1"), "A #2": ("Mon P4", "R1")})
    for name, count in zip(names, (1, 2, 2)):
        assert expect(p, a, name, count) == []
