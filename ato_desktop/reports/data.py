"""Everything a report needs, read once from the database by the services.

:class:`ReportData` is a plain snapshot (no SQLAlchemy objects), so rendering
can take its time without holding a transaction, and tests can inspect it.
``services.reports.load_report_data`` fills it in; the reports never read the
database themselves. The types named in its annotations (``Calendar``,
``TimetableInfo``, ``SessionView``) are the services' plain dataclasses
(``services.calendar``, ``services.timetables``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable


class ReportError(Exception):
    """A report cannot be made (unknown name, no timetable, ...): a message for the user."""


@dataclass
class ReportData:
    institution: str
    department: str
    term: str
    calendar: Calendar
    timetable: TimetableInfo
    sessions: list[SessionView]
    faculty: dict[str, dict]  # code -> item dict (services.resources)
    rooms: dict[str, dict]
    groups: dict[str, dict]
    courses: dict[str, dict]
    baskets: dict[str, dict]
    generated: dt.datetime
    faculty_unavailable: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    room_unavailable: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    substitutions: dict[str, tuple[int, int]] = field(default_factory=dict)  # code -> (taken, given) this term
    weekly_norms: dict[str, int] = field(default_factory=dict)  # code -> UGC direct teaching norm (0: none)
    # () -> (the compiled problem, the version's assignment), read when a report lists conflicts
    compiled: Callable[[], tuple] | None = None
    # day position -> period position -> (start, end): a day's own period times (services.bells)
    day_times: dict[int, dict[int, tuple[str, str]]] = field(default_factory=dict)

    def period_times(self, day: int | None, period: int) -> tuple[str, str]:
        """The clock times of ``period`` on ``day`` (its own, else the calendar's; ``day`` None: the calendar's)."""
        own = self.day_times.get(day, {}).get(period) if day is not None else None
        if own is not None:
            return own
        p = self.calendar.periods[period]
        return p.start_time, p.end_time

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
            by_faculty: dict[str, list[SessionView]] = {}
            by_room: dict[str, list[SessionView]] = {}
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
    def group_sessions(self, code: str) -> list[SessionView]:
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

    def faculty_sessions(self, code: str) -> list[SessionView]:
        return list(self._index()["faculty"].get(code, ()))

    def room_sessions(self, code: str) -> list[SessionView]:
        return list(self._index()["room"].get(code, ()))

    def unscheduled(self) -> list[SessionView]:
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
