"""Online backups with SQLite's backup API (consistent while the app is running).

Backups live next to the database, in the folder ``"<name> backups"``, one
self-contained SQLite file each (rollback journal, no ``-wal`` side file), named
``<name>-<YYYYmmdd-HHMMSS-ffffff>-<reason>.atodb`` with the local time.

Reasons and retention (applied by :func:`prune_backups` after every backup):

* ``daily``: taken automatically at most once a day (:func:`maybe_daily_backup`).
  Kept: the newest backup of each of the last 7 days that have one, plus the
  newest of each of the last 4 ISO weeks that have one (daily backups roll
  into weekly ones).
* ``before-migration``, ``before-optimizer``, ``before-import``,
  ``before-restore`` and ``manual``: taken before a risky operation or on
  request. The newest 10 of each reason are kept.

No Qt here; the UI calls :mod:`ato_desktop.services.backups` (in a worker).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ato_desktop.storage import open_files
from ato_desktop.storage.database import (
    APPLICATION_ID,
    ATO_CORE_TABLES,
    BUSY_TIMEOUT_MS,
    DB_SUFFIX,
    DatabaseError,
    inspect_file,
    one_line,
    undecodable_excerpt,
)

DAILY = "daily"
MANUAL = "manual"
TAGGED_REASONS = ("before-migration", "before-optimizer", "before-import", "before-restore", MANUAL)
REASONS = (DAILY, *TAGGED_REASONS)
KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_TAGGED = 10
# A ``.partial`` file untouched for this long is left over by a crashed backup; a
# younger one may belong to a backup another process or thread is writing now.
STALE_PARTIAL_SECONDS = 15 * 60

REASON_LABELS = {
    DAILY: "Daily",
    MANUAL: "Manual",
    "before-migration": "Before upgrading the database",
    "before-optimizer": "Before applying an optimizer result",
    "before-import": "Before an import",
    "before-restore": "Before restoring a backup",
}

SUMMARY_TABLES = (
    ("faculty", "faculty"),
    ("rooms", "room"),
    ("groups", "student_group"),
    ("courses", "course"),
    ("timetables", "timetable"),
)

_STAMP = "%Y%m%d-%H%M%S-%f"
_NAME_RE = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}-\d{6})-(?P<reason>[a-z][a-z-]*)" + re.escape(DB_SUFFIX) + "$")


class BackupError(DatabaseError):
    """A backup could not be taken, read or restored; the message says what and where."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: dt.datetime  # local time, from the file name
    reason: str
    size: int  # bytes
    summary: dict[str, int] = field(default_factory=dict)  # faculty, rooms, groups, courses, timetables
    problem: str = ""  # set when the backup cannot be read (the summary is then empty)

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def summary_text(self) -> str:
        if self.problem:
            return self.problem
        return ", ".join(f"{n} {name}" for name, n in self.summary.items())


def _normal_reason(reason: str) -> str:
    reason = reason.strip().lower().replace("_", "-").replace(" ", "-")
    if reason in REASONS:
        return reason
    if f"before-{reason}" in REASONS:
        return f"before-{reason}"
    raise ValueError(f"unknown backup reason {reason!r}; use one of {', '.join(REASONS)}")


def backup_dir_for(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.stem} backups"


def _ro_uri(path: Path) -> str:
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def backup_database(src: Path, dest: Path) -> Path:
    """Copy ``src`` into ``dest`` with SQLite's online backup API; returns ``dest``.

    The copy is a consistent snapshot even while another connection writes,
    is switched to a rollback journal (one self-contained file), and is only
    renamed to ``dest`` once complete: a crash never leaves a half backup under
    a backup's name.

    Safe to run concurrently on one database (the GUI's daily backup and a CLI
    ``backup create``): each writer uses its own ``.partial`` name (process id
    and a random part), and the rename never overwrites another backup; if
    ``dest`` appeared meanwhile the name moves on by a microsecond. Returns the
    name actually used.
    """
    src, dest = Path(src), Path(dest)
    with open_files.hold(src):  # a connection of this process has the file open meanwhile
        try:
            source = sqlite3.connect(_ro_uri(src), uri=True)
        except sqlite3.Error as exc:
            raise BackupError(f"Cannot back up {src} to {dest}: {_text(exc)}.") from exc
        try:
            return backup_from_connection(source, src, dest)
        finally:
            source.close()


def backup_from_connection(source: sqlite3.Connection, src: Path, dest: Path) -> Path:
    """Like :func:`backup_database`, from an open connection (``src`` only names it in messages).

    ``Database.save_copy`` uses the connection it kept open, which still sees the data even if
    another program deleted the ``-wal`` beside the file.
    """
    src, dest = Path(src), Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot create the backup folder {dest.parent}: {exc.strerror or exc}.") from exc
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}-{threading.get_ident()}-{uuid.uuid4().hex[:8]}.partial")
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
            target.commit()
        finally:
            target.close()
        dest = _publish(tmp, dest)
    except (sqlite3.Error, OSError, UnicodeDecodeError) as exc:
        _unlink_quietly(tmp)
        raise BackupError(f"Cannot back up {src} to {dest}: {_text(exc)}.") from exc
    return dest


def _text(exc: BaseException) -> str:
    """An exception's text; SQLite's error text may quote undecodable bytes of a damaged file."""
    if isinstance(exc, UnicodeDecodeError):
        return f"it holds text that is not valid UTF-8: {undecodable_excerpt(exc)}"
    return one_line(str(exc))


def _publish(tmp: Path, dest: Path) -> Path:
    """Rename ``tmp`` to ``dest`` without replacing an existing file; returns the final name."""
    for _ in range(1000):
        try:
            if os.name == "nt":
                os.rename(tmp, dest)  # refuses an existing destination on Windows
            else:
                try:
                    os.link(tmp, dest)  # atomic, refuses an existing destination
                except FileExistsError:
                    raise
                except OSError:  # a file system without hard links: check, then rename
                    if dest.exists():
                        raise FileExistsError(dest) from None
                    os.replace(tmp, dest)
                    return dest
                _unlink_quietly(tmp)
            return dest
        except FileExistsError:
            dest = _next_name(dest)
    raise BackupError(f"Cannot find a free backup name near {dest}.")


def _next_name(dest: Path) -> Path:
    match = _NAME_RE.match(dest.name)
    if not match:
        return dest.with_name(f"{dest.stem}-{uuid.uuid4().hex[:6]}{dest.suffix}")
    stamp = dt.datetime.strptime(match["stamp"], _STAMP) + dt.timedelta(microseconds=1)
    return dest.with_name(f"{match['stem']}-{stamp.strftime(_STAMP)}-{match['reason']}{DB_SUFFIX}")


def _unlink_quietly(p: Path) -> None:
    try:
        p.unlink()
    except OSError:
        pass


def _backup_name(db_path: Path, reason: str, now: dt.datetime) -> Path:
    folder = backup_dir_for(db_path)
    dest = folder / f"{Path(db_path).stem}-{now.strftime(_STAMP)}-{reason}{DB_SUFFIX}"
    while dest.exists():  # two backups within one microsecond (clock resolution on some systems)
        now += dt.timedelta(microseconds=1)
        dest = folder / f"{Path(db_path).stem}-{now.strftime(_STAMP)}-{reason}{DB_SUFFIX}"
    return dest


def create_backup(db_path: Path, reason: str = MANUAL, *, now: dt.datetime | None = None, prune: bool = True) -> Path:
    """Take a backup of ``db_path`` tagged with ``reason``; then apply the retention rules."""
    db_path = Path(db_path)
    reason = _normal_reason(reason)
    if not db_path.is_file():
        raise BackupError(f"Cannot back up {db_path}: the file does not exist.")
    dest = backup_database(db_path, _backup_name(db_path, reason, now or dt.datetime.now()))
    if prune:
        prune_backups(db_path, now=now)
    return dest


def backup_before(db_path: Path, reason: str) -> Path:
    """Take a backup named after the time and the reason (``migration``, ``optimizer``, ``import``...)."""
    return create_backup(db_path, reason)


def _parse(db_path: Path, p: Path) -> tuple[dt.datetime, str] | None:
    match = _NAME_RE.match(p.name)
    if not match or match["stem"] != Path(db_path).stem:
        return None
    try:
        created = dt.datetime.strptime(match["stamp"], _STAMP)
    except ValueError:
        return None
    return created, match["reason"]


def _backup_files(db_path: Path) -> list[tuple[Path, dt.datetime, str]]:
    folder = backup_dir_for(db_path)
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        parsed = _parse(db_path, p) if p.is_file() else None
        if parsed:
            out.append((p, *parsed))
    out.sort(key=lambda t: t[1], reverse=True)  # newest first
    return out


def read_summary(backup_path: Path) -> dict[str, int]:
    """Counts of faculty, rooms, groups, courses and timetables, read without modifying the file."""
    with _reading(backup_path) as uri:
        try:
            con = sqlite3.connect(uri, uri=True)
        except sqlite3.Error as exc:
            raise BackupError(f"{backup_path} cannot be read: {_text(exc)}.") from exc
        try:
            out = {}
            for label, table in SUMMARY_TABLES:
                out[label] = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
            return out
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise BackupError(f"{backup_path} is not a readable ATO Desktop backup ({_text(exc)}).") from exc
        finally:
            con.close()


@contextmanager
def _reading(path: Path):
    """A read-only URI for a backup: immutable (creates no side file), unless this process holds
    the file open through SQLite (a lock-less connection's close would drop its locks: open_files)."""
    with open_files.guard():
        if open_files.is_held(path):
            yield _ro_uri(path)
        else:
            yield f"{_ro_uri(path)}&immutable=1"


def list_backups(db_path: Path, *, with_summary: bool = True) -> list[BackupInfo]:
    """The backups of ``db_path``, newest first, each with its date, reason, size and summary."""
    out = []
    for p, created, reason in _backup_files(db_path):
        try:
            size = p.stat().st_size
        except OSError:
            continue  # removed meanwhile
        summary: dict[str, int] = {}
        problem = ""
        if with_summary:
            try:
                summary = read_summary(p)
            except BackupError:
                problem = "unreadable (damaged or not a backup)"
        out.append(BackupInfo(p, created, reason, size, summary, problem))
    return out


def backups_to_keep(items: list[tuple[Path, dt.datetime, str]]) -> set[Path]:
    """Apply the retention rules to ``(path, created, reason)`` items (newest first or in any order)."""
    items = sorted(items, key=lambda t: t[1], reverse=True)
    keep: set[Path] = set()
    daily = [t for t in items if t[2] == DAILY]
    days: dict[dt.date, Path] = {}
    weeks: dict[tuple[int, int], Path] = {}
    for p, created, _ in daily:
        days.setdefault(created.date(), p)
        weeks.setdefault(tuple(created.isocalendar())[:2], p)
    keep.update(list(days.values())[:KEEP_DAILY])
    keep.update(list(weeks.values())[:KEEP_WEEKLY])
    for reason in {t[2] for t in items if t[2] != DAILY}:
        keep.update(p for p, _, _ in [t for t in items if t[2] == reason][:KEEP_TAGGED])
    return keep


def prune_backups(db_path: Path, *, now: dt.datetime | None = None) -> list[Path]:
    """Delete the backups the retention rules no longer keep; returns the deleted files.

    Left-over ``.partial`` files of an interrupted backup are removed too, but
    only when untouched for :data:`STALE_PARTIAL_SECONDS`: a younger one may be
    a backup that another process or thread is writing at this moment.
    """
    items = _backup_files(db_path)
    keep = backups_to_keep(items)
    removed = []
    for p, _, _ in items:
        if p not in keep:
            try:
                p.unlink()
                removed.append(p)
            except OSError:
                pass
    folder = backup_dir_for(db_path)
    if folder.is_dir():
        limit = time.time() - STALE_PARTIAL_SECONDS
        for p in folder.glob(f"{Path(db_path).stem}-*{DB_SUFFIX}*.partial"):
            try:
                stale = p.stat().st_mtime < limit
            except OSError:
                continue  # finished (renamed) meanwhile
            if stale:
                _unlink_quietly(p)
    return removed


def maybe_daily_backup(db_path: Path, *, now: dt.datetime | None = None) -> Path | None:
    """Take today's automatic backup unless one exists already; returns it, or ``None``."""
    now = now or dt.datetime.now()
    for _, created, reason in _backup_files(db_path):
        if reason == DAILY and created.date() == now.date():
            return None
    return create_backup(db_path, DAILY, now=now)


def _check_open_database(con: sqlite3.Connection, label: Path) -> str:
    """Everything a restore needs from a database, checked on an open connection; returns its revision.

    The connection must use ``text_factory=bytes``: every schema text is decoded strictly here
    (a damaged byte in a CHECK constraint's text is valid SQL to SQLite but not UTF-8), and a
    statement is prepared on every table, so SQLite parses the whole schema.
    """
    from ato_desktop.storage import migrate

    damaged = f"The backup {label} is damaged"
    try:
        rows = con.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        tables = set()
        for kind, name, sql in rows:
            kind, name = bytes(kind).decode("utf-8"), bytes(name).decode("utf-8")
            if sql is not None:
                bytes(sql).decode("utf-8")
            if kind == "table":
                tables.add(name)
        for name in sorted(tables):
            con.execute('SELECT * FROM "{}" LIMIT 0'.format(name.replace('"', '""'))).fetchall()
        check = [bytes(r[0]).decode("utf-8", "replace") for r in con.execute("PRAGMA integrity_check").fetchall()]
        app_id = int(con.execute("PRAGMA application_id").fetchone()[0])
        row = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = bytes(row[0]).decode("utf-8") if row and row[0] is not None else None
    except UnicodeDecodeError as exc:
        raise BackupError(f"{damaged} ({_text(exc)}).") from exc
    except sqlite3.Error as exc:
        raise BackupError(f"{damaged} ({_text(exc)}).") from exc
    if check != ["ok"]:
        raise BackupError(f"{damaged} (SQLite integrity check: {one_line('; '.join(check[:3]))}).")
    if not (tables - {"sqlite_sequence"}):
        raise BackupError(f"{label} is empty, not an ATO Desktop backup.")
    if app_id not in (0, APPLICATION_ID) or not (ATO_CORE_TABLES | {"alembic_version"}) <= tables:
        raise BackupError(f"{label} is an SQLite database of another application (or a damaged backup), "
                          "not an ATO Desktop backup.")
    if revision is None:
        raise BackupError(f"{damaged} (it has no schema revision).")
    if not migrate.is_known_revision(revision):
        raise BackupError(f"The backup {label} was made by a newer version of the app (schema {revision!r}).")
    return revision


def _open_bytes(uri: str) -> sqlite3.Connection:
    con = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    con.text_factory = bytes
    return con


def verify_backup(backup_path: Path) -> None:
    """Refuse a backup that is damaged, not an ATO database, or from a newer app version.

    Reads the file read-only (nothing is created beside it): header, integrity check, every
    schema text decoded strictly, a statement prepared on every table, the ATO tables and a
    schema revision this app knows.
    """
    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise BackupError(f"The backup {backup_path} does not exist.")
    try:
        inspect_file(backup_path)  # header, quick check, another application's file
    except DatabaseError as exc:
        raise BackupError(f"The backup cannot be used: {exc}") from exc
    with _reading(backup_path) as uri:
        try:
            con = _open_bytes(uri)
        except sqlite3.Error as exc:
            raise BackupError(f"The backup {backup_path} cannot be opened ({_text(exc)}).") from exc
        try:
            _check_open_database(con, backup_path)
        finally:
            con.close()


def _side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
            path.with_name(path.name + "-journal")]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samestat(os.stat(a), os.stat(b))
    except OSError:
        return False


def restore_backup(db_path: Path, backup_path: Path) -> Path | None:
    """Replace the contents of ``db_path`` with ``backup_path``; returns the safety backup.

    Nothing touches the live file before the backup has passed every check: the backup is first
    copied (SQLite backup API) into a private temporary file beside the target, and that copy,
    the very bytes to be restored, is verified as a database (:func:`_check_open_database`).
    Then the current file is itself backed up (reason ``before-restore``; a raw byte copy
    ``*.damaged`` if it is too damaged for SQLite), so a restore can be undone. Then:

    * the current file is usable: the verified copy is written into it with SQLite's backup API,
      through the driver (one write transaction: every reader, in this or another process, sees
      either the old or the new database; a failure rolls it back). Connections open elsewhere
      stay valid; nothing is renamed or deleted under them.
    * it is not (too damaged for SQLite, missing or empty): the copy is renamed over it, only if no
      connection of this process and no other ATO Desktop instance has the file open.

    A refused or failed restore leaves the live file as it was. Returns ``None`` if there was no
    current file. ``services.backups.restore`` closes and reopens the app's Database around it.
    """
    db_path, backup_path = Path(db_path), Path(backup_path)
    if not backup_path.is_file():
        raise BackupError(f"The backup {backup_path} does not exist.")
    if _same_file(db_path, backup_path):
        raise BackupError("A backup cannot be restored onto itself.")
    try:
        inspect_file(backup_path)  # a clear sentence for a text file, another application's file...
    except DatabaseError as exc:
        raise BackupError(f"The backup cannot be used: {exc}") from exc
    tmp = db_path.with_name(f"{db_path.name}.restoring-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        _copy_and_verify(backup_path, tmp)
        safety, usable = _keep_current(db_path, backup_path)
        if usable:
            _write_into(tmp, db_path, backup_path, safety)
        else:
            _replace_with(tmp, db_path, backup_path, safety)
    finally:
        for f in (tmp, *_side_files(tmp)):
            _unlink_quietly(f)
    return safety


def _copy_and_verify(backup_path: Path, tmp: Path) -> None:
    with _reading(backup_path) as uri:
        try:
            source = sqlite3.connect(uri, uri=True)
        except sqlite3.Error as exc:
            raise BackupError(f"The backup {backup_path} cannot be opened ({_text(exc)}).") from exc
        try:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)  # the pages as they are: the copy carries any damage along
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise BackupError(f"The backup {backup_path} is damaged ({_text(exc)}).") from exc
        except OSError as exc:
            raise BackupError(f"Cannot write a temporary file beside {tmp.parent}: {exc}.") from exc
        finally:
            source.close()
    try:
        con = _open_bytes(str(tmp.resolve().as_uri()))
    except sqlite3.Error as exc:
        raise BackupError(f"The backup {backup_path} cannot be opened ({_text(exc)}).") from exc
    try:
        _check_open_database(con, backup_path)
    finally:
        con.close()


def _keep_current(db_path: Path, backup_path: Path) -> tuple[Path | None, bool]:
    """The safety copy of the current file; and whether SQLite can still use that file."""
    try:
        exists = db_path.stat().st_size > 0
    except OSError:
        exists = False
    if not exists:
        return None, False
    try:
        return create_backup(db_path, "before-restore"), True
    except BackupError:
        pass
    # The current file is damaged (perhaps why we restore): keep its raw bytes. Reading them
    # directly is only allowed in a process that holds no connection to it (storage/open_files).
    safety = _backup_name(db_path, "before-restore", dt.datetime.now())
    safety = safety.with_name(safety.name.replace(DB_SUFFIX, ".damaged"))
    with open_files.guard():
        if open_files.is_held(db_path):
            raise BackupError(f"{db_path} is too damaged to be copied while it is open here. Close it "
                              f"and restore it from the command line: ato-desktop backup restore --db \"{db_path}\" "
                              f"--file \"{backup_path}\". Nothing was changed.")
        try:
            safety.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(db_path, safety)
        except OSError as exc:
            raise BackupError(f"Cannot keep a copy of the current {db_path} before restoring: {exc}.") from exc
    return safety, False


def _kept(safety: Path | None) -> str:
    return f" The previous contents are kept in {safety}." if safety else ""


def _write_into(tmp: Path, db_path: Path, backup_path: Path, safety: Path | None) -> None:
    """The verified copy into the live file, through SQLite (one transaction); checked after."""
    with open_files.hold(db_path):
        try:
            source = sqlite3.connect(tmp)
            try:
                target = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000)
                try:
                    page_size = int(target.execute("PRAGMA page_size").fetchone()[0])
                    if int(source.execute("PRAGMA page_size").fetchone()[0]) != page_size:
                        # the backup API cannot change the page size of a WAL database: change the copy's
                        source.execute(f"PRAGMA page_size={page_size}")
                        source.execute("VACUUM")
                    source.backup(target)
                    rows = target.execute("PRAGMA integrity_check").fetchall()
                    result = "; ".join(str(r[0]) for r in rows[:5])
                    if result != "ok" and safety is not None:
                        back = sqlite3.connect(_ro_uri(safety), uri=True)  # put the previous contents back
                        try:
                            back.backup(target)
                        finally:
                            back.close()
                finally:
                    target.close()
            finally:
                source.close()
        except (sqlite3.Error, OSError, UnicodeDecodeError) as exc:
            raise BackupError(f"Restoring {backup_path.name} into {db_path} failed ({_text(exc)}); "
                              f"the database was not changed.{_kept(safety)}") from exc
    if result != "ok":
        raise BackupError(f"{db_path} failed the integrity check after the restore ({result}); its previous "
                          f"contents were put back.{_kept(safety)}")


def _replace_with(tmp: Path, db_path: Path, backup_path: Path, safety: Path | None) -> None:
    """Rename the verified copy over a file SQLite cannot use (damaged, missing or empty)."""
    from ato_desktop.storage.instance import is_in_use

    with open_files.guard():
        if open_files.is_held(db_path) or is_in_use(db_path):
            raise BackupError(f"{db_path} cannot be replaced while it is open (here or in another ATO Desktop "
                              f"window). Close it and try again; nothing was changed.{_kept(safety)}")
        try:
            for side in _side_files(db_path):
                _unlink_quietly(side)  # a stale WAL must never be replayed onto the restored file
            os.replace(tmp, db_path)
        except OSError as exc:
            raise BackupError(f"Restoring {backup_path.name} into {db_path} failed: {exc}.{_kept(safety)}") from exc
