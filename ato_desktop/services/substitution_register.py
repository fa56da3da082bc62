"""The substitution register: who covered whose lessons over a span of dates, with totals per faculty member."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from ato_desktop.services import term as terms
from ato_desktop.services.substitution_day import TAKING_KINDS
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


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
