"""A version's review before publication, on a local file: the coordinator submits it, a named approver
(the head of department, recorded by name) approves it or returns it with a comment, then it is published
and later archived. docs/versions.md describes the rules.

    draft ─submit→ submitted ─approve→ approved ─publish→ published ─archive→ archived
      ↑               │ return (comment)   │ return (comment)
      └── returned ←──┴────────────────────┘   (returned: editable, submitted again when ready)

* *submitted* and *approved* versions are frozen like published ones (``services.frozen``): the
  approver reviews exactly what was submitted. Approving also writes the snapshot that publishing then
  keeps, so what is published is what was approved; returning drops it.
* A draft (or returned) version can still be published directly on a local file: the history records
  it as "published without approval" (``services.notifications.publish_and_notify``).
* Every transition is one transaction that writes a ``timetable_event`` row (who, when, comment) and
  returns a :class:`Transition`; :func:`undo` puts the version back and removes that row.
* On a campus database (PostgreSQL) the step is the connected login's, by its kind (``campus grant
  --kind``, migration 0007_campus_roles): a coordinator submits, the head of department (``hod``) also
  approves, returns, publishes and archives, a viewer does none of them, each on its own department's
  versions only; the history records the login. The database owner (the campus administrator) and an
  ``admin`` login may do every step. :func:`check_role`; the database's trigger refuses the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ato_desktop.services.errors import ServiceError, ValidationError
from ato_desktop.services.frozen import freeze, unfreeze
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

STATUS_NAMES = {"draft": "a draft", "submitted": "submitted for review", "returned": "returned for changes",
                "approved": "approved", "published": "published", "archived": "archived"}
WITHOUT_APPROVAL = "published without approval"


class TransitionRefused(ServiceError):
    """A step that the version's status does not allow (one sentence saying what to do instead)."""

    def __init__(self, message: str):
        super().__init__(message)


@dataclass(frozen=True)
class Transition:
    timetable_id: int
    name: str
    from_status: str | None
    to_status: str
    who: str
    at: dt.datetime
    comment: str
    event_id: int

    @property
    def sentence(self) -> str:
        who = f" by {self.who}" if self.who else ""
        return f"“{self.name}” is now {STATUS_NAMES.get(self.to_status, self.to_status)}{who}."


@dataclass(frozen=True)
class HistoryEntry:
    from_status: str | None
    to_status: str
    who: str
    at: dt.datetime
    comment: str

    @property
    def text(self) -> str:
        who = f" by {self.who}" if self.who else ""
        comment = f": {self.comment}" if self.comment else ""
        return f"{self.at:%Y-%m-%d %H:%M} UTC  {self.from_status or '-'} → {self.to_status}{who}{comment}"


def current_user() -> str:
    from ato_desktop.services.version_lifecycle import current_user as user

    return user()


def record(s: Session, tt: m.Timetable, from_status: str | None, to_status: str, who: str | None,
           comment: str = "") -> m.TimetableEvent:
    """Write one history row in the caller's transaction (``who`` None: the operating-system user)."""
    ev = m.TimetableEvent(timetable_id=tt.id, from_status=from_status, to_status=to_status,
                          who=(current_user() if who is None else who).strip()[:100], at=m.utcnow(),
                          comment=(comment or "").strip())
    s.add(ev)
    s.flush()
    return ev


_HOD_STEPS = {"approve": "approve", "return": "return", "publish": "publish", "archive": "archive"}


def check_role(db: Database, s: Session, action: str, tt: m.Timetable, who: str | None) -> str | None:
    """On a campus database: refuse ``action`` (submit, approve, return, publish, archive) on ``tt`` when the
    connected login's kind may not take it (one sentence), and return the login's name to record. On a
    local file: ``who`` unchanged (the named approver)."""
    if not getattr(db, "is_campus", False):
        return who
    from sqlalchemy import text

    login = s.scalar(text("SELECT current_user"))
    row = s.execute(text("SELECT kind, department_id FROM campus_member WHERE role_name = current_user")).first()
    if row is None:
        return login  # the database's owner: the campus administrator
    kind, department_id = row
    if kind == "admin":
        return login
    if kind == "viewer":
        raise TransitionRefused(f"The login {login} is a viewer: it reads the timetables but cannot {action} "
                                f"“{tt.name}”.")
    if kind == "coordinator" and action in _HOD_STEPS:
        raise TransitionRefused(f"The login {login} is a coordinator: only the head of department can "
                                f"{action} “{tt.name}”.")
    if tt.department_id != department_id:
        theirs = s.get(m.Department, department_id)
        raise TransitionRefused(f"“{tt.name}” is not {theirs.code if theirs else 'its department'}'s: the login "
                                f"{login} acts on its own department's versions only.")
    return login


def _tt(s: Session, key) -> m.Timetable:
    from ato_desktop.services.timetables import _tt as find

    return find(s, key)


# (action) -> (allowed from statuses, to status)
_STEPS = {
    "submit": (("draft", "returned"), "submitted"),
    "approve": (("submitted",), "approved"),
    "return": (("submitted", "approved"), "returned"),
    "archive": (("published",), "archived"),
}


def _refusal(action: str, name: str, status: str) -> str:
    q = f"“{name}”"
    if action == "approve":
        if status in ("draft", "returned"):
            what = "a draft" if status == "draft" else "returned for changes"
            return f"{q} is {what}: submit it for review before approving it."
        return f"{q} is {STATUS_NAMES[status]}: only a version submitted for review can be approved."
    if action == "submit":
        if status == "submitted":
            return f"{q} is already submitted for review."
        return f"{q} is {STATUS_NAMES[status]}: copy it to a new draft to submit changes."
    if action == "return":
        return f"{q} is {STATUS_NAMES[status]}: only a version submitted for review or approved can be returned."
    return f"{q} is {STATUS_NAMES[status]}: only a published version can be archived."


def _step(db: Database, action: str, key, who: str | None, comment: str) -> Transition:
    allowed, to = _STEPS[action]
    if action == "return" and not (comment or "").strip():
        raise ValidationError("Timetable", "comment", "say why the version is returned (a comment is needed).")
    with db.session() as s:
        tt = _tt(s, key)
        if tt.status not in allowed:
            raise TransitionRefused(_refusal(action, tt.name, tt.status))
        who = check_role(db, s, action, tt, who)
        before = tt.status
        if to == "approved":
            freeze(s, tt)  # what is approved is what publishing keeps
        elif before == "approved":
            unfreeze(s, tt)
        tt.status = to
        ev = record(s, tt, before, to, who, comment)
        return Transition(tt.id, tt.name, before, to, ev.who, ev.at, ev.comment, ev.id)


def submit(db: Database, key, *, who: str | None = None, comment: str = "") -> Transition:
    """Submit a draft (or a returned version) for review; it is frozen until returned."""
    return _step(db, "submit", key, who, comment)


def approve(db: Database, key, *, who: str | None = None, comment: str = "") -> Transition:
    """The approver (``who``: their name; default the operating-system user) signs off a submitted version."""
    return _step(db, "approve", key, who, comment)


def return_with_comment(db: Database, key, comment: str, *, who: str | None = None) -> Transition:
    """Return a submitted or approved version for changes, saying why; it is editable again."""
    return _step(db, "return", key, who, comment)


def archive(db: Database, key, *, who: str | None = None, comment: str = "") -> Transition:
    """Retire a published version (it keeps its snapshot)."""
    return _step(db, "archive", key, who, comment)


def undo(db: Database, t: Transition) -> None:
    """Put the version back as it was before ``t`` and remove ``t``'s history row."""
    with db.session() as s:
        tt = s.get(m.Timetable, t.timetable_id)
        if tt is None or tt.status != t.to_status:
            raise TransitionRefused(f"“{t.name}” changed since: its {t.to_status!r} step cannot be undone.")
        if t.to_status == "approved":
            unfreeze(s, tt)
        elif t.from_status == "approved":
            freeze(s, tt)
        tt.status = t.from_status or "draft"
        ev = s.get(m.TimetableEvent, t.event_id)
        if ev is not None:
            s.delete(ev)


def history(db: Database, key) -> list[HistoryEntry]:
    """The version's transitions, oldest first."""
    with db.read_session() as s:
        tt = _tt(s, key)
        ev = m.TimetableEvent
        return [HistoryEntry(r.from_status, r.to_status, r.who, r.at, r.comment)
                for r in s.scalars(select(ev).where(ev.timetable_id == tt.id).order_by(ev.at, ev.id))]
