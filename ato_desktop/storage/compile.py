"""Compile a department database into an engine :class:`~ato_desktop.engine.problem.Problem`.

Mapping (see docs/constraints.md for the engine side):

* slots = days x periods; break periods are unusable slots, and so are the periods a day's own bell
  schedule closes (a Saturday half-day, a break of its own: the setting :data:`CLOSED_PERIODS_KEY`,
  ``{"Saturday": ["P5", "P6", "P7"]}``, written by ``services.bells``);
* resources = every faculty member, then every *leaf* student group (a lab
  batch, or a section without batches). A section's activity uses all its
  leaves, so a section clashes with its own batches while batches of one
  section do not clash with each other;
* one session per (activity, occurrence); the course key of the soft rules
  "spread" and "room stability" is the activity;
* allowed rooms: the required kind (a classroom requirement also accepts
  seminar halls and auditoriums; a tutorial-room requirement also accepts
  classrooms), every required feature, and capacity for all its students;
* an activity requiring the feature ``no room`` (imported from FET, where an activity gets a room
  only when a space constraint asks for one) needs no room: ``session_needs_room`` False;
* elective baskets: occurrence *k* of every activity of a basket forms one
  sync set; the basket's *cohorts* (the sections whose students choose) are
  attached to the basket's first activity only, so they are kept free while the
  basket runs without the basket's own activities clashing with each other;
* constraint weights come from the database's constraint instances
  (disabled = weight 0; missing = the engine default).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ato_desktop.engine.problem import (
    DEFAULT_WEIGHTS,
    PREF_PREFERRED,
    PROFILE_ARRAYS,
    PREF_UNDESIRED,
    RESOURCE_FACULTY,
    RESOURCE_GROUP,
    SOFT_CONSTRAINTS,
    UNASSIGNED,
    Assignment,
    Problem,
)
from ato_desktop.storage import models as m
from ato_desktop.storage.compile_profile import profile_arrays

# An activity requiring this "feature" is held without a room (imported FET activities that no space
# constraint puts in a room): its sessions get session_needs_room = False.
NO_ROOM_FEATURE = "no room"

ROOM_KIND_ACCEPTS = {
    "classroom": {"classroom", "seminar_hall", "auditorium"},
    "tutorial_room": {"tutorial_room", "classroom"},
    "lab": {"lab"},
    "seminar_hall": {"seminar_hall", "auditorium"},
    "auditorium": {"auditorium"},
}


@dataclass
class Compiled:
    problem: Problem
    keys: list[tuple[int, int]]  # session index -> (activity id, occurrence)
    room_codes: list[str]
    faculty_codes: list[str]  # resource index -> faculty code, for the first n_faculty resources
    group_codes: list[str]  # leaf groups, resources n_faculty...
    day_positions: int = 0
    index_of: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def n_faculty(self) -> int:
        return len(self.faculty_codes)

    def assignment_from_rows(self, rows: dict[tuple[int, int], tuple[int | None, int | None, str | None]]) -> Assignment:
        p = self.problem
        a = Assignment.empty(p)
        room_index = {c: i for i, c in enumerate(self.room_codes)}
        for key, (day, period, room) in rows.items():
            s = self.index_of.get(key)
            if s is None:
                continue
            if day is not None and period is not None:
                a.start[s] = day * p.periods_per_day + period
            if room is not None:
                a.room[s] = room_index.get(room, UNASSIGNED)
        return a

    def rows_from_assignment(self, a: Assignment) -> dict[tuple[int, int], tuple[int | None, int | None, str | None]]:
        P = self.problem.periods_per_day
        out = {}
        for s, key in enumerate(self.keys):
            t = int(a.start[s])
            r = int(a.room[s])
            out[key] = (
                t // P if t >= 0 else None,
                t % P if t >= 0 else None,
                self.room_codes[r] if r >= 0 else None,
            )
        return out


def _mark_grid(marks, day_pos: dict[int, int], period_pos: dict[int, int], P: int, T: int):
    avail = np.ones(T, bool)
    pref = np.zeros(T, np.int8)
    for mk in marks:
        t = day_pos[mk.day_id] * P + period_pos[mk.period_id]
        if mk.state == "unavailable":
            avail[t] = False
        elif mk.state == "undesired":
            pref[t] = PREF_UNDESIRED
        elif mk.state == "preferred":
            pref[t] = PREF_PREFERRED
    return avail, pref


CLOSED_PERIODS_KEY = "closed_periods"


def closed_periods(s: Session) -> dict[str, list[str]]:
    """Day name -> labels of the teaching periods that day does not have (its own bell schedule).

    A value that is not the expected JSON reads as none (``services.bells`` writes it, validated)."""
    row = s.get(m.Setting, CLOSED_PERIODS_KEY)
    if row is None or not row.value.strip():
        return {}
    try:
        raw = json.loads(row.value)
        return {str(d): [str(p) for p in ps] for d, ps in raw.items() if isinstance(ps, list)}
    except (ValueError, AttributeError):
        return {}


def compile_session(s: Session, timetable_id: int | None = None, name: str = "department") -> Compiled:
    days = list(s.scalars(select(m.Day).order_by(m.Day.position)))
    periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
    D, P = len(days), len(periods)
    T = D * P
    day_pos = {d.id: d.position for d in days}
    period_pos = {p.id: p.position for p in periods}
    slot_usable = np.array([not periods[t % P].is_break for t in range(T)], bool) if T else np.zeros(0, bool)
    closed = {d.lower(): {p.lower() for p in ps} for d, ps in closed_periods(s).items()}
    for d in days:
        for p in periods:
            if p.label.lower() in closed.get(d.name.lower(), ()):
                slot_usable[d.position * P + p.position] = False

    rooms = list(s.scalars(select(m.Room).options(selectinload(m.Room.availability)).order_by(m.Room.code)))
    # Campus (issue 19): a department's version is its department's problem (None: a file, everything)
    from ato_desktop.storage.models_campus import department_scope

    scope = department_scope(s, timetable_id)
    if scope is not None:
        rooms = [r for r in rooms if r.id in scope["rooms"]]
    R = len(rooms)
    room_available = np.ones((R, T), bool)
    for i, r in enumerate(rooms):
        room_available[i] = _mark_grid(r.availability, day_pos, period_pos, P, T)[0]
    if scope is not None:  # where the department may use each room: owners and sharing grids
        from ato_desktop.storage.models_campus import room_usable

        usable = room_usable(s, next(iter(scope["department"])), rooms,
                             day_pos, {p.position: i for i, p in enumerate(periods)}, P, T)
        for i, r in enumerate(rooms):
            room_available[i] &= usable[r.id]

    faculty = list(s.scalars(select(m.Faculty).options(selectinload(m.Faculty.availability)).order_by(m.Faculty.code)))
    groups = list(s.scalars(select(m.StudentGroup).options(
        selectinload(m.StudentGroup.availability), selectinload(m.StudentGroup.batches)).order_by(m.StudentGroup.code)))
    if scope is not None:
        faculty = [f for f in faculty if f.id in scope["faculty"]]
        groups = [g for g in groups if g.id in scope["groups"]]
    leaves = [g for g in groups if not g.batches]
    res_index: dict[tuple[str, int], int] = {}
    names, kinds = [], []
    Q = len(faculty) + len(leaves)
    res_avail = np.ones((Q, T), bool)
    res_pref = np.zeros((Q, T), np.int8)
    max_daily = np.zeros(Q, np.int32)
    max_consec = np.zeros(Q, np.int32)
    max_days = np.zeros(Q, np.int32)
    max_weekly = np.zeros(Q, np.int32)
    for i, f in enumerate(faculty):
        res_index[("f", f.id)] = i
        names.append(f.name)
        kinds.append(RESOURCE_FACULTY)
        res_avail[i], res_pref[i] = _mark_grid(f.availability, day_pos, period_pos, P, T)
        max_daily[i], max_consec[i], max_days[i] = f.max_daily_periods, f.max_consecutive, f.max_days
        max_weekly[i] = f.max_weekly_periods
    group_by_id = {g.id: g for g in groups}
    for j, g in enumerate(leaves):
        q = len(faculty) + j
        res_index[("g", g.id)] = q
        names.append(g.code)
        kinds.append(RESOURCE_GROUP)
        avail, pref = _mark_grid(g.availability, day_pos, period_pos, P, T)
        if g.parent_id is not None:  # a batch inherits its section's marks
            pa, pp = _mark_grid(group_by_id[g.parent_id].availability, day_pos, period_pos, P, T)
            avail &= pa
            pref = np.where(pref == 0, pp, pref).astype(np.int8)
        res_avail[q], res_pref[q] = avail, pref

    def leaf_ids(g: m.StudentGroup) -> list[int]:
        return [res_index[("g", b.id)] for b in g.batches] if g.batches else [res_index[("g", g.id)]]

    activities = list(s.scalars(select(m.Activity).options(
        selectinload(m.Activity.groups).selectinload(m.StudentGroup.batches),
        selectinload(m.Activity.faculty), selectinload(m.Activity.course),
        selectinload(m.Activity.time_prefs),
        selectinload(m.Activity.basket).selectinload(m.ElectiveBasket.cohorts).selectinload(m.StudentGroup.batches),
    ).order_by(m.Activity.id)))
    if scope is not None:
        activities = [a for a in activities if a.id in scope["activities"]]

    # Room facts read once (not once per activity: 4,000 activities x 240 rooms took seconds).
    room_kinds = [r.kind for r in rooms]
    room_features = [set(r.features or []) for r in rooms]
    room_capacity = np.array([r.capacity for r in rooms], dtype=np.int64)
    kind_cache: dict[tuple[str, frozenset], np.ndarray] = {}

    def _kind_ok(room_kind: str, need: set) -> np.ndarray:
        """Rooms of an accepted kind holding every required feature (capacity ignored)."""
        key = (room_kind, frozenset(need))
        hit = kind_cache.get(key)
        if hit is None:
            accepts = ROOM_KIND_ACCEPTS.get(room_kind, {room_kind})
            hit = kind_cache[key] = np.array([k in accepts and need <= f for k, f in zip(room_kinds, room_features)],
                                             bool)
        return hit.copy()

    # Campus elective slots (issue 19): where each slotted or slot-keeping activity may start
    from ato_desktop.storage.models_campus import elective_slot_masks

    slot_masks = elective_slot_masks(s, activities, leaf_ids, day_pos, periods, T)

    basket_anchor: dict[int, int] = {}
    for a in activities:
        if a.basket_id is not None and a.basket_id not in basket_anchor:
            basket_anchor[a.basket_id] = a.id

    labels, act_idx, course_idx, durations, sizes = [], [], [], [], []
    indptr = [0]
    indices: list[int] = []
    allowed_rows, avail_rows, pref_rows, requirement = [], [], [], []
    kind_rows: list[np.ndarray] = []  # rooms of the right kind and features, capacity ignored (for checks)
    needs_room: list[bool] = []
    course_names, course_min_days = [], []
    keys: list[tuple[int, int]] = []
    sync: dict[tuple[int, int], list[int]] = {}
    for a in activities:
        groups_txt = ", ".join(g.code for g in a.groups) or "no group"
        c = len(course_names)
        course_names.append(f"{a.course.code} {a.kind} ({groups_txt})")
        min_days = a.min_days if a.min_days > 0 else (a.sessions_per_week if a.sessions_per_week > 1 else 0)
        course_min_days.append(min(min_days, D))
        res = sorted({res_index[("f", f.id)] for f in a.faculty} | {q for g in a.groups for q in leaf_ids(g)}
                     | ({q for g in a.basket.cohorts for q in leaf_ids(g)} if a.basket and basket_anchor.get(a.basket_id) == a.id else set()))
        size = a.student_count or sum(g.strength for g in a.groups)  # its own number, else the groups'
        need = set(a.required_features or [])
        kind_ok = _kind_ok(a.room_kind, need)
        allowed = kind_ok & (room_capacity >= size)
        feat = f" with {', '.join(sorted(need))}" if need else ""
        req = f"{a.room_kind.replace('_', ' ')}{feat} for {size} students"
        s_avail, s_pref = _mark_grid(a.time_prefs, day_pos, period_pos, P, T)
        if a.id in slot_masks:
            s_avail &= slot_masks[a.id]
        for k in range(a.sessions_per_week):
            si = len(keys)
            keys.append((a.id, k))
            labels.append(f"{a.course.code} {a.kind} ({groups_txt}) #{k + 1}")
            act_idx.append(a.id)
            course_idx.append(c)
            durations.append(a.duration)
            sizes.append(size)
            indices.extend(res)
            indptr.append(len(indices))
            allowed_rows.append(allowed)
            kind_rows.append(kind_ok)
            avail_rows.append(s_avail)
            pref_rows.append(s_pref)
            requirement.append(req)
            needs_room.append(NO_ROOM_FEATURE not in need)
            if a.basket_id is not None:
                sync.setdefault((a.basket_id, k), []).append(si)
    S = len(keys)
    index_of = {k: i for i, k in enumerate(keys)}

    locked_start = np.full(S, UNASSIGNED, np.int32)
    locked_room = np.full(S, UNASSIGNED, np.int32)
    room_index = {r.id: i for i, r in enumerate(rooms)}
    if timetable_id is not None:
        for row in s.scalars(select(m.SessionAssignment).where(
                m.SessionAssignment.timetable_id == timetable_id, m.SessionAssignment.locked.is_(True))):
            si = index_of.get((row.activity_id, row.occurrence))
            if si is None or row.day_id is None:
                continue
            locked_start[si] = day_pos[row.day_id] * P + period_pos[row.period_id]
            if row.room_id is not None and row.room_id in room_index:
                locked_room[si] = room_index[row.room_id]

    # Campus (issue 19): what other departments committed in these rooms and with these faculty is a fixed
    # fact: those rooms and people are unavailable then (a department's own file: usually nothing).
    from ato_desktop.storage.models_campus import committed_by_others

    period_index = {p.position: i for i, p in enumerate(periods)}
    faculty_index = {f.id: i for i, f in enumerate(faculty)}
    for room_id, faculty_id, day_id, lo, hi in committed_by_others(s, timetable_id):
        if day_id not in day_pos:
            continue
        cells = [day_pos[day_id] * P + period_index[p] for p in range(lo, hi + 1) if p in period_index]
        if room_id is not None and room_id in room_index:
            room_available[room_index[room_id], cells] = False
        elif faculty_id is not None and faculty_id in faculty_index:
            res_avail[faculty_index[faculty_id], cells] = False

    weights = dict(DEFAULT_WEIGHTS)
    constraint_rows = list(s.scalars(select(m.ConstraintInstance)))
    for ci in constraint_rows:
        if ci.type in weights:
            weights[ci.type] = ci.weight if ci.enabled else 0
    # soft rules that are musts here (a FET constraint at 100 %, docs/constraints.md "FET weights")
    must = frozenset(ci.type for ci in constraint_rows if ci.enabled and ci.type in SOFT_CONSTRAINTS
                     and isinstance(ci.params, dict) and ci.params.get("must") is True)
    # the day profile's per-resource limits (issue 17), from the rules' parameters
    profile = profile_arrays(constraint_rows, faculty, groups, leaves, res_index, leaf_ids)
    # relations between activities (issue 17): kept in their rule's constraint row
    from ato_desktop.storage.relations import compile_relations

    n_occ = {a.id: a.sessions_per_week for a in activities}
    relations = compile_relations(((ci.type, ci.params) for ci in constraint_rows if ci.enabled),
                                  lambda aid: [index_of[(aid, k)] for k in range(n_occ.get(aid, 0))], index_of)

    problem = Problem(
        name=name, n_days=D, periods_per_day=P,
        day_names=tuple(d.short_name for d in days), period_labels=tuple(p.label for p in periods),
        slot_usable=slot_usable,
        room_names=tuple(r.code for r in rooms),
        room_capacity=np.array([r.capacity for r in rooms], np.int32),
        room_available=room_available, room_building=_buildings(rooms),
        resource_names=tuple(names), resource_kind=np.array(kinds, np.int8),
        resource_available=res_avail, resource_pref=res_pref,
        resource_max_daily=max_daily, resource_max_consecutive=max_consec, resource_max_days=max_days,
        course_names=tuple(course_names), course_min_days=np.array(course_min_days, np.int32),
        session_labels=tuple(labels), session_activity=np.array(act_idx, np.int32),
        session_course=np.array(course_idx, np.int32), session_duration=np.array(durations, np.int32),
        session_size=np.array(sizes, np.int32),
        res_indptr=np.array(indptr, np.int32), res_indices=np.array(indices, np.int32),
        session_allowed_rooms=np.array(allowed_rows, bool).reshape(S, R),
        session_available=np.array(avail_rows, bool).reshape(S, T),
        session_pref=np.array(pref_rows, np.int8).reshape(S, T),
        session_needs_room=np.array(needs_room, bool),
        sync_sets=tuple(np.array(v, np.int32) for v in sync.values() if len(v) > 1),
        locked_start=locked_start, locked_room=locked_room, resource_max_weekly=max_weekly,
        weights=weights, must=must, **profile, relations=relations,
        meta={"session_room_requirement": tuple(requirement), "session_keys": tuple(keys),
              "session_room_kind_ok": np.array(kind_rows, bool).reshape(S, R),
              "sections": {g.code: tuple(leaf_ids(g)) for g in groups if g.batches}},
    )
    return Compiled(problem, keys, [r.code for r in rooms], [f.code for f in faculty],
                    [g.code for g in leaves], D, index_of)


def _buildings(rooms) -> np.ndarray:
    """Each room's building as an index (rooms with the same Building text, ignoring case and spaces
    around it), -1 for none."""
    index: dict[str, int] = {}
    out = []
    for r in rooms:
        b = (r.building or "").strip().lower()
        out.append(index.setdefault(b, len(index)) if b else -1)
    return np.array(out, np.int32)


# The Problem arrays a score depends on (names and labels do not change a score; the weekly limit is a
# check on the data, not scored). ``locked_*`` and the assignment are added per version.
_SCORED_ARRAYS = (
    "slot_usable", "room_capacity", "room_available", "resource_kind", "resource_available", "resource_pref",
    "resource_max_daily", "resource_max_consecutive", "resource_max_days", "course_min_days",
    "session_activity", "session_course", "session_duration", "session_size", "res_indptr", "res_indices",
    "session_allowed_rooms", "session_available", "session_pref", "session_needs_room",
)


def _hash_array(h, name: str, a) -> None:
    a = np.ascontiguousarray(a)
    h.update(f"{name}:{a.dtype.str}:{a.shape};".encode())
    h.update(a.tobytes())


def problem_digest(problem: Problem) -> str:
    """A stable digest of everything of ``problem`` a score depends on, locks excepted (see
    :func:`score_fingerprint`): the calendar size, every scored array, the sync sets and the weights."""
    h = hashlib.sha256(f"ato-score-1:{problem.n_days}x{problem.periods_per_day};".encode())
    for name in _SCORED_ARRAYS:
        _hash_array(h, name, getattr(problem, name))
    for k, members in enumerate(problem.sync_sets):
        _hash_array(h, f"sync{k}", np.asarray(members, np.int64))
    for name, dtype, none in PROFILE_ARRAYS:  # the day profile: only when set (older digests stay equal)
        a = getattr(problem, name)
        if (a != none).any():
            _hash_array(h, name, a)
            if name in ("resource_max_bchanges_day", "resource_max_bchanges_week", "resource_min_gaps_bchanges"):
                _hash_array(h, f"room_building/{name}", problem.room_building)  # buildings matter then
    weights = {k: int(v) for k, v in dict(DEFAULT_WEIGHTS, **dict(problem.weights)).items()}
    h.update(json.dumps(weights, sort_keys=True).encode())
    if problem.must:  # none: the digest of a problem without musts is unchanged
        h.update(("must:" + ",".join(sorted(problem.must)) + ";").encode())
    for k, x in enumerate(problem.relations):  # none: the digest of a problem without relations is unchanged
        h.update(f"rel{k}:{x.rule}:{x.param}{f'/{x.split}' if x.split else ''};".encode())
        _hash_array(h, f"rel{k}", np.asarray(x.sessions, np.int64))
    return h.hexdigest()


def score_fingerprint(problem: Problem, assignment: Assignment, *, base: str | None = None) -> str:
    """64 hex characters identifying the data a version's score was computed on: the compiled problem
    (``problem_digest``, which may be given as ``base`` when many versions share one problem), the
    version's locks and its placements. Equal fingerprints mean an equal score."""
    h = hashlib.sha256((base or problem_digest(problem)).encode())
    _hash_array(h, "locked_start", np.asarray(problem.locked_start, np.int64))
    _hash_array(h, "locked_room", np.asarray(problem.locked_room, np.int64))
    _hash_array(h, "start", np.asarray(assignment.start, np.int64))
    _hash_array(h, "room", np.asarray(assignment.room, np.int64))
    return h.hexdigest()
