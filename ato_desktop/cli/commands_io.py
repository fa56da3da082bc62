"""Import and export commands: ``import`` (CSV/XLSX, all or nothing) and ``export``.

    ato-desktop import --db DB --entity faculty FILE [--map HEADER=field ...] [--dry-run]
    ato-desktop export --db DB --entity room --out rooms.xlsx
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
    from ato_desktop.io.tabular import ImportRowsError, TabularError
    from ato_desktop.services import imports
    from ato_desktop.services.backups import BackupServiceError
    from ato_desktop.storage.database import DatabaseError

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
        except (TabularError, DatabaseError, BackupServiceError) as exc:
            raise CliError(str(exc)) from None
    if result.dry_run:
        print(f"{path.name}: every row is valid (dry run: nothing was imported).")
    else:
        print(f"Imported {result.count} {args.entity} row(s) from {path.name}."
              + (f" Backup taken first: {result.backup}" if result.backup else ""))
    return 0


def cmd_export(args) -> int:
    from ato_desktop.io.export import ExportError
    from ato_desktop.services import exports

    out = Path(args.out).expanduser()
    db = open_db_or_fail(db_path(args))
    with db:
        try:
            n = exports.export_items(db, args.entity, out, search=args.search or "")
        except ExportError as exc:
            raise CliError(str(exc)) from None
    print(f"Exported {n} {args.entity} row(s) to {out}.")
    return 0


def register(sub) -> None:
    from ato_desktop.services.imports import IMPORTABLE

    imp = sub.add_parser("import", help="import faculty, rooms, groups or courses from CSV/XLSX (all or nothing)")
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
