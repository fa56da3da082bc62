"""Placement rules: every session placed, within one day, off breaks, in sync, where locked."""

from __future__ import annotations

import numpy as np

from ..score import Violation
from .base import Context, V, group_values, rule


# Rule: every session has a start slot, and a room if it needs one (one count per session).
@rule("unscheduled", text="Every session has a start slot, and a room when it needs one.")
def unscheduled(cx: Context, w: int) -> list[Violation]:
    p = cx.p
    no_start = ~cx.sched
    no_room = cx.sched & p.session_needs_room & (cx.room < 0)
    out = []
    for s in np.flatnonzero(no_start | no_room):
        s = int(s)
        if no_start[s]:
            msg = f"{cx.s(s)} is not scheduled"
            out.append(V("unscheduled", w, 1, msg, sessions=(s,)))
        else:
            msg = f"{cx.s(s)} on {cx.slot(int(cx.start[s]))} has no room"
            out.append(V("unscheduled", w, 1, msg, sessions=(s,), slots=(int(cx.start[s]),)))
    return out


# Rule: a session's start period plus its duration stays within the start day.
@rule("day_overflow", text="A multi-period session starts early enough to end on the same day.")
def day_overflow(cx: Context, w: int) -> list[Violation]:
    p, P = cx.p, cx.P
    dur = p.session_duration
    bad = cx.sched & (cx.start % P + dur > P)
    out = []
    for s in np.flatnonzero(bad):
        s, t = int(s), int(cx.start[s])
        msg = (f"{cx.s(s)} ({int(dur[s])} periods) starts on {cx.slot(t)} and runs past "
               f"the end of {cx.day(t // P)}")
        out.append(V("day_overflow", w, 1, msg, sessions=(s,), slots=range(t, int(cx.end[s]) + 1)))
    return out


# Rule: no session occupies a break (a slot with slot_usable False); one count per slot.
@rule("break_overlap", text="Nothing is scheduled during a break.")
def break_overlap(cx: Context, w: int) -> list[Violation]:
    bad = ~cx.p.slot_usable[cx.occ_u]
    out = []
    P = cx.p.periods_per_day
    for s, (us,) in group_values(cx.occ_s[bad], cx.occ_u[bad]):
        if all(not cx.p.slot_usable[int(u) % P::P].any() for u in us):  # a break of every day
            msg = f"{cx.s(s)} overlaps the break at {cx.slots(us)}"
        else:  # a period closed on that day only (services.bells: a Saturday half-day, a break of its own)
            msg = f"{cx.s(s)} is held at {cx.slots(us)}, when {cx.day(int(us[0]) // P)} has no teaching"
        out.append(V("break_overlap", w, len(us), msg, sessions=(s,), slots=us))
    return out


# Rule: the scheduled members of a sync set share one start slot (count: distinct starts - 1).
@rule("sync_mismatch", text="Sessions of an elective basket start in the same slot.")
def sync_mismatch(cx: Context, w: int) -> list[Violation]:
    out = []
    for members in cx.p.sync_sets:
        m = np.asarray(members, np.int64)
        m = m[cx.sched[m]]
        starts = np.unique(cx.start[m])
        if len(starts) <= 1:
            continue
        where = "; ".join(
            f"{cx.sessions(m[cx.start[m] == t])} at {cx.slot(int(t))}" for t in starts)
        msg = f"Elective basket sessions do not start together: {where}"
        out.append(V("sync_mismatch", w, len(starts) - 1, msg, sessions=m, slots=starts))
    return out


# Rule: a locked session keeps its locked start slot and locked room (one count per session).
@rule("locked_moved", text="A locked session stays at its locked slot and room.")
def locked_moved(cx: Context, w: int) -> list[Violation]:
    p = cx.p
    ls, lr = p.locked_start.astype(np.int64), p.locked_room.astype(np.int64)
    moved_t = (ls >= 0) & (cx.start != ls)
    moved_r = (lr >= 0) & (cx.room != lr)
    bad = cx.sched & (moved_t | moved_r)
    out = []
    for s in np.flatnonzero(bad):
        s = int(s)
        parts, rooms, slots = [], [], []
        if moved_t[s]:
            parts.append(f"locked at {cx.slot(int(ls[s]))} but placed at {cx.slot(int(cx.start[s]))}")
            slots += [int(ls[s]), int(cx.start[s])]
        if moved_r[s]:
            now = cx.r(int(cx.room[s])) if cx.room[s] >= 0 else "no room"
            parts.append(f"locked to room {cx.r(int(lr[s]))} but in {now}")
            rooms.append(int(lr[s]))
            if cx.room[s] >= 0:
                rooms.append(int(cx.room[s]))
        msg = f"{cx.s(s)} is " + " and ".join(parts)
        out.append(V("locked_moved", w, 1, msg, sessions=(s,), rooms=rooms, slots=slots))
    return out
