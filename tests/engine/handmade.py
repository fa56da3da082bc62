"""Small hand-built Problems for the constraint unit tests, written with names, not indices.

    p = make([S("CS301 L", "Dr. Rao", "CSE-3A"), S("CS305 L", "Dr. Rao", "CSE-3B")])
    a = place(p, {"CS301 L": ("Tue P3", "R1"), "CS305 L": ("Tue P3", "R2")})
    expect(p, a, "resource_clash", 1)

Calendar by default: Mon, Tue x P1..P4, no breaks.  Every constraint has weight 1
unless ``weights`` says otherwise.  ``expect`` checks the unit, ``evaluate`` and the
numba kernels (full_counts / full_cost / State) against the same hand-computed count.
"""

from __future__ import annotations

import numpy as np

from ato_desktop.engine import evaluate, full_cost, full_counts
from ato_desktop.engine.constraints import REGISTRY
from ato_desktop.engine.problem import (
    DEFAULT_WEIGHTS, PROFILE_ARRAYS, RESOURCE_FACULTY, RESOURCE_GROUP, Assignment, Problem,
)
from ato_desktop.engine.score import Violation
from ato_desktop.engine.state import State

DAYS = ("Mon", "Tue")
PERIODS = ("P1", "P2", "P3", "P4")


class S:
    """One session: label, faculty/group names; options as keyword arguments.

    ``course``: course key (default: the label up to ' #'); ``rooms``: allowed room names
    (default all); ``forbidden``: slot names where session_available is False; ``pref``:
    {slot name: +1/-1} session preferences; ``needs_room``: False for sessions without a room."""

    def __init__(self, label, *resources, course=None, dur=1, size=30, rooms=None, forbidden=(), pref=None,
                 needs_room=True):
        self.label, self.resources, self.course, self.dur, self.size = label, resources, course, dur, size
        self.rooms, self.forbidden, self.pref, self.needs_room = rooms, forbidden, pref or {}, needs_room


def slot_of(days, periods, name: str | int) -> int:
    if isinstance(name, (int, np.integer)):
        return int(name)
    d, p = name.split()
    return days.index(d) * len(periods) + periods.index(p)


def make(sessions: list[S], *, days=DAYS, periods=PERIODS, breaks=(), rooms=None,
         faculty=("Dr. Rao", "Dr. Iyer"), groups=("CSE-3A", "CSE-3B"), unavailable=None, room_unavailable=None,
         res_pref=None, max_daily=None, max_consecutive=None, max_days=None, min_days=None,
         sync=(), locked=None, weights=None, meta=None, profile=None) -> Problem:
    """``breaks``: period names that are breaks every day; ``unavailable`` / ``room_unavailable``:
    name -> slot names; ``res_pref``: name -> {slot name: +1/-1}; ``max_*``: name -> limit;
    ``min_days``: course -> days; ``sync``: tuples of labels; ``locked``: label -> (slot, room)
    with None for "free"; ``weights``: overrides of the all-ones weights; ``profile``: a day-profile
    array of the Problem (``resource_max_gaps_week`` ...) -> {name: value}, the others "no limit"."""
    rooms = rooms or {"R1": 40, "R2": 60}
    D, P = len(days), len(periods)
    T = D * P
    sl = lambda n: slot_of(days, periods, n)  # noqa: E731
    rnames = list(rooms)
    qnames = list(faculty) + list(groups)
    kinds = [RESOURCE_FACULTY] * len(faculty) + [RESOURCE_GROUP] * len(groups)
    Q, R, N = len(qnames), len(rnames), len(sessions)
    labels = [s.label for s in sessions]
    courses: list[str] = []
    for s in sessions:
        c = s.course or s.label.split(" #")[0]
        if c not in courses:
            courses.append(c)
    usable = np.array([periods[t % P] not in breaks for t in range(T)], bool)
    r_av = np.ones((R, T), bool)
    for name, slots in (room_unavailable or {}).items():
        r_av[rnames.index(name), [sl(x) for x in slots]] = False
    q_av = np.ones((Q, T), bool)
    for name, slots in (unavailable or {}).items():
        q_av[qnames.index(name), [sl(x) for x in slots]] = False
    q_pref = np.zeros((Q, T), np.int8)
    for name, marks in (res_pref or {}).items():
        for x, v in marks.items():
            q_pref[qnames.index(name), sl(x)] = v

    def per_res(d):
        out = np.zeros(Q, np.int32)
        for name, v in (d or {}).items():
            out[qnames.index(name)] = v
        return out

    indptr, indices = [0], []
    allowed = np.ones((N, R), bool)
    s_av = np.ones((N, T), bool)
    s_pref = np.zeros((N, T), np.int8)
    for i, s in enumerate(sessions):
        indices += sorted(qnames.index(n) for n in s.resources)
        indptr.append(len(indices))
        if s.rooms is not None:
            allowed[i] = [r in s.rooms for r in rnames]
        for x in s.forbidden:
            s_av[i, sl(x)] = False
        for x, v in s.pref.items():
            s_pref[i, sl(x)] = v
    md = np.zeros(len(courses), np.int32)
    for c, v in (min_days or {}).items():
        md[courses.index(c)] = v
    ls = np.full(N, -1, np.int32)
    lr = np.full(N, -1, np.int32)
    for label, (t, r) in (locked or {}).items():
        i = labels.index(label)
        ls[i] = -1 if t is None else sl(t)
        lr[i] = -1 if r is None else rnames.index(r)
    w = {n: 1 for n in DEFAULT_WEIGHTS}
    w.update(weights or {})
    return Problem(
        name="handmade", n_days=D, periods_per_day=P, day_names=tuple(days), period_labels=tuple(periods),
        slot_usable=usable, room_names=tuple(rnames),
        room_capacity=np.array([rooms[r] for r in rnames], np.int32), room_available=r_av,
        resource_names=tuple(qnames), resource_kind=np.array(kinds, np.int8),
        resource_available=q_av, resource_pref=q_pref,
        resource_max_daily=per_res(max_daily), resource_max_consecutive=per_res(max_consecutive),
        resource_max_days=per_res(max_days),
        course_names=tuple(courses), course_min_days=md,
        session_labels=tuple(labels), session_activity=np.arange(N, dtype=np.int32),
        session_course=np.array([courses.index(s.course or s.label.split(" #")[0]) for s in sessions], np.int32),
        session_duration=np.array([s.dur for s in sessions], np.int32),
        session_size=np.array([s.size for s in sessions], np.int32),
        res_indptr=np.array(indptr, np.int32), res_indices=np.array(indices, np.int32),
        session_allowed_rooms=allowed, session_available=s_av, session_pref=s_pref,
        session_needs_room=np.array([s.needs_room for s in sessions], bool),
        sync_sets=tuple(np.array(sorted(labels.index(x) for x in group), np.int32) for group in sync),
        locked_start=ls, locked_room=lr, weights=w, meta=meta or {},
        **{name: _profile(qnames, none, dtype, (profile or {}).get(name)) for name, dtype, none in PROFILE_ARRAYS},
    )


def _profile(qnames, none, dtype, values):
    out = np.full(len(qnames), none, dtype)
    for name, v in (values or {}).items():
        out[qnames.index(name)] = v
    return out


def place(p: Problem, where: dict[str, tuple]) -> Assignment:
    """label -> (slot name or None, room name or None); unlisted sessions stay unscheduled."""
    a = Assignment.empty(p)
    for label, (t, r) in where.items():
        i = p.session_labels.index(label)
        a.start[i] = -1 if t is None else slot_of(p.day_names, p.period_labels, t)
        a.room[i] = -1 if r is None else p.room_names.index(r)
    return a


def idx(p: Problem, *labels: str) -> tuple[int, ...]:
    return tuple(p.session_labels.index(x) for x in labels)


def expect(p: Problem, a: Assignment, name: str, count: int) -> list[Violation]:
    """Assert the count of ``name`` by its unit, evaluate() and the kernels; return its violations.

    Also checks: each violation's cost = weight x count; totals of evaluate() = full_cost = State."""
    unit = REGISTRY[name]
    vs = unit.violations(p, a)
    w = unit.weight(p)
    assert sum(v.count for v in vs) == (count if w else 0), [v.message for v in vs]
    assert all(v.constraint == name and v.cost == w * v.count and v.count > 0 for v in vs)
    assert unit.count(p, a) == count
    assert full_counts(p, a)[name] == count
    score = evaluate(p, a)
    r = score.by_constraint[name]
    assert (r.count, r.cost, r.weight) == ((count, w * count, w) if w else (0, 0, 0))
    state = State(p, a)
    assert (score.hard, score.soft) == full_cost(p, a) == (state.hard, state.soft)
    return vs
