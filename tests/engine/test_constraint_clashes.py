"""resource_clash and room_clash on hand-built problems."""

from __future__ import annotations

from tests.engine.handmade import S, expect, idx, make, place


def test_faculty_double_booked_is_told_with_names() -> None:
    p = make([S("CS301 L", "Dr. Rao", "CSE-3A"), S("CS305 L", "Dr. Rao", "CSE-3B")])
    a = place(p, {"CS301 L": ("Tue P3", "R1"), "CS305 L": ("Tue P3", "R2")})
    (v,) = expect(p, a, "resource_clash", 1)
    assert v.message == "Dr. Rao has two classes at once on Tue P3: CS301 L and CS305 L"
    assert v.sessions == idx(p, "CS301 L", "CS305 L") and v.resources == (0,) and v.slots == (6,)
    # near miss: the next period is fine
    expect(p, place(p, {"CS301 L": ("Tue P3", "R1"), "CS305 L": ("Tue P4", "R2")}), "resource_clash", 0)


def test_pair_sharing_two_resources_counts_once_per_common_slot() -> None:
    p = make([S("A", "Dr. Rao", "CSE-3A", dur=3), S("B", "Dr. Rao", "CSE-3A", dur=2)])
    a = place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P2", "R2")})  # A: P1-P3, B: P2-P3
    (v,) = expect(p, a, "resource_clash", 2)
    assert v.resources == (0, 2) and v.slots == (1, 2)
    assert v.message == "Dr. Rao and CSE-3A have two classes at once on Mon P2–P3: A and B"


def test_three_sessions_at_once_give_three_pairs() -> None:
    p = make([S("A", "Dr. Rao"), S("B", "Dr. Rao"), S("C", "Dr. Rao"), S("D", "Dr. Iyer")])
    a = place(p, {x: ("Mon P1", None) for x in "ABCD"})
    vs = expect(p, a, "resource_clash", 3)
    assert sorted(v.sessions for v in vs) == [(0, 1), (0, 2), (1, 2)]


def test_section_clashes_with_its_batches_but_batches_do_not_clash() -> None:
    # leaf groups: the section lecture uses both batches, each lab one batch
    groups = ("CSE-3A B1", "CSE-3A B2")
    p = make([S("CS301 L", "Dr. Rao", "CSE-3A B1", "CSE-3A B2"), S("CS301 P B1", "Dr. Iyer", "CSE-3A B1"),
              S("CS302 P B2", "CSE-3A B2")], groups=groups, faculty=("Dr. Rao", "Dr. Iyer"),
             rooms={"R1": 60, "Lab1": 30, "Lab2": 30})
    labs_together = place(p, {"CS301 L": ("Mon P1", "R1"), "CS301 P B1": ("Mon P2", "Lab1"),
                              "CS302 P B2": ("Mon P2", "Lab2")})
    expect(p, labs_together, "resource_clash", 0)
    lecture_on_lab = place(p, {"CS301 L": ("Mon P2", "R1"), "CS301 P B1": ("Mon P2", "Lab1"),
                               "CS302 P B2": ("Mon P2", "Lab2")})
    vs = expect(p, lecture_on_lab, "resource_clash", 2)
    assert [v.sessions for v in vs] == [(0, 1), (0, 2)]
    assert vs[0].message == "CSE-3A B1 has two classes at once on Mon P2: CS301 L and CS301 P B1"


def test_unscheduled_sessions_clash_with_nothing() -> None:
    p = make([S("A", "Dr. Rao"), S("B", "Dr. Rao")])
    expect(p, place(p, {"A": ("Mon P1", "R1"), "B": (None, "R1")}), "resource_clash", 0)


def test_room_double_booked() -> None:
    p = make([S("A", "Dr. Rao"), S("B", "Dr. Iyer"), S("C", "CSE-3A", dur=2)])
    a = place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P1", "R1"), "C": ("Mon P1", "R1")})
    (v,) = expect(p, a, "room_clash", 2)  # P1: three sessions -> 2 extra; P2: C alone -> 0
    assert v.sessions == (0, 1, 2) and v.slots == (0,) and v.rooms == (0,)


def test_room_clash_counts_extra_sessions_per_slot() -> None:
    p = make([S("A", "Dr. Rao", dur=2), S("B", "Dr. Iyer", dur=2), S("C", "CSE-3A")])
    a = place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P1", "R1"), "C": ("Mon P2", "R1")})
    # P1: A, B -> 1; P2: A, B, C -> 2
    vs = expect(p, a, "room_clash", 3)
    assert [(v.sessions, v.slots, v.count) for v in vs] == [((0, 1), (0,), 1), ((0, 1, 2), (1,), 2)]
    assert vs[1].message == "Room R1 holds three sessions at once on Mon P2: A, B and C"
    assert vs[0].rooms == (0,)


def test_room_clash_ignores_sessions_without_a_room_need() -> None:
    p = make([S("A", "Dr. Rao"), S("Field trip", "CSE-3A", needs_room=False)])
    a = place(p, {"A": ("Mon P1", "R1"), "Field trip": ("Mon P1", "R1")})
    expect(p, a, "room_clash", 0)
    expect(p, a, "unscheduled", 0)


def test_disabled_clash_rules_report_nothing() -> None:
    p = make([S("A", "Dr. Rao"), S("B", "Dr. Rao")], weights={"resource_clash": 0, "room_clash": 0})
    a = place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P1", "R1")})
    assert expect(p, a, "resource_clash", 1) == []
    assert expect(p, a, "room_clash", 1) == []


def test_a_whole_section_is_named_instead_of_its_batches() -> None:
    groups = ("CSE-3A-B1", "CSE-3A-B2", "CSE-3B")
    sessions = [S("CS301 L", "Dr. Rao", "CSE-3A-B1", "CSE-3A-B2"), S("CS305 L", "Dr. Rao", "CSE-3A-B1", "CSE-3A-B2"),
                S("CS307 P B1", "Dr. Iyer", "CSE-3A-B1")]
    p = make(sessions, groups=groups, meta={"sections": {"CSE-3A": (2, 3)}})
    a = place(p, {"CS301 L": ("Tue P3", "R1"), "CS305 L": ("Tue P3", "R2")})
    (v,) = expect(p, a, "resource_clash", 1)
    assert v.message == "Dr. Rao and CSE-3A have two classes at once on Tue P3: CS301 L and CS305 L"
    assert v.resources == (0, 2, 3)  # the indices stay the leaf resources
    # only one batch involved: the batch is named
    a = place(p, {"CS301 L": ("Tue P3", "R1"), "CS307 P B1": ("Tue P3", "R2")})
    (v,) = expect(p, a, "resource_clash", 1)
    assert v.message == "CSE-3A-B1 has two classes at once on Tue P3: CS301 L and CS307 P B1"
    (v,) = expect(p, place(p, {"CS301 L": ("Mon P1", "R1")}), "isolated", 2)
    assert v.message.startswith("CS301 L on Mon P1 stands alone in the day of CSE-3A (")


def test_a_resource_listed_twice_in_one_session_is_no_self_clash() -> None:
    p = make([S("A", "Dr. Rao", "Dr. Rao"), S("B", "Dr. Rao")])
    expect(p, place(p, {"A": ("Mon P1", "R1")}), "resource_clash", 0)
    (v,) = expect(p, place(p, {"A": ("Mon P1", "R1"), "B": ("Mon P1", "R2")}), "resource_clash", 1)
    assert v.sessions == (0, 1)
