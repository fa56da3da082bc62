"""Limits on the periods a set of activities takes (issue 17): FET's activity-tag max hours daily and
continuously, per teacher or students set (and for all teachers / all students); and the minimum gap after
an activity of an ordered pair (FET's students min gaps between an ordered pair of activity tags).

Each is a relation of ``Problem.relations`` (``param`` = the limit): the FET import resolves "the
activities with tag X of teacher T" (or of one subgroup, whose activities include its group's and year's,
as FET counts a students set) to a set of sessions, so the engine counts sets, not tags. Counted exactly as
``kernels.rel_count``: a day's *load* is the set's occupied session-slots that day (as ``daily_load``); a
*run* is a maximal stretch of usable periods of one day each occupied by a session of the set (a break, a
free period or a class outside the set ends it, as ``group_max_consecutive``).
"""

from __future__ import annotations

import numpy as np

from ..score import Violation
from .base import Context, V, rule


def _occupancy(cx: Context, members: list[int]) -> np.ndarray:
    """Session-slots of the set on each slot of the week."""
    occ = np.zeros(cx.T, np.int64)
    for s in members:
        if cx.sched[s]:
            occ[int(cx.start[s]):int(cx.end[s]) + 1] += 1
    return occ


def _who(cx: Context, members: list[int]) -> str:
    """"X has" / "X and Y have": the teachers and classes every session of the set has (whose limit it is),
    else the set's sessions."""
    common = None
    for s in members:
        qs = {int(q) for q in cx.p.resources_of(s)}
        common = qs if common is None else common & qs
    if common:
        names = cx.resource_names(sorted(common))
        return f"{cx.resources(sorted(common))} {'has' if len(names) == 1 else 'have'}"
    return f"{cx.sessions(members)} {'has' if len(members) == 1 else 'have'}"


def _on(cx: Context, members: list[int], slots: list[int]) -> tuple[int, ...]:
    """The set's sessions occupying any of ``slots``."""
    where = set(slots)
    return tuple(s for s in members if cx.sched[s] and where.intersection(range(int(cx.start[s]), int(cx.end[s]) + 1)))


def _relations(cx: Context, name: str):
    for x in cx.p.relations:
        if x.rule == name:
            yield [int(s) for s in x.sessions], int(x.param)


# Rule (soft): per relation with limit m, per day: max(0, the set's session-slots that day - m).
@rule("activities_max_daily", text="A teacher or class has no more than a set number of periods of a kind "
                                   "of class (e.g. labs) in a day.")
def activities_max_daily(cx: Context, w: int) -> list[Violation]:
    out = []
    P = cx.P
    for members, m in _relations(cx, "activities_max_daily"):
        occ = _occupancy(cx, members)
        for d in range(cx.D):
            load = int(occ[d * P:d * P + P].sum())
            if load <= m:
                continue
            slots = [u for u in range(d * P, d * P + P) if occ[u] > 0]
            ss = _on(cx, members, slots)
            msg = (f"{_who(cx, members)} {load} periods of {cx.sessions(ss)} on {cx.day(d)}; "
                   f"the limit is {m}")
            out.append(V("activities_max_daily", w, load - m, msg, sessions=ss, slots=slots))
    return out


# Rule (soft): per relation with limit m, per run of usable periods of one day each occupied by the set:
# max(0, run length - m).
@rule("activities_max_consecutive", text="A teacher or class has no more than a set number of periods of a "
                                         "kind of class in a row.")
def activities_max_consecutive(cx: Context, w: int) -> list[Violation]:
    out = []
    P, usable = cx.P, cx.p.slot_usable
    for members, m in _relations(cx, "activities_max_consecutive"):
        occ = _occupancy(cx, members)
        for d in range(cx.D):
            run: list[int] = []
            for u in range(d * P, d * P + P + 1):
                if u < d * P + P and occ[u] > 0 and usable[u]:
                    run.append(u)
                    continue
                if len(run) > m:
                    ss = _on(cx, members, run)
                    msg = (f"{_who(cx, members)} {len(run)} periods in a row of {cx.sessions(ss)} on "
                           f"{cx.slots(run)}; the limit is {m}")
                    out.append(V("activities_max_consecutive", w, len(run) - m, msg, sessions=ss, slots=run))
                run = []
    return out


# Rule (soft): per relation of two sets with gap N, per pair (a of the first, b of the second, a != b) both
# scheduled, b starting on a's day at or after a's start: max(0, N - periods between a's end and b's start)
# (FET's min gaps between an ordered pair of activity tags: a tag pair of one subgroup is one relation).
@rule("activities_ordered_min_gaps", text="A class held after another on the same day keeps a minimum gap "
                                          "after it (e.g. no lab right after a lecture).")
def activities_ordered_min_gaps(cx: Context, w: int) -> list[Violation]:
    out = []
    P = cx.P
    pairs = ((int(a), int(b), int(x.param)) for x in cx.p.relations if x.rule == "activities_ordered_min_gaps"
             for a in x.sessions[:x.split] for b in x.sessions[x.split:] if a != b)
    for a, b, gap in pairs:
        if not (cx.sched[a] and cx.sched[b]) or cx.start[b] < cx.start[a] or cx.start[a] // P != cx.start[b] // P:
            continue
        apart = max(0, int(cx.start[b]) - int(cx.end[a]) - 1)
        if apart >= gap:
            continue
        msg = (f"{cx.s(b)} follows {cx.s(a)} on {cx.day(int(cx.start[a]) // P)} {apart} period"
               f"{'s' if apart != 1 else ''} after it; the minimum is {gap}")
        out.append(V("activities_ordered_min_gaps", w, gap - apart, msg, sessions=(a, b),
                     slots=(int(cx.start[a]), int(cx.start[b]))))
    return out
