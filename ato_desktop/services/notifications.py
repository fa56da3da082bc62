"""E-mail notifications: mail settings, templates, change summaries, the outbox and delivery.

The outbox
----------
Every message is first written to ``outbox_message`` (one row per recipient,
rendered subject and bodies, a fixed Message-ID), then sent by
:func:`deliver_due`. Delivery of one row:

1. *claim* it with one atomic ``UPDATE ... SET status='sending' WHERE id=? AND
   status='queued' AND next_attempt_at <= now`` in its own transaction; a row
   another sender (thread, process, second app window) claimed first is skipped;
2. build the message (the faculty member's own timetable PDF is made now) and
   hand it to the SMTP server;
3. mark it ``sent`` in its own transaction; on failure put it back to
   ``queued`` with ``last_error`` and an exponential back-off
   (1 min, 2, 4, ... capped at 6 h), or ``failed`` after ``MAX_ATTEMPTS`` or a
   permanent refusal (``retry`` re-queues failed rows).

Quitting mid-send loses nothing: unclaimed rows stay queued, and a normal quit
stops between two messages. A row left in ``sending`` by a crash or power loss
(claimed more than ``SENDING_TIMEOUT`` ago) is **not** sent again on its own:
the process may have died after the server accepted it, and nothing on this side
can tell. The next delivery marks it ``failed`` with the error
:data:`INTERRUPTED_ERROR`, so the coordinator sees it in the Notifications view
(and ``notify outbox``) and can send it again with Retry, which reuses the same
Message-ID. So a message is delivered at most once unless someone asks again,
and never silently dropped.

The same holds when the connection is lost after the whole message went to the
server (the end-of-data mark was sent) but before its reply arrived: the
server may have accepted it, and SMTP cannot tell. Such a message is marked
``uncertain`` ("may have been sent") and never sent again on its own; the
coordinator chooses :func:`send_again` or :func:`mark_sent` (the Notifications
view, ``notify outbox --resend ID`` / ``--mark-sent ID``). Queuing is idempotent (a unique key per template,
version, faculty member and event) and claiming is atomic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from ato_desktop.notify import secrets
from ato_desktop.notify.message import InvalidAddress, build_message, check_address, new_message_id
from ato_desktop.notify.render import VARIABLES, Rendered, one_line, render, unknown_variables
from ato_desktop.notify.smtp import DEFAULT_PORTS, SECURITY_MODES, MailError, MailSettings, SmtpTransport
from ato_desktop.progress import Progress
from ato_desktop.services.calendar import ALL_DAYS, all_settings
from ato_desktop.services import frozen
from ato_desktop.services.errors import NotFoundError, ValidationError
from ato_desktop.services.frozen import FrozenSession
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

MAX_ATTEMPTS = 12  # 1, 2, 4 ... 256 min, then 6 h: about a day of retries
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=6)
SENDING_TIMEOUT = dt.timedelta(minutes=15)
INTERRUPTED_ERROR = ("Sending was interrupted (the app stopped or the computer lost power while this message "
                     "was being handed to the mail server). It may or may not have arrived, so it is not sent "
                     "again on its own: use Retry to send it again.")
PUBLISH_TEMPLATE = "timetable"
WEEKLY_TEMPLATE = "weekly_reminder"
DIGEST_TEMPLATE = "daily_digest"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_KEYS = {"host": "mail_host", "port": "mail_port", "security": "mail_security", "user": "mail_user",
         "sender": "mail_sender", "sender_name": "mail_sender_name", "ca_file": "mail_ca_file",
         "reply_to": "mail_reply_to", "copy": "mail_copy"}
COPY_MODES = ("", "cc", "bcc")  # a copy of each message to the coordinator: none, Cc or Bcc
MAX_CA_FILE_BYTES = 5 * 1024 * 1024  # a bundle of a few hundred certificates is well under 1 MB


def utcnow() -> dt.datetime:
    return m.utcnow()


# ---------------------------------------------------------------------------
# Mail settings (the password goes to the keychain, never to the database)
# ---------------------------------------------------------------------------
def get_mail_settings(db: Database) -> MailSettings:
    values = all_settings(db)
    security = values.get(_KEYS["security"], "") or "starttls"
    try:
        port = int(values.get(_KEYS["port"], "") or DEFAULT_PORTS.get(security, 587))
    except ValueError:
        port = DEFAULT_PORTS.get(security, 587)
    return MailSettings(host=values.get(_KEYS["host"], ""), port=port, security=security,
                        user=values.get(_KEYS["user"], ""), sender=values.get(_KEYS["sender"], ""),
                        sender_name=values.get(_KEYS["sender_name"], ""), ca_file=values.get(_KEYS["ca_file"], ""),
                        reply_to=values.get(_KEYS["reply_to"], ""),
                        copy=values.get(_KEYS["copy"], "") if values.get(_KEYS["copy"], "") in COPY_MODES else "")


def check_ca_file(path: str | Path) -> str:
    """Check a "trusted certificate file": it exists, is PEM, holds a certificate that OpenSSL loads.

    Returns the absolute path to store. Raises :class:`ValueError` with a message for the user.
    """
    raw = str(path).strip()
    p = Path(raw).expanduser()
    try:
        p = p.resolve()
    except OSError:
        pass
    if not p.exists():
        raise ValueError(f"{p} does not exist.")
    if not p.is_file():
        raise ValueError(f"{p} is not a file.")
    try:
        size = p.stat().st_size
        if size > MAX_CA_FILE_BYTES:
            raise ValueError(f"{p} is {size // 1024} KB: too big for a certificate file.")
        data = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"{p} cannot be read ({exc.strerror or exc}).") from None
    if b"PRIVATE KEY-----" in data:
        raise ValueError(f"{p} contains a private key; choose a file with the authority's certificate only "
                         "(a private key must never be shared).")
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise ValueError(f"{p} is not a PEM certificate file (no '-----BEGIN CERTIFICATE-----' line); "
                         "export the authority's certificate as PEM / Base-64 (.pem or .crt).")
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(p))
    except (ssl.SSLError, ValueError) as exc:
        raise ValueError(f"{p} could not be read as a PEM certificate ({getattr(exc, 'reason', None) or exc}).") \
            from None
    return str(p)


def validate_mail_settings(host: str, port: int | str, security: str, sender: str, user: str = "",
                           sender_name: str = "", ca_file: str = "", reply_to: str = "",
                           copy: str = "") -> MailSettings:
    def bad(fieldname: str, msg: str) -> ValidationError:
        return ValidationError("Mail settings", fieldname, msg)

    host = (host or "").strip()
    if not host:
        raise bad("host", "is required (the SMTP server, e.g. smtp.example.edu.in).")
    if not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", host):
        raise bad("host", f"{host!r} is not a host name or IP address.")
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise bad("port", f"{port!r} is not a number.") from None
    if not 1 <= port <= 65535:
        raise bad("port", f"{port} is not between 1 and 65535.")
    security = (security or "").strip().lower()
    if security not in SECURITY_MODES:
        raise bad("security", f"{security!r} is not one of {', '.join(SECURITY_MODES)}.")
    try:
        sender = check_address(sender, "sender address")
    except InvalidAddress as exc:
        raise bad("sender", str(exc)) from None
    user = (user or "").strip()
    if any(c in user for c in "\r\n"):
        raise bad("user", "must be on one line.")
    ca_file = (ca_file or "").strip()
    if ca_file:
        if any(c in ca_file for c in "\r\n"):
            raise bad("trusted_certificate", "must be on one line.")
        try:
            ca_file = check_ca_file(ca_file)
        except ValueError as exc:
            raise bad("trusted_certificate", str(exc)) from None
    reply_to = (reply_to or "").strip()
    if reply_to:
        try:
            reply_to = check_address(reply_to, "reply-to address")
        except InvalidAddress as exc:
            raise bad("reply_to", str(exc)) from None
    copy = (copy or "").strip().lower()
    if copy not in COPY_MODES:
        raise bad("copy", f"{copy!r} is not one of: none, cc, bcc.")
    return MailSettings(host, port, security, user, sender, one_line(sender_name or ""), ca_file, reply_to, copy)


def save_mail_settings(db: Database, *, host: str, port: int | str, security: str, sender: str,
                       user: str = "", sender_name: str = "", password: str | None = None,
                       ca_file: str = "", reply_to: str = "", copy: str = "") -> MailSettings:
    """Validate and store the settings; ``password`` (if given) goes to the keychain only.

    ``ca_file``: optional PEM file of an extra certificate authority to trust (an institution's own
    CA); its path is stored as a setting (it is not a secret), "" clears it.

    Raises :class:`ValidationError` or :class:`secrets.SecretStoreUnavailable`; then nothing changed.
    """
    ms = validate_mail_settings(host, port, security, sender, user, sender_name, ca_file, reply_to, copy)
    if password is not None:
        if not ms.user:
            raise ValidationError("Mail settings", "user", "is required to store a password.")
        secrets.set_password(ms.user, ms.host, password)  # may raise SecretStoreUnavailable: nothing saved yet
    with db.session() as s:
        for attr, key in _KEYS.items():
            value = str(getattr(ms, attr))
            row = s.get(m.Setting, key)
            if row is None:
                s.add(m.Setting(key=key, value=value))
            else:
                row.value = value
    return ms


def has_password(db: Database) -> bool:
    ms = get_mail_settings(db)
    return bool(ms.user) and secrets.get_password(ms.user, ms.host) is not None


def _password_for(ms: MailSettings, password: str | None) -> str | None:
    if password is not None:
        return password
    return secrets.get_password(ms.user, ms.host) if ms.user else None


def send_test_email(db: Database, to: str, *, password: str | None = None,
                    settings: MailSettings | None = None) -> str:
    """Send a short test message now (not through the outbox). Raises :class:`MailError`.

    ``settings``/``password`` let the dialog test what is typed before saving it.
    """
    ms = settings or get_mail_settings(db)
    try:
        to = check_address(to, "test recipient address")
    except InvalidAddress as exc:
        raise MailError(str(exc), permanent=True) from None
    mid = new_message_id(ms.sender, "test")
    try:
        msg = build_message(sender=ms.sender, sender_name=ms.sender_name or "ATO Desktop", to_name="", to_addr=to,
                            subject="ATO Desktop test e-mail",
                            text=f"This is a test message from ATO Desktop, sent through {ms.where} "
                                 f"({ms.security}).\nIf you can read it, the mail settings work.\n",
                            html=None, message_id=mid, date=dt.datetime.now(dt.timezone.utc),
                            reply_to=ms.reply_to or None)
    except (InvalidAddress, ValueError) as exc:
        raise MailError(str(exc), permanent=True) from None
    with SmtpTransport(ms, _password_for(ms, password)) as t:
        t.send(msg, ms.sender, [to])
    return mid


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateInfo:
    id: int
    name: str
    subject: str
    body_text: str
    body_html: str
    attach_pdf: bool


def _tpl_info(t: m.MailTemplate) -> TemplateInfo:
    return TemplateInfo(t.id, t.name, t.subject, t.body_text, t.body_html, t.attach_pdf)


def list_templates(db: Database) -> list[TemplateInfo]:
    with db.read_session() as s:
        return [_tpl_info(t) for t in s.scalars(select(m.MailTemplate).order_by(m.MailTemplate.name))]


def _tpl(s: Session, name: str) -> m.MailTemplate:
    t = s.scalar(select(m.MailTemplate).where(func.lower(m.MailTemplate.name) == (name or "").strip().lower()))
    if t is None:
        raise NotFoundError("Mail template", name)
    return t


def get_template(db: Database, name: str) -> TemplateInfo:
    with db.read_session() as s:
        return _tpl_info(_tpl(s, name))


def save_template(db: Database, name: str, *, subject: str, body_text: str, body_html: str = "",
                  attach_pdf: bool = True) -> TemplateInfo:
    """Create or replace the template ``name``."""
    name = (name or "").strip()
    if not name or len(name) > 100 or not re.fullmatch(r"[A-Za-z0-9_. -]+", name):
        raise ValidationError("Mail template", "name", "use letters, digits, '_', '-', '.' or spaces (at most 100).")
    if not (subject or "").strip():
        raise ValidationError("Mail template", "subject", "is required.")
    if "\n" in subject or "\r" in subject:
        raise ValidationError("Mail template", "subject", "must be one line.")
    if len(subject) > 300:
        raise ValidationError("Mail template", "subject", "is longer than 300 characters.")
    if not (body_text or "").strip():
        raise ValidationError("Mail template", "text", "is required (the plain-text part).")
    unknown = unknown_variables(subject, body_text, body_html or "")
    if unknown:
        names = ", ".join(f"${n}" for n in unknown)
        raise ValidationError("Mail template", "variables",
                              f"{names} {'is' if len(unknown) == 1 else 'are'} not a known variable "
                              f"(known: {', '.join('$' + v for v in VARIABLES)}).")
    with db.session() as s:
        t = s.scalar(select(m.MailTemplate).where(func.lower(m.MailTemplate.name) == name.lower()))
        if t is None:
            t = m.MailTemplate(name=name)
            s.add(t)
        t.subject, t.body_text, t.body_html, t.attach_pdf = subject.strip(), body_text, body_html or "", bool(attach_pdf)
        s.flush()
        return _tpl_info(t)


def delete_template(db: Database, name: str) -> None:
    with db.session() as s:
        s.delete(_tpl(s, name))


# ---------------------------------------------------------------------------
# Recipients, placements, change summaries
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


def _where(p: FrozenSession) -> str:
    if p.day is None:
        return p.slot_text
    return f"{p.slot_text}, room {p.room_code or '(none)'}"


def _sort_key(p: FrozenSession) -> tuple:
    return (p.day if p.day is not None else 99, p.period if p.period is not None else 99, p.label)


def _placements(s: Session, tt: m.Timetable, faculty: m.Faculty | None = None) -> dict[tuple[int, int], FrozenSession]:
    """What is mailed about the version's sessions: the frozen snapshot of a published version, the
    live sessions of any other (only those ``faculty`` teaches, when given: a preview of one person's
    message reads a few dozen rows instead of a whole department's)."""
    rows = frozen.sessions_of(s, tt, faculty.id if faculty else None, faculty.code if faculty else None)
    return {(p.activity_id, p.occurrence): p for p in rows}


def _identity(p: FrozenSession) -> tuple:
    """What makes two sessions interchangeable: course, kind, groups, teachers and length."""
    return (p.course_code, p.kind, p.group_codes, p.faculty_codes, p.duration, p.basket)


def _place(p: FrozenSession) -> tuple:
    return (p.day, p.period, p.room_code, p.slot_text)


def _pairs(old: dict, new: dict) -> list[tuple[FrozenSession | None, FrozenSession | None]]:
    """Pair the sessions of two snapshots, leaving out what did not change.

    Interchangeable sessions (same course, kind, groups, teachers and length) at the same place are
    unchanged whatever their occurrence numbers (swapping two identical sessions is not a change);
    the rest pair with an interchangeable session first, then by activity and occurrence; what is left
    is new or removed."""
    left_old: dict[tuple, list] = {}
    for key in sorted(old):
        left_old.setdefault(_identity(old[key]), []).append(key)
    left_new: dict[tuple, list] = {}
    for key in sorted(new):
        left_new.setdefault(_identity(new[key]), []).append(key)
    pairs: list[tuple] = []
    for ident, new_keys in left_new.items():
        old_keys = left_old.get(ident, [])
        for nk in list(new_keys):
            hit = next((ok for ok in old_keys if _place(old[ok]) == _place(new[nk])), None)
            if hit is not None:
                old_keys.remove(hit)
                new_keys.remove(nk)
        for nk, ok in list(zip(list(new_keys), list(old_keys))):  # moved, same teachers
            pairs.append((old[ok], new[nk]))
            new_keys.remove(nk)
            old_keys.remove(ok)
    rest_old = {k for keys in left_old.values() for k in keys}
    rest_new = {k for keys in left_new.values() for k in keys}
    for k in sorted(rest_old & rest_new):  # same session, other teachers
        pairs.append((old[k], new[k]))
    pairs += [(old[k], None) for k in sorted(rest_old - rest_new)]
    pairs += [(None, new[k]) for k in sorted(rest_new - rest_old)]
    return pairs


def _changes(old: dict | None, new: dict) -> dict[str, list[str]]:
    """Per faculty code, one line per changed session of theirs (a new teacher and the previous one
    both hear of it), sorted by slot."""
    out: dict[str, list[tuple[tuple, str]]] = {}
    for a, b in _pairs(old or {}, new):
        if (a is None or a.day is None) and (b is None or b.day is None):
            continue  # unscheduled before and after (or new and unscheduled)
        ref = b or a
        if a is None or a.day is None:
            line = f"{b.label}: new, {_where(b)}"
        elif b is None:
            line = f"{a.label}: removed (was {_where(a)})"
        elif b.day is None:
            line = f"{b.label}: {_where(a)} → not scheduled"
        elif _place(a) == _place(b):
            line = f"{b.label}: {_where(b)}"
        elif (a.day, a.period, a.slot_text) == (b.day, b.period, b.slot_text):
            line = f"{b.label}: {b.slot_text}, room {a.room_code or '(none)'} → {b.room_code or '(none)'}"
        else:
            line = f"{b.label}: {_where(a)} → {_where(b)}"
        if a is not None and b is not None and a.faculty_codes != b.faculty_codes:
            line += f"; taught by {', '.join(a.faculty_codes) or '(nobody)'} → {', '.join(b.faculty_codes) or '(nobody)'}"
        for code in set(a.faculty_codes if a else ()) | set(b.faculty_codes if b else ()):
            out.setdefault(code, []).append((_sort_key(ref), line))
    return {code: [line for _, line in sorted(lines)] for code, lines in sorted(out.items())}


def _tt(s: Session, key) -> m.Timetable:
    from ato_desktop.services.timetables import _tt as find

    return find(s, key)


def change_summary(db: Database, old_tt, new_tt) -> dict[str, list[str]]:
    """Per faculty code, one line per session of theirs that changed (sorted by slot).

    Published versions are compared as they were published (their frozen snapshots).
    ``old_tt`` may be ``None`` (first publication): every scheduled session is "new".
    """
    with db.read_session() as s:
        new = _tt(s, new_tt)
        old = _tt(s, old_tt) if old_tt is not None else None
        return _changes(_placements(s, old) if old else None, _placements(s, new))


def _classes(placements: dict, day: int | None = None) -> dict[str, list[str]]:
    out: dict[str, list[tuple[tuple, str]]] = {}
    for p in placements.values():
        if p.day is None or (day is not None and p.day != day):
            continue
        for code in p.faculty_codes:
            out.setdefault(code, []).append((_sort_key(p), f"{_where(p)}: {p.label}"))
    return {code: [x for _, x in sorted(v)] for code, v in out.items()}


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
        stmt = sqlite_insert(m.OutboxMessage).values(
            idempotency_key=key, event=event[:100], template_name=tpl.name, timetable_id=tt.id if tt else None,
            faculty_id=f.id, faculty_code=f.code, recipient_name=one_line(f.name)[:200], recipient_email=email,
            subject=r.subject, body_text=r.text, body_html=r.html, attach_pdf=bool(tpl.attach_pdf and tt),
            message_id=new_message_id(sender, f"ato.{digest}"), status="queued", attempts=0, last_error="",
            next_attempt_at=now, created_at=now,
        ).on_conflict_do_nothing(index_elements=["idempotency_key"])
        if s.execute(stmt).rowcount:
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
    (what the coordinator explicitly published anyway; see ``services.versions.publish_version``).
    Publishing the same version again queues nothing new (idempotency key event ``publish``).
    Call :func:`deliver_due` (or the scheduler's ``trigger_delivery``) afterwards to send.
    """
    sender = get_mail_settings(db).sender
    with db.session() as s:
        tpl = _tpl(s, template) if template else None
        tt = _tt(s, timetable)
        prev = _previous_for(s, tt)
        if tt.status != "published":
            before = tt.status
            if tt.status in ("draft", "returned") or not frozen.has_snapshot(s, tt.id):
                frozen.freeze(s, tt)  # an approved version keeps the snapshot that was approved
            tt.status = "published"
            tt.published_at = utcnow()
            tt.publish_override = override
            from ato_desktop.services import approval

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


# ---------------------------------------------------------------------------
# The outbox
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class OutboxRow:
    id: int
    created_at: dt.datetime
    event: str
    template: str
    faculty_code: str
    recipient_name: str
    recipient_email: str
    subject: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    message_id: str


def _row(o: m.OutboxMessage) -> OutboxRow:
    return OutboxRow(o.id, o.created_at, o.event, o.template_name, o.faculty_code, o.recipient_name,
                     o.recipient_email, o.subject, o.status, o.attempts, o.last_error, o.next_attempt_at,
                     o.sent_at, o.message_id)


def list_outbox(db: Database, *, status: str | None = None, limit: int = 1000) -> list[OutboxRow]:
    with db.read_session() as s:
        q = select(m.OutboxMessage).order_by(m.OutboxMessage.id.desc()).limit(limit)
        if status:
            q = q.where(m.OutboxMessage.status == status)
        return [_row(o) for o in s.scalars(q)]


def outbox_counts(db: Database) -> dict[str, int]:
    with db.read_session() as s:
        rows = s.execute(select(m.OutboxMessage.status, func.count()).group_by(m.OutboxMessage.status)).all()
    out = {k: 0 for k in m.OUTBOX_STATUSES}
    out.update({k: int(v) for k, v in rows})
    return out


def retry(db: Database, ids: Iterable[int] | None = None) -> int:
    """Make failed and waiting messages due now (all, or the given ids). Returns how many."""
    with db.session() as s:
        q = update(m.OutboxMessage).where(m.OutboxMessage.status.in_(("queued", "failed")))
        if ids is not None:
            q = q.where(m.OutboxMessage.id.in_(list(ids)))
        return s.execute(q.values(status="queued", next_attempt_at=utcnow(), claimed_at=None)
                         .execution_options(synchronize_session=False)).rowcount


def send_again(db: Database, ids: Iterable[int]) -> int:
    """The coordinator's choice for messages that may have been sent (``uncertain``), or failed: queue them
    to be sent now, with the same Message-ID. Returns how many."""
    with db.session() as s:
        return s.execute(update(m.OutboxMessage)
                         .where(m.OutboxMessage.id.in_(list(ids)),
                                m.OutboxMessage.status.in_(("uncertain", "failed")))
                         .values(status="queued", next_attempt_at=utcnow(), claimed_at=None)
                         .execution_options(synchronize_session=False)).rowcount


def mark_sent(db: Database, ids: Iterable[int]) -> int:
    """The coordinator's choice for messages that may have been sent (``uncertain``), or failed: they did
    arrive (the coordinator checked), so they are ``sent`` and never sent again. Returns how many."""
    with db.session() as s:
        return s.execute(update(m.OutboxMessage)
                         .where(m.OutboxMessage.id.in_(list(ids)),
                                m.OutboxMessage.status.in_(("uncertain", "failed")))
                         .values(status="sent", sent_at=utcnow(), claimed_at=None)
                         .execution_options(synchronize_session=False)).rowcount


def _mark_uncertain(db: Database, msg_id: int, error: str) -> None:
    with db.session() as s:
        s.execute(update(m.OutboxMessage).where(m.OutboxMessage.id == msg_id, m.OutboxMessage.status == "sending")
                  .values(status="uncertain", last_error=error[:2000], claimed_at=None)
                  .execution_options(synchronize_session=False))


def delete_messages(db: Database, ids: Iterable[int]) -> int:
    """Remove messages that are not being sent right now."""
    with db.session() as s:
        return s.execute(delete(m.OutboxMessage).where(m.OutboxMessage.id.in_(list(ids)),
                                                       m.OutboxMessage.status != "sending")
                         .execution_options(synchronize_session=False)).rowcount


def backoff(attempts: int) -> dt.timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _due_ids(db: Database, now: dt.datetime) -> list[int]:
    with db.read_session() as s:
        return list(s.scalars(select(m.OutboxMessage.id).where(
            (m.OutboxMessage.status == "queued") & (m.OutboxMessage.next_attempt_at <= now),
            m.OutboxMessage.channel == "",  # webhook messages: services.channels.deliver_webhooks
        ).order_by(m.OutboxMessage.id)))


def _fail_interrupted(db: Database, now: dt.datetime, sending_timeout: dt.timedelta) -> int:
    """Rows a dead sender left in ``sending``: mark them failed (may have been delivered), never re-send."""
    with db.session() as s:
        return s.execute(
            update(m.OutboxMessage)
            .where(m.OutboxMessage.status == "sending", m.OutboxMessage.claimed_at <= now - sending_timeout)
            .values(status="failed", last_error=INTERRUPTED_ERROR, claimed_at=None, next_attempt_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount


def _claim(db: Database, msg_id: int, now: dt.datetime) -> m.OutboxMessage | None:
    """Atomically take one due message (its own transaction). None: not due, or another sender has it."""
    with db.session() as s:
        claimed = s.execute(
            update(m.OutboxMessage)
            .where(m.OutboxMessage.id == msg_id, m.OutboxMessage.status == "queued",
                   m.OutboxMessage.next_attempt_at <= now)
            .values(status="sending", claimed_at=now, attempts=m.OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            return None
        row = s.get(m.OutboxMessage, msg_id)
        s.expunge(row)
        return row


def _mark_sent(db: Database, msg_id: int, now: dt.datetime) -> None:
    with db.session() as s:
        s.execute(update(m.OutboxMessage).where(m.OutboxMessage.id == msg_id, m.OutboxMessage.status == "sending")
                  .values(status="sent", sent_at=now, last_error="", claimed_at=None)
                  .execution_options(synchronize_session=False))


def _mark_failed(s: Session, row: m.OutboxMessage, error: str, permanent: bool, now: dt.datetime) -> str:
    give_up = permanent or row.attempts >= MAX_ATTEMPTS
    row.status = "failed" if give_up else "queued"
    row.last_error = error[:2000]
    row.claimed_at = None
    row.next_attempt_at = now if give_up else now + backoff(row.attempts)
    return row.status


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0  # failed this time, will be tried again later
    failed: int = 0  # given up (permanent error or too many attempts)
    interrupted: int = 0  # left in "sending" by a crash: now failed, waiting for the coordinator's Retry
    uncertain: int = 0  # the connection dropped before the server's reply: may have been sent, not re-sent
    waiting: int = 0  # queued after this run (due later)
    errors: list[str] = field(default_factory=list)
    stopped: bool = False

    def summary(self) -> str:
        parts = [f"{self.sent} sent"]
        if self.retrying or self.waiting:
            parts.append(f"{self.waiting} waiting to be retried")
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.uncertain:
            parts.append(f"{self.uncertain} may have been sent (the connection dropped before the server "
                         "answered; choose Send again or Mark as sent)")
        if self.interrupted:
            parts.append(f"{self.interrupted} interrupted earlier (may have arrived; Retry sends again)")
        text = ", ".join(parts) + "."
        if self.errors:
            text += f" Last error: {self.errors[-1]}"
        return text


PdfMaker = Callable[[Database, int, str], bytes]


def envelope_recipients(ms: MailSettings, to: str) -> list[str]:
    """The recipient, and the coordinator when a copy (Cc or Bcc) is asked for in the mail settings."""
    out = [to]
    if ms.copy in ("cc", "bcc") and ms.coordinator and ms.coordinator.lower() != to.lower():
        out.append(ms.coordinator)
    return out


def _default_pdf(db: Database, timetable_id: int, faculty_code: str) -> bytes:
    from ato_desktop.reports import faculty_timetable_pdf

    return faculty_timetable_pdf(db, timetable_id, faculty_code)


def _compose(db: Database, row: m.OutboxMessage, ms: MailSettings, pdf_maker: PdfMaker):
    attachments = []
    if row.attach_pdf:
        if row.timetable_id is None:
            raise MailError("The timetable version of this message was deleted; its PDF cannot be made.",
                            permanent=True)
        with db.read_session() as s:
            tt = s.get(m.Timetable, row.timetable_id)
            version = tt.name if tt else ""
        pdf = pdf_maker(db, row.timetable_id, row.faculty_code)
        safe = re.sub(r"[^A-Za-z0-9._ -]+", "", f"Timetable {row.faculty_code} {version}").strip() or "Timetable"
        attachments.append((f"{safe}.pdf", pdf))
    try:
        return build_message(sender=ms.sender, sender_name=ms.sender_name, to_name=row.recipient_name,
                             to_addr=row.recipient_email, subject=row.subject, text=row.body_text,
                             html=row.body_html or None, message_id=row.message_id, attachments=attachments,
                             date=dt.datetime.now(dt.timezone.utc), reply_to=ms.reply_to or None,
                             cc=ms.coordinator if ms.copy == "cc" else None)
    except (InvalidAddress, ValueError) as exc:
        raise MailError(str(exc), permanent=True) from None


def deliver_due(db: Database, *, now: dt.datetime | None = None, should_stop: Callable[[], bool] | None = None,
                password: str | None = None, limit: int | None = None,
                sending_timeout: dt.timedelta = SENDING_TIMEOUT, pdf_maker: PdfMaker | None = None,
                on_progress: Callable[[Progress], None] | None = None) -> DeliveryReport:
    """Send every due message once (see the module notes). Never raises for mail problems:
    they are recorded on the messages. ``should_stop`` is checked between messages."""
    now = now or utcnow()
    ms = get_mail_settings(db)
    report = DeliveryReport()
    report.interrupted = _fail_interrupted(db, now, sending_timeout)
    due = _due_ids(db, now)
    if limit is not None:
        due = due[:limit]
    pdf_maker = pdf_maker or _default_pdf

    def fail_rows(ids: list[int], error: MailError) -> None:
        # Write first, so that this transaction holds SQLite's write lock before it reads
        # (a read-then-write transaction can fail with SQLITE_BUSY under a concurrent sender).
        others = [x for x in ids if x != current]
        with db.session() as s:
            mine = []
            if current in ids:
                if s.execute(update(m.OutboxMessage)
                             .where(m.OutboxMessage.id == current, m.OutboxMessage.status == "sending")
                             .values(last_error=str(error)[:2000])
                             .execution_options(synchronize_session=False)).rowcount:
                    mine.append(current)
            if others:  # not claimed: they count an attempt as well (the server was not reachable)
                s.execute(update(m.OutboxMessage)
                          .where(m.OutboxMessage.id.in_(others), m.OutboxMessage.status == "queued")
                          .values(attempts=m.OutboxMessage.attempts + 1)
                          .execution_options(synchronize_session=False))
            rows = s.scalars(select(m.OutboxMessage).where(or_(
                m.OutboxMessage.id.in_(mine),
                m.OutboxMessage.id.in_(others) & (m.OutboxMessage.status == "queued")))).all()
            for o in rows:
                if _mark_failed(s, o, str(error), error.permanent, now) == "failed":
                    report.failed += 1
                else:
                    report.retrying += 1
        if str(error) not in report.errors:
            report.errors.append(str(error))

    current = None
    if due and not ms.configured:
        fail_rows(due, MailError("Mail is not configured: set the SMTP host and sender in Mail settings."))
        due = []
    transport = SmtpTransport(ms, _password_for(ms, password)) if due else None
    try:
        for i, msg_id in enumerate(due):
            if should_stop is not None and should_stop():
                report.stopped = True
                break
            row = _claim(db, msg_id, now)
            if row is None:
                continue
            current = msg_id
            try:
                msg = _compose(db, row, ms, pdf_maker)
            except MailError as exc:
                fail_rows([msg_id], exc)
                continue
            except Exception as exc:  # the PDF could not be made: say so on the message
                fail_rows([msg_id], MailError(f"Could not prepare the message: {type(exc).__name__}: {exc}"))
                continue
            try:
                transport.open()
            except MailError as exc:  # offline / refused / auth: every remaining message waits with this error
                fail_rows([msg_id] + [x for x in due[i + 1:]], exc)
                break
            try:
                transport.send(msg, ms.sender, envelope_recipients(ms, row.recipient_email))
            except MailError as exc:
                if exc.uncertain:  # never re-sent on its own: the coordinator decides
                    _mark_uncertain(db, msg_id, str(exc))
                    report.uncertain += 1
                    if str(exc) not in report.errors:
                        report.errors.append(str(exc))
                    continue
                fail_rows([msg_id], exc)
                continue
            _mark_sent(db, msg_id, utcnow())
            report.sent += 1
            if on_progress:
                on_progress(Progress(i + 1, len(due), "sending e-mails"))
    finally:
        if transport is not None:
            transport.close()
    report.waiting = outbox_counts(db)["queued"]
    return report


def pending_count(db: Database) -> int:
    c = outbox_counts(db)
    return c["queued"] + c["sending"]


__all__ = [
    "VARIABLES", "MailSettings", "MailError", "TemplateInfo", "Recipient", "QueueResult", "PublishResult",
    "OutboxRow", "DeliveryReport", "get_mail_settings", "save_mail_settings", "validate_mail_settings",
    "has_password", "send_test_email", "list_templates", "get_template", "save_template", "delete_template",
    "recipients", "change_summary", "publish_and_notify", "publish", "MailPlan", "mail_plan", "get_on_publish", "set_on_publish",
    "queue_template", "queue_weekly", "queue_daily_digest",
    "preview", "list_outbox", "outbox_counts", "retry", "delete_messages", "deliver_due", "pending_count",
    "INTERRUPTED_ERROR", "SENDING_TIMEOUT",
]
