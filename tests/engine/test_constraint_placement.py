"""unscheduled, day_overflow, break_overlap, sync_mismatch, locked_moved on hand-built problems."""

from __future__ import annotations

from tests.engine.handmade import S, expect, idx, make, place


def test_unscheduled_counts_once_per_session() -> None:
    p = make([S("A", "Dr. Rao"), S("B", "Dr. Rao"), S("C", "CSE-3A"), S("Trip", "CSE-3B", needs_room=False)])
    a = place(p, {"A": (None, None), "B": ("Mon P1", None), "C": ("Mon P2", "R1"), "Trip": ("Mon P3", None)})
    vs = expect(p, a, "unscheduled", 2)
    assert [v.sessions for v in vs] == [idx(p, "A"), idx(p, "B")]
    assert vs[0].message == "A is not scheduled"
    assert vs[1].message == "B on Mon P1 has no room" and vs[1].slots == (0,)
    # an unscheduled session with a room still counts once
    expect(p, place(p, {"A": (None, "R1"), "B": ("Mon P1", "R2"), "C": ("Mon P2", "R1"),
                        "Trip": ("Mon P3", None)}), "unscheduled", 1)


def test_unscheduled_sessions_count_for_nothing_else() -> None:
    p = make([S("A", "Dr. Rao", forbidden=("Mon P1",))], locked={"A": ("Mon P1", "R1")})
    a = place(p, {})
    expect(p, a, "unscheduled", 1)
    for name in ("locked_moved", "session_unavailable", "min_days", "isolated"):
        expect(p, a, name, 0)


def test_day_overflow() -> None:
    p = make([S("Lab", "CSE-3A", dur=3), S("Lab2", "CSE-3B", dur=2)])
    a = place(p, {"Lab": ("Mon P3", "R1"), "Lab2": ("Tue P4", "R2")})  # both run past their day
    vs = expect(p, a, "day_overflow", 2)
    assert vs[0].message == "Lab (3 periods) starts on Mon P3 and runs past the end of Mon"
    assert vs[0].slots == (2, 3, 4)  # occupied: Mon P3, Mon P4, Tue P1
    assert vs[1].slots == (7,)  # past the week: only Tue P4 is occupied
    # near miss: ending exactly at the last period is fine
    expect(p, place(p, {"Lab": ("Mon P2", "R1"), "Lab2": ("Tue P3", "R2")}), "day_overflow", 0)


def test_break_overlap_counts_each_break_slot() -> None:
    p = make([S("Lab", "CSE-3A", dur=3), S("L", "CSE-3B")], breaks=("P3",))
    a = place(p, {"Lab": ("Mon P1", "R1"), "L": ("Tue P3", "R2")})
    vs = expect(p, a, "break_overlap", 2)
    assert vs[0].sessions == (0,) and vs[0].slots == (2,) and vs[0].message == "Lab overlaps the break at Mon P3"
    assert vs[1].slots == (6,)
    expect(p, place(p, {"Lab": ("Mon P1", "R1")}), "break_overlap", 1)  # 3 periods need P1-P3
    p2 = make([S("Lab", "CSE-3A", dur=2)], breaks=("P3",))
    expect(p2, place(p2, {"Lab": ("Mon P1", "R1")}), "break_overlap", 0)


def test_a_period_closed_on_one_day_is_named_as_such_not_as_a_break() -> None:
    """A day's own closed periods (a Saturday half-day, services.bells) are unusable slots like a break;
    the sentence says that day has no teaching then (there is no break in that column on other days)."""
    from dataclasses import replace

    p = make([S("Lab", "CSE-3A", dur=2)])
    usable = p.slot_usable.copy()
    usable[7] = False  # Tue P4 closed, on Tuesday only
    p = replace(p, slot_usable=usable)
    vs = expect(p, place(p, {"Lab": ("Tue P3", "R1")}), "break_overlap", 1)
    assert vs[0].message == "Lab is held at Tue P4, when Tue has no teaching" and vs[0].slots == (7,)


def test_elective_basket_out_of_sync() -> None:
    p = make([S("EL1", "Dr. Rao"), S("EL2", "Dr. Iyer"), S("EL3", "CSE-3A"), S("EL4", "CSE-3B")],
             sync=[("EL1", "EL2", "EL3", "EL4")])
    a = place(p, {"EL1": ("Mon P1", "R1"), "EL2": ("Mon P1", "R2"), "EL3": ("Tue P2", "R1"),
                  "EL4": (None, None)})
    (v,) = expect(p, a, "sync_mismatch", 1)  # two distinct starts among the scheduled three
    assert v.sessions == idx(p, "EL1", "EL2", "EL3") and v.slots == (0, 5)
    assert v.message == ("Elective basket sessions do not start together: EL1 and EL2 at Mon P1; "
                         "EL3 at Tue P2")
    three = place(p, {"EL1": ("Mon P1", "R1"), "EL2": ("Mon P2", "R2"), "EL3": ("Tue P2", "R1"),
                      "EL4": ("Tue P2", "R2")})
    expect(p, three, "sync_mismatch", 2)
    together = place(p, {x: ("Mon P1", None) for x in ("EL1", "EL2", "EL3", "EL4")})
    expect(p, together, "sync_mismatch", 0)


def test_locked_session_moved() -> None:
    p = make([S("A", "Dr. Rao"), S("B", "Dr. Iyer"), S("C", "CSE-3A")],
             locked={"A": ("Mon P1", "R1"), "B": (None, "R2"), "C": ("Tue P1", None)})
    a = place(p, {"A": ("Mon P2", "R2"), "B": ("Tue P4", "R1"), "C": ("Tue P1", "R1")})
    vs = expect(p, a, "locked_moved", 2)  # A moved in time and room (once), B changed room
    assert vs[0].sessions == idx(p, "A") and vs[0].count == 1
    assert vs[0].message == "A is locked at Mon P1 but placed at Mon P2 and locked to room R1 but in R2"
    assert vs[1].message == "B is locked to room R2 but in R1" and vs[1].rooms == (1, 0)
    kept = place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P4", "R2"), "C": ("Tue P1", "R2")})
    expect(p, kept, "locked_moved", 0)


def test_disabled_placement_rules_report_nothing() -> None:
    names = ("unscheduled", "day_overflow", "break_overlap", "sync_mismatch", "locked_moved")
    p = make([S("A", "Dr. Rao", dur=2), S("B", "Dr. Iyer")], breaks=("P4",), sync=[("A", "B")],
             locked={"B": ("Mon P1", None)}, weights={n: 0 for n in names})
    a = place(p, {"A": ("Mon P4", "R1"), "B": ("Mon P2", None)})
    for name, count in zip(names, (1, 1, 1, 1, 1)):
        assert expect(p, a, name, count) == []
