"""Campus mode (issue 19): ``campus init | add-department | grant | share-room | add-slot | commit | checkout | checkin | migrate-from | backup``.

``--db`` is a campus database's URL (``postgresql://user@host:port/campus?sslmode=require``); the
password comes from ``~/.pgpass`` or the OS keychain (docs/campus.md), never from the command line's
settings. ``campus add-department`` and ``campus commit`` also work on a department's own ``.atodb``
file (one file is one department).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ato_desktop.cli import CliError
from ato_desktop.cli.commands_db import db_path, open_db_or_fail

URL_HELP = "the campus database: postgresql://user@host:port/campus (password from ~/.pgpass or the OS keychain)"


def _campus_url(args) -> str:
    from ato_desktop.storage.campus import is_database_url

    url = db_path(args)
    if not url:
        raise CliError("give the campus database with --db postgresql://user@host:port/campus")
    if not is_database_url(url):
        raise CliError(f"{url} is not a campus database URL: give --db postgresql://user@host:port/campus")
    return url


def cmd_init(args) -> int:
    from ato_desktop.storage.campus import open_campus

    db = open_campus(_campus_url(args), create=True, upgrade=True)
    with db:
        rev = db.revision()
    print(f"The campus database {db.location} is ready (schema {rev}, with btree_gist's exclusion constraints).")
    return 0


def cmd_add_department(args) -> int:
    from ato_desktop.services import campus

    db = open_db_or_fail(db_path(args))
    with db:
        added = campus.add_department(db, args.code, args.name)
    print(f"Department {added.code} ({added.name}) added.")
    return 0


def cmd_grant(args) -> int:
    from ato_desktop.services import campus
    from ato_desktop.storage.campus import open_campus

    db = open_campus(_campus_url(args), create=False, upgrade=False)
    with db:
        done = campus.grant(db, args.role, args.department, args.kind)
    print(done.sentence)
    return 0


def cmd_share_room(args) -> int:
    from ato_desktop.services import campus_sharing

    db = open_db_or_fail(db_path(args))
    with db:
        done = campus_sharing.set_room_sharing(db, args.room, args.day, args.periods.split(","), args.mode, args.department)
    print(done.sentence)
    return 0


def cmd_add_slot(args) -> int:
    from ato_desktop.services import campus_sharing

    db = open_db_or_fail(db_path(args))
    with db:
        done = campus_sharing.add_campus_slot(db, args.category, args.day, args.periods.split(","))
    print(done.sentence)
    return 0


def cmd_commit(args) -> int:
    from ato_desktop.services import campus

    db = open_db_or_fail(db_path(args))
    with db:
        done = campus.commit(db, args.department, args.timetable)
    print(done.sentence)
    return 0


def cmd_migrate_from(args) -> int:
    from ato_desktop.services import campus_migrate
    from ato_desktop.storage.campus import open_campus

    url = _campus_url(args)
    source = open_db_or_fail(args.file, write=False)
    with source:
        target = open_campus(url, create=False, upgrade=False)
        with target:
            done = campus_migrate.migrate_department(source, target, args.department)
    print(done.sentence)
    return 0


def cmd_checkout(args) -> int:
    from ato_desktop.services import campus_checkout
    from ato_desktop.storage.campus import open_campus

    db = open_campus(_campus_url(args), create=False, upgrade=False)
    with db:
        done = campus_checkout.checkout(db, args.department, args.out)
    print(done.sentence)
    return 0


def cmd_checkin(args) -> int:
    from ato_desktop.services import campus_checkout
    from ato_desktop.storage.campus import open_campus

    url = _campus_url(args)
    if not Path(args.file).expanduser().is_file():
        raise CliError(f"no checked-out file at {args.file}")
    db = open_campus(url, create=False, upgrade=False)
    with db:
        done = campus_checkout.checkin(db, args.file, args.timetable)
    print(done.sentence)
    return 0


def pg_dump_command(url: str, out: Path) -> tuple[list[str], dict[str, str]]:
    """The pg_dump command line (custom format) and environment for the campus database at ``url``:
    the password (from the OS keychain, when ~/.pgpass has none) goes in the environment, never argv."""
    from ato_desktop.storage.campus import parse_url, password_from_keyring

    u = parse_url(url)
    env = dict(os.environ)
    password = u.password or password_from_keyring(u)
    if password:
        env["PGPASSWORD"] = password
    host = u.host or u.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    port = u.port or u.query.get("port")
    if isinstance(port, tuple):
        port = port[0]
    if u.query.get("sslmode"):
        mode = u.query["sslmode"]
        env["PGSSLMODE"] = mode[0] if isinstance(mode, tuple) else mode
    cmd = [shutil.which("pg_dump") or "pg_dump", "--format=custom", "--no-password", f"--file={out}"]
    if host:
        cmd.append(f"--host={host}")
    if port:
        cmd.append(f"--port={port}")
    if u.username:
        cmd.append(f"--username={u.username}")
    cmd.append(str(u.database))
    return cmd, env


def cmd_backup(args) -> int:
    url = _campus_url(args)
    out = Path(args.out).expanduser()
    if out.exists() and not args.force:
        raise CliError(f"{out} exists already (use --force to replace it)")
    if not out.parent.is_dir():
        raise CliError(f"the folder {out.parent} does not exist")
    if shutil.which("pg_dump") is None:
        raise CliError("pg_dump is not installed on this computer (Debian/Ubuntu: apt install postgresql-client)")
    from ato_desktop.storage.campus import safe_location

    cmd, env = pg_dump_command(url, out)
    part = out.with_name(out.name + ".part")
    cmd = [c if not c.startswith("--file=") else f"--file={part}" for c in cmd]
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        part.unlink(missing_ok=True)
        raise CliError(f"pg_dump of {safe_location(url)} did not finish in {args.timeout:.0f} s; nothing was written")
    if r.returncode != 0:
        part.unlink(missing_ok=True)
        why = " ".join((r.stderr or "").split())[-300:] or f"exit code {r.returncode}"
        raise CliError(f"pg_dump could not back up {safe_location(url)}: {why}")
    os.replace(part, out)
    print(f"Backup of {safe_location(url)} written to {out} ({out.stat().st_size:,} bytes; "
          f"restore with: pg_restore --clean --dbname=campus {out}).")
    return 0


def register(sub) -> None:
    campus = sub.add_parser("campus", help="campus mode: many departments on one PostgreSQL database")
    csub = campus.add_subparsers(dest="campus_command", metavar="ACTION", required=True)

    init = csub.add_parser("init", help="create or upgrade the campus database's schema (and btree_gist)")
    init.add_argument("--db", dest="sub_db", metavar="URL", help=URL_HELP)
    init.set_defaults(func=cmd_init)

    add = csub.add_parser("add-department", help="add a department to the campus")
    add.add_argument("--db", dest="sub_db", metavar="URL", help=URL_HELP + ", or a department's .atodb file")
    add.add_argument("--code", required=True, help="short code, e.g. ECE")
    add.add_argument("--name", required=True, help="full name")
    add.set_defaults(func=cmd_add_department)

    grant = csub.add_parser("grant", help="let a database login coordinate a department (row-level security: "
                                          "it writes only that department's rows)")
    grant.add_argument("--db", dest="sub_db", metavar="URL", help=URL_HELP + " (as the campus administrator)")
    grant.add_argument("--role", required=True, metavar="LOGIN", help="the PostgreSQL login (createuser NAME)")
    grant.add_argument("--department", required=True, metavar="CODE")
    grant.add_argument("--kind", choices=("coordinator", "hod", "viewer", "admin"), default="coordinator",
                       help="what the login may do: coordinator (edit, submit, commit; the default), hod (the head "
                            "of department: approve, return, publish), viewer (read only), admin (every step)")
    grant.set_defaults(func=cmd_grant)

    share = csub.add_parser("share-room", help="set cells of a room's sharing grid: free for all, open to one "
                                               "department, unavailable, or the owner's again")
    share.add_argument("--db", dest="sub_db", metavar="URL", help=URL_HELP + " (as the campus administrator)")
    share.add_argument("--room", required=True, metavar="CODE")
    share.add_argument("--day", required=True, metavar="DAY", help="e.g. Tue or Tuesday")
    share.add_argument("--periods", required=True, metavar="P3,P4", help="period labels, comma-separated")
    share.add_argument("--mode", required=True, choices=("free", "department", "unavailable", "owner"))
    share.add_argument("--department", metavar="CODE", help="with --mode department: who may use it")
    share.set_defaults(func=cmd_share_room)

    slot = csub.add_parser("add-slot", help="a campus elective slot (e.g. Wed P5,P6 for multidisciplinary "
                                            "courses) every department's timetable keeps")
    slot.add_argument("--db", dest="sub_db", metavar="URL", help=URL_HELP + " (as the campus administrator)")
    slot.add_argument("--category", required=True, choices=("multidisciplinary", "ability_enhancement",
                                                            "skill_enhancement", "value_added", "elective"))
    slot.add_argument("--day", required=True, metavar="DAY")
    slot.add_argument("--periods", required=True, metavar="P5,P6", help="consecutive period labels")
    slot.set_defaults(func=cmd_add_slot)

    commit = csub.add_parser("commit", help="commit a department's timetable version: its rooms and faculty "
                                            "become binding for every department (refused, with each clash, "
                                            "if another department committed them first)")
    commit.add_argument("--db", dest="sub_db", metavar="URL", help=URL_HELP + ", or a department's .atodb file")
    commit.add_argument("--department", required=True, metavar="CODE")
    commit.add_argument("--timetable", required=True, metavar="NAME")
    commit.set_defaults(func=cmd_commit)

    out = csub.add_parser("checkout", help="take a department out to a .atodb file to work offline (other "
                                           "departments' commitments become unavailable periods there)")
    out.add_argument("--db", dest="sub_db", metavar="URL", help=URL_HELP)
    out.add_argument("--department", required=True, metavar="CODE")
    out.add_argument("--out", required=True, metavar="FILE.atodb")
    out.set_defaults(func=cmd_checkout)

    back = csub.add_parser("checkin", help="bring a checked-out file's version back and commit it (refused, "
                                            "with each clash, if someone committed the same rooms or faculty)")
    back.add_argument("file", metavar="FILE.atodb")
    back.add_argument("--db", dest="sub_db", metavar="URL", help=URL_HELP)
    back.add_argument("--timetable", required=True, metavar="NAME")
    back.set_defaults(func=cmd_checkin)

    mig = csub.add_parser("migrate-from", help="bring a department's .atodb file into the campus database")
    mig.add_argument("file", metavar="FILE.atodb")
    mig.add_argument("--db", dest="sub_db", metavar="URL", help=URL_HELP)
    mig.add_argument("--department", required=True, metavar="CODE",
                     help="the code the file's department gets in the campus")
    mig.set_defaults(func=cmd_migrate_from)

    backup = csub.add_parser("backup", help="back up the campus database with pg_dump (custom format)")
    backup.add_argument("--db", dest="sub_db", metavar="URL", help=URL_HELP)
    backup.add_argument("--out", required=True, metavar="FILE.dump")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.add_argument("--timeout", type=float, default=3600.0, metavar="SECONDS")
    backup.set_defaults(func=cmd_backup)
