"""Everything a report needs, read once from the database through the services.

:class:`ReportData` is a plain snapshot (no SQLAlchemy objects), so rendering
can take its time without holding a transaction, and tests can inspect it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ato_desktop.services import availability as av
from ato_desktop.services import calendar as cal
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.services.errors import NotFoundError
from ato_desktop.storage.database import Database


class ReportError(Exception):
    """A report cannot be made (unknown name, no timetable, ...): a message for the user."""


@dataclass
class ReportData:
    institution: str
    department: str
    term: str
    calendar: cal.Calendar
    timetable: tts.TimetableInfo
    sessions: list[tts.SessionView]
    faculty: dict[str, dict]  # code -> item dict (services.resources)
    rooms: dict[str, dict]
    groups: dict[str, dict]
    courses: dict[str, dict]
    baskets: dict[str, dict]
    generated: dt.datetime
    faculty_unavailable: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    room_unavailable: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    substitutions: dict[str, tuple[int, int]] = field(default_factory=dict)  # code -> (taken, given) this term

    # ---- structure -------------------------------------------------------------
    def children(self, code: str) -> list[str]:
        return sorted(c for c, g in self.groups.items() if g.get("parent") == code)

    def ancestors(self, code: str) -> list[str]:
        out, seen = [], set()
        parent = self.groups.get(code, {}).get("parent")
        while parent and parent not in seen:
            out.append(parent)
            seen.add(parent)
            parent = self.groups.get(parent, {}).get("parent")
        return out

    def descendants(self, code: str) -> list[str]:
        out, todo = [], list(self.children(code))
        while todo:
            c = todo.pop()
            if c not in out:
                out.append(c)
                todo.extend(self.children(c))
        return out

    def top_groups(self) -> list[str]:
        """Sections and other groups without a parent, that have at least one session."""
        return [c for c in sorted(self.groups) if not self.groups[c].get("parent") and self.group_sessions(c)]

    def active_faculty(self) -> list[str]:
        used = {f for s in self.sessions for f in s.faculty}
        return [c for c in sorted(self.faculty) if c in used]

    def active_rooms(self) -> list[str]:
        return sorted(self.rooms)

    # ---- sessions of one timetable ---------------------------------------------
    def group_sessions(self, code: str) -> list[tts.SessionView]:
        """A group's sessions: its own, its batches', its section's, and its elective baskets'."""
        related = {code, *self.descendants(code), *self.ancestors(code)}
        baskets = {b for b, item in self.baskets.items() if related & set(item.get("cohorts") or [])}
        return [s for s in self.sessions if related & set(s.groups) or (s.basket and s.basket in baskets)]

    def faculty_sessions(self, code: str) -> list[tts.SessionView]:
        return [s for s in self.sessions if code in s.faculty]

    def room_sessions(self, code: str) -> list[tts.SessionView]:
        return [s for s in self.sessions if s.room == code]

    def unscheduled(self) -> list[tts.SessionView]:
        return [s for s in self.sessions if not s.scheduled]

    def teaching_periods(self) -> list[int]:
        return [p.position for p in self.calendar.periods if not p.is_break]

    def resolve(self, kind: str, name: str) -> str:
        """The exact code of a group / faculty member / room typed by the user (case-insensitive)."""
        table = {"group": self.groups, "faculty": self.faculty, "room": self.rooms}[kind]
        if name in table:
            return name
        folded = {c.lower(): c for c in table}
        hit = folded.get(name.strip().lower())
        if hit:
            return hit
        label = {"group": "student group", "faculty": "faculty member", "room": "room"}[kind]
        known = ", ".join(sorted(table)[:12]) + (" ..." if len(table) > 12 else "")
        raise ReportError(f"there is no {label} {name!r}. Known: {known or 'none'}.")


def load_report_data(db: Database, timetable: int | str | None = None, *, now: dt.datetime | None = None,
                     with_availability: bool = True) -> ReportData:
    """Read a timetable version (``None`` = the latest) and every resource it mentions."""
    try:
        info = tts.get_timetable(db, timetable)
    except NotFoundError:
        if timetable is None:
            raise ReportError("this database has no timetable version yet; create or optimize one first.") from None
        names = ", ".join(repr(t.name) for t in tts.list_timetables(db)) or "none"
        raise ReportError(f"there is no timetable version {timetable!r}. Versions: {names}.") from None
    sessions = tts.list_sessions(db, info.id)
    settings = cal.all_settings(db)
    data = ReportData(
        institution=settings.get("institution_name", ""),
        department=settings.get("department_name", ""),
        term=settings.get("term", ""),
        calendar=cal.get_calendar(db),
        timetable=info,
        sessions=sessions,
        faculty={f["code"]: f for f in res.list_items(db, "faculty")},
        rooms={r["code"]: r for r in res.list_items(db, "room")},
        groups={g["code"]: g for g in res.list_items(db, "group")},
        courses={c["code"]: c for c in res.list_items(db, "course")},
        baskets={b["code"]: b for b in res.list_items(db, "basket")},
        generated=now or dt.datetime.now().astimezone(),
    )
    from ato_desktop.services.substitutions import substitution_counts

    data.substitutions = substitution_counts(db)
    if with_availability:
        for code in data.faculty:
            marks = av.get_marks(db, "faculty", code)
            data.faculty_unavailable[code] = {k for k, v in marks.items() if v == "unavailable"}
        for code in data.rooms:
            marks = av.get_marks(db, "room", code)
            data.room_unavailable[code] = {k for k, v in marks.items() if v == "unavailable"}
    return data
