"""Opening, checking and migrating an ATO Desktop database file.

A database is one SQLite file (extension ``.atodb``) in WAL mode with foreign
keys on, a busy timeout and ``synchronous=FULL``: every committed user action
survives a crash of the app *and* a power loss (a laptop whose battery dies),
at the cost of one fsync per transaction, which is negligible for interactive
edits.

Opening is careful: the file is first inspected read-only (header, integrity,
schema revision); only a file that is an ATO database (or a new/empty file) is
opened for writing and upgraded to the current schema, after a backup.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from contextlib import contextmanager

import platformdirs
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ato_desktop import APP_ID, APP_NAME

DB_SUFFIX = ".atodb"
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
SYNCHRONOUS = "FULL"
APPLICATION_ID = 0x41544F44  # "ATOD" in the SQLite header: marks the file as ours
# The newest Alembic revision (a test keeps it equal to migrations/' head): a file already there opens
# without importing Alembic at all (a quarter of a second of CPU).
HEAD_REVISION = "0004_substitutions"
ATO_CORE_TABLES = frozenset({"faculty", "room", "student_group", "course", "timetable", "session_assignment"})
WRITE_OPTION = "ato_write"  # execution option: this transaction will write (BEGIN IMMEDIATE)


class DatabaseError(Exception):
    """A database cannot be opened or used; the message says what and where."""


class NotADatabaseError(DatabaseError):
    pass


class SchemaTooNewError(DatabaseError):
    pass


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return default_data_dir() / f"department{DB_SUFFIX}"


def _set_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - exercised by every open
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    cur.close()


def _begin_immediate_support(engine: Engine) -> None:
    """Let SQLAlchemy (not pysqlite) control transactions, so BEGIN is emitted properly."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, record):
        dbapi_conn.isolation_level = None
        _set_pragmas(dbapi_conn, record)

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Write sessions take the write lock up front (waiting up to the busy
        # timeout) instead of failing half-way when another process writes.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


@dataclass
class InspectResult:
    exists: bool
    empty: bool  # no tables at all (new database)
    revision: str | None
    is_ato: bool


def inspect_file(path: Path) -> InspectResult:
    """Look at a file without modifying it: is it a usable ATO database?

    Raises :class:`NotADatabaseError` for non-SQLite or corrupt files and for
    SQLite files of another application.
    """
    path = Path(path)
    if not path.exists():
        return InspectResult(False, True, None, False)
    if path.is_dir():
        raise NotADatabaseError(f"{path} is a folder, not a database file.")
    size = path.stat().st_size
    if size == 0:
        return InspectResult(True, True, None, False)
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise DatabaseError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if header != SQLITE_HEADER:
        raise NotADatabaseError(
            f"{path} is not an ATO Desktop database (it is not an SQLite file). "
            "Choose a file with the .atodb extension, or create a new department."
        )
    uri = f"{path.resolve().as_uri()}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        # Nothing to recover: read the file as immutable, so that inspecting
        # (and refusing) a file does not even create -wal/-shm beside it.
        uri += "&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise NotADatabaseError(f"{path} cannot be opened: {exc}.") from exc
    try:
        check = con.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise NotADatabaseError(f"{path} is damaged (SQLite integrity check: {check}). Restore it from a backup.")
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        app_id = int(con.execute("PRAGMA application_id").fetchone()[0])
        revision = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise NotADatabaseError(f"{path} is damaged or not a database ({exc}). Restore it from a backup.") from exc
    finally:
        con.close()
    user_tables = {t for t in tables if not t.startswith("sqlite_")}
    if not user_tables:
        return InspectResult(True, True, None, False)
    other_app = NotADatabaseError(
        f"{path} is an SQLite database of another application, not an ATO Desktop database."
    )
    if "alembic_version" not in user_tables or app_id not in (0, APPLICATION_ID):
        raise other_app
    if app_id == 0 and len(ATO_CORE_TABLES & user_tables) < 3:
        raise other_app  # another Alembic-managed application's file
    return InspectResult(True, False, revision, True)


class Database:
    """An open database: an engine and a session factory.

    Use :meth:`session` for a unit of work (one transaction, committed on
    success and rolled back on error).
    """

    def __init__(self, path: Path, engine: Engine, readonly: bool = False):
        self.path = Path(path)
        self.engine = engine
        self.readonly = readonly
        self._factory = sessionmaker(bind=engine, expire_on_commit=False)
        write_bind = engine if readonly else engine.execution_options(**{WRITE_OPTION: True})
        self._write_factory = sessionmaker(bind=write_bind, expire_on_commit=False)
        self.lock = None  # an InstanceLock (storage.instance) released by close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One write transaction; storage failures become clear ``DatabaseError`` subclasses."""
        with self._write_factory() as s:
            try:
                yield s
                if self.readonly:
                    s.rollback()
                else:
                    s.commit()
            except BaseException as exc:
                try:
                    s.rollback()
                except Exception:  # the connection may be unusable (disk gone); the transaction is void anyway
                    pass
                from ato_desktop.storage.errors import translate

                nice = translate(exc, self.path)
                if nice is not None:
                    raise nice from exc
                raise

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading; storage failures become a clear ``DatabaseReadError``."""
        with self._factory() as s:
            try:
                yield s
            except Exception as exc:
                from ato_desktop.storage.errors import translate_read

                nice = translate_read(exc, self.path)
                if nice is not None:
                    raise nice from exc
                raise

    def pragma(self, name: str) -> str:
        with self.engine.connect() as c:
            return str(c.exec_driver_sql(f"PRAGMA {name}").scalar())

    def revision(self) -> str | None:
        from ato_desktop.storage.migrate import current_revision

        return current_revision(self.engine)

    def close(self) -> None:
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def make_engine(path: Path, readonly: bool = False) -> Engine:
    path = Path(path)
    if readonly:
        url = f"sqlite:///file:{path.resolve().as_posix()}?mode=ro&uri=true"
    else:
        url = f"sqlite:///{path.resolve().as_posix()}"
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )
    _begin_immediate_support(engine)
    return engine


def open_database(path: str | Path, *, create: bool = True, upgrade: bool = True, backup: bool = True) -> Database:
    """Open (and if needed create and upgrade) the database at ``path``.

    Errors are :class:`DatabaseError` subclasses with a message for the user;
    on error the file is left untouched.
    """
    path = Path(path).expanduser()
    info = inspect_file(path)
    if not info.exists and not create:
        raise DatabaseError(f"{path} does not exist.")
    current = info.exists and info.revision == HEAD_REVISION  # nothing to migrate: Alembic is not needed
    if not current:
        from ato_desktop.storage import migrate

        if info.revision is not None and not migrate.is_known_revision(info.revision):
            raise SchemaTooNewError(
                f"{path} was saved by a newer version of {APP_NAME} (schema {info.revision}). "
                "Update the app to open it; the file was not changed."
            )
    if not info.exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"Cannot create the folder {path.parent}: {exc.strerror or exc}.") from exc
    if not current and info.exists and not info.empty and upgrade and backup and not migrate.is_head(info.revision):
        from ato_desktop.storage.backup import backup_before

        backup_before(path, reason="migration")
    engine = make_engine(path)
    try:
        with engine.connect() as c:
            mode = c.exec_driver_sql("PRAGMA journal_mode").scalar()
        if str(mode).lower() != "wal":
            raise DatabaseError(f"{path}: cannot switch to WAL journal mode (got {mode}).")
        if upgrade:
            if not current:
                migrate.upgrade_to_head(engine)
            with engine.connect() as c:
                marked = int(c.exec_driver_sql("PRAGMA application_id").scalar() or 0) == APPLICATION_ID
            if not marked:
                with engine.begin() as c:
                    c.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    except DatabaseError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        raise DatabaseError(f"Cannot open {path}: {exc}") from exc
    return Database(path, engine)


def open_readonly(path: str | Path) -> Database:
    """Open an existing database without the right to change it (second instance, inspection)."""
    path = Path(path)
    info = inspect_file(path)
    if not info.exists or info.empty:
        raise DatabaseError(f"{path} does not exist or is empty.")
    from ato_desktop.storage import migrate

    if info.revision is not None and not migrate.is_known_revision(info.revision):
        raise SchemaTooNewError(
            f"{path} was saved by a newer version of {APP_NAME} (schema {info.revision}). "
            "Update the app to open it; the file was not changed."
        )
    return Database(path, make_engine(path, readonly=True), readonly=True)
