"""Notices to faculty by e-mail: who gets one and what it says, queued in the outbox (on publication, the
weekly reminder, the daily digest, a manual send) and a preview of a template as it would read.

Queuing is idempotent (a unique key per template, version, faculty member and event). Sending is the
outbox's job (:mod:`ato_desktop.services.outbox`); the settings and templates have modules of their own
(:mod:`~ato_desktop.services.mail_settings`, :mod:`~ato_desktop.services.mail_templates`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ato_desktop.notify.message import new_message_id
from ato_desktop.notify.render import Rendered, one_line, render
from ato_desktop.services.calendar import ALL_DAYS
from ato_desktop.services import frozen
from ato_desktop.services.errors import NotFoundError, ValidationError
from ato_desktop.services.faculty_changes import _changes, _classes, _placements, _tt
from ato_desktop.services.mail_settings import get_mail_settings
from ato_desktop.services.mail_templates import _tpl
from ato_desktop.services.outbox import utcnow
from ato_desktop.services.sql_insert import insert_for, inserted
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

PUBLISH_TEMPLATE = "timetable"
WEEKLY_TEMPLATE = "weekly_reminder"
DIGEST_TEMPLATE = "daily_digest"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ---------------------------------------------------------------------------
# Recipients
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Recipient:
    id: int
    code: str
    name: str
    email: str
    department: str


def recipients(db: Database) -> list[Recipient]:
    with db.read_session() as s:
        rows = s.scalars(select(m.Faculty).options(selectinload(m.Faculty.department)).order_by(m.Faculty.code))
        return [Recipient(f.id, f.code, f.name, f.email or "", f.department.code if f.department else "") for f in rows]


# ---------------------------------------------------------------------------
# Queuing
# ---------------------------------------------------------------------------
def week_label(day: dt.date) -> str:
    monday = day - dt.timedelta(days=day.weekday())
    return f"week of {monday.day} {MONTHS[monday.month - 1]} {monday.year}"


def coming_week(today: dt.date) -> dt.date:
    """The Monday of the teaching week a reminder sent ``today`` is about: this week's, or on a Sunday
    the coming one (Monday to Saturday after it)."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday + dt.timedelta(days=7) if today.weekday() == 6 else monday


def _status_vars(tt: m.Timetable | None) -> dict[str, str]:
    """Wording that depends on whether the version is published: a message about a draft (a preview,
    a manual send) never says it was published."""
    if tt is not None and tt.status == "published":
        return {"published": "has been published", "changes_since": "since the previous published version"}
    return {"published": "is a draft for review, not final",
            "changes_since": "compared with the timetable in force now"}


def day_label(day: dt.date) -> str:
    return f"{ALL_DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def _base_vars(s: Session) -> dict[str, str]:
    values = {r.key: r.value for r in s.scalars(select(m.Setting))}
    return {"institution": values.get("institution_name", ""), "department": values.get("department_name", ""),
            "term": values.get("term", "")}


@dataclass
class QueueResult:
    queued: int = 0
    already_queued: int = 0  # same template, version, faculty and event: not queued again
    no_email: list[str] = field(default_factory=list)  # faculty codes without an address
    faculty: list[str] = field(default_factory=list)  # codes a message was queued for


def _key(template: str, tt_id: int | None, code: str, event: str) -> str:
    return f"{template}|tt{tt_id if tt_id is not None else '-'}|{code}|{event}"


def _queue(s: Session, tpl: m.MailTemplate, tt: m.Timetable | None, faculty: Iterable[m.Faculty], event: str,
           per_faculty: Callable[[m.Faculty], dict], result: QueueResult, sender: str) -> None:
    base = _base_vars(s)
    now = utcnow()
    for f in faculty:
        email = (f.email or "").strip()
        if not email:
            result.no_email.append(f.code)
            continue
        variables = dict(base, faculty_name=f.name, faculty_code=f.code, version=tt.name if tt else "",
                         week=week_label(dt.date.today()), day="", changes=[], classes=[], **_status_vars(tt))
        variables.update(per_faculty(f))
        r = render(tpl.subject, tpl.body_text, tpl.body_html, variables)
        key = _key(tpl.name, tt.id if tt else None, f.code, event)
        digest = hashlib.sha1(key.encode()).hexdigest()[:16]
        stmt = insert_for(s, m.OutboxMessage).values(
            idempotency_key=key, event=event[:100], template_name=tpl.name, timetable_id=tt.id if tt else None,
            faculty_id=f.id, faculty_code=f.code, recipient_name=one_line(f.name)[:200], recipient_email=email,
            subject=r.subject, body_text=r.text, body_html=r.html, attach_pdf=bool(tpl.attach_pdf and tt),
            message_id=new_message_id(sender, f"ato.{digest}"), status="queued", attempts=0, last_error="",
            next_attempt_at=now, created_at=now,
        ).on_conflict_do_nothing(index_elements=["idempotency_key"])
        if inserted(s, stmt):
            result.queued += 1
            result.faculty.append(f.code)
        else:
            result.already_queued += 1


def _faculty_by_code(s: Session, codes: Iterable[str] | None) -> list[m.Faculty]:
    q = select(m.Faculty).order_by(m.Faculty.code)
    if codes is None:
        return list(s.scalars(q))
    wanted = [c.strip() for c in codes]
    found = {f.code.lower(): f for f in s.scalars(q)}
    missing = [c for c in wanted if c.lower() not in found]
    if missing:
        raise ValidationError("Notification", "to", f"no faculty member with code {', '.join(map(repr, missing))}.")
    return [found[c.lower()] for c in dict.fromkeys(wanted)]


def _previous_published(s: Session, tt: m.Timetable) -> m.Timetable | None:
    q = select(m.Timetable).where(m.Timetable.status == "published", m.Timetable.id != tt.id)
    if tt.published_at is not None:
        q = q.where(or_(m.Timetable.published_at <= tt.published_at, m.Timetable.published_at.is_(None)))
    return s.scalar(q.order_by(m.Timetable.published_at.desc(), m.Timetable.id.desc()))


@dataclass
class PublishResult:
    timetable: str
    previous: str | None
    changes: dict[str, list[str]]
    queue: QueueResult


def _previous_for(s: Session, tt: m.Timetable) -> m.Timetable | None:
    """The published version ``tt``'s changes are told against (before it, or the latest if it is a draft)."""
    if tt.status == "published":
        return _previous_published(s, tt)
    return s.scalar(select(m.Timetable).where(m.Timetable.status == "published", m.Timetable.id != tt.id)
                    .order_by(m.Timetable.published_at.desc(), m.Timetable.id.desc()))


def publish_and_notify(db: Database, timetable, *, template: str | None = PUBLISH_TEMPLATE,
                       override: str | None = None, by: str | None = None) -> PublishResult:
    """Publish a version and queue, in the SAME transaction, one message per faculty member whose
    sessions changed against the previous published version (all with sessions on a first publication).

    Publishing freezes the version: its sessions and the names printed about them are copied
    (``published_session``), and the changes compare that snapshot with the previous version's.
    ``template=None`` publishes without queuing anything. ``override`` is recorded with the version
    (what the coordinator explicitly published anyway; see ``services.version_lifecycle.publish_version``).
    Publishing the same version again queues nothing new (idempotency key event ``publish``).
    Call :func:`deliver_due` (or the scheduler's ``trigger_delivery``) afterwards to send.
    """
    sender = get_mail_settings(db).sender
    with db.session() as s:
        tpl = _tpl(s, template) if template else None
        tt = _tt(s, timetable)
        prev = _previous_for(s, tt)
        if tt.status != "published":
            from ato_desktop.services import approval

            by = approval.check_role(db, s, "publish", tt, by)  # campus: the head of department's login
            before = tt.status
            if tt.status in ("draft", "returned") or not frozen.has_snapshot(s, tt.id):
                frozen.freeze(s, tt)  # an approved version keeps the snapshot that was approved
            tt.status = "published"
            tt.published_at = utcnow()
            tt.publish_override = override
            comment = "; ".join(x for x in (None if before == "approved" else approval.WITHOUT_APPROVAL,
                                            override) if x)
            approval.record(s, tt, before, "published", by, comment)
        new = _placements(s, tt)
        changes = _changes(_placements(s, prev) if prev else None, new)
        classes = _classes(new)
        result = QueueResult()
        if tpl is not None:
            _queue(s, tpl, tt, _faculty_by_code(s, list(changes)), "publish",
                   lambda f: {"changes": changes.get(f.code, []), "classes": classes.get(f.code, [])}, result,
                   sender)
        from ato_desktop.services.channels import queue_publication  # webhook channels (issue 21)

        queue_publication(s, tt.name, tt.id, prev.name if prev else None, changes)
        s.flush()
        return PublishResult(tt.name, prev.name if prev else None, changes, result)


@dataclass(frozen=True)
class MailPlan:
    """Who publishing a version would e-mail, and why."""

    template: str | None  # None: notifications on publish are off
    previous: str | None  # the published version changes are told against; None: first publication
    faculty: tuple[str, ...]  # codes with a change (or, on a first publication, with classes)
    no_email: tuple[str, ...]  # of those, without an address (they get nothing)

    @property
    def count(self) -> int:
        return 0 if self.template is None else len(self.faculty) - len(self.no_email)

    def sentence(self) -> str:
        if self.template is None:
            return "No e-mail will be sent: notifications on publish are off (Notifications ▸ Schedules)."
        why = (f"whose classes changed since the published version {self.previous!r}" if self.previous
               else "with classes in it (first publication: everyone gets their timetable)")
        text = f"{self.count} faculty member(s) will be e-mailed, those {why}"
        if self.no_email:
            text += f"; {len(self.no_email)} without an e-mail address get nothing ({', '.join(self.no_email)})"
        return text + "."


def mail_plan(db: Database, timetable) -> MailPlan:
    """What :func:`publish` would queue for ``timetable`` now (nothing is written)."""
    template = get_on_publish(db)
    with db.read_session() as s:
        tt = _tt(s, timetable)
        prev = _previous_for(s, tt)
        new = {(p.activity_id, p.occurrence): p for p in frozen.live_sessions(s, tt.id)} \
            if tt.status != "published" else _placements(s, tt)
        changes = _changes(_placements(s, prev) if prev else None, new)
        emails = {f.code: (f.email or "").strip() for f in s.scalars(select(m.Faculty))}
    codes = tuple(sorted(changes))
    return MailPlan(template, prev.name if prev else None, codes, tuple(c for c in codes if not emails.get(c)))


ON_PUBLISH_KEY = "notify_on_publish"


def get_on_publish(db: Database) -> str | None:
    """The template sent when a version is published, or None when publishing sends nothing.

    Default (never set): ``timetable``, the ready-made template."""
    with db.read_session() as s:
        row = s.get(m.Setting, ON_PUBLISH_KEY)
    if row is None:
        return PUBLISH_TEMPLATE
    return row.value or None


def set_on_publish(db: Database, template: str | None) -> None:
    """Send ``template`` on every publication (``None``: send nothing). The template must exist."""
    with db.session() as s:
        value = _tpl(s, template).name if template else ""
        row = s.get(m.Setting, ON_PUBLISH_KEY)
        if row is None:
            s.add(m.Setting(key=ON_PUBLISH_KEY, value=value))
        else:
            row.value = value


def publish(db: Database, timetable, *, override: str | None = None, by: str | None = None) -> PublishResult | None:
    """Publish a version; if notifications on publish are on (:func:`get_on_publish`), queue them in
    the same transaction. Returns the :class:`PublishResult`, or None when nothing was queued
    because notifications on publish are off. Then call the scheduler's ``trigger_delivery()``."""
    template = get_on_publish(db)
    result = publish_and_notify(db, timetable, template=template, override=override, by=by)
    return result if template is not None else None


def _latest_published(s: Session) -> m.Timetable | None:
    return s.scalar(select(m.Timetable).where(m.Timetable.status == "published")
                    .order_by(m.Timetable.published_at.desc(), m.Timetable.id.desc()))


def queue_template(db: Database, template: str, *, timetable=None, to: Iterable[str] | None = None,
                   event: str | None = None) -> QueueResult:
    """Queue ``template`` for the given faculty codes (default: everyone with classes in the version).

    ``timetable``: a version (name or id); default the latest published one, else the latest.
    ``event`` defaults to a fresh "manual" event, so each call queues new messages.
    """
    sender = get_mail_settings(db).sender
    with db.session() as s:
        tpl = _tpl(s, template)
        tt = _tt(s, timetable) if timetable is not None else (_latest_published(s) or _tt(s, None))
        new = _placements(s, tt)
        prev = _previous_for(s, tt)
        changes = _changes(_placements(s, prev) if prev else None, new)
        classes = _classes(new)
        faculty = _faculty_by_code(s, to if to is not None else sorted(classes))
        result = QueueResult()
        _queue(s, tpl, tt, faculty, event or f"manual:{utcnow().isoformat()}",
               lambda f: {"changes": changes.get(f.code, []), "classes": classes.get(f.code, [])}, result, sender)
        return result


def queue_weekly(db: Database, template: str = WEEKLY_TEMPLATE, *, today: dt.date | None = None) -> QueueResult:
    """The weekly reminder: every faculty member with classes in the latest published version.

    It names the teaching week it is about: this week, or sent on a Sunday the coming one
    (:func:`coming_week`). Idempotent per that week: running it twice queues nothing new.
    """
    today = today or dt.date.today()
    sender = get_mail_settings(db).sender
    with db.session() as s:
        tpl = _tpl(s, template)
        tt = _latest_published(s)
        result = QueueResult()
        if tt is None:
            return result
        classes = _classes(_placements(s, tt))
        monday = coming_week(today)
        iso = monday.isocalendar()
        _queue(s, tpl, tt, _faculty_by_code(s, sorted(classes)), f"weekly:{iso[0]}-W{iso[1]:02d}",
               lambda f: {"classes": classes.get(f.code, []), "week": week_label(monday)}, result, sender)
        return result


def queue_daily_digest(db: Database, template: str = DIGEST_TEMPLATE, *,
                       today: dt.date | None = None) -> QueueResult:
    """Tomorrow's classes, to each faculty member who has some (latest published version)."""
    tomorrow = (today or dt.date.today()) + dt.timedelta(days=1)
    sender = get_mail_settings(db).sender
    from ato_desktop.services import term as terms  # the term's dates, when set (issue 21)

    term = terms.get_term(db)
    real = terms.date_info(db, tomorrow, term) if term.is_set and term.start <= tomorrow <= term.end else None
    with db.session() as s:
        tpl = _tpl(s, template)
        tt = _latest_published(s)
        result = QueueResult()
        if tt is None or (real is not None and not real.teaching):
            return result  # no published version, or a holiday
        name = (real.day_name if real is not None else ALL_DAYS[tomorrow.weekday()]).lower()
        day = s.scalar(select(m.Day).where(func.lower(m.Day.name) == name))
        if day is None:
            return result  # not a working day
        classes = _classes(_placements(s, tt), day=day.position)
        _queue(s, tpl, tt, _faculty_by_code(s, sorted(classes)), f"daily:{tomorrow.isoformat()}",
               lambda f: {"classes": classes.get(f.code, []), "day": day_label(tomorrow),
                          "week": week_label(tomorrow)}, result, sender)
        return result


def preview(db: Database, *, subject: str, body_text: str, body_html: str = "", faculty_code: str | None = None,
            timetable=None) -> Rendered:
    """Render a (possibly unsaved) template for one faculty member, as the message would read."""
    with db.read_session() as s:
        base = _base_vars(s)
        try:
            tt = _tt(s, timetable) if timetable is not None else (_latest_published(s) or _tt(s, None))
        except NotFoundError:
            tt = None
        f = None
        if faculty_code:
            f = s.scalar(select(m.Faculty).where(func.lower(m.Faculty.code) == faculty_code.lower()))
        changes, classes = {}, {}
        if tt is not None:
            if f is None:  # the first faculty member (by code) with a class in this version
                sa, af = m.SessionAssignment, m.activity_faculty
                f = s.scalar(select(m.Faculty).join(af, af.c.faculty_id == m.Faculty.id)
                             .join(sa, sa.activity_id == af.c.activity_id)
                             .where(sa.timetable_id == tt.id, sa.day_id.is_not(None))
                             .order_by(m.Faculty.code).limit(1))
            if f is not None:
                new = _placements(s, tt, f)
                prev = _previous_for(s, tt)
                changes = _changes(_placements(s, prev, f) if prev else None, new)
                classes = _classes(new)
        code = f.code if f else ""
        today = dt.date.today()
        variables = dict(base, faculty_name=f.name if f else "Dr. Example", faculty_code=code,
                         version=tt.name if tt else "", week=week_label(today),
                         day=day_label(today + dt.timedelta(days=1)),
                         changes=changes.get(code, []), classes=classes.get(code, []), **_status_vars(tt))
    return render(subject, body_text, body_html, variables)


__all__ = [
    "Recipient", "QueueResult", "PublishResult", "recipients", "publish_and_notify", "publish", "MailPlan",
    "mail_plan", "get_on_publish", "set_on_publish", "queue_template", "queue_weekly", "queue_daily_digest",
    "preview",
]
