"""The real timetable of a date or a week: the published version with the day's arrangements applied."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from ato_desktop.services import term as terms
from ato_desktop.services.errors import ValidationError
from ato_desktop.services.substitution_day import _Day, _arrangement, base_timetable
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


# ---------------------------------------------------------------------------
# the real timetable of a date
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DayRow:
    period: int
    period_label: str
    duration: int
    course: str
    kind: str
    groups: tuple[str, ...]
    teachers: tuple[str, ...]  # who actually teaches (arrangements applied)
    room: str | None
    note: str  # "", "SRA absent: AGH takes it", "self-study", "swap", "merged with …"
    activity_id: int = 0  # the weekly pattern's session this row is (for the week view)
    occurrence: int = 0


@dataclass(frozen=True)
class DayTimetable:
    date: dt.date
    day_name: str | None
    why: str  # holiday / not a working day / follows Monday
    timetable: str
    rows: tuple[DayRow, ...]


def day_timetable(db: Database, date, timetable: int | str | None = None) -> DayTimetable:
    """What happens on ``date``: the weekday pattern that runs that date (holidays and "follows" days
    applied) with the day's absences and arrangements on top. A holiday has no rows."""
    date = terms.parse_date(date)
    term = terms.get_term(db)
    terms._check_in_term(term, date)
    info = terms.date_info(db, date, term)
    tt = base_timetable(db, timetable)
    if not info.teaching:
        return DayTimetable(date, None, info.why, tt.name, ())
    day = _Day(db, date, tt.id)
    absent = {a.faculty for a in day.absences}
    by_lesson: dict[tuple[int, int], list[dict]] = defaultdict(list)
    swapped_in: dict[tuple[int, int], dict] = {}
    for r in day.subs:
        if r["date"] == date:
            by_lesson[(r["activity_id"], r["occurrence"])].append(r)
        if r["kind"] == "swap" and r["other_date"] == date:
            swapped_in[(r["other_activity_id"], r["other_occurrence"])] = r
    rows = []
    for x in sorted((x for x in day.sessions if x.day == day.day), key=lambda x: (x.period, x.course_code)):
        teachers, notes_, room = list(x.faculty), [], x.room
        span = set(range(x.period, x.period + x.duration))
        course, kind = x.course_code, x.kind
        for f in x.faculty:
            if f in absent and span & day.absent_periods(f):
                r = next((r for r in by_lesson.get((x.activity_id, x.occurrence), [])
                          if day.code_of.get(r["absent_faculty_id"]) == f), None)
                teachers.remove(f)
                if r is None:
                    notes_.append(f"{f} absent: not covered")
                    continue
                sub = day.code_of.get(r["substitute_id"])
                if r["kind"] == "substitute":
                    teachers.append(sub)
                    notes_.append(f"{f} absent: {sub} takes it")
                elif r["kind"] == "self_study":
                    room = day.rooms.get(r["room_id"]) or room
                    notes_.append(f"{f} absent: self-study")
                elif r["kind"] == "merge":
                    notes_.append(f"{f} absent: merged with {_arrangement(day, r).other}")
                    teachers.append(sub)
                else:  # swap: the other lesson runs here
                    o = day.by_key.get((r["other_activity_id"], r["other_occurrence"]))
                    if o is not None:
                        course, kind = o.course_code, o.kind
                    teachers.append(sub)
                    notes_.append(f"{f} absent: swapped with {sub}'s lesson of {r['other_date']}")
        if (x.activity_id, x.occurrence) in swapped_in:  # this slot now holds the absent teacher's lesson
            r = swapped_in[(x.activity_id, x.occurrence)]
            a = day.code_of.get(r["absent_faculty_id"])
            course, kind, teachers = r["course_code"], r["activity_kind"], [a]
            notes_.append(f"swap: {a} teaches {r['course_code']} here (for {r['date']})")
        rows.append(DayRow(x.period, day.labels.get(x.period, ""), x.duration, course, kind, x.groups,
                           tuple(t for t in teachers if t), room, "; ".join(notes_), x.activity_id, x.occurrence))
    return DayTimetable(date, info.day_name, info.why, tt.name, tuple(rows))


# ---------------------------------------------------------------------------
# the real timetable of a week (the timetable screen's "Week of" view)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WeekDay:
    day: int  # which calendar day this date is (0 = the calendar's first day): the grid's row
    date: dt.date
    holiday: str | None  # why nothing is taught that date ("a holiday (Diwali)", "outside the term …"), or None
    follows: int | None  # the calendar day (0 = the first) whose sessions run that date (None = none)
    follows_name: str | None
    why: str  # "", "follows Monday's timetable (make-up day)", …
    rows: tuple[DayRow, ...]  # the date's lessons, arrangements applied (see :func:`day_timetable`)

    def row_of(self, activity_id: int, occurrence: int) -> DayRow | None:
        return next((r for r in self.rows if (r.activity_id, r.occurrence) == (activity_id, occurrence)), None)


def week_timetable(db: Database, date, timetable: int | str | None = None) -> list[WeekDay]:
    """The real timetable of the week (Monday to Sunday) that contains ``date``: one :class:`WeekDay` per
    working day of the calendar, in calendar order, each with its date, a holiday (or "outside the term")
    label, the weekday whose timetable runs that date, and its lessons with the day's substitutions."""
    date = terms.parse_date(date)
    monday = date - dt.timedelta(days=date.weekday())
    term = terms.get_term(db)
    tt = base_timetable(db, timetable)
    with db.read_session() as s:
        days = [(d.position, d.name) for d in s.scalars(select(m.Day).order_by(m.Day.position))]
    weekdays = [w.lower() for w in terms.WEEKDAYS]
    index = {pos: i for i, (pos, _n) in enumerate(days)}
    out = []
    for pos, name in days:
        pos = index[pos]
        if name.lower() not in weekdays:
            continue
        d = monday + dt.timedelta(days=weekdays.index(name.lower()))
        try:
            terms._check_in_term(term, d)
        except ValidationError as exc:
            why = str(exc)
            out.append(WeekDay(pos, d, "outside the term" if term.is_set else why, None, None, why, ()))
            continue
        info = terms.date_info(db, d, term)
        if not info.teaching:
            out.append(WeekDay(pos, d, info.why, None, None, info.why, ()))
            continue
        day = day_timetable(db, d, tt.id)
        out.append(WeekDay(pos, d, None, index[info.day], info.day_name, info.why, day.rows))
    return out
