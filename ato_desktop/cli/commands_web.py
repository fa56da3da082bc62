"""``ato-desktop publish-site --db DB [--timetable NAME] --out DIR`` and
``ato-desktop export-timetable --db DB [--timetable NAME] --by group|faculty|room --out FILE.xlsx``."""

from __future__ import annotations

import argparse
from pathlib import Path


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def cmd_publish_site(args) -> int:
    from ato_desktop.cli.commands_db import db_path, open_db_or_fail
    from ato_desktop.services.publishing import publish_site

    db = open_db_or_fail(db_path(args), write=False)
    try:
        result = publish_site(db, Path(args.out), timetable=args.timetable)
    finally:
        db.close()
    print(f"Website of version “{result.version}” written to {result.path}: {result.pages} page(s), "
          f"{result.calendars} calendar(s), {result.files} file(s), {_size(result.size)}, {result.seconds:.1f} s. "
          f"Open {result.path / 'index.html'}.")
    if result.note:
        print(f"Note: {result.note}.")
    return 0


def cmd_export_timetable(args) -> int:
    from ato_desktop.cli.commands_db import db_path, open_db_or_fail
    from ato_desktop.services.publishing import export_timetable_xlsx

    db = open_db_or_fail(db_path(args), write=False)
    try:
        result = export_timetable_xlsx(db, Path(args.out), by=args.by, timetable=args.timetable)
    finally:
        db.close()
    print(f"{result.pages} sheet(s) of version “{result.version}” by {args.by} written to {result.path} "
          f"({_size(result.size)}, {result.seconds:.1f} s).")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish-site", help="write the timetable website (pages and .ics calendars) to a folder",
                       description="Write a static website of a timetable version: an index with search, a page "
                                   "per faculty member, group and room with its .ics calendar, and the master "
                                   "timetable. It works from a web server, a shared drive or file://.")
    p.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")
    p.add_argument("--timetable", metavar="NAME", help="the timetable version (default: the latest)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="the folder to write (new, empty, or an earlier ATO website, which is replaced)")
    p.set_defaults(func=cmd_publish_site)

    p = sub.add_parser("export-timetable", help="a timetable version as an Excel workbook (a sheet per group, "
                                                "faculty member or room)",
                       description="Write a timetable version to an .xlsx workbook: a sheet per student group, "
                                   "faculty member or room, days by periods, multi-period labs as merged cells.")
    p.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")
    p.add_argument("--timetable", metavar="NAME", help="the timetable version (default: the latest)")
    p.add_argument("--by", default="group", choices=("group", "faculty", "room"),
                   help="one sheet per group (default), faculty member or room")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="the workbook to write")
    p.set_defaults(func=cmd_export_timetable)
