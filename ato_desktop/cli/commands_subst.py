"""The term's dates, absences and daily substitutions: ``term``, ``absence``, ``substitutions``.

Bad input (a date not written YYYY-MM-DD, a date outside the term or on a holiday, an unknown faculty
code or period) prints one sentence and exits 2 with nothing recorded.
"""

from __future__ import annotations

import argparse
import json

from ato_desktop.cli import CliError


def _open(args):
    from ato_desktop.cli.commands_db import db_path, open_db_or_fail

    return open_db_or_fail(db_path(args))


def _run(args, fn):
    """Open the database, call ``fn(db)``, turn the services' refusals into one plain CliError."""
    from ato_desktop.reports.data import ReportError
    from ato_desktop.services.errors import ServiceError

    db = _open(args)
    try:
        return fn(db)
    except (ServiceError, ReportError) as exc:
        raise CliError(str(exc)) from None
    finally:
        db.close()


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")


# ---- term ---------------------------------------------------------------------------
def cmd_term_show(args) -> int:
    from ato_desktop.services import term as terms

    def show(db):
        t = terms.get_term(db)
        if args.json:
            print(json.dumps({"start": t.start and t.start.isoformat(), "end": t.end and t.end.isoformat(),
                              "time_zone": t.time_zone,
                              "days": [{"date": d.date.isoformat(), "kind": d.kind, "follows": d.follows,
                                        "label": d.label} for d in t.days]}, indent=2))
            return 0
        if not t.is_set:
            print("The term has no dates yet (ato-desktop term set --start YYYY-MM-DD --end YYYY-MM-DD).")
            return 0
        print(f"Term: {terms.fmt(t.start)} – {terms.fmt(t.end)}, time zone {t.time_zone}, "
              f"{len(terms.term_dates(db, t))} teaching days")
        for d in t.days:
            what = "holiday" if d.kind == "holiday" else f"follows {d.follows}"
            print(f"  {terms.fmt(d.date)}: {what}{' — ' + d.label if d.label else ''}")
        return 0

    return _run(args, show)


def cmd_term_set(args) -> int:
    from ato_desktop.services import term as terms

    def run(db):
        change = terms.set_term(db, args.start, args.end, args.time_zone)
        print(change.summary[0].upper() + change.summary[1:] + ".")
        return 0

    return _run(args, run)


def cmd_term_day(args) -> int:
    from ato_desktop.services import term as terms

    def run(db):
        if args.action == "remove":
            change = terms.remove_term_day(db, args.date)
        elif args.kind == "holiday":
            change = terms.add_holiday(db, args.date, args.label or "")
        else:
            change = terms.add_exception(db, args.date, args.follows, args.label or "")
        print(change.summary + ".")
        return 0

    return _run(args, run)


# ---- absences -----------------------------------------------------------------------
def cmd_absence_add(args) -> int:
    from ato_desktop.services import substitution_day as sday
    from ato_desktop.services import substitutions as sb

    def run(db):
        change = sb.add_absence(db, args.faculty, args.date, to=args.to, periods=args.periods, reason=args.reason,
                                note=args.note or "")
        print(f"Recorded: {change.summary}.")
        for d in change.detail["dates"]:
            try:
                plan = sday.plan_day(db, d, args.timetable)
            except Exception as exc:  # the absence is recorded; say why its lessons cannot be listed
                print(f"  {d}: {exc}")
                continue
            mine = [x for x in plan.lessons if x.faculty == change.detail["faculty"]]
            print(f"  {d}: {len(mine)} lesson(s) to cover" + (":" if mine else "."))
            for x in mine:
                best = ", ".join(c.code for c in x.candidates[:3]) or "nobody free"
                print(f"    {x.label}: best candidates {best}")
        return 0

    return _run(args, run)


def cmd_absence_list(args) -> int:
    from ato_desktop.services import substitution_day as sday

    def run(db):
        rows = sday.list_absences(db, args.date)
        if not rows:
            print("No absences recorded.")
        for a in rows:
            print(f"  #{a.id} {a.date.isoformat()} {a.faculty} ({a.faculty_name}): {a.when}, {a.reason}"
                  f"{' — ' + a.note if a.note else ''}")
        return 0

    return _run(args, run)


def cmd_absence_remove(args) -> int:
    from ato_desktop.services import substitutions as sb

    def run(db):
        change = sb.remove_absence(db, args.id)
        print(f"Removed absence #{args.id} and {change.count('substitution', 'removed')} arrangement(s).")
        return 0

    return _run(args, run)


# ---- substitutions ------------------------------------------------------------------
def _print_plan(plan, limit: int) -> None:
    print(f"{plan.date.isoformat()} ({plan.day_name}{', ' + plan.why if plan.why else ''}), "
          f"timetable “{plan.timetable}”")
    if not plan.absences:
        print("  No absences recorded on this date.")
    for x in plan.lessons:
        a = x.arrangement
        if a is not None and not x.problem:
            who = {"substitute": f"-> {a.substitute}", "self_study": f"-> self-study in {a.room or 'its room'}",
                   "swap": f"-> swap, {a.substitute} now ({a.other} on {a.other_date})",
                   "merge": f"-> merged with {a.other}, {a.substitute}"}[a.kind]
        else:
            who = "NOT COVERED" + (f" ({x.problem})" if x.problem else "")
        print(f"  [{x.ref}] {x.label} for {x.faculty}: {who}")
        for i, c in enumerate(x.candidates[:limit], start=1):
            print(f"      {i}. {c.code} — {'; '.join(c.reasons)}")
        if not x.candidates:
            print("      nobody is free and within their daily limit")


def cmd_plan(args) -> int:
    from ato_desktop.services import substitution_day as sday
    from ato_desktop.services import substitutions as sb

    def run(db):
        if args.auto:
            change = sb.auto_plan(db, args.date, timetable=args.timetable)
            if not args.json:
                print(f"Assigned {change.count('substitution')} lesson(s)"
                      + (f", re-planned {change.count('substitution', 'removed')}" if
                         change.count('substitution', 'removed') else "") + ".")
        plan = sday.plan_day(db, args.date, args.timetable)
        if args.notify and not args.json:
            _queue_notices(db, args.date, args.timetable, send=False)
        elif args.notify:
            from ato_desktop.services.substitution_notices import queue_substitution_notices

            queue_substitution_notices(db, args.date, timetable=args.timetable)
        if args.json:
            print(json.dumps(plan.to_json(), indent=2, ensure_ascii=False))
        else:
            _print_plan(plan, args.candidates)
        return 0

    return _run(args, run)


def cmd_day(args) -> int:
    from ato_desktop.services import day_timetable as daytt
    from ato_desktop.services import term as terms

    def run(db):
        d = daytt.day_timetable(db, args.date, args.timetable)
        if args.json:
            print(json.dumps({"date": d.date.isoformat(), "day": d.day_name, "why": d.why, "timetable": d.timetable,
                              "lessons": [{"period": r.period_label, "duration": r.duration, "course": r.course,
                                           "kind": r.kind, "groups": list(r.groups), "teachers": list(r.teachers),
                                           "room": r.room, "note": r.note} for r in d.rows]},
                             indent=2, ensure_ascii=False))
            return 0
        what = (d.why or f"{d.day_name}'s timetable") if d.day_name else f"no classes, {d.why}"
        print(f"{terms.fmt(d.date)}: {what}, version “{d.timetable}”")
        for r in d.rows:
            print(f"  {r.period_label:<5} {r.course} {r.kind:<2} {', '.join(r.groups):<24} "
                  f"{', '.join(r.teachers) or '—':<10} {r.room or '':<8} {r.note}")
        return 0

    return _run(args, run)


def _lesson_ref(text: str) -> tuple[int, int, int]:
    try:
        a, b, c = (int(x) for x in text.split(":"))
        return a, b, c
    except ValueError:
        raise CliError(f"--lesson {text!r}: give the lesson as shown by 'substitutions plan', e.g. 3:41:0") from None


def cmd_assign(args) -> int:
    from ato_desktop.services import substitutions as sb

    ref = _lesson_ref(args.lesson)

    def run(db):
        if args.self_study:
            change = sb.set_self_study(db, args.date, *ref, room=args.room, timetable=args.timetable)
        elif args.substitute:
            change = sb.assign_substitute(db, args.date, *ref, args.substitute, timetable=args.timetable)
        else:
            raise CliError("give --substitute CODE or --self-study")
        print(change.summary[0].upper() + change.summary[1:] + ".")
        return 0

    return _run(args, run)


def _queue_notices(db, date, timetable, send: bool) -> None:
    from ato_desktop.services import outbox
    from ato_desktop.services.substitution_notices import queue_substitution_notices

    q = queue_substitution_notices(db, date, timetable=timetable)
    print(f"Queued {q.queued} notice(s) to substitutes"
          + (f" ({q.already_queued} already told)" if q.already_queued else "") + ".")
    if q.no_email:
        print(f"No e-mail address for: {', '.join(q.no_email)} (nothing queued for them).")
    if q.classes:
        print(f"Queued {q.classes} notice(s) to class addresses.")
    if q.webhooks:
        print(f"Queued {q.webhooks} webhook message(s).")
    if send:
        from ato_desktop.services.channels import deliver_webhooks

        r = outbox.deliver_due(db)
        print(f"Sent {r.sent}, retrying later {r.retrying}, failed {r.failed}."
              + (f" {r.errors[0]}" if r.errors else ""))
        h = deliver_webhooks(db)
        if h.sent or h.retrying or h.failed or h.uncertain:
            print(h.summary()[:1].upper() + h.summary()[1:] + "." + (f" {h.errors[0]}" if h.errors else ""))


def cmd_notify(args) -> int:
    return _run(args, lambda db: _queue_notices(db, args.date, args.timetable, args.send) or 0)


def cmd_register(args) -> int:
    from ato_desktop.services.reports import write_register

    def run(db):
        out, reg = write_register(db, args.out)
        print(f"Register written to {out}: {len(reg.rows)} arrangement(s), {len(reg.totals)} faculty members "
              f"(substitutions taken in {reg.home_department or 'the department'}: max minus min {reg.spread()}).")
        return 0

    return _run(args, run)


def cmd_sheet(args) -> int:
    from ato_desktop.services.reports import write_sheet

    def run(db):
        out = write_sheet(db, args.date, args.out, timetable=args.timetable, slips=not args.no_slips)
        print(f"Arrangement sheet written to {out}.")
        return 0

    return _run(args, run)


def register(sub) -> None:
    from ato_desktop.storage.models import ABSENCE_REASONS

    term = sub.add_parser("term", help="the term's dates: start and end, holidays, exceptional days",
                          description="The term's calendar: first and last dates, holidays, and days that "
                                      "follow another weekday's timetable. Dates are written YYYY-MM-DD.")
    tsub = term.add_subparsers(dest="term_command", metavar="ACTION", required=True)
    p = tsub.add_parser("show", help="the term's dates and exceptional days")
    _db_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_term_show)
    p = tsub.add_parser("set", help="set the first and last dates of the term")
    _db_arg(p)
    p.add_argument("--start", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--end", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--time-zone", metavar="ZONE", help="e.g. Asia/Kolkata (the default)")
    p.set_defaults(func=cmd_term_set)
    for kind, helptext in (("holiday", "a day off"), ("exception", "a day that follows another weekday")):
        k = tsub.add_parser(kind, help=helptext)
        ksub = k.add_subparsers(dest="action", metavar="add|remove", required=True)
        add = ksub.add_parser("add", help=f"add {helptext}")
        add.add_argument("date", metavar="YYYY-MM-DD")
        _db_arg(add)
        add.add_argument("--label", default="", help="what the day is (e.g. Diwali)")
        if kind == "exception":
            add.add_argument("--follows", required=True, metavar="WEEKDAY",
                             help="the weekday whose timetable runs that date (e.g. Monday)")
        add.set_defaults(func=cmd_term_day, kind="holiday" if kind == "holiday" else "follows")
        rm = ksub.add_parser("remove", help="make the date a normal day again")
        rm.add_argument("date", metavar="YYYY-MM-DD")
        _db_arg(rm)
        rm.set_defaults(func=cmd_term_day, kind=kind)

    ab = sub.add_parser("absence", help="record, list and remove absences of faculty members")
    asub = ab.add_subparsers(dest="absence_command", metavar="ACTION", required=True)
    p = asub.add_parser("add", help="record an absence; prints the lessons to cover")
    _db_arg(p)
    p.add_argument("--faculty", required=True, metavar="CODE")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", metavar="YYYY-MM-DD", help="last date of a longer absence (every teaching day)")
    p.add_argument("--periods", metavar="P3,P4", help="only these periods of the day (default: the whole day)")
    p.add_argument("--reason", default="leave", choices=ABSENCE_REASONS)
    p.add_argument("--note", default="")
    p.add_argument("--timetable", metavar="NAME", help="the version to list lessons from (default: the published one)")
    p.set_defaults(func=cmd_absence_add)
    p = asub.add_parser("list", help="absences (of one date with --date)")
    _db_arg(p)
    p.add_argument("--date", metavar="YYYY-MM-DD")
    p.set_defaults(func=cmd_absence_list)
    p = asub.add_parser("remove", help="remove an absence and its arrangements")
    _db_arg(p)
    p.add_argument("--id", required=True, type=int)
    p.set_defaults(func=cmd_absence_remove)

    sb = sub.add_parser("substitutions", help="daily arrangements: plan, assign, register, arrangement sheet",
                        description="Daily arrangements sit on the most recently published timetable version "
                                    "(--timetable NAME uses another one).")
    ssub = sb.add_subparsers(dest="subst_command", metavar="ACTION", required=True)
    p = ssub.add_parser("plan", help="lessons to cover on a date with ranked candidates (--auto assigns the best)")
    _db_arg(p)
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--auto", action="store_true", help="assign the best valid candidate to every uncovered lesson "
                                                      "(self-study in its room when nobody is free)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--timetable", metavar="NAME")
    p.add_argument("--candidates", type=int, default=3, metavar="N", help="candidates shown per lesson (default 3)")
    p.add_argument("--notify", action="store_true", help="queue an e-mail to each substitute not told yet "
                                                        "(sent by the outbox: notify send-now, or the app)")
    p.set_defaults(func=cmd_plan)
    p = ssub.add_parser("day", help="the real timetable of a date: its weekday's lessons with the arrangements")
    _db_arg(p)
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    p.add_argument("--timetable", metavar="NAME")
    p.set_defaults(func=cmd_day)
    p = ssub.add_parser("notify", help="queue an e-mail to each substitute of a date not told yet")
    _db_arg(p)
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--send", action="store_true", help="send the outbox now")
    p.add_argument("--timetable", metavar="NAME")
    p.set_defaults(func=cmd_notify)
    p = ssub.add_parser("assign", help="assign a substitute (or self-study) to one lesson")
    _db_arg(p)
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--lesson", required=True, metavar="REF", help="as shown in brackets by 'substitutions plan'")
    p.add_argument("--substitute", metavar="CODE")
    p.add_argument("--self-study", action="store_true")
    p.add_argument("--room", metavar="CODE", help="room for self-study (default: the lesson's room)")
    p.add_argument("--timetable", metavar="NAME")
    p.set_defaults(func=cmd_assign)
    p = ssub.add_parser("register", help="every substitution of the term, per faculty member, to XLSX or PDF")
    _db_arg(p)
    p.add_argument("--out", required=True, metavar="FILE.xlsx|FILE.pdf")
    p.set_defaults(func=cmd_register)
    p = ssub.add_parser("sheet", help="the day's arrangement sheet for the staff room, with a slip per substitute")
    _db_arg(p)
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--no-slips", action="store_true", help="leave out the slips")
    p.add_argument("--timetable", metavar="NAME")
    p.set_defaults(func=cmd_sheet)
