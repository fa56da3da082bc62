"""FET interoperability: ``import-fet`` and ``export-fet``.

    ato-desktop import-fet FILE.fet --out DEPT.atodb
    ato-desktop export-fet --db DB [--timetable NAME] --out FILE.fet
"""

from __future__ import annotations

import sys
from pathlib import Path

from ato_desktop.cli import CliError
from ato_desktop.cli.commands_db import db_path, open_db_or_fail


def cmd_import_fet(args) -> int:
    from ato_desktop.services.fet_import import FetImportError, import_fet

    def progress(fraction: float, message: str) -> None:
        print(f"  {fraction * 100:3.0f} %  {message}", file=sys.stderr, flush=True)

    try:
        report = import_fet(Path(args.file), Path(args.out), on_progress=progress if args.verbose else None)
    except FetImportError as exc:
        raise CliError(f"{exc} Nothing was written.") from None
    for line in report.lines():
        print(line)
    print(f"Saved {report.out}" + (" (a stated relaxation: see what was not imported above)." if report.relaxed
                                   else "."))
    return 0


def cmd_export_fet(args) -> int:
    from ato_desktop.services.fet_export import FetExportError, export_fet

    db = open_db_or_fail(db_path(args))
    with db:
        try:
            report = export_fet(db, Path(args.out), timetable=args.timetable)
        except FetExportError as exc:
            raise CliError(str(exc)) from None
    for line in report.lines():
        print(line)
    return 0


def register(sub) -> None:
    imp = sub.add_parser("import-fet", help="import a FET .fet file as a new department database")
    imp.add_argument("file", metavar="FILE.fet", help="the FET file")
    imp.add_argument("--out", required=True, metavar="DEPT.atodb", help="the new database (never overwritten)")
    imp.add_argument("--verbose", action="store_true", help="show progress")
    imp.set_defaults(func=cmd_import_fet)

    exp = sub.add_parser("export-fet", help="write the department (and a timetable, locked) as a FET .fet file")
    exp.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")
    exp.add_argument("--timetable", metavar="NAME", help="also lock this timetable version's placed sessions")
    exp.add_argument("--out", required=True, metavar="FILE.fet", help="the FET file to write")
    exp.set_defaults(func=cmd_export_fet)
