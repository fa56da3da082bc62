"""The engine's immutable problem description, compiled to integer arrays.

This module is the contract between ``storage`` (which compiles a department
database into a :class:`Problem`), ``io`` (which reads ITC-2007 ``.ctt`` files
into one), the constraint/scoring layer and the optimizer.  It imports neither
Qt nor SQLAlchemy.

Vocabulary
----------
* **slot** ``t``: one teaching period of the week, ``t = day * periods_per_day + period``.
  ``T = n_days * periods_per_day``.  Break periods are slots too, but
  ``slot_usable[t]`` is False for them and nothing may be scheduled there.
* **session** ``s``: one meeting of an activity (e.g. "CS301 lecture, meeting 2 of 3")
  that lasts ``session_duration[s]`` consecutive slots of one day, starting at
  its *start slot*.
* **resource** ``q``: anything that cannot be in two places at once and is not a
  room: a faculty member or a student group.  Student groups are compiled to
  *leaf* groups: a section with lab batches B1, B2 becomes the leaf resources
  B1 and B2 (a section lecture uses both; a B1 lab uses only B1), so that a
  section clashes with its own batches but batches do not clash with each other.
  A section without batches is its own leaf.
* **course key** (``session_course``): sessions that belong together for the
  soft rules "spread over a minimum number of days" and "room stability"
  (an ITC course; in a department, one activity).
* **sync set**: sessions that must start in the same slot (elective baskets):
  ``sync_sets`` is a tuple of int32 arrays of session indices.
* **assignment**: two int32 arrays ``start[S]`` and ``room[S]``; ``-1`` means
  unscheduled (no slot) or no room.

Everything in a Problem is read-only after construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, NamedTuple

import numpy as np

from .rules import HARD_RULES, RELATION_RULES, RULES, SOFT_RULES

RESOURCE_FACULTY = 0
RESOURCE_GROUP = 1

# Preference matrix values (resource_pref, session_pref)
PREF_NEUTRAL = 0
PREF_PREFERRED = 1
PREF_UNDESIRED = -1

UNASSIGNED = -1


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


# The day profile's per-resource arrays (issue 17): (field, dtype, the value meaning "no limit").
PROFILE_ARRAYS: tuple[tuple[str, type, object], ...] = (
    ("resource_max_gaps_week", np.int32, -1),
    ("resource_max_gaps_day", np.int32, -1),
    ("resource_min_daily", np.int32, 0),
    ("resource_min_daily_empty_ok", np.bool_, True),
    ("resource_early_max_second", np.int32, -1),
    ("resource_group_max_daily", np.int32, 0),
    ("resource_group_max_consecutive", np.int32, 0),
    ("resource_min_days", np.int32, 0),
    ("resource_interval_max_days", np.int32, -1),
    ("resource_interval_from", np.int32, 0),
    ("resource_interval_to", np.int32, 0),
    # buildings (issue 17): changes of building between a resource's classes of a day (rooms' buildings:
    # Problem.room_building), counted by kernels.building_counts, not profile_counts
    ("resource_max_bchanges_day", np.int32, -1),
    ("resource_max_bchanges_week", np.int32, -1),
    ("resource_min_gaps_bchanges", np.int32, 0),
)
class Relation(NamedTuple):
    """A relation between sessions, counted by the soft rule ``rule`` (docs/constraints.md, "Relations"):
    ``activities_consecutive`` (``sessions`` = (a, b): b right after a), ``activities_grouped`` (2 or 3
    sessions back to back in any order), ``activities_min_gaps`` (``param`` = the minimum gap), and the set
    rules ``activities_not_overlapping``, ``activity_ends_day``, ``activities_same_day``,
    ``activities_same_room``, and ``activities_max_daily`` / ``activities_max_consecutive`` (``param`` = the
    most periods the set may take in a day / in a row), ``activities_ordered_min_gaps`` (two sets: the first
    ``split`` sessions and the rest, one session may be in both; ``param`` = the minimum gap when a session b
    of the second starts on the day of a session a of the first at or after a's start, for every such pair
    a != b; a pair (a, b) has ``split`` 1)."""

    rule: str
    sessions: np.ndarray  # int32[k] session indices (distinct; for the ordered pairs, distinct within each set)
    param: int = 0
    split: int = 0  # activities_ordered_min_gaps: how many of ``sessions`` form the first set (0: the others)


@dataclass(frozen=True, eq=False)
class Problem:
    # ---- identity and calendar ------------------------------------------------
    name: str
    n_days: int
    periods_per_day: int
    day_names: tuple[str, ...]
    period_labels: tuple[str, ...]
    slot_usable: np.ndarray  # bool[T]; False = break / no teaching at all

    # ---- rooms ------------------------------------------------------------
    room_names: tuple[str, ...]
    room_capacity: np.ndarray  # int32[R]
    room_available: np.ndarray  # bool[R, T]

    # ---- resources (faculty and leaf student groups) ---------------------------
    resource_names: tuple[str, ...]
    resource_kind: np.ndarray  # int8[Q]: RESOURCE_FACULTY / RESOURCE_GROUP
    resource_available: np.ndarray  # bool[Q, T]; False = hard unavailable
    resource_pref: np.ndarray  # int8[Q, T]: PREF_* (soft: undesired / preferred)
    resource_max_daily: np.ndarray  # int32[Q]: hard max periods per day, 0 = no limit
    resource_max_consecutive: np.ndarray  # int32[Q]: soft max consecutive periods, 0 = none
    resource_max_days: np.ndarray  # int32[Q]: soft max days on campus, 0 = none

    # ---- courses (keys for spread and room stability) ------------------------------
    course_names: tuple[str, ...]
    course_min_days: np.ndarray  # int32[C]: soft minimum number of distinct days, 0 = none

    # ---- sessions ---------------------------------------------------------------
    session_labels: tuple[str, ...]  # human label, e.g. "CS301 L (CSE-3A) #2"
    session_activity: np.ndarray  # int32[S]: index of the owning activity (opaque id for callers)
    session_course: np.ndarray  # int32[S]: course key, index into course_names
    session_duration: np.ndarray  # int32[S] >= 1: consecutive slots
    session_size: np.ndarray  # int32[S]: number of students
    res_indptr: np.ndarray  # int32[S+1]  CSR: resources of session s are
    res_indices: np.ndarray  # int32[nnz]   res_indices[res_indptr[s]:res_indptr[s+1]]
    session_allowed_rooms: np.ndarray  # bool[S, R]: hard room kind / features / capacity rule
    session_available: np.ndarray  # bool[S, T]: hard per-session forbidden *start* slots (e.g. ITC unavailability)
    session_pref: np.ndarray  # int8[S, T]: soft preferred (+1) / undesired (-1) start slots of an activity
    session_needs_room: np.ndarray  # bool[S]; False = no room is assigned (e.g. field work)

    # ---- structure ------------------------------------------------------------
    sync_sets: tuple[np.ndarray, ...] = ()  # sessions that must share their start slot
    locked_start: np.ndarray | None = None  # int32[S]: -1 = free, else the fixed start slot
    locked_room: np.ndarray | None = None  # int32[S]: -1 = free, else the fixed room
    # int32[Q]: most periods a faculty member may be assigned a week, 0 = no limit (None = all 0).
    # A fact about the data, not the placement: checked before optimizing (engine.checks), not scored.
    resource_max_weekly: np.ndarray | None = None
    # ---- the day profile (issue 17): soft per-resource limits on each day's occupancy (None = no limit
    # for anyone; the rules max_gaps_week ... min_days_week of engine.rules, docs/constraints.md)
    resource_max_gaps_week: np.ndarray | None = None  # int32[Q]: most idle periods a week, -1 = no limit
    resource_max_gaps_day: np.ndarray | None = None  # int32[Q]: most idle periods a day, -1 = no limit
    resource_min_daily: np.ndarray | None = None  # int32[Q]: fewest periods on a day, 0 = no limit
    resource_min_daily_empty_ok: np.ndarray | None = None  # bool[Q]: a day without periods is fine (True)
    resource_early_max_second: np.ndarray | None = None  # int32[Q]: most days starting at the 2nd period, -1 = no rule
    resource_group_max_daily: np.ndarray | None = None  # int32[Q]: soft most periods a day, 0 = no limit
    resource_group_max_consecutive: np.ndarray | None = None  # int32[Q]: soft most periods in a row, 0 = none
    resource_min_days: np.ndarray | None = None  # int32[Q]: fewest days with a period, 0 = no limit
    # most days with a period in the interval [from, to) of periods of the day (-1 = no limit)
    resource_interval_max_days: np.ndarray | None = None  # int32[Q]
    resource_interval_from: np.ndarray | None = None  # int32[Q]: first period of the interval (0-based)
    resource_interval_to: np.ndarray | None = None  # int32[Q]: period after the interval's last
    # changes of building (issue 17; rooms' buildings: room_building below)
    resource_max_bchanges_day: np.ndarray | None = None  # int32[Q]: most building changes a day, -1 = no limit
    resource_max_bchanges_week: np.ndarray | None = None  # int32[Q]: most building changes a week, -1 = no limit
    resource_min_gaps_bchanges: np.ndarray | None = None  # int32[Q]: fewest free periods between, 0 = none
    # relations between sessions (soft rules of engine.rules.RELATION_RULES); () = none, no cost
    relations: tuple[Relation, ...] = ()
    # int32[R]: the building of each room (an index; -1 = none; None = no buildings), for the building rules:
    # most building changes a day / a week, fewest free periods between two classes in different buildings
    # (resource_max_bchanges_day / _week, resource_min_gaps_bchanges: -1, -1, 0 = no limit)
    room_building: np.ndarray | None = None

    # ---- weights of the constraints, by constraint name --------------------------
    # Hard constraints carry a weight too (used for reporting and for the
    # optimizer's penalty); a weight of 0 disables a constraint.
    weights: Mapping[str, int] = field(default_factory=dict)
    # Soft rules that are musts here (a FET constraint at 100 % on a rule the engine has only as soft,
    # docs/constraints.md "FET weights"): each violation counts 1 in the hard total, not its weight in
    # the soft one, so the optimizer never trades them for soft gains.
    must: frozenset[str] = frozenset()

    # Free-form metadata for callers (e.g. ids of the database rows behind each index).
    meta: Mapping[str, object] = field(default_factory=dict)

    # ------------------------------------------------------------------------
    def __post_init__(self) -> None:
        for name in (
            "slot_usable", "room_capacity", "room_available", "resource_kind",
            "resource_available", "resource_pref", "resource_max_daily",
            "resource_max_consecutive", "resource_max_days", "course_min_days",
            "session_activity", "session_course", "session_duration", "session_size",
            "res_indptr", "res_indices", "session_allowed_rooms", "session_available",
            "session_pref", "session_needs_room",
        ):
            object.__setattr__(self, name, _ro(getattr(self, name)))
        S = self.n_sessions
        if self.locked_start is None:
            object.__setattr__(self, "locked_start", np.full(S, UNASSIGNED, np.int32))
        if self.locked_room is None:
            object.__setattr__(self, "locked_room", np.full(S, UNASSIGNED, np.int32))
        if self.resource_max_weekly is None:
            object.__setattr__(self, "resource_max_weekly", np.zeros(self.n_resources, np.int32))
        object.__setattr__(self, "resource_max_weekly", _ro(np.asarray(self.resource_max_weekly, np.int32)))
        for name, dtype, none in PROFILE_ARRAYS:
            v = getattr(self, name)
            v = np.full(self.n_resources, none, dtype) if v is None else np.asarray(v, dtype)
            object.__setattr__(self, name, _ro(v))
        rb = np.full(self.n_rooms, -1, np.int32) if self.room_building is None \
            else np.asarray(self.room_building, np.int32)
        object.__setattr__(self, "room_building", _ro(rb))
        object.__setattr__(self, "locked_start", _ro(self.locked_start))
        object.__setattr__(self, "locked_room", _ro(self.locked_room))
        object.__setattr__(self, "sync_sets", tuple(_ro(np.asarray(x, np.int32)) for x in self.sync_sets))
        object.__setattr__(self, "must", frozenset(self.must))
        for name in self.must:
            if name not in SOFT_RULES:
                raise ValueError(f"must: {name!r} is not a soft rule (a hard rule is a must already)")
        object.__setattr__(self, "relations", tuple(
            Relation(str(x[0]), _ro(np.asarray(x[1], np.int32)), int(x[2]) if len(x) > 2 else 0,
                     int(x[3]) if len(x) > 3 else (1 if str(x[0]) == "activities_ordered_min_gaps" else 0))
            for x in self.relations))
        self.validate_shapes()
        for x in self.relations:
            if x.rule not in RELATION_RULES:
                raise ValueError(f"unknown relation rule {x.rule!r}; known: {', '.join(RELATION_RULES)}")
            n = len(x.sessions)
            ordered = x.rule == "activities_ordered_min_gaps"
            if ordered and not 0 < x.split < n:
                raise ValueError(f"relation {x.rule}: the first set takes {x.split} of its {n} sessions "
                                 f"(each set needs one at least)")
            if not ordered and x.split:
                raise ValueError(f"relation {x.rule}: only ordered min gaps has two sets")
            sets = (x.sessions[:x.split].tolist(), x.sessions[x.split:].tolist()) if ordered else (x.sessions.tolist(),)
            if n and (x.sessions.min() < 0 or x.sessions.max() >= S or any(len(set(v)) != len(v) for v in sets)):
                raise ValueError(f"relation {x.rule}: sessions must be distinct indices below {S}")
            if x.rule in ("activities_max_daily", "activities_max_consecutive") and x.param < 0:
                raise ValueError(f"relation {x.rule}: the limit must be 0 or more, not {x.param}")
            if x.rule == "activities_consecutive" and n != 2 or x.rule == "activities_grouped" and n not in (2, 3):
                raise ValueError(f"relation {x.rule}: {n} sessions (consecutive takes 2, grouped 2 or 3)")

    # ---- sizes ------------------------------------------------------------
    @property
    def n_slots(self) -> int:
        return self.n_days * self.periods_per_day

    @property
    def n_rooms(self) -> int:
        return len(self.room_names)

    @property
    def n_resources(self) -> int:
        return len(self.resource_names)

    @property
    def n_courses(self) -> int:
        return len(self.course_names)

    @property
    def n_sessions(self) -> int:
        return len(self.session_labels)

    def weight(self, constraint: str, default: int = 0) -> int:
        return int(self.weights.get(constraint, default))

    def is_hard(self, constraint: str) -> bool:
        """A hard rule, or a soft one that is a must here (:attr:`must`)."""
        return constraint in HARD_RULES or constraint in self.must

    def effective_weight(self, constraint: str) -> int:
        """The weight a violation costs: a must's is 1 in the hard total (0 when it is switched off)."""
        w = int(self.weights.get(constraint, DEFAULT_WEIGHTS[constraint]))
        return min(w, 1) if constraint in self.must else w

    def resources_of(self, s: int) -> np.ndarray:
        return self.res_indices[self.res_indptr[s]:self.res_indptr[s + 1]]

    def slot_day(self, t: int) -> int:
        return t // self.periods_per_day

    def slot_period(self, t: int) -> int:
        return t % self.periods_per_day

    def slot_label(self, t: int) -> str:
        return f"{self.day_names[t // self.periods_per_day]} {self.period_labels[t % self.periods_per_day]}"

    def validate_shapes(self) -> None:
        T, R, Q, C, S = self.n_slots, self.n_rooms, self.n_resources, self.n_courses, self.n_sessions
        expect = {
            "slot_usable": (T,), "room_capacity": (R,), "room_available": (R, T), "room_building": (R,),
            "resource_kind": (Q,), "resource_available": (Q, T), "resource_pref": (Q, T),
            "resource_max_daily": (Q,), "resource_max_consecutive": (Q,), "resource_max_days": (Q,),
            "resource_max_weekly": (Q,), **{name: (Q,) for name, _, _ in PROFILE_ARRAYS},
            "course_min_days": (C,), "session_activity": (S,), "session_course": (S,),
            "session_duration": (S,), "session_size": (S,), "res_indptr": (S + 1,),
            "session_allowed_rooms": (S, R), "session_available": (S, T), "session_pref": (S, T),
            "session_needs_room": (S,), "locked_start": (S,), "locked_room": (S,),
        }
        for name, shape in expect.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ValueError(f"Problem.{name} has shape {got}, expected {shape}")
        if len(self.day_names) != self.n_days or len(self.period_labels) != self.periods_per_day:
            raise ValueError("day_names / period_labels do not match the calendar size")
        if S and (self.session_duration < 1).any():
            raise ValueError("every session lasts at least one period")
        if len(self.res_indices) != int(self.res_indptr[-1]):
            raise ValueError("res_indices length does not match res_indptr")


def sync_units(p: Problem) -> list[list[int]]:
    """The sessions that move together: each elective basket's sync sets joined (union-find), every other
    session alone; in order of each unit's first session, members ascending."""
    parent = list(range(p.n_sessions))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in p.sync_sets:
        m = [int(v) for v in members]
        for v in m[1:]:
            parent[find(v)] = find(m[0])
    groups: dict[int, list[int]] = {}
    for s in range(p.n_sessions):
        groups.setdefault(find(s), []).append(s)
    return sorted(groups.values(), key=lambda g: g[0])


@dataclass
class Assignment:
    """Where each session is: start slot and room (-1 = unscheduled / no room)."""

    start: np.ndarray  # int32[S]
    room: np.ndarray  # int32[S]

    @classmethod
    def empty(cls, problem: Problem) -> "Assignment":
        S = problem.n_sessions
        return cls(np.full(S, UNASSIGNED, np.int32), np.full(S, UNASSIGNED, np.int32))

    def copy(self) -> "Assignment":
        return Assignment(self.start.copy(), self.room.copy())

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Assignment)
            and np.array_equal(self.start, other.start)
            and np.array_equal(self.room, other.room)
        )


# Canonical constraint names (hard first) and default weights for department problems:
# declared once, in ``engine.rules``.  The ITC-2007 reader sets its own weights.
HARD = "hard"
SOFT = "soft"

DEFAULT_WEIGHTS: dict[str, int] = {r.name: r.weight for r in RULES}
HARD_CONSTRAINTS = HARD_RULES
SOFT_CONSTRAINTS = SOFT_RULES
