"""Absences and daily arrangements: who covers the lessons of an absent faculty member on a date.

The arrangement of a date sits on top of a timetable version: the most recently *published* one,
unless a version is named. A lesson to cover is a session of that version on the weekday whose
timetable runs that date (holidays and "follows Monday" days applied, see :mod:`services.term`)
taught by an absent faculty member in the periods of their absence.

The reading of a date (lessons to cover, ranked candidates) is :mod:`~ato_desktop.services.substitution_day`;
the register and the real timetable of a date have modules of their own.

Every change (recording an absence, assigning, planning a day with ``auto``) is one transaction and
returns a :class:`~ato_desktop.services.rowchange.RowChange`; ``undo_change`` reverses it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from ato_desktop.services import term as terms
from ato_desktop.services import timetables as tts
from ato_desktop.services.errors import NotFoundError, ValidationError
from ato_desktop.services.rowchange import RowChange, remove_rows, row_dict
from ato_desktop.services.substitution_day import AbsenceInfo, _Day
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

REASONS = m.ABSENCE_REASONS


# ---------------------------------------------------------------------------
# absences
# ---------------------------------------------------------------------------
def _parse_periods(s, periods) -> list[int]:
    if not periods:
        return []
    if isinstance(periods, str):
        periods = [p for p in periods.replace(" ", "").split(",") if p]
    rows = list(s.scalars(select(m.Period).order_by(m.Period.position)))
    by_label = {p.label.lower(): p for p in rows}
    out = []
    for p in periods:
        row = by_label.get(str(p).strip().lower())
        if row is None and isinstance(p, int) and not isinstance(p, bool):
            row = next((r for r in rows if r.position == p), None)
        if row is None:
            known = ", ".join(r.label for r in rows if not r.is_break)
            raise ValidationError("Absence", "periods", f"there is no period {p!r} (periods: {known}).")
        if row.is_break:
            raise ValidationError("Absence", "periods", f"{row.label} is a break, not a teaching period.")
        out.append(row.position)
    return sorted(set(out))


def _faculty(s, code) -> m.Faculty:
    f = s.scalar(select(m.Faculty).where(func.lower(m.Faculty.code) == str(code or "").strip().lower()))
    if f is None:
        known = list(s.scalars(select(m.Faculty.code).order_by(m.Faculty.code)))
        listing = ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
        raise ValidationError("Absence", "faculty", f"there is no faculty member with the code {code!r} "
                              f"(codes: {listing or 'none'}).")
    return f


def add_absence(db: Database, faculty: str, date, *, to=None, periods=None, reason: str = "leave",
                note: str = "") -> RowChange:
    """Record an absence: one date (the whole day, or ``periods`` such as ``"P3,P4"``) or every teaching
    date from ``date`` to ``to``. Refused (nothing recorded) on a holiday, outside the term, for an unknown
    faculty code or period, or when it overlaps an absence already recorded."""
    first = terms.parse_date(date)
    last = terms.parse_date(to, "to") if to else first
    if reason not in REASONS:
        raise ValidationError("Absence", "reason", f"{reason!r} is not one of {', '.join(REASONS)}.")
    note = (note or "").strip()
    if len(note) > 300 or "\n" in note:
        raise ValidationError("Absence", "note", "must be one line of at most 300 characters.")
    if last < first:
        raise ValidationError("Absence", "to", f"{last.isoformat()} is before {first.isoformat()}.")
    if periods and last != first:
        raise ValidationError("Absence", "periods", "periods can only be given for an absence of one day.")
    term = terms.get_term(db)
    if last == first:
        dates = [terms.teaching_day(db, first, term).date]
    else:
        for d in (first, last):
            terms._check_in_term(term, d)
        dates = []
        d = first
        while d <= last:
            if terms.date_info(db, d, term).teaching:
                dates.append(d)
            d += dt.timedelta(days=1)
        if not dates:
            raise ValidationError("Absence", "date", f"there is no teaching day from {first.isoformat()} to "
                                  f"{last.isoformat()}.")
    with db.session() as s:
        f = _faculty(s, faculty)
        pos = _parse_periods(s, periods)
        added = []
        for d in dates:
            for old in s.scalars(select(m.Absence).where(m.Absence.faculty_id == f.id, m.Absence.date == d)):
                if not old.periods or not pos or set(old.periods) & set(pos):
                    raise ValidationError("Absence", "date", f"{f.code} is already recorded absent on "
                                          f"{terms.fmt(d)}; remove that absence first.")
            row = m.Absence(faculty_id=f.id, date=d, periods=pos, reason=reason, note=note)
            s.add(row)
            s.flush()
            added.append(row_dict(s.connection(), "absence", {"id": row.id}))
        span = dates[0].isoformat() + (f" – {dates[-1].isoformat()}" if len(dates) > 1 else "")
        return RowChange(f"{f.code} absent {span} ({reason})", added=[("absence", added)],
                         detail={"faculty": f.code, "dates": [d.isoformat() for d in dates],
                                 "ids": [r["id"] for r in added]})


def remove_absence(db: Database, absence_id: int) -> RowChange:
    """Remove an absence and the arrangements made for it."""
    with db.session() as s:
        a = s.get(m.Absence, absence_id)
        if a is None:
            raise NotFoundError("Absence", absence_id)
        data = row_dict(s.connection(), "absence", {"id": a.id})
        s.expunge(a)
        return RowChange(f"absence {absence_id} removed", removed=remove_rows(s.connection(), "absence", [data]))


# ---------------------------------------------------------------------------
# arrangements
# ---------------------------------------------------------------------------
def _lesson(day: _Day, absence_id: int, activity_id: int, occurrence: int) -> tuple[AbsenceInfo, tts.SessionView]:
    a = next((a for a in day.absences if a.id == absence_id), None)
    if a is None:
        raise ValidationError("Substitution", "lesson", f"absence {absence_id} is not recorded on {day.date}.")
    x = next((x for x in day.lessons_of(a) if (x.activity_id, x.occurrence) == (activity_id, occurrence)), None)
    if x is None:
        raise ValidationError("Substitution", "lesson", f"that lesson is not one of {a.faculty}'s lessons on "
                              f"{terms.fmt(day.date)}.")
    return a, x


def _new_row(day: _Day, a: AbsenceInfo, x: tts.SessionView, kind: str, **extra) -> dict:
    return dict(absence_id=a.id, date=day.date, timetable_id=day.tt.id, activity_id=x.activity_id,
                occurrence=x.occurrence, course_code=x.course_code, activity_kind=x.kind,
                groups=", ".join(x.groups)[:300], period=x.period, duration=x.duration,
                absent_faculty_id=day.faculty[a.faculty].id, kind=kind, **extra)


def _write(s, day: _Day, a: AbsenceInfo, x: tts.SessionView, values: dict, change: RowChange) -> None:
    """Replace the lesson's arrangement with ``values`` inside the transaction ``s``; record it in ``change``."""
    conn = s.connection()
    old = s.scalar(select(m.Substitution).where(m.Substitution.absence_id == a.id,
                                                 m.Substitution.activity_id == x.activity_id,
                                                 m.Substitution.occurrence == x.occurrence))
    if old is not None:
        data = row_dict(conn, "substitution", {"id": old.id})
        s.expunge(old)
        change.removed += remove_rows(conn, "substitution", [data])
        day.subs = [r for r in day.subs if r["id"] != data["id"]]
    row = m.Substitution(**values)
    s.add(row)
    s.flush()
    new = row_dict(conn, "substitution", {"id": row.id})
    change.added.append(("substitution", [new]))
    day.subs.append(new)
    day._rebuild()


def _check_candidate(day: _Day, a: AbsenceInfo, x: tts.SessionView, code: str) -> str:
    code = code.strip().upper() if code else ""
    hit = next((c for c in day.faculty if c.lower() == code.lower()), None)
    if hit is None:
        raise ValidationError("Substitution", "substitute", f"there is no faculty member with the code {code!r}.")
    if hit == a.faculty:
        raise ValidationError("Substitution", "substitute", f"{hit} is the absent faculty member.")
    # the lesson's own current arrangement does not block its replacement
    span = range(x.period, x.period + x.duration)
    own = [r for r in day.subs if r["absence_id"] == a.id and r["activity_id"] == x.activity_id
           and r["occurrence"] == x.occurrence]
    saved = day.subs
    day.subs = [r for r in day.subs if r not in own]
    day._rebuild()
    try:
        why = day.blocked(hit, span)
        if why:
            raise ValidationError("Substitution", "substitute", f"{hit} cannot take {x.course_code} at "
                                  f"{day.labels[x.period]} on {terms.fmt(day.date)}: {why}.")
        if day.over_limit(hit, x.duration):
            raise ValidationError("Substitution", "substitute", f"{hit} would teach "
                                  f"{day.load.get(hit, 0) + x.duration} periods on {terms.fmt(day.date)}, over "
                                  f"their daily limit of {day.faculty[hit].max_daily}.")
    finally:
        day.subs = saved
        day._rebuild()
    return hit


def assign_substitute(db: Database, date, absence_id: int, activity_id: int, occurrence: int, substitute: str,
                      *, timetable: int | str | None = None, note: str = "") -> RowChange:
    """``substitute`` takes the lesson (replacing any earlier arrangement of it). Hard rules are checked."""
    day = _Day(db, terms.parse_date(date), timetable)
    a, x = _lesson(day, absence_id, activity_id, occurrence)
    code = _check_candidate(day, a, x, substitute)
    change = RowChange(f"{code} takes {x.course_code} {x.kind} ({', '.join(x.groups)}) at "
                       f"{day.labels[x.period]} on {day.date.isoformat()} for {a.faculty}")
    with db.session() as s:
        _write(s, day, a, x, _new_row(day, a, x, "substitute", substitute_id=day.faculty[code].id, note=note), change)
    return change


def set_self_study(db: Database, date, absence_id: int, activity_id: int, occurrence: int, room: str | None = None,
                   *, timetable: int | str | None = None, note: str = "") -> RowChange:
    """The group studies on its own in ``room`` (default: the lesson's own room)."""
    day = _Day(db, terms.parse_date(date), timetable)
    a, x = _lesson(day, absence_id, activity_id, occurrence)
    room = room or x.room
    room_id = None
    if room:
        room_id = next((rid for rid, c in day.rooms.items() if c.lower() == room.strip().lower()), None)
        if room_id is None:
            raise ValidationError("Substitution", "room", f"there is no room {room!r}.")
        if room.strip().lower() != (x.room or "").lower():
            used = [o for o in day.sessions if o.day == day.day and o.room and o.room.lower() == room.strip().lower()
                    and set(range(o.period, o.period + o.duration)) & set(range(x.period, x.period + x.duration))]
            if used:
                raise ValidationError("Substitution", "room", f"{day.rooms[room_id]} is in use at "
                                      f"{day.labels[x.period]} ({used[0].course_code}).")
    change = RowChange(f"self-study for {x.course_code} ({', '.join(x.groups)}) at {day.labels[x.period]} "
                       f"on {day.date.isoformat()}")
    with db.session() as s:
        _write(s, day, a, x, _new_row(day, a, x, "self_study", room_id=room_id, note=note), change)
    return change


@dataclass(frozen=True)
class Alternative:
    kind: str  # swap | merge
    activity_id: int
    occurrence: int
    date: dt.date
    teacher: str
    text: str
    room: str | None = None  # a merge: where the two groups meet


def alternatives(db: Database, date, absence_id: int, activity_id: int, occurrence: int, *,
                 timetable: int | str | None = None) -> list[Alternative]:
    """Swaps with a later lesson of the same group this week, and merges with a lesson of the same course
    running at the same time (room large enough), that the hard rules allow."""
    day = _Day(db, terms.parse_date(date), timetable)
    a, x = _lesson(day, absence_id, activity_id, occurrence)
    return _alternatives(day, a, x)


def _alternatives(day: _Day, a: AbsenceInfo, x: tts.SessionView) -> list[Alternative]:
    out: list[Alternative] = []
    span = range(x.period, x.period + x.duration)
    family = day._family(x.groups)
    # merges: same course, same period, another group, a present teacher, a room big enough
    for o in day.sessions:
        if o.day != day.day or o.period != x.period or o.duration != x.duration or o.course_code != x.course_code:
            continue
        if (o.activity_id, o.occurrence) == (x.activity_id, x.occurrence) or a.faculty in o.faculty:
            continue
        teachers = [f for f in o.faculty if not (set(span) & day.absent_periods(f))]
        if not teachers or not o.room:
            continue
        seats = sum(day.strength.get(g, 0) for g in (*o.groups, *x.groups))
        room = o.room if day.room_capacity.get(o.room, 0) >= seats else _big_free_room(day, seats, span)
        if room is None:
            continue
        out.append(Alternative("merge", o.activity_id, o.occurrence, day.date, teachers[0],
                               f"merge with {o.course_code} {o.kind} ({', '.join(o.groups)}) of {teachers[0]} in "
                               f"{room} ({seats} students)", room))
    # swaps: a later lesson of the same group this week whose teacher is free now, while the absent
    # teacher is free (and present) then
    week_end = day.date + dt.timedelta(days=6 - day.date.weekday())
    d = day.date + dt.timedelta(days=1)
    while d <= week_end and (not day.term.end or d <= day.term.end):
        info = terms.date_info(day.db, d, day.term)
        if info.teaching:
            other_day = _Day(day.db, d, day.tt.id, check_term=False, sessions=day.sessions)
            for o in other_day.sessions:
                if o.day != other_day.day or o.duration != x.duration or not (day._family(o.groups) & family):
                    continue
                if a.faculty in o.faculty or not o.faculty or set(o.groups) - day._family(x.groups) - family:
                    continue
                teacher = o.faculty[0]
                if len(o.faculty) > 1 or day.blocked(teacher, span) or day.over_limit(teacher, x.duration):
                    continue
                ospan = range(o.period, o.period + o.duration)
                if other_day.blocked(a.faculty, ospan) or other_day.over_limit(a.faculty, o.duration):
                    continue
                # each lesson keeps its own room: it must be free in the other's slot
                if _room_taken(day, o.room, span, skip=x) or _room_taken(other_day, x.room, ospan, skip=o):
                    continue
                out.append(Alternative("swap", o.activity_id, o.occurrence, d, teacher,
                                       f"swap with {o.course_code} {o.kind} of {teacher} on {terms.fmt(d)} "
                                       f"{other_day.labels[o.period]} ({a.faculty} teaches then)"))
        d += dt.timedelta(days=1)
    return out


def _big_free_room(day: _Day, seats: int, span: range) -> str | None:
    """The smallest room for ``seats`` students free at ``span`` that day (not a lab), if any."""
    free = []
    for rid, code in day.rooms.items():
        if day.room_capacity.get(code, 0) < seats or day.room_kind.get(code) == "lab":
            continue
        if any((day.day, p) in day.room_unavailable.get(code, ()) for p in span):
            continue
        if any(o.day == day.day and o.room == code and set(range(o.period, o.period + o.duration)) & set(span)
               for o in day.sessions):
            continue
        if any(r["date"] == day.date and r["room_id"] == rid and set(range(r["period"], r["period"] + r["duration"]))
               & set(span) for r in day.subs):
            continue  # taken by another arrangement (a merge or self-study moved there)
        free.append((day.room_capacity[code], code))
    return min(free)[1] if free else None


def _room_taken(day: _Day, room: str | None, span: range, skip: tts.SessionView) -> bool:
    if not room:
        return False
    return any(o.day == day.day and o.room == room and (o.activity_id, o.occurrence) != (skip.activity_id,
                                                                                          skip.occurrence)
               and set(range(o.period, o.period + o.duration)) & set(span) for o in day.sessions)


def assign_alternative(db: Database, date, absence_id: int, activity_id: int, occurrence: int, kind: str,
                       other_activity_id: int, other_occurrence: int, other_date=None, *,
                       timetable: int | str | None = None, note: str = "") -> RowChange:
    """Record a swap or a merge offered by :func:`alternatives`."""
    day = _Day(db, terms.parse_date(date), timetable)
    a, x = _lesson(day, absence_id, activity_id, occurrence)
    other_date = terms.parse_date(other_date, "other date") if other_date else day.date
    offered = next((o for o in _alternatives(day, a, x) if o.kind == kind and o.activity_id == other_activity_id
                    and o.occurrence == other_occurrence and o.date == other_date), None)
    if offered is None:
        raise ValidationError("Substitution", kind, f"that {kind} is not possible for {x.course_code} at "
                              f"{day.labels[x.period]} on {terms.fmt(day.date)}.")
    change = RowChange(f"{offered.text} (for {a.faculty}'s {x.course_code} on {day.date.isoformat()})")
    with db.session() as s:
        room_id = next((rid for rid, c in day.rooms.items() if c == offered.room), None) if offered.room else None
        _write(s, day, a, x, _new_row(day, a, x, kind, substitute_id=day.faculty[offered.teacher].id,
                                      other_activity_id=other_activity_id, other_occurrence=other_occurrence,
                                      other_date=other_date if kind == "swap" else None, room_id=room_id,
                                      note=note), change)
    return change


def clear_arrangement(db: Database, date, absence_id: int, activity_id: int, occurrence: int) -> RowChange:
    d = terms.parse_date(date)
    with db.session() as s:
        old = s.scalar(select(m.Substitution).where(m.Substitution.absence_id == absence_id, m.Substitution.date == d,
                                                     m.Substitution.activity_id == activity_id,
                                                     m.Substitution.occurrence == occurrence))
        if old is None:
            raise ValidationError("Substitution", "lesson", "that lesson has no arrangement to clear.")
        data = row_dict(s.connection(), "substitution", {"id": old.id})
        s.expunge(old)
        return RowChange(f"arrangement of {data['course_code']} on {d.isoformat()} cleared",
                         removed=remove_rows(s.connection(), "substitution", [data]))


def auto_plan(db: Database, date, *, timetable: int | str | None = None, self_study: bool = True) -> RowChange:
    """Cover every uncovered lesson of ``date`` with its best valid candidate; a lesson nobody can take
    becomes self-study in its own room (when ``self_study``). Arrangements already recorded are kept,
    except those that no longer hold (their substitute is now absent), which are planned again.
    One transaction, one undo."""
    day = _Day(db, terms.parse_date(date), timetable)
    change = RowChange(f"arrangement of {day.date.isoformat()} planned")
    with db.session() as s:
        pending = []
        recorded = {(r["absence_id"], r["activity_id"], r["occurrence"]): r for r in day.subs if r["date"] == day.date}
        for a in day.absences:
            for x in day.lessons_of(a):
                r = recorded.get((a.id, x.activity_id, x.occurrence))
                if r is None or day.arrangement_problem(r, a, x):
                    if r is not None:  # free what the broken arrangement held
                        day.subs = [y for y in day.subs if y["id"] != r["id"]]
                        day._rebuild()
                    pending.append((a, x))
        # lessons with the fewest candidates first, so the scarce substitutes go where they are needed
        pending.sort(key=lambda ax: (len(day.candidates(*ax)), ax[1].period, ax[1].activity_id))
        for a, x in pending:
            cands = day.candidates(a, x)
            if cands:
                best = cands[0]
                _write(s, day, a, x, _new_row(day, a, x, "substitute", substitute_id=day.faculty[best.code].id,
                                              note="auto: " + "; ".join(best.reasons[1:3])), change)
                day.term_count[best.code] = day.term_count.get(best.code, 0) + 1
            elif self_study:
                room_id = next((rid for rid, c in day.rooms.items() if c == x.room), None)
                _write(s, day, a, x, _new_row(day, a, x, "self_study", room_id=room_id,
                                              note="auto: no free colleague"), change)
        change.detail = {"assigned": change.count("substitution"), "replaced": change.count("substitution", "removed")}
    return change


