"""Per-day bell schedules: a day with fewer periods (a Saturday half-day) or a break of its own.

The calendar's periods and breaks are the same every day (the schema has one list of periods); a day's
own schedule is the set of teaching periods it does NOT have, kept in the key/value ``setting`` table
(``storage.compile.CLOSED_PERIODS_KEY``, no schema change). The compiler makes those slots unusable,
exactly like a break: the optimizer never places a session there, a session placed there by hand is the
hard finding "break overlap", and the FET export writes them as FET break times.

What it cannot express: different period *times* on one day (a Saturday whose periods start earlier);
that needs periods per day in the schema.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from ato_desktop.services.errors import ValidationError
from ato_desktop.storage import models as m
from ato_desktop.storage.compile import CLOSED_PERIODS_KEY, closed_periods
from ato_desktop.storage.database import Database

__all__ = ["get_closed", "set_day_closed", "set_closed"]

WHAT = "Bell schedule"


def get_closed(db: Database) -> dict[str, list[str]]:
    """Day name -> the teaching periods that day does not have (in period order); days without are left out."""
    with db.read_session() as s:
        return _canonical(s, closed_periods(s))


def _canonical(s, closed: dict[str, list[str]]) -> dict[str, list[str]]:
    days = list(s.scalars(select(m.Day).order_by(m.Day.position)))
    periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
    out = {}
    for d in days:
        wanted = {p.lower() for p in next((v for k, v in closed.items() if k.lower() == d.name.lower()), [])}
        labels = [p.label for p in periods if p.label.lower() in wanted and not p.is_break]
        if labels:
            out[d.name] = labels
    return out


def set_closed(db: Database, closed: dict[str, list[str]]) -> dict[str, list[str]]:
    """Replace every day's closed periods (validated, one transaction); returns the previous ones (undo)."""
    with db.session() as s:
        days = {d.name.lower(): d for d in s.scalars(select(m.Day))}
        periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
        teaching = {p.label.lower(): p for p in periods if not p.is_break}
        breaks = {p.label.lower() for p in periods if p.is_break}
        clean: dict[str, list[str]] = {}
        for day, labels in closed.items():
            d = days.get(str(day).strip().lower())
            if d is None:
                raise ValidationError(WHAT, "day", f"no day {day!r} in the calendar "
                                                   f"({', '.join(x.name for x in days.values())}).")
            chosen = []
            for label in labels:
                key = str(label).strip().lower()
                if key in breaks:
                    raise ValidationError(WHAT, "periods", f"{label} is a break every day already.")
                if key not in teaching:
                    raise ValidationError(WHAT, "periods", f"no teaching period {label!r} in the calendar "
                                                           f"({', '.join(p.label for p in teaching.values())}).")
                chosen.append(teaching[key].label)
            if chosen and len(set(chosen)) == len(teaching):
                raise ValidationError(WHAT, "periods", f"{d.name} would have no teaching period left; remove "
                                                       "the day from the calendar instead.")
            if chosen:
                clean[d.name] = chosen
        before = _canonical(s, closed_periods(s))
        row = s.get(m.Setting, CLOSED_PERIODS_KEY)
        value = json.dumps(_canonical(s, clean), ensure_ascii=False)
        if row is None:
            s.add(m.Setting(key=CLOSED_PERIODS_KEY, value=value))
        else:
            row.value = value
        return before


def set_day_closed(db: Database, day: str, periods: list[str]) -> dict[str, list[str]]:
    """One day's closed periods (``[]``: the full day again); returns the previous schedule (undo)."""
    current = get_closed(db)
    current = {k: v for k, v in current.items() if k.lower() != str(day).strip().lower()}
    current[day] = list(periods)
    return set_closed(db, current)


def change_closed_periods(db: Database, *, closed: dict[str, list[str]]):
    """The operation: every day's closed periods replaced (one transaction, one undo step that puts the
    previous ones back)."""
    from ato_desktop.services.operations import reverting

    before = set_closed(db, closed)
    return reverting("Change the per-day periods", kinds=("calendar",),
                     redo=lambda d: change_closed_periods(d, closed=closed),
                     undo=lambda d: change_closed_periods(d, closed=before))
