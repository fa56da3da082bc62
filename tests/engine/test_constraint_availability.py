"""resource_unavailable, room_unavailable, session_unavailable on hand-built problems."""

from __future__ import annotations

from tests.engine.handmade import S, expect, idx, make, place


def test_faculty_and_group_unavailable_per_slot_and_resource() -> None:
    p = make([S("Lab", "Dr. Rao", "CSE-3A", dur=3), S("L", "Dr. Iyer")],
             unavailable={"Dr. Rao": ["Mon P2", "Mon P3"], "CSE-3A": ["Mon P3"], "Dr. Iyer": ["Tue P1"]})
    a = place(p, {"Lab": ("Mon P1", "R1"), "L": ("Tue P2", "R2")})
    vs = expect(p, a, "resource_unavailable", 3)  # Rao: P2, P3; CSE-3A: P3
    assert [(v.resources, v.slots, v.count) for v in vs] == [((0,), (1, 2), 2), ((2,), (2,), 1)]
    assert vs[0].message == "Lab is on Mon P2–P3 when Dr. Rao is unavailable"
    assert all(v.sessions == idx(p, "Lab") for v in vs)
    expect(p, place(p, {"Lab": ("Tue P1", "R1"), "L": ("Tue P1", "R2")}), "resource_unavailable", 1)


def test_room_unavailable() -> None:
    p = make([S("Lab", "CSE-3A", dur=2), S("Trip", "CSE-3B", needs_room=False)],
             room_unavailable={"R1": ["Mon P2", "Tue P1"]})
    a = place(p, {"Lab": ("Mon P1", "R1"), "Trip": ("Tue P1", "R1")})  # Trip uses no room
    (v,) = expect(p, a, "room_unavailable", 1)
    assert v.sessions == (0,) and v.rooms == (0,) and v.slots == (1,)
    assert v.message == "Lab uses room R1 on Mon P2 when the room is unavailable"
    expect(p, place(p, {"Lab": ("Mon P1", "R2")}), "room_unavailable", 0)


def test_session_forbidden_period() -> None:
    p = make([S("CS301 L", "Dr. Rao", dur=2, forbidden=("Mon P2", "Tue P4"))])
    (v,) = expect(p, place(p, {"CS301 L": ("Mon P1", "R1")}), "session_unavailable", 1)
    assert v.message == "CS301 L is on Mon P2, a forbidden period for it" and v.slots == (1,)
    expect(p, place(p, {"CS301 L": ("Mon P3", "R1")}), "session_unavailable", 0)


def test_disabled_availability_rules_report_nothing() -> None:
    names = ("resource_unavailable", "room_unavailable", "session_unavailable")
    p = make([S("A", "Dr. Rao", forbidden=("Mon P1",))], unavailable={"Dr. Rao": ["Mon P1"]},
             room_unavailable={"R1": ["Mon P1"]}, weights={n: 0 for n in names})
    a = place(p, {"A": ("Mon P1", "R1")})
    for name in names:
        assert expect(p, a, name, 1) == []
