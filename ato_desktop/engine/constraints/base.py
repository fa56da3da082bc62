"""Shared machinery of the constraint modules: the rule object and a vectorised context.

Each rule is a :class:`Constraint` made by the :func:`rule` decorator around a small
function ``f(cx: Context, w: int) -> list[Violation]`` (``w`` = the rule's weight, > 0).
``Constraint.violations(problem, assignment)`` is the public entry point; ``evaluate``
builds one :class:`Context` and shares it between all rules.

Interpretations where ``docs/constraints.md`` is open (shared with ``engine/kernels``):
``unscheduled`` counts one per session (no start, or needs a room and has none); an
unscheduled session counts for nothing else (``locked_moved`` included); a session
with a start but no room still occupies its slots; ``isolated`` looks at ``start-1``
on the day of ``start`` and ``end+1`` on the day of ``end``; a break slot never
belongs to a ``max_consecutive`` run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from ..problem import DEFAULT_WEIGHTS, RESOURCE_FACULTY, RESOURCE_GROUP, Assignment, Problem
from ..rules import BY_NAME
from ..score import Violation


class Context:
    """Occupancy tables of one (problem, assignment), computed once with numpy.

    Attributes (``N`` = occupied session-slots, ``M`` = occupied resource-session-slots):

    * ``start``, ``room``: int64[S]; ``sched``: bool[S] (start >= 0)
    * ``used_room``: int64[S], the room a session really uses, else -1
    * ``end``: int64[S], last occupied slot (``min(start+d-1, T-1)``), -1 if unscheduled
    * ``occ_s``, ``occ_u``: int64[N]: session and slot of every occupied session-slot
    * ``rs_s``, ``rs_q``: every (session, resource) membership pair (CSR expanded)
    * ``ro_s``, ``ro_q``, ``ro_u``: int64[M]: (session, resource, slot) occupancy triples
    * ``load``: int64[Q, T]: session-slots of each resource in each slot
    * ``rocc``: int64[R, T]: sessions using each room in each slot
    """

    def __init__(self, problem: Problem, assignment: Assignment):
        p = problem
        S, T, R = p.n_sessions, p.n_slots, p.n_rooms
        start = np.asarray(assignment.start)
        room = np.asarray(assignment.room)
        if start.shape != (S,) or room.shape != (S,):
            raise ValueError(
                f"assignment arrays must have shape ({S},) for {S} sessions, "
                f"got start {start.shape} and room {room.shape}")
        if S and (start.min() < -1 or start.max() >= T):
            bad = int(np.flatnonzero((start < -1) | (start >= T))[0])
            raise ValueError(f"session {bad} ({p.session_labels[bad]}): start slot {int(start[bad])} "
                             f"is outside -1..{T - 1}")
        if S and (room.min() < -1 or room.max() >= R):
            bad = int(np.flatnonzero((room < -1) | (room >= R))[0])
            raise ValueError(f"session {bad} ({p.session_labels[bad]}): room {int(room[bad])} "
                             f"is outside -1..{R - 1}")
        self.p = p
        self.P, self.T, self.D = p.periods_per_day, T, p.n_days
        self.start = start.astype(np.int64)
        self.room = room.astype(np.int64)
        self.sched = self.start >= 0
        dur = p.session_duration.astype(np.int64)
        self.used_room = np.where(self.sched & p.session_needs_room & (self.room >= 0), self.room, -1)
        self.end = np.where(self.sched, np.minimum(self.start + dur - 1, T - 1), -1)

        # occupied session-slots
        n_occ = np.where(self.sched, self.end - self.start + 1, 0)
        self.occ_s = np.repeat(np.arange(S, dtype=np.int64), n_occ)
        first = np.repeat(self.start, n_occ)
        offs = np.arange(len(self.occ_s), dtype=np.int64) - np.repeat(np.cumsum(n_occ) - n_occ, n_occ)
        self.occ_u = first + offs

        # resource memberships and (session, resource, slot) triples
        indptr = p.res_indptr.astype(np.int64)
        self.rs_s = np.repeat(np.arange(S, dtype=np.int64), np.diff(indptr))
        self.rs_q = p.res_indices.astype(np.int64)
        n_res = np.diff(indptr)
        k = n_res[self.occ_s]  # resources per occupied session-slot
        self.ro_s = np.repeat(self.occ_s, k)
        self.ro_u = np.repeat(self.occ_u, k)
        base = np.repeat(indptr[self.occ_s], k)
        offs = np.arange(len(self.ro_s), dtype=np.int64) - np.repeat(np.cumsum(k) - k, k)
        self.ro_q = self.rs_q[base + offs] if len(self.ro_s) else np.zeros(0, np.int64)

        Q = p.n_resources
        self.load = np.bincount(self.ro_q * T + self.ro_u, minlength=Q * T).reshape(Q, T)
        has_room = self.used_room[self.occ_s] >= 0
        rk = self.used_room[self.occ_s][has_room] * T + self.occ_u[has_room]
        self.rocc = np.bincount(rk, minlength=R * T).reshape(R, T)
        self.is_faculty = p.resource_kind == RESOURCE_FACULTY
        self.is_group = p.resource_kind == RESOURCE_GROUP
        self._res_sessions: dict[int, dict[int, list[int]]] | None = None

    # ---- lookups ----------------------------------------------------------------
    def sessions_of(self, q: int, slots: Iterable[int]) -> tuple[int, ...]:
        """Sessions of resource ``q`` occupying any of ``slots`` (sorted, distinct)."""
        if self._res_sessions is None:
            table: dict[int, dict[int, list[int]]] = {}
            for s, q_, u in zip(self.ro_s.tolist(), self.ro_q.tolist(), self.ro_u.tolist()):
                table.setdefault(q_, {}).setdefault(u, []).append(s)
            self._res_sessions = table
        by_slot = self._res_sessions.get(int(q), {})
        return tuple(sorted({s for u in slots for s in by_slot.get(int(u), ())}))

    # ---- wording helpers -------------------------------------------------------
    def s(self, s: int) -> str:
        return self.p.session_labels[s]

    def q(self, q: int) -> str:
        return self.p.resource_names[q]

    def r(self, r: int) -> str:
        return self.p.room_names[r]

    def day(self, d: int) -> str:
        return self.p.day_names[d]

    def slot(self, t: int) -> str:
        return self.p.slot_label(t)

    def slots(self, slots: Iterable[int]) -> str:
        return slots_text(self.p, slots)

    def sessions(self, ss: Iterable[int]) -> str:
        return join_names([self.s(s) for s in ss])

    def resource_names(self, qs: Iterable[int]) -> list[str]:
        """Names of resources ``qs``; when every lab batch of a section is among them, the
        section's name stands for its batches (``problem.meta['sections']``: section name ->
        indices of its leaf resources), e.g. 'CSE-3A' instead of 'CSE-3A-B1 and CSE-3A-B2'."""
        qs = sorted(set(int(q) for q in qs))
        present = set(qs)
        named: list[tuple[int, str]] = []
        covered: set[int] = set()
        sections = self.p.meta.get("sections") or {}
        for name, leaves in sections.items():
            leaves = set(int(x) for x in leaves)
            if len(leaves) > 1 and leaves <= present and not leaves & covered:
                covered |= leaves
                named.append((min(leaves), str(name)))
        named += [(q, self.q(q)) for q in qs if q not in covered]
        return [n for _, n in sorted(named)]

    def resources(self, qs: Iterable[int]) -> str:
        return join_names(self.resource_names(qs))


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def slots_text(p: Problem, slots: Iterable[int]) -> str:
    """Readable slot list, consecutive periods of a day merged: 'Mon P1–P3, Tue P2'."""
    P = p.periods_per_day
    ts = sorted(set(int(t) for t in slots))
    parts: list[str] = []
    i = 0
    while i < len(ts):
        j = i
        while j + 1 < len(ts) and ts[j + 1] == ts[j] + 1 and ts[j + 1] // P == ts[i] // P:
            j += 1
        if j == i:
            parts.append(p.slot_label(ts[i]))
        else:
            parts.append(f"{p.slot_label(ts[i])}–{p.period_labels[ts[j] % P]}")
        i = j + 1
    return ", ".join(parts)


def group_values(keys: np.ndarray, *values: np.ndarray) -> list[tuple[int, list[np.ndarray]]]:
    """Group parallel arrays by ``keys`` (stable): ``[(key, [values_1 of key, ...]), ...]``
    in increasing key order."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    cuts = np.flatnonzero(np.diff(k)) + 1
    bounds = np.concatenate(([0], cuts, [len(k)]))
    vals = [v[order] for v in values]
    return [(int(k[a]), [v[a:b] for v in vals]) for a, b in zip(bounds[:-1], bounds[1:])]


def tup(a: Iterable) -> tuple[int, ...]:
    return tuple(int(x) for x in a)


RuleFn = Callable[[Context, int], list[Violation]]


@dataclass(frozen=True)
class Constraint:
    """One named rule: label, hard/soft, and a function producing its violations."""

    name: str
    label: str
    rule: str
    is_hard: bool
    fn: RuleFn

    def weight(self, problem: Problem) -> int:
        """The rule's weight in ``problem`` (a missing name takes ``DEFAULT_WEIGHTS``; a must, 1)."""
        return problem.effective_weight(self.name)

    def violations(self, problem: Problem, assignment: Assignment, *,
                   context: Context | None = None, weight: int | None = None) -> list[Violation]:
        """The rule's violations, each with ``cost = weight × count``; ``[]`` if the
        weight is 0 (rule disabled).  ``weight`` overrides the problem's weight."""
        w = self.weight(problem) if weight is None else int(weight)
        if w == 0:
            return []
        cx = context if context is not None else Context(problem, assignment)
        return self.fn(cx, w)

    def count(self, problem: Problem, assignment: Assignment, *, context: Context | None = None) -> int:
        """Unweighted count, whatever the rule's weight."""
        return sum(v.count for v in self.violations(problem, assignment, context=context, weight=1))


def rule(name: str, *, text: str) -> Callable[[RuleFn], Constraint]:
    """Decorator turning ``f(cx, w) -> list[Violation]`` into a :class:`Constraint`; its label and
    hard/soft flag come from the rule's one declaration in :mod:`ato_desktop.engine.rules`."""
    if name not in BY_NAME:
        raise ValueError(f"unknown constraint name {name!r}")
    declared = BY_NAME[name]

    def wrap(fn: RuleFn) -> Constraint:
        return Constraint(name=name, label=declared.label, rule=text, is_hard=declared.hard, fn=fn)

    return wrap


def V(name: str, w: int, count: int, message: str, *, sessions=(), resources=(), rooms=(),
      slots=()) -> Violation:
    """Shorthand constructor used by the rule modules."""
    return Violation(constraint=name, cost=int(w) * int(count), count=int(count),
                     sessions=tup(sessions), resources=tup(resources), rooms=tup(rooms),
                     slots=tup(sorted(set(int(t) for t in slots))), message=message)
