"""One date's arrangements as read: the lessons to cover, their arrangements and ranked candidates.

The arrangement of a date sits on top of a timetable version: the most recently *published* one,
unless a version is named (:func:`base_timetable`). Candidates for a lesson are ranked; the hard
rules filter, the rest order:

1. free at every period of the lesson on that date (their own lessons, their own absence, their
   unavailable periods, and substitutions already assigned that day) — hard;
2. their periods that day plus the lesson within their daily limit — hard;
3. teaches that group or that course — preferred;
4. same department as the absent faculty member;
5. fewest substitutions so far this term (fairness);
6. fewest periods that day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ato_desktop.services import term as terms
from ato_desktop.services import timetables as tts
from ato_desktop.services.errors import NotFoundError
from ato_desktop.services.rowchange import row_dict
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


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
