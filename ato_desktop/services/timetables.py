"""Timetable versions and their sessions: list, copy, move, lock, publish.

A *session* is one occurrence of an activity in one timetable version
(``SessionAssignment``). Day and period are given by their *positions*
(0-based) and rooms by code, as the grid and the CLI see them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ato_desktop.services.errors import NotFoundError, ValidationError
from ato_desktop.services.frozen import FrozenVersionError, ensure_editable, freeze, is_frozen, unfreeze  # noqa: F401
from ato_desktop.services.frozen import has_snapshot as _has_snapshot
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


@dataclass(frozen=True)
class SessionView:
    id: int  # SessionAssignment id
    activity_id: int
    occurrence: int
    course_code: str
    course_title: str
    kind: str
    duration: int
    groups: tuple[str, ...]
    faculty: tuple[str, ...]
    day: int | None  # position
    period: int | None  # position of the first period
    room: str | None  # room code
    locked: bool
    basket: str | None = None

    @property
    def scheduled(self) -> bool:
        return self.day is not None

    @property
    def label(self) -> str:
        return f"{self.course_code} {self.kind} ({', '.join(self.groups)}) #{self.occurrence + 1}"


@dataclass(frozen=True)
class TimetableInfo:
    id: int
    name: str
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None
    hard_cost: int | None
    soft_cost: int | None
    notes: str
    sessions: int
    scheduled: int
    score_fingerprint: str | None = None  # the data hard_cost/soft_cost hold for (services.scores)


def _tt(s: Session, key: int | str | None) -> m.Timetable:
    if key is None:
        tt = s.scalar(select(m.Timetable).order_by(m.Timetable.updated_at.desc(), m.Timetable.id.desc()))
        if tt is None:
            raise NotFoundError("Timetable", "(latest)")
        return tt
    if isinstance(key, int):
        tt = s.get(m.Timetable, key)
    else:
        tt = s.scalar(select(m.Timetable).where(func.lower(m.Timetable.name) == key.strip().lower()))
    if tt is None:
        raise NotFoundError("Timetable", key)
    return tt


def _info(s: Session, tt: m.Timetable) -> TimetableInfo:
    total = s.scalar(select(func.count()).select_from(m.SessionAssignment).where(m.SessionAssignment.timetable_id == tt.id))
    done = s.scalar(
        select(func.count()).select_from(m.SessionAssignment)
        .where(m.SessionAssignment.timetable_id == tt.id, m.SessionAssignment.day_id.is_not(None))
    )
    return TimetableInfo(tt.id, tt.name, tt.status, tt.created_at, tt.updated_at, tt.published_at,
                         tt.hard_cost, tt.soft_cost, tt.notes, int(total or 0), int(done or 0), tt.score_fingerprint)


def list_timetables(db: Database) -> list[TimetableInfo]:
    with db.read_session() as s:
        return [_info(s, t) for t in s.scalars(select(m.Timetable).order_by(m.Timetable.created_at, m.Timetable.id))]


def get_timetable(db: Database, key: int | str | None = None) -> TimetableInfo:
    """A version by id or name; ``None`` = the most recently changed one."""
    with db.read_session() as s:
        return _info(s, _tt(s, key))


def _validate_name(s: Session, name: str, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Timetable", "name", "is required.")
    if len(name) > 100 or "\n" in name:
        raise ValidationError("Timetable", "name", "must be one line of at most 100 characters.")
    q = select(m.Timetable).where(func.lower(m.Timetable.name) == name.lower())
    if exclude is not None:
        q = q.where(m.Timetable.id != exclude)
    if s.scalar(q) is not None:
        raise ValidationError("Timetable", "name", f"{name!r} is already used by another version.")
    return name


def _sync_sessions(s: Session, tt: m.Timetable) -> None:
    """Make the version hold exactly one row per (activity, occurrence)."""
    have: dict[int, dict[int, m.SessionAssignment]] = {}
    for a in tt.assignments:
        have.setdefault(a.activity_id, {})[a.occurrence] = a
    acts = select(m.Activity)
    if tt.department_id is not None:  # a campus database: a version holds its own department's activities
        acts = acts.join(m.Course).where(m.Course.department_id == tt.department_id)
    for act in s.scalars(acts):
        rows = have.get(act.id, {})
        for k in range(act.sessions_per_week):
            if k not in rows:
                tt.assignments.append(m.SessionAssignment(activity_id=act.id, occurrence=k))
        for k, row in list(rows.items()):
            if k >= act.sessions_per_week:
                tt.assignments.remove(row)
                s.delete(row)


def create_timetable(db: Database, name: str, *, notes: str = "") -> TimetableInfo:
    """A new empty version: every session unscheduled."""
    with db.session() as s:
        tt = m.Timetable(name=_validate_name(s, name), notes=notes)
        s.add(tt)
        s.flush()
        _sync_sessions(s, tt)
        s.flush()
        return _info(s, tt)


def copy_timetable(db: Database, source: int | str | None, new_name: str) -> TimetableInfo:
    with db.session() as s:
        src = _tt(s, source)
        tt = m.Timetable(name=_validate_name(s, new_name), parent_id=src.id, notes=f"Copy of {src.name}",
                         hard_cost=src.hard_cost, soft_cost=src.soft_cost, score_fingerprint=src.score_fingerprint)
        s.add(tt)
        s.flush()
        for a in src.assignments:
            tt.assignments.append(m.SessionAssignment(
                activity_id=a.activity_id, occurrence=a.occurrence, day_id=a.day_id,
                period_id=a.period_id, room_id=a.room_id, locked=a.locked))
        _sync_sessions(s, tt)
        s.flush()
        return _info(s, tt)


def rename_timetable(db: Database, key: int | str, new_name: str) -> TimetableInfo:
    with db.session() as s:
        tt = _tt(s, key)
        if tt.name != (new_name or "").strip():
            ensure_editable(tt, "Renaming it")
        tt.name = _validate_name(s, new_name, exclude=tt.id)
        s.flush()
        return _info(s, tt)


def delete_timetable(db: Database, key: int | str) -> None:
    with db.session() as s:
        s.delete(_tt(s, key))


def set_status(db: Database, key: int | str, status: str) -> TimetableInfo:
    if status not in m.TIMETABLE_STATUSES:
        raise ValidationError("Timetable", "status", f"{status!r} is not one of {', '.join(m.TIMETABLE_STATUSES)}.")
    with db.session() as s:
        tt = _tt(s, key)
        if status == "published" and tt.status != "published" and not _has_snapshot(s, tt.id):
            freeze(s, tt)
        elif status == "draft" and tt.status != "draft":
            unfreeze(s, tt)  # back to a draft (undo of a publication): editable again
        tt.status = status
        if status == "published":
            tt.published_at = m.utcnow()
        s.flush()
        return _info(s, tt)


def latest_published(db: Database, *, before_id: int | None = None) -> TimetableInfo | None:
    with db.read_session() as s:
        q = select(m.Timetable).where(m.Timetable.status == "published")
        if before_id is not None:
            q = q.where(m.Timetable.id != before_id)
        tt = s.scalar(q.order_by(m.Timetable.published_at.desc(), m.Timetable.id.desc()))
        return _info(s, tt) if tt else None


def _needs_sync(s: Session, tt_id: int) -> bool:
    """Whether the version lacks a session row, or holds one past an activity's sessions per week.

    Two aggregate queries (no rows loaded): rows are unique per (version, activity, occurrence),
    so the version is in sync exactly when every row is in range and there are sum(sessions) of them.
    """
    expected = s.scalar(select(func.coalesce(func.sum(m.Activity.sessions_per_week), 0)))
    sa = m.SessionAssignment
    total, in_range = s.execute(
        select(func.count(sa.id), func.count(m.Activity.id))
        .select_from(sa)
        .outerjoin(m.Activity, (m.Activity.id == sa.activity_id) & (sa.occurrence < m.Activity.sessions_per_week))
        .where(sa.timetable_id == tt_id)
    ).one()
    return int(total or 0) != int(in_range or 0) or int(in_range or 0) != int(expected or 0)


def list_sessions(db: Database, timetable: int | str | None = None) -> list[SessionView]:
    """Every session of a version (unscheduled ones too), ordered by activity and occurrence.

    Reads in a read session; only when the version is missing rows for new activities (or holds
    rows for removed occurrences) does it first sync them in a short write transaction. A database
    opened read-only is never written: the missing sessions are listed unscheduled with negative
    ids (nothing can be edited there anyway) and rows past an activity's sessions are left out.
    """
    with db.read_session() as s:
        tt = _tt(s, timetable)
        if not _needs_sync(s, tt.id) or is_frozen(tt):  # a published version is never synced (frozen)
            return _session_views(s, tt.id)
        if db.readonly:
            return _session_views(s, tt.id, as_synced=True)
    with db.session() as s:  # rows to add or remove: a short write transaction
        tt = _tt(s, tt.id)
        _sync_sessions(s, tt)
        s.flush()
        return _session_views(s, tt.id)


def _session_views(s: Session, tt_id: int, *, as_synced: bool = False) -> list[SessionView]:
    """The version's sessions read with a few Core queries (no ORM objects: 10,000 sessions in a fraction
    of a second); the same values as :func:`_view` of the ORM rows (groups and faculty sorted by code).

    ``as_synced``: list what :func:`_sync_sessions` would leave without writing it (missing sessions
    unscheduled, with negative ids; rows past an activity's sessions per week left out)."""
    sa = m.SessionAssignment
    rows = s.execute(
        select(sa.id, sa.activity_id, sa.occurrence, sa.day_id, sa.period_id, sa.room_id, sa.locked)
        .where(sa.timetable_id == tt_id)
        .order_by(sa.activity_id, sa.occurrence)
    ).all()
    a = m.Activity
    acts = {r.id: r for r in s.execute(select(a.id, a.course_id, a.kind, a.duration, a.basket_id,
                                              a.sessions_per_week))}
    if as_synced:
        rows = _as_synced(rows, acts)
    if not rows:
        return []
    courses = {r.id: (r.code, r.title) for r in s.execute(select(m.Course.id, m.Course.code, m.Course.title))}
    baskets = {r.id: r.code for r in s.execute(select(m.ElectiveBasket.id, m.ElectiveBasket.code))}
    groups: dict[int, list[str]] = {}
    for aid, code in s.execute(select(m.activity_group.c.activity_id, m.StudentGroup.code)
                               .join(m.StudentGroup, m.StudentGroup.id == m.activity_group.c.group_id)):
        groups.setdefault(aid, []).append(code)
    faculty: dict[int, list[str]] = {}
    for aid, code in s.execute(select(m.activity_faculty.c.activity_id, m.Faculty.code)
                               .join(m.Faculty, m.Faculty.id == m.activity_faculty.c.faculty_id)):
        faculty.setdefault(aid, []).append(code)
    days = {r.id: r.position for r in s.execute(select(m.Day.id, m.Day.position))}
    periods = {r.id: r.position for r in s.execute(select(m.Period.id, m.Period.position))}
    rooms = {r.id: r.code for r in s.execute(select(m.Room.id, m.Room.code))}
    g_of = {aid: tuple(sorted(codes)) for aid, codes in groups.items()}
    f_of = {aid: tuple(sorted(codes)) for aid, codes in faculty.items()}
    out = []
    for r in rows:
        act = acts[r.activity_id]
        code, title = courses[act.course_id]
        out.append(SessionView(
            id=r.id, activity_id=act.id, occurrence=r.occurrence, course_code=code, course_title=title,
            kind=act.kind, duration=act.duration, groups=g_of.get(act.id, ()), faculty=f_of.get(act.id, ()),
            day=days[r.day_id] if r.day_id is not None else None,
            period=periods[r.period_id] if r.period_id is not None else None,
            room=rooms[r.room_id] if r.room_id is not None else None, locked=bool(r.locked),
            basket=baskets[act.basket_id] if act.basket_id is not None else None,
        ))
    return out


@dataclass(frozen=True)
class _VirtualRow:
    id: int
    activity_id: int
    occurrence: int
    day_id: int | None = None
    period_id: int | None = None
    room_id: int | None = None
    locked: bool = False


def _as_synced(rows, acts) -> list:
    """``rows`` as :func:`_sync_sessions` would leave them (in memory; see :func:`_session_views`)."""
    have = {(r.activity_id, r.occurrence): r for r in rows
            if r.activity_id in acts and r.occurrence < acts[r.activity_id].sessions_per_week}
    out, fake = [], 0
    for aid in sorted(acts):
        for k in range(acts[aid].sessions_per_week):
            row = have.get((aid, k))
            if row is None:
                fake -= 1
                row = _VirtualRow(id=fake, activity_id=aid, occurrence=k)
            out.append(row)
    return out


def _session_views_orm(s: Session, tt_id: int) -> list[SessionView]:
    """The ORM reading of :func:`_session_views` (kept as its reference in the tests)."""
    rows = s.scalars(
        select(m.SessionAssignment)
        .where(m.SessionAssignment.timetable_id == tt_id)
        .options(
            selectinload(m.SessionAssignment.activity).selectinload(m.Activity.groups),
            selectinload(m.SessionAssignment.activity).selectinload(m.Activity.faculty),
            selectinload(m.SessionAssignment.activity).selectinload(m.Activity.course),
            selectinload(m.SessionAssignment.activity).selectinload(m.Activity.basket),
            selectinload(m.SessionAssignment.day),
            selectinload(m.SessionAssignment.period),
            selectinload(m.SessionAssignment.room),
        )
        .order_by(m.SessionAssignment.activity_id, m.SessionAssignment.occurrence)
    ).all()
    return [_view(a) for a in rows]


def _view(a: m.SessionAssignment) -> SessionView:
    act = a.activity
    return SessionView(
        id=a.id, activity_id=act.id, occurrence=a.occurrence, course_code=act.course.code,
        course_title=act.course.title, kind=act.kind, duration=act.duration,
        groups=tuple(g.code for g in act.groups), faculty=tuple(f.code for f in act.faculty),
        day=a.day.position if a.day else None, period=a.period.position if a.period else None,
        room=a.room.code if a.room else None, locked=a.locked,
        basket=act.basket.code if act.basket else None,
    )


def _session_row(s: Session, session_id: int) -> m.SessionAssignment:
    row = s.get(m.SessionAssignment, session_id)
    if row is None:
        raise NotFoundError("Session", session_id)
    return row


def move_session(db: Database, session_id: int, day: int | None, period: int | None, room: str | None) -> SessionView:
    """Place a session (``day``/``period`` positions, room code), or unschedule it with ``None``.

    Returns the session as it was *before* the move, so the caller can undo.
    Hard conflicts are allowed here (the grid asks the user first); structural
    errors (no such day, period or room; a break) are refused.
    """
    with db.session() as s:
        row = _session_row(s, session_id)
        ensure_editable(row.timetable, "Moving a session")
        before = _view(row)
        if (day is None) != (period is None):
            raise ValidationError("Session", "slot", "give both a day and a period, or neither to unschedule.")
        if day is None:
            row.day_id = row.period_id = None
            row.room_id = None if room is None else row.room_id
        else:
            d = s.scalar(select(m.Day).where(m.Day.position == day))
            if d is None:
                raise ValidationError("Session", "day", f"there is no day {day + 1} in the calendar.")
            p = s.scalar(select(m.Period).where(m.Period.position == period))
            if p is None:
                raise ValidationError("Session", "period", f"there is no period {period + 1} in the calendar.")
            row.day_id, row.period_id = d.id, p.id
        if room is not None:
            r = s.scalar(select(m.Room).where(func.lower(m.Room.code) == room.lower()))
            if r is None:
                raise ValidationError("Session", "room", f"there is no room {room!r}.")
            row.room_id = r.id
        elif day is not None and room is None:
            pass  # keep the room
        row.timetable.updated_at = m.utcnow()
        return before


def restore_session(db: Database, before: SessionView) -> None:
    """Put a session back exactly as ``before`` (undo of a move or lock)."""
    with db.session() as s:
        row = _session_row(s, before.id)
        ensure_editable(row.timetable, "Changing a session")
        with s.no_autoflush:  # day and period change together (a CHECK wants both or neither)
            if before.day is None:
                row.day_id = row.period_id = None
            else:
                day_id = s.scalar(select(m.Day.id).where(m.Day.position == before.day))
                period_id = s.scalar(select(m.Period.id).where(m.Period.position == before.period))
                row.day_id, row.period_id = day_id, period_id
            row.room_id = s.scalar(select(m.Room.id).where(m.Room.code == before.room)) if before.room else None
            row.locked = before.locked


def set_locked(db: Database, session_ids: list[int], locked: bool) -> list[SessionView]:
    """Lock or unlock sessions; returns their previous views."""
    with db.session() as s:
        before = []
        for sid in session_ids:
            row = _session_row(s, sid)
            ensure_editable(row.timetable, "Locking or unlocking a session")
            before.append(_view(row))
            row.locked = locked
        return before


def save_placements(db: Database, timetable: int | str, placements: dict[int, tuple[int | None, int | None, str | None]],
                    *, hard: int | None = None, soft: int | None = None, fingerprint: str | None = None) -> None:
    """Write many placements ``{session_id: (day, period, room)}`` in ONE transaction.

    With ``hard``, the score is stored with ``fingerprint`` (``storage.compile.score_fingerprint`` of the
    data it was computed on; None = unknown, the score is rechecked before it is shown)."""
    with db.session() as s:
        tt = _tt(s, timetable)
        _save_in(s, tt, placements, hard, soft, fingerprint)


def _save_in(s: Session, tt: m.Timetable, placements: dict[int, tuple[int | None, int | None, str | None]],
             hard: int | None, soft: int | None, fingerprint: str | None = None) -> None:
    ensure_editable(tt, "Changing its sessions")
    days = {d.position: d.id for d in s.scalars(select(m.Day))}
    periods = {p.position: p.id for p in s.scalars(select(m.Period))}
    rooms = {r.code: r.id for r in s.scalars(select(m.Room))}
    rows = {a.id: a for a in tt.assignments}
    for sid, (day, period, room) in placements.items():
        row = rows.get(sid)
        if row is None:
            raise NotFoundError("Session", sid)
        try:
            row.day_id = days[day] if day is not None else None
            row.period_id = periods[period] if period is not None else None
            row.room_id = rooms[room] if room is not None else None
        except KeyError as exc:
            raise ValidationError("Session", "slot", f"day/period/room {exc.args[0]!r} does not exist.") from None
    if hard is not None:
        tt.hard_cost, tt.soft_cost, tt.score_fingerprint = hard, soft, fingerprint
    else:  # the placements changed: a stored score is no longer known to hold
        tt.score_fingerprint = None
    tt.updated_at = m.utcnow()


def save_rows(db: Database, timetable: int | str,
              rows: dict[tuple[int, int], tuple[int | None, int | None, str | None]],
              *, hard: int | None = None, soft: int | None = None, fingerprint: str | None = None) -> None:
    """Write placements keyed by (activity id, occurrence) in ONE transaction (score: see save_placements)."""
    with db.session() as s:
        tt = _tt(s, timetable)
        ensure_editable(tt, "Changing its sessions")
        _sync_sessions(s, tt)
        s.flush()
        ids = {(a.activity_id, a.occurrence): a.id for a in tt.assignments}
        _save_in(s, tt, {ids[k]: v for k, v in rows.items() if k in ids}, hard, soft, fingerprint)


def create_version_with_rows(db: Database, name: str,
                             rows: dict[tuple[int, int], tuple[int | None, int | None, str | None]],
                             *, parent: int | str | None = None, hard: int | None = None, soft: int | None = None,
                             notes: str = "", fingerprint: str | None = None) -> TimetableInfo:
    """A new version holding ``rows`` (keyed by (activity id, occurrence)), in ONE transaction.

    Lock flags are copied from ``parent`` (the version the optimizer started from).
    """
    with db.session() as s:
        tt = m.Timetable(name=_validate_name(s, name), notes=notes, hard_cost=hard, soft_cost=soft)
        locks: dict[tuple[int, int], bool] = {}
        if parent is not None:
            src = _tt(s, parent)
            tt.parent_id = src.id
            locks = {(a.activity_id, a.occurrence): a.locked for a in src.assignments}
        s.add(tt)
        s.flush()
        _sync_sessions(s, tt)
        s.flush()
        for a in tt.assignments:
            a.locked = locks.get((a.activity_id, a.occurrence), False)
        ids = {(a.activity_id, a.occurrence): a.id for a in tt.assignments}
        _save_in(s, tt, {ids[k]: v for k, v in rows.items() if k in ids}, hard, soft, fingerprint)
        s.flush()
        return _info(s, tt)


def unique_version_name(db: Database, stem: str) -> str:
    existing = {t.name.lower() for t in list_timetables(db)}
    if stem.lower() not in existing:
        return stem
    n = 2
    while f"{stem} ({n})".lower() in existing:
        n += 1
    return f"{stem} ({n})"


def published_sessions(db: Database, timetable: int | str | None = None):
    """The frozen snapshot of a published version (``services.frozen.FrozenSession`` list), or ``None``
    when the version is not published (or was published before snapshots existed)."""
    from ato_desktop.services import frozen

    with db.read_session() as s:
        tt = _tt(s, timetable)
        if not is_frozen(tt) or not frozen.has_snapshot(s, tt.id):
            return None
        return frozen.frozen_sessions(s, tt.id)


def frozen_view(fs, fake_id: int = -1) -> SessionView:
    """A :class:`SessionView` of a snapshot row (its session's id while the row exists, else ``fake_id``)."""
    return SessionView(
        id=fs.session_id if fs.session_id is not None else fake_id, activity_id=fs.activity_id,
        occurrence=fs.occurrence, course_code=fs.course_code, course_title=fs.course_title, kind=fs.kind,
        duration=fs.duration, groups=tuple(fs.group_codes), faculty=tuple(fs.faculty_codes), day=fs.day,
        period=fs.period, room=fs.room_code, locked=False, basket=fs.basket)
