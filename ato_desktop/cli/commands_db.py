"""Database commands: ``demo create``, ``info``, ``new``."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from ato_desktop.cli import CliError

ENTITY_TABLES = (
    ("departments", "department"), ("faculty", "faculty"), ("rooms", "room"),
    ("student groups", "group"), ("courses", "course"), ("activities", "activity"),
    ("elective baskets", "basket"), ("constraints", "constraint"),
)


def open_db_or_fail(path: str | None, *, create: bool = False, write: bool = True):
    """Open the database given with ``--db``.

    ``write=False`` (a command that only reads): a database in a folder (or a file) that cannot be
    written is opened read-only, with a note on stderr. ``write=True``: that is refused, and so is a
    database another program is writing (checked now, before any long work, by taking the write
    lock for an instant). Errors are the storage layer's ``DatabaseError`` (one sentence, exit 2).
    """
    import sys

    from ato_desktop.storage.database import ReadOnlyLocationError, open_database, open_readonly

    if not path:
        raise CliError("give the database with --db PATH")
    if path.strip().lower().startswith(("postgresql://", "postgres://")):  # a campus database (storage/campus.py)
        return open_database(path, create=False)
    p = Path(path).expanduser()
    if not p.exists() and not create:
        raise CliError(f"{p} does not exist")
    try:
        db = open_database(p, create=create)
    except ReadOnlyLocationError as exc:
        if write:
            raise CliError(f"{p} cannot be changed: {exc.reason}; nothing was changed. "
                           "Copy it to a folder you can write to.") from None
        db = open_readonly(p)
        print(f"ato-desktop: note: {p} opened read-only: {exc.reason}.", file=sys.stderr)
        return db
    if write:
        try:
            probe_write_lock(db)
        except BaseException:
            db.close()
            raise
    return db


def probe_write_lock(db) -> None:
    """Take and drop the write lock (BEGIN IMMEDIATE, waiting up to the busy timeout): a database that
    another program is writing is refused before a command does anything, with the storage layer's
    ``DatabaseBusyError``."""
    from sqlalchemy import text

    with db.session() as s:
        s.execute(text("SELECT 1"))


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
    print(f"Demo department written to {result.path}: {result.sessions} sessions, "
          f"reference timetable with zero hard conflicts.")
    return 0


def cmd_info(args) -> int:
    from sqlalchemy import func, select

    from ato_desktop.services import calendar as cal
    from ato_desktop.services import resources as res
    from ato_desktop.services import timetables as tts
    from ato_desktop.storage import models as m

    db = open_db_or_fail(db_path(args), write=False)
    with db:
        counts = {label: res.count_items(db, entity) for label, entity in ENTITY_TABLES}
        with db.read_session() as s:
            counts["sections"] = s.scalar(select(func.count()).select_from(m.StudentGroup).where(
                m.StudentGroup.parent_id.is_(None)))
            counts["lab batches"] = s.scalar(select(func.count()).select_from(m.StudentGroup).where(
                m.StudentGroup.parent_id.is_not(None)))
            counts["sessions per week"] = int(s.scalar(select(func.sum(m.Activity.sessions_per_week))) or 0)
        calendar = cal.get_calendar(db)
        unscheduled: dict[int, int] = {}
        new: dict = {}
        if tts.list_timetables(db):
            from ato_desktop.services.scores import refresh_scores

            # a score stored before the data changed is recomputed (and stored, unless another process
            # is writing) before it is printed
            recheck, new = refresh_scores(db)
            unscheduled = recheck.unscheduled
        versions = [dataclasses.replace(v, hard_cost=new[v.id].hard, soft_cost=new[v.id].soft) if v.id in new else v
                    for v in tts.list_timetables(db)]
        info = {
            "database": getattr(db, "location", None) or str(db.path),  # a campus database: its URL
            "schema_revision": db.revision(),
            "journal_mode": db.pragma("journal_mode"),
            "foreign_keys": db.pragma("foreign_keys") == "1",
            "days": calendar.n_days,
            "periods_per_day": calendar.periods_per_day,
            "breaks": sum(p.is_break for p in calendar.periods),
            "counts": counts,
            "timetables": [{"name": v.name, "status": v.status, "scheduled": v.scheduled, "sessions": v.sessions,
                            "hard": v.hard_cost, "soft": v.soft_cost, "unscheduled": unscheduled.get(v.id)}
                           for v in versions],
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
        n = unscheduled.get(v.id, 0)
        cost = "" if v.hard_cost is None else f", hard {v.hard_cost} / soft {v.soft_cost}"
        if v.hard_cost is not None and n:
            cost += f" ({n} unscheduled, counted as hard)"
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
