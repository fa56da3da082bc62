"""Campus set-up (issue 19): a room's sharing grid (which department may use it when) and the campus's
elective slots (MDC/AEC/SEC/VAC and open electives, kept free in every department's timetable)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from ato_desktop.services.campus import _department, _Names
from ato_desktop.services.errors import NotFoundError, ServiceError, ValidationError
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


# ---- the campus administrator's dialogs (ui/campus_setup.py): reads, and operations with their undo ------
def is_campus_admin(db: Database) -> bool:
    """Whether the connected login edits campus-level data: on a campus database the database's owner (or a
    superuser; row-level security lets nobody else write rooms' grids and slots), on a file its coordinator."""
    if not getattr(db, "is_campus", False):
        return True
    from sqlalchemy import text

    with db.read_session() as s:
        return bool(s.scalar(text(
            "SELECT r.rolsuper OR pg_has_role(current_user, t.tableowner, 'MEMBER') "
            "FROM pg_roles r, pg_tables t WHERE r.rolname = current_user AND t.tablename = 'room_share' "
            "AND t.schemaname = current_schema()")))


def _require_admin(db: Database, what: str) -> None:
    if not is_campus_admin(db):
        raise ServiceError(f"Only the campus administrator (the campus database's owner) edits {what}: "
                           "this login reads them. Nothing was changed.")


@dataclass(frozen=True)
class SharingGrid:
    """A room's sharing grid as the dialog shows it: ``cells[(day_id, period_id)] = (mode, department code
    or None)`` for the cells set (the others are the owner's)."""

    room: str  # code
    name: str
    owner: str  # the owner department's code, "shared" or "" (no department)
    rooms: tuple[tuple[str, str], ...]  # (code, name) of every room, by code
    days: tuple[tuple[int, str], ...]  # (id, short name)
    periods: tuple[tuple[int, str], ...]  # (id, label)
    departments: tuple[str, ...]
    cells: dict


def sharing_grid(db: Database, room_code: str | None = None) -> SharingGrid:
    """The sharing grid of room ``room_code`` (the first room by code when None)."""
    from ato_desktop.storage.models_campus import RoomShare

    with db.read_session() as s:
        rooms = tuple((r.code, r.name or r.code) for r in s.scalars(select(m.Room).order_by(m.Room.code)))
        code = room_code or (rooms[0][0] if rooms else "")
        room = s.scalar(select(m.Room).where(m.Room.code == code))
        if room is None:
            raise NotFoundError("Room", code or "(none: the campus has no rooms)")
        depts = {d.id: d.code for d in s.scalars(select(m.Department))}
        owner = "shared" if room.shared else depts.get(room.department_id, "")
        cells = {(c.day_id, c.period_id): (c.mode, depts.get(c.department_id))
                 for c in s.scalars(select(RoomShare).where(RoomShare.room_id == room.id))}
        days = tuple((d.id, d.short_name or d.name) for d in s.scalars(select(m.Day).order_by(m.Day.position)))
        periods = tuple((p.id, p.label) for p in s.scalars(select(m.Period).order_by(m.Period.position)))
        return SharingGrid(room.code, room.name or room.code, owner, rooms, days, periods,
                           tuple(sorted(depts.values())), cells)


def put_room_sharing(db: Database, *, room: str, cells: dict):
    """Set cells of ``room``'s sharing grid, ``cells[(day_id, period_id)] = (mode, department code)`` or None
    (the owner's again), in one transaction. A :class:`~ato_desktop.services.operations.Change` whose undo
    puts the previous cells back."""
    from ato_desktop.services.operations import Change
    from ato_desktop.storage.models_campus import ROOM_SHARE_MODES, RoomShare

    _require_admin(db, "the rooms' sharing grids")
    before = {}
    with db.session() as s:
        r = s.scalar(select(m.Room).where(m.Room.code == (room or "").strip()))
        if r is None:
            raise NotFoundError("Room", room)
        depts = {d.code: d.id for d in s.scalars(select(m.Department))}
        codes = {v: k for k, v in depts.items()}
        for (day_id, period_id), value in cells.items():
            cell = s.scalar(select(RoomShare).where(RoomShare.room_id == r.id, RoomShare.day_id == day_id,
                                                    RoomShare.period_id == period_id))
            before[(day_id, period_id)] = None if cell is None else (cell.mode, codes.get(cell.department_id))
            if value is None:
                if cell is not None:
                    s.delete(cell)
                continue
            mode, dept = value
            if mode not in ROOM_SHARE_MODES:
                raise ValidationError("Room sharing", "mode", f"one of {', '.join(ROOM_SHARE_MODES)}.")
            if (mode == "department") != bool(dept) or (dept and dept not in depts):
                raise ValidationError("Room sharing", "department", "choose the department that may use the room.")
            if cell is None:
                cell = RoomShare(room_id=r.id, day_id=day_id, period_id=period_id)
                s.add(cell)
            cell.mode, cell.department_id = mode, depts[dept] if dept else None
        name = r.name or r.code
    n = len(cells)
    return Change(f"change the sharing of {name} ({n} period{'s' if n != 1 else ''})", frozenset({"room", "campus"}),
                  result=name, reverse=lambda db_: put_room_sharing(db_, room=room, cells=before))


@dataclass(frozen=True)
class Slot:
    id: int
    category: str
    day_id: int
    day: str
    period_from: int  # positions
    period_to: int
    periods: str  # "P5–P6"
    label: str


def campus_slots(db: Database) -> tuple[Slot, ...]:
    """The campus's elective slots, by day and period."""
    from ato_desktop.storage.models_campus import CampusSlot

    with db.read_session() as s:
        names = _Names(s)
        order = {d.id: d.position for d in s.scalars(select(m.Day))}
        slots = sorted(s.scalars(select(CampusSlot)), key=lambda c: (order.get(c.day_id, 0), c.period_from, c.id))
        return tuple(Slot(c.id, c.category, c.day_id, names.days.get(c.day_id, "?"), c.period_from, c.period_to,
                          names.span(c.period_from, c.period_to), c.label) for c in slots)


def add_slot(db: Database, *, category: str, day_id: int, period_from: int, period_to: int, label: str = ""):
    """Add a campus elective slot (day by id, periods by position); undo removes it."""
    from ato_desktop.services.operations import Change
    from ato_desktop.storage.models_campus import CampusSlot

    _require_admin(db, "the campus elective slots")
    if category not in SLOT_CATEGORIES:
        raise ValidationError("Campus slot", "category", f"one of {', '.join(SLOT_CATEGORIES)}.")
    if period_from > period_to:
        raise ValidationError("Campus slot", "periods", "the first period comes before the last.")
    with db.session() as s:
        if s.get(m.Day, day_id) is None:
            raise NotFoundError("Day", str(day_id))
        slot = CampusSlot(category=category, day_id=day_id, period_from=period_from, period_to=period_to,
                          label=(label or "").strip()[:100])
        s.add(slot)
        s.flush()
        names = _Names(s)
        added = SlotAdded(slot.id, category, names.days.get(day_id, "?"), names.span(period_from, period_to))
    return Change(f"add the {category.replace('_', ' ')} slot {added.day} {added.periods}",
                  frozenset({"calendar", "campus"}), result=added,
                  reverse=lambda db_: remove_slot(db_, slot_id=added.id))


def remove_slot(db: Database, *, slot_id: int):
    """Remove a campus elective slot; undo adds it again."""
    from ato_desktop.services.operations import Change
    from ato_desktop.storage.models_campus import CampusSlot

    _require_admin(db, "the campus elective slots")
    with db.session() as s:
        slot = s.get(CampusSlot, slot_id)
        if slot is None:
            raise NotFoundError("Campus slot", str(slot_id))
        names = _Names(s)
        what = {"category": slot.category, "day_id": slot.day_id, "period_from": slot.period_from,
                    "period_to": slot.period_to, "label": slot.label}
        shown = f"{names.days.get(slot.day_id, '?')} {names.span(slot.period_from, slot.period_to)}"
        s.delete(slot)
    return Change(f"remove the {what['category'].replace('_', ' ')} slot {shown}", frozenset({"calendar", "campus"}),
                  result=shown, reverse=lambda db_: add_slot(db_, **what))


def slot_choices(db: Database) -> tuple[tuple[tuple[int, str], ...], tuple[tuple[int, str], ...]]:
    """What the slots dialog offers: (day id, short name) and (period position, label), in order."""
    with db.read_session() as s:
        days = tuple((d.id, d.short_name or d.name) for d in s.scalars(select(m.Day).order_by(m.Day.position)))
        periods = tuple((p.position, p.label) for p in s.scalars(select(m.Period).order_by(m.Period.position)))
        return days, periods
