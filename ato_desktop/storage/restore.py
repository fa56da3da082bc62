"""Checking and restoring backups: a backup is verified (SQLite's integrity check, ATO's own tables) and
written into the database file through SQLite, after a safety backup of the current file.

No Qt here; the UI calls :mod:`ato_desktop.services.backups` (in a worker)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

from ato_desktop.storage import open_files
from ato_desktop.storage.backup import (BackupError, _backup_name, _reading, _ro_uri, _text, _unlink_quietly,
                                        create_backup)
from ato_desktop.storage.database import (
    APPLICATION_ID,
    ATO_CORE_TABLES,
    BUSY_TIMEOUT_MS,
    DB_SUFFIX,
    DatabaseError,
    inspect_file,
    one_line,
)


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


def _check_uri(uri: str, backup_path: Path) -> None:
    """:func:`_check_open_database` on the file at ``uri`` (a copy of ``backup_path``, or the backup itself)."""
    try:
        con = _open_bytes(uri)
    except sqlite3.Error as exc:
        raise BackupError(f"The backup {backup_path} cannot be opened ({_text(exc)}).") from exc
    try:
        _check_open_database(con, backup_path)
    finally:
        con.close()


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
        _check_uri(uri, backup_path)


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
    _check_uri(str(tmp.resolve().as_uri()), backup_path)


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
