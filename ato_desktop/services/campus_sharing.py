"""Campus set-up (issue 19): a room's sharing grid (which department may use it when) and the campus's
elective slots (MDC/AEC/SEC/VAC and open electives, kept free in every department's timetable)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from ato_desktop.services.campus import _department, _Names
from ato_desktop.services.errors import NotFoundError, ValidationError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


@dataclass(frozen=True)
class SharingSet:
    room: str
    cells: int
    mode: str
    department: str | None

    @property
    def sentence(self) -> str:
        who = {"free": "free for every department", "unavailable": "unavailable",
               "department": f"open to {self.department}", "owner": "the owner's again"}[self.mode]
        return f"{self.room}: {self.cells} period{'s' if self.cells != 1 else ''} now {who}."


def _day_and_periods(s, day: str, periods: list[str]):
    """The day named ``day`` (name or short name) and the periods labelled ``periods``: (day, the labels
    given, {label: period}); NotFoundError names what is not there."""
    d = s.scalar(select(m.Day).where(or_(m.Day.name.ilike(day.strip()), m.Day.short_name.ilike(day.strip()))))
    if d is None:
        raise NotFoundError("Day", day)
    wanted = [p.strip() for p in periods if p.strip()]
    found = {p.label: p for p in s.scalars(select(m.Period).where(m.Period.label.in_(wanted or [""])))}
    missing = [p for p in wanted if p not in found]
    if missing or not wanted:
        raise NotFoundError("Period", ", ".join(missing) or "(none given)")
    return d, wanted, found


def set_room_sharing(db: Database, room_code: str, day: str, periods: list[str], mode: str,
                     department_code: str | None = None) -> SharingSet:
    """Set cells of a room's sharing grid (campus administrator): ``mode`` ``free``, ``department`` (with
    ``department_code``), ``unavailable``, or ``owner`` (remove the cells: the owner's again)."""
    from ato_desktop.storage.models_campus import ROOM_SHARE_MODES, RoomShare

    if mode not in (*ROOM_SHARE_MODES, "owner"):
        raise ValidationError("Room sharing", "mode", f"one of {', '.join((*ROOM_SHARE_MODES, 'owner'))}.")
    if (mode == "department") != bool(department_code):
        raise ValidationError("Room sharing", "department", "give a department with mode 'department' (and only then).")
    with db.session() as s:
        room = s.scalar(select(m.Room).where(m.Room.code == (room_code or "").strip()))
        if room is None:
            raise NotFoundError("Room", room_code)
        d, wanted, found = _day_and_periods(s, day, periods)
        dept = _department(s, department_code) if department_code else None
        for label in wanted:
            p = found[label]
            cell = s.scalar(select(RoomShare).where(RoomShare.room_id == room.id, RoomShare.day_id == d.id,
                                                    RoomShare.period_id == p.id))
            if mode == "owner":
                if cell is not None:
                    s.delete(cell)
                continue
            if cell is None:
                cell = RoomShare(room_id=room.id, day_id=d.id, period_id=p.id)
                s.add(cell)
            cell.mode, cell.department_id = mode, dept.id if dept else None
        return SharingSet(room.name or room.code, len(wanted), mode, dept.code if dept else None)


SLOT_CATEGORIES = ("multidisciplinary", "ability_enhancement", "skill_enhancement", "value_added", "elective")


@dataclass(frozen=True)
class SlotAdded:
    id: int
    category: str
    day: str
    periods: str

    @property
    def sentence(self) -> str:
        return (f"Campus slot {self.day} {self.periods} for {self.category.replace('_', ' ')} courses: their lessons "
                "go there on every department's timetable, and the groups that take them keep it free.")


def add_campus_slot(db: Database, category: str, day: str, periods: list[str], label: str = "") -> SlotAdded:
    """A campus elective slot (campus administrator), e.g. Wed P5–P6 for multidisciplinary courses."""
    from ato_desktop.storage.models_campus import CampusSlot

    if category not in SLOT_CATEGORIES:
        raise ValidationError("Campus slot", "category", f"one of {', '.join(SLOT_CATEGORIES)}.")
    with db.session() as s:
        d, wanted, found = _day_and_periods(s, day, periods)
        positions = sorted(found[p].position for p in wanted)
        every = [p.position for p in s.scalars(select(m.Period).order_by(m.Period.position))]
        span = every[every.index(positions[0]):every.index(positions[-1]) + 1]
        if span != positions:
            raise ValidationError("Campus slot", "periods", "give consecutive periods (e.g. P5,P6).")
        slot = CampusSlot(category=category, day_id=d.id, period_from=positions[0], period_to=positions[-1],
                          label=(label or "").strip()[:100])
        s.add(slot)
        s.flush()
        names = _Names(s)
        return SlotAdded(slot.id, category, d.short_name or d.name, names.span(positions[0], positions[-1]))
