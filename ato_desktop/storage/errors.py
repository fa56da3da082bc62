"""Translate SQLite failures into messages a coordinator can act on.

``Database.session()`` passes every exception through :func:`translate`: a
full disk, a read-only file or folder, a database busy in another program, a
disk I/O error become :class:`DatabaseError` subclasses whose message says
what happened, where, that nothing was changed (the transaction was rolled
back) and what to do. Anything else is left alone.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import exc as sa_exc

from ato_desktop.storage.database import DatabaseError


class DatabaseWriteError(DatabaseError):
    """Saving failed; the transaction was rolled back, the file holds the previous data."""


class DatabaseFullError(DatabaseWriteError):
    pass


class DatabaseReadOnlyError(DatabaseWriteError):
    pass


class DatabaseBusyError(DatabaseWriteError):
    pass


class DatabaseIOError(DatabaseWriteError):
    pass


class DatabaseDamagedError(DatabaseWriteError):
    """SQLite found the file damaged (malformed pages, undecodable schema or error text)."""


class DatabaseDetachedError(DatabaseWriteError):
    """The file, or its ``-wal`` journal, was deleted or replaced by another program while open here.

    The Database refuses every write from then on (``Database.detached``): what it would commit
    could end in a deleted file. ``Database.save_copy`` still copies what it sees.
    """


def detached_error(path: Path | str, why: str) -> DatabaseDetachedError:
    path = Path(path)
    return DatabaseDetachedError(
        f"The database file {path} was changed by another program ({why}); ATO Desktop stopped writing to it "
        "to protect your work. Your last change was not saved there. Save a copy of what is open now "
        "(File ▸ Save a copy), then close the file and open that copy."
    )


class DatabaseReadError(DatabaseError):
    """Reading failed (file gone, drive removed, locked by another program); nothing was written."""


NOTHING_CHANGED = "Nothing was changed: your data is as it was before this action."


def _sqlite_error(exc: BaseException) -> sqlite3.Error | None:
    if isinstance(exc, sa_exc.DBAPIError) and isinstance(exc.orig, sqlite3.Error):
        return exc.orig
    if isinstance(exc, sqlite3.Error):
        return exc
    return None


def classify(exc: BaseException) -> str | None:
    """``full`` | ``readonly`` | ``busy`` | ``io`` | ``cantopen`` | ``damaged`` | None for an SQLite error.

    The chain of exceptions is followed: after SQLITE_FULL inside a savepoint,
    SQLite has already rolled the whole transaction back, and the error the
    caller sees is SQLAlchemy's failing ``ROLLBACK TO SAVEPOINT`` ("no such
    savepoint"), raised while handling the real cause.
    """
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        kind = _classify_one(exc)
        if kind is not None:
            return kind
        exc = exc.__cause__ or exc.__context__
    return None


def _from_sqlite(exc: UnicodeDecodeError) -> bool:
    """A UnicodeDecodeError raised by the sqlite3 module (error text or stored text of a damaged file)?

    Python's sqlite3 decodes SQLite's error message (which may quote bytes of a damaged schema)
    and text columns strictly; the error is then raised straight from the driver call, with no
    frame of ours or of SQLAlchemy's below it. A UnicodeDecodeError of other code (reading a
    user's CSV inside a transaction) is not SQLite's and is left alone.
    """
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "")
    return module.startswith(("sqlalchemy.", "sqlite3", "ato_desktop.storage."))


def _classify_one(exc: BaseException) -> str | None:
    if isinstance(exc, UnicodeDecodeError):
        return "damaged" if _from_sqlite(exc) else None
    err = _sqlite_error(exc)
    if err is None:
        return None
    name = (getattr(err, "sqlite_errorname", "") or "").upper()
    text = str(err).lower()
    if name.startswith("SQLITE_FULL") or "database or disk is full" in text:
        return "full"
    if name.startswith("SQLITE_READONLY") or "readonly database" in text or "read-only" in text:
        return "readonly"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text or "database is busy" in text:
        return "busy"
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return "io"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database file" in text:
        return "cantopen"
    if (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text
            or "could not decode to utf-8" in text):
        return "damaged"
    return None


def translate(exc: BaseException, path: Path | str) -> DatabaseError | None:
    """A user-facing :class:`DatabaseError` for ``exc``, or ``None`` if it is not a storage failure."""
    kind = classify(exc)
    if kind is None:
        return None
    path = Path(path)
    if kind == "full":
        return DatabaseFullError(
            f"Cannot save to {path}: the disk is full. {NOTHING_CHANGED} "
            "Free some space on that drive (or move the database) and try again."
        )
    if kind == "readonly":
        return DatabaseReadOnlyError(
            f"Cannot save to {path}: the database is read-only here (opened read-only, or the file or its "
            f"folder cannot be written). {NOTHING_CHANGED} Save a copy elsewhere or check the file's permissions."
        )
    if kind == "busy":
        return DatabaseBusyError(
            f"The database {path} is busy: another program or ATO Desktop window is saving to it. "
            f"{NOTHING_CHANGED} Try again in a moment."
        )
    if kind == "io":
        return DatabaseIOError(
            f"Cannot save to {path}: the disk reported an error (removed drive or network folder gone?). "
            f"{NOTHING_CHANGED} Check the drive, then make a backup."
        )
    if kind == "damaged":
        return DatabaseDamagedError(
            f"Cannot save to {path}: SQLite found the file damaged. {NOTHING_CHANGED} "
            "Save a copy if you can, then restore the file from a backup (File ▸ "
            "Restore from backup)."
        )
    return DatabaseWriteError(
        f"Cannot write to {path}: the file or its folder cannot be opened (moved, deleted or no permission). "
        f"{NOTHING_CHANGED}"
    )


def translate_read(exc: BaseException, path: Path | str) -> DatabaseError | None:
    """Like :func:`translate`, for a failure while *reading* (``Database.read_session``)."""
    kind = classify(exc)
    if kind is None:
        return None
    path = Path(path)
    why = {
        "busy": "another program is holding it locked. Try again in a moment.",
        "io": "the disk reported an error (removed drive or network folder gone?). Check the drive.",
        "full": "the disk is full. Free some space on that drive.",
        "readonly": "its folder cannot be written, and SQLite needs that even to read a database in WAL mode. "
                    "Copy the file to a folder you can write to.",
        "damaged": "SQLite found the file damaged. Restore it from a backup.",
    }.get(kind, "the file or its folder cannot be opened (moved, deleted or no permission).")
    return DatabaseReadError(f"Cannot read {path}: {why}")
