"""The campus's committed occupancy (issue 19, migration 0006_campus).

Committing a timetable version writes one row per room and per faculty member each of its scheduled
sessions occupies: the day and the range of period positions (first and last, inclusive). Only
committed versions have rows, so every row is binding for every department. On PostgreSQL two
exclusion constraints (``btree_gist``, created by the migration, not declared here) refuse two rows of
the same room, or of the same faculty member, on the same day with overlapping periods; on SQLite the
commit service makes that check in its write transaction (``services/campus.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ato_desktop.storage.models_base import Base, utcnow


class CommittedOccupancy(Base):
    __tablename__ = "committed_occupancy"
    __table_args__ = (
        CheckConstraint("(room_id IS NULL) <> (faculty_id IS NULL)", name="one_resource"),
        CheckConstraint("period_from <= period_to", name="periods_ordered"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetable.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    room_id: Mapped[Optional[int]] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    faculty_id: Mapped[Optional[int]] = mapped_column(ForeignKey("faculty.id", ondelete="CASCADE"), index=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("day.id", ondelete="RESTRICT"))
    period_from: Mapped[int] = mapped_column(Integer)  # position of the first period
    period_to: Mapped[int] = mapped_column(Integer)  # position of the last period (inclusive)
    activity_id: Mapped[int] = mapped_column(Integer)  # plain number: the lesson, for the clash list
    occurrence: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300), default="")  # "ECE-5A Signals Lab"
    committed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


def committed_by_others(s, timetable_id: int | None) -> list[tuple[int | None, int | None, int, int, int]]:
    """(room_id, faculty_id, day_id, period_from, period_to) of every row committed by departments other
    than the owner of ``timetable_id`` (its department, or the file's home department): the fixed facts
    a department's timetable must leave free (storage/compile.py marks them unavailable)."""
    from sqlalchemy import select

    from ato_desktop.storage import models as m

    owner = None
    if timetable_id is not None:
        owner = s.scalar(select(m.Timetable.department_id).where(m.Timetable.id == timetable_id))
    if owner is None:
        owner = s.scalar(select(m.Department.id).where(m.Department.is_home.is_(True)).order_by(m.Department.id).limit(1))
    q = select(CommittedOccupancy.room_id, CommittedOccupancy.faculty_id, CommittedOccupancy.day_id,
               CommittedOccupancy.period_from, CommittedOccupancy.period_to)
    if owner is not None:
        q = q.where(CommittedOccupancy.department_id != owner)
    return [tuple(r) for r in s.execute(q)]


def _inherit_department(mapper, connection, target) -> None:
    """A version made from another (a copy, an optimizer result) belongs to the same department."""
    from sqlalchemy import select

    from ato_desktop.storage import models as m

    if target.department_id is None and target.parent_id is not None:
        target.department_id = connection.scalar(
            select(m.Timetable.department_id).where(m.Timetable.id == target.parent_id))


def department_scope(s, timetable_id: int | None) -> dict[str, set[int]] | None:
    """What a campus version's problem holds: its department's activities, the groups and faculty they
    use plus the department's own, and the rooms the department may use (its own, shared ones and
    those of no department). None for a version without a department (a department's own file: all)."""
    from sqlalchemy import or_, select

    from ato_desktop.storage import models as m

    if timetable_id is None:
        return None
    dept = s.scalar(select(m.Timetable.department_id).where(m.Timetable.id == timetable_id))
    if dept is None:
        return None
    return scope_of_department(s, dept)


def scope_of_department(s, dept: int) -> dict[str, set[int]]:
    """:func:`department_scope` of the department ``dept`` (an id)."""
    from sqlalchemy import or_, select

    from ato_desktop.storage import models as m

    acts = set(s.scalars(select(m.Activity.id).join(m.Course).where(m.Course.department_id == dept)))
    fac = set(s.scalars(select(m.Faculty.id).where(m.Faculty.department_id == dept)))
    fac |= set(s.scalars(select(m.activity_faculty.c.faculty_id).where(m.activity_faculty.c.activity_id.in_(acts or [-1]))))
    groups = set(s.scalars(select(m.StudentGroup.id).where(m.StudentGroup.department_id == dept)))
    groups |= set(s.scalars(select(m.activity_group.c.group_id).where(m.activity_group.c.activity_id.in_(acts or [-1]))))
    baskets = set(s.scalars(select(m.Activity.basket_id).where(m.Activity.id.in_(acts or [-1]),
                                                              m.Activity.basket_id.is_not(None))))
    groups |= set(s.scalars(select(m.basket_cohort.c.group_id).where(m.basket_cohort.c.basket_id.in_(baskets or [-1]))))
    # a section comes with its lab batches, a batch with its section
    groups |= set(s.scalars(select(m.StudentGroup.id).where(m.StudentGroup.parent_id.in_(groups or [-1]))))
    groups |= set(s.scalars(select(m.StudentGroup.parent_id).where(m.StudentGroup.id.in_(groups or [-1]),
                                                                  m.StudentGroup.parent_id.is_not(None))))
    rooms = set(s.scalars(select(m.Room.id).where(or_(m.Room.department_id.is_(None), m.Room.department_id == dept,
                                                       m.Room.shared.is_(True)))))
    rooms |= set(s.scalars(select(RoomShare.room_id).where(or_(  # another department's room it may use at times
        RoomShare.mode == "free", (RoomShare.mode == "department") & (RoomShare.department_id == dept)))))
    return {"activities": acts, "faculty": fac, "groups": groups, "rooms": rooms, "department": {dept}}


def _register() -> None:
    from sqlalchemy import event

    from ato_desktop.storage import models as m

    event.listen(m.Timetable, "before_insert", _inherit_department)


_register()


class CampusMember(Base):
    """A database login (PostgreSQL role) that coordinates a department: with row-level security (migration
    0006_campus) it writes only that department's rows. ``campus grant`` adds one. ``kind`` (migration
    0007_campus_roles): ``coordinator`` (edits, submits, commits), ``hod`` (the head of department:
    approves, returns, publishes, archives), ``viewer`` (reads only) or ``admin`` (every step)."""

    __tablename__ = "campus_member"
    __table_args__ = (CheckConstraint("kind IN ('admin', 'coordinator', 'hod', 'viewer')", name="kind_valid"),)
    role_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12), default="coordinator", server_default="coordinator")


ROOM_SHARE_MODES = ("free", "department", "unavailable")


class RoomShare(Base):
    """One cell of a room's sharing grid (as UniTime has): on ``day_id`` at ``period_id`` the room is
    ``free`` for every department, may be used by ``department_id`` (besides its owner), or is
    ``unavailable``. A cell without a row belongs to the owner department (a room of no department, or
    a shared one, is free for all). Only campus versions (with a department) are affected."""

    __tablename__ = "room_share"
    __table_args__ = (
        UniqueConstraint("room_id", "day_id", "period_id"),
        CheckConstraint("mode IN ('free', 'department', 'unavailable')", name="mode_valid"),
        CheckConstraint("(mode = 'department') = (department_id IS NOT NULL)", name="department_complete"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    day_id: Mapped[int] = mapped_column(ForeignKey("day.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(12))
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))


def room_usable(s, dept: int, rooms, day_pos: dict, period_index: dict, P: int, T: int):
    """{room id: bool array over the T slots}: where department ``dept`` may use each room, by the
    rooms' owners and their sharing grids (:class:`RoomShare`)."""
    import numpy as np
    from sqlalchemy import select

    out = {}
    cells: dict[int, list[RoomShare]] = {}
    for r in s.scalars(select(RoomShare).where(RoomShare.room_id.in_([r.id for r in rooms] or [-1]))):
        cells.setdefault(r.room_id, []).append(r)
    period_pos = None
    for room in rooms:
        mine = room.department_id == dept
        default = bool(room.shared or room.department_id is None or mine)
        usable = np.full(T, default, bool)
        for c in cells.get(room.id, ()):
            if period_pos is None:
                from ato_desktop.storage import models as m

                period_pos = {p.id: p.position for p in s.scalars(select(m.Period))}
            if c.day_id not in day_pos or period_pos.get(c.period_id) not in period_index:
                continue
            t = day_pos[c.day_id] * P + period_index[period_pos[c.period_id]]
            usable[t] = c.mode == "free" or (c.mode == "department" and (c.department_id == dept or mine))
        out[room.id] = usable
    return out


class CampusSlot(Base):
    """A campus elective slot: lessons of courses of ``category`` (NEP: multidisciplinary, ability or skill
    enhancement, value added, open elective) are placed inside it on every department's timetable, and
    the groups that take such a course keep it free for it. Periods are positions (first and last)."""

    __tablename__ = "campus_slot"
    __table_args__ = (CheckConstraint("period_from <= period_to", name="periods_ordered"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(30))
    day_id: Mapped[int] = mapped_column(ForeignKey("day.id", ondelete="CASCADE"))
    period_from: Mapped[int] = mapped_column(Integer)
    period_to: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100), default="")


def elective_slot_masks(s, activities, group_leaves, day_pos: dict, periods, T: int) -> dict:
    """{activity id: bool array over the T start slots} for the campus's elective slots (none: {}).

    An activity of a slotted category may start only where it fits inside one of its category's slots;
    any other activity of a group that takes such a course may not overlap those slots.
    ``group_leaves(group)`` gives a group's leaf resources (a section's batches)."""
    import numpy as np
    from sqlalchemy import select

    slots = list(s.scalars(select(CampusSlot)))
    if not slots:
        return {}
    P = len(periods)
    index = {p.position: i for i, p in enumerate(periods)}
    by_cat: dict[str, list[tuple[int, int, int]]] = {}
    for sl in slots:
        if sl.day_id in day_pos and sl.period_from in index and sl.period_to in index:
            by_cat.setdefault(sl.category, []).append((day_pos[sl.day_id], index[sl.period_from], index[sl.period_to]))
    takers: dict[str, set[int]] = {}
    for a in activities:
        if a.course.category in by_cat:
            takers.setdefault(a.course.category, set()).update(q for g in a.groups for q in group_leaves(g))
    out = {}
    for a in activities:
        dur = max(1, a.duration)
        cat = a.course.category
        if cat in by_cat:
            mask = np.zeros(T, bool)
            for d, lo, hi in by_cat[cat]:
                for p in range(lo, hi - dur + 2):
                    mask[d * P + p] = True
            out[a.id] = mask
            continue
        leaves = {q for g in a.groups for q in group_leaves(g)}
        mask = None
        for c, cells in by_cat.items():
            if leaves & takers.get(c, set()):
                if mask is None:
                    mask = np.ones(T, bool)
                for d, lo, hi in cells:
                    for p in range(max(0, lo - dur + 1), hi + 1):
                        mask[d * P + p] = False
        if mask is not None:
            out[a.id] = mask
    return out
