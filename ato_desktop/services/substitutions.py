"""Absences and daily arrangements: who covers the lessons of an absent faculty member on a date.

The arrangement of a date sits on top of a timetable version: the most recently *published* one,
unless a version is named. A lesson to cover is a session of that version on the weekday whose
timetable runs that date (holidays and "follows Monday" days applied, see :mod:`services.term`)
taught by an absent faculty member in the periods of their absence.

Candidates for a lesson are ranked; the hard rules filter, the rest order:

1. free at every period of the lesson on that date (their own lessons, their own absence, their
   unavailable periods, and substitutions already assigned that day) — hard;
2. their periods that day plus the lesson within their daily limit — hard;
3. teaches that group or that course — preferred;
4. same department as the absent faculty member;
5. fewest substitutions so far this term (fairness);
6. fewest periods that day.

Every change (recording an absence, assigning, planning a day with ``auto``) is one transaction and
returns a :class:`~ato_desktop.services.rowchange.RowChange`; ``undo_change`` reverses it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ato_desktop.services import term as terms
from ato_desktop.services import timetables as tts
from ato_desktop.services.errors import NotFoundError, ValidationError
from ato_desktop.services.rowchange import RowChange, remove_rows, row_dict
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

REASONS = m.ABSENCE_REASONS
TAKING_KINDS = ("substitute", "swap", "merge")  # arrangements where a colleague takes the class


# ---------------------------------------------------------------------------
# plain views
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AbsenceInfo:
    id: int
    faculty: str
    faculty_name: str
    date: dt.date
    periods: tuple[int, ...]  # positions; empty = the whole day
    period_labels: tuple[str, ...]
    reason: str
    note: str

    @property
    def when(self) -> str:
        return "whole day" if not self.periods else ", ".join(self.period_labels)


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    reasons: tuple[str, ...]
    key: tuple = field(compare=False, default=())


@dataclass(frozen=True)
class Arrangement:
    id: int
    kind: str  # substitute | self_study | swap | merge
    substitute: str | None
    substitute_name: str | None
    room: str | None
    other: str | None  # the swapped or merged lesson, as text
    other_date: dt.date | None
    note: str


@dataclass(frozen=True)
class Lesson:
    absence_id: int
    date: dt.date
    activity_id: int
    occurrence: int
    course: str
    course_title: str
    kind: str
    groups: tuple[str, ...]
    period: int  # position of the first period
    period_label: str
    duration: int
    faculty: str  # the absent faculty member
    faculty_name: str
    room: str | None
    arrangement: Arrangement | None
    candidates: tuple[Candidate, ...]
    problem: str = ""  # why the arrangement no longer holds (e.g. the substitute is now absent)

    @property
    def ref(self) -> str:
        """A short handle for the CLI and the UI: ``absence:activity:occurrence``."""
        return f"{self.absence_id}:{self.activity_id}:{self.occurrence}"

    @property
    def covered(self) -> bool:
        return self.arrangement is not None and not self.problem

    @property
    def label(self) -> str:
        return f"{self.period_label} {self.course} {self.kind} ({', '.join(self.groups)})"


@dataclass(frozen=True)
class DayPlan:
    date: dt.date
    day_name: str
    why: str
    timetable: str
    timetable_id: int
    absences: tuple[AbsenceInfo, ...]
    lessons: tuple[Lesson, ...]

    def to_json(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "day": self.day_name,
            "timetable": self.timetable,
            "absences": [{"faculty": a.faculty, "periods": list(a.period_labels), "reason": a.reason}
                         for a in self.absences],
            "lessons": [{
                "faculty": x.faculty, "course": x.course, "kind": x.kind, "group": ", ".join(x.groups),
                "period": x.period_label, "duration": x.duration,
                "substitute": x.arrangement.substitute if x.arrangement and not x.problem else None,
                "self_study": bool(x.arrangement and x.arrangement.kind == "self_study" and not x.problem),
                "arrangement": x.arrangement.kind if x.arrangement and not x.problem else None,
                "room": (x.arrangement.room if x.arrangement and x.arrangement.room else x.room),
                "problem": x.problem or None,
                "candidates": [{"code": c.code, "reasons": list(c.reasons)} for c in x.candidates],
            } for x in self.lessons],
        }


# ---------------------------------------------------------------------------
# the timetable under a date
# ---------------------------------------------------------------------------
def base_timetable(db: Database, timetable: int | str | None = None) -> tts.TimetableInfo:
    """The version daily arrangements sit on: ``timetable`` if given, else the latest published one."""
    if timetable is not None and timetable != "":
        try:
            return tts.get_timetable(db, timetable)
        except NotFoundError:
            names = ", ".join(repr(t.name) for t in tts.list_timetables(db)) or "none"
            raise terms.PlainRefusal("timetable", f"there is no timetable version {timetable!r} (versions: {names}).") \
                from None
    info = tts.latest_published(db)
    if info is None:
        raise terms.PlainRefusal("timetable", "no timetable version is published yet; daily arrangements "
                              "sit on the published timetable, so publish one first (or name the version to use).")
    return info


@dataclass
class _Faculty:
    id: int
    code: str
    name: str
    department: str
    max_daily: int


class _Day:
    """Everything the ranking of one date needs, read once (no ORM objects kept)."""

    def __init__(self, db: Database, date: dt.date, timetable: int | str | None, *, check_term: bool = True,
                 sessions: list[tts.SessionView] | None = None):
        self.db = db
        self.term = terms.get_term(db)
        self.info = terms.teaching_day(db, date, self.term) if check_term else terms.date_info(db, date, self.term)
        self.date = self.info.date
        self.tt = base_timetable(db, timetable)
        # ``sessions``: the version's scheduled sessions, when the caller has read them already
        self.sessions = sessions if sessions is not None else [x for x in tts.list_sessions(db, self.tt.id)
                                                                if x.scheduled]
        with db.read_session() as s:
            depts = {d.id: d.code for d in s.scalars(select(m.Department))}
            self.faculty = {f.code: _Faculty(f.id, f.code, f.name, depts.get(f.department_id, ""),
                                             int(f.max_daily_periods or 0))
                            for f in s.scalars(select(m.Faculty).order_by(m.Faculty.code))}
            self.code_of = {f.id: f.code for f in self.faculty.values()}
            self.periods = {p.position: p for p in s.scalars(select(m.Period).order_by(m.Period.position))}
            self.labels = {pos: p.label for pos, p in self.periods.items()}
            self.teaching = [pos for pos, p in self.periods.items() if not p.is_break]
            days = {d.id: d.position for d in s.scalars(select(m.Day))}
            pers = {p.id: p.position for p in s.scalars(select(m.Period))}
            self.unavailable: dict[str, set[tuple[int, int]]] = defaultdict(set)
            for r in s.scalars(select(m.FacultyAvailability).where(m.FacultyAvailability.state == "unavailable")):
                self.unavailable[self.code_of[r.faculty_id]].add((days[r.day_id], pers[r.period_id]))
            self.parent = {g.code: None for g in s.scalars(select(m.StudentGroup))}
            gid = {g.id: g.code for g in s.scalars(select(m.StudentGroup))}
            for g in s.scalars(select(m.StudentGroup).where(m.StudentGroup.parent_id.is_not(None))):
                self.parent[g.code] = gid.get(g.parent_id)
            self.rooms = {r.id: r.code for r in s.scalars(select(m.Room))}
            self.room_capacity = {r.code: r.capacity for r in s.scalars(select(m.Room))}
            self.room_kind = {r.code: r.kind for r in s.scalars(select(m.Room))}
            room_code = {r.id: r.code for r in s.scalars(select(m.Room))}
            self.room_unavailable: dict[str, set[tuple[int, int]]] = defaultdict(set)
            for r in s.scalars(select(m.RoomAvailability).where(m.RoomAvailability.state == "unavailable")):
                self.room_unavailable[room_code[r.room_id]].add((days[r.day_id], pers[r.period_id]))
            self.strength = {g.code: g.strength for g in s.scalars(select(m.StudentGroup))}
            self.absences = [_absence_info(a, self.code_of, self.faculty, self.labels)
                             for a in s.scalars(select(m.Absence).where(m.Absence.date == self.date)
                                                .order_by(m.Absence.id))]
            self.subs = [row_dict(s.connection(), "substitution", {"id": r.id}) for r in s.scalars(
                select(m.Substitution).where((m.Substitution.date == self.date) | (m.Substitution.other_date == self.date))
                .order_by(m.Substitution.id))]
            q = select(m.Substitution.substitute_id, func.count()).where(
                m.Substitution.kind.in_(TAKING_KINDS), m.Substitution.substitute_id.is_not(None))
            if self.term.is_set:
                q = q.where(m.Substitution.date >= self.term.start, m.Substitution.date <= self.term.end)
            self.term_count = {self.code_of.get(fid): int(n) for fid, n in s.execute(q.group_by(m.Substitution.substitute_id))}
        self.day = self.info.day
        # who teaches what (for "teaches that group / course")
        self.teaches_groups: dict[str, set[str]] = defaultdict(set)
        self.teaches_courses: dict[str, set[str]] = defaultdict(set)
        for x in self.sessions:
            for f in x.faculty:
                self.teaches_groups[f].update(self._family(x.groups))
                self.teaches_courses[f].add(x.course_code)
        self.by_key = {(x.activity_id, x.occurrence): x for x in self.sessions}
        self._rebuild()

    # ---- who is busy when ----------------------------------------------------------
    def _family(self, groups) -> set[str]:
        out = set()
        for g in groups:
            out.add(g)
            p = self.parent.get(g)
            if p:
                out.add(p)
        return out

    def absent_periods(self, code: str) -> set[int]:
        out: set[int] = set()
        for a in self.absences:
            if a.faculty == code:
                out.update(a.periods or self.teaching)
        return out

    def _rebuild(self) -> None:
        """Busy periods and load of everyone on this date, with the arrangements recorded so far."""
        day = self.day
        busy: dict[str, set[int]] = defaultdict(set)
        load: dict[str, int] = defaultdict(int)
        for x in self.sessions:
            if x.day == day:
                for f in x.faculty:
                    busy[f].update(range(x.period, x.period + x.duration))
                    load[f] += x.duration
        for r in self.subs:
            sub = self.code_of.get(r["substitute_id"])
            span = range(r["period"], r["period"] + r["duration"])
            if r["date"] == self.date and r["kind"] in ("substitute", "swap") and sub:
                busy[sub].update(span)
                load[sub] += r["duration"]
            if r["kind"] == "swap" and r["other_date"] == self.date:
                other = self.by_key.get((r["other_activity_id"], r["other_occurrence"]))
                absent = self.code_of.get(r["absent_faculty_id"])
                if other is not None and absent:
                    busy[absent].update(range(other.period, other.period + other.duration))
                    load[absent] += other.duration
        self.busy, self.load = busy, load

    def blocked(self, code: str, span: range) -> str:
        """Why ``code`` cannot take periods ``span`` on this date ("" = free)."""
        labels = lambda ps: ", ".join(self.labels[p] for p in ps)  # noqa: E731
        hit = [p for p in span if p in self.absent_periods(code)]
        if hit:
            return f"absent at {labels(hit)}"
        hit = [p for p in span if p in self.busy.get(code, ())]
        if hit:
            return f"busy at {labels(hit)}"
        hit = [p for p in span if (self.day, p) in self.unavailable.get(code, ())]
        if hit:
            return f"unavailable at {labels(hit)}"
        return ""

    def over_limit(self, code: str, extra: int) -> bool:
        lim = self.faculty[code].max_daily
        return lim > 0 and self.load.get(code, 0) + extra > lim

    # ---- lessons ---------------------------------------------------------------------
    def lessons_of(self, absence: AbsenceInfo) -> list[tts.SessionView]:
        periods = set(absence.periods or self.teaching)
        return sorted((x for x in self.sessions if x.day == self.day and absence.faculty in x.faculty
                       and periods & set(range(x.period, x.period + x.duration))),
                      key=lambda x: (x.period, x.course_code, x.activity_id, x.occurrence))

    def candidates(self, absence: AbsenceInfo, x: tts.SessionView) -> list[Candidate]:
        span = range(x.period, x.period + x.duration)
        absent = self.faculty.get(absence.faculty)
        family = self._family(x.groups)
        out = []
        for code, f in self.faculty.items():
            if code == absence.faculty or code in x.faculty or self.blocked(code, span):
                continue
            if self.over_limit(code, x.duration):
                continue
            reasons = [f"free at {', '.join(self.labels[p] for p in span)}"]
            taught = sorted(self.teaches_groups.get(code, set()) & family)
            course = x.course_code in self.teaches_courses.get(code, set())
            if taught:
                reasons.append(f"teaches {', '.join(taught)}")
            if course:
                reasons.append(f"teaches {x.course_code}")
            same = absent is not None and f.department == absent.department
            reasons.append(f"same department ({f.department})" if same else f"other department ({f.department})")
            n = self.term_count.get(code, 0)
            reasons.append(f"{n} substitution{'s' if n != 1 else ''} this term")
            today = self.load.get(code, 0)
            reasons.append(f"{today} period{'s' if today != 1 else ''} that day"
                           + (f" (limit {f.max_daily})" if f.max_daily else ""))
            key = (0 if taught or course else 1, 0 if same else 1, n, today, code)
            out.append(Candidate(code, f.name, tuple(reasons), key))
        out.sort(key=lambda c: c.key)
        return out

    def arrangement_problem(self, r: dict, absence: AbsenceInfo, x: tts.SessionView) -> str:
        """Why a recorded arrangement no longer holds, "" if it does."""
        sub = self.code_of.get(r["substitute_id"])
        if r["kind"] in ("substitute", "swap", "merge") and not sub:
            return "the substitute was removed"
        if sub and sub in {a.faculty for a in self.absences}:
            span = set(range(x.period, x.period + x.duration))
            if span & self.absent_periods(sub):
                return f"{sub} is now absent"
        return ""


def _absence_info(a: m.Absence, code_of: dict, faculty: dict, labels: dict) -> AbsenceInfo:
    code = code_of.get(a.faculty_id, "?")
    periods = tuple(sorted(int(p) for p in (a.periods or [])))
    return AbsenceInfo(a.id, code, faculty[code].name if code in faculty else code, a.date, periods,
                       tuple(labels.get(p, str(p)) for p in periods), a.reason, a.note)


def _arrangement(day: _Day, r: dict) -> Arrangement:
    sub = day.code_of.get(r["substitute_id"])
    other = None
    if r["other_activity_id"] is not None:
        o = day.by_key.get((r["other_activity_id"], r["other_occurrence"]))
        if o is not None:
            other = f"{o.course_code} {o.kind} ({', '.join(o.groups)}) {day.labels.get(o.period, '')}"
    return Arrangement(r["id"], r["kind"], sub, day.faculty[sub].name if sub in day.faculty else None,
                       day.rooms.get(r["room_id"]), other, r["other_date"], r["note"])


# ---------------------------------------------------------------------------
# reading a date
# ---------------------------------------------------------------------------
def plan_day(db: Database, date, timetable: int | str | None = None, *, _day: _Day | None = None) -> DayPlan:
    """The lessons to cover on ``date``, each with its arrangement (if any) and ranked candidates."""
    day = _day or _Day(db, terms.parse_date(date), timetable)
    recorded = {(r["absence_id"], r["activity_id"], r["occurrence"]): r for r in day.subs if r["date"] == day.date}
    lessons = []
    for a in day.absences:
        for x in day.lessons_of(a):
            r = recorded.get((a.id, x.activity_id, x.occurrence))
            arr = _arrangement(day, r) if r else None
            problem = day.arrangement_problem(r, a, x) if r else ""
            lessons.append(Lesson(
                a.id, day.date, x.activity_id, x.occurrence, x.course_code, x.course_title, x.kind, x.groups,
                x.period, day.labels.get(x.period, str(x.period)), x.duration, a.faculty, a.faculty_name, x.room,
                arr, tuple(day.candidates(a, x)), problem))
    lessons.sort(key=lambda x: (x.period, x.faculty, x.course, x.activity_id))
    return DayPlan(day.date, day.info.day_name or "", day.info.why, day.tt.name, day.tt.id, tuple(day.absences),
                   tuple(lessons))


def list_absences(db: Database, date=None) -> list[AbsenceInfo]:
    """Absences on ``date`` (all of them when None), by date."""
    with db.read_session() as s:
        code_of = {f.id: f.code for f in s.scalars(select(m.Faculty))}
        faculty = {f.code: _Faculty(f.id, f.code, f.name, "", 0) for f in s.scalars(select(m.Faculty))}
        labels = {p.position: p.label for p in s.scalars(select(m.Period))}
        q = select(m.Absence).order_by(m.Absence.date, m.Absence.id)
        if date is not None:
            q = q.where(m.Absence.date == terms.parse_date(date))
        return [_absence_info(a, code_of, faculty, labels) for a in s.scalars(q)]


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


# ---------------------------------------------------------------------------
# the register
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterRow:
    date: dt.date
    period: str
    course: str
    kind: str
    groups: str
    absent: str
    reason: str
    arrangement: str
    substitute: str | None
    room: str | None
    note: str


@dataclass(frozen=True)
class RegisterTotals:
    code: str
    name: str
    department: str
    taken: int  # lessons taken for colleagues
    given: int  # own lessons covered by colleagues (or left to self-study)


@dataclass(frozen=True)
class Register:
    start: dt.date | None
    end: dt.date | None
    rows: tuple[RegisterRow, ...]
    totals: tuple[RegisterTotals, ...]
    home_department: str = ""

    def eligible(self) -> set[str]:
        """The substitution pool: faculty of the home department (everyone when none is marked home)."""
        return {t.code for t in self.totals if not self.home_department or t.department == self.home_department}

    def spread(self, eligible: set[str] | None = None) -> int:
        """Max minus min substitutions taken, over ``eligible`` faculty (default: :meth:`eligible`)."""
        eligible = self.eligible() if eligible is None else eligible
        vals = [t.taken for t in self.totals if t.code in eligible]
        return max(vals) - min(vals) if vals else 0


def register(db: Database, start=None, end=None) -> Register:
    """Every substitution of the term (or of ``start``–``end``), and per faculty member taken and given."""
    term = terms.get_term(db)
    start = terms.parse_date(start, "from") if start else term.start
    end = terms.parse_date(end, "to") if end else term.end
    with db.read_session() as s:
        depts = {d.id: d.code for d in s.scalars(select(m.Department))}
        home = s.scalar(select(m.Department.code).where(m.Department.is_home.is_(True))) or ""
        fac = {f.id: f for f in s.scalars(select(m.Faculty).order_by(m.Faculty.code))}
        labels = {p.position: p.label for p in s.scalars(select(m.Period))}
        rooms = {r.id: r.code for r in s.scalars(select(m.Room))}
        reasons = {a.id: a.reason for a in s.scalars(select(m.Absence))}
        q = select(m.Substitution).order_by(m.Substitution.date, m.Substitution.period, m.Substitution.id)
        if start:
            q = q.where(m.Substitution.date >= start)
        if end:
            q = q.where(m.Substitution.date <= end)
        rows, taken, given = [], defaultdict(int), defaultdict(int)
        for r in s.scalars(q):
            absent = fac[r.absent_faculty_id].code if r.absent_faculty_id in fac else "?"
            sub = fac[r.substitute_id].code if r.substitute_id in fac else None
            rows.append(RegisterRow(r.date, labels.get(r.period, str(r.period)), r.course_code, r.activity_kind,
                                    r.groups, absent, reasons.get(r.absence_id, ""), r.kind.replace("_", "-"), sub,
                                    rooms.get(r.room_id), r.note))
            given[absent] += 1
            if sub and r.kind in TAKING_KINDS:
                taken[sub] += 1
        totals = tuple(RegisterTotals(f.code, f.name, depts.get(f.department_id, ""), taken[f.code], given[f.code])
                       for f in fac.values())
    return Register(start, end, tuple(rows), totals, home)


def substitution_counts(db: Database) -> dict[str, tuple[int, int]]:
    """faculty code -> (taken, given) over the term (for the workload report)."""
    return {t.code: (t.taken, t.given) for t in register(db).totals}


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
