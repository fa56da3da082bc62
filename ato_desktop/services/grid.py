"""Read-only facts the timetable grid needs besides the sessions themselves.

One read transaction: faculty (names, weekly limits), the student-group tree
(sections and their lab batches), rooms and the calendar's period times.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ato_desktop.storage import models as m
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


def grid_lookups(db: Database) -> GridLookups:
    with db.read_session() as s:
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
