"""The day profile (issue 17): soft per-resource limits on each day's occupancy, imported from FET.

Each rule reads one per-resource array of the Problem (``resource_max_gaps_week`` ...
``resource_min_days``; -1 or 0 = no limit, see ``problem.PROFILE_ARRAYS``) and applies to any
resource with a limit: faculty and student groups alike (the compiler sets only the kinds a rule is
for). Counted exactly as ``kernels.profile_counts``: a day's *load* is its occupied session-slots; an
*idle period* is a free usable period where the resource is available, between its first and last
occupied period of the day; a day's *open* periods are the usable ones where it is available.
"""

from __future__ import annotations

import numpy as np

from ..score import Violation
from .base import Context, V, rule
from .faculty_load import runs_over


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _limited(values: np.ndarray, none: int) -> list[int]:
    return np.flatnonzero(np.asarray(values).astype(np.int64) != none).tolist()


def _idle(cx: Context, q: int, d: int) -> list[int]:
    """Idle periods of q on day d."""
    P = cx.P
    busy = [u for u in range(d * P, d * P + P) if cx.load[q, u] > 0]
    if not busy:
        return []
    avail = cx.p.resource_available[q]
    usable = cx.p.slot_usable
    return [u for u in range(busy[0] + 1, busy[-1]) if cx.load[q, u] == 0 and usable[u] and avail[u]]


def _own_sessions(cx: Context, q: int) -> tuple[int, ...]:
    """Every session of q, scheduled or not (a day or days short of a minimum: what could go there)."""
    return tuple(int(s) for s in np.unique(cx.rs_s[cx.rs_q == q]))


def _no_sessions(cx: Context, q: int) -> str:
    return "" if _own_sessions(cx, q) else f" ({cx.q(q)} has no sessions)"


def _day_slots(cx: Context, q: int, d: int) -> list[int]:
    P = cx.P
    return [u for u in range(d * P, d * P + P) if cx.load[q, u] > 0]


# Rule (soft): per resource with resource_max_gaps_week >= 0: idle periods of the week above it.
@rule("max_gaps_week", text="A teacher's or class's idle periods in a week stay within their limit.")
def max_gaps_week(cx: Context, w: int) -> list[Violation]:
    lim = cx.p.resource_max_gaps_week
    out = []
    for q in _limited(lim, -1):
        idle = [u for d in range(cx.D) for u in _idle(cx, q, d)]
        m = int(lim[q])
        if len(idle) <= m:
            continue
        msg = (f"{cx.q(q)} has {_plural(len(idle), 'idle period')} this week ({cx.slots(idle)}); "
               f"the limit is {m}")
        busy = [u for d in range(cx.D) for u in _day_slots(cx, q, d)]
        out.append(V("max_gaps_week", w, len(idle) - m, msg, sessions=cx.sessions_of(q, busy), resources=(q,),
                     slots=idle))
    return out


# Rule (soft): per resource with resource_max_gaps_day >= 0 and day: idle periods above it.
@rule("max_gaps_day", text="A teacher's or class's idle periods in a day stay within their limit.")
def max_gaps_day(cx: Context, w: int) -> list[Violation]:
    lim = cx.p.resource_max_gaps_day
    out = []
    for q in _limited(lim, -1):
        m = int(lim[q])
        for d in range(cx.D):
            idle = _idle(cx, q, d)
            if len(idle) <= m:
                continue
            msg = (f"{cx.q(q)} has {_plural(len(idle), 'idle period')} on {cx.day(d)} ({cx.slots(idle)}); "
                   f"the limit is {m} a day")
            out.append(V("max_gaps_day", w, len(idle) - m, msg, sessions=cx.sessions_of(q, _day_slots(cx, q, d)),
                         resources=(q,), slots=idle))
    return out


# Rule (soft): per resource with resource_min_daily > 0 and day with a usable period: the periods
# missing to the minimum; a day without periods counts only when empty days are not allowed
# (resource_min_daily_empty_ok False), then the whole minimum.
@rule("min_hours_daily", text="A teacher or class has at least their minimum of periods on each day they come.")
def min_hours_daily(cx: Context, w: int) -> list[Violation]:
    p, P = cx.p, cx.P
    lim = p.resource_min_daily
    out = []
    for q in _limited(lim, 0):
        m = int(lim[q])
        empty_ok = bool(p.resource_min_daily_empty_ok[q])
        for d in range(cx.D):
            if not p.slot_usable[d * P:d * P + P].any():
                continue
            slots = _day_slots(cx, q, d)
            load = int(cx.load[q, d * P:d * P + P].sum())
            if load == 0 and empty_ok or load >= m:
                continue
            if load == 0:
                ss = _own_sessions(cx, q)
                msg = f"{cx.q(q)} has no period on {cx.day(d)}; every day needs at least {m}{_no_sessions(cx, q)}"
            else:
                ss = cx.sessions_of(q, slots)
                msg = (f"{cx.q(q)} has {_plural(load, 'period')} on {cx.day(d)}, fewer than the minimum of {m}: "
                       f"{cx.sessions(ss)}")
            out.append(V("min_hours_daily", w, m - load, msg, sessions=ss, resources=(q,), slots=slots))
    return out


# Rule (soft): per resource with resource_early_max_second = N >= 0: every day with a period starts at
# its first open period; a day starting k > 1 open periods late counts k - 1, and the days starting
# exactly one open period late (at the second period) count beyond N.
@rule("early_start", text="A class's day starts at the first period (at most a set number of days at the second).")
def early_start(cx: Context, w: int) -> list[Violation]:
    p, P = cx.p, cx.P
    lim = p.resource_early_max_second
    usable = p.slot_usable
    out = []
    for q in _limited(lim, -1):
        avail = p.resource_available[q]
        second: list[tuple[int, list[int]]] = []
        for d in range(cx.D):
            slots = _day_slots(cx, q, d)
            if not slots:
                continue
            before = sum(1 for u in range(d * P, slots[0]) if usable[u] and avail[u])
            if before == 1:
                second.append((d, slots))
            elif before > 1:
                msg = (f"{cx.q(q)} starts on {cx.day(d)} at {p.period_labels[slots[0] % P]}, "
                       f"{_plural(before, 'period')} after the day's first")
                out.append(V("early_start", w, before - 1, msg, sessions=cx.sessions_of(q, slots[:1]),
                             resources=(q,), slots=slots[:1]))
        m = int(lim[q])
        if len(second) > m:
            days = ", ".join(cx.day(d) for d, _ in second)
            firsts = [sl[0] for _, sl in second]
            msg = (f"{cx.q(q)} starts at the second period on {_plural(len(second), 'day')} ({days}); "
                   f"at most {m} may")
            out.append(V("early_start", w, len(second) - m, msg, sessions=cx.sessions_of(q, firsts),
                         resources=(q,), slots=firsts))
    return out


# Rule (soft): per resource with resource_group_max_daily > 0 and day: load above it.
@rule("group_max_daily", text="A class has no more than its daily maximum of periods.")
def group_max_daily(cx: Context, w: int) -> list[Violation]:
    P = cx.P
    lim = cx.p.resource_group_max_daily
    out = []
    for q in _limited(lim, 0):
        m = int(lim[q])
        for d in range(cx.D):
            load = int(cx.load[q, d * P:d * P + P].sum())
            if load <= m:
                continue
            slots = _day_slots(cx, q, d)
            ss = cx.sessions_of(q, slots)
            msg = f"{cx.q(q)} has {_plural(load, 'period')} on {cx.day(d)}; the limit is {m}: {cx.sessions(ss)}"
            out.append(V("group_max_daily", w, load - m, msg, sessions=ss, resources=(q,), slots=slots))
    return out


# Rule (soft): per resource with resource_group_max_consecutive > 0: runs of occupied usable periods
# within a day longer than it (a break or free period ends a run), as max_consecutive for faculty.
@rule("group_max_consecutive", text="A class does not have more than its maximum of periods in a row.")
def group_max_consecutive(cx: Context, w: int) -> list[Violation]:
    lim = cx.p.resource_group_max_consecutive
    out = []
    for q in _limited(lim, 0):
        m = int(lim[q])
        for run in runs_over(cx, q, m):
            ss = cx.sessions_of(q, run)
            msg = (f"{cx.q(q)} has {len(run)} periods in a row on {cx.slots(run)} "
                   f"(maximum {m}): {cx.sessions(ss)}")
            out.append(V("group_max_consecutive", w, len(run) - m, msg, sessions=ss, resources=(q,), slots=run))
    return out


# Rule (soft): per resource with resource_min_days > 0: days with a period missing to the minimum.
@rule("min_days_week", text="A teacher comes on at least their minimum number of days.")
def min_days_week(cx: Context, w: int) -> list[Violation]:
    P = cx.P
    lim = cx.p.resource_min_days
    out = []
    for q in _limited(lim, 0):
        m = int(lim[q])
        busy = [d for d in range(cx.D) if cx.load[q, d * P:d * P + P].sum() > 0]
        if len(busy) >= m:
            continue
        slots = np.flatnonzero(cx.load[q] > 0).tolist()
        days = ", ".join(cx.day(d) for d in busy) or "no day"
        msg = (f"{cx.q(q)} comes on {_plural(len(busy), 'day')} ({days}), fewer than the minimum of {m}"
               f"{_no_sessions(cx, q)}")
        out.append(V("min_days_week", w, m - len(busy), msg, sessions=_own_sessions(cx, q), resources=(q,),
                     slots=slots))
    return out


# Rule (soft): per resource with resource_interval_max_days >= 0: the days with a period in the interval
# [resource_interval_from, resource_interval_to) of the day's periods, above the limit (FET's teacher /
# students interval max days per week, e.g. "at most 2 days with a first period").
@rule("interval_max_days", text="A teacher or class is busy in a part of the day on no more than a set number of days.")
def interval_max_days(cx: Context, w: int) -> list[Violation]:
    p, P = cx.p, cx.P
    lim = p.resource_interval_max_days
    out = []
    for q in _limited(lim, -1):
        lo, hi = max(0, int(p.resource_interval_from[q])), min(P, int(p.resource_interval_to[q]))
        busy = [(d, [u for u in range(d * P + lo, d * P + hi) if cx.load[q, u] > 0]) for d in range(cx.D)]
        busy = [(d, sl) for d, sl in busy if sl]
        m = int(lim[q])
        if len(busy) <= m:
            continue
        slots = [u for _, sl in busy for u in sl]
        part = (p.period_labels[lo] if hi - lo == 1 else f"{p.period_labels[lo]}–{p.period_labels[hi - 1]}") \
            if hi > lo else "?"
        days = ", ".join(cx.day(d) for d, _ in busy)
        msg = (f"{cx.q(q)} has classes in {part} on {_plural(len(busy), 'day')} ({days}); "
               f"at most {m} may")
        out.append(V("interval_max_days", w, len(busy) - m, msg, sessions=cx.sessions_of(q, slots),
                     resources=(q,), slots=slots))
    return out
