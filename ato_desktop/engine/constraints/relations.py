"""Relations between activities (issue 17, FET's activity relations): ``Problem.relations``.

Each relation names its rule and its sessions (``engine.problem.Relation``); counts as in
docs/constraints.md ("Relations"), identical to ``kernels.rel_count``. "b follows a" means: both on
the day a starts, b starts after a ends, and every slot between them is a break.
"""

from __future__ import annotations

from ..score import Violation
from .base import Context, V, rule


def _follows(cx: Context, a: int, b: int) -> bool:
    """Session b starts right after a ends on a's day (only breaks between them)."""
    P = cx.P
    ta, tb = int(cx.start[a]), int(cx.start[b])
    after = min(ta + int(cx.p.session_duration[a]), cx.T)
    if tb < after or tb // P != ta // P:
        return False
    return not cx.p.slot_usable[after:tb].any()


def _where(cx: Context, s: int) -> str:
    return cx.slots(range(int(cx.start[s]), int(cx.end[s]) + 1))


def _relations(cx: Context, name: str):
    for x in cx.p.relations:
        if x.rule == name:
            yield [int(s) for s in x.sessions], x.param


# Rule: no two sessions of the set share a slot (count: slots both occupy, per pair).
@rule("activities_not_overlapping", text="Activities of a set are never held at the same time.")
def activities_not_overlapping(cx: Context, w: int) -> list[Violation]:
    out = []
    for members, _ in _relations(cx, "activities_not_overlapping"):
        m = [s for s in members if cx.sched[s]]
        for i, a in enumerate(m):
            for b in m[i + 1:]:
                lo, hi = max(cx.start[a], cx.start[b]), min(cx.end[a], cx.end[b])
                if hi >= lo:
                    shared = range(int(lo), int(hi) + 1)
                    msg = f"{cx.s(a)} and {cx.s(b)} must not overlap but share {cx.slots(shared)}"
                    out.append(V("activities_not_overlapping", w, len(shared), msg, sessions=(a, b), slots=shared))
    return out


# Rule: the second session starts right after the first ends, on the same day (count: 1 per pair).
@rule("activities_consecutive", text="An activity is held right after the one it must follow, the same day.")
def activities_consecutive(cx: Context, w: int) -> list[Violation]:
    out = []
    for (a, b), _ in _relations(cx, "activities_consecutive"):
        if cx.sched[a] and cx.sched[b] and not _follows(cx, a, b):
            msg = (f"{cx.s(b)} should come right after {cx.s(a)} on the same day: "
                   f"it is on {_where(cx, b)}, {cx.s(a)} on {_where(cx, a)}")
            out.append(V("activities_consecutive", w, 1, msg, sessions=(a, b),
                         slots=(int(cx.start[a]), int(cx.start[b]))))
    return out


# Rule: the 2 or 3 sessions are back to back on one day, in any order (count: 1 per group).
@rule("activities_grouped", text="Grouped activities are held back to back on one day, in any order.")
def activities_grouped(cx: Context, w: int) -> list[Violation]:
    out = []
    for members, _ in _relations(cx, "activities_grouped"):
        if not all(cx.sched[s] for s in members):
            continue
        order = sorted(members, key=lambda s: int(cx.start[s]))
        if all(_follows(cx, x, y) for x, y in zip(order, order[1:])):
            continue
        where = ", ".join(f"{cx.s(s)} on {_where(cx, s)}" for s in order)
        msg = f"{cx.sessions(order)} should be held back to back on one day: {where}"
        out.append(V("activities_grouped", w, 1, msg, sessions=order, slots=[int(cx.start[s]) for s in order]))
    return out


# Rule: no student group of the session has a class after it that day (count: 1 per session).
@rule("activity_ends_day", text="An activity that ends its students' day has nothing after it that day.")
def activity_ends_day(cx: Context, w: int) -> list[Violation]:
    out = []
    P = cx.P
    for members, _ in _relations(cx, "activity_ends_day"):
        for s in members:
            if not cx.sched[s]:
                continue
            day_end = (int(cx.start[s]) // P + 1) * P
            later = range(int(cx.end[s]) + 1, day_end)
            groups = [int(q) for q in cx.p.resources_of(s) if cx.is_group[q]]
            busy = [(q, u) for q in groups for u in later if cx.load[q, u] > 0]
            if not busy:
                continue
            qs = sorted({q for q, _ in busy})
            slots = sorted({u for _, u in busy})
            others = cx.sessions([o for q in qs for o in cx.sessions_of(q, slots) if o != s])
            msg = (f"{cx.s(s)} should end the day of {cx.resources(qs)} on {cx.day(int(cx.start[s]) // P)}, "
                   f"but {others or 'another class'} follows at {cx.slots(slots)}")
            out.append(V("activity_ends_day", w, 1, msg, sessions=(s,), resources=qs, slots=slots))
    return out


# Rule: sessions of the set on one day are at least ``param`` periods apart (count: missing periods per pair).
@rule("activities_min_gaps", text="Activities of a set on the same day keep a minimum gap between them.")
def activities_min_gaps(cx: Context, w: int) -> list[Violation]:
    out = []
    P = cx.P
    for members, gap in _relations(cx, "activities_min_gaps"):
        m = [s for s in members if cx.sched[s]]
        for i, a in enumerate(m):
            for b in m[i + 1:]:
                if cx.start[a] // P != cx.start[b] // P:
                    continue
                x, y = (a, b) if cx.start[a] <= cx.start[b] else (b, a)
                apart = max(0, int(cx.start[y]) - int(cx.end[x]) - 1)
                if apart >= gap:
                    continue
                msg = (f"{cx.s(x)} and {cx.s(y)} are {apart} period{'s' if apart != 1 else ''} apart on "
                       f"{cx.day(int(cx.start[a]) // P)}; the minimum is {gap}")
                out.append(V("activities_min_gaps", w, gap - apart, msg, sessions=(x, y),
                             slots=(int(cx.start[x]), int(cx.start[y]))))
    return out


# Rule: the sessions of the set start on one day (count: distinct start days - 1).
@rule("activities_same_day", text="Activities of a set start on the same day.")
def activities_same_day(cx: Context, w: int) -> list[Violation]:
    out = []
    P = cx.P
    for members, _ in _relations(cx, "activities_same_day"):
        m = [s for s in members if cx.sched[s]]
        days = sorted({int(cx.start[s]) // P for s in m})
        if len(days) <= 1:
            continue
        where = "; ".join(f"{cx.sessions([s for s in m if cx.start[s] // P == d])} on {cx.day(d)}" for d in days)
        msg = f"{cx.sessions(m)} should start on the same day: {where}"
        out.append(V("activities_same_day", w, len(days) - 1, msg, sessions=m, slots=[int(cx.start[s]) for s in m]))
    return out


# Rule: two sessions of the set held back to back use the same room (count: 1 per such pair).
@rule("activities_same_room", text="Activities of a set held back to back stay in the same room.")
def activities_same_room(cx: Context, w: int) -> list[Violation]:
    out = []
    for members, _ in _relations(cx, "activities_same_room"):
        m = [s for s in members if cx.sched[s] and cx.used_room[s] >= 0]
        for i, a in enumerate(m):
            for b in m[i + 1:]:
                if cx.used_room[a] == cx.used_room[b] or not (_follows(cx, a, b) or _follows(cx, b, a)):
                    continue
                ra, rb = int(cx.used_room[a]), int(cx.used_room[b])
                msg = (f"{cx.s(a)} and {cx.s(b)} are back to back ({_where(cx, a)}, {_where(cx, b)}) "
                       f"but in different rooms: {cx.r(ra)} and {cx.r(rb)}")
                out.append(V("activities_same_room", w, 1, msg, sessions=(a, b), rooms=(ra, rb),
                             slots=(int(cx.start[a]), int(cx.start[b]))))
    return out
