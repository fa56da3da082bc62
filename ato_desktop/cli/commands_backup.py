"""``ato-desktop backup create|list|restore --db DB [--file BACKUP]``."""

from __future__ import annotations

import json
from pathlib import Path

from ato_desktop.cli import CliError
from ato_desktop.storage import backup as b
from ato_desktop.storage import restore


def _db(args) -> Path:
    from ato_desktop.storage.database import refuse_unusable_file

    path = getattr(args, "sub_db", None) or getattr(args, "db", None)
    if not path:
        raise CliError("give the database with --db PATH")
    p = Path(path).expanduser()
    if not p.exists():
        raise CliError(f"{p} does not exist")
    refuse_unusable_file(p)  # a folder, a FIFO, a device, an empty file
    return p


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def cmd_create(args) -> int:
    from ato_desktop.storage.database import open_database

    db = _db(args)
    # a damaged, foreign or newer file is refused before any backup folder exists (nothing is written)
    open_database(db, create=False, upgrade=False, backup=False).close()
    try:
        dest = b.create_backup(db, args.reason)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    print(f"Backup written to {dest}")
    return 0


def cmd_list(args) -> int:
    db = _db(args)
    items = b.list_backups(db)
    if args.json:
        print(json.dumps([{"file": str(i.path), "created": i.created.isoformat(timespec="seconds"),
                           "reason": i.reason, "size": i.size, "summary": i.summary,
                           "problem": i.problem} for i in items], indent=2))
        return 0
    if not items:
        print(f"No backups of {db} yet (they are kept in {b.backup_dir_for(db)}).")
        return 0
    print(f"Backups of {db} (newest first), in {b.backup_dir_for(db)}:")
    for i in items:
        print(f"  {i.created:%Y-%m-%d %H:%M:%S}  {i.reason:<17} {_size(i.size):>9}  {i.summary_text}")
        print(f"      {i.path.name}")
    return 0


def _resolve_backup(db: Path, name: str) -> Path:
    p = Path(name).expanduser()
    if p.is_file():
        return p
    q = b.backup_dir_for(db) / name
    if q.is_file():
        return q
    raise CliError(f"backup {name} not found (see `ato-desktop backup list --db {db}`)")


def _check_restore_target(db: Path) -> None:
    """Restore over an ATO Desktop database (even a damaged one: that is what backups are for, and its
    bytes are kept) that no other program is writing; never over another application's file."""
    import sqlite3

    from ato_desktop.storage import database as d
    from ato_desktop.storage.errors import translate

    try:
        d.open_readonly(db).close()
    except d.NotADatabaseError as exc:
        with db.open("rb") as fh:  # this process holds no connection to it
            sqlite = fh.read(16) == d.SQLITE_HEADER
        if not sqlite or "another application" in str(exc):
            raise CliError(f"{exc} Nothing was restored.") from None
        return
    try:  # another program writing it? (the backup API would wait for it forever)
        con = sqlite3.connect(db, timeout=d.BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise (translate(exc, db) or d.DatabaseError(f"Cannot restore into {db}: {exc}.")) from None


def cmd_restore(args) -> int:
    from ato_desktop.storage.instance import is_in_use

    db = _db(args)
    src = _resolve_backup(db, args.file)
    owner = is_in_use(db)
    if owner:  # the window would go on showing (and undoing into) the data the restore replaced
        who = owner.describe() if owner is not True else "another ATO Desktop window"
        raise CliError(f"{db} is open for editing in {who}; use File ▸ Restore from backup there, "
                       "or close it first. Nothing was changed.")
    _check_restore_target(db)
    safety = restore.restore_backup(db, src)
    print(f"Restored {db} from {src.name}.")
    if safety:
        print(f"The previous contents were kept in {safety}.")
    return 0


def register(sub) -> None:
    p = sub.add_parser("backup", help="create, list and restore backups of a database")
    actions = p.add_subparsers(dest="backup_command", metavar="ACTION", required=True)

    def db_arg(parser):
        parser.add_argument("--db", dest="sub_db", metavar="PATH", help="the database file")

    c = actions.add_parser("create", help="take a backup now (SQLite online backup)")
    db_arg(c)
    c.add_argument("--reason", default=b.MANUAL, choices=b.REASONS, help="tag of the backup (default manual)")
    c.set_defaults(func=cmd_create)

    ls = actions.add_parser("list", help="list the backups with date, reason, size and contents")
    db_arg(ls)
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=cmd_list)

    r = actions.add_parser("restore", help="replace the database by a backup (the current file is backed up first)")
    db_arg(r)
    r.add_argument("--file", required=True, metavar="BACKUP", help="backup file (path, or name from `backup list`)")
    r.set_defaults(func=cmd_restore)
