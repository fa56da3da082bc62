"""Why a timetable still has hard violations, and how good a timetable can be at best (issue 18 §4).

After a run that ends with hard violations, :func:`explain_hard` says which hard rules are still
broken and which resources (faculty, student groups, rooms) carry them, and looks for small sets of
sessions that provably cannot all be placed:

* per faculty member / student group: the sessions it takes part in need more periods than the
  slots where they can start allow (each session's own feasible starts: breaks, day length, its own,
  its resources' and its rooms' unavailability; a faculty member's daily maximum caps each day);
* per set of rooms: the sessions that may only use those rooms need more room-periods than the
  rooms have usable and available;
* a single session with no feasible start at all.

Each such set is shrunk greedily (a session is dropped while the rest still cannot be placed), so
what is reported is small.  When no set is found the explanation says so: the violations may then
be the search's, not the data's (more time, or "keep my changes" off, may clear them).

:func:`lower_bound` is a cheap bound: no timetable has fewer hard violations than the proven sets
force (one per disjoint set at least), and no timetable free of hard violations has a lower soft
cost than the unavoidable parts of ``room_capacity`` (every allowed room smaller than the class, or
more large classes than the large rooms have periods) and ``min_days`` (fewer sessions, or days where they can start, than the minimum) force.

Plain numpy (no numba), no Qt, no database: the CLI ``solve`` and the optimizer panel call it
after a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checks import feasible_starts
from .problem import DEFAULT_WEIGHTS, HARD_CONSTRAINTS, RESOURCE_FACULTY, Assignment, Problem

__all__ = ["Conflict", "Explanation", "LowerBound", "explain_hard", "lower_bound", "proven_conflicts"]


@dataclass(frozen=True)
class Conflict:
    """A set of sessions that cannot all be placed without a hard violation."""

    message: str
    sessions: tuple[int, ...]
    resources: tuple[int, ...] = ()
    rooms: tuple[int, ...] = ()
    needed: int = 0  # periods (or room-periods) the sessions need
    available: int = 0  # ... and what there is for them

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class LowerBound:
    hard: int  # no timetable has fewer (weighted) hard violations
    soft: int  # no timetable free of hard violations has a lower soft cost
    parts: dict = field(default_factory=dict)  # rule -> its share of ``soft``

    def text(self) -> str:
        return f"lower bound: hard >= {self.hard}, soft >= {self.soft} (with hard 0)"


@dataclass(frozen=True)
class Explanation:
    hard: int
    rules: tuple[tuple[str, str, int], ...]  # (rule, label, count) still broken, most first
    resources: tuple[tuple[str, int], ...]  # (faculty / group / room name, violations it is in), most first
    conflicts: tuple[Conflict, ...]  # proven impossible sets (empty: none found)

    def lines(self, top: int = 5) -> list[str]:
        if self.hard == 0:
            return []
        out = ["Still broken: " + ", ".join(f"{label} ({n})" for _r, label, n in self.rules[:top]) + "."]
        if self.resources:
            out.append("Most involved: " + ", ".join(f"{name} ({n})" for name, n in self.resources[:top]) + ".")
        if self.conflicts:
            out.append("Impossible as entered:")
            out += [f"  - {c.message}" for c in self.conflicts[:top]]
        else:
            out.append("No set of sessions was found that cannot be placed: a longer run (or another seed) "
                       "may clear these.")
        return out


def _weight(problem: Problem, rule: str) -> int:
    return int(problem.weights.get(rule, DEFAULT_WEIGHTS[rule]))


def _covers(problem: Problem) -> list[np.ndarray]:
    """Per session: bool[T] of the slots some feasible start of it covers."""
    P = problem.periods_per_day
    out = []
    for s in range(problem.n_sessions):
        st = feasible_starts(problem, s, with_rooms=True)
        cov = st.copy()
        for k in range(1, int(problem.session_duration[s])):
            cov[k:] |= st[:-k] & ((np.arange(problem.n_slots)[k:] % P) >= k)
        out.append(cov)
    return out


def _resource_capacity(problem: Problem, q: int, union: np.ndarray) -> int:
    md = int(problem.resource_max_daily[q]) if problem.resource_kind[q] == RESOURCE_FACULTY else 0
    if md <= 0:
        return int(union.sum())
    per_day = union.reshape(problem.n_days, problem.periods_per_day).sum(axis=1)
    return int(np.minimum(per_day, md).sum())


def _shrink(members: list[int], too_much) -> list[int]:
    """Drop members (one at a time, in order) while ``too_much(rest)`` still holds."""
    keep = list(members)
    for s in list(members):
        rest = [x for x in keep if x != s]
        if rest and too_much(rest):
            keep = rest
    return keep


def _names(items, idx, limit: int = 6) -> str:
    idx = list(idx)
    shown = ", ".join(str(items[i]) for i in idx[:limit])
    return shown + (f" and {len(idx) - limit} more" if len(idx) > limit else "")


def proven_conflicts(problem: Problem, covers: list[np.ndarray] | None = None) -> list[Conflict]:
    """Small sets of sessions that provably cannot all be placed (see the module docstring)."""
    covers = covers if covers is not None else _covers(problem)
    dur = problem.session_duration.astype(int)
    out: list[Conflict] = []
    seen: set[tuple[int, ...]] = set()

    def add(c: Conflict) -> None:
        if c.sessions not in seen:
            seen.add(c.sessions)
            out.append(c)

    for s in range(problem.n_sessions):
        if not covers[s].any():
            add(Conflict(f"{problem.session_labels[s]} has no period where it can start (breaks, day length, "
                         "unavailability of its teachers, groups or rooms).", (s,), needed=int(dur[s])))
    by_res: list[list[int]] = [[] for _ in range(problem.n_resources)]
    for s in range(problem.n_sessions):
        for q in problem.resources_of(s):
            by_res[int(q)].append(s)
    for q, sess in enumerate(by_res):
        if len(sess) < 2:
            continue

        def too_much(group, q=q):
            union = np.logical_or.reduce([covers[s] for s in group])
            return int(dur[group].sum()) > _resource_capacity(problem, q, union)

        # the whole set, then the sessions confined to one session's window (narrow windows first)
        candidates = [sess] + [[t for t in sess if not (covers[t] & ~covers[s]).any()]
                               for s in sorted(sess, key=lambda s: covers[s].sum())]
        for cand in candidates:
            if len(cand) >= 2 and too_much(cand):
                # drop the widest windows first: what stays is the tight core
                small = sorted(_shrink(sorted(cand, key=lambda s: -covers[s].sum()), too_much))
                union = np.logical_or.reduce([covers[s] for s in small])
                cap = _resource_capacity(problem, q, union)
                md = int(problem.resource_max_daily[q]) if problem.resource_kind[q] == RESOURCE_FACULTY else 0
                add(Conflict(
                    f"{problem.resource_names[q]}: {len(small)} sessions need {int(dur[small].sum())} periods but "
                    f"can only be held in {cap}" + (f" (at most {md} a day)" if md > 0 else "")
                    + f": {_names(problem.session_labels, small)}.",
                    tuple(small), resources=(q,), needed=int(dur[small].sum()), available=cap))
                break
    # rooms: the sessions that may use only rooms of one allowed set
    needs = np.flatnonzero(problem.session_needs_room)
    usable_room_slots = (problem.room_available & problem.slot_usable[None, :]).sum(axis=1)
    sets = {tuple(np.flatnonzero(problem.session_allowed_rooms[s]).tolist()) for s in needs}
    for rooms in sorted(sets, key=len):
        if not rooms:
            continue
        allowed = np.zeros(problem.n_rooms, bool)
        allowed[list(rooms)] = True
        cand = [int(s) for s in needs if problem.session_allowed_rooms[s].any()
                and not (problem.session_allowed_rooms[s] & ~allowed).any()]
        cap = int(usable_room_slots[list(rooms)].sum())

        def too_much_r(group, cap=cap):
            return int(dur[group].sum()) > cap

        if cand and too_much_r(cand):
            small = sorted(_shrink(sorted(cand, key=lambda s: -int(dur[s])), too_much_r))
            add(Conflict(
                f"rooms {_names(problem.room_names, rooms)}: {len(small)} sessions may only use these and need "
                f"{int(dur[small].sum())} room-periods, but the rooms have {cap}: "
                f"{_names(problem.session_labels, small)}.",
                tuple(small), rooms=rooms, needed=int(dur[small].sum()), available=cap))
    out.sort(key=lambda c: (len(c.sessions), c.message))
    return out


def lower_bound(problem: Problem, conflicts: list[Conflict] | None = None) -> LowerBound:
    """A cheap lower bound on the hard and (for timetables with hard 0) the soft cost."""
    conflicts = conflicts if conflicts is not None else proven_conflicts(problem)
    w_hard = min([w for w in (_weight(problem, r) for r in HARD_CONSTRAINTS) if w > 0] or [0])
    used: set[int] = set()
    hard = 0
    for c in sorted(conflicts, key=lambda c: len(c.sessions)):  # disjoint sets each force one violation
        if not used & set(c.sessions):
            used |= set(c.sessions)
            hard += w_hard
    parts = {}
    w = _weight(problem, "room_capacity")
    if w:
        total = 0
        for s in np.flatnonzero(problem.session_needs_room):
            caps = problem.room_capacity[problem.session_allowed_rooms[s]]
            if len(caps):
                total += max(0, int(problem.session_size[s]) - int(caps.max()))
        parts["room_capacity"] = w * max(total, _room_periods_bound(problem))
    w = _weight(problem, "min_days")
    if w:
        P = problem.periods_per_day
        total = 0
        by_course: dict[int, list[int]] = {}
        for s in range(problem.n_sessions):
            by_course.setdefault(int(problem.session_course[s]), []).append(s)
        for c, sess in by_course.items():
            md = int(problem.course_min_days[c])
            if md <= 0:
                continue
            days = np.zeros(problem.n_days, bool)
            for s in sess:
                days |= feasible_starts(problem, s, with_rooms=False).reshape(problem.n_days, P).any(axis=1)
            total += max(0, md - min(len(sess), int(days.sum())))
        parts["min_days"] = w * total
    return LowerBound(hard=hard, soft=sum(parts.values()), parts=parts)


def _room_periods_bound(problem: Problem) -> int:
    """Students over capacity, at least, when the rooms cannot give every class a room big enough at once.

    A relaxation of any timetable free of hard violations: every session that needs a room takes one
    room-period of its own (a room holds at most as many sessions as it has available periods); the
    teachers', classes' and allowed-room constraints are dropped.  Its cheapest solution matches the
    sessions, largest first, with the room-periods, largest room first: for the convex cost
    ``max(0, size - capacity)`` the sorted matching is optimal (an exchange argument), so no timetable
    costs less.  (On ITC-2007 comp01: 4 students over at least, against 4 in its proven optimum of 5.)"""
    sizes = np.sort(problem.session_size[problem.session_needs_room].astype(np.int64))[::-1]
    per_room = problem.room_available.sum(axis=1) if problem.room_available.size else np.zeros(0, np.int64)
    slots = np.sort(np.repeat(problem.room_capacity.astype(np.int64), per_room))[::-1]
    n = min(len(sizes), len(slots))
    return int(np.maximum(sizes[:n] - slots[:n], 0).sum())


def explain_hard(problem: Problem, assignment: Assignment, top: int = 8,
                 conflicts: list[Conflict] | None = None) -> Explanation:
    """What keeps ``assignment`` from being free of hard violations (see the module docstring);
    ``conflicts``: those of :func:`proven_conflicts`, when already known."""
    from .evaluate import evaluate

    score = evaluate(problem, assignment)
    rules = tuple(sorted(((r.name, r.label, r.count) for r in score.by_constraint.values()
                          if r.is_hard and r.count > 0), key=lambda x: -x[2]))
    tally: dict[str, int] = {}
    for v in score.violations(hard=True):
        for q in v.resources:
            tally[problem.resource_names[q]] = tally.get(problem.resource_names[q], 0) + 1
        for r in v.rooms:
            tally[problem.room_names[r]] = tally.get(problem.room_names[r], 0) + 1
    resources = tuple(sorted(tally.items(), key=lambda x: (-x[1], x[0])))
    if score.hard > 0 and conflicts is None:
        conflicts = proven_conflicts(problem)
    conflicts = tuple(conflicts[:top]) if score.hard > 0 else ()
    return Explanation(hard=int(score.hard), rules=rules, resources=resources, conflicts=conflicts)
