"""``ato-desktop report --db DB [--timetable NAME] --kind KIND [--name X] [--paper A4|A3] [--portrait]
[--processes N] --out FILE.pdf``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ato_desktop.cli import CliError

KIND_HELP = (
    "group, faculty, room: timetables (one with --name, else one page each); master: the department "
    "master timetable, a page per day; workload: faculty load against limits; utilization: rooms; "
    "conflicts: unscheduled sessions and remaining conflicts; book: everything, with contents and bookmarks"
)


def pdf_out(value: str) -> Path:
    """``--out``: a .pdf file name in a folder that exists (else one sentence saying what is wrong)."""
    out = Path(value).expanduser()
    if out.suffix.lower() != ".pdf":
        raise CliError(f"--out {out}: give a file name ending in .pdf")
    if out.exists() and out.is_dir():
        raise CliError(f"--out {out} is a folder; give a file name ending in .pdf")
    if not out.parent.exists():
        raise CliError(f"--out {out}: the folder {out.parent} does not exist")
    return out


def processes_arg(args) -> int | None:
    """``--processes``: a whole number of at least 1, for the book only (else one sentence)."""
    if args.processes is None:
        return None
    try:
        n = int(args.processes)
    except ValueError:
        n = 0
    if n < 1:
        raise CliError(f"--processes must be a whole number of at least 1, not {args.processes!r}")
    if args.kind != "book" or args.name:
        raise CliError("--processes is for the whole book only (--kind book, without --name)")
    return n


def cmd_report(args) -> int:
    from ato_desktop.cli.commands_db import db_path, open_db_or_fail
    from ato_desktop.services.reports import render_report

    processes = processes_arg(args)
    out = pdf_out(args.out)
    # read-only where the folder cannot be written; else a normal connection, which (unlike a
    # read-only one) removes its -wal and -shm when it closes
    db = open_db_or_fail(db_path(args), write=False)
    try:
        result = render_report(db, args.kind, out, timetable_id=args.timetable, name=args.name,
                               paper=args.paper, landscape=not args.portrait, processes=processes)
    finally:
        db.close()
    print(f"{result.pages} page(s) written to {result.path} (version “{result.timetable}”, "
          f"{result.size / 1024:.0f} KB, {result.seconds:.1f} s)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from ato_desktop.reports import KINDS

    p = sub.add_parser("report", help="print timetables and reports to PDF",
                       description="Render a timetable or report of a timetable version to a PDF file.")
    p.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")
    p.add_argument("--timetable", metavar="NAME", help="the timetable version (default: the latest)")
    p.add_argument("--kind", required=True, choices=KINDS, help=KIND_HELP)
    p.add_argument("--name", metavar="CODE", help="one student group, faculty member or room (by code)")
    p.add_argument("--paper", default="A4", type=str.upper, choices=("A4", "A3"), help="paper size (default A4)")
    p.add_argument("--portrait", action="store_true", help="portrait pages (default landscape)")
    p.add_argument("--processes", metavar="N",
                   help="book only: lay out its sections in N processes (default: every core for a large book, "
                        "one process for a small one)")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="the PDF file to write")
    p.set_defaults(func=cmd_report)
