"""``ato-desktop template show|set --db DB``: the credit template and UGC workload norms of a database.

    ato-desktop template show --db DB [--json]
    ato-desktop template set --db DB [--lecture-hours N] [--tutorial-hours N] [--practical-hours N]
        [--category KEY=NAME,COURSE_CATEGORY,CREDITS,L-T-P ...] [--remove-category KEY ...]
        [--norm "DESIGNATION=HOURS" ...] [--relaxation H] [--relaxed CODE,CODE] [--reset]
    ato-desktop bells show --db DB
    ato-desktop bells set --db DB --day Saturday --closed P5,P6,P7     (--closed '' : the full day again)
    ato-desktop bells set --db DB --day Saturday --times P1=08:00-08:45,P2=08:45-09:30   (--times '' : the calendar's)
"""

from __future__ import annotations

import json
from dataclasses import replace

from ato_desktop.cli import CliError
from ato_desktop.cli.commands_db import db_path, open_db_or_fail


def cmd_show(args) -> int:
    from ato_desktop.services import templates as tpl

    db = open_db_or_fail(db_path(args), write=False)
    with db:
        t = tpl.get_template(db)
    if args.json:
        print(json.dumps(json.loads(t.to_json()), indent=2, ensure_ascii=False))
    else:
        print(t.describe())
    return 0


def _category(text: str):
    from ato_desktop.services.templates import Category

    key, sep, rest = text.partition("=")
    parts = [p.strip() for p in rest.split(",")]
    if not sep or len(parts) != 4 or parts[3].count("-") != 2:
        raise CliError(f"--category {text!r}: expected KEY=NAME,COURSE_CATEGORY,CREDITS,L-T-P, "
                       "e.g. oe=Open elective,elective,3,3-0-0")
    name, stored_as, credits, split = parts
    lc, tc, pc = split.split("-")
    return Category(key.strip(), name, stored_as, credits, lc, tc, pc)  # validated by the service


def _norm(text: str) -> tuple[str, str]:
    designation, sep, hours = text.partition("=")
    if not sep:
        raise CliError(f"--norm {text!r}: expected DESIGNATION=HOURS, e.g. \"Assistant Professor=16\"")
    return designation.strip(), hours.strip()


def cmd_set(args) -> int:
    from ato_desktop.services import templates as tpl

    categories = [_category(c) for c in args.category or []]
    norms = [_norm(n) for n in args.norm or []]
    db = open_db_or_fail(db_path(args))
    with db:
        t = tpl.DEFAULT if args.reset else tpl.get_template(db)
        changes = {k: v for k, v in (("lecture_hours", args.lecture_hours), ("tutorial_hours", args.tutorial_hours),
                                     ("practical_hours", args.practical_hours), ("relaxation", args.relaxation))
                   if v is not None}
        cats = list(t.categories)
        gone = {k.strip().lower() for k in args.remove_category or []}
        unknown = gone - {c.key.lower() for c in cats}
        if unknown:
            raise CliError(f"--remove-category: no category {sorted(unknown)[0]!r} in the template")
        cats = [c for c in cats if c.key.lower() not in gone]
        for c in categories:
            at = next((i for i, old in enumerate(cats) if old.key.lower() == c.key.lower()), None)
            if at is None:
                cats.append(c)
            else:
                cats[at] = c
        table = dict(t.norms)
        for designation, hours in norms:
            table[designation] = hours
        if args.relaxed is not None:
            changes["relaxed"] = tuple(c for c in args.relaxed.split(",") if c.strip())
        new = replace(t, categories=tuple(cats), norms=tuple(table.items()), **changes)
        tpl.set_template(db, new)
        print(tpl.get_template(db).describe())
    return 0


def cmd_bells_show(args) -> int:
    from ato_desktop.services import bells

    db = open_db_or_fail(db_path(args), write=False)
    with db:
        closed = bells.get_closed(db)
        times = bells.get_times(db)
    if not closed and not times:
        print("Every day has the calendar's periods and breaks.")
    for day in dict.fromkeys(list(closed) + list(times)):
        if day in closed:
            print(f"{day}: no teaching in {', '.join(closed[day])}")
        if day in times:
            print(f"{day}: own times {_times_text(times[day])}")
    return 0


def _times_text(row: dict) -> str:
    return ", ".join(f"{label} {a}-{b}" for label, (a, b) in row.items())


def _parse_times(text: str) -> dict[str, tuple[str, str]]:
    """``P1=08:00-08:45,P2=08:45-09:30`` -> {"P1": ("08:00", "08:45"), ...}; '' -> {}."""
    out = {}
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        label, sep, span = item.partition("=")
        start, dash, end = span.strip().partition("-")
        if not sep or not dash or not label.strip():
            raise CliError(f"--times: {item!r} is not PERIOD=START-END, e.g. P1=08:00-08:45.")
        out[label.strip()] = (start.strip(), end.strip())
    return out


def cmd_bells_set(args) -> int:
    from ato_desktop.services import bells

    db = open_db_or_fail(db_path(args))
    with db:
        if args.closed is None and args.times is None:
            raise CliError("bells set: give --closed PERIODS and/or --times PERIOD=START-END,...")
        labels = None if args.closed is None else [p.strip() for p in args.closed.split(",") if p.strip()]
        times = None if args.times is None else _parse_times(args.times)
        bells.set_day_schedule(db, args.day, closed=labels, times=times)
        closed = bells.get_closed(db)
        own = bells.get_times(db)
    key = args.day.strip().lower()
    if args.closed is not None:
        day = next((d for d in closed if d.lower() == key), None)
        print(f"{day}: no teaching in {', '.join(closed[day])}." if day else
              f"{args.day.strip()}: the calendar's full day.")
    if args.times is not None:
        day = next((d for d in own if d.lower() == key), None)
        print(f"{day}: own times {_times_text(own[day])}." if day else
              f"{args.day.strip()}: the calendar's period times.")
    return 0


def register(sub) -> None:
    tp = sub.add_parser("template", help="the credit template (credits to weekly hours, NEP categories) "
                                         "and UGC workload norms of a database")
    tsub = tp.add_subparsers(dest="template_command", required=True, metavar="show|set")

    show = tsub.add_parser("show", help="print the template")
    show.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")
    show.add_argument("--json", action="store_true", help="as JSON")
    show.set_defaults(func=cmd_show)

    st = tsub.add_parser("set", help="change the template (one transaction; the rest is kept)")
    st.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")
    st.add_argument("--lecture-hours", metavar="N", help="weekly hours per lecture credit (default 1)")
    st.add_argument("--tutorial-hours", metavar="N", help="weekly hours per tutorial credit (default 1)")
    st.add_argument("--practical-hours", metavar="N", help="weekly hours per practical credit (default 2)")
    st.add_argument("--category", action="append", metavar="KEY=NAME,COURSE_CATEGORY,CREDITS,L-T-P",
                    help="add or replace a category with its default credits split into lecture-tutorial-"
                         "practical credits, e.g. 'oe=Open elective,elective,3,3-0-0' (repeatable)")
    st.add_argument("--remove-category", action="append", metavar="KEY", help="drop a category (repeatable)")
    st.add_argument("--norm", action="append", metavar="DESIGNATION=HOURS",
                    help="direct teaching hours a week for a designation, e.g. 'Assistant Professor=16'")
    st.add_argument("--relaxation", metavar="H", help="hours less for extension or administrative duties (2)")
    st.add_argument("--relaxed", metavar="CODE,CODE", help="the faculty with such duties ('' for nobody)")
    st.add_argument("--reset", action="store_true", help="start from the default (UGC) template")
    st.set_defaults(func=cmd_set)

    bl = sub.add_parser("bells", help="per-day bell schedules: the periods a day does not have (a Saturday "
                                      "half-day, a break of its own) and its own period times")
    bsub = bl.add_subparsers(dest="bells_command", required=True, metavar="show|set")
    bshow = bsub.add_parser("show", help="the days with periods of their own")
    bshow.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")
    bshow.set_defaults(func=cmd_bells_show)
    bset = bsub.add_parser("set", help="the teaching periods a day does not have (no teaching, like a break) "
                                       "and its own period times")
    bset.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")
    bset.add_argument("--day", required=True, help="a day of the calendar, e.g. Saturday")
    bset.add_argument("--closed", metavar="P5,P6,...",
                      help="period labels with no teaching that day ('' for the full day again)")
    bset.add_argument("--times", metavar="P1=08:00-08:45,...",
                      help="that day's own period times ('' for the calendar's times again); with --closed, "
                           "both change in one transaction")
    bset.set_defaults(func=cmd_bells_set)
