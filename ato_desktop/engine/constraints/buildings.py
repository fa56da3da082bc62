"""Changes of building (issue 17): FET's max building changes per day / per week and min gaps between
building changes, for a teacher or a students set (all teachers, all students).

Each rule reads a per-resource limit (``Problem.resource_max_bchanges_day`` / ``_week``, -1 = no limit;
``resource_min_gaps_bchanges``, 0 = none) and the rooms' buildings (``Problem.room_building``, -1 = none).
Counted exactly as ``kernels.building_counts``: per day, the resource's scheduled sessions in a room with a
building, in order of start (then index); a *change* is two of them one after the other in different
buildings; its *gap* is the periods between the first's end and the second's start, a break included (FET
counts the hours between: its own timetables of St Joseph EMHSS change floors across a break).
"""

from __future__ import annotations

import numpy as np

from ..score import Violation
from .base import Context, V, rule


def _limited(values: np.ndarray, none: int) -> list[int]:
    return np.flatnonzero(np.asarray(values).astype(np.int64) != none).tolist()


def _changes(cx: Context, q: int, d: int) -> list[tuple[int, int, int]]:
    """(session before, session after, usable periods between) of each change of building of q on day d."""
    P, p = cx.P, cx.p
    ss = sorted((int(cx.start[s]), s) for s in np.unique(cx.rs_s[cx.rs_q == q]).tolist()
                if cx.sched[s] and d * P <= cx.start[s] < d * P + P and cx.used_room[s] >= 0
                and p.room_building[cx.used_room[s]] >= 0)
    out = []
    for (ta, a), (tb, b) in zip(ss, ss[1:]):
        if p.room_building[cx.used_room[a]] != p.room_building[cx.used_room[b]]:
            end = int(cx.end[a]) + 1
            out.append((a, b, max(0, tb - end)))
    return out


def _move(cx: Context, a: int, b: int) -> str:
    return f"{cx.s(a)} in {cx.r(int(cx.used_room[a]))} to {cx.s(b)} in {cx.r(int(cx.used_room[b]))}"



def _over(cx: Context, name: str, w: int, ch, m: int, msg: str, q: int) -> Violation:
    """The violation of a building-change limit ``m`` by the changes ``ch`` of resource ``q``."""
    ss = tuple(dict.fromkeys(s for a, b, _ in ch for s in (a, b)))
    return V(name, w, len(ch) - m, msg, sessions=ss, resources=(q,), slots=[int(cx.start[s]) for s in ss])

# Rule (soft): per resource with resource_max_bchanges_day = N >= 0, per day: changes above N.
@rule("max_building_changes_day", text="A teacher or class changes buildings no more than a set number of "
                                       "times a day.")
def max_building_changes_day(cx: Context, w: int) -> list[Violation]:
    lim = cx.p.resource_max_bchanges_day
    out = []
    for q in _limited(lim, -1):
        m = int(lim[q])
        for d in range(cx.D):
            ch = _changes(cx, q, d)
            if len(ch) <= m:
                continue
            msg = (f"{cx.q(q)} changes buildings {len(ch)} times on {cx.day(d)} "
                   f"({'; '.join(_move(cx, a, b) for a, b, _ in ch)}); the limit is {m}")
            out.append(_over(cx, "max_building_changes_day", w, ch, m, msg, q))
    return out


# Rule (soft): per resource with resource_max_bchanges_week = N >= 0: changes in the week above N.
@rule("max_building_changes_week", text="A teacher or class changes buildings no more than a set number of "
                                        "times a week.")
def max_building_changes_week(cx: Context, w: int) -> list[Violation]:
    lim = cx.p.resource_max_bchanges_week
    out = []
    for q in _limited(lim, -1):
        m = int(lim[q])
        ch = [c for d in range(cx.D) for c in _changes(cx, q, d)]
        if len(ch) <= m:
            continue
        msg = f"{cx.q(q)} changes buildings {len(ch)} times this week; the limit is {m}"
        out.append(_over(cx, "max_building_changes_week", w, ch, m, msg, q))
    return out


# Rule (soft): per resource with resource_min_gaps_bchanges = N > 0, per change: the periods missing to N.
@rule("min_gaps_building_changes", text="A teacher or class has free periods to walk between two buildings.")
def min_gaps_building_changes(cx: Context, w: int) -> list[Violation]:
    lim = cx.p.resource_min_gaps_bchanges
    out = []
    for q in _limited(lim, 0):
        m = int(lim[q])
        for d in range(cx.D):
            for a, b, gap in _changes(cx, q, d):
                if gap >= m:
                    continue
                msg = (f"{cx.q(q)} goes from {_move(cx, a, b)} on {cx.day(d)} with {gap} free "
                       f"period{'s' if gap != 1 else ''} between; at least {m} needed")
                out.append(V("min_gaps_building_changes", w, m - gap, msg, sessions=(a, b), resources=(q,),
                             slots=(int(cx.start[a]), int(cx.start[b]))))
    return out
