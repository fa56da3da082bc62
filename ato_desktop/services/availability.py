"""Availability marks (unavailable / undesired / preferred periods) of faculty, rooms, groups and activities."""

from __future__ import annotations

from sqlalchemy import delete, select

from ato_desktop.services.errors import NotFoundError, ValidationError
from ato_desktop.services.operations import Change
from ato_desktop.services.resources import _find_by_key, spec
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

OWNERS = {
    "faculty": (m.FacultyAvailability, "faculty_id"),
    "room": (m.RoomAvailability, "room_id"),
    "group": (m.GroupAvailability, "group_id"),
    "activity": (m.ActivityTimePreference, "activity_id"),
}

Marks = dict[tuple[int, int], str]  # (day position, period position) -> state


def get_marks(db: Database, owner: str, key) -> Marks:
    model, col = _owner(owner)
    with db.read_session() as s:
        obj = _find_by_key(s, owner, key)
        if obj is None:
            raise NotFoundError(spec(owner).label, key)
        days = {d.id: d.position for d in s.scalars(select(m.Day))}
        periods = {p.id: p.position for p in s.scalars(select(m.Period))}
        return {(days[r.day_id], periods[r.period_id]): r.state
                for r in s.scalars(select(model).where(getattr(model, col) == obj.id))}


def set_marks(db: Database, owner: str, key, marks: Marks) -> Marks:
    """Replace all marks of one owner (one transaction); returns the previous marks (for undo)."""
    model, col = _owner(owner)
    for (day, period), state in marks.items():
        if state not in m.AVAILABILITY_STATES:
            raise ValidationError("Availability", "state", f"{state!r} is not one of {', '.join(m.AVAILABILITY_STATES)}.")
    with db.session() as s:
        obj = _find_by_key(s, owner, key)
        if obj is None:
            raise NotFoundError(spec(owner).label, key)
        days = {d.position: d.id for d in s.scalars(select(m.Day))}
        periods = {p.position: p.id for p in s.scalars(select(m.Period))}
        day_pos = {v: k for k, v in days.items()}
        per_pos = {v: k for k, v in periods.items()}
        before = {(day_pos[r.day_id], per_pos[r.period_id]): r.state
                  for r in s.scalars(select(model).where(getattr(model, col) == obj.id))}
        s.execute(delete(model).where(getattr(model, col) == obj.id))
        for (day, period), state in sorted(marks.items()):
            if day not in days or period not in periods:
                raise ValidationError("Availability", "period", f"day {day + 1} / period {period + 1} is not in the calendar.")
            s.add(model(**{col: obj.id}, day_id=days[day], period_id=periods[period], state=state))
        return before


def _owner(owner: str):
    try:
        return OWNERS[owner]
    except KeyError:
        raise ValidationError("Availability", "owner", f"{owner!r} has no availability.") from None


def owner_key(db: Database, owner: str, item_id: int):
    """The key the owner is looked up by (its code; the id for activities)."""
    sp = spec(owner)
    if sp.key == "id":
        return int(item_id)
    with db.read_session() as s:
        obj = s.get(sp.model, int(item_id))
        if obj is None:
            raise NotFoundError(sp.label, item_id)
        return getattr(obj, sp.key)


def paint_marks(db: Database, *, owner: str, item_id: int, marks: Marks, summary: str = "") -> Change:
    """Replace the marks of one owner (the availability editor's drag) as one undo step.
    The change touches ``"availability"``; ``result`` is ``(owner, item_id)``."""
    before = set_marks(db, owner, owner_key(db, owner, item_id), marks)
    summary = summary or f"Change the availability of {spec(owner).label.lower()} {item_id}"

    def back(d: Database) -> Change:
        return paint_marks(d, owner=owner, item_id=item_id, marks=before, summary=summary)

    return Change(summary, {"availability"}, result=(owner, int(item_id)), reverse=back)
