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

import os
import sqlite3
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from contextlib import contextmanager

import platformdirs
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ato_desktop import APP_ID, APP_NAME
from ato_desktop.storage import open_files
from ato_desktop.storage.transactions import read_transaction, write_transaction

DB_SUFFIX = ".atodb"
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_ENV = "ATO_BUSY_TIMEOUT_MS"  # tests shorten the wait for a busy database (default 5 s)


def _busy_timeout_ms(default: int = 5000) -> int:
    try:
        return max(0, int(os.environ.get(BUSY_TIMEOUT_ENV, default)))
    except ValueError:
        return default


BUSY_TIMEOUT_MS = _busy_timeout_ms()
SYNCHRONOUS = "FULL"
APPLICATION_ID = 0x41544F44  # "ATOD" in the SQLite header: marks the file as ours
# The newest Alembic revision (a test keeps it equal to migrations/' head): a file already there opens
# without importing Alembic at all (a quarter of a second of CPU).
HEAD_REVISION = "0009_activity_students"
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


class ReadOnlyLocationError(DatabaseError):
    """The database can be read here but not written (read-only file or folder); ``reason`` says which."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


# ---- refusals made before the file is opened at all (by stat and access only) -----------------------
def refuse_unusable_file(path: Path) -> None:
    """Refuse what cannot be an ATO Desktop database without opening it: a folder, a pipe, a device or
    a socket (opening a FIFO would wait forever), and an empty (0-byte) file, which SQLite would
    silently turn into a new, empty database. A missing file passes (the caller decides)."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise DatabaseError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if stat.S_ISDIR(st.st_mode):
        raise NotADatabaseError(f"{path} is a folder, not a database file.")
    if not stat.S_ISREG(st.st_mode):
        raise NotADatabaseError(f"{path} is not a regular file (a pipe, a device or a socket): "
                                "it is not an ATO Desktop database.")
    if st.st_size == 0:
        raise NotADatabaseError(f"{path} is empty (0 bytes): it is not an ATO Desktop database. "
                                "Choose another file, or create a new department.")


def read_only_reason(path: Path) -> str | None:
    """Why the existing database ``path`` cannot be written here (its folder or the file itself is
    read-only: SQLite in WAL mode must create ``-wal``/``-shm`` beside it), or ``None``."""
    path = Path(path)
    folder = path.parent
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} cannot be written"
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path} cannot be written"
    return None


def refuse_missing_tables(engine: Engine, path: Path) -> None:
    """Refuse a database at the current schema that lacks one of the app's tables (read through SQLite)."""
    from ato_desktop.storage.models import Base

    with engine.connect() as c:
        present = {r[0] for r in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = sorted(t for t in Base.metadata.tables if t not in present)
    if missing:
        raise NotADatabaseError(
            f"{path} is damaged: the table{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'are' if len(missing) > 1 else 'is'} missing. Restore it from a backup.")


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
    # Reading the file's bytes directly (or through an immutable, i.e. lock-less, connection) in a
    # process that has it open through SQLite would drop that process's locks on it when the
    # descriptor closes (storage/open_files.py): another process could then delete the live -wal.
    # A file held open here is inspected through SQLite's normal, locking VFS only.
    with open_files.guard():
        if open_files.is_held(path):
            con = _connect_for_inspection(path, f"{path.resolve().as_uri()}?mode=ro")
        else:
            con = _connect_unheld(path)
        return _inspect_connection(path, con)


def _connect_for_inspection(path: Path, uri: str) -> sqlite3.Connection:
    try:
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        raise NotADatabaseError(f"{path} cannot be opened: {_error_text(exc)}.") from exc


def _connect_unheld(path: Path) -> sqlite3.Connection:
    """A read-only connection to a file no connection of this process has open (called under the guard)."""
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
    return _connect_for_inspection(path, uri)


def _error_text(exc: BaseException) -> str:
    """SQLite's message, even when it quotes undecodable bytes of a damaged file (no UnicodeDecodeError)."""
    if isinstance(exc, UnicodeDecodeError):
        return "it holds text that is not valid UTF-8: " + undecodable_excerpt(exc)
    return one_line(str(exc))


def one_line(text: str, limit: int = 200) -> str:
    """SQLite's messages may quote a whole damaged CREATE statement: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def undecodable_excerpt(exc: UnicodeDecodeError) -> str:
    """A short, one-line excerpt around the bytes that are not UTF-8 (which are shown as \ufffd)."""
    data = bytes(exc.object)
    part = data[max(0, exc.start - 24):exc.end + 24].decode("utf-8", "replace")
    return repr(" ".join(part.split()))


def _inspect_connection(path: Path, con: sqlite3.Connection) -> InspectResult:
    try:
        check = con.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            check = one_line(str(check))
            raise NotADatabaseError(f"{path} is damaged (SQLite integrity check: {check}). Restore it from a backup.")
        con.text_factory = bytes  # the schema's text, decoded strictly: a damaged byte there is damage
        schema = [(bytes(kind).decode(), bytes(name).decode(), bytes(sql or b"").decode())
                  for kind, name, sql in con.execute("SELECT type, name, sql FROM sqlite_master")]
        con.text_factory = str
        tables = {name for kind, name, _ in schema if kind == "table"}
        app_id = int(con.execute("PRAGMA application_id").fetchone()[0])
        revision = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        raise NotADatabaseError(
            f"{path} is damaged or not a database ({_error_text(exc)}). Restore it from a backup.") from exc
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
    success and rolled back on error). A campus database on PostgreSQL is a
    :class:`~ato_desktop.storage.campus.CampusDatabase` (``is_campus``).
    """

    is_campus = False

    def __init__(self, path: Path, engine: Engine, readonly: bool = False, hold: "open_files.Hold | None" = None):
        self.path = Path(path)
        self.engine = engine
        self.readonly = readonly
        self._factory = sessionmaker(bind=engine, expire_on_commit=False)
        write_bind = engine if readonly else engine.execution_options(**{WRITE_OPTION: True})
        self._write_factory = sessionmaker(bind=write_bind, expire_on_commit=False)
        self.lock = None  # an InstanceLock (storage.instance) released by close()
        # This process has the file open through SQLite: nothing here may open it any other way.
        self._hold = hold if hold is not None else open_files.hold(self.path)
        self._sentinel = None  # a connection kept open from attach() to close() (see attach)
        self._sentinel_lock = threading.Lock()
        self._identity: tuple | None = None  # (db file, -wal) (st_dev, st_ino) seen by attach()
        self.detached: str = ""  # why writing stopped ("" while attached)
        self._detach_listeners: list = []

    # ---- staying attached to the file ------------------------------------------------------
    @property
    def wal_path(self) -> Path:
        return self.path.with_name(self.path.name + "-wal")

    def attach(self) -> None:
        """Keep one connection open until :meth:`close` and remember which files it uses.

        While this connection is open, SQLite never deletes or replaces the ``-wal`` on its own (only
        the last connection to close does). So if the ``-wal`` (or the database file) disappears or
        changes identity while we are open, another program removed it: the locks that should have
        prevented that were lost (see storage/open_files.py). Writing on would commit into a deleted
        file; :meth:`check_attached` refuses then, and :meth:`save_copy` can still copy what this
        connection sees. Called by :func:`open_database`; a read-only Database does not need it.
        """
        if self.readonly or self._sentinel is not None:
            return
        self._sentinel = self.engine.raw_connection()
        self._sentinel.driver_connection.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the -wal
        self._hold.refresh()
        try:
            main, wal = os.stat(self.path), os.stat(self.wal_path)
        except OSError:
            return  # no -wal to watch (not in WAL mode): nothing to compare with
        self._identity = ((main.st_dev, main.st_ino), (wal.st_dev, wal.st_ino))
        self._hold.checker = self.still_attached

    def _identity_problem(self) -> str:
        if self._identity is None:
            return ""
        (main_id, wal_id) = self._identity
        try:
            st = os.stat(self.path)
        except OSError:
            return f"the file {self.path.name} was deleted or moved"
        if (st.st_dev, st.st_ino) != main_id:
            return f"the file {self.path.name} was replaced"
        try:
            st = os.stat(self.wal_path)
        except OSError:
            return f"its journal {self.wal_path.name} was deleted"
        if (st.st_dev, st.st_ino) != wal_id:
            return f"its journal {self.wal_path.name} was replaced"
        return ""

    def still_attached(self) -> bool:
        """False once writing had to stop (found now, or earlier by this or another Database of this process)."""
        if not self.detached and not self.readonly:
            why = self._identity_problem() or self._hold.detached_reason()
            if why:
                self.mark_detached(why)
        return not self.detached

    def check_attached(self) -> None:
        """Raise :class:`~ato_desktop.storage.errors.DatabaseDetachedError` if writing must stop."""
        if not self.still_attached():
            from ato_desktop.storage.errors import detached_error

            raise detached_error(self.path, self.detached)

    def mark_detached(self, why: str) -> None:
        """Stop writing for good (this Database refuses every write from now on) and tell the listeners.

        Every other Database of this process on the same file stops too (they share SQLite's view of
        the -wal and -shm), and :func:`open_database` refuses the file until they are all closed."""
        if self.detached or self.readonly:
            return
        self.detached = why or "the file was changed by another program"
        self._hold.mark_detached(self.detached)
        for fn in list(self._detach_listeners):
            try:
                fn(self)
            except Exception:  # a listener's failure must not hide the refusal
                pass

    def on_detached(self, fn) -> None:
        """Call ``fn(db)`` (from whatever thread detected it) when writing stops."""
        self._detach_listeners.append(fn)

    def save_copy(self, dest: Path) -> Path:
        """Copy what this Database sees into ``dest`` with SQLite's backup API, through the connection
        kept open since :meth:`attach` (a new connection could not see a deleted ``-wal``)."""
        from ato_desktop.storage.backup import backup_from_connection

        with self._sentinel_lock:
            if self._sentinel is None:
                from ato_desktop.storage.backup import backup_database

                return backup_database(self.path, dest)
            return backup_from_connection(self._sentinel.driver_connection, self.path, dest)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One write transaction; storage failures become clear ``DatabaseError`` subclasses."""
        from ato_desktop.storage.errors import classify, translate

        def lost(exc: BaseException) -> None:
            if classify(exc) == "io" and not self.readonly:
                # after a lost lock SQLite's view of the -wal and -shm no longer match
                self.mark_detached("SQLite reported a disk I/O error")

        # check_attached: the -wal went away before or during the transaction: do not commit into it;
        # or just after the commit (then this commit may be lost: say so)
        with write_transaction(self._write_factory, readonly=self.readonly,
                               translate=lambda exc: translate(exc, self.path),
                               check=self.check_attached, on_failure=lost) as s:
            yield s

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading; storage failures become a clear ``DatabaseReadError``."""
        from ato_desktop.storage.errors import translate_read

        with read_transaction(self._factory, translate=lambda exc: translate_read(exc, self.path)) as s:
            yield s

    def pragma(self, name: str) -> str:
        with self.engine.connect() as c:
            return str(c.exec_driver_sql(f"PRAGMA {name}").scalar())

    def revision(self) -> str | None:
        from ato_desktop.storage.migrate import current_revision

        return current_revision(self.engine)

    def close(self) -> None:
        with self._sentinel_lock:
            sentinel, self._sentinel = self._sentinel, None
        if sentinel is not None:
            try:
                sentinel.close()
            except Exception:
                pass
        self.engine.dispose()
        self._hold.release()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def make_engine(path: Path, readonly: bool = False, immutable: bool = False) -> Engine:
    path = Path(path)
    if readonly:
        # immutable: a file in a folder that cannot be written, with no -wal to recover (SQLite could
        # not create the -shm it needs for WAL otherwise; nothing else can be writing it then).
        url = f"sqlite:///file:{path.resolve().as_posix()}?mode=ro{'&immutable=1' if immutable else ''}&uri=true"
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
    on error the file is left untouched. ``path`` may also be a campus database's URL
    (``postgresql://user@host:port/campus``): see :mod:`ato_desktop.storage.campus`.
    """
    if isinstance(path, str) and path.strip().lower().startswith(("postgresql://", "postgres://",
                                                                   "postgresql+psycopg://")):
        from ato_desktop.storage.campus import open_campus

        return open_campus(path, upgrade=upgrade, create=create)
    path = Path(path).expanduser()
    # A Database of this process on this file may have lost it (its -wal deleted by another program):
    # a new connection would share SQLite's stale view of it. Find out now, and refuse then.
    open_files.check_holders(path)
    why = open_files.detached_reason(path)
    if why:
        from ato_desktop.storage.errors import detached_error

        raise detached_error(path, why)
    refuse_unusable_file(path)
    if path.exists() and (why := read_only_reason(path)):
        raise ReadOnlyLocationError(f"{path} can only be opened read-only here: {why}. Nothing was changed.",
                                    why)
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
    hold = open_files.hold(path)  # before the first connection: from now on no direct reads of this file here
    engine = make_engine(path)
    db = None
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
        if upgrade or current:
            refuse_missing_tables(engine, path)
        db = Database(path, engine, hold=hold)
        db.attach()
    except Exception as exc:
        if db is not None:
            db.close()
        else:
            engine.dispose()
            hold.release()
        if isinstance(exc, DatabaseError):
            raise
        raise DatabaseError(f"Cannot open {path}: {_error_text(exc)}") from exc
    return db


def open_readonly(path: str | Path) -> Database:
    """Open an existing database without the right to change it (second instance, inspection)."""
    path = Path(path)
    refuse_unusable_file(path)
    info = inspect_file(path)
    if not info.exists or info.empty:
        raise DatabaseError(f"{path} does not exist or is empty.")
    from ato_desktop.storage import migrate

    if info.revision is not None and not migrate.is_known_revision(info.revision):
        raise SchemaTooNewError(
            f"{path} was saved by a newer version of {APP_NAME} (schema {info.revision}). "
            "Update the app to open it; the file was not changed."
        )
    wal = path.with_name(path.name + "-wal").exists()
    # immutable (no locks, no -wal/-shm made) only for a file this process does not hold: SQLite's no-lock
    # close would drop the locks of this process's other connections to it (docs/data-safety.md)
    held = open_files.is_held(path)
    if info.revision == HEAD_REVISION:
        # checked on a connection of its own, immutable when there is no -wal: a refused file gets no
        # -wal/-shm beside it (a read-only connection cannot remove the ones it makes)
        probe = make_engine(path, readonly=True, immutable=not wal and not held)
        try:
            refuse_missing_tables(probe, path)
        except DatabaseError:
            raise
        except Exception as exc:
            from ato_desktop.storage.errors import translate_read

            raise (translate_read(exc, path) or DatabaseError(f"Cannot open {path}: {_error_text(exc)}")) from exc
        finally:
            probe.dispose()
    folder_read_only = not os.access(path.parent, os.W_OK)
    hold = open_files.hold(path)
    engine = make_engine(path, readonly=True, immutable=folder_read_only and not wal and not held)
    return Database(path, engine, readonly=True, hold=hold)
