"""Everything a report needs, read once from the database through the services.

:class:`ReportData` is a plain snapshot (no SQLAlchemy objects), so rendering
can take its time without holding a transaction, and tests can inspect it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

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

    # ---- indexes (built once: a campus book asks for each of hundreds of groups) ----
    def _index(self) -> dict:
        idx = self.__dict__.get("_idx")
        if idx is None:
            kids: dict[str, list[str]] = {}
            for c, g in self.groups.items():
                if g.get("parent"):
                    kids.setdefault(g["parent"], []).append(c)
            by_group: dict[str, list[int]] = {}
            by_basket: dict[str, list[int]] = {}
            by_faculty: dict[str, list[tts.SessionView]] = {}
            by_room: dict[str, list[tts.SessionView]] = {}
            for i, s in enumerate(self.sessions):
                for g in s.groups:
                    by_group.setdefault(g, []).append(i)
                if s.basket:
                    by_basket.setdefault(s.basket, []).append(i)
                for f in s.faculty:
                    by_faculty.setdefault(f, []).append(s)
                if s.room:
                    by_room.setdefault(s.room, []).append(s)
            cohorts: dict[str, set[str]] = {}
            for b, item in self.baskets.items():
                for g in item.get("cohorts") or []:
                    cohorts.setdefault(g, set()).add(b)
            idx = self.__dict__["_idx"] = {
                "kids": {c: sorted(v) for c, v in kids.items()}, "group": by_group, "basket": by_basket,
                "faculty": by_faculty, "room": by_room, "cohorts": cohorts, "group_cache": {},
            }
        return idx

    # ---- structure -------------------------------------------------------------
    def children(self, code: str) -> list[str]:
        return list(self._index()["kids"].get(code, ()))

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
        cached = self.__dict__.get("_top")
        if cached is None:
            cached = self.__dict__["_top"] = [c for c in sorted(self.groups)
                                              if not self.groups[c].get("parent") and self.group_sessions(c)]
        return list(cached)

    def active_faculty(self) -> list[str]:
        used = {f for s in self.sessions for f in s.faculty}
        return [c for c in sorted(self.faculty) if c in used]

    def active_rooms(self) -> list[str]:
        return sorted(self.rooms)

    # ---- sessions of one timetable ---------------------------------------------
    def group_sessions(self, code: str) -> list[tts.SessionView]:
        """A group's sessions: its own, its batches', its section's, and its elective baskets'."""
        idx = self._index()
        hit = idx["group_cache"].get(code)
        if hit is None:
            related = {code, *self.descendants(code), *self.ancestors(code)}
            baskets = set().union(*(idx["cohorts"].get(g, set()) for g in related))
            found = {i for g in related for i in idx["group"].get(g, ())}
            found.update(i for b in baskets for i in idx["basket"].get(b, ()))
            hit = idx["group_cache"][code] = [self.sessions[i] for i in sorted(found)]
        return list(hit)

    def faculty_sessions(self, code: str) -> list[tts.SessionView]:
        return list(self._index()["faculty"].get(code, ()))

    def room_sessions(self, code: str) -> list[tts.SessionView]:
        return list(self._index()["room"].get(code, ()))

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
    """Read a timetable version (``None`` = the latest) and every resource it mentions.

    A published version is read from its frozen snapshot: its sessions, teachers, rooms and the
    names printed about them as they were when it was published."""
    try:
        info = tts.get_timetable(db, timetable)
    except NotFoundError:
        if timetable is None:
            raise ReportError("this database has no timetable version yet; create or optimize one first.") from None
        names = ", ".join(repr(t.name) for t in tts.list_timetables(db)) or "none"
        raise ReportError(f"there is no timetable version {timetable!r}. Versions: {names}.") from None
    frozen = tts.published_sessions(db, info.id)  # a published version prints as it was published
    if frozen is not None:
        sessions = [tts.frozen_view(fs, -1 - i) for i, fs in enumerate(frozen)]
    else:
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
    if frozen is not None:
        _use_published_names(data, frozen)
    from ato_desktop.services.substitution_register import substitution_counts

    data.substitutions = substitution_counts(db)
    if with_availability:
        for code in data.faculty:
            marks = av.get_marks(db, "faculty", code)
            data.faculty_unavailable[code] = {k for k, v in marks.items() if v == "unavailable"}
        for code in data.rooms:
            marks = av.get_marks(db, "room", code)
            data.room_unavailable[code] = {k for k, v in marks.items() if v == "unavailable"}
    return data


def _use_published_names(data: ReportData, frozen) -> None:
    """Names as they were at publish time (a teacher, room, group or course renamed or removed since
    still prints as it was published)."""
    def put(table: dict, code: str, **values) -> None:
        item = dict(table.get(code) or {"code": code})
        item.update(values)
        table[code] = item

    for fs in frozen:
        for code, name in zip(fs.faculty_codes, fs.faculty_names):
            put(data.faculty, code, name=name)
        for code, name in zip(fs.group_codes, fs.group_names):
            put(data.groups, code, name=name)
        if fs.room_code:
            put(data.rooms, fs.room_code, name=fs.room_name or fs.room_code)
        put(data.courses, fs.course_code, title=fs.course_title)
    # the day names and period labels and times printed, as they were (where the calendar still has them)
    days = {fs.day: (fs.day_name, fs.day_short) for fs in frozen if fs.day is not None and fs.day_name}
    periods = {fs.period: (fs.period_label, fs.start_time, fs.end_time)
               for fs in frozen if fs.period is not None and fs.duration == 1 and fs.period_label}
    calendar = data.calendar
    data.calendar = replace(calendar, days=tuple(
        replace(d, name=days[d.position][0], short_name=days[d.position][1] or d.short_name)
        if d.position in days else d for d in calendar.days), periods=tuple(
        replace(p, label=periods[p.position][0], start_time=periods[p.position][1] or p.start_time,
                end_time=periods[p.position][2] or p.end_time)
        if p.position in periods else p for p in calendar.periods))
