"""Backups for the UI and the CLI: create, list, restore, daily and before risky operations.

Every function takes the open :class:`Database` (or a path) and raises
:class:`BackupServiceError` (a :class:`ServiceError`) with a message for the
user. Call them from a worker thread: a backup copies the whole file.

When to call what:

* at startup / once a day: :func:`daily_backup`
* before applying an optimizer result: :func:`before_optimizer`
* before an import (CSV, XLSX, .ctt): :func:`before_import`
* File > Restore from backup: :func:`list_for` then :func:`restore` (which
  returns a freshly opened Database: replace the old one everywhere).
"""

from __future__ import annotations

from pathlib import Path

from ato_desktop.services.errors import ServiceError
from ato_desktop.storage import backup as _b
from ato_desktop.storage import restore as _restore
from ato_desktop.storage.backup import BackupInfo
from ato_desktop.storage.database import Database, DatabaseError, open_database

__all__ = [
    "BackupInfo", "BackupServiceError", "create", "list_for", "restore", "daily_backup",
    "before_optimizer", "before_import", "backup_folder",
]


class BackupServiceError(ServiceError):
    pass


def _path(db: Database | str | Path) -> Path:
    return db.path if isinstance(db, Database) else Path(db)


def _checkpoint(db: Database | str | Path) -> None:
    # Not needed for consistency (the backup API reads through the WAL), but it
    # keeps the live file's -wal small before a full copy.
    if isinstance(db, Database) and not db.readonly:
        try:
            with db.engine.connect() as c:
                c.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:
            pass


def _refuse_if_detached(db: Database | str | Path) -> None:
    # A backup reads the file by its name: after another program deleted the -wal it would miss
    # what only this Database still sees. File > Save a copy (Database.save_copy) keeps it.
    if isinstance(db, Database) and db.detached:
        from ato_desktop.storage.errors import detached_error

        raise BackupServiceError(str(detached_error(db.path, db.detached)))


def create(db: Database | str | Path, reason: str = _b.MANUAL) -> Path:
    """Take a backup now; returns its file."""
    _refuse_if_detached(db)
    _checkpoint(db)
    try:
        return _b.create_backup(_path(db), reason)
    except (DatabaseError, ValueError) as exc:
        raise BackupServiceError(str(exc)) from exc


def daily_backup(db: Database | str | Path) -> Path | None:
    """Today's automatic backup, unless taken already (returns ``None`` then)."""
    _refuse_if_detached(db)
    try:
        return _b.maybe_daily_backup(_path(db))
    except DatabaseError as exc:
        raise BackupServiceError(str(exc)) from exc


def before_optimizer(db: Database | str | Path) -> Path:
    return create(db, "before-optimizer")


def before_import(db: Database | str | Path) -> Path:
    return create(db, "before-import")


def list_for(db: Database | str | Path) -> list[BackupInfo]:
    """Backups of this database, newest first, with date, reason, size and a summary."""
    return _b.list_backups(_path(db))


def backup_folder(db: Database | str | Path) -> Path:
    return _b.backup_dir_for(_path(db))


def restore(db: Database | str | Path, backup: str | Path | BackupInfo) -> Database:
    """Restore ``backup`` over the database and return it opened again.

    The restore goes into the file through SQLite (``storage.backup.restore_backup``:
    the backup API, one transaction), so ``db`` stays open meanwhile, as do the other
    connections of this process (the notification scheduler's): nothing is renamed or
    deleted under them, and this process never drops its locks on the file. On success
    ``db`` (if an open Database) is closed (its instance lock too, unless the caller
    took it out first) and a new Database is returned; on failure nothing was changed
    and ``db`` stays open and usable.
    """
    _refuse_if_detached(db)
    path = _path(db)
    src = backup.path if isinstance(backup, BackupInfo) else Path(backup)
    try:
        _restore.restore_backup(path, src)
    except DatabaseError as exc:
        raise BackupServiceError(str(exc)) from exc
    if isinstance(db, Database):
        db.close()
    try:
        return open_database(path, create=False)
    except DatabaseError as exc:
        raise BackupServiceError(f"The backup was restored but the database cannot be opened: {exc}") from exc
