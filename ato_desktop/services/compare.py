"""Two timetable versions side by side: their scores, per-faculty and per-group figures, room
utilization, and which sessions moved from one to the other (``ato-desktop versions compare``, the
versions page's Compare… dialog).

Sessions are read as :func:`services.frozen.sessions_of` gives them (a published version's frozen
snapshot, a draft's live placements); the scores are the engine's ``evaluate`` of each version against
the data as it is now. Figures, per day:

* *gaps*: free teaching periods (breaks excluded) between a person's first and last class of a day;
* *isolated*: a group's session with no class of that group in the period just before or just after it;
* *days*: days with at least one class; *max per day*: the most periods taught on one day;
* *room utilization*: occupied room-periods over rooms × days × teaching periods.

A session *moved* when its day, period, room or teachers differ between the two versions (sessions
are matched by activity and occurrence, which copying a version keeps).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import select

from ato_desktop.services.frozen import FrozenSession, sessions_of
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


@dataclass(frozen=True)
class RuleCost:
    name: str
    label: str
    hard: bool
    count: int
    cost: int


@dataclass(frozen=True)
class PersonFigures:
    """One faculty member (``max_per_day``, ``days``, ``gaps``) or group (``days``, ``gaps``, ``isolated``)."""

    code: str
    days: int
    gaps: int
    max_per_day: int = 0
    isolated: int = 0


@dataclass(frozen=True)
class VersionFigures:
    id: int
    name: str
    status: str
    hard: int
    soft: int
    rules: tuple[RuleCost, ...]
    sessions: int
    scheduled: int
    faculty: tuple[PersonFigures, ...]
    groups: tuple[PersonFigures, ...]
    room_utilization: float  # 0..1 over all rooms
    rooms: tuple[tuple[str, float], ...]  # (room code, utilization)

    def rule(self, name: str) -> RuleCost | None:
        return next((r for r in self.rules if r.name == name), None)


@dataclass(frozen=True)
class MovedSession:
    activity_id: int
    occurrence: int
    label: str  # "CS201 Lecture (CSE-3A) #1"
    groups: tuple[str, ...]
    faculty: tuple[str, ...]  # in either version
    before: str  # "Mon P3 (10:00–10:50), room LH-1" or "not scheduled"
    after: str
    teachers_before: tuple[str, ...]
    teachers_after: tuple[str, ...]

    @property
    def text(self) -> str:
        t = ""
        if self.teachers_before != self.teachers_after:
            t = f"; taught by {', '.join(self.teachers_before) or '-'} → {', '.join(self.teachers_after) or '-'}"
        return f"{self.label}: {self.before} → {self.after}{t}"


@dataclass(frozen=True)
class Comparison:
    a: VersionFigures
    b: VersionFigures
    moved: tuple[MovedSession, ...]
    only_in_a: tuple[str, ...] = ()  # sessions of one version the other lacks (activities added or removed)
    only_in_b: tuple[str, ...] = ()
    by_faculty: dict[str, tuple[int, ...]] = field(default_factory=dict)  # code -> indexes into moved
    by_group: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = asdict(self)
        for i, mv in enumerate(self.moved):
            d["moved"][i]["text"] = mv.text
        return d

    def text_lines(self) -> list[str]:
        a, b = self.a, self.b
        w = max(len(a.name), 12)
        lines = [f"{'':40} {a.name:>{w}}  {b.name:>{w}}",
                 f"{'status':40} {a.status:>{w}}  {b.status:>{w}}",
                 f"{'hard':40} {a.hard:>{w}}  {b.hard:>{w}}",
                 f"{'soft':40} {a.soft:>{w}}  {b.soft:>{w}}",
                 f"{'scheduled':40} {f'{a.scheduled}/{a.sessions}':>{w}}  {f'{b.scheduled}/{b.sessions}':>{w}}",
                 f"{'room utilization':40} {a.room_utilization:>{w}.1%}  {b.room_utilization:>{w}.1%}"]
        for r in a.rules:
            rb = b.rule(r.name)
            if r.cost or (rb and rb.cost):
                kind = "hard" if r.hard else "soft"
                lines.append(f"{(kind + ' ' + r.label)[:40]:40} {r.cost:>{w}}  {(rb.cost if rb else 0):>{w}}")
        lines.append("")
        lines.append("Faculty (days on campus / gaps / max periods per day):")
        fb = {p.code: p for p in b.faculty}
        for p in a.faculty:
            q = fb.get(p.code, PersonFigures(p.code, 0, 0))
            lines.append(f"  {p.code:38} {f'{p.days}/{p.gaps}/{p.max_per_day}':>{w}}  "
                         f"{f'{q.days}/{q.gaps}/{q.max_per_day}':>{w}}")
        lines.append("Groups (days / gaps / isolated sessions):")
        gb = {p.code: p for p in b.groups}
        for p in a.groups:
            q = gb.get(p.code, PersonFigures(p.code, 0, 0))
            lines.append(f"  {p.code:38} {f'{p.days}/{p.gaps}/{p.isolated}':>{w}}  "
                         f"{f'{q.days}/{q.gaps}/{q.isolated}':>{w}}")
        lines.append("")
        lines.append(f"Moved sessions: {len(self.moved)}")
        for mv in self.moved:
            lines.append(f"  {mv.text}")
        for title, index in (("Per faculty", self.by_faculty), ("Per group", self.by_group)):
            if index:
                lines.append(f"{title}:")
                for code, ids in index.items():
                    lines.append(f"  {code}: " + "; ".join(self.moved[i].label for i in ids))
        for label in self.only_in_a:
            lines.append(f"  only in {a.name}: {label}")
        for label in self.only_in_b:
            lines.append(f"  only in {b.name}: {label}")
        return lines


def figure_rows(cmp) -> list[tuple[str, str, str]]:
    """(figure, value in A, value in B) for the side-by-side table."""
    a, b = cmp.a, cmp.b
    rows = [("Status", a.status, b.status), ("Hard", str(a.hard), str(b.hard)), ("Soft", str(a.soft), str(b.soft)),
            ("Scheduled", f"{a.scheduled}/{a.sessions}", f"{b.scheduled}/{b.sessions}"),
            ("Room utilization", f"{a.room_utilization:.1%}", f"{b.room_utilization:.1%}")]
    for r in a.rules:
        rb = b.rule(r.name)
        if r.cost or (rb and rb.cost):
            rows.append((f"{'Hard' if r.hard else 'Soft'}: {r.label}", str(r.cost), str(rb.cost if rb else 0)))
    fb = {p.code: p for p in b.faculty}
    for p in a.faculty:
        q = fb.get(p.code)
        rows.append((f"{p.code}: days / gaps / max per day", f"{p.days} / {p.gaps} / {p.max_per_day}",
                     f"{q.days} / {q.gaps} / {q.max_per_day}" if q else "-"))
    gb = {p.code: p for p in b.groups}
    for p in a.groups:
        q = gb.get(p.code)
        rows.append((f"{p.code}: days / gaps / isolated", f"{p.days} / {p.gaps} / {p.isolated}",
                     f"{q.days} / {q.gaps} / {q.isolated}" if q else "-"))
    rb = dict(b.rooms)
    for code, u in a.rooms:
        rows.append((f"Room {code}", f"{u:.0%}", f"{rb.get(code, 0):.0%}"))
    return rows


def _where(fs: FrozenSession) -> str:
    if not fs.scheduled:
        return "not scheduled"
    return fs.slot_text + (f", room {fs.room_code}" if fs.room_code else "")


def _periods_by_day(sessions: list[FrozenSession], key) -> dict[str, dict[int, set[int]]]:
    out: dict[str, dict[int, set[int]]] = {}
    for fs in sessions:
        if not fs.scheduled:
            continue
        for code in key(fs):
            out.setdefault(code, {}).setdefault(fs.day, set()).update(range(fs.period, fs.period + fs.duration))
    return out


def _gaps(used: set[int], teaching: set[int]) -> int:
    lo, hi = min(used), max(used)
    return sum(1 for p in range(lo, hi + 1) if p in teaching and p not in used)


def version_figures(tt: m.Timetable, sessions: list[FrozenSession], score, teaching: set[int],
                    n_days: int, rooms: list[str], faculty_codes: list[str], group_codes: list[str]) -> VersionFigures:
    """The figures of one version (its sessions and its engine score): per teacher, per group, per room,
    per rule. Used by the comparison and the dashboard."""
    fac = _periods_by_day(sessions, lambda fs: fs.faculty_codes)
    grp = _periods_by_day(sessions, lambda fs: fs.group_codes)
    faculty = tuple(PersonFigures(code, days=len(fac.get(code, {})),
                                  gaps=sum(_gaps(u, teaching) for u in fac.get(code, {}).values()),
                                  max_per_day=max((len(u) for u in fac.get(code, {}).values()), default=0))
                    for code in faculty_codes)
    isolated: dict[str, int] = {}
    for fs in sessions:
        if not fs.scheduled:
            continue
        for code in fs.group_codes:
            used = grp[code][fs.day]
            if fs.period - 1 not in used and fs.period + fs.duration not in used:
                isolated[code] = isolated.get(code, 0) + 1
    groups = tuple(PersonFigures(code, days=len(grp.get(code, {})),
                                 gaps=sum(_gaps(u, teaching) for u in grp.get(code, {}).values()),
                                 isolated=isolated.get(code, 0))
                   for code in group_codes)
    occupied: dict[str, int] = {}
    for fs in sessions:
        if fs.scheduled and fs.room_code:
            occupied[fs.room_code] = occupied.get(fs.room_code, 0) + fs.duration
    capacity = n_days * len(teaching)
    per_room = tuple((r, occupied.get(r, 0) / capacity if capacity else 0.0) for r in rooms)
    total = sum(occupied.values()) / (capacity * len(rooms)) if capacity and rooms else 0.0
    rules = tuple(RuleCost(r.name, r.label, r.is_hard, int(r.count), int(r.cost))
                  for r in score.by_constraint.values() if r.enabled)
    return VersionFigures(id=tt.id, name=tt.name, status=tt.status, hard=int(score.hard), soft=int(score.soft),
                          rules=rules, sessions=len(sessions), scheduled=sum(1 for fs in sessions if fs.scheduled),
                          faculty=faculty, groups=groups, room_utilization=total, rooms=per_room)


def compare_versions(db: Database, a: int | str, b: int | str) -> Comparison:
    """Compare version ``a`` (before) with ``b`` (after). Read-only; slow-ish (two engine evaluations):
    run it in a worker in the GUI."""
    from ato_desktop.engine.evaluate import evaluate
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.compile import compile_database

    info_a, info_b = tts.get_timetable(db, a), tts.get_timetable(db, b)
    scores = {}
    for info in (info_a, info_b):
        comp, assignment, _ = compile_database(db, info.id)
        scores[info.id] = evaluate(comp.problem, assignment)
    with db.read_session() as s:
        teaching = set(s.scalars(select(m.Period.position).where(m.Period.is_break.is_(False))))
        n_days = len(s.scalars(select(m.Day.id)).all())
        rooms = list(s.scalars(select(m.Room.code).order_by(m.Room.code)))
        faculty_codes = list(s.scalars(select(m.Faculty.code).order_by(m.Faculty.code)))
        group_codes = list(s.scalars(select(m.StudentGroup.code).order_by(m.StudentGroup.code)))
        figures, by_key = [], []
        for info in (info_a, info_b):
            tt = s.get(m.Timetable, info.id)
            sessions = sessions_of(s, tt)
            by_key.append({(fs.activity_id, fs.occurrence): fs for fs in sessions})
            figures.append(version_figures(tt, sessions, scores[info.id], teaching, n_days, rooms,
                                    faculty_codes, group_codes))
    ka, kb = by_key
    moved: list[MovedSession] = []
    by_faculty: dict[str, list[int]] = {}
    by_group: dict[str, list[int]] = {}
    for key in sorted(ka.keys() & kb.keys()):
        x, y = ka[key], kb[key]
        if (x.day, x.period, x.room_code, x.faculty_codes) == (y.day, y.period, y.room_code, y.faculty_codes):
            continue
        teachers = tuple(sorted(set(x.faculty_codes) | set(y.faculty_codes)))
        i = len(moved)
        moved.append(MovedSession(activity_id=key[0], occurrence=key[1], label=y.label, groups=y.group_codes,
                                  faculty=teachers, before=_where(x), after=_where(y),
                                  teachers_before=x.faculty_codes, teachers_after=y.faculty_codes))
        for code in teachers:
            by_faculty.setdefault(code, []).append(i)
        for code in y.group_codes:
            by_group.setdefault(code, []).append(i)
    return Comparison(a=figures[0], b=figures[1], moved=tuple(moved),
                      only_in_a=tuple(ka[k].label for k in sorted(ka.keys() - kb.keys())),
                      only_in_b=tuple(kb[k].label for k in sorted(kb.keys() - ka.keys())),
                      by_faculty={k: tuple(v) for k, v in sorted(by_faculty.items())},
                      by_group={k: tuple(v) for k, v in sorted(by_group.items())})
