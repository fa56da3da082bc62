"""Published versions are frozen snapshots (``published_session``).

When a version is published, each of its sessions is copied with the facts printed and mailed about
it (course code and title, kind, groups, faculty codes and names, room code and name, day and period
labels and times). From then on PDFs, e-mails and change notices about that version read the copy, so
a later change of an activity's teacher or room, or a renamed room, does not rewrite what was
published; and the services refuse to edit the version itself (:func:`ensure_editable`): the
coordinator copies it to a new draft instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ato_desktop.services.errors import ServiceError
from ato_desktop.storage import models as m

# archived: a published version retired, still as published. submitted and approved (services.approval):
# the approver reviews exactly what was submitted, and what is approved is what is published; "returned"
# is editable again.
FROZEN_STATUSES = ("submitted", "approved", "published", "archived")
_FROZEN_AS = {"submitted": "submitted for review", "approved": "approved"}


class FrozenVersionError(ServiceError):
    """An edit of a published, approved or submitted (frozen) version was refused."""

    def __init__(self, name: str, what: str, status: str = "published"):
        self.version = name
        self.status = status
        if status in _FROZEN_AS:
            super().__init__(f"{what} is not possible: the version {name!r} is {_FROZEN_AS[status]} and frozen. "
                             "Return it for changes, or copy it to a new draft to change it.")
        else:
            super().__init__(f"{what} is not possible: the version {name!r} is published and frozen. "
                             "Copy it to a new draft to change it.")


def is_frozen(tt: m.Timetable) -> bool:
    return tt.status in FROZEN_STATUSES


def ensure_editable(tt: m.Timetable, what: str) -> None:
    """Raise :class:`FrozenVersionError` when ``tt`` is frozen (``what``: "Moving a session", …)."""
    if is_frozen(tt):
        raise FrozenVersionError(tt.name, what, tt.status)


@dataclass(frozen=True)
class FrozenSession:
    """One session as published (or as it would be published now)."""

    activity_id: int
    occurrence: int
    course_code: str
    course_title: str
    kind: str
    duration: int
    basket: str | None
    group_codes: tuple[str, ...]
    group_names: tuple[str, ...]
    faculty_codes: tuple[str, ...]
    faculty_names: tuple[str, ...]
    room_code: str | None
    room_name: str | None
    day: int | None
    period: int | None
    day_name: str | None
    day_short: str | None
    period_label: str | None
    start_time: str | None
    end_time: str | None
    session_id: int | None = None  # the SessionAssignment row, while it exists

    @property
    def scheduled(self) -> bool:
        return self.day is not None

    @property
    def kind_name(self) -> str:
        return m.ACTIVITY_KIND_NAMES.get(self.kind, self.kind)

    @property
    def label(self) -> str:
        """ "CS201 Lecture (CSE-3A) #1" """
        return f"{self.course_code} {self.kind_name} ({', '.join(self.group_codes)}) #{self.occurrence + 1}"

    @property
    def slot_text(self) -> str:
        """ "Mon P3 (10:00–10:50)" or "not scheduled" """
        if self.day is None:
            return "not scheduled"
        return f"{self.day_short} {self.period_label} ({self.start_time}–{self.end_time})"

    def as_row(self) -> dict:
        return dict(activity_id=self.activity_id, occurrence=self.occurrence, course_code=self.course_code,
                    course_title=self.course_title, kind=self.kind, duration=self.duration, basket=self.basket,
                    group_codes=list(self.group_codes), group_names=list(self.group_names),
                    faculty_codes=list(self.faculty_codes), faculty_names=list(self.faculty_names),
                    room_code=self.room_code, room_name=self.room_name, day=self.day, period=self.period,
                    day_name=self.day_name, day_short=self.day_short, period_label=self.period_label,
                    start_time=self.start_time, end_time=self.end_time)


def live_sessions(s: Session, tt_id: int, faculty_id: int | None = None) -> list[FrozenSession]:
    """The version's sessions with today's names and labels (what publishing it now would freeze)."""
    sa = m.SessionAssignment
    q = select(sa.id, sa.activity_id, sa.occurrence, sa.day_id, sa.period_id, sa.room_id).where(sa.timetable_id == tt_id)
    if faculty_id is not None:
        q = q.where(sa.activity_id.in_(select(m.activity_faculty.c.activity_id)
                                       .where(m.activity_faculty.c.faculty_id == faculty_id)))
    rows = s.execute(q.order_by(sa.activity_id, sa.occurrence)).all()
    if not rows:
        return []
    a = m.Activity
    acts = {r.id: r for r in s.execute(select(a.id, a.course_id, a.kind, a.duration, a.basket_id))}
    courses = {r.id: (r.code, r.title) for r in s.execute(select(m.Course.id, m.Course.code, m.Course.title))}
    baskets = {r.id: r.code for r in s.execute(select(m.ElectiveBasket.id, m.ElectiveBasket.code))}
    groups: dict[int, list[tuple[str, str]]] = {}
    for aid, code, name in s.execute(select(m.activity_group.c.activity_id, m.StudentGroup.code, m.StudentGroup.name)
                                     .join(m.StudentGroup, m.StudentGroup.id == m.activity_group.c.group_id)):
        groups.setdefault(aid, []).append((code, name or code))
    faculty: dict[int, list[tuple[str, str]]] = {}
    for aid, code, name in s.execute(select(m.activity_faculty.c.activity_id, m.Faculty.code, m.Faculty.name)
                                     .join(m.Faculty, m.Faculty.id == m.activity_faculty.c.faculty_id)):
        faculty.setdefault(aid, []).append((code, name or code))
    days = {r.id: r for r in s.execute(select(m.Day.id, m.Day.position, m.Day.name, m.Day.short_name))}
    periods = {r.id: r for r in s.execute(select(m.Period.id, m.Period.position, m.Period.label,
                                                 m.Period.start_time, m.Period.end_time))}
    by_pos = {p.position: p for p in periods.values()}
    rooms = {r.id: (r.code, r.name or r.code) for r in s.execute(select(m.Room.id, m.Room.code, m.Room.name))}
    from ato_desktop.services.bells import day_times_by_position

    own = day_times_by_position(s)  # a day's own period times (a Saturday's shorter periods), said in mails
    out = []
    for r in rows:
        act = acts.get(r.activity_id)
        if act is None:
            continue
        code, title = courses[act.course_id]
        g = sorted(groups.get(act.id, []))
        f = sorted(faculty.get(act.id, []))
        day = days.get(r.day_id) if r.day_id is not None else None
        first = periods.get(r.period_id) if r.period_id is not None else None
        last = by_pos.get(first.position + act.duration - 1, first) if first is not None else None
        if first is not None and last is not None and last.position != first.position:
            plabel = f"{first.label}–{last.label}"
        else:
            plabel = first.label if first is not None else None
        room = rooms.get(r.room_id) if r.room_id is not None else None
        times = own.get(day.position, {}) if day is not None else {}
        start = times.get(first.position, (first.start_time, None))[0] if first is not None else None
        end = times.get(last.position, (None, last.end_time))[1] if last is not None else None
        out.append(FrozenSession(
            activity_id=act.id, occurrence=r.occurrence, course_code=code, course_title=title or "", kind=act.kind,
            duration=act.duration, basket=baskets.get(act.basket_id) if act.basket_id is not None else None,
            group_codes=tuple(c for c, _ in g), group_names=tuple(n for _, n in g),
            faculty_codes=tuple(c for c, _ in f), faculty_names=tuple(n for _, n in f),
            room_code=room[0] if room else None, room_name=room[1] if room else None,
            day=day.position if day is not None and first is not None else None,
            period=first.position if day is not None and first is not None else None,
            day_name=day.name if day is not None else None, day_short=day.short_name if day is not None else None,
            period_label=plabel, start_time=start, end_time=end, session_id=r.id))
    return out


def has_snapshot(s: Session, tt_id: int) -> bool:
    return s.scalar(select(m.PublishedSession.id).where(m.PublishedSession.timetable_id == tt_id).limit(1)) is not None


def frozen_sessions(s: Session, tt_id: int, faculty_code: str | None = None) -> list[FrozenSession]:
    """The snapshot of a published version (in activity and occurrence order)."""
    ps = m.PublishedSession
    ids = {(r.activity_id, r.occurrence): r.id for r in s.execute(
        select(m.SessionAssignment.id, m.SessionAssignment.activity_id, m.SessionAssignment.occurrence)
        .where(m.SessionAssignment.timetable_id == tt_id))}
    out = []
    for r in s.scalars(select(ps).where(ps.timetable_id == tt_id).order_by(ps.activity_id, ps.occurrence)):
        if faculty_code is not None and faculty_code not in (r.faculty_codes or []):
            continue
        out.append(FrozenSession(
            activity_id=r.activity_id, occurrence=r.occurrence, course_code=r.course_code,
            course_title=r.course_title, kind=r.kind, duration=r.duration, basket=r.basket,
            group_codes=tuple(r.group_codes or ()), group_names=tuple(r.group_names or ()),
            faculty_codes=tuple(r.faculty_codes or ()), faculty_names=tuple(r.faculty_names or ()),
            room_code=r.room_code, room_name=r.room_name, day=r.day, period=r.period, day_name=r.day_name,
            day_short=r.day_short, period_label=r.period_label, start_time=r.start_time, end_time=r.end_time,
            session_id=ids.get((r.activity_id, r.occurrence))))
    return out


def sessions_of(s: Session, tt: m.Timetable, faculty_id: int | None = None,
                faculty_code: str | None = None) -> list[FrozenSession]:
    """What is printed and mailed about ``tt``: its snapshot when published, else its live sessions."""
    if is_frozen(tt) and has_snapshot(s, tt.id):
        return frozen_sessions(s, tt.id, faculty_code)
    return live_sessions(s, tt.id, faculty_id)


def freeze(s: Session, tt: m.Timetable) -> int:
    """Write the snapshot of ``tt`` (replacing any earlier one) in the caller's transaction. Returns its size."""
    s.execute(delete(m.PublishedSession).where(m.PublishedSession.timetable_id == tt.id)
              .execution_options(synchronize_session=False))
    rows = live_sessions(s, tt.id)
    for fs in rows:
        s.add(m.PublishedSession(timetable_id=tt.id, **fs.as_row()))
    _freeze_times(s, tt.id)
    s.flush()
    return len(rows)


def unfreeze(s: Session, tt: m.Timetable) -> None:
    """Drop the snapshot (undo of a publication, in the caller's transaction)."""
    s.execute(delete(m.PublishedSession).where(m.PublishedSession.timetable_id == tt.id)
              .execution_options(synchronize_session=False))
    row = s.get(m.Setting, frozen_times_key(tt.id))
    if row is not None:
        s.delete(row)


# The period times of a frozen version: every period's clock times and each day's own times
# (services.bells, a Saturday half-day), as they were when it was frozen. Kept in the key/value settings
# under the version's id (no schema change); the printed reports, the website and the .ics calendars of
# the version read them (services.reports.load_report_data), so a later edit of the bells does not
# rewrite what was published.
FROZEN_TIMES_PREFIX = "frozen_period_times:"


def frozen_times_key(tt_id: int) -> str:
    return f"{FROZEN_TIMES_PREFIX}{int(tt_id)}"


def _freeze_times(s: Session, tt_id: int) -> None:
    import json

    from ato_desktop.services.bells import day_times_by_position

    periods = {str(p.position): [p.start_time, p.end_time] for p in s.scalars(select(m.Period))}
    days = {str(d): {str(p): list(t) for p, t in row.items()} for d, row in day_times_by_position(s).items()}
    value = json.dumps({"periods": periods, "days": days}, ensure_ascii=False, sort_keys=True)
    row = s.get(m.Setting, frozen_times_key(tt_id))
    if row is None:
        s.add(m.Setting(key=frozen_times_key(tt_id), value=value))
    else:
        row.value = value


def frozen_times(s: Session, tt_id: int) -> tuple[dict[int, tuple[str, str]], dict[int, dict[int, tuple[str, str]]]] | None:
    """(period position -> (start, end), day position -> period position -> its own (start, end)) as frozen
    with the version; None when it was frozen before its times were kept (or the value is unreadable)."""
    import json

    row = s.get(m.Setting, frozen_times_key(tt_id))
    if row is None:
        return None
    try:
        raw = json.loads(row.value)
        periods = {int(p): (str(t[0]), str(t[1])) for p, t in raw["periods"].items()}
        days = {int(d): {int(p): (str(t[0]), str(t[1])) for p, t in ps.items()} for d, ps in raw["days"].items()}
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
    return periods, days
