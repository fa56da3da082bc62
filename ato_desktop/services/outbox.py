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
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from ato_desktop.notify.message import InvalidAddress, build_message
from ato_desktop.notify.smtp import MailError, MailSettings, SmtpTransport
from ato_desktop.progress import Progress
from ato_desktop.services.mail_settings import _password_for, get_mail_settings
from ato_desktop.storage import models as m
from ato_desktop.storage.database import Database

MAX_ATTEMPTS = 12  # 1, 2, 4 ... 256 min, then 6 h: about a day of retries
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=6)
SENDING_TIMEOUT = dt.timedelta(minutes=15)
INTERRUPTED_ERROR = ("Sending was interrupted (the app stopped or the computer lost power while this message "
                     "was being handed to the mail server). It may or may not have arrived, so it is not sent "
                     "again on its own: use Retry to send it again.")


def utcnow() -> dt.datetime:
    return m.utcnow()


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


def _decide(db: Database, ids: Iterable[int], **values) -> int:
    """The coordinator's decision on messages that may have been sent (or failed): set ``values`` on those
    of ``ids`` still ``uncertain`` or ``failed``. Returns how many."""
    with db.session() as s:
        return s.execute(update(m.OutboxMessage)
                         .where(m.OutboxMessage.id.in_(list(ids)),
                                m.OutboxMessage.status.in_(("uncertain", "failed")))
                         .values(claimed_at=None, **values)
                         .execution_options(synchronize_session=False)).rowcount


def send_again(db: Database, ids: Iterable[int]) -> int:
    """The coordinator's choice for messages that may have been sent (``uncertain``), or failed: queue them
    to be sent now, with the same Message-ID. Returns how many."""
    return _decide(db, ids, status="queued", next_attempt_at=utcnow())


def mark_sent(db: Database, ids: Iterable[int]) -> int:
    """The coordinator's choice for messages that may have been sent (``uncertain``), or failed: they did
    arrive (the coordinator checked), so they are ``sent`` and never sent again. Returns how many."""
    return _decide(db, ids, status="sent", sent_at=utcnow())


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
    from ato_desktop.services.reports import faculty_timetable_pdf

    return faculty_timetable_pdf(db, timetable_id, faculty_code)


def _compose(db: Database, row: m.OutboxMessage, ms: MailSettings, pdf_maker: PdfMaker, views: dict):
    """The message of ``row``; ``views``: the timetables read for the .ics files of this send batch, by
    version id (each version is read once per batch, not once per e-mail)."""
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
        # the .ics beside it (issue 20)
        from ato_desktop.services.publishing import faculty_calendar, timetable_view

        view = views.get(row.timetable_id)
        if view is None:
            view = views[row.timetable_id] = timetable_view(db, row.timetable_id)
        ics = faculty_calendar(db, row.timetable_id, row.faculty_code, view=view)
        if ics:
            attachments.append((f"{safe}.ics", ics))
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
    views = {}  # timetable id -> its TimetableView, read once for this batch's .ics files
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
                msg = _compose(db, row, ms, pdf_maker, views)
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


__all__ = ["OutboxRow", "DeliveryReport", "list_outbox", "outbox_counts", "retry", "send_again", "mark_sent",
           "delete_messages", "deliver_due", "pending_count", "envelope_recipients", "INTERRUPTED_ERROR",
           "SENDING_TIMEOUT"]
