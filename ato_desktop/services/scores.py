"""Scores that are true now: a version's stored hard/soft cost is shown only while the data it was
computed on is unchanged.

Every stored score carries ``timetable.score_fingerprint``, the
:func:`~ato_desktop.storage.compile.score_fingerprint` of the compiled problem, the version's locks and
its placements. :func:`find_out_of_date` compiles the department once and tells which versions'
fingerprints differ from the current data (or are unknown); :func:`rescore` evaluates those and stores
the new figures (keeping the versions' "changed" time). :func:`refresh_scores` does both (the CLI's
``info``); the Timetables page runs the two steps in a worker, showing "out of date — rechecking…" in
between.

Unscheduled sessions always count as hard: when the ``unscheduled`` rule is switched off (weight 0) they
are added to the hard figure all the same (:func:`score_of`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select, update

from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

__all__ = ["Score", "Recheck", "score_of", "current_fingerprint", "find_out_of_date", "rescore", "refresh_scores",
           "OUT_OF_DATE", "data_fingerprint", "describe_changes"]

OUT_OF_DATE = "out of date — rechecking…"


@dataclass(frozen=True)
class Score:
    hard: int  # unscheduled sessions included
    soft: int
    unscheduled: int  # sessions without a slot (or without the room they need)
    fingerprint: str


@dataclass
class Recheck:
    """What :func:`find_out_of_date` found: every version's unscheduled count and current fingerprint,
    and the out-of-date versions with what :func:`rescore` needs to score them."""

    unscheduled: dict[int, int]
    fingerprints: dict[int, str]
    stale: dict[int, tuple]  # timetable id -> (problem, assignment)

    @property
    def stale_ids(self) -> list[int]:
        return sorted(self.stale)


def score_of(problem, assignment, fingerprint: str) -> Score:
    """The displayed score of ``assignment``: the engine's hard and soft costs, unscheduled sessions
    counted as hard even when their rule is switched off."""
    from ato_desktop.engine import evaluate
    from ato_desktop.engine.constraints import REGISTRY

    sc = evaluate(problem, assignment)
    unscheduled = REGISTRY["unscheduled"].count(problem, assignment)
    hard = int(sc.hard) + (unscheduled if REGISTRY["unscheduled"].weight(problem) == 0 else 0)
    return Score(hard, int(sc.soft), int(unscheduled), fingerprint)


def current_fingerprint(db: Database, timetable: int | str | None = None) -> str:
    """The fingerprint of a version on the data as it is now (compiles the department)."""
    from ato_desktop.services.compile import compile_database
    from ato_desktop.storage.compile import score_fingerprint

    comp, assignment, _ = compile_database(db, timetable)
    return score_fingerprint(comp.problem, assignment)


def _versions(s):
    """(version rows, placements and locks per version) read in one transaction."""
    tts = list(s.execute(select(m.Timetable.id, m.Timetable.score_fingerprint).order_by(m.Timetable.id)))
    days = {r.id: r.position for r in s.execute(select(m.Day.id, m.Day.position))}
    periods = {r.id: r.position for r in s.execute(select(m.Period.id, m.Period.position))}
    rooms = {r.id: r.code for r in s.execute(select(m.Room.id, m.Room.code))}
    sa = m.SessionAssignment
    rows: dict[int, dict] = {t.id: {} for t in tts}
    locks: dict[int, list] = {t.id: [] for t in tts}
    for r in s.execute(select(sa.timetable_id, sa.activity_id, sa.occurrence, sa.day_id, sa.period_id, sa.room_id,
                              sa.locked)):
        day = days.get(r.day_id) if r.day_id is not None else None
        period = periods.get(r.period_id) if r.period_id is not None else None
        room = rooms.get(r.room_id) if r.room_id is not None else None
        rows[r.timetable_id][(r.activity_id, r.occurrence)] = (day, period, room)
        if r.locked and day is not None and period is not None:
            locks[r.timetable_id].append(((r.activity_id, r.occurrence), day, period, room))
    return tts, rows, locks


def find_out_of_date(db: Database, *, only: int | None = None) -> Recheck:
    """Compile the department once and compare each version's stored fingerprint with the current one
    (``only``: that version alone). Reads only."""
    from ato_desktop.storage.compile import compile_session, problem_digest, score_fingerprint

    with db.read_session() as s:
        versions, rows, locks = _versions(s)
        # a campus database: each department's versions are scored on its own problem (storage/compile.py)
        owner = dict(s.execute(select(m.Timetable.id, m.Timetable.department_id)).all())
        compiled = {None: compile_session(s, None)}
        for tid, _stored in versions:
            dept = owner.get(tid)
            if dept not in compiled and (only is None or tid == only):
                c = compile_session(s, tid)
                unlocked = np.full(c.problem.n_sessions, -1, np.int32)
                compiled[dept] = dataclasses.replace(c, problem=dataclasses.replace(
                    c.problem, locked_start=unlocked, locked_room=unlocked.copy()))
    out = Recheck({}, {}, {})
    digests: dict = {}
    for tid, stored in versions:
        if only is not None and tid != only:
            continue
        comp = compiled[owner.get(tid)]
        p = comp.problem
        if owner.get(tid) not in digests:
            digests[owner.get(tid)] = problem_digest(p)
        base = digests[owner.get(tid)]
        room_index = {c: i for i, c in enumerate(comp.room_codes)}
        problem = p
        if locks[tid]:
            ls = np.full(p.n_sessions, -1, np.int32)
            lr = np.full(p.n_sessions, -1, np.int32)
            for key, day, period, room in locks[tid]:
                si = comp.index_of.get(key)
                if si is not None:
                    ls[si] = day * p.periods_per_day + period
                    if room is not None:
                        lr[si] = room_index.get(room, -1)
            problem = dataclasses.replace(p, locked_start=ls, locked_room=lr)
        assignment = comp.assignment_from_rows(rows[tid])
        fp = score_fingerprint(problem, assignment, base=base)
        out.fingerprints[tid] = fp
        out.unscheduled[tid] = int(((assignment.start < 0) | (p.session_needs_room & (assignment.room < 0))).sum())
        if fp != stored:
            out.stale[tid] = (problem, assignment)
    return out


def rescore(db: Database, recheck: Recheck) -> dict[int, Score]:
    """Score the out-of-date versions of ``recheck`` and store the figures with their fingerprints
    (one write transaction; nothing is written to a database opened read-only). A version deleted in
    the meantime is skipped. The versions' "changed" time is kept: a recheck is not an edit."""
    from ato_desktop.storage.errors import DatabaseBusyError, DatabaseReadOnlyError

    scores = {tid: score_of(problem, assignment, recheck.fingerprints[tid])
              for tid, (problem, assignment) in recheck.stale.items()}
    if scores and not db.readonly:
        try:
            with db.session() as s:
                for tid, sc in scores.items():
                    s.execute(update(m.Timetable).where(m.Timetable.id == tid).values(
                        hard_cost=sc.hard, soft_cost=sc.soft, score_fingerprint=sc.fingerprint,
                        updated_at=m.Timetable.updated_at))
        except (DatabaseBusyError, DatabaseReadOnlyError):
            pass  # another process is writing, or the file cannot be written: the figures hold all the same
            # (they are shown, and stored on a later recheck)
    return scores


def refresh_scores(db: Database) -> tuple[Recheck, dict[int, Score]]:
    """Recompute (and store) the score of every version whose data changed since it was scored."""
    recheck = find_out_of_date(db)
    return recheck, rescore(db, recheck)


# What each compiled array is about, in the coordinator's words (for "the data changed" messages).
_AREAS = (
    ("the calendar", ("slot_usable",)),
    ("rooms", ("room_capacity", "room_available", "session_allowed_rooms")),
    ("faculty or student groups", ("resource_kind", "resource_available", "resource_pref", "resource_max_daily",
                                   "resource_max_consecutive", "resource_max_days")),
    ("activities", ("course_min_days", "session_activity", "session_course", "session_duration", "session_size",
                    "res_indptr", "res_indices", "session_available", "session_pref", "session_needs_room")),
    ("locked sessions", ("locked_start", "locked_room")),
)


def data_fingerprint(problem) -> str:
    """The digest of the data an optimizer run starts from: the compiled problem with its locks."""
    from ato_desktop.engine.problem import Assignment
    from ato_desktop.storage.compile import score_fingerprint

    return score_fingerprint(problem, Assignment.empty(problem))


def describe_changes(old, new) -> list[str]:
    """What differs between two compiled problems, in words ("activities", "rooms", ...); [] if nothing
    a score depends on changed."""
    if data_fingerprint(old) == data_fingerprint(new):
        return []
    out = []
    if old.n_sessions != new.n_sessions:
        d = new.n_sessions - old.n_sessions
        out.append(f"{abs(d)} session{'s' if abs(d) != 1 else ''} {'added' if d > 0 else 'removed'}")
    for words, names in _AREAS:
        for name in names:
            a, b = getattr(old, name), getattr(new, name)
            if a.shape != b.shape or not np.array_equal(a, b):
                if words not in out and not (words == "activities" and out and "session" in out[0]):
                    out.append(words)
                break
    if old.n_days != new.n_days or old.periods_per_day != new.periods_per_day:
        out.insert(0, "the calendar")
    if dict(old.weights) != dict(new.weights) or len(old.sync_sets) != len(new.sync_sets):
        out.append("constraints or elective baskets")
    if [(x.rule, x.sessions.tolist(), x.param, x.split) for x in old.relations] != \
            [(x.rule, x.sessions.tolist(), x.param, x.split) for x in new.relations]:
        out.append("relations between activities")
    return list(dict.fromkeys(out)) or ["the data"]
