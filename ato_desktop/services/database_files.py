"""Department database files: open (for editing, under the single-instance lock, or read-only),
the reasons a file cannot be edited, and a copy of the open file. No Qt here.

The window's File menu (``ui/file_actions.py``), the start-up preload and the developer tools go
through these, so that nothing above the services imports the storage layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ato_desktop.services.errors import ServiceError
from ato_desktop.storage.database import (DB_SUFFIX, Database, DatabaseError, ReadOnlyLocationError, open_database,
                                          open_readonly)
from ato_desktop.storage.instance import DatabaseInUseError, open_for_editing

__all__ = [
    "DB_SUFFIX", "Database", "DatabaseError", "DatabaseInUseError", "OpenedFile", "ReadOnlyLocationError",
    "copy_destination", "detached_message", "open_database", "open_file", "open_for_editing", "open_readonly",
    "warm_storage",
]


@dataclass(frozen=True)
class OpenedFile:
    db: Database
    readonly_reason: str = ""  # why a file asked for editing was opened read-only ("" when it was not)


def open_file(path: str | Path, *, readonly: bool = False) -> OpenedFile:
    """Open a department file for editing (holding its instance lock) or, with ``readonly``, for reading.

    A file in a read-only place opens read-only, with the reason. Raises :class:`DatabaseInUseError`
    when another instance edits it (the caller may offer :func:`open_readonly`) and
    :class:`DatabaseError` with one sentence for every other file that cannot be opened, among them a
    missing one (opening never creates a file: a new department is File ▸ New's)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DatabaseError(f"{path}: no such file. Nothing was opened.")
    if readonly:
        return OpenedFile(open_readonly(path))
    try:
        return OpenedFile(open_for_editing(path))
    except ReadOnlyLocationError as exc:  # a read-only folder or file: read it, and say so
        return OpenedFile(open_readonly(path), exc.reason)


def copy_destination(db: Database | None, dest: str | Path) -> Path:
    """Where "Save a copy" writes: ``dest`` with the database suffix; never the open file itself."""
    dest = Path(dest)
    if dest.suffix != DB_SUFFIX:
        dest = dest.with_suffix(DB_SUFFIX)
    if db is not None and dest.resolve() == db.path.resolve():
        raise ServiceError("Choose another file: that is the open database.")
    return dest


def detached_message(db: Database) -> str:
    """The sentence shown when the open file was changed by another program (writing stopped)."""
    from ato_desktop.storage.errors import detached_error

    return str(detached_error(db.path, db.detached))


def warm_storage() -> None:
    """Import what opening a file needs (the migrations runner: Alembic alone takes a few hundred ms)
    and configure the ORM mappers (~100 ms): done once per process, in the start-up preload's worker."""
    from sqlalchemy.orm import configure_mappers

    import ato_desktop.storage.migrate  # noqa: F401
    import ato_desktop.storage.models  # noqa: F401

    configure_mappers()


def open_campus_database(url: str):
    """Open the campus database at ``url`` (``postgresql://…``) for the desktop app: its schema must be
    set up (``campus init``) and current; every failure is one sentence naming the server."""
    from ato_desktop.storage.campus import open_campus

    return open_campus(url, create=False, upgrade=False)
