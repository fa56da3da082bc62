"""room_unsuitable, room_capacity, room_stability on hand-built problems."""

from __future__ import annotations

from tests.engine.handmade import S, expect, idx, make, place

ROOMS = {"CR1": 60, "CR2": 40, "Lab1": 30}


def test_unsuitable_room_names_the_requirement() -> None:
    p = make([S("CS301 P", "CSE-3A", rooms=("Lab1",)), S("CS301 L", "CSE-3B", rooms=("CR1", "CR2"))],
             rooms=ROOMS, meta={"session_room_requirement": ("lab for 30 students", "classroom for 30 students")})
    a = place(p, {"CS301 P": ("Mon P1", "CR1"), "CS301 L": ("Mon P1", "CR2")})
    (v,) = expect(p, a, "room_unsuitable", 1)
    assert v.sessions == idx(p, "CS301 P") and v.rooms == (0,) and v.slots == (0,)
    assert v.message == "CS301 P on Mon P1 is in room CR1, which is not suitable for it; it needs a lab for 30 students"
    expect(p, place(p, {"CS301 P": ("Mon P1", "Lab1"), "CS301 L": ("Mon P1", "CR2")}), "room_unsuitable", 0)
    # no room at all is `unscheduled`, not unsuitable
    expect(p, place(p, {"CS301 P": ("Mon P1", None)}), "room_unsuitable", 0)


def test_room_capacity_counts_students_over() -> None:
    p = make([S("Big", "CSE-3A", size=64), S("Fits", "CSE-3B", size=40), S("Trip", "Dr. Rao", size=99,
                                                                          needs_room=False)], rooms=ROOMS)
    a = place(p, {"Big": ("Mon P1", "CR2"), "Fits": ("Mon P2", "CR2"), "Trip": ("Mon P3", "Lab1")})
    (v,) = expect(p, a, "room_capacity", 24)
    assert v.count == 24 and v.sessions == (0,) and v.rooms == (1,)
    assert v.message == "Big on Mon P1 has 64 students in room CR2, which holds 40 (24 over)"


def test_room_stability_per_course() -> None:
    p = make([S("CS301 L #1", "CSE-3A"), S("CS301 L #2", "CSE-3A"), S("CS301 L #3", "CSE-3A"),
              S("CS305 L #1", "CSE-3B"), S("CS305 L #2", "CSE-3B")], rooms=ROOMS)
    a = place(p, {"CS301 L #1": ("Mon P1", "CR1"), "CS301 L #2": ("Mon P3", "CR2"),
                  "CS301 L #3": ("Tue P1", "Lab1"), "CS305 L #1": ("Mon P1", "CR2"),
                  "CS305 L #2": ("Tue P2", "CR2")})
    (v,) = expect(p, a, "room_stability", 2)
    assert v.sessions == (0, 1, 2) and v.rooms == (0, 1, 2)
    assert v.message == "CS301 L uses 3 rooms: CR1, CR2 and Lab1 (one room for all its sessions is best)"
    # an unscheduled session's room does not count
    a.start[2] = -1
    expect(p, a, "room_stability", 1)


def test_disabled_room_rules_report_nothing() -> None:
    names = ("room_unsuitable", "room_capacity", "room_stability")
    p = make([S("A #1", "CSE-3A", size=50, rooms=("CR1",)), S("A #2", "CSE-3A", size=50)], rooms=ROOMS,
             weights={n: 0 for n in names})
    a = place(p, {"A #1": ("Mon P1", "CR2"), "A #2": ("Mon P2", "CR1")})
    for name, count in zip(names, (1, 10, 1)):
        assert expect(p, a, name, count) == []
