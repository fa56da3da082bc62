"""The figures behind the Dashboard page and the review package's charts, for one timetable version.

Read-only and Qt-free (the page computes it in a worker). Sessions are read as
:func:`services.frozen.sessions_of` gives them (a published, approved or submitted version's frozen
snapshot, a draft's live placements); the soft cost by rule is the engine's ``evaluate`` of the
version against the data as it is now (as ``versions compare`` does). The figures:

* *faculty load*: periods taught a week (scheduled sessions) against the faculty member's maximum
  (``max_weekly_periods``, 0 = none) and the UGC direct-teaching norm (``services.templates``);
* *room utilization*: for each day and teaching period, the share of rooms occupied;
* *soft cost by rule*: each soft rule of ``engine.rules`` with its cost (weight × count);
* *group compactness*: per student group, idle periods between classes (gaps), isolated sessions and
  days with classes (as ``services.compare`` counts them);
* *trend*: the stored hard and soft score of every version, oldest first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select

from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


@dataclass(frozen=True)
class FacultyLoad:
    code: str
    taught: int  # scheduled periods a week
    maximum: int  # max_weekly_periods (0 = no limit)
    norm: int  # UGC direct teaching norm (0 = none)


@dataclass(frozen=True)
class GroupCompactness:
    code: str
    gaps: int
    isolated: int
    days: int


@dataclass(frozen=True)
class TrendPoint:
    id: int
    name: str
    status: str
    hard: int | None  # None: never scored
    soft: int | None


@dataclass(frozen=True)
class DashboardData:
    version_id: int
    version: str
    status: str
    hard: int
    soft: int
    faculty: tuple[FacultyLoad, ...]
    days: tuple[str, ...]  # short day names, in order
    periods: tuple[str, ...]  # teaching period labels, in order
    rooms: int  # rooms counted in the utilization
    utilization: tuple[tuple[float, ...], ...]  # [day][period] share of rooms occupied, 0..1
    soft_rules: tuple[tuple[str, str, int], ...]  # (rule name, label, cost), engine.rules order
    groups: tuple[GroupCompactness, ...]
    trend: tuple[TrendPoint, ...]

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def overall_utilization(self) -> float:
        cells = [u for row in self.utilization for u in row]
        return sum(cells) / len(cells) if cells else 0.0


def dashboard_data(db: Database, key: int | str | None = None) -> DashboardData:
    """The dashboard of version ``key`` (default: the most recently changed one). Slow-ish (one engine
    evaluation): run it in a worker in the GUI."""
    from ato_desktop.engine.evaluate import evaluate
    from ato_desktop.engine.rules import SOFT_RULES
    from ato_desktop.services import templates
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.compare import version_figures
    from ato_desktop.services.compile import compile_database
    from ato_desktop.services.frozen import sessions_of

    info = tts.get_timetable(db, key)
    comp, assignment, _ = compile_database(db, info.id)
    score = evaluate(comp.problem, assignment)
    norms = templates.norms_by_faculty(db)
    trend = tuple(TrendPoint(t.id, t.name, t.status, int(score.hard), int(score.soft)) if t.id == info.id  # as now
                  else TrendPoint(t.id, t.name, t.status, t.hard_cost, t.soft_cost) for t in tts.list_timetables(db))
    with db.read_session() as s:
        days = s.execute(select(m.Day.position, m.Day.short_name).order_by(m.Day.position)).all()
        periods = s.execute(select(m.Period.position, m.Period.label).where(m.Period.is_break.is_(False))
                            .order_by(m.Period.position)).all()
        teaching = {p.position for p in periods}
        rooms = list(s.scalars(select(m.Room.code).order_by(m.Room.code)))
        fac_rows = s.execute(select(m.Faculty.code, m.Faculty.max_weekly_periods).order_by(m.Faculty.code)).all()
        group_codes = list(s.scalars(select(m.StudentGroup.code).order_by(m.StudentGroup.code)))
        tt = s.get(m.Timetable, info.id)
        sessions = sessions_of(s, tt)
        fig = version_figures(tt, sessions, score, teaching, len(days), rooms, [r.code for r in fac_rows], group_codes)
    taught: dict[str, int] = {}
    occupied: dict[tuple[int, int], set[str]] = {}
    for fs in sessions:
        if not fs.scheduled:
            continue
        for code in fs.faculty_codes:
            taught[code] = taught.get(code, 0) + fs.duration
        if fs.room_code:
            for p in range(fs.period, fs.period + fs.duration):
                occupied.setdefault((fs.day, p), set()).add(fs.room_code)
    n_rooms = len(rooms)
    utilization = tuple(tuple(len(occupied.get((d.position, p.position), ())) / n_rooms if n_rooms else 0.0
                              for p in periods) for d in days)
    rules = {r.name: r for r in score.by_constraint.values()}
    soft_rules = tuple((name, rules[name].label, int(rules[name].cost)) for name in SOFT_RULES
                       if name in rules and rules[name].enabled)
    return DashboardData(
        version_id=info.id, version=info.name, status=info.status, hard=int(score.hard), soft=int(score.soft),
        faculty=tuple(FacultyLoad(r.code, taught.get(r.code, 0), int(r.max_weekly_periods or 0),
                                  int(norms.get(r.code, 0))) for r in fac_rows),
        days=tuple(d.short_name for d in days), periods=tuple(p.label for p in periods), rooms=n_rooms,
        utilization=utilization, soft_rules=soft_rules,
        groups=tuple(GroupCompactness(g.code, g.gaps, g.isolated, g.days) for g in fig.groups),
        trend=trend)
