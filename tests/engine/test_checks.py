"""check_problem: impossible problems are reported before optimizing, with the items involved."""

from __future__ import annotations

import numpy as np
import pytest

from ato_desktop.engine.checks import Finding, check_problem, feasible_starts
from ato_desktop.engine.problem import RESOURCE_FACULTY as FAC
from ato_desktop.engine.problem import RESOURCE_GROUP as GRP
from ato_desktop.engine.problem import Problem
from tests.conftest_itc import itc_dir  # noqa: F401  (fixture)


def build(sessions, *, n_days=2, ppd=4, rooms=(("R1", 40), ("R2", 60)),
          resources=(("F1", FAC), ("F2", FAC), ("G1", GRP), ("G2", GRP)),
          slot_usable=None, room_available=None, resource_available=None, max_daily=None,
          sync_sets=(), locked_start=None, locked_room=None, meta=None, max_weekly=None) -> Problem:
    """sessions: dicts with label, res (names), dur=1, size=30, rooms (names allowed; default all),
    avail (list of allowed slots; default all), activity (default index)."""
    T, R, Q, S = n_days * ppd, len(rooms), len(resources), len(sessions)
    rname = [r[0] for r in rooms]
    qname = [q[0] for q in resources]
    indptr, indices = [0], []
    allowed = np.ones((S, R), bool)
    s_avail = np.ones((S, T), bool)
    for i, s in enumerate(sessions):
        indices += sorted(qname.index(n) for n in s["res"])
        indptr.append(len(indices))
        if "rooms" in s:
            allowed[i] = [n in s["rooms"] for n in rname]
        if "avail" in s:
            s_avail[i] = [t in s["avail"] for t in range(T)]
    return Problem(
        name="t", n_days=n_days, periods_per_day=ppd,
        day_names=tuple(f"D{d}" for d in range(n_days)), period_labels=tuple(f"P{p}" for p in range(ppd)),
        slot_usable=np.ones(T, bool) if slot_usable is None else np.asarray(slot_usable, bool),
        room_names=tuple(rname), room_capacity=np.array([r[1] for r in rooms], np.int32),
        room_available=np.ones((R, T), bool) if room_available is None else np.asarray(room_available, bool),
        resource_names=tuple(qname), resource_kind=np.array([q[1] for q in resources], np.int8),
        resource_available=(np.ones((Q, T), bool) if resource_available is None
                            else np.asarray(resource_available, bool)),
        resource_pref=np.zeros((Q, T), np.int8),
        resource_max_daily=np.zeros(Q, np.int32) if max_daily is None else np.asarray(max_daily, np.int32),
        resource_max_consecutive=np.zeros(Q, np.int32), resource_max_days=np.zeros(Q, np.int32),
        course_names=tuple(s["label"] for s in sessions), course_min_days=np.zeros(S, np.int32),
        session_labels=tuple(s["label"] for s in sessions),
        session_activity=np.array([s.get("activity", i) for i, s in enumerate(sessions)], np.int32),
        session_course=np.arange(S, dtype=np.int32),
        session_duration=np.array([s.get("dur", 1) for s in sessions], np.int32),
        session_size=np.array([s.get("size", 30) for s in sessions], np.int32),
        res_indptr=np.array(indptr, np.int32), res_indices=np.array(indices, np.int32),
        session_allowed_rooms=allowed, session_available=s_avail,
        session_pref=np.zeros((S, T), np.int8), session_needs_room=np.ones(S, bool),
        sync_sets=tuple(np.array(x, np.int32) for x in sync_sets),
        locked_start=None if locked_start is None else np.array(locked_start, np.int32),
        locked_room=None if locked_room is None else np.array(locked_room, np.int32),
        resource_max_weekly=None if max_weekly is None else np.array(max_weekly, np.int32),
        meta=meta or {},
    )


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def only(findings: list[Finding], code: str) -> Finding:
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, findings
    return hits[0]


def test_a_sound_problem_has_no_findings() -> None:
    p = build([{"label": "A", "res": ["F1", "G1"]}, {"label": "B", "res": ["F2", "G1"], "dur": 2}])
    assert check_problem(p) == []


def test_faculty_needs_more_periods_than_available() -> None:
    # F1 teaches 3 sessions of 3 periods = 9, but is available only on day 0 (4 periods).
    avail = np.ones((4, 8), bool)
    avail[0, 4:] = False
    sessions = [{"label": f"L{k}", "res": ["F1"], "dur": 3} for k in range(3)]
    f = only(check_problem(build(sessions, resource_available=avail)), "resource_overload")
    assert f.severity == "error" and f.resources == (0,) and f.sessions == (0, 1, 2)
    assert "F1 (faculty) needs 9 periods a week for 3 sessions but is available in only 4 usable periods" in f.message


def test_demand_equal_to_supply_is_not_reported() -> None:
    # near miss: 8 single periods for G1 in 2 x 4 usable slots
    sessions = [{"label": f"L{k}", "res": ["G1"]} for k in range(8)]
    assert "resource_overload" not in codes(check_problem(build(sessions)))


def test_group_overload_counts_breaks_as_unusable() -> None:
    usable = np.ones(8, bool)
    usable[[2, 6]] = False  # a break each day: 6 usable periods
    sessions = [{"label": f"L{k}", "res": ["G2"]} for k in range(7)]
    f = only(check_problem(build(sessions, slot_usable=usable)), "resource_overload")
    assert f.resources == (3,) and "G2 (student group) needs 7 periods" in f.message
    assert "only 6 usable periods" in f.message


def test_daily_maximum_limits_the_supply() -> None:
    sessions = [{"label": f"L{k}", "res": ["F2"]} for k in range(5)]
    f = only(check_problem(build(sessions, max_daily=[0, 2, 0, 0])), "resource_overload")
    assert "with at most 2 a day, can teach only 4" in f.message and f.resources == (1,)


def test_daily_maximum_finding_names_the_numbers_and_activities() -> None:
    sessions = [{"label": f"CS301 L (CSE-3A) #{k + 1}", "res": ["F2"], "activity": 1} for k in range(3)]
    sessions += [{"label": "CS305 P (CSE-3A) #1", "res": ["F2"], "dur": 2, "activity": 2}]
    f = only(check_problem(build(sessions, max_daily=[0, 2, 0, 0])), "resource_overload")
    assert "F2 (faculty) needs 5 periods a week but, with at most 2 a day, can teach only 4" in f.message
    assert "(2 days with free periods): CS301 L (CSE-3A) 3 periods, CS305 P (CSE-3A) 2 periods." in f.message


def test_a_session_longer_than_a_teachers_daily_limit_is_named() -> None:
    sessions = [{"label": "CS305 P (CSE-3A-B1) #1", "res": ["F1", "G1"], "dur": 3}]
    errors = [f for f in check_problem(build(sessions, max_daily=[2, 0, 0, 0])) if f.severity == "error"]
    assert any(f.code == "no_start_slot" and f.resources == (0,)
               and "it lasts 3 periods but F1 may teach at most 2 a day" in f.message for f in errors), errors
    assert "no_start_slot" not in codes(check_problem(build(sessions, max_daily=[3, 0, 0, 0])))


def test_weekly_limit_is_a_hard_finding_with_the_activities() -> None:
    sessions = [{"label": f"CS301 L (CSE-3A) #{k + 1}", "res": ["F1", "G1"], "activity": 1} for k in range(3)]
    sessions += [{"label": "CS305 P (CSE-3A) #1", "res": ["F1"], "dur": 2, "activity": 2}]
    f = only(check_problem(build(sessions, max_weekly=[4, 1, 0, 0])), "weekly_load")
    assert f.severity == "error" and f.resources == (0,) and f.sessions == (0, 1, 2, 3)
    assert f.message == ("F1 (faculty) is assigned 5 periods a week, above the weekly limit of 4: "
                         "CS301 L (CSE-3A) 3 periods, CS305 P (CSE-3A) 2 periods.")
    # near misses: exactly at the limit, no limit (0), a limit on a faculty member without sessions,
    # and a group never has a weekly limit
    assert "weekly_load" not in codes(check_problem(build(sessions, max_weekly=[5, 1, 0, 0])))
    assert "weekly_load" not in codes(check_problem(build(sessions, max_weekly=[0, 0, 1, 0])))


def test_session_without_any_allowed_room_says_what_was_required() -> None:
    sessions = [{"label": "CS301 P (CSE-3A) #1", "res": ["F1"], "rooms": [], "size": 50, "activity": 7},
                {"label": "CS301 P (CSE-3A) #2", "res": ["F1"], "rooms": [], "size": 50, "activity": 7},
                {"label": "X", "res": ["F2"]}]
    meta = {"session_room_requirement": ("lab (Computer Lab) for 50 students",) * 2 + ("classroom for 30",)}
    f = only(check_problem(build(sessions, meta=meta)), "no_room")
    assert f.severity == "error" and f.sessions == (0, 1)  # one finding for the activity
    assert "No room is allowed for CS301 P (CSE-3A) #1, CS301 P (CSE-3A) #2" in f.message
    assert "each needs a lab (Computer Lab) for 50 students" in f.message


def test_too_small_is_told_apart_from_wrong_kind() -> None:
    rooms = (("Lab1", 30), ("CR1", 100))
    s = [{"label": "Lab", "res": ["F1"], "rooms": [], "size": 64}]
    req = {"session_room_requirement": ("lab for 64 students",)}
    small = check_problem(build(s, rooms=rooms, meta={**req, "session_room_kind_ok": np.array([[True, False]])}))
    f = only(small, "room_too_small")
    assert f.rooms == (0,) and "every suitable room is too small: the largest, Lab1, holds 30" in f.message
    wrong = check_problem(build(s, rooms=rooms, meta={**req, "session_room_kind_ok": np.array([[False, False]])}))
    f = only(wrong, "no_room")
    assert "no room has the required kind and features" in f.message
    # without the kind information: bigger than every room at all is still "too small"
    s2 = [{"label": "Huge", "res": ["F1"], "rooms": [], "size": 140}]
    f = only(check_problem(build(s2, rooms=rooms)), "room_too_small")
    assert "the largest, CR1, holds 100" in f.message


def test_group_bigger_than_every_room_it_may_use_is_a_warning_when_capacity_is_soft() -> None:
    s = [{"label": "Big", "res": ["G1"], "size": 70}, {"label": "Ok", "res": ["G2"], "size": 60}]
    fs = check_problem(build(s))
    f = only(fs, "capacity_short")
    assert f.severity == "warning" and f.sessions == (0,) and f.rooms == (0, 1)
    assert "Big has 70 students, more than any room it may use: the largest, R2, holds 60" in f.message


def test_elective_basket_sharing_a_resource() -> None:
    s = [{"label": "EL1", "res": ["F1", "G1"]}, {"label": "EL2", "res": ["F2", "G1"]},
         {"label": "EL3", "res": ["F2", "G2"]}]
    f = only(check_problem(build(s, sync_sets=[[0, 1]])), "sync_shared_resource")
    assert f.sessions == (0, 1) and f.resources == (2,)
    assert "EL1 and EL2 must run at the same time (elective basket) but share G1" in f.message
    assert check_problem(build(s, sync_sets=[[0, 2]])) == []


def test_elective_basket_without_common_start() -> None:
    s = [{"label": "EL1", "res": ["F1"], "avail": [0, 1]}, {"label": "EL2", "res": ["F2"], "avail": [4, 5]}]
    f = only(check_problem(build(s, sync_sets=[[0, 1]])), "sync_no_common_start")
    assert f.sessions == (0, 1)
    s[1]["avail"] = [1, 5]
    assert check_problem(build(s, sync_sets=[[0, 1]])) == []


def test_session_longer_than_any_block_between_breaks() -> None:
    usable = np.array([1, 1, 0, 1] * 2, bool)  # blocks of 2 and 1 periods
    s = [{"label": "Lab3", "res": ["G1"], "dur": 3}, {"label": "Lab2", "res": ["G2"], "dur": 2}]
    fs = check_problem(build(s, slot_usable=usable))
    f = only(fs, "too_long")
    assert f.sessions == (0,) and "lasts 3 periods" in f.message and "longest run" in f.message and "is 2" in f.message
    assert "no_start_slot" not in codes(fs)  # not reported twice


def test_no_start_slot_because_of_a_resource() -> None:
    avail = np.ones((4, 8), bool)
    avail[0, :4] = False  # F1 away on day 0; the session may only start on day 0
    s = [{"label": "A", "res": ["F1", "G1"], "avail": [0, 1, 2, 3]}]
    f = only(check_problem(build(s, resource_available=avail)), "no_start_slot")
    assert f.resources == (0,) and "A cannot be placed anywhere: F1 (faculty) is never available" in f.message


def test_no_start_slot_because_resources_never_meet() -> None:
    avail = np.ones((4, 8), bool)
    avail[0, 4:] = False  # F1 only day 0
    avail[2, :4] = False  # G1 only day 1
    s = [{"label": "A", "res": ["F1", "G1"]}]
    f = only(check_problem(build(s, resource_available=avail)), "no_start_slot")
    assert f.resources == (0, 2) and "F1, G1 are never available together" in f.message


def test_no_start_slot_because_of_rooms_and_duration() -> None:
    rooms_av = np.ones((2, 8), bool)
    rooms_av[0, [1, 5]] = False  # R1 never free for 3 periods in a row... (P0 | P2 P3)
    s = [{"label": "Lab", "res": ["G1"], "dur": 3, "rooms": ["R1"]}]
    f = only(check_problem(build(s, room_available=rooms_av)), "no_start_slot")
    assert f.rooms == (0,) and "none of its allowed rooms (R1) is free for 3 consecutive periods" in f.message
    assert not feasible_starts(build(s, room_available=rooms_av), 0).any()
    s[0]["dur"] = 2
    assert check_problem(build(s, room_available=rooms_av)) == []


def test_locked_sessions_clashing() -> None:
    s = [{"label": "A", "res": ["F1", "G1"]}, {"label": "B", "res": ["F1", "G2"], "dur": 2},
         {"label": "C", "res": ["F2"]}]
    fs = check_problem(build(s, locked_start=[1, 0, 1], locked_room=[0, -1, 0]))
    clashes = [f for f in fs if f.code == "locked_clash"]
    assert len(clashes) == 2
    by_res = [f for f in clashes if f.resources]
    assert by_res[0].sessions == (0, 1) and "both need F1 at D0 P1" in by_res[0].message
    by_room = [f for f in clashes if f.rooms]
    assert by_room[0].sessions == (0, 2) and "both locked in room R1 at D0 P1" in by_room[0].message
    # not overlapping: B at P2-P3
    assert check_problem(build(s, locked_start=[1, 2, 5], locked_room=[0, -1, 0])) == []


def test_locked_where_it_cannot_be() -> None:
    s = [{"label": "A", "res": ["F1"], "avail": [1, 2, 3, 4, 5, 6, 7]}, {"label": "B", "res": ["F2"], "dur": 2}]
    fs = check_problem(build(s, locked_start=[0, 3]))
    assert codes(fs) == ["locked_infeasible", "locked_infeasible"]
    assert "A is locked at D0 P0" in fs[0].message and "past the end of the day" in fs[1].message


def test_itc_instances_are_possible(itc_dir) -> None:
    from ato_desktop.io.ctt import load_ctt_problem

    for name in ("toy", "comp01", "comp05"):
        assert [f for f in check_problem(load_ctt_problem(itc_dir / f"{name}.ctt")) if f.severity == "error"] == []


@pytest.mark.parametrize("n", [0])
def test_empty_problem(n) -> None:
    assert check_problem(build([])) == []


def test_elective_basket_sharing_is_told_once_per_pair_of_activities() -> None:
    # two activities of 3 weekly sessions each, the k-th sessions synchronised: one finding, not three
    s = [{"label": f"EL1 L #{k}", "res": ["F1", "G1"], "activity": 10} for k in (1, 2, 3)]
    s += [{"label": f"EL2 L #{k}", "res": ["F1", "G2"], "activity": 11} for k in (1, 2, 3)]
    f = only(check_problem(build(s, n_days=3, sync_sets=[[0, 3], [1, 4], [2, 5]])), "sync_shared_resource")
    assert f.sessions == (0, 1, 2, 3, 4, 5) and f.resources == (0,)
    assert f.message == ("EL1 L and EL2 L must run at the same time (elective basket, 3 sessions a week) "
                         "but share F1.")


def test_an_overloaded_lab_batch_is_named_with_its_section() -> None:
    usable = np.ones(8, bool)
    sessions = [{"label": f"L{k}", "res": ["G1", "G2"]} for k in range(9)]  # section lectures use both batches
    f = [x for x in check_problem(build(sessions, slot_usable=usable, meta={"sections": {"CSE-3A": (2, 3)}}))
         if x.code == "resource_overload"]
    assert [x.resources for x in f] == [(2,), (3,)]
    assert f[0].message.startswith("G1 (lab batch of CSE-3A) needs 9 periods a week for 9 sessions")
