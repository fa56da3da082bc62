"""Per-day bell schedules: a day with fewer periods (a Saturday half-day) or a break of its own.

The calendar's periods and breaks are the same every day (the schema has one list of periods); a day's
own schedule is the set of teaching periods it does NOT have, kept in the key/value ``setting`` table
(``storage.compile.CLOSED_PERIODS_KEY``, no schema change). The compiler makes those slots unusable,
exactly like a break: the optimizer never places a session there, a session placed there by hand is the
hard finding "break overlap", and the FET export writes them as FET break times.

A day's own period *times* (a Saturday whose periods start earlier and are shorter) are kept the same way,
in the setting :data:`PERIOD_TIMES_KEY` (``{"Saturday": {"P1": ["08:00", "08:45"], ...}}``): only the periods
whose times differ from the calendar's are stored. They change no slot (the optimizer works in periods);
the printed reports, the website and the ``.ics`` calendars show them (:func:`day_times_by_position`).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from ato_desktop.services.errors import ValidationError
from ato_desktop.storage import models as m
from ato_desktop.storage.compile import CLOSED_PERIODS_KEY, closed_periods
from ato_desktop.storage.database import Database

__all__ = ["get_closed", "set_day_closed", "set_closed", "get_times", "set_times", "set_day_times",
           "change_closed_periods", "change_period_times", "day_times_by_position", "PERIOD_TIMES_KEY",
           "set_day_schedule", "set_schedule", "change_bell_schedule"]

WHAT = "Bell schedule"
PERIOD_TIMES_KEY = "period_times"


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
        return _put_closed(s, closed)


def _put_closed(s, closed: dict[str, list[str]]) -> dict[str, list[str]]:
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


# ---- a day's own period times -------------------------------------------------------------------------
def _stored_times(s) -> dict[str, dict[str, tuple[str, str]]]:
    """The setting as stored (a value that is not the expected JSON reads as none)."""
    row = s.get(m.Setting, PERIOD_TIMES_KEY)
    if row is None or not row.value.strip():
        return {}
    try:
        raw = json.loads(row.value)
        return {str(d): {str(p): (str(t[0]), str(t[1])) for p, t in ps.items()
                         if isinstance(t, list) and len(t) == 2}
                for d, ps in raw.items() if isinstance(ps, dict)}
    except (ValueError, AttributeError, TypeError):
        return {}


def _canonical_times(s, times: dict[str, dict[str, tuple[str, str]]]) -> dict[str, dict[str, tuple[str, str]]]:
    """Day name -> period label -> (start, end), for the days and periods of the calendar whose times differ
    from the calendar's, in calendar order."""
    days = list(s.scalars(select(m.Day).order_by(m.Day.position)))
    periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for d in days:
        own = {k.lower(): v for k, v in next((v for k, v in times.items() if k.lower() == d.name.lower()), {}).items()}
        row = {p.label: tuple(own[p.label.lower()]) for p in periods
               if p.label.lower() in own and tuple(own[p.label.lower()]) != (p.start_time, p.end_time)}
        if row:
            out[d.name] = row
    return out


def get_times(db: Database) -> dict[str, dict[str, tuple[str, str]]]:
    """Day name -> period label -> (start, end) where a day's period times differ from the calendar's."""
    with db.read_session() as s:
        return _canonical_times(s, _stored_times(s))


def day_times_by_position(s) -> dict[int, dict[int, tuple[str, str]]]:
    """In a session: day position -> period position -> (start, end), the days' own times (reports,
    website, .ics)."""
    days = {d.name: d.position for d in s.scalars(select(m.Day))}
    periods = {p.label: p.position for p in s.scalars(select(m.Period))}
    return {days[d]: {periods[p]: t for p, t in row.items()}
            for d, row in _canonical_times(s, _stored_times(s)).items()}


def set_times(db: Database, times: dict[str, dict[str, tuple[str, str]]]) -> dict[str, dict[str, tuple[str, str]]]:
    """Replace every day's own period times (validated, one transaction); returns the previous ones (undo).

    A day's periods, with its own times where given and the calendar's elsewhere, must each end after they
    start and not start before the previous one ends."""
    with db.session() as s:
        return _put_times(s, times)


def _put_times(s, times: dict[str, dict[str, tuple[str, str]]]) -> dict[str, dict[str, tuple[str, str]]]:
    from ato_desktop.services.calendar import TIME_RE

    days = {d.name.lower(): d for d in s.scalars(select(m.Day))}
    periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
    by_label = {p.label.lower(): p for p in periods}
    clean: dict[str, dict[str, tuple[str, str]]] = {}
    for day, row in times.items():
        d = days.get(str(day).strip().lower())
        if d is None:
            raise ValidationError(WHAT, "day", f"no day {day!r} in the calendar "
                                               f"({', '.join(x.name for x in days.values())}).")
        own: dict[str, tuple[str, str]] = {}
        for label, pair in row.items():
            p = by_label.get(str(label).strip().lower())
            if p is None:
                raise ValidationError(WHAT, "periods", f"no period {label!r} in the calendar "
                                                       f"({', '.join(x.label for x in periods)}).")
            start, end = (str(x).strip() for x in pair)
            for t in (start, end):
                if not TIME_RE.match(t):
                    raise ValidationError(WHAT, "times", f"{d.name} {p.label}: {t!r} is not a time like 09:00.")
            own[p.label] = (start, end)
        previous = None
        for p in periods:
            start, end = own.get(p.label, (p.start_time, p.end_time))
            if end <= start:
                raise ValidationError(WHAT, "times", f"{d.name} {p.label} ends ({end}) before it starts "
                                                     f"({start}).")
            if previous is not None and start < previous[1]:
                raise ValidationError(WHAT, "times", f"{d.name} {p.label} starts at {start}, before "
                                                     f"{previous[0]} ends ({previous[1]}).")
            previous = (p.label, end)
        if own:
            clean[d.name] = own
    before = _canonical_times(s, _stored_times(s))
    value = json.dumps({d: {p: list(t) for p, t in row.items()} for d, row in _canonical_times(s, clean).items()},
                       ensure_ascii=False)
    row_ = s.get(m.Setting, PERIOD_TIMES_KEY)
    if row_ is None:
        s.add(m.Setting(key=PERIOD_TIMES_KEY, value=value))
    else:
        row_.value = value
    return before


def set_day_times(db: Database, day: str, times: dict[str, tuple[str, str]]) -> dict[str, dict[str, tuple[str, str]]]:
    """One day's own period times (``{}``: the calendar's times again); returns the previous ones (undo)."""
    current = {k: v for k, v in get_times(db).items() if k.lower() != str(day).strip().lower()}
    current[day] = dict(times)
    return set_times(db, current)


def change_period_times(db: Database, *, times: dict[str, dict[str, tuple[str, str]]]):
    """The operation: every day's own period times replaced (one transaction, one undo step)."""
    from ato_desktop.services.operations import reverting

    before = set_times(db, times)
    return reverting("Change the per-day period times", kinds=("calendar",),
                     redo=lambda d: change_period_times(d, times=times),
                     undo=lambda d: change_period_times(d, times=before))


def set_day_schedule(db: Database, day: str, *, closed: list[str] | None = None,
                     times: dict[str, tuple[str, str]] | None = None) -> tuple[dict, dict]:
    """One day's closed periods and/or own period times (None: kept as they are), in ONE transaction;
    returns the previous (closed, times) of every day (undo). A refusal changes neither."""
    with db.session() as s:
        before_closed = _canonical(s, closed_periods(s))
        before_times = _canonical_times(s, _stored_times(s))
        key = str(day).strip().lower()
        if closed is not None:
            new = {k: v for k, v in before_closed.items() if k.lower() != key}
            new[day] = list(closed)
            _put_closed(s, new)
        if times is not None:
            new_t = {k: v for k, v in before_times.items() if k.lower() != key}
            new_t[day] = dict(times)
            _put_times(s, new_t)
        return before_closed, before_times


def set_schedule(db: Database, closed: dict[str, list[str]],
                 times: dict[str, dict[str, tuple[str, str]]]) -> tuple[dict, dict]:
    """Every day's closed periods AND own period times replaced in ONE transaction (the Calendar page's
    per-day dialog); returns the previous (closed, times) (undo). A refusal changes neither."""
    with db.session() as s:
        return _put_closed(s, closed), _put_times(s, times)


def change_bell_schedule(db: Database, *, closed: dict[str, list[str]], times: dict[str, dict[str, tuple[str, str]]]):
    """The operation: closed periods and own period times of every day replaced (one undo step)."""
    from ato_desktop.services.operations import reverting

    before_closed, before_times = set_schedule(db, closed, times)
    return reverting("Change the per-day periods", kinds=("calendar",),
                     redo=lambda d: change_bell_schedule(d, closed=closed, times=times),
                     undo=lambda d: change_bell_schedule(d, closed=before_closed, times=before_times))
