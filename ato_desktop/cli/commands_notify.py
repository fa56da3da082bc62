"""``ato-desktop notify ...``: mail settings, sending, the outbox and schedules, headless.

* ``notify configure --db DB --host H --port P --security none|starttls|ssl --sender ADDR
  [--sender-name NAME] [--user U] [--password-stdin] [--ca-file PEM] [--reply-to ADDR] [--copy cc|bcc]``
  (the password goes to the OS
  keychain only; ``--ca-file``: an extra certificate authority to trust, e.g. the institution's own);
* ``notify test --db DB --to ADDR``: send a test e-mail now;
* ``notify send-now --db DB --template NAME [--to CODE ...] [--version V]``: queue, then try to send
  (exit 0 even when the server is down: the messages wait in the outbox, and the command says how many);
* ``notify outbox --db DB [--retry] [--resend ID ...] [--mark-sent ID ...] [--status S] [--json]``
  (``--resend`` / ``--mark-sent``: the coordinator's choice for a message that "may have been sent");
* ``notify templates --db DB`` and ``notify preview --db DB --template NAME [--faculty CODE]``;
* ``notify schedule --db DB list | weekly DAY HH:MM [--template T] | daily HH:MM [--template T] |
  remove ID | on-publish TEMPLATE|off``.
"""

from __future__ import annotations

import json
import sys

from ato_desktop.cli import CliError
from ato_desktop.cli.commands_db import open_db_or_fail


def _db(args, write: bool = True):
    return open_db_or_fail(getattr(args, "sub_db", None) or getattr(args, "db", None), write=write)


def cmd_configure(args) -> int:
    from ato_desktop.services import mail_settings

    password = None
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CliError("--password-stdin: no password on standard input")
    with _db(args) as db:
        ms = mail_settings.save_mail_settings(db, host=args.host, port=args.port, security=args.security,
                                      sender=args.sender, user=args.user or "", sender_name=args.sender_name or "",
                                      password=password, ca_file=args.ca_file or "",
                                      reply_to=args.reply_to or "", copy=args.copy or "")
    print(f"Mail settings saved: {ms.host}:{ms.port} ({ms.security}), sender {ms.sender}"
          + (f", user {ms.user}" if ms.user else "") + ".")
    if ms.ca_file:
        print(f"Certificates signed by the authority in {ms.ca_file} are trusted too "
              "(host names are still checked).")
    if password is not None:
        print("The password was stored in the system keychain (not in the database).")
    return 0


def cmd_test(args) -> int:
    from ato_desktop.services import mail_settings

    with _db(args, write=False) as db:
        ms = mail_settings.get_mail_settings(db)
        try:
            mid = mail_settings.send_test_email(db, args.to)
        except mail_settings.MailError as exc:
            raise CliError(f"test e-mail not sent: {exc}") from None
    print(f"Test e-mail sent to {args.to} through {ms.where} (Message-ID {mid}).")
    return 0


def _print_report(db, report) -> None:
    from ato_desktop.services import outbox

    counts = outbox.outbox_counts(db)
    print(f"{report.sent} sent.")
    waiting = counts["queued"] + counts["sending"]
    if waiting:
        print(f"{waiting} message(s) wait in the outbox; ATO Desktop retries them while it runs "
              f"(or: ato-desktop notify outbox --db {db.path} --retry).")
    if report.failed or counts["failed"]:
        print(f"{counts['failed']} message(s) failed for good; see 'notify outbox' for the errors.")
    if counts["uncertain"]:
        print(f"{counts['uncertain']} message(s) may have been sent (the connection dropped before the server "
              f"answered); they are not sent again on their own: see 'notify outbox', then --resend ID or "
              f"--mark-sent ID.")
    if report.errors:
        print(f"Last error: {report.errors[-1]}")


def cmd_send_now(args) -> int:
    from ato_desktop.services import mail_templates
    from ato_desktop.services import notifications as notes
    from ato_desktop.services import outbox

    with _db(args) as db:
        q = notes.queue_template(db, args.template, timetable=args.version, to=args.to or None)
        print(f"Queued {q.queued} message(s) with template '{mail_templates.get_template(db, args.template).name}'.")
        if q.no_email:
            print(f"No e-mail address for: {', '.join(q.no_email)} (nothing queued for them).")
        report = outbox.deliver_due(db)
        _print_report(db, report)
    return 0


def _when(value) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def cmd_outbox(args) -> int:
    from ato_desktop.services import outbox

    resend, mark = args.resend or [], args.mark_sent or []
    with _db(args, write=bool(args.retry or resend or mark)) as db:
        if mark:
            n = outbox.mark_sent(db, mark)
            print(f"Marked {n} message(s) as sent." + ("" if n == len(set(mark)) else
                  " Only messages that may have been sent, or failed, can be marked."))
        if resend:
            n = outbox.send_again(db, resend)
            print(f"Sending {n} message(s) again now." + ("" if n == len(set(resend)) else
                  " Only messages that may have been sent, or failed, can be sent again."))
        if args.retry:
            n = outbox.retry(db)
            print(f"Retrying {n} message(s) now.")
        if args.retry or resend:
            _print_report(db, outbox.deliver_due(db))
        rows = outbox.list_outbox(db, status=args.status)
        if args.json:
            print(json.dumps([{
                "id": r.id, "created": r.created_at.isoformat(), "template": r.template, "event": r.event,
                "faculty": r.faculty_code, "to": r.recipient_email, "subject": r.subject, "status": r.status,
                "attempts": r.attempts, "error": r.last_error, "next_attempt": r.next_attempt_at.isoformat(),
                "sent": r.sent_at.isoformat() if r.sent_at else None, "message_id": r.message_id,
            } for r in rows], indent=2))
            return 0
        counts = outbox.outbox_counts(db)
        print("Outbox: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + " (times in UTC).")
        for r in rows:
            when = f"sent {_when(r.sent_at)}" if r.status == "sent" else (
                f"next try {_when(r.next_attempt_at)}" if r.status == "queued" else
                "may have been sent: --resend or --mark-sent" if r.status == "uncertain" else r.status)
            print(f"  #{r.id:<5} {r.status:<9} {r.faculty_code:<6} {r.recipient_email:<34} {when}  "
                  f"[{r.template}] {r.subject}")
            if r.last_error and r.status != "sent":
                print(f"         attempt {r.attempts}: {r.last_error}")
    return 0


def cmd_templates(args) -> int:
    from ato_desktop.services import mail_templates
    from ato_desktop.services import notifications as notes

    with _db(args, write=False) as db:
        on_publish = notes.get_on_publish(db)
        for t in mail_templates.list_templates(db):
            flags = [x for x in ("PDF attached" if t.attach_pdf else "",
                                 "sent on publish" if t.name == on_publish else "") if x]
            print(f"{t.name:<20} {t.subject}" + (f"  ({', '.join(flags)})" if flags else ""))
    return 0


def cmd_preview(args) -> int:
    from ato_desktop.services import mail_templates
    from ato_desktop.services import notifications as notes

    with _db(args, write=False) as db:
        t = mail_templates.get_template(db, args.template)
        r = notes.preview(db, subject=t.subject, body_text=t.body_text, body_html=t.body_html,
                          faculty_code=args.faculty)
    print(f"Subject: {r.subject}\n")
    print(r.html if args.html else r.text)
    return 0


def _hhmm(value: str) -> tuple[int, int]:
    try:
        h, m = value.split(":")
        h, m = int(h), int(m)
    except ValueError:
        raise CliError(f"{value!r} is not a time; write HH:MM, e.g. 07:00") from None
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise CliError(f"{value!r} is not a time of day")
    return h, m


def cmd_schedule(args) -> int:
    from ato_desktop.notify import scheduler as sch
    from ato_desktop.services import mail_templates
    from ato_desktop.services import notifications as notes

    with _db(args) as db:  # even listing writes: the scheduler stores its retry job
        if args.action == "on-publish":
            value = args.value
            notes.set_on_publish(db, None if value.lower() in ("off", "none", "") else value)
            now = notes.get_on_publish(db)
            print(f"On publish: {'send ' + repr(now) if now else 'send nothing'}.")
            return 0
        if args.action in ("weekly", "daily"):
            mail_templates.get_template(db, args.template)  # exists?
        on_publish = notes.get_on_publish(db)
        path = db.path
    # The job store lives in the database file; a paused scheduler edits it without running jobs.
    sched = sch.NotificationScheduler(path)
    sched.start(paused=True)
    try:
        if args.action == "weekly":
            h, m = _hhmm(args.time)
            try:
                j = sched.schedule_weekly(args.day, h, m, template=args.template,
                                          job_id=sch.weekly_id(args.day, h, m, args.template))
            except ValueError as exc:
                raise CliError(str(exc)) from None
            print(f"Scheduled {j.id}: {j.description}; next run {_when(j.next_run_time)}.")
        elif args.action == "daily":
            h, m = _hhmm(args.time)
            j = sched.schedule_daily_digest(h, m, template=args.template, job_id=sch.daily_id(h, m, args.template))
            print(f"Scheduled {j.id}: {j.description}; next run {_when(j.next_run_time)}.")
        elif args.action == "remove":
            if not sched.remove(args.id):
                raise CliError(f"no schedule with id {args.id!r} (see 'notify schedule --db DB list')")
            print(f"Removed {args.id}.")
        else:
            print(f"On publish: {'send ' + repr(on_publish) if on_publish else 'send nothing'}.")
            items = sched.schedules()
            if not items:
                print("No weekly or daily schedules.")
            for j in items:
                print(f"  {j.id:<36} {j.description}; next run {_when(j.next_run_time)}")
    finally:
        sched.shutdown()
    return 0


def register(sub) -> None:
    p = sub.add_parser("notify", help="e-mail notifications: settings, sending, outbox, schedules")
    actions = p.add_subparsers(dest="notify_command", metavar="ACTION", required=True)

    def db_arg(parser):
        parser.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")

    c = actions.add_parser("configure", help="store the SMTP settings (the password goes to the keychain)")
    db_arg(c)
    c.add_argument("--host", required=True)
    c.add_argument("--port", required=True, type=int)
    c.add_argument("--security", required=True, choices=("none", "starttls", "ssl"))
    c.add_argument("--sender", required=True, metavar="ADDR", help="the From address")
    c.add_argument("--sender-name", default="", metavar="NAME", help="the From display name")
    c.add_argument("--user", default="", help="SMTP user name (if the server needs a login)")
    c.add_argument("--password-stdin", action="store_true",
                   help="read the SMTP password from the first line of standard input")
    c.add_argument("--ca-file", default="", metavar="PEM",
                   help="a certificate authority to trust besides the system's (PEM file), for servers "
                        "whose certificate your institution issues itself")
    c.add_argument("--reply-to", default="", metavar="ADDR",
                   help="the coordinator's address: replies to every message go there (Reply-To)")
    c.add_argument("--copy", default="", choices=("", "cc", "bcc"),
                   help="send the coordinator (--reply-to, else the sender) a Cc or Bcc copy of every message")
    c.set_defaults(func=cmd_configure)

    t = actions.add_parser("test", help="send a test e-mail now with the stored settings")
    db_arg(t)
    t.add_argument("--to", required=True, metavar="ADDR")
    t.set_defaults(func=cmd_test)

    s = actions.add_parser("send-now", help="queue a template for faculty members, then try to send")
    db_arg(s)
    s.add_argument("--template", required=True, metavar="NAME")
    s.add_argument("--to", nargs="+", metavar="FACULTY_CODE",
                   help="faculty codes (default: everyone with classes in the version)")
    s.add_argument("--version", metavar="NAME", help="timetable version (default: the latest published)")
    s.set_defaults(func=cmd_send_now)

    o = actions.add_parser("outbox", help="list the outbox with status and errors")
    db_arg(o)
    o.add_argument("--retry", action="store_true", help="retry waiting and failed messages now")
    o.add_argument("--resend", type=int, action="append", metavar="ID",
                   help="send this message again now (one that may have been sent, or failed; repeatable)")
    o.add_argument("--mark-sent", type=int, action="append", metavar="ID",
                   help="mark this message as sent: it did arrive (one that may have been sent, or failed)")
    o.add_argument("--status", choices=("queued", "sending", "sent", "failed", "uncertain"),
                   help="only messages with this status (uncertain: may have been sent)")
    o.add_argument("--json", action="store_true", help="print JSON")
    o.set_defaults(func=cmd_outbox)

    ls = actions.add_parser("templates", help="list the message templates")
    db_arg(ls)
    ls.set_defaults(func=cmd_templates)

    pv = actions.add_parser("preview", help="show a template as one faculty member would read it")
    db_arg(pv)
    pv.add_argument("--template", required=True, metavar="NAME")
    pv.add_argument("--faculty", metavar="CODE")
    pv.add_argument("--html", action="store_true", help="print the HTML part")
    pv.set_defaults(func=cmd_preview)

    sc = actions.add_parser("schedule", help="list or change the weekly / daily / on-publish schedules")
    db_arg(sc)
    how = sc.add_subparsers(dest="action", metavar="WHAT")
    sc.set_defaults(func=cmd_schedule, action="list")
    how.add_parser("list", help="list the schedules")
    w = how.add_parser("weekly", help="every week on DAY at HH:MM")
    w.add_argument("day", metavar="DAY", help="mon, tue, ... sun")
    w.add_argument("time", metavar="HH:MM")
    w.add_argument("--template", default="weekly_reminder")
    d = how.add_parser("daily", help="every day at HH:MM: tomorrow's classes")
    d.add_argument("time", metavar="HH:MM")
    d.add_argument("--template", default="daily_digest")
    r = how.add_parser("remove", help="remove a schedule by its id (see list)")
    r.add_argument("id", metavar="ID")
    op = how.add_parser("on-publish", help="the template sent when a version is published, or 'off'")
    op.add_argument("value", metavar="TEMPLATE|off")
