"""A timetable version as plain data, for the writers that publish it (website, iCalendar, Excel).

The services fill a :class:`TimetableView` (from a published version's frozen snapshot, or a draft's
live sessions); the writers in ``io/`` and ``reports/`` only read it, so they never touch the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

KIND_NAMES = {"L": "Lecture", "T": "Tutorial", "P": "Practical"}
ENTITY_KINDS = ("faculty", "group", "room")
ENTITY_LABELS = {"faculty": "Faculty", "group": "Student group", "room": "Room"}


@dataclass(frozen=True)
class ViewDay:
    position: int
    name: str
    short: str


@dataclass(frozen=True)
class ViewPeriod:
    position: int
    label: str
    start: str  # "09:00"
    end: str
    is_break: bool


@dataclass(frozen=True)
class ViewSession:
    activity_id: int
    occurrence: int
    course_code: str
    course_title: str
    kind: str  # L, T, P
    duration: int
    day: int | None  # calendar day position
    period: int | None  # first period position
    groups: tuple[str, ...]
    faculty: tuple[str, ...]
    room: str | None
    basket: str | None = None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def scheduled(self) -> bool:
        return self.day is not None and self.period is not None

    @property
    def key(self) -> str:
        """Stable across versions of the same department: the activity and which of its weekly sessions."""
        return f"a{self.activity_id}-{self.occurrence}"


@dataclass(frozen=True)
class ViewEntity:
    kind: str  # faculty | group | room
    code: str
    name: str
    sessions: tuple[ViewSession, ...]

    @property
    def title(self) -> str:
        if self.name and self.name != self.code:
            return f"{self.name} ({self.code})"
        return self.code


@dataclass(frozen=True)
class TermDates:
    """The term's real dates: which calendar day's timetable runs on each date (``None``: no teaching)."""

    start: dt.date
    end: dt.date
    time_zone: str
    runs: dict[dt.date, int | None]  # every date from start to end
    labels: dict[dt.date, str] = field(default_factory=dict)  # "Holiday: Diwali", "Follows Monday"


@dataclass
class TimetableView:
    institution: str
    department: str
    department_code: str
    term_label: str
    version: str
    status: str
    generated: dt.datetime
    days: tuple[ViewDay, ...]
    periods: tuple[ViewPeriod, ...]
    sessions: tuple[ViewSession, ...]
    faculty: tuple[ViewEntity, ...]
    groups: tuple[ViewEntity, ...]
    rooms: tuple[ViewEntity, ...]
    faculty_names: dict[str, str]
    room_names: dict[str, str]
    group_names: dict[str, str]
    course_titles: dict[str, str]
    term: TermDates | None = None
    # day position -> period position -> (start, end): a day's own period times (a Saturday's shorter periods)
    day_times: dict[int, dict[int, tuple[str, str]]] = field(default_factory=dict)

    def entities(self, kind: str) -> tuple[ViewEntity, ...]:
        return {"faculty": self.faculty, "group": self.groups, "room": self.rooms}[kind]

    def period(self, position: int) -> ViewPeriod | None:
        for p in self.periods:
            if p.position == position:
                return p
        return None

    def day(self, position: int) -> ViewDay | None:
        for d in self.days:
            if d.position == position:
                return d
        return None

    def times(self, s: ViewSession) -> tuple[str, str] | None:
        """The session's local start and end clock times ("09:00", "10:50"), or None when unscheduled."""
        if not s.scheduled:
            return None
        first = self.period(s.period)
        last = self.period(s.period + max(1, s.duration) - 1) or first
        if first is None:
            return None
        own = self.day_times.get(s.day, {})
        return own.get(first.position, (first.start, first.end))[0], own.get(last.position, (last.start, last.end))[1]

    def period_span(self, s: ViewSession) -> str:
        first = self.period(s.period) if s.period is not None else None
        last = self.period(s.period + max(1, s.duration) - 1) if s.period is not None else None
        if first is None:
            return ""
        if last is None or last.position == first.position:
            return first.label
        return f"{first.label}–{last.label}"


def day_blocks(sessions) -> list[tuple[int, int, list[ViewSession]]]:
    """Runs of overlapping sessions of one day: (first period, one past the last, sessions in order)."""
    items = sorted(((s.period, s.period + max(1, s.duration), s) for s in sessions if s.scheduled),
                   key=lambda x: (x[0], x[1], x[2].course_code, x[2].activity_id, x[2].occurrence))
    out: list[list] = []
    for lo, hi, s in items:
        if out and lo < out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
            out[-1][2].append(s)
        else:
            out.append([lo, hi, [s]])
    return [(lo, hi, ss) for lo, hi, ss in out]


def short_group(code: str, context: str | None) -> str:
    """``CSE-3A-B1`` shown as ``B1`` on the timetable of CSE-3A."""
    if context and code.startswith(context + "-"):
        return code[len(context) + 1:]
    return code


def detail_parts(view: TimetableView, kind: str, s: ViewSession, context: str | None) -> list[str]:
    """What a cell says besides the course: groups and room for a teacher, groups and teachers for a room,
    room and teachers (and the groups, unless it is the group's own) for a group or the master."""
    groups = ", ".join(short_group(g, context) for g in s.groups)
    faculty = ", ".join(view.faculty_names.get(f, f) for f in s.faculty)
    room = s.room or "no room"
    if kind == "faculty":
        return [groups, room]
    if kind == "room":
        return [groups, faculty]
    own = context is not None and list(s.groups) == [context]
    return ([] if own else [groups]) + [room, faculty]
