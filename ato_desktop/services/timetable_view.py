"""What the timetable grid shows of one version, read in one transaction.

:func:`open_version` reads a version for the grid: the compiled problem, the version's
assignment and session rows, and the lookups (:class:`GridLookups`: faculty names and weekly
limits, the student-group tree of sections and lab batches, rooms and the calendar's period
times), all in one read transaction; it builds the engine state too when asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ato_desktop.engine.problem import Assignment
from ato_desktop.services import timetables as tts
from ato_desktop.storage import models as m
from ato_desktop.storage.compile import Compiled, compile_session
from ato_desktop.storage.database import Database


@dataclass(frozen=True)
class FacultyInfo:
    code: str
    name: str
    department: str
    max_weekly_periods: int


@dataclass(frozen=True)
class GroupInfo:
    code: str
    name: str
    department: str
    parent: str | None  # section code for a lab batch
    batches: tuple[str, ...]
    strength: int


@dataclass(frozen=True)
class RoomInfo:
    code: str
    name: str
    kind: str
    capacity: int


@dataclass(frozen=True)
class PeriodInfo:
    label: str
    start: str
    end: str
    is_break: bool


@dataclass(frozen=True)
class GridLookups:
    faculty: dict[str, FacultyInfo]
    groups: dict[str, GroupInfo]
    rooms: dict[str, RoomInfo]
    periods: tuple[PeriodInfo, ...]
    days: tuple[str, ...]  # full day names
    home_department: str | None

    def sections(self) -> list[str]:
        """Top-level groups (sections / groups without a parent), home department first."""
        tops = [g for g in self.groups.values() if g.parent is None]
        tops.sort(key=lambda g: (g.department != self.home_department, g.code))
        return [g.code for g in tops]

    def family(self, group: str) -> set[str]:
        """The group, its section (for a batch) and its batches: everyone whose sessions it attends."""
        g = self.groups.get(group)
        if g is None:
            return {group}
        out = {group, *g.batches}
        if g.parent:
            out.add(g.parent)
        return out


def _lookups(s: Session) -> GridLookups:
    fac = {
        f.code: FacultyInfo(f.code, f.name, f.department.code if f.department else "", f.max_weekly_periods)
        for f in s.scalars(select(m.Faculty).options(selectinload(m.Faculty.department)))
    }
    groups = {}
    for g in s.scalars(select(m.StudentGroup).options(
            selectinload(m.StudentGroup.batches), selectinload(m.StudentGroup.parent),
            selectinload(m.StudentGroup.department))):
        groups[g.code] = GroupInfo(
            g.code, g.name, g.department.code if g.department else "",
            g.parent.code if g.parent else None, tuple(sorted(b.code for b in g.batches)), g.strength)
    rooms = {r.code: RoomInfo(r.code, r.name, r.kind, r.capacity) for r in s.scalars(select(m.Room))}
    periods = tuple(PeriodInfo(p.label, p.start_time, p.end_time, p.is_break)
                    for p in s.scalars(select(m.Period).order_by(m.Period.position)))
    days = tuple(d.name for d in s.scalars(select(m.Day).order_by(m.Day.position)))
    home = s.scalar(select(m.Department.code).where(m.Department.is_home.is_(True)))
    return GridLookups(fac, groups, rooms, periods, days, home)


def _with_frozen_times(s: Session, tt_id: int, lookups: GridLookups) -> GridLookups:
    """A frozen (published, approved, …) version's grid shows the period times it was frozen with, as its
    printouts, website, .ics files and e-mails do (``services.frozen.frozen_times``), not today's bells."""
    from dataclasses import replace

    from ato_desktop.services.frozen import frozen_times

    kept = frozen_times(s, tt_id)
    if kept is None:  # frozen before its times were kept
        return lookups
    times = kept[0]
    positions = s.scalars(select(m.Period.position).order_by(m.Period.position)).all()
    periods = tuple(replace(p, start=times[pos][0], end=times[pos][1]) if pos in times else p
                    for p, pos in zip(lookups.periods, positions))
    return replace(lookups, periods=periods)


@dataclass
class OpenedVersion:
    """Everything the grid shows of one version, read by :func:`open_version`."""

    compiled: Compiled
    assignment: Assignment
    info: tts.TimetableInfo
    lookups: GridLookups
    views: list  # tts.SessionView per engine session index
    state: object  # engine State, or None
    committed: tuple = ()  # other departments' commitments on shared rooms and faculty (campus.FixedCard)


def open_version(db: Database, timetable: int | str | None = None, *,
                 build_state: bool | None = None) -> OpenedVersion:
    """Read and compile a version (``None``: the most recently changed one). No Qt: safe in a worker.

    One read transaction reads the version, its sessions, the compiled problem and the lookups (only
    a version missing rows for new activities is first synced, in a short write transaction, as
    :func:`services.timetables.list_sessions` does). ``build_state``: build the engine state
    (None: when the kernels are compiled, ``engine.warmup.is_warm``; False: never)."""
    with db.read_session() as s:
        if timetable is None and s.scalar(select(m.Timetable.id).limit(1)) is None:
            raise ValueError("The database has no timetable version yet: create one first.")
        tt = tts._tt(s, timetable)
        needs_sync = not tts.is_frozen(tt) and tts._needs_sync(s, tt.id)  # a published version is frozen
        if not needs_sync or db.readonly:  # the usual case: everything in this one read transaction
            out = _read(s, tt, as_synced=needs_sync)
        else:
            out, tt_id = None, tt.id
    if out is None:
        tts.list_sessions(db, tt_id)  # adds (or drops) the rows the activities changed: a short write transaction
        with db.read_session() as s:
            out = _read(s, tts._tt(s, tt_id), as_synced=False)
    if build_state is not False:
        from ato_desktop.engine.warmup import is_warm

        if is_warm():  # never compile the kernels here before the first-run warm-up (see ui.warmup)
            from ato_desktop.engine.state import State

            out.state = State(out.compiled.problem, out.assignment.copy())
    return out


def _read(s: Session, tt: m.Timetable, *, as_synced: bool) -> OpenedVersion:
    info = tts._info(s, tt)
    rows = tts._session_views(s, tt.id, as_synced=as_synced)
    comp = compile_session(s, tt.id)
    lookups = _lookups(s)
    if tts.is_frozen(tt):
        lookups = _with_frozen_times(s, tt.id, lookups)
    views: list = [None] * comp.problem.n_sessions
    for v in rows:
        i = comp.index_of.get((v.activity_id, v.occurrence))
        if i is not None:
            views[i] = v
    missing = [i for i, v in enumerate(views) if v is None]
    if missing:
        raise ValueError(f"{len(missing)} sessions of the compiled problem have no row in the timetable.")
    assignment = comp.assignment_from_rows({(v.activity_id, v.occurrence): (v.day, v.period, v.room) for v in rows})
    from ato_desktop.services.campus import grid_commitments

    return OpenedVersion(comp, assignment, info, lookups, views, None, grid_commitments(s, tt.id))
