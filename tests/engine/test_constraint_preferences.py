"""resource_undesired, resource_not_preferred, session_not_preferred on hand-built problems."""

from __future__ import annotations

from tests.engine.handmade import S, expect, idx, make, place


def test_undesired_periods_of_faculty_and_groups() -> None:
    p = make([S("Lab", "Dr. Rao", "CSE-3A", dur=2), S("L", "Dr. Iyer")],
             res_pref={"Dr. Rao": {"Mon P1": -1, "Mon P2": -1}, "CSE-3A": {"Mon P2": -1}, "Dr. Iyer": {"Tue P1": 1}})
    a = place(p, {"Lab": ("Mon P1", "R1"), "L": ("Tue P1", "R2")})
    vs = expect(p, a, "resource_undesired", 3)
    assert [(v.sessions, v.resources, v.slots) for v in vs] == [((0,), (0,), (0, 1)), ((0,), (2,), (1,))]
    assert vs[0].message == "Dr. Rao has Lab on Mon P1–P2, a period marked undesired"


def test_outside_preferred_periods_only_for_those_with_preferences() -> None:
    p = make([S("Lab", "Dr. Rao", "CSE-3A", dur=3), S("L", "Dr. Iyer")],
             res_pref={"Dr. Rao": {"Mon P1": 1, "Mon P2": 1, "Mon P3": -1}})
    a = place(p, {"Lab": ("Mon P1", "R1"), "L": ("Tue P3", "R2")})  # Rao P3 not preferred; Iyer has none
    (v,) = expect(p, a, "resource_not_preferred", 1)
    assert v.sessions == idx(p, "Lab") and v.resources == (0,) and v.slots == (2,)
    assert v.message == "Dr. Rao has Lab on Mon P3, outside the preferred periods"
    expect(p, a, "resource_undesired", 1)  # the same slot is also undesired: both rules count


def test_activity_preferred_and_undesired_start_times() -> None:
    p = make([S("Morning", "CSE-3A", pref={"Mon P1": 1, "Tue P1": 1}), S("NotLate", "CSE-3B", pref={"Mon P4": -1}),
              S("Free", "Dr. Rao")])
    a = place(p, {"Morning": ("Mon P2", "R1"), "NotLate": ("Mon P4", "R2"), "Free": ("Mon P4", "R1")})
    vs = expect(p, a, "session_not_preferred", 2)
    assert [v.message for v in vs] == ["Morning starts on Mon P2, outside its preferred times",
                                       "NotLate starts on Mon P4, an undesired time for it"]
    ok = place(p, {"Morning": ("Tue P1", "R1"), "NotLate": ("Mon P3", "R2"), "Free": ("Mon P4", "R1")})
    expect(p, ok, "session_not_preferred", 0)


def test_activity_preference_looks_at_the_start_only() -> None:
    p = make([S("Lab", "CSE-3A", dur=2, pref={"Mon P2": -1})])
    expect(p, place(p, {"Lab": ("Mon P1", "R1")}), "session_not_preferred", 0)  # covers P2, starts at P1


def test_disabled_preference_rules_report_nothing() -> None:
    names = ("resource_undesired", "resource_not_preferred", "session_not_preferred")
    p = make([S("A", "Dr. Rao", pref={"Mon P1": -1})], res_pref={"Dr. Rao": {"Mon P1": -1, "Tue P1": 1}},
             weights={n: 0 for n in names})
    a = place(p, {"A": ("Mon P1", "R1")})
    for name in names:
        assert expect(p, a, name, 1) == []
