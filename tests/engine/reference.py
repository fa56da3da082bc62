"""A slow, literal reading of docs/constraints.md, used only to check the fast kernels.

Written independently of engine/kernels.py: plain loops over sessions, slots and pairs.
Interpretations fixed where the document is open (same as the engine docstring):
unscheduled = one per session with start -1 or (needs room and room -1); unscheduled
sessions count for nothing else; isolated neighbours are start-1 on start's day and
end+1 on end's day; a break slot is never part of a max_consecutive run.
"""

from __future__ import annotations

from itertools import combinations

from ato_desktop.engine.problem import (
    DEFAULT_WEIGHTS, HARD_CONSTRAINTS, RESOURCE_FACULTY, RESOURCE_GROUP, SOFT_CONSTRAINTS,
)


def occupied(p, s, start):
    t = int(start[s])
    if t < 0:
        return []
    return [u for u in range(t, t + int(p.session_duration[s])) if u < p.n_slots]


def used_room(p, s, start, room):
    if start[s] < 0 or not p.session_needs_room[s] or room[s] < 0:
        return None
    return int(room[s])


def reference_counts(p, a) -> dict[str, int]:
    start, room = [int(x) for x in a.start], [int(x) for x in a.room]
    S, T, P, Q, R = p.n_sessions, p.n_slots, p.periods_per_day, p.n_resources, p.n_rooms
    res = [set(int(q) for q in p.resources_of(s)) for s in range(S)]
    occ = {s: occupied(p, s, start) for s in range(S)}
    sched = [s for s in range(S) if start[s] >= 0]
    c = {n: 0 for n in HARD_CONSTRAINTS + SOFT_CONSTRAINTS}
    c["unscheduled"] = sum(1 for s in range(S) if start[s] < 0 or (p.session_needs_room[s] and room[s] < 0))
    for a_, b_ in combinations(sched, 2):
        if res[a_] & res[b_]:
            c["resource_clash"] += len(set(occ[a_]) & set(occ[b_]))
    for r in range(R):
        for u in range(T):
            n = sum(1 for s in sched if used_room(p, s, start, room) == r and u in occ[s])
            c["room_clash"] += max(0, n - 1)
    for s in sched:
        r = used_room(p, s, start, room)
        for u in occ[s]:
            for q in res[s]:
                c["resource_unavailable"] += not p.resource_available[q, u]
                c["resource_undesired"] += p.resource_pref[q, u] == -1
                if (p.resource_pref[q] == 1).any() and p.resource_pref[q, u] != 1:
                    c["resource_not_preferred"] += 1
            if r is not None:
                c["room_unavailable"] += not p.room_available[r, u]
            c["session_unavailable"] += not p.session_available[s, u]
            c["break_overlap"] += not p.slot_usable[u]
        if start[s] % P + p.session_duration[s] > P:
            c["day_overflow"] += 1
        if r is not None:
            c["room_unsuitable"] += not p.session_allowed_rooms[s, r]
            c["room_capacity"] += max(0, int(p.session_size[s]) - int(p.room_capacity[r]))
        ls, lr = p.locked_start[s], p.locked_room[s]
        if (ls >= 0 and start[s] != ls) or (lr >= 0 and room[s] != lr):
            c["locked_moved"] += 1
        sp = p.session_pref[s, start[s]]
        if sp == -1 or ((p.session_pref[s] == 1).any() and sp != 1):
            c["session_not_preferred"] += 1
    for members in p.sync_sets:
        starts = {start[s] for s in members if start[s] >= 0}
        c["sync_mismatch"] += max(0, len(starts) - 1)

    def load(q, u):
        return sum(1 for s in sched if q in res[s] and u in occ[s])

    for q in range(Q):
        fac = p.resource_kind[q] == RESOURCE_FACULTY
        grp = p.resource_kind[q] == RESOURCE_GROUP
        days_used = 0
        for d in range(p.n_days):
            slots = list(range(d * P, d * P + P))
            loads = [load(q, u) for u in slots]
            if any(loads):
                days_used += 1
            if fac and p.resource_max_daily[q] > 0:
                c["daily_load"] += max(0, sum(loads) - int(p.resource_max_daily[q]))
            if fac and p.resource_max_consecutive[q] > 0:
                mx = int(p.resource_max_consecutive[q])
                run = 0
                for u, n in zip(slots, loads):
                    if n > 0 and p.slot_usable[u]:
                        run += 1
                    else:
                        c["max_consecutive"] += max(0, run - mx)
                        run = 0
                c["max_consecutive"] += max(0, run - mx)
            if grp:
                busy = [u for u, n in zip(slots, loads) if n > 0]
                if busy:
                    c["gaps"] += sum(1 for u in range(busy[0] + 1, busy[-1])
                                     if load(q, u) == 0 and p.slot_usable[u])
        if fac and p.resource_max_days[q] > 0:
            c["max_days"] += max(0, days_used - int(p.resource_max_days[q]))
        if grp:
            for s in sched:
                if q not in res[s]:
                    continue
                t, end = start[s], occ[s][-1]
                others = [o for o in sched if o != s and q in res[o]]
                before = t - 1 if t % P != 0 else None
                after = end + 1 if end + 1 < T and (end + 1) // P == end // P else None
                near = any((before is not None and before in occ[o]) or (after is not None and after in occ[o])
                           for o in others)
                c["isolated"] += not near
    for q in range(Q):  # the day profile (issue 17), literally
        gw, gd = int(p.resource_max_gaps_week[q]), int(p.resource_max_gaps_day[q])
        mh, empty_ok = int(p.resource_min_daily[q]), bool(p.resource_min_daily_empty_ok[q])
        early, gmd = int(p.resource_early_max_second[q]), int(p.resource_group_max_daily[q])
        gmc, mdw = int(p.resource_group_max_consecutive[q]), int(p.resource_min_days[q])
        ivm, ivf, ivt = (int(p.resource_interval_max_days[q]), int(p.resource_interval_from[q]),
                         int(p.resource_interval_to[q]))
        iv_days = 0
        open_ = [bool(p.slot_usable[u]) and bool(p.resource_available[q, u]) for u in range(T)]
        week_gaps = days = second = 0
        for d in range(p.n_days):
            slots = list(range(d * P, d * P + P))
            loads = [load(q, u) for u in slots]
            busy = [u for u, n in zip(slots, loads) if n > 0]
            gaps = len([u for u in range(busy[0] + 1, busy[-1]) if load(q, u) == 0 and open_[u]]) if busy else 0
            days += bool(busy)
            week_gaps += gaps
            if gd >= 0:
                c["max_gaps_day"] += max(0, gaps - gd)
            if mh > 0 and any(p.slot_usable[u] for u in slots):
                if sum(loads) == 0:
                    c["min_hours_daily"] += 0 if empty_ok else mh
                else:
                    c["min_hours_daily"] += max(0, mh - sum(loads))
            if early >= 0 and busy:
                late = len([u for u in range(slots[0], busy[0]) if open_[u]])
                second += late == 1
                c["early_start"] += max(0, late - 1)
            if gmd > 0:
                c["group_max_daily"] += max(0, sum(loads) - gmd)
            iv_days += any(load(q, d * P + k) > 0 for k in range(P) if ivf <= k < ivt)
            if gmc > 0:
                run = 0
                for u, n in zip(slots + [-1], loads + [0]):
                    if n > 0 and p.slot_usable[u]:
                        run += 1
                    else:
                        c["group_max_consecutive"] += max(0, run - gmc)
                        run = 0
        if gw >= 0:
            c["max_gaps_week"] += max(0, week_gaps - gw)
        if early >= 0:
            c["early_start"] += max(0, second - early)
        if mdw > 0:
            c["min_days_week"] += max(0, mdw - days)
        if ivm >= 0:
            c["interval_max_days"] += max(0, iv_days - ivm)
    for k in range(p.n_courses):
        mine = [s for s in sched if p.session_course[s] == k]
        if p.course_min_days[k] > 0:
            c["min_days"] += max(0, int(p.course_min_days[k]) - len({start[s] // P for s in mine}))
        rooms = {used_room(p, s, start, room) for s in mine} - {None}
        c["room_stability"] += max(0, len(rooms) - 1)
    _reference_relations(p, start, room, occ, res, c, load)
    _reference_buildings(p, start, room, occ, res, c)
    return {k: int(v) for k, v in c.items()}


def _reference_buildings(p, start, room, occ, res, c):
    """Changes of building (docs/constraints.md), literally: per resource and day, its sessions in a room
    with a building in order of (start, index); consecutive ones in different buildings are a change."""
    P = p.periods_per_day
    for q in range(p.n_resources):
        md, mw, mg = (int(p.resource_max_bchanges_day[q]), int(p.resource_max_bchanges_week[q]),
                      int(p.resource_min_gaps_bchanges[q]))
        week = 0
        for d in range(p.n_days):
            mine = sorted((start[s], s) for s in range(p.n_sessions) if q in res[s] and start[s] >= 0
                          and start[s] // P == d and used_room(p, s, start, room) is not None
                          and p.room_building[used_room(p, s, start, room)] >= 0)
            changes = 0
            for (ta, a), (tb, b) in zip(mine, mine[1:]):
                if p.room_building[used_room(p, a, start, room)] != p.room_building[used_room(p, b, start, room)]:
                    changes += 1
                    if mg > 0:
                        c["min_gaps_building_changes"] += max(0, mg - len(range(occ[a][-1] + 1, tb)))
            if md >= 0:
                c["max_building_changes_day"] += max(0, changes - md)
            week += changes
        if mw >= 0:
            c["max_building_changes_week"] += max(0, week - mw)


def _reference_relations(p, start, room, occ, res, c, load):
    """The relations between activities (docs/constraints.md, "Relations"), literally."""
    P = p.periods_per_day

    def follows(a, b):  # b right after a on a's start day, only breaks between
        after = occ[a][-1] + 1
        return (start[b] // P == start[a] // P and start[b] >= after
                and all(not p.slot_usable[u] for u in range(after, start[b])))

    for x in p.relations:
        m = [int(s) for s in x.sessions]
        sm = [s for s in m if start[s] >= 0]
        if x.rule == "activities_not_overlapping":
            c[x.rule] += sum(len(set(occ[a]) & set(occ[b])) for a, b in combinations(sm, 2))
        elif x.rule == "activities_consecutive":
            a, b = m
            c[x.rule] += len(sm) == 2 and not follows(a, b)
        elif x.rule == "activities_grouped":
            if len(sm) == len(m):
                from itertools import permutations
                c[x.rule] += not any(all(follows(o[i], o[i + 1]) for i in range(len(o) - 1))
                                     for o in permutations(m))
        elif x.rule == "activity_ends_day":
            for s in sm:
                day_end = (start[s] // P + 1) * P
                c[x.rule] += any(load(q, u) > 0 for q in res[s] if p.resource_kind[q] == RESOURCE_GROUP
                                 for u in range(occ[s][-1] + 1, day_end))
        elif x.rule == "activities_min_gaps":
            for a, b in combinations(sm, 2):
                if start[a] // P == start[b] // P:
                    e, f = (a, b) if start[a] <= start[b] else (b, a)
                    c[x.rule] += max(0, x.param - max(0, start[f] - occ[e][-1] - 1))
        elif x.rule == "activities_same_day":
            c[x.rule] += max(0, len({start[s] // P for s in sm}) - 1)
        elif x.rule == "activities_same_room":
            for a, b in combinations(sm, 2):
                ra, rb = used_room(p, a, start, room), used_room(p, b, start, room)
                if ra is not None and rb is not None and ra != rb and (follows(a, b) or follows(b, a)):
                    c[x.rule] += 1
        elif x.rule == "activities_ordered_min_gaps":
            firsts, seconds = m[:x.split], m[x.split:]
            for a in firsts:
                for b in seconds:
                    if a != b and start[a] >= 0 and start[b] >= start[a] and start[a] // P == start[b] // P:
                        c[x.rule] += max(0, x.param - max(0, start[b] - occ[a][-1] - 1))
        elif x.rule == "activities_max_daily":
            for d in range(p.n_days):
                c[x.rule] += max(0, sum(1 for s in sm for u in occ[s] if u // P == d) - x.param)
        elif x.rule == "activities_max_consecutive":
            taken = {u for s in sm for u in occ[s] if p.slot_usable[u]}
            for d in range(p.n_days):
                run = 0
                for u in list(range(d * P, d * P + P)) + [None]:
                    if u is not None and u in taken:
                        run += 1
                    else:
                        c[x.rule] += max(0, run - x.param)
                        run = 0


def reference_cost(p, a) -> tuple[int, int]:
    c = reference_counts(p, a)
    w = {n: int(p.weights.get(n, DEFAULT_WEIGHTS[n])) for n in c}
    return (sum(w[n] * c[n] for n in HARD_CONSTRAINTS), sum(w[n] * c[n] for n in SOFT_CONSTRAINTS))
