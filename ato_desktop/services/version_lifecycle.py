"""Operations on timetable versions besides ``services.timetables``: undoable delete, status, and
publishing (a fresh check, the explicit override, the frozen snapshot) and copying to a new draft."""

from __future__ import annotations

from dataclasses import dataclass

from ato_desktop.services import notifications as notes
from ato_desktop.services import resources as res
from ato_desktop.services.errors import NotFoundError, ServiceError, ValidationError
from ato_desktop.services.frozen import freeze, unfreeze
from ato_desktop.services.snapshot import RowSnapshot, snapshot_rows
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database


def delete_version(db: Database, timetable_id: int) -> RowSnapshot:
    """Delete a version and its sessions; the snapshot lets :func:`restore_version` undo it."""
    with db.session() as s:
        tt = s.get(m.Timetable, timetable_id)
        if tt is None:
            raise NotFoundError("Timetable", timetable_id)
        snap = snapshot_rows(s.connection(), m.Timetable.__table__, [tt.id])
        s.delete(tt)
        s.flush()
        return snap


def restore_version(db: Database, snap: RowSnapshot) -> None:
    res.restore(db, snap)


def status_of(db: Database, timetable_id: int) -> tuple[str, object]:
    with db.read_session() as s:
        tt = s.get(m.Timetable, timetable_id)
        if tt is None:
            raise NotFoundError("Timetable", timetable_id)
        return tt.status, tt.published_at


def set_status_exact(db: Database, timetable_id: int, state: tuple[str, object]) -> None:
    """Put back a status and publication time exactly (undo of publish)."""
    with db.session() as s:
        tt = s.get(m.Timetable, timetable_id)
        if tt is None:
            raise NotFoundError("Timetable", timetable_id)
        status, published_at = state
        if status == "published" and tt.status != "published":
            freeze(s, tt)
        elif status in ("draft", "returned"):
            unfreeze(s, tt)
            tt.publish_override = None
        if status != tt.status:  # the history tells the undo too
            from ato_desktop.services import approval

            approval.record(s, tt, tt.status, status, None, "undone" if status != "published" else "redone")
        tt.status, tt.published_at = status, published_at


# ---------------------------------------------------------------------------
# Publishing: a fresh check first, then a frozen snapshot (services.frozen)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishCheck:
    """A version evaluated against the current data by the engine (not its stored score), with what
    publishing it would e-mail. Unscheduled sessions count as hard (the engine's ``unscheduled`` rule)."""

    timetable_id: int
    name: str
    status: str
    hard: int  # the engine's weighted hard total, unscheduled sessions included
    soft: int
    unscheduled: int  # sessions without a slot (or without a room they need)
    conflicts: int  # hard violations other than unscheduled sessions
    conflict_lines: tuple[str, ...]  # their sentences (the first MAX_LINES)
    unscheduled_lines: tuple[str, ...]
    per_day: tuple[tuple[str, int], ...]  # (day name, sessions placed that day)
    sessions: int
    mail: notes.MailPlan

    MAX_LINES = 20

    @property
    def blocked(self) -> bool:
        """Publishing needs the coordinator's explicit override."""
        return self.conflicts > 0 or self.unscheduled > 0

    def override_text(self, by: str = "") -> str:
        """What publishing anyway overrides, as recorded with the version."""
        who = f" by {by}" if by else ""
        return (f"Published anyway{who} on {m.utcnow():%Y-%m-%d %H:%M} UTC with {self.conflicts} hard "
                f"conflict(s) and {self.unscheduled} unscheduled session(s) (hard {self.hard}).")

    def summary_lines(self) -> list[str]:
        lines = [f"Version: {self.name} ({self.status})",
                 f"Hard conflicts: {self.conflicts}",
                 f"Unscheduled sessions: {self.unscheduled} of {self.sessions}",
                 f"Score now: hard {self.hard}, soft {self.soft}",
                 self.mail.sentence()]
        for text in self.conflict_lines:
            lines.append(f"  conflict: {text}")
        for text in self.unscheduled_lines:
            lines.append(f"  unscheduled: {text}")
        return lines


def check_version(db: Database, key: int | str | None) -> PublishCheck:
    """Evaluate a version against the data as it is now (slow-ish: run it in a worker in the GUI)."""
    from ato_desktop.engine.evaluate import evaluate
    from ato_desktop.services import calendar as cal
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.compile import compile_database

    info = tts.get_timetable(db, key)
    comp, assignment, _ = compile_database(db, info.id)
    score = evaluate(comp.problem, assignment)
    unscheduled = score.by_constraint.get("unscheduled")
    conflict_lines = [v.message or str(v) for v in score.violations(hard=True) if v.constraint != "unscheduled"]
    sessions = tts.list_sessions(db, info.id)
    days = cal.get_calendar(db).days
    per_day = tuple((d.name, sum(1 for s in sessions if s.day == d.position)) for d in days)
    return PublishCheck(
        timetable_id=info.id, name=info.name, status=info.status, hard=int(score.hard), soft=int(score.soft),
        unscheduled=int(unscheduled.count) if unscheduled else 0,
        conflicts=len(conflict_lines), conflict_lines=tuple(conflict_lines[:PublishCheck.MAX_LINES]),
        unscheduled_lines=tuple(s.label for s in sessions if not s.scheduled)[:PublishCheck.MAX_LINES],
        per_day=per_day, sessions=len(sessions), mail=notes.mail_plan(db, info.id))


class PublishRefused(ServiceError):
    """A version with hard conflicts or unscheduled sessions, published without the explicit override."""

    def __init__(self, check: PublishCheck):
        self.check = check
        super().__init__(f"{check.name!r} is not published: it has {check.conflicts} hard conflict(s) and "
                         f"{check.unscheduled} unscheduled session(s); fix them, or publish anyway "
                         "(the override is recorded with the version).")


@dataclass(frozen=True)
class PublishOutcome:
    check: PublishCheck
    result: notes.PublishResult | None  # None: notifications on publish are off
    override: str | None  # recorded with the version, when published anyway

    @property
    def queued(self) -> int:
        return self.result.queue.queued if self.result is not None else 0


def current_user() -> str:
    """The operating-system user publishing (recorded with an override), or "" when unknown."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        return ""


def publish_version(db: Database, key: int | str, *, force: bool = False, by: str | None = None,
                    check: PublishCheck | None = None) -> PublishOutcome:
    """Publish a version: check it fresh (or use ``check``, computed just before for the confirmation),
    refuse it when it has hard conflicts or unscheduled sessions unless ``force`` (the override is
    then recorded in ``timetable.publish_override``, with ``by``: default the operating-system user), freeze its snapshot and queue the e-mails, in one
    transaction (``services.notifications.publish``). Publishing a published version is refused."""
    from ato_desktop.services import timetables as tts

    info = tts.get_timetable(db, key)
    if info.status == "published":
        raise ValidationError("Timetable", "status", f"{info.name!r} is already published.")
    if info.status in ("submitted", "archived"):
        from ato_desktop.services.approval import TransitionRefused

        raise TransitionRefused(f"“{info.name}” is submitted for review: approve it or return it before publishing it."
                                if info.status == "submitted" else
                                f"“{info.name}” is archived: copy it to a new draft to publish it again.")
    if check is None or check.timetable_id != info.id:
        check = check_version(db, info.id)
    if check.blocked and not force:
        raise PublishRefused(check)
    override = check.override_text(current_user() if by is None else by) if check.blocked else None
    result = notes.publish(db, info.id, override=override, by=by)
    return PublishOutcome(check, result, override)


def copy_to_draft(db: Database, key: int | str, new_name: str | None = None):
    """Copy a version (typically a published, frozen one) to a new draft that can be edited.

    Returns the new version's :class:`~ato_desktop.services.timetables.TimetableInfo`."""
    from ato_desktop.services import timetables as tts

    src = tts.get_timetable(db, key)
    name = new_name or tts.unique_version_name(db, f"{src.name} (draft)")
    return tts.copy_timetable(db, src.id, name)
