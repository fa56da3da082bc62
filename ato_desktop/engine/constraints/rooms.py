"""Room rules: a suitable room, big enough, and the same room for a course's sessions."""

from __future__ import annotations

import numpy as np

from ..score import Violation
from .base import Context, V, join_names, rule


def _requirement(cx: Context, s: int) -> str | None:
    req = cx.p.meta.get("session_room_requirement")
    try:
        text = req[s] if req is not None else None
    except (IndexError, KeyError, TypeError):
        return None
    return str(text) if text else None


# Rule: a session sits in a room it is allowed (kind, features, capacity where required);
# one count per session.
@rule("room_unsuitable", text="A session is held in a room of the required kind, with the required features and size.")
def room_unsuitable(cx: Context, w: int) -> list[Violation]:
    p = cx.p
    S = p.n_sessions
    has = cx.used_room >= 0
    bad = np.zeros(S, bool)
    bad[has] = ~p.session_allowed_rooms[np.flatnonzero(has), cx.used_room[has]]
    out = []
    for s in np.flatnonzero(bad):
        s = int(s)
        r, t = int(cx.used_room[s]), int(cx.start[s])
        req = _requirement(cx, s)
        why = f"; it needs a {req}" if req else ""
        msg = f"{cx.s(s)} on {cx.slot(t)} is in room {cx.r(r)}, which is not suitable for it{why}"
        out.append(V("room_unsuitable", w, 1, msg, sessions=(s,), rooms=(r,), slots=(t,)))
    return out


# Rule (soft): students above the room's capacity (per session: size - capacity, if positive).
@rule("room_capacity", text="A session's students fit in its room (each student above capacity costs).")
def room_capacity(cx: Context, w: int) -> list[Violation]:
    p = cx.p
    has = np.flatnonzero(cx.used_room >= 0)
    over = p.session_size[has].astype(np.int64) - p.room_capacity[cx.used_room[has]].astype(np.int64)
    out = []
    for s, ex in zip(has[over > 0].tolist(), over[over > 0].tolist()):
        r, t = int(cx.used_room[s]), int(cx.start[s])
        msg = (f"{cx.s(s)} on {cx.slot(t)} has {int(p.session_size[s])} students in room {cx.r(r)}, "
               f"which holds {int(p.room_capacity[r])} ({ex} over)")
        out.append(V("room_capacity", w, ex, msg, sessions=(s,), rooms=(r,), slots=(t,)))
    return out


# Rule (soft): the sessions of one course key use one room (per course: distinct rooms - 1).
@rule("room_stability", text="All sessions of a course meet in the same room.")
def room_stability(cx: Context, w: int) -> list[Violation]:
    p = cx.p
    has = np.flatnonzero(cx.used_room >= 0)
    by_course: dict[int, dict[int, list[int]]] = {}
    for s in has.tolist():
        by_course.setdefault(int(p.session_course[s]), {}).setdefault(int(cx.used_room[s]), []).append(s)
    out = []
    for c in sorted(by_course):
        rooms = by_course[c]
        if len(rooms) <= 1:
            continue
        rs = sorted(rooms)
        sessions = sorted(s for r in rs for s in rooms[r])
        msg = (f"{p.course_names[c]} uses {len(rs)} rooms: {join_names([cx.r(r) for r in rs])} "
               f"(one room for all its sessions is best)")
        out.append(V("room_stability", w, len(rs) - 1, msg, sessions=sessions, rooms=rs,
                     slots=[int(cx.start[s]) for s in sessions]))
    return out
