"""E-mail notices of substitutions, through the same outbox as every other message.

:func:`queue_substitution_notices` writes one outbox message per substitute of a date (their lessons,
when, where and for whom); the outbox's sender (``notify send-now``, the app's background sender)
delivers them with retries, never twice. Queuing is idempotent per arrangement row: planning or
notifying again adds nothing for colleagues already told, and a changed arrangement (a new row) is a new
notice. A mail template named ``substitution`` (Tools ▸ Mail templates), if there is one, replaces the
built-in text; its variables are those of every template plus ``$date``, ``$lessons`` (a list) and
``$absent`` (the absent colleagues' names). The classes are told too: one e-mail per class address (a
student group's ``email``: the class representative or the class mailing list; a lab batch without one
uses its section's) listing its arranged lessons (template ``substitution_class``, ``$group``, ``$date``,
``$lessons``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

from ato_desktop.notify.message import new_message_id
from ato_desktop.notify.render import one_line, render
from ato_desktop.services import mail_settings
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from ato_desktop.services import substitution_day as sday
from ato_desktop.services.sql_insert import insert_for, inserted
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

TEMPLATE = "substitution"
EVENT = "substitution"
DEFAULT_SUBJECT = "Substitution on $date: $lessons"
DEFAULT_TEXT = """Dear $faculty_name,

On $date, please take these classes for your colleague(s) $absent:
$lessons

Thank you.

Regards,
Timetable coordinator, $department
$institution
"""


@dataclass
class NoticeResult:
    queued: int = 0  # e-mails
    already_queued: int = 0
    no_email: list[str] = field(default_factory=list)
    faculty: list[str] = field(default_factory=list)
    webhooks: int = 0  # webhook messages (channels that receive "substitution")
    classes: int = 0  # e-mails to class addresses (a group's representative or mailing list)


CLASS_SUBJECT = "Changes to your classes on $date"
CLASS_TEXT = """Dear students of $group,

Changes to your classes on $date:
$lessons

Regards,
Timetable coordinator, $department
$institution
"""


def queue_substitution_notices(db: Database, date, *, timetable: int | str | None = None) -> NoticeResult:
    """Queue an e-mail to every substitute of ``date`` not told yet about their arrangement, and the day's
    arrangement to the webhook channels that receive ``substitution`` (a JSON channel: one per substitute)."""
    plan = sday.plan_day(db, date, timetable)
    by_sub: dict[str, list[sday.Lesson]] = {}
    for x in plan.lessons:
        if x.covered and x.arrangement.substitute and x.arrangement.kind in sday.TAKING_KINDS:
            by_sub.setdefault(x.arrangement.substitute, []).append(x)
    sender = mail_settings.get_mail_settings(db).sender
    result = NoticeResult()
    per_recipient = []
    now = outbox.utcnow()
    when = plan.date.strftime("%A %d %B %Y")
    with db.session() as s:
        tpl = s.scalar(select(m.MailTemplate).where(m.MailTemplate.name == TEMPLATE))
        subject, text, html = (tpl.subject, tpl.body_text, tpl.body_html) if tpl else (DEFAULT_SUBJECT,
                                                                                         DEFAULT_TEXT, "")
        base = notes._base_vars(s)
        periods = {p.position: p for p in s.scalars(select(m.Period))}
        for code, lessons in sorted(by_sub.items()):
            f = s.scalar(select(m.Faculty).where(m.Faculty.code == code))
            email = (f.email or "").strip() if f else ""
            items = []
            for x in lessons:
                first, last = periods.get(x.period), periods.get(x.period + x.duration - 1)
                times = f" ({first.start_time}–{last.end_time})" if first and last else ""
                room = x.arrangement.room or x.room
                items.append(f"{x.period_label}{times}: {x.course} {x.kind} — {x.course_title}, {', '.join(x.groups)}"
                             f"{' in ' + room if room else ''}, for {x.faculty_name}"
                             + (" (swap)" if x.arrangement.kind == "swap" else "")
                             + (f" (merged with {x.arrangement.other})" if x.arrangement.kind == "merge" else ""))
            absent = sorted({x.faculty_name for x in lessons})
            per_recipient.append((code, f"Substitution on {when}", "\n".join(items), {
                "date": plan.date.isoformat(), "faculty": {"code": code, "name": f.name if f else code,
                                                           "email": email},
                "lessons": [{"period": x.period_label, "duration": x.duration, "course": x.course, "kind": x.kind,
                             "groups": list(x.groups), "room": x.arrangement.room or x.room,
                             "for": x.faculty, "arrangement": x.arrangement.kind} for x in lessons]}))
            if not email:
                result.no_email.append(code)
                continue
            variables = dict(base, faculty_name=f.name, faculty_code=f.code, version=plan.timetable, week="",
                             day=when, date=when, lessons=items, absent=", ".join(absent), changes=[], classes=[])
            r = render(subject, text, html, variables)
            ids = ",".join(str(x.arrangement.id) for x in lessons)
            key = f"{TEMPLATE}|{plan.date.isoformat()}|{code}|{ids}"
            digest = hashlib.sha1(key.encode()).hexdigest()[:16]
            stmt = insert_for(s, m.OutboxMessage).values(
                idempotency_key=key[:300], event=f"{EVENT}:{plan.date.isoformat()}", template_name=TEMPLATE,
                timetable_id=plan.timetable_id, faculty_id=f.id, faculty_code=f.code,
                recipient_name=one_line(f.name)[:200], recipient_email=email, subject=r.subject, body_text=r.text,
                body_html=r.html, attach_pdf=False, message_id=new_message_id(sender, f"ato.sub.{digest}"),
                status="queued", attempts=0, last_error="", next_attempt_at=now, created_at=now,
            ).on_conflict_do_nothing(index_elements=["idempotency_key"])
            if inserted(s, stmt):
                result.queued += 1
                result.faculty.append(code)
            else:
                result.already_queued += 1
    _queue_classes(db, plan, sender, result)
    result.webhooks = _queue_channels(db, plan, per_recipient)
    return result


def _class_line(x: sday.Lesson) -> str:
    a = x.arrangement
    if a.kind == "substitute":
        what = f"taken by {a.substitute_name}"
    elif a.kind == "self_study":
        what = f"self-study{' in ' + a.room if a.room else ''}"
    elif a.kind == "swap":
        what = f"swapped: {a.other or 'another lesson'} is held now, {x.course} on {a.other_date}"
    else:
        what = f"together with {a.other}"
    room = a.room or x.room
    return f"{x.period_label}: {x.course} {x.kind} — {x.course_title} ({x.faculty_name} is away): {what}" + \
        (f", {room}" if room and a.kind == "substitute" else "")


def _queue_classes(db: Database, plan: sday.DayPlan, sender: str, result: NoticeResult) -> None:
    """One e-mail per class address (a group's own, else its section's) listing its arranged lessons."""
    with db.session() as s:
        groups = {g.code: g for g in s.scalars(select(m.StudentGroup))}
        by_id = {g.id: g for g in groups.values()}
        per_address: dict[str, tuple[list[str], list[sday.Lesson]]] = {}
        for x in plan.lessons:
            if not x.covered:
                continue
            for code in x.groups:
                g = groups.get(code)
                while g is not None and not (g.email or "").strip() and g.parent_id:
                    g = by_id.get(g.parent_id)
                address = (g.email or "").strip() if g else ""
                if not address:
                    continue
                names, lessons = per_address.setdefault(address, ([], []))
                if g.code not in names:
                    names.append(g.code)
                if x not in lessons:
                    lessons.append(x)
        tpl = s.scalar(select(m.MailTemplate).where(m.MailTemplate.name == "substitution_class"))
        subject, text, html = (tpl.subject, tpl.body_text, tpl.body_html) if tpl else (CLASS_SUBJECT, CLASS_TEXT, "")
        base = notes._base_vars(s)
        when = plan.date.strftime("%A %d %B %Y")
        now = outbox.utcnow()
        for address, (names, lessons) in sorted(per_address.items()):
            r = render(subject, text, html, dict(base, group=", ".join(names), date=when, day=when,
                                                 lessons=[_class_line(x) for x in lessons], faculty_name="",
                                                 faculty_code="", version=plan.timetable, week="", changes=[],
                                                 classes=[]))
            ids = ",".join(f"{x.arrangement.id}" for x in lessons)
            key = f"{TEMPLATE}_class|{plan.date.isoformat()}|{address}|{ids}"
            digest = hashlib.sha1(key.encode()).hexdigest()[:16]
            stmt = insert_for(s, m.OutboxMessage).values(
                idempotency_key=key[:300], event=f"{EVENT}:{plan.date.isoformat()}", template_name="substitution_class",
                timetable_id=plan.timetable_id, faculty_id=None, faculty_code="",
                recipient_name=one_line(", ".join(names))[:200], recipient_email=address, subject=r.subject,
                body_text=r.text, body_html=r.html, attach_pdf=False,
                message_id=new_message_id(sender, f"ato.cls.{digest}"), status="queued", attempts=0, last_error="",
                next_attempt_at=now, created_at=now,
            ).on_conflict_do_nothing(index_elements=["idempotency_key"])
            if inserted(s, stmt):
                result.classes += 1


def _queue_channels(db: Database, plan: sday.DayPlan, per_recipient: list) -> int:
    from ato_desktop.services import channels

    if not plan.lessons:
        return 0
    lines = []
    for x in plan.lessons:
        a = x.arrangement
        if a is None or x.problem:
            what = "not covered yet"
        elif a.kind == "self_study":
            what = f"self-study{' in ' + a.room if a.room else ''}"
        elif a.kind == "merge":
            what = f"merged with {a.other} ({a.substitute})"
        else:
            what = f"{a.substitute_name} ({a.substitute})" + (" (swap)" if a.kind == "swap" else "")
        lines.append(f"{x.period_label} {x.course} {x.kind} {', '.join(x.groups)}: {what}, for {x.faculty_name}")
    state = ";".join(f"{x.ref}={x.arrangement.id if x.arrangement else '-'}" for x in plan.lessons)
    key = f"{plan.date.isoformat()}|{hashlib.sha1(state.encode()).hexdigest()[:16]}"
    return channels.queue_event(db, "substitution", subject=f"Arrangement for {plan.date.strftime('%A %d %B %Y')}",
                                text="\n".join(lines), key=key,
                                data={"date": plan.date.isoformat(), "lessons": lines},
                                per_recipient=per_recipient)


def queue_channel_digest(db: Database, *, today=None) -> int:
    """The ``daily_digest`` of the webhook channels: tomorrow's day (a holiday, whose timetable runs) and
    its absences and arrangements so far. Returns the messages queued (nothing without such channels)."""
    import datetime as dt

    from ato_desktop.services import channels
    from ato_desktop.services import term as terms
    from ato_desktop.services.errors import ServiceError

    with db.read_session() as s:
        if not any("daily_digest" in (c.events or []) for c in s.scalars(select(m.NotifyChannel))):
            return 0
    tomorrow = (terms.parse_date(today) if today else terms.today(db)) + dt.timedelta(days=1)
    term = terms.get_term(db)
    when = tomorrow.strftime("%A %d %B %Y")
    lines: list[str] = []
    if term.is_set and not term.start <= tomorrow <= term.end:
        return 0
    info = terms.date_info(db, tomorrow, term)
    if not info.teaching:
        lines.append(f"No classes: {info.why}.")
    else:
        try:
            plan = sday.plan_day(db, tomorrow)
        except ServiceError as exc:
            lines.append(str(exc))
        else:
            if info.why:
                lines.append(info.why[:1].upper() + info.why[1:] + ".")
            if not plan.absences:
                lines.append("No absences recorded.")
            for a in plan.absences:
                lines.append(f"{a.faculty_name} ({a.faculty}) absent: {a.when}, {a.reason}.")
            for x in plan.lessons:
                arr = x.arrangement
                what = "not covered yet" if arr is None or x.problem else (
                    f"{arr.substitute_name} ({arr.substitute})" if arr.kind in sday.TAKING_KINDS else
                    f"self-study{' in ' + arr.room if arr.room else ''}")
                lines.append(f"{x.period_label} {x.course} {x.kind} {', '.join(x.groups)}: {what}")
    text = "\n".join(lines)
    key = f"{tomorrow.isoformat()}|{hashlib.sha1(text.encode()).hexdigest()[:16]}"
    return channels.queue_event(db, "daily_digest", subject=f"Tomorrow, {when}", text=text, key=key,
                                data={"date": tomorrow.isoformat(), "lines": lines})


def queue_notices(db: Database, *, date, timetable: int | str | None = None):
    """The Substitutions page's "Notify substitutes" as an operation: :func:`queue_substitution_notices`;
    ``result`` is its NoticeResult. Not undoable (mail queued may be on its way)."""
    from ato_desktop.services.operations import Change

    result = queue_substitution_notices(db, date, timetable=timetable)
    return Change(f"Queue {result.queued} substitution notice(s)", {"notifications"}, result=result)
