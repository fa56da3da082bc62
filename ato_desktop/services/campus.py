"""Campus mode (issue 19): departments, and committing a timetable version to the campus.

Committing a department's version writes its *committed occupancy*: one row per room and per faculty
member each scheduled session occupies (day, first and last period). The first commit wins: a version
whose rooms or faculty are already committed by another department at an overlapping time is refused,
with each clash in plain words ("Seminar Hall is committed by ECE on Tue P3–P4 (ECE-5A Signals Lab)"),
and nothing is written. On PostgreSQL the database itself refuses a double booking (exclusion
constraints of migration 0006_campus), so two coordinators committing at the same moment cannot both
win; the check made here first only finds the words. On a department's own ``.atodb`` file (one file,
one writer: the write transaction holds the file's lock) this check is the whole protection.

A department commits one version at a time: committing another version replaces its previous
commitment in the same transaction, and remembers which version it replaced (``timetable.replaced_id``).
:func:`withdraw` (the undo of a commit) removes a department's commitment and puts back the one it
replaced; if that one now clashes with what another department committed meanwhile, nothing stays
committed for the department and the result says why, in one sentence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import delete, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ato_desktop.services.errors import NotFoundError, ServiceError, ValidationError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database
from ato_desktop.storage.models_campus import CampusMember, CommittedOccupancy

ATTEMPTS = 3  # a commit that lost a deadlock against another one is tried again (then refused in words)


class CommitRefused(ServiceError):
    """The version clashes with what other departments committed; nothing was written."""

    def __init__(self, department: str, timetable: str, clashes: list["Clash"]):
        self.department = department
        self.timetable = timetable
        self.clashes = clashes
        n = len(clashes)
        shown = "; ".join(str(c) for c in clashes[:10]) + (f"; and {n - 10} more" if n > 10 else "")
        super().__init__(f"“{timetable}” of {department} was not committed: {n} clash{'es' if n != 1 else ''} "
                         f"with the campus's committed timetables: {shown}. Nothing was written.")


@dataclass(frozen=True)
class Clash:
    resource: str  # "Seminar Hall", "Dr. S. Rao"
    department: str  # the department that committed it first ("" for a clash inside the version itself)
    day: str  # "Tue"
    periods: str  # "P3–P4"
    label: str  # their lesson: "ECE-5A Signals Lab"
    mine: str = ""  # ours

    def __str__(self) -> str:
        if not self.department:
            return f"{self.resource} is used twice by this version on {self.day} {self.periods} ({self.label})"
        return f"{self.resource} is committed by {self.department} on {self.day} {self.periods} ({self.label})"


@dataclass(frozen=True)
class CommitResult:
    department: str
    timetable: str
    timetable_id: int
    rooms: int  # rows written
    faculty: int
    replaced: tuple[str, ...] = ()  # the department's versions whose commitment this one replaced
    committed_at: dt.datetime | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def sentence(self) -> str:
        extra = f" (replacing the commitment of {', '.join(self.replaced)})" if self.replaced else ""
        return (f"“{self.timetable}” of {self.department} is committed to the campus: {self.rooms} room bookings "
                f"and {self.faculty} faculty bookings{extra}.")


@dataclass(frozen=True)
class DepartmentAdded:
    id: int
    code: str
    name: str


# ---- departments -----------------------------------------------------------------------------------
def add_department(db: Database, code: str, name: str) -> DepartmentAdded:
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise ValidationError("Department", "code", "give the department's short code (e.g. ECE).")
    if len(code) > 20:
        raise ValidationError("Department", "code", "at most 20 characters.")
    with db.session() as s:
        if s.scalar(select(m.Department.id).where(m.Department.code == code)) is not None:
            raise ValidationError("Department", "code", f"{code} exists already.")
        d = m.Department(code=code, name=name or code, is_home=False)
        s.add(d)
        s.flush()
        return DepartmentAdded(d.id, d.code, d.name)


ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Granted:
    role: str
    department: str
    kind: str = "coordinator"

    @property
    def sentence(self) -> str:
        if self.kind == "viewer":
            return f"The login {self.role} now views {self.department}: it reads the whole campus and writes nothing."
        what = {"hod": f"is the head of {self.department}", "admin": f"administers {self.department}"}
        return (f"The login {self.role} now {what.get(self.kind, 'coordinates ' + self.department)}: it reads the "
                f"whole campus and writes only {self.department}'s rows.")


KINDS = ("coordinator", "hod", "viewer", "admin")  # campus_member.kind (migration 0007_campus_roles)


def grant(db: Database, role: str, department_code: str, kind: str = "coordinator") -> Granted:
    """Let the PostgreSQL login ``role`` coordinate ``department_code``: table privileges, and the
    ``campus_member`` row that row-level security checks (migration 0006_campus). Run as the campus
    administrator (the database's owner). The login itself is made by the server's administrator
    (``createuser --pwprompt NAME``): passwords never pass through ATO Desktop. ``kind`` (one of
    :data:`KINDS`) is what the login may do in the approval of a version (``services.approval``)."""
    role = (role or "").strip()
    if not ROLE_NAME.match(role):
        raise ValidationError("Login", "role", "letters, digits and _ only, starting with a letter (e.g. ece_coord).")
    if kind not in KINDS:
        raise ValidationError("Login", "kind", f"one of {', '.join(KINDS)} (not {kind!r}).")
    if not getattr(db, "is_campus", False):
        raise ServiceError("Logins and their departments are for a campus database on PostgreSQL: "
                           "a department's own file has one coordinator.")
    with db.session() as s:
        dept = _department(s, department_code)
        if s.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}) is None:
            raise ServiceError(f"The database server has no login {role}: create it first "
                               f"(createuser --pwprompt {role}), then grant it the department.")
        member = s.get(CampusMember, role)
        if member is None:
            s.add(CampusMember(role_name=role, department_id=dept.id, kind=kind))
        else:
            member.department_id, member.kind = dept.id, kind
        database = s.scalar(text("SELECT current_database()"))
        q = f'"{role}"'
        s.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO {q}'))
        s.execute(text(f"GRANT USAGE ON SCHEMA public TO {q}"))
        s.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q}"))
        s.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {q}"))
        s.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q}"))
        return Granted(role, dept.code, kind)


def _department(s: Session, code: str) -> m.Department:
    d = s.scalar(select(m.Department).where(m.Department.code == (code or "").strip()))
    if d is None:
        raise NotFoundError("Department", code)
    return d


def owner_id(s: Session, tt: m.Timetable) -> int | None:
    """The department that owns ``tt``: its own, or (in a department's file) the home department."""
    if tt.department_id is not None:
        return tt.department_id
    return s.scalar(select(m.Department.id).where(m.Department.is_home.is_(True)).order_by(m.Department.id).limit(1))


# ---- the occupancy of a version --------------------------------------------------------------------
@dataclass(frozen=True)
class _Row:
    room_id: int | None
    faculty_id: int | None
    day_id: int
    period_from: int
    period_to: int
    activity_id: int
    occurrence: int
    label: str

    def key(self):
        return (0 if self.room_id is not None else 1, self.room_id or self.faculty_id, self.day_id,
                self.period_from, self.activity_id, self.occurrence)


def _lesson_label(a: m.Activity) -> str:
    groups = " ".join(g.code for g in a.groups)
    title = a.course.title or a.course.code
    return f"{groups} {title}".strip()[:300]


def occupancy(s: Session, tt: m.Timetable) -> list[_Row]:
    """The rooms and faculty each scheduled session of ``tt`` occupies, in one fixed order (so that two
    commits running at once insert in the same order: fewer deadlocks)."""
    periods = list(s.scalars(select(m.Period).order_by(m.Period.position)))
    index = {p.id: i for i, p in enumerate(periods)}
    rows: list[_Row] = []
    assignments = s.scalars(
        select(m.SessionAssignment)
        .where(m.SessionAssignment.timetable_id == tt.id, m.SessionAssignment.day_id.is_not(None))
        .options(selectinload(m.SessionAssignment.activity).selectinload(m.Activity.faculty),
                 selectinload(m.SessionAssignment.activity).selectinload(m.Activity.groups),
                 selectinload(m.SessionAssignment.activity).selectinload(m.Activity.course)))
    for sa in assignments:
        a = sa.activity
        first = index[sa.period_id]
        last = min(first + max(1, a.duration) - 1, len(periods) - 1)
        span = (periods[first].position, periods[last].position)
        label = _lesson_label(a)
        if sa.room_id is not None:
            rows.append(_Row(sa.room_id, None, sa.day_id, *span, a.id, sa.occurrence, label))
        for f in a.faculty:
            rows.append(_Row(None, f.id, sa.day_id, *span, a.id, sa.occurrence, label))
    rows.sort(key=_Row.key)
    return rows


class _Names:
    def __init__(self, s: Session):
        self.days = {d.id: d.short_name or d.name for d in s.scalars(select(m.Day))}
        self.periods = {p.position: p.label for p in s.scalars(select(m.Period))}
        self.s = s
        self._rooms: dict[int, str] = {}
        self._faculty: dict[int, str] = {}
        self._depts: dict[int, str] = {}

    def resource(self, room_id, faculty_id) -> str:
        if room_id is not None:
            if room_id not in self._rooms:
                r = self.s.get(m.Room, room_id)
                self._rooms[room_id] = (r.name or r.code) if r else f"room {room_id}"
            return self._rooms[room_id]
        if faculty_id not in self._faculty:
            f = self.s.get(m.Faculty, faculty_id)
            self._faculty[faculty_id] = (f.name or f.code) if f else f"faculty {faculty_id}"
        return self._faculty[faculty_id]

    def department(self, dept_id: int) -> str:
        if dept_id not in self._depts:
            d = self.s.get(m.Department, dept_id)
            self._depts[dept_id] = d.code if d else f"department {dept_id}"
        return self._depts[dept_id]

    def span(self, lo: int, hi: int) -> str:
        a, b = self.periods.get(lo, f"P{lo}"), self.periods.get(hi, f"P{hi}")
        return a if lo == hi else f"{a}–{b}"


def clashes(s: Session, rows: list[_Row], department_id: int) -> list[Clash]:
    """What ``rows`` clash with: other departments' committed rows, and the version's own double uses."""
    names = _Names(s)
    out: list[Clash] = []
    seen = set()
    rooms = {r.room_id for r in rows if r.room_id is not None}
    faculty = {r.faculty_id for r in rows if r.faculty_id is not None}
    if rooms or faculty:
        theirs = list(s.scalars(select(CommittedOccupancy).where(
            CommittedOccupancy.department_id != department_id,
            or_(CommittedOccupancy.room_id.in_(rooms or [-1]), CommittedOccupancy.faculty_id.in_(faculty or [-1])))
            .order_by(CommittedOccupancy.day_id, CommittedOccupancy.period_from, CommittedOccupancy.id)))
        by_resource: dict[tuple, list[CommittedOccupancy]] = {}
        for o in theirs:
            by_resource.setdefault((o.room_id, o.faculty_id, o.day_id), []).append(o)
        for r in rows:
            for o in by_resource.get((r.room_id, r.faculty_id, r.day_id), ()):
                if o.period_from <= r.period_to and r.period_from <= o.period_to and o.id not in seen:
                    seen.add(o.id)
                    out.append(Clash(names.resource(o.room_id, o.faculty_id), names.department(o.department_id),
                                     names.days.get(o.day_id, "?"), names.span(o.period_from, o.period_to),
                                     o.label, r.label))
    # the version's own double uses (a draft with conflicts left): the database would refuse them too
    by_mine: dict[tuple, list[_Row]] = {}
    for r in rows:
        by_mine.setdefault((r.room_id, r.faculty_id, r.day_id), []).append(r)
    for (room_id, faculty_id, day_id), group in by_mine.items():
        group.sort(key=lambda r: r.period_from)
        for a, b in zip(group, group[1:]):
            if b.period_from <= a.period_to:
                out.append(Clash(names.resource(room_id, faculty_id), "", names.days.get(day_id, "?"),
                                 names.span(b.period_from, min(a.period_to, b.period_to)),
                                 f"{a.label} and {b.label}", b.label))
    return out


# ---- commit and withdraw ---------------------------------------------------------------------------
def _owned_version(s: Session, department_code: str, timetable: str) -> tuple[m.Department, m.Timetable]:
    dept = _department(s, department_code)
    tt = s.scalar(select(m.Timetable).where(m.Timetable.name == (timetable or "").strip()))
    if tt is None:
        raise NotFoundError("Timetable", timetable)
    if owner_id(s, tt) != dept.id:
        raise ServiceError(f"“{tt.name}” does not belong to {dept.code}: a department commits only its own versions.")
    return dept, tt


def _is_exclusion_violation(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    return type(orig).__name__ == "ExclusionViolation" or getattr(orig, "sqlstate", None) == "23P01"


def _is_retryable(exc: BaseException) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        orig = getattr(exc, "orig", exc)
        if getattr(orig, "sqlstate", None) in ("40P01", "40001"):  # deadlock, serialization failure
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def commit(db: Database, department_code: str, timetable: str, *, prepare=None) -> CommitResult:
    """Commit ``timetable`` of ``department_code`` to the campus (one transaction); :class:`CommitRefused`
    lists each clash when other departments committed the same rooms or faculty at the same time.
    ``prepare(session)``, when given, runs first in the same transaction (a check-in writes the version
    there: refused, nothing of it is written either)."""
    for attempt in range(ATTEMPTS):
        try:
            return _commit_once(db, department_code, timetable, prepare)
        except IntegrityError as exc:
            if not _is_exclusion_violation(exc):
                raise
            # Another commit won the race between our check and our insert: the database refused ours.
            with db.read_session() as s:
                if prepare is not None:
                    prepare(s)  # what the refused transaction would have written: rolled back below
                    s.flush()
                dept, tt = _owned_version(s, department_code, timetable)
                found = clashes(s, occupancy(s, tt), dept.id)
                code, name = dept.code, tt.name
                s.rollback()
            if found:
                raise CommitRefused(code, name, found) from None
            if attempt == ATTEMPTS - 1:
                raise ServiceError(f"“{timetable}” of {department_code} was not committed: another department "
                                   "committed the same rooms or faculty at that moment. Try again.") from None
        except Exception as exc:
            if not _is_retryable(exc) or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _commit_once(db: Database, department_code: str, timetable: str, prepare=None) -> CommitResult:
    with db.session() as s:
        if prepare is not None:
            prepare(s)
            s.flush()
        dept, tt = _owned_version(s, department_code, timetable)
        rows = occupancy(s, tt)
        found = clashes(s, rows, dept.id)
        if found:
            raise CommitRefused(dept.code, tt.name, found)
        previous = list(s.scalars(select(m.Timetable).where(
            m.Timetable.committed_at.is_not(None), m.Timetable.id != tt.id,
            m.Timetable.id.in_(select(CommittedOccupancy.timetable_id)
                               .where(CommittedOccupancy.department_id == dept.id)))))
        s.execute(delete(CommittedOccupancy).where(CommittedOccupancy.department_id == dept.id))
        for p in previous:
            p.committed_at = None
        _remember_replaced(s, tt, previous[0] if len(previous) == 1 else None)
        now = m.utcnow()
        _write_rows(s, tt, dept, rows, now)
        tt.committed_at = now
        s.flush()
        if getattr(db, "is_campus", False):  # other clients' live view (delivered when this commits)
            from ato_desktop.storage.campus import notify

            notify(s, {"event": "commit", "department": dept.code, "timetable": tt.name})
        return CommitResult(dept.code, tt.name, tt.id, sum(r.room_id is not None for r in rows),
                            sum(r.faculty_id is not None for r in rows),
                            tuple(sorted(p.name for p in previous)), now)


def _remember_replaced(s: Session, tt: m.Timetable, previous: m.Timetable | None) -> None:
    """The department's versions as a stack of commitments, linked by ``replaced_id``: committing ``tt``
    over ``previous`` pushes ``tt`` (taking it out of the place it had, if it was in the stack already, so
    that withdrawing never cycles between two versions)."""
    if previous is None:
        if tt.committed_at is None:  # nothing of the department was committed: this commit replaces nothing
            tt.replaced_id = None
        return  # (the same version again: its link stays)
    for above in s.scalars(select(m.Timetable).where(m.Timetable.replaced_id == tt.id)):
        above.replaced_id = tt.replaced_id if tt.replaced_id != above.id else None
    tt.replaced_id = previous.id


def _write_rows(s: Session, tt: m.Timetable, dept: m.Department, rows: list[_Row], now) -> None:
    for r in rows:
        s.add(CommittedOccupancy(timetable_id=tt.id, department_id=dept.id, room_id=r.room_id,
                                 faculty_id=r.faculty_id, day_id=r.day_id, period_from=r.period_from,
                                 period_to=r.period_to, activity_id=r.activity_id, occurrence=r.occurrence,
                                 label=r.label, committed_at=now))


def withdraw(db: Database, department_code: str):
    """Remove ``department_code``'s commitment and put back the one it replaced
    (:func:`ato_desktop.services.campus_withdraw.withdraw`); a :class:`~ato_desktop.services.campus_withdraw.Withdrawn`."""
    from ato_desktop.services.campus_withdraw import withdraw as _withdraw

    return _withdraw(db, department_code)


@dataclass(frozen=True)
class Commitment:
    department: str
    resource: str
    day: str
    periods: str
    label: str
    room_id: int | None
    faculty_id: int | None
    day_id: int
    period_from: int
    period_to: int


def others_commitments(s: Session, department_id: int | None) -> list[Commitment]:
    """Every committed row of departments other than ``department_id`` (the fixed facts of item 4)."""
    names = _Names(s)
    q = select(CommittedOccupancy).order_by(CommittedOccupancy.id)
    if department_id is not None:
        q = q.where(CommittedOccupancy.department_id != department_id)
    return [Commitment(names.department(o.department_id), names.resource(o.room_id, o.faculty_id),
                       names.days.get(o.day_id, "?"), names.span(o.period_from, o.period_to), o.label,
                       o.room_id, o.faculty_id, o.day_id, o.period_from, o.period_to)
            for o in s.scalars(q)]


# ---- what the desktop app needs (ui/campus.py) -------------------------------------------------------
def is_database_url(value) -> bool:
    """True for a campus database URL (``postgresql://…``), False for a file path."""
    from ato_desktop.storage.campus import is_database_url as _is_url

    return _is_url(value)


def listener(url: str, on_change, on_error=None, retry_s: float = 2.0):
    """A :class:`~ato_desktop.storage.campus.CommitListener` on ``url`` (not started): it calls
    ``on_change(payload)`` from its own thread for each commit or withdrawal of any client."""
    from ato_desktop.storage.campus import CommitListener

    return CommitListener(url, on_change, on_error, retry_s=retry_s)


@dataclass(frozen=True)
class LoginDepartments:
    login: str  # the PostgreSQL user ("" on a department's file)
    member: str | None  # the department its campus_member row names, if any
    departments: tuple[tuple[str, str], ...]  # (code, name) of every department, by code


def login_departments(db: Database) -> LoginDepartments:
    """Which department the login coordinates (its ``campus_member`` row) and every department (the
    window offers a choice when the login has no row: the campus administrator)."""
    with db.read_session() as s:
        login = s.scalar(text("SELECT current_user")) if getattr(db, "is_campus", False) else ""
        member = None
        if login:
            member = s.scalar(select(m.Department.code).join(CampusMember, CampusMember.department_id == m.Department.id)
                              .where(CampusMember.role_name == login))
        departments = tuple((d.code, d.name) for d in s.scalars(select(m.Department).order_by(m.Department.code)))
        return LoginDepartments(login or "", member, departments)


def version_department(db: Database, timetable: int) -> str:
    """The code of the department that owns version ``timetable``."""
    with db.read_session() as s:
        tt = s.get(m.Timetable, timetable)
        if tt is None:
            raise NotFoundError("Timetable", str(timetable))
        dept_id = owner_id(s, tt)
        code = s.scalar(select(m.Department.code).where(m.Department.id == dept_id)) if dept_id else None
        if code is None:
            raise ServiceError(f"“{tt.name}” belongs to no department: it cannot be committed to the campus.")
        return code


def commit_version(db: Database, *, timetable: int, department: str | None = None):
    """The operation behind "Commit to campus…": commit version ``timetable`` (of ``department``, by
    default the version's own). Returns a :class:`~ato_desktop.services.operations.Change` with the
    :class:`CommitResult`; no undo step (withdraw is its own action); :class:`CommitRefused` lists the
    clashes, and nothing is written."""
    from ato_desktop.services.operations import Change

    code = department or version_department(db, timetable)
    with db.read_session() as s:
        tt = s.get(m.Timetable, timetable)
        if tt is None:
            raise NotFoundError("Timetable", str(timetable))
        name = tt.name
    done = commit(db, code, name)
    return Change(f"commit {name} to the campus", frozenset({"timetable"}), frozenset({timetable}), result=done)


def withdraw_department(db: Database, *, department: str):
    """The operation behind "Withdraw from campus": remove ``department``'s commitment and put back the
    one it replaced (no undo step)."""
    from ato_desktop.services.operations import Change

    done = withdraw(db, department)
    return Change(f"withdraw {department}'s commitment from the campus", frozenset({"timetable"}), result=done)


@dataclass(frozen=True)
class FixedCard:
    """Another department's committed session on a shared room or faculty member, as the grid shows it
    (grey, immovable, with its owner): ``day`` and ``first``/``last`` are the grid's day and period indexes."""

    department: str
    label: str
    kind: str  # "room" or "faculty"
    code: str  # the room's or the faculty member's code
    day: int
    first: int
    last: int

    @property
    def tooltip(self) -> str:
        return f"Committed by {self.department}: {self.label}"


def grid_commitments(s: Session, timetable_id: int) -> tuple[FixedCard, ...]:
    """What other departments committed, for the grid of version ``timetable_id`` (empty on a file
    nobody committed in)."""
    if s.scalar(select(CommittedOccupancy.id).limit(1)) is None:
        return ()
    tt = s.get(m.Timetable, timetable_id)
    mine = owner_id(s, tt) if tt is not None else None
    day_index = {d: i for i, d in enumerate(s.scalars(select(m.Day.id).order_by(m.Day.position)))}
    period_index = {p: i for i, p in enumerate(s.scalars(select(m.Period.position).order_by(m.Period.position)))}
    q = select(CommittedOccupancy).order_by(CommittedOccupancy.day_id, CommittedOccupancy.period_from,
                                            CommittedOccupancy.id)
    if mine is not None:
        q = q.where(CommittedOccupancy.department_id != mine)
    rows = list(s.scalars(q))
    rooms = dict(s.execute(select(m.Room.id, m.Room.code).where(
        m.Room.id.in_({o.room_id for o in rows if o.room_id is not None} or [-1]))).all())
    faculty = dict(s.execute(select(m.Faculty.id, m.Faculty.code).where(
        m.Faculty.id.in_({o.faculty_id for o in rows if o.faculty_id is not None} or [-1]))).all())
    depts = dict(s.execute(select(m.Department.id, m.Department.code)).all())
    out = []
    for o in rows:
        code = rooms.get(o.room_id) if o.room_id is not None else faculty.get(o.faculty_id)
        if code is None or o.day_id not in day_index or o.period_from not in period_index:
            continue
        last = period_index.get(o.period_to, period_index[o.period_from])
        out.append(FixedCard(depts.get(o.department_id, "?"), o.label, "room" if o.room_id is not None else "faculty",
                             code, day_index[o.day_id], period_index[o.period_from], last))
    return tuple(out)
