"""Clash rules: nobody and no room in two places at once."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from ..problem import Problem
from ..score import Violation
from .base import Context, V, group_values, join_names, rule

_TIMES = {2: "two", 3: "three", 4: "four", 5: "five"}


def _n(k: int) -> str:
    return _TIMES.get(k, str(k))


# Rule: two sessions sharing a faculty member or group never occupy the same slot
# (one count per pair of sessions and common slot, however many resources they share).
@rule("resource_clash", text="Two sessions with a common faculty member or student group do not overlap.")
def resource_clash(cx: Context, w: int) -> list[Violation]:
    T = cx.T
    busy = cx.load[cx.ro_q, cx.ro_u] >= 2
    pairs: dict[tuple[int, int], tuple[set[int], set[int]]] = {}
    for key, (ss,) in group_values(cx.ro_q[busy] * T + cx.ro_u[busy], cx.ro_s[busy]):
        q, u = divmod(key, T)
        for a, b in combinations(sorted({int(s) for s in ss}), 2):  # a session never clashes with itself
            slots, res = pairs.setdefault((a, b), (set(), set()))
            slots.add(u)
            res.add(q)
    out = []
    for (a, b), (slots, res) in sorted(pairs.items()):
        qs = sorted(res)
        names = cx.resource_names(qs)
        who = join_names(names)
        verb = "has" if len(names) == 1 else "have"
        msg = f"{who} {verb} two classes at once on {cx.slots(slots)}: {cx.s(a)} and {cx.s(b)}"
        out.append(V("resource_clash", w, len(slots), msg, sessions=(a, b), resources=qs, slots=slots))
    return out


# Rule: a room holds at most one session per slot (per room and slot: sessions there - 1).
@rule("room_clash", text="A room holds at most one session at a time.")
def room_clash(cx: Context, w: int) -> list[Violation]:
    T = cx.T
    ur = cx.used_room[cx.occ_s]
    has = ur >= 0
    rk = ur[has] * T + cx.occ_u[has]
    busy = cx.rocc.reshape(-1)[rk] >= 2
    groups: dict[tuple[int, tuple[int, ...]], list[int]] = {}
    for key, (ss,) in group_values(rk[busy], cx.occ_s[has][busy]):
        r, u = divmod(key, T)
        groups.setdefault((r, tuple(sorted(int(s) for s in ss))), []).append(u)
    out = []
    for (r, ss), slots in sorted(groups.items()):
        count = (len(ss) - 1) * len(slots)
        msg = (f"Room {cx.r(r)} holds {_n(len(ss))} sessions at once on {cx.slots(slots)}: "
               f"{join_names([cx.s(s) for s in ss])}")
        out.append(V("room_clash", w, count, msg, sessions=ss, rooms=(r,), slots=slots))
    return out


def clashes_of(p: Problem, start: np.ndarray, room: np.ndarray, s: int) -> list[tuple[int, tuple[int, ...], bool]]:
    """The two rules above for one session: every scheduled session that ``resource_clash`` or
    ``room_clash`` counts against ``s`` as placed in ``start``/``room`` (the same occupancy as
    :class:`Context`: slots ``start..min(start+d-1, T-1)``, a room only when the session needs one).

    Returns ``(other session, the resources both need, whether both use the same room)``, sorted by
    session. Cheap (no full :class:`Context`): the grid asks it for every drop and repair."""
    t = int(start[s])
    if t < 0:
        return []
    T = p.n_slots
    dur = p.session_duration.astype(np.int64)
    end = min(t + int(dur[s]) - 1, T - 1)
    st = np.asarray(start, np.int64)
    cand = np.flatnonzero((st >= 0) & (st <= end) & (np.minimum(st + dur - 1, T - 1) >= t))
    mine = set(int(q) for q in p.resources_of(s))
    r = int(room[s]) if p.session_needs_room[s] else -1
    out = []
    for x in cand.tolist():
        if x == s:
            continue
        shared = tuple(sorted(mine.intersection(int(q) for q in p.resources_of(x))))
        same_room = r >= 0 and int(room[x]) == r and bool(p.session_needs_room[x])
        if shared or same_room:
            out.append((x, shared, same_room))
    return out
