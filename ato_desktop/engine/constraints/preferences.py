"""Preference rules (soft): faculty/group undesired and preferred periods, activity preferred times."""

from __future__ import annotations

import numpy as np

from ..problem import PREF_PREFERRED, PREF_UNDESIRED
from ..score import Violation
from .base import Context, V, group_values, rule


def _per_session_resource(cx: Context, name: str, w: int, bad: np.ndarray, text: str) -> list[Violation]:
    Q = cx.p.n_resources
    out = []
    for key, (us,) in group_values(cx.ro_s[bad] * Q + cx.ro_q[bad], cx.ro_u[bad]):
        s, q = divmod(key, Q)
        msg = f"{cx.q(q)} has {cx.s(s)} on {cx.slots(us)}, {text}"
        out.append(V(name, w, len(us), msg, sessions=(s,), resources=(q,), slots=us))
    return out


# Rule (soft): per (session, occupied slot, resource) where the resource marked the slot undesired.
@rule("resource_undesired", text="Faculty members and groups are not scheduled in periods they marked undesired.")
def resource_undesired(cx: Context, w: int) -> list[Violation]:
    bad = cx.p.resource_pref[cx.ro_q, cx.ro_u] == PREF_UNDESIRED
    return _per_session_resource(cx, "resource_undesired", w, bad, "a period marked undesired")


# Rule (soft): per (session, occupied slot, resource) where the resource has preferred
# periods and this slot is not one of them.
@rule("resource_not_preferred", text="Faculty members and groups with preferred periods are scheduled within them.")
def resource_not_preferred(cx: Context, w: int) -> list[Violation]:
    pref = cx.p.resource_pref
    has_pref = (pref == PREF_PREFERRED).any(axis=1) if pref.shape[1] else np.zeros(len(pref), bool)
    bad = has_pref[cx.ro_q] & (pref[cx.ro_q, cx.ro_u] != PREF_PREFERRED)
    return _per_session_resource(cx, "resource_not_preferred", w, bad, "outside the preferred periods")


# Rule (soft): per scheduled session: 1 if its start slot is undesired for its activity, or
# the activity has preferred start slots and this is not one.
@rule("session_not_preferred", text="An activity starts at one of its preferred times and never at an undesired one.")
def session_not_preferred(cx: Context, w: int) -> list[Violation]:
    p = cx.p
    sched = np.flatnonzero(cx.sched)
    sp = p.session_pref[sched, cx.start[sched]]
    has_pref = (p.session_pref[sched] == PREF_PREFERRED).any(axis=1) if p.n_slots else np.zeros(len(sched), bool)
    undesired = sp == PREF_UNDESIRED
    not_pref = has_pref & (sp != PREF_PREFERRED)
    out = []
    for i in np.flatnonzero(undesired | not_pref).tolist():
        s, t = int(sched[i]), int(cx.start[sched[i]])
        why = "an undesired time for it" if undesired[i] else "outside its preferred times"
        msg = f"{cx.s(s)} starts on {cx.slot(t)}, {why}"
        out.append(V("session_not_preferred", w, 1, msg, sessions=(s,), slots=(t,)))
    return out
