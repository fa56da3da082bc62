"""Student-side soft rules: spread of a course over days, isolated sessions, idle gaps."""

from __future__ import annotations

import numpy as np

from ..score import Violation
from .base import Context, V, rule


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# Rule (soft): the scheduled sessions of a course key start on at least course_min_days
# distinct days (per course: missing days).
@rule("min_days", text="A course's sessions are spread over at least its minimum number of days.")
def min_days(cx: Context, w: int) -> list[Violation]:
    p, P = cx.p, cx.P
    md = p.course_min_days.astype(np.int64)
    course = p.session_course.astype(np.int64)
    out = []
    for c in np.flatnonzero(md > 0).tolist():
        mine = np.flatnonzero((course == c) & cx.sched)
        days = sorted(set((cx.start[mine] // P).tolist()))
        missing = int(md[c]) - len(days)
        if missing <= 0:
            continue
        all_sessions = np.flatnonzero(course == c)
        if days:
            where = f"meets on only {_plural(len(days), 'day')} ({', '.join(cx.day(d) for d in days)})"
        elif len(all_sessions):
            where = "meets on no day at all (no session scheduled)"
        else:
            where = "has no sessions"
        msg = f"{p.course_names[c]} {where}; it should be spread over {int(md[c])} days"
        out.append(V("min_days", w, missing, msg, sessions=all_sessions,
                     slots=cx.start[mine]))
    return out


# Rule (soft): per (group, scheduled session of the group): 1 if no other session of the
# group occupies the slot just before its start or just after its end on the same day.
@rule("isolated", text="A student group's session is next to another session of the group on the same day.")
def isolated(cx: Context, w: int) -> list[Violation]:
    p, P, T = cx.p, cx.P, cx.T
    pairs = np.unique(np.stack([cx.rs_s, cx.rs_q], axis=1), axis=0) if len(cx.rs_s) else np.zeros((0, 2), np.int64)
    s_arr, q_arr = pairs[:, 0], pairs[:, 1]
    keep = cx.sched[s_arr] & cx.is_group[q_arr]
    s_arr, q_arr = s_arr[keep], q_arr[keep]
    t, e = cx.start[s_arr], cx.end[s_arr]
    before = np.zeros(len(s_arr), bool)
    ok = t % P != 0
    before[ok] = cx.load[q_arr[ok], t[ok] - 1] > 0
    after = np.zeros(len(s_arr), bool)
    ok = (e + 1 < T) & ((e + 1) % P != 0)
    after[ok] = cx.load[q_arr[ok], e[ok] + 1] > 0
    alone = ~(before | after)
    by_session: dict[int, list[int]] = {}
    for s, q in zip(s_arr[alone].tolist(), q_arr[alone].tolist()):
        by_session.setdefault(s, []).append(q)
    out = []
    for s in sorted(by_session):
        qs = sorted(by_session[s])
        slots = range(int(cx.start[s]), int(cx.end[s]) + 1)
        msg = (f"{cx.s(s)} on {cx.slots(slots)} stands alone in the day of {cx.resources(qs)} "
               f"(no class of theirs just before or after)")
        out.append(V("isolated", w, len(qs), msg, sessions=(s,), resources=qs, slots=slots))
    return out


# Rule (soft): per group and day, idle usable periods between its first and last
# occupied period of the day.
@rule("gaps", text="A student group's day has no idle periods between its classes.")
def gaps(cx: Context, w: int) -> list[Violation]:
    p, D, P = cx.p, cx.D, cx.P
    usable = p.slot_usable
    out = []
    for q in np.flatnonzero(cx.is_group).tolist():
        day_load = cx.load[q].reshape(D, P)
        for d in np.flatnonzero(day_load.sum(axis=1) > 0).tolist():
            busy = np.flatnonzero(day_load[d] > 0)
            first, last = d * P + int(busy[0]), d * P + int(busy[-1])
            idle = [u for u in range(first + 1, last) if cx.load[q, u] == 0 and usable[u]]
            if not idle:
                continue
            around = cx.sessions_of(q, range(first, last + 1))
            msg = (f"{cx.q(q)} has {_plural(len(idle), 'idle period')} on {cx.day(d)} between classes: "
                   f"{cx.slots(idle)}")
            out.append(V("gaps", w, len(idle), msg, sessions=around, resources=(q,), slots=idle))
    return out
