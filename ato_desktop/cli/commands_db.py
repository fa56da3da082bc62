"""Database commands: ``demo create``, ``info``, ``new``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ato_desktop.cli import CliError
from ato_desktop.storage.database import DatabaseError, open_database

ENTITY_TABLES = (
    ("departments", "department"), ("faculty", "faculty"), ("rooms", "room"),
    ("student groups", "group"), ("courses", "course"), ("activities", "activity"),
    ("elective baskets", "basket"), ("constraints", "constraint"),
)


def open_db_or_fail(path: str | None, *, create: bool = False):
    if not path:
        raise CliError("give the database with --db PATH")
    p = Path(path).expanduser()
    if not p.exists() and not create:
        raise CliError(f"{p} does not exist")
    try:
        return open_database(p, create=create)
    except DatabaseError as exc:
        raise CliError(str(exc)) from None


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")


def db_path(args) -> str | None:
    return getattr(args, "sub_db", None) or getattr(args, "db", None)


def cmd_demo_create(args) -> int:
    from ato_desktop.demo import create_demo_database

    path = Path(args.path).expanduser()
    create = create_demo_database
    if getattr(args, "size", "small") == "large":
        from ato_desktop.demo_large import create_large_demo_database as create
    try:
        result = create(path, seed=args.seed, overwrite=args.force)
    except FileExistsError as exc:
        raise CliError(f"{exc} (use --force to replace it)") from None
    except DatabaseError as exc:
        raise CliError(str(exc)) from None
    print(f"Demo department written to {result.path}: {result.sessions} sessions, "
          f"reference timetable with zero hard conflicts.")
    return 0


def cmd_info(args) -> int:
    from sqlalchemy import func, select

    from ato_desktop.services import calendar as cal
    from ato_desktop.services import resources as res
    from ato_desktop.services import timetables as tts
    from ato_desktop.storage import models as m

    db = open_db_or_fail(db_path(args))
    with db:
        counts = {label: res.count_items(db, entity) for label, entity in ENTITY_TABLES}
        with db.read_session() as s:
            counts["sections"] = s.scalar(select(func.count()).select_from(m.StudentGroup).where(
                m.StudentGroup.parent_id.is_(None)))
            counts["lab batches"] = s.scalar(select(func.count()).select_from(m.StudentGroup).where(
                m.StudentGroup.parent_id.is_not(None)))
            counts["sessions per week"] = int(s.scalar(select(func.sum(m.Activity.sessions_per_week))) or 0)
        calendar = cal.get_calendar(db)
        versions = tts.list_timetables(db)
        info = {
            "database": str(db.path),
            "schema_revision": db.revision(),
            "journal_mode": db.pragma("journal_mode"),
            "foreign_keys": db.pragma("foreign_keys") == "1",
            "days": calendar.n_days,
            "periods_per_day": calendar.periods_per_day,
            "breaks": sum(p.is_break for p in calendar.periods),
            "counts": counts,
            "timetables": [{"name": v.name, "status": v.status, "scheduled": v.scheduled, "sessions": v.sessions,
                            "hard": v.hard_cost, "soft": v.soft_cost} for v in versions],
        }
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    print(f"Database:        {info['database']}")
    print(f"Schema revision: {info['schema_revision']}")
    print(f"Journal mode:    {info['journal_mode']}")
    print(f"Calendar:        {info['days']} days x {info['periods_per_day']} periods ({info['breaks']} break(s))")
    for label, n in counts.items():
        print(f"  {label:<18} {n}")
    print(f"Timetable versions: {len(versions)}")
    for v in versions:
        cost = "" if v.hard_cost is None else f", hard {v.hard_cost} / soft {v.soft_cost}"
        print(f"  {v.name} [{v.status}] {v.scheduled}/{v.sessions} scheduled{cost}")
    return 0


def register(sub) -> None:
    demo = sub.add_parser("demo", help="the demo department")
    demo_sub = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    create = demo_sub.add_parser("create", help="write the demo department database to PATH")
    create.add_argument("path", metavar="PATH")
    create.add_argument("--seed", type=int, default=2026, help="generator seed (default 2026)")
    create.add_argument("--force", action="store_true", help="replace PATH if it exists")
    create.add_argument("--size", choices=("small", "large"), default="small",
                        help="small: 19 faculty, 155 sessions (default); large: 24 sections, 93 faculty, "
                             "about 800 sessions")
    create.set_defaults(func=cmd_demo_create)

    info = sub.add_parser("info", help="counts of every entity, schema revision and journal mode")
    _db_arg(info)
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(func=cmd_info)
