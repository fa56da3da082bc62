"""Availability rules: nobody, no room and no activity used in a period it is not available."""

from __future__ import annotations

import numpy as np

from ..score import Violation
from .base import Context, V, group_values, rule


# Rule: a faculty member / group is not scheduled in a slot they are unavailable
# (one count per session, occupied slot and unavailable resource of the session).
@rule("resource_unavailable", text="Faculty members and student groups are only scheduled when available.")
def resource_unavailable(cx: Context, w: int) -> list[Violation]:
    p, Q = cx.p, cx.p.n_resources
    bad = ~p.resource_available[cx.ro_q, cx.ro_u]
    out = []
    for key, (us,) in group_values(cx.ro_s[bad] * Q + cx.ro_q[bad], cx.ro_u[bad]):
        s, q = divmod(key, Q)
        msg = f"{cx.s(s)} is on {cx.slots(us)} when {cx.q(q)} is unavailable"
        out.append(V("resource_unavailable", w, len(us), msg, sessions=(s,), resources=(q,), slots=us))
    return out


# Rule: a room is not used in a slot where it is unavailable (per session and occupied slot).
@rule("room_unavailable", text="A room is only used when it is available.")
def room_unavailable(cx: Context, w: int) -> list[Violation]:
    p = cx.p
    ur = cx.used_room[cx.occ_s]
    has = ur >= 0
    bad = np.zeros(len(ur), bool)
    bad[has] = ~p.room_available[ur[has], cx.occ_u[has]]
    out = []
    for s, (us,) in group_values(cx.occ_s[bad], cx.occ_u[bad]):
        r = int(cx.used_room[s])
        msg = f"{cx.s(s)} uses room {cx.r(r)} on {cx.slots(us)} when the room is unavailable"
        out.append(V("room_unavailable", w, len(us), msg, sessions=(s,), rooms=(r,), slots=us))
    return out


# Rule: a session does not occupy a slot forbidden for it (per session and occupied slot).
@rule("session_unavailable", text="An activity is never scheduled in one of its forbidden periods.")
def session_unavailable(cx: Context, w: int) -> list[Violation]:
    bad = ~cx.p.session_available[cx.occ_s, cx.occ_u]
    out = []
    for s, (us,) in group_values(cx.occ_s[bad], cx.occ_u[bad]):
        msg = f"{cx.s(s)} is on {cx.slots(us)}, a forbidden period for it"
        out.append(V("session_unavailable", w, len(us), msg, sessions=(s,), slots=us))
    return out

