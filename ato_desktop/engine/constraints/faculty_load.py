"""Faculty load rules: periods per day (hard), consecutive periods and days on campus (soft).

All three concern faculty resources only (``resource_kind == RESOURCE_FACULTY``) with a
positive limit; a limit of 0 means "no limit".  Loads count session-slots: two sessions
of one faculty member in the same slot count twice (the clash itself is
``resource_clash``).
"""

from __future__ import annotations

import numpy as np

from ..score import Violation
from .base import Context, V, rule


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# Rule: a faculty member teaches at most resource_max_daily periods a day
# (per faculty and day: occupied session-slots above the maximum).
@rule("daily_load", text="A faculty member teaches no more than their daily maximum of periods.")
def daily_load(cx: Context, w: int) -> list[Violation]:
    p, D, P = cx.p, cx.D, cx.P
    mx = p.resource_max_daily.astype(np.int64)
    out = []
    for q in np.flatnonzero(cx.is_faculty & (mx > 0)).tolist():
        per_day = cx.load[q].reshape(D, P).sum(axis=1)
        for d in np.flatnonzero(per_day > mx[q]).tolist():
            slots = [d * P + i for i in range(P) if cx.load[q, d * P + i] > 0]
            n, m = int(per_day[d]), int(mx[q])
            msg = (f"{cx.q(q)} teaches {_plural(n, 'period')} on {cx.day(d)}; the limit is {m}: "
                   f"{cx.sessions(cx.sessions_of(q, slots))}")
            out.append(V("daily_load", w, n - m, msg, sessions=cx.sessions_of(q, slots), resources=(q,),
                         slots=slots))
    return out


# Rule (soft): runs of consecutive occupied usable periods within a day longer than
# resource_max_consecutive (per faculty and run: length - maximum).  A break or a free
# period ends a run; an occupied break period belongs to no run.
@rule("max_consecutive", text="A faculty member does not teach more than their maximum of periods in a row.")
def max_consecutive(cx: Context, w: int) -> list[Violation]:
    mx = cx.p.resource_max_consecutive.astype(np.int64)
    out = []
    for q in np.flatnonzero(cx.is_faculty & (mx > 0)).tolist():
        m = int(mx[q])
        for run in runs_over(cx, q, m):
            ss = cx.sessions_of(q, run)
            msg = (f"{cx.q(q)} teaches {len(run)} periods in a row on {cx.slots(run)} "
                   f"(maximum {m}): {cx.sessions(ss)}")
            out.append(V("max_consecutive", w, len(run) - m, msg, sessions=ss, resources=(q,), slots=run))
    return out


def runs_over(cx: Context, q: int, m: int) -> list[list[int]]:
    """Resource q's runs of occupied usable periods within a day (a break or a free period ends a run)
    longer than m, day by day: the slots of each."""
    P, usable = cx.P, cx.p.slot_usable
    out = []
    for d in range(cx.D):
        run: list[int] = []
        for u in list(range(d * P, d * P + P)) + [-1]:
            if u >= 0 and cx.load[q, u] > 0 and usable[u]:
                run.append(u)
                continue
            if len(run) > m:
                out.append(run)
            run = []
    return out


# Rule (soft): a faculty member comes on at most resource_max_days days
# (per faculty: days with an occupied slot above the maximum).
@rule("max_days", text="A faculty member's classes fit in their maximum number of days on campus.")
def max_days(cx: Context, w: int) -> list[Violation]:
    p, D, P = cx.p, cx.D, cx.P
    mx = p.resource_max_days.astype(np.int64)
    out = []
    for q in np.flatnonzero(cx.is_faculty & (mx > 0)).tolist():
        busy_days = np.flatnonzero(cx.load[q].reshape(D, P).sum(axis=1) > 0).tolist()
        m = int(mx[q])
        if len(busy_days) <= m:
            continue
        slots = np.flatnonzero(cx.load[q] > 0).tolist()
        ss = cx.sessions_of(q, slots)
        days = ", ".join(cx.day(d) for d in busy_days)
        msg = f"{cx.q(q)} comes on {len(busy_days)} days ({days}), more than the maximum of {m}"
        out.append(V("max_days", w, len(busy_days) - m, msg, sessions=ss, resources=(q,), slots=slots))
    return out


def weekly_load(problem, assignment) -> list[Violation]:
    """Faculty members teaching more periods this week than their weekly limit
    (``problem.resource_max_weekly``, 0 = none), one violation each with ``count`` = periods above it.

    Not a scored rule: the periods a teacher is assigned are fixed by the activities, so the limit is
    checked on the data (``engine.checks``: ``weekly_load``) and listed with a timetable's conflicts;
    scoring it would only teach the optimizer to leave sessions unscheduled."""
    cx = Context(problem, assignment)
    mx = problem.resource_max_weekly.astype(np.int64)
    out = []
    for q in np.flatnonzero(cx.is_faculty & (mx > 0)).tolist():
        n, m = int(cx.load[q].sum()), int(mx[q])
        if n <= m:
            continue
        slots = np.flatnonzero(cx.load[q] > 0).tolist()
        ss = cx.sessions_of(q, slots)
        msg = f"{cx.q(q)} teaches {_plural(n, 'period')} this week; the weekly limit is {m}: {cx.sessions(ss)}"
        out.append(V("weekly_load", 1, n - m, msg, sessions=ss, resources=(q,), slots=slots))
    return out
