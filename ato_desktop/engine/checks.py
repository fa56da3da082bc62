"""Diagnostics of impossible problems, run BEFORE optimizing.

``check_problem(problem)`` returns a list of :class:`Finding` in plain words,
naming the sessions, resources (faculty / student groups) and rooms involved.
Severity ``"error"`` means no timetable can satisfy every hard constraint;
``"warning"`` means a soft cost that cannot be avoided.

Codes
-----
``resource_overload``     a faculty member / group needs more periods than it has usable, available periods
                          (also counting a faculty member's daily maximum: more periods than
                          ``max per day`` x the days they can teach)
``weekly_load``           a faculty member is assigned more periods a week than their weekly limit
                          (``resource_max_weekly``, 0 = no limit)
``no_room``               a session that needs a room has no allowed room at all
``room_too_small``        no allowed room because every room of the right kind is too small
                          (told apart from a kind/feature mismatch when ``meta['session_room_kind_ok']`` is given)
``capacity_short``        (warning) the group is bigger than every room it may use (capacity is soft here)
``sync_shared_resource``  two sessions of one sync set (elective basket) share a faculty member or group
``sync_no_common_start``  the sessions of one sync set have no start slot feasible for all of them
``too_long``              a session is longer than every block of consecutive usable periods in a day
``no_start_slot``         a session has no feasible start at all (breaks, day length, its own, its
                          resources' and its rooms' availability)
``locked_infeasible``     a locked session is locked where it cannot be
``locked_clash``          locked sessions share a resource or a locked room at the same time

Optional ``problem.meta`` keys used for wording:
``session_room_requirement`` (sequence of str per session, e.g. "lab (Computer Lab) for 64 students"),
``session_room_kind_ok`` (bool[S, R]: rooms of the right kind/features, capacity ignored),
``sections`` (section name -> indices of its lab-batch leaf resources: "CSE-3A-B1 (lab batch of CSE-3A)").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ato_desktop.engine.problem import RESOURCE_FACULTY, Problem

__all__ = ["Finding", "check_problem", "feasible_starts"]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "error" | "warning"
    message: str
    sessions: tuple[int, ...] = field(default_factory=tuple)
    resources: tuple[int, ...] = field(default_factory=tuple)
    rooms: tuple[int, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


# ---------------------------------------------------------------------------
def _names(items, idx, limit: int = 6) -> str:
    idx = list(idx)
    shown = [str(items[i]) for i in idx[:limit]]
    if len(idx) > limit:
        shown.append(f"and {len(idx) - limit} more")
    return ", ".join(shown)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _a(text: str) -> str:
    return ("an " if text[:1].lower() in "aeiou" else "a ") + text


def _kind_word(problem: Problem, q: int) -> str:
    if int(problem.resource_kind[q]) == RESOURCE_FACULTY:
        return "faculty"
    for section, leaves in (problem.meta.get("sections") or {}).items():
        if q in {int(x) for x in leaves}:
            return f"lab batch of {section}"
    return "student group"


def _window_all(mask: np.ndarray, d: int, P: int) -> np.ndarray:
    """out[..., t] = True iff t % P + d <= P and mask[..., t:t+d] are all True."""
    T = mask.shape[-1]
    out = np.zeros(mask.shape, bool)
    if d > P:
        return out
    csum = np.concatenate([np.zeros(mask.shape[:-1] + (1,), np.int64), np.cumsum(mask, axis=-1)], axis=-1)
    t = np.arange(T)
    fits = (t % P + d <= P) & (t + d <= T)
    ts = t[fits]
    out[..., ts] = (csum[..., ts + d] - csum[..., ts]) == d
    return out


def _requirement(problem: Problem, s: int) -> str | None:
    req = problem.meta.get("session_room_requirement")
    if req is None:
        return None
    try:
        text = req[s]
    except (IndexError, KeyError, TypeError):
        return None
    return str(text) if text else None


def feasible_starts(problem: Problem, s: int, with_rooms: bool = True) -> np.ndarray:
    """bool[T]: start slots of session ``s`` allowed by every hard rule that concerns it alone."""
    P = problem.periods_per_day
    d = int(problem.session_duration[s])
    ok = problem.slot_usable & problem.session_available[s]
    for q in problem.resources_of(s):
        ok = ok & problem.resource_available[q]
    starts = _window_all(ok, d, P)
    for q in problem.resources_of(s):
        md = int(problem.resource_max_daily[q])
        if md > 0 and d > md:
            starts[:] = False
    if with_rooms and problem.session_needs_room[s]:
        allowed = np.flatnonzero(problem.session_allowed_rooms[s])
        if len(allowed):
            starts &= _window_all(problem.room_available[allowed], d, P).any(axis=0)
    return starts


# ---------------------------------------------------------------------------
def check_problem(problem: Problem) -> list[Finding]:
    findings: list[Finding] = []
    findings += _check_resource_load(problem)
    findings += _check_rooms(problem)
    bad_sessions = _check_durations_and_starts(problem, findings)
    findings += _check_sync_sets(problem, bad_sessions)
    findings += _check_locked(problem)
    order = {"error": 0, "warning": 1}
    findings.sort(key=lambda f: order.get(f.severity, 2))
    return findings


def _sessions_by_resource(problem: Problem) -> list[list[int]]:
    by: list[list[int]] = [[] for _ in range(problem.n_resources)]
    for s in range(problem.n_sessions):
        for q in problem.resources_of(s):
            by[int(q)].append(s)
    return by


def _activities_text(problem: Problem, sessions, limit: int = 8) -> str:
    """'CS301 L (CSE-3A) 3 periods, CS305 P (CSE-3A-B1) 2 periods': each activity (numbered sessions
    merged) with the periods it takes a week, in the order of the sessions."""
    periods: dict[str, int] = {}
    for s in sessions:
        key = _stem(problem.session_labels[s])
        periods[key] = periods.get(key, 0) + int(problem.session_duration[s])
    parts = [f"{k} {_plural(n, 'period')}" for k, n in periods.items()]
    if len(parts) > limit:
        parts = parts[:limit] + [f"and {len(parts) - limit} more"]
    return ", ".join(parts)


def _check_resource_load(problem: Problem) -> list[Finding]:
    out: list[Finding] = []
    D, P = problem.n_days, problem.periods_per_day
    by = _sessions_by_resource(problem)
    weekly = problem.resource_max_weekly
    for q, sessions in enumerate(by):
        if not sessions:
            continue
        demand = int(problem.session_duration[sessions].sum())
        free = (problem.resource_available[q] & problem.slot_usable).reshape(D, P).sum(axis=1)
        supply = int(free.sum())
        md = int(problem.resource_max_daily[q])
        capped = int(np.minimum(free, md).sum()) if md > 0 else supply
        name = problem.resource_names[q]
        kind = _kind_word(problem, q)
        faculty = int(problem.resource_kind[q]) == RESOURCE_FACULTY
        mw = int(weekly[q]) if faculty else 0
        if mw > 0 and demand > mw:
            out.append(Finding(
                "weekly_load", "error",
                f"{name} ({kind}) is assigned {_plural(demand, 'period')} a week, above the weekly limit of {mw}: "
                f"{_activities_text(problem, sessions)}.",
                tuple(sessions), (q,), ()))
        if demand > supply:
            out.append(Finding(
                "resource_overload", "error",
                f"{name} ({kind}) needs {_plural(demand, 'period')} a week for {_plural(len(sessions), 'session')} "
                f"but is available in only {_plural(supply, 'usable period')}.",
                tuple(sessions), (q,), ()))
        elif demand > capped:
            days = int((free > 0).sum())
            out.append(Finding(
                "resource_overload", "error",
                f"{name} ({kind}) needs {_plural(demand, 'period')} a week but, with at most {md} a day, "
                f"can teach only {capped} in the available periods ({_plural(days, 'day')} with free periods): "
                f"{_activities_text(problem, sessions)}.",
                tuple(sessions), (q,), ()))
    return out


def _check_rooms(problem: Problem) -> list[Finding]:
    out: list[Finding] = []
    if problem.n_sessions == 0:
        return out
    kind_ok = problem.meta.get("session_room_kind_ok")
    if kind_ok is not None:
        kind_ok = np.asarray(kind_ok, bool)
        if kind_ok.shape != (problem.n_sessions, problem.n_rooms):
            kind_ok = None
    caps = problem.room_capacity
    # group sessions of one activity with the same problem into one finding
    groups: dict[tuple, list[int]] = {}
    for s in range(problem.n_sessions):
        if not problem.session_needs_room[s]:
            continue
        allowed = np.flatnonzero(problem.session_allowed_rooms[s])
        size = int(problem.session_size[s])
        act = int(problem.session_activity[s])
        if len(allowed) == 0:
            if kind_ok is not None and kind_ok[s].any():
                fitting = np.flatnonzero(kind_ok[s])
                if (caps[fitting] < size).all():
                    groups.setdefault(("room_too_small", act, tuple(fitting)), []).append(s)
                    continue
            if kind_ok is None and problem.n_rooms and size > int(caps.max()):
                groups.setdefault(("room_too_small", act, tuple(range(problem.n_rooms))), []).append(s)
                continue
            groups.setdefault(("no_room", act, ()), []).append(s)
        elif size > 0 and (caps[allowed] < size).all():
            groups.setdefault(("capacity_short", act, tuple(allowed)), []).append(s)
    for (code, _act, rooms), sessions in groups.items():
        s = sessions[0]
        size = int(problem.session_size[s])
        what = _names(problem.session_labels, sessions, 3)
        req = _requirement(problem, s)
        it_needs = "it needs" if len(sessions) == 1 else "each needs"
        needs = "needs" if len(sessions) == 1 else "each need"
        if code == "no_room":
            need = _a(req) if req else f"a room for {size} students"
            biggest = int(caps.max()) if problem.n_rooms else 0
            extra = "" if req or problem.n_rooms == 0 else f" (the largest room holds {biggest})"
            if kind_ok is not None and not kind_ok[s].any():
                extra = " (no room has the required kind and features)"
            out.append(Finding("no_room", "error", f"No room is allowed for {what}: {it_needs} {need}{extra}.",
                               tuple(sessions), (), ()))
        elif code == "room_too_small":
            best = max(rooms, key=lambda r: int(caps[r]))
            need = _a(req) if req else f"a room for {size} students"
            which = "suitable room" if kind_ok is not None else "room"
            out.append(Finding(
                "room_too_small", "error",
                f"{what} {needs} {need}, but every {which} is too small: the largest, "
                f"{problem.room_names[best]}, holds {int(caps[best])}.",
                tuple(sessions), (), tuple(rooms)))
        else:
            best = max(rooms, key=lambda r: int(caps[r]))
            out.append(Finding(
                "capacity_short", "warning",
                f"{what} has {size} students, more than any room it may use: the largest, "
                f"{problem.room_names[best]}, holds {int(caps[best])}.",
                tuple(sessions), (), tuple(rooms)))
    return out


def _longest_usable_block(problem: Problem) -> int:
    P = problem.periods_per_day
    best = 0
    for day in problem.slot_usable.reshape(problem.n_days, P):
        run = 0
        for u in day:
            run = run + 1 if u else 0
            best = max(best, run)
    return best


def _check_durations_and_starts(problem: Problem, out: list[Finding]) -> set[int]:
    """Appends too_long / no_start_slot findings; returns the sessions concerned."""
    bad: set[int] = set()
    longest = _longest_usable_block(problem)
    too_long: dict[tuple[int, int], list[int]] = {}
    for s in range(problem.n_sessions):
        d = int(problem.session_duration[s])
        if d > longest:
            too_long.setdefault((int(problem.session_activity[s]), d), []).append(s)
    for (_act, d), sessions in too_long.items():
        bad.update(sessions)
        out.append(Finding(
            "too_long", "error",
            f"{_names(problem.session_labels, sessions, 3)} lasts {_plural(d, 'period')}, but the longest run of "
            f"consecutive teaching periods in a day is {longest} (breaks split the day).",
            tuple(sessions), (), ()))

    P = problem.periods_per_day
    no_start: dict[tuple, list[int]] = {}
    for s in range(problem.n_sessions):
        if s in bad:
            continue
        if feasible_starts(problem, s).any():
            continue
        reason, res, rooms = _explain_no_start(problem, s, P)
        no_start.setdefault((int(problem.session_activity[s]), reason, res, rooms), []).append(s)
    for (_act, reason, res, rooms), sessions in no_start.items():
        bad.update(sessions)
        out.append(Finding(
            "no_start_slot", "error",
            f"{_names(problem.session_labels, sessions, 3)} cannot be placed anywhere: {reason}.",
            tuple(sessions), res, rooms))
    return bad


def _explain_no_start(problem: Problem, s: int, P: int) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    d = int(problem.session_duration[s])
    span = _plural(d, "consecutive period") if d > 1 else "one period"
    res = tuple(int(q) for q in problem.resources_of(s))
    for q in res:
        md = int(problem.resource_max_daily[q])
        if md > 0 and d > md:
            return (f"it lasts {_plural(d, 'period')} but {problem.resource_names[q]} may teach at most {md} a day",
                    (q,), ())
    ok = problem.slot_usable & problem.session_available[s]
    if not _window_all(ok, d, P).any():
        return (f"its own allowed times leave no {span} free of breaks", (), ())
    for q in res:
        if not _window_all(ok & problem.resource_available[q], d, P).any():
            return (f"{problem.resource_names[q]} ({_kind_word(problem, q)}) is never available for {span} "
                    f"when the session is allowed", (q,), ())
    for q in res:
        ok = ok & problem.resource_available[q]
    if not _window_all(ok, d, P).any():
        return (f"{_names(problem.resource_names, res)} are never available together for {span}", res, ())
    allowed = tuple(int(r) for r in np.flatnonzero(problem.session_allowed_rooms[s]))
    return (f"none of its allowed rooms ({_names(problem.room_names, allowed)}) is free for {span} when "
            f"its faculty and students are", res, allowed)


def _stem(label: str) -> str:
    """'CS301 L (CSE-3A) #2' -> 'CS301 L (CSE-3A)' (the activity of a numbered session)."""
    head, sep, tail = label.rpartition(" #")
    return head if sep and tail.isdigit() else label


def _check_sync_sets(problem: Problem, bad: set[int]) -> list[Finding]:
    out: list[Finding] = []
    act = problem.session_activity
    labels = problem.session_labels
    # one finding per pair of activities and shared resources (not one per weekly session)
    shared_by_acts: dict[tuple[int, int, tuple[int, ...]], list[tuple[int, int]]] = {}
    for k, members in enumerate(problem.sync_sets):
        members = [int(s) for s in members]
        seen: dict[int, int] = {}
        shared: dict[tuple[int, int], list[int]] = {}
        for s in members:
            for q in problem.resources_of(s):
                q = int(q)
                if q in seen and seen[q] != s:
                    shared.setdefault((seen[q], s), []).append(q)
                else:
                    seen[q] = s
        for (a, b), qs in shared.items():
            shared_by_acts.setdefault((int(act[a]), int(act[b]), tuple(qs)), []).append((a, b))
        if shared or any(s in bad for s in members) or len(members) < 2:
            continue
        common = np.ones(problem.n_slots, bool)
        for s in members:
            common &= feasible_starts(problem, s)
        if not common.any():
            out.append(Finding(
                "sync_no_common_start", "error",
                f"The elective basket {_names(problem.session_labels, members, 4)} has no start time at which "
                f"all of its sessions, their faculty, students and rooms are available.",
                tuple(members), (), ()))
    for (_aa, _ab, qs), pairs in shared_by_acts.items():
        a, b = pairs[0]
        if len(pairs) == 1:
            what, note = f"{labels[a]} and {labels[b]}", ""
        else:
            what, note = f"{_stem(labels[a])} and {_stem(labels[b])}", f", {len(pairs)} sessions a week"
        out.append(Finding(
            "sync_shared_resource", "error",
            f"{what} must run at the same time (elective basket{note}) but share "
            f"{_names(problem.resource_names, qs)}.",
            tuple(sorted({s for pair in pairs for s in pair})), tuple(qs), ()))
    return out


def _check_locked(problem: Problem) -> list[Finding]:
    out: list[Finding] = []
    P, T = problem.periods_per_day, problem.n_slots
    locked = [s for s in range(problem.n_sessions) if int(problem.locked_start[s]) >= 0]
    occupied: dict[int, set[int]] = {}
    for s in locked:
        t, d = int(problem.locked_start[s]), int(problem.session_duration[s])
        occupied[s] = set(range(t, min(t + d, T)))
        r = int(problem.locked_room[s])
        problems = []
        if t >= T or t % P + d > P:
            problems.append("it would run past the end of the day")
        elif not feasible_starts(problem, s, with_rooms=False)[t]:
            problems.append("its faculty, students or the session itself are not available then "
                            "(or it overlaps a break)")
        if r >= 0 and problem.session_needs_room[s]:
            if not problem.session_allowed_rooms[s, r]:
                problems.append(f"room {problem.room_names[r]} is not suitable for it")
            elif t < T and not problem.room_available[r, t:min(t + d, T)].all():
                problems.append(f"room {problem.room_names[r]} is not available then")
        if problems:
            when = problem.slot_label(t) if t < T else f"slot {t}"
            out.append(Finding(
                "locked_infeasible", "error",
                f"{problem.session_labels[s]} is locked at {when}, but " + " and ".join(problems) + ".",
                (s,), tuple(int(q) for q in problem.resources_of(s)), (r,) if r >= 0 else ()))
    for i, a in enumerate(locked):
        for b in locked[i + 1:]:
            both = occupied[a] & occupied[b]
            if not both:
                continue
            when = problem.slot_label(min(both))
            qs = sorted(set(map(int, problem.resources_of(a))) & set(map(int, problem.resources_of(b))))
            if qs:
                out.append(Finding(
                    "locked_clash", "error",
                    f"Locked sessions {problem.session_labels[a]} and {problem.session_labels[b]} both need "
                    f"{_names(problem.resource_names, qs)} at {when}.",
                    (a, b), tuple(qs), ()))
            ra, rb = int(problem.locked_room[a]), int(problem.locked_room[b])
            if ra >= 0 and ra == rb and problem.session_needs_room[a] and problem.session_needs_room[b]:
                out.append(Finding(
                    "locked_clash", "error",
                    f"Locked sessions {problem.session_labels[a]} and {problem.session_labels[b]} are both locked "
                    f"in room {problem.room_names[ra]} at {when}.",
                    (a, b), (), (ra,)))
    return out
