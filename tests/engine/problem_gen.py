"""Random small Problems for engine property tests (every feature of the model)."""

from __future__ import annotations

import numpy as np

from ato_desktop.engine.problem import (
    DEFAULT_WEIGHTS, RESOURCE_FACULTY, RESOURCE_GROUP, Assignment, Problem,
)


def random_problem(seed: int, *, max_sessions: int = 9, zero_weights: bool = True) -> Problem:
    g = np.random.default_rng(seed)
    D = int(g.integers(1, 4))
    P = int(g.integers(2, 6))
    T = D * P
    R = int(g.integers(1, 4))
    Q = int(g.integers(1, 6))
    C = int(g.integers(1, 4))
    S = int(g.integers(1, max_sessions + 1))
    usable = g.random(T) > 0.15
    kind = g.integers(0, 2, Q).astype(np.int8)
    pref = g.choice(np.array([-1, 0, 0, 1], np.int8), size=(Q, T))
    no_pref = g.random(Q) < 0.4  # some resources have no preferred slot at all
    pref[no_pref] = np.minimum(pref[no_pref], 0)
    res_lists = []
    for s in range(S):
        k = int(g.integers(0, min(3, Q) + 1))
        res_lists.append(sorted(g.choice(Q, size=k, replace=False).tolist()))
    indptr = np.zeros(S + 1, np.int32)
    for s, x in enumerate(res_lists):
        indptr[s + 1] = indptr[s] + len(x)
    indices = np.array([q for x in res_lists for q in x], np.int32)
    spref = g.choice(np.array([-1, 0, 0, 0, 1], np.int8), size=(S, T))
    spref[g.random(S) < 0.5] = 0
    sync_sets = []
    if S >= 2 and g.random() < 0.6:
        for _ in range(int(g.integers(1, 3))):
            k = int(g.integers(2, min(3, S) + 1))
            sync_sets.append(np.sort(g.choice(S, size=k, replace=False)).astype(np.int32))
    locked_start = np.full(S, -1, np.int32)
    locked_room = np.full(S, -1, np.int32)
    for s in range(S):
        if g.random() < 0.2:
            locked_start[s] = g.integers(0, T)
        if g.random() < 0.15:
            locked_room[s] = g.integers(0, R)
    names = list(DEFAULT_WEIGHTS)
    weights = {n: int(g.integers(0 if zero_weights else 1, 6)) for n in names}
    if g.random() < 0.3:  # a missing weight falls back to its default
        weights.pop(names[int(g.integers(0, len(names)))])
    # the day profile (issue 17): a limit on about half of the resources, of either kind
    def lim(lo, hi, none):
        return np.where(g.random(Q) < 0.5, g.integers(lo, hi, Q), none).astype(np.int32)

    profile = dict(
        resource_max_gaps_week=lim(0, 3, -1), resource_max_gaps_day=lim(0, 2, -1),
        resource_min_daily=lim(1, 4, 0), resource_min_daily_empty_ok=g.random(Q) < 0.5,
        resource_early_max_second=lim(0, 2, -1), resource_group_max_daily=lim(1, 4, 0),
        resource_group_max_consecutive=lim(1, 3, 0), resource_min_days=lim(1, 4, 0),
        resource_interval_max_days=lim(0, 3, -1), resource_interval_from=g.integers(-1, P, Q).astype(np.int32),
        resource_interval_to=g.integers(0, P + 2, Q).astype(np.int32),
    ) if g.random() < 0.7 else {}
    return Problem(
        name=f"rand{seed}", n_days=D, periods_per_day=P,
        day_names=tuple(f"D{i}" for i in range(D)), period_labels=tuple(f"P{i}" for i in range(P)),
        slot_usable=usable,
        room_names=tuple(f"R{i}" for i in range(R)),
        room_capacity=g.integers(10, 60, R).astype(np.int32),
        room_available=g.random((R, T)) > 0.1,
        resource_names=tuple(f"Q{i}" for i in range(Q)),
        resource_kind=kind,
        resource_available=g.random((Q, T)) > 0.1,
        resource_pref=pref,
        resource_max_daily=np.where(g.random(Q) < 0.5, g.integers(1, 5, Q), 0).astype(np.int32),
        resource_max_consecutive=np.where(g.random(Q) < 0.5, g.integers(1, 4, Q), 0).astype(np.int32),
        resource_max_days=np.where(g.random(Q) < 0.5, g.integers(1, 3, Q), 0).astype(np.int32),
        course_names=tuple(f"C{i}" for i in range(C)),
        course_min_days=np.where(g.random(C) < 0.7, g.integers(1, 4, C), 0).astype(np.int32),
        session_labels=tuple(f"S{i}" for i in range(S)),
        session_activity=np.arange(S, dtype=np.int32),
        session_course=g.integers(0, C, S).astype(np.int32),
        session_duration=g.choice(np.array([1, 1, 2, 3], np.int32), size=S),
        session_size=g.integers(5, 70, S).astype(np.int32),
        res_indptr=indptr, res_indices=indices,
        session_allowed_rooms=g.random((S, R)) > 0.25,
        session_available=g.random((S, T)) > 0.1,
        session_pref=spref,
        session_needs_room=g.random(S) > 0.2,
        sync_sets=tuple(sync_sets), locked_start=locked_start, locked_room=locked_room,
        weights=weights, **profile, relations=random_relations(seed, S), **random_buildings(seed, R, Q),
    )


def random_buildings(seed: int, R: int, Q: int) -> dict:
    """Rooms' buildings and building limits (issue 17), from their own generator."""
    g = np.random.default_rng(seed + 104729)
    if g.random() < 0.3:
        return {}
    lim = lambda lo, hi, none: np.where(g.random(Q) < 0.6, g.integers(lo, hi, Q), none).astype(np.int32)  # noqa: E731
    return dict(room_building=g.integers(-1, 3, R).astype(np.int32), resource_max_bchanges_day=lim(0, 3, -1),
                resource_max_bchanges_week=lim(0, 4, -1), resource_min_gaps_bchanges=lim(1, 3, 0))


def random_relations(seed: int, S: int) -> tuple:
    """Random relations between sessions (every rule of engine.rules.RELATION_RULES), from their own
    generator (the other draws of a seed stay as they were)."""
    from ato_desktop.engine.rules import RELATION_RULES

    g = np.random.default_rng(seed + 7919)
    out = []
    if S < 2 or g.random() < 0.25:
        return ()
    for _ in range(int(g.integers(1, 5))):
        rule = RELATION_RULES[int(g.integers(0, len(RELATION_RULES)))]
        k = 2 if rule == "activities_consecutive" else int(g.integers(2, min(3 if rule == "activities_grouped" else 4, S) + 1))
        members = g.choice(S, size=k, replace=False).astype(np.int32)
        param = int(g.integers(1, 3)) if rule in ("activities_min_gaps", "activities_ordered_min_gaps") else \
            int(g.integers(0, 3)) if rule in ("activities_max_daily", "activities_max_consecutive") else 0
        # an ordered pair's two sets: the first ``split`` members, then the rest
        out.append((rule, members, param) + ((int(g.integers(1, k)),) if rule == "activities_ordered_min_gaps" else ()))
    return tuple(out)


def random_assignment(problem: Problem, g: np.random.Generator) -> Assignment:
    S, T, R = problem.n_sessions, problem.n_slots, problem.n_rooms
    start = g.integers(0, T, S).astype(np.int32)
    start[g.random(S) < 0.15] = -1
    room = g.integers(0, R, S).astype(np.int32)
    room[g.random(S) < 0.15] = -1
    return Assignment(start, room)
