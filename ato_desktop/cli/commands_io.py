"""Import, export and new-database commands.

    ato-desktop import --db DB --entity faculty|room|group|course|activity FILE [--map HEADER=field ...] [--dry-run]
    ato-desktop export --db DB --entity room --out rooms.xlsx
    ato-desktop new PATH --code CSE --name "Computer Science" [--institution I] [--days Monday,...]
                    [--period P1=09:00-09:50 --break Lunch=12:35-13:25 ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from ato_desktop.cli import CliError
from ato_desktop.cli.commands_db import db_path, open_db_or_fail

EXPORTABLE = ("department", "faculty", "room", "group", "course", "activity", "basket", "constraint")
EXIT_ROW_ERRORS = 1


def _pairs(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise CliError(f"--map {item!r}: expected HEADER=field (or HEADER= to ignore a column)")
        header, target = item.split("=", 1)
        out[header.strip()] = target.strip()
    return out


def cmd_import(args) -> int:
    from ato_desktop.io.tabular import ImportRowsError
    from ato_desktop.services import imports

    pairs = _pairs(args.map)
    path = Path(args.file).expanduser()
    db = open_db_or_fail(db_path(args))
    with db:
        try:
            result = imports.import_file(db, args.entity, path, pairs=pairs, dry_run=args.dry_run)
        except ImportRowsError as exc:
            print(f"{path.name}: {len(exc.errors)} row(s) have errors; nothing was imported.", file=sys.stderr)
            for e in exc.errors:
                print(f"  {e}", file=sys.stderr)
            return EXIT_ROW_ERRORS
    if result.dry_run:
        print(f"{path.name}: every row is valid (dry run: nothing was imported).")
    else:
        print(f"Imported {result.count} {args.entity} row(s) from {path.name}."
              + (f" Backup taken first: {result.backup}" if result.backup else ""))
    for line in result.skipped:  # rows the database has already, the same
        print(f"  skipped {line}")
    return 0


def cmd_export(args) -> int:
    from ato_desktop.services import exports

    out = Path(args.out).expanduser()
    db = open_db_or_fail(db_path(args), write=False)
    with db:
        n = exports.export_items(db, args.entity, out, search=args.search or "")
    print(f"Exported {n} {args.entity} row(s) to {out}.")
    return 0


def _period(is_break: bool):
    def parse(text: str):
        import argparse

        label, sep, times = text.partition("=")
        start, dash, end = times.partition("-")
        if not sep or not dash or not label.strip():
            raise argparse.ArgumentTypeError(f"{text!r}: expected LABEL=HH:MM-HH:MM, e.g. P1=09:00-09:50")
        return (label.strip(), start.strip(), end.strip(), is_break)
    return parse


def cmd_new(args) -> int:
    from ato_desktop.services import setup

    days = [d.strip() for d in args.days.split(",")] if args.days else list(setup.DEFAULT_DAYS)
    spec = setup.NewDepartment(Path(args.path).expanduser(), args.institution or "", args.code, args.name,
                               days=days, periods=list(args.periods or setup.DEFAULT_PERIODS), term=args.term or "")
    path = setup.create_department_database(spec)
    teaching = sum(1 for p in spec.periods if not p[3])
    print(f"Created {path}: department {spec.department_code}, {len(days)} days x {teaching} teaching periods.")
    return 0


def register(sub) -> None:
    from ato_desktop.services.imports import IMPORTABLE

    imp = sub.add_parser("import", help="import departments, faculty, rooms, groups, courses, elective baskets "
                                        "or activities (teaching assignments) from CSV/XLSX (all or nothing)")
    imp.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")
    imp.add_argument("--entity", required=True, choices=IMPORTABLE)
    imp.add_argument("file", metavar="FILE", help="a .csv or .xlsx file with a header row")
    imp.add_argument("--map", action="append", metavar="HEADER=field",
                     help="map a column to a field (repeatable); HEADER= ignores the column. "
                          "Columns are otherwise matched by their header names.")
    imp.add_argument("--dry-run", action="store_true", help="check every row, import nothing")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="export a list to CSV or XLSX (formula-safe cells)")
    exp.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")
    exp.add_argument("--entity", required=True, choices=EXPORTABLE)
    exp.add_argument("--out", required=True, metavar="FILE", help="a .csv or .xlsx file")
    exp.add_argument("--search", metavar="TEXT", help="only items matching TEXT")
    exp.set_defaults(func=cmd_export)

    new = sub.add_parser("new", help="create a new department database (calendar, home department, constraints)")
    new.add_argument("path", metavar="PATH", help="the new .atodb file (never overwritten)")
    new.add_argument("--code", required=True, help="department code, e.g. CSE")
    new.add_argument("--name", required=True, help="department name")
    new.add_argument("--institution", help="institution name printed on timetables")
    new.add_argument("--term", help="e.g. 'Odd semester 2026-27'")
    new.add_argument("--days", metavar="DAY,DAY,...", help="working days (default Monday to Saturday)")
    new.add_argument("--period", dest="periods", action="append", type=_period(False), metavar="LABEL=HH:MM-HH:MM",
                     help="a teaching period, in order (repeatable; default: a typical 7-period day)")
    new.add_argument("--break", dest="periods", action="append", type=_period(True), metavar="LABEL=HH:MM-HH:MM",
                     help="a break between periods, in order with --period")
    new.set_defaults(func=cmd_new)
