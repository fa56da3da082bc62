"""The term's dates: start, end, time zone, holidays and days that follow another weekday's timetable.

Start, end and time zone are rows of the ``setting`` table (``term_start``, ``term_end``,
``time_zone``); exceptional dates are :class:`~ato_desktop.storage.models.TermDay` rows. Every
change returns a :class:`~ato_desktop.services.rowchange.RowChange` that
:func:`~ato_desktop.services.rowchange.undo_change` reverses.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from ato_desktop.services.errors import ValidationError
from ato_desktop.services.rowchange import RowChange, remove_rows, row_dict
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEFAULT_TIME_ZONE = "Asia/Kolkata"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TERM_KEYS = ("term_start", "term_end", "time_zone")


class PlainRefusal(ValidationError):
    """A refusal as one plain sentence (no "entity field:" prefix)."""

    def __init__(self, field: str, message: str):
        super().__init__("Date", field, message)
        self.args = (message[:1].upper() + message[1:],)


def parse_date(value, field: str = "date") -> dt.date:
    """A date typed as YYYY-MM-DD (a :class:`datetime.date` passes through)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not DATE_RE.match(text):
        raise PlainRefusal(field, f"the {field} {text!r} is not written YYYY-MM-DD (year-month-day, for "
                          "example 2026-12-07).")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PlainRefusal(field, f"the {field} {text!r} is not a real date (YYYY-MM-DD).") from None


def fmt(d: dt.date) -> str:
    return f"{d.isoformat()} ({WEEKDAYS[d.weekday()]})"


def time_zone(name: str):
    """A tzinfo for ``name``; India's fixed +05:30 when the zone database is missing (Windows without tzdata)."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:
        if name == DEFAULT_TIME_ZONE:
            return dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
        raise ValidationError("Term", "time zone", f"{name!r} is not a time zone this computer knows "
                              "(for example Asia/Kolkata).") from None


def today(db: Database | None = None, *, now: dt.datetime | None = None) -> dt.date:
    """Today in the term's time zone (``now``: an injected clock, aware or UTC)."""
    tz_name = get_term(db).time_zone if db is not None else DEFAULT_TIME_ZONE
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(time_zone(tz_name)).date()


@dataclass(frozen=True)
class TermDayInfo:
    date: dt.date
    kind: str  # holiday | follows
    follows: str | None  # weekday name
    label: str


@dataclass(frozen=True)
class Term:
    start: dt.date | None
    end: dt.date | None
    time_zone: str
    days: tuple[TermDayInfo, ...]

    @property
    def is_set(self) -> bool:
        return self.start is not None and self.end is not None

    def exception(self, d: dt.date) -> TermDayInfo | None:
        for x in self.days:
            if x.date == d:
                return x
        return None


def get_term(db: Database) -> Term:
    with db.read_session() as s:
        values = {r.key: r.value for r in s.scalars(select(m.Setting).where(m.Setting.key.in_(TERM_KEYS)))}
        names = {d.id: d.name for d in s.scalars(select(m.Day))}
        days = tuple(TermDayInfo(r.date, r.kind, names.get(r.follows_day_id), r.label)
                     for r in s.scalars(select(m.TermDay).order_by(m.TermDay.date)))

    def d(key):
        try:
            return dt.date.fromisoformat(values[key]) if values.get(key) else None
        except ValueError:
            return None

    return Term(d("term_start"), d("term_end"), values.get("time_zone") or DEFAULT_TIME_ZONE, days)


def _set_values(s, values: dict[str, str]) -> RowChange:
    from sqlalchemy import insert

    conn = s.connection()
    t = m.Setting.__table__
    old = [dict(r._mapping) for r in conn.execute(select(t).where(t.c.key.in_(list(values))))]
    change = RowChange("set the term")
    change.removed = remove_rows(conn, "setting", old)
    new = [{"key": k, "value": v} for k, v in values.items()]
    conn.execute(insert(t), new)
    change.added = [("setting", new)]
    return change


def set_term(db: Database, start, end, time_zone_name: str | None = None) -> RowChange:
    """Set the term's first and last dates (and its time zone). Refused when an exceptional day or absence
    would fall outside it."""
    start, end = parse_date(start, "start"), parse_date(end, "end")
    if end < start:
        raise ValidationError("Term", "end", f"{end.isoformat()} is before the start {start.isoformat()}.")
    if (end - start).days > 400:
        raise ValidationError("Term", "end", f"a term of {(end - start).days + 1} days is too long (at most 400).")
    values = {"term_start": start.isoformat(), "term_end": end.isoformat()}
    if time_zone_name:
        time_zone(time_zone_name)
        values["time_zone"] = time_zone_name
    with db.session() as s:
        outside = s.scalar(select(func.count()).select_from(m.TermDay).where(
            (m.TermDay.date < start) | (m.TermDay.date > end)))
        if outside:
            raise ValidationError("Term", "dates", f"{outside} holiday(s) or exceptional day(s) fall outside "
                                  f"{start.isoformat()} – {end.isoformat()}; remove them first.")
        absent = s.scalar(select(func.count()).select_from(m.Absence).where(
            (m.Absence.date < start) | (m.Absence.date > end)))
        if absent:
            raise ValidationError("Term", "dates", f"{absent} recorded absence(s) fall outside "
                                  f"{start.isoformat()} – {end.isoformat()}; remove them first.")
        change = _set_values(s, values)
        change.summary = f"set the term to {start.isoformat()} – {end.isoformat()}"
        return change


def _check_in_term(term: Term, d: dt.date) -> None:
    if not term.is_set:
        raise PlainRefusal("date", "the term has no start and end dates yet; set them first "
                              "(ato-desktop term set --start YYYY-MM-DD --end YYYY-MM-DD).")
    if not term.start <= d <= term.end:
        raise PlainRefusal("date", f"{fmt(d)} is outside the term "
                              f"({term.start.isoformat()} – {term.end.isoformat()}).")


def _add_term_day(db: Database, d, kind: str, follows: str | None, label: str) -> RowChange:
    d = parse_date(d)
    label = (label or "").strip()
    if len(label) > 200 or "\n" in label:
        raise ValidationError("Term day", "label", "must be one line of at most 200 characters.")
    term = get_term(db)
    _check_in_term(term, d)
    with db.session() as s:
        follows_id = None
        if kind == "follows":
            wanted = (follows or "").strip().lower()
            day = s.scalar(select(m.Day).where((func.lower(m.Day.name) == wanted) | (func.lower(m.Day.short_name) == wanted)))
            if day is None:
                names = ", ".join(s.scalars(select(m.Day.name).order_by(m.Day.position)))
                raise ValidationError("Term day", "follows", f"{follows!r} is not a working day of the calendar "
                                      f"({names or 'no days yet'}).")
            follows_id = day.id
        existing = s.scalar(select(m.TermDay).where(m.TermDay.date == d))
        if existing is not None:
            what = "a holiday" if existing.kind == "holiday" else "an exceptional day"
            raise ValidationError("Term day", "date", f"{fmt(d)} is already {what}"
                                  f"{' (' + existing.label + ')' if existing.label else ''}; remove it first.")
        if kind == "holiday":
            n = s.scalar(select(func.count()).select_from(m.Absence).where(m.Absence.date == d))
            if n:
                raise ValidationError("Term day", "date", f"{n} absence(s) are recorded on {fmt(d)}; "
                                      "remove them before making it a holiday.")
        _refuse_if_arranged(s, d, "changing which timetable it follows")
        row = m.TermDay(date=d, kind=kind, follows_day_id=follows_id, label=label)
        s.add(row)
        s.flush()
        added = row_dict(s.connection(), "term_day", {"id": row.id})
        what = "holiday" if kind == "holiday" else f"follows {follows}"
        return RowChange(f"{fmt(d)}: {what}", added=[("term_day", [added])])


def _refuse_if_arranged(s, d: dt.date, what: str) -> None:
    """Arrangements name lessons of the timetable a date follows: changing it would orphan them."""
    n = s.scalar(select(func.count()).select_from(m.Substitution).where(
        (m.Substitution.date == d) | (m.Substitution.other_date == d)))
    if n:
        raise ValidationError("Term day", "date", f"{n} arrangement(s) of lessons are recorded on {fmt(d)}; "
                              f"clear them before {what}.")


def add_holiday(db: Database, d, label: str = "") -> RowChange:
    """Make a date of the term a day off."""
    return _add_term_day(db, d, "holiday", None, label)


def add_exception(db: Database, d, follows: str, label: str = "") -> RowChange:
    """Make a date follow another weekday's timetable (e.g. a Saturday that follows Monday)."""
    return _add_term_day(db, d, "follows", follows, label)


def remove_term_day(db: Database, d) -> RowChange:
    d = parse_date(d)
    with db.session() as s:
        row = s.scalar(select(m.TermDay).where(m.TermDay.date == d))
        if row is None:
            raise ValidationError("Term day", "date", f"{fmt(d)} is neither a holiday nor an exceptional day.")
        if row.kind == "follows":
            _refuse_if_arranged(s, d, "changing which timetable it follows")
        data = row_dict(s.connection(), "term_day", {"id": row.id})
        s.expunge(row)
        return RowChange(f"{fmt(d)}: back to a normal day", removed=remove_rows(s.connection(), "term_day", [data]))


@dataclass(frozen=True)
class DateInfo:
    date: dt.date
    day: int | None  # the calendar day position whose timetable runs, None = no teaching
    day_name: str | None
    why: str  # "", "a holiday (Diwali)", "a Sunday, not a working day", "follows Monday"

    @property
    def teaching(self) -> bool:
        return self.day is not None


def date_info(db: Database, d, term: Term | None = None) -> DateInfo:
    """Which weekday's timetable runs on a date (holidays and exceptional days applied)."""
    d = parse_date(d)
    term = term or get_term(db)
    with db.read_session() as s:
        days = {x.name.lower(): (x.position, x.name) for x in s.scalars(select(m.Day))}
    ex = term.exception(d)
    if ex is not None and ex.kind == "holiday":
        return DateInfo(d, None, None, f"a holiday{' (' + ex.label + ')' if ex.label else ''}")
    if ex is not None and ex.follows:
        pos, name = days[ex.follows.lower()]
        return DateInfo(d, pos, name, f"follows {name}'s timetable{' (' + ex.label + ')' if ex.label else ''}")
    weekday = WEEKDAYS[d.weekday()]
    if weekday.lower() not in days:
        return DateInfo(d, None, None, f"a {weekday}, not a working day of the calendar")
    pos, name = days[weekday.lower()]
    return DateInfo(d, pos, name, "")


def teaching_day(db: Database, d, term: Term | None = None) -> DateInfo:
    """The date's :class:`DateInfo`; refused (ValidationError) outside the term, on a holiday or a day off."""
    d = parse_date(d)
    term = term or get_term(db)
    _check_in_term(term, d)
    info = date_info(db, d, term)
    if not info.teaching:
        raise PlainRefusal("date", f"{fmt(d)} is {info.why}; there are no classes to cover.")
    return info


def term_dates(db: Database, term: Term | None = None) -> list[DateInfo]:
    """Every teaching date of the term, in order."""
    term = term or get_term(db)
    if not term.is_set:
        return []
    out = []
    d = term.start
    while d <= term.end:
        info = date_info(db, d, term)
        if info.teaching:
            out.append(info)
        d += dt.timedelta(days=1)
    return out


def set_demo_term(db: Database, on: dt.date) -> None:
    """A term for the demo: about eight weeks before ``on`` to ten weeks after, with a holiday and an
    exceptional Saturday that do not fall on ``on`` itself."""
    start = on - dt.timedelta(days=56 + on.weekday())  # a Monday
    end = on + dt.timedelta(days=70)
    set_term(db, start, end, DEFAULT_TIME_ZONE)
    holiday = on + dt.timedelta(days=15)
    add_holiday(db, holiday, "Institute Foundation Day")
    saturday = on + dt.timedelta(days=(5 - on.weekday()) % 7 + 21)
    if saturday != holiday:
        add_exception(db, saturday, "Monday", "Monday's timetable (make-up day)")
