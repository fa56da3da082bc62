"""A campus database on PostgreSQL: opening it by URL, its password, and its failures in plain words.

``--db postgresql://user@host:port/campus?sslmode=require`` opens a campus database instead of a
``.atodb`` file. The same models and Alembic migrations run on it (``migrations/``). The password is
never stored in settings: a URL without one uses libpq's own ``~/.pgpass`` (or ``PGPASSFILE``), and
else the OS keychain (``keyring``, service :data:`KEYRING_SERVICE`, user name ``user@host``).

A :class:`CampusDatabase` has the same ``session()`` / ``read_session()`` interface as a file's
:class:`~ato_desktop.storage.database.Database`; what is about the file (its ``-wal``, SQLite's
backup API, the instance lock) does not apply. Every failure to connect or to write becomes one
:class:`~ato_desktop.storage.database.DatabaseError` sentence naming the server and the database.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from ato_desktop import APP_NAME
from ato_desktop.storage.database import (
    HEAD_REVISION,
    WRITE_OPTION,
    Database,
    DatabaseError,
    NotADatabaseError,
    SchemaTooNewError,
    one_line,
)
from ato_desktop.storage.transactions import read_transaction, write_transaction

KEYRING_SERVICE = "ato-desktop-campus"
URL_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
CONNECT_TIMEOUT_S = 10


class CampusConnectionError(DatabaseError):
    """The campus database server cannot be reached, or refused the login."""


def is_database_url(value: str | Path | None) -> bool:
    """True for a campus database URL (``postgresql://…``), False for a file path."""
    return isinstance(value, str) and value.strip().lower().startswith(URL_SCHEMES)


def parse_url(url: str) -> URL:
    """The SQLAlchemy URL (driver psycopg 3) of a ``postgresql://`` URL; a malformed one is refused."""
    raw = url.strip()
    try:
        u = make_url(raw)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError: the message quotes the URL
        raise DatabaseError(f"{safe_location(raw)} is not a valid database URL "
                            "(expected postgresql://user@host:port/database).") from exc
    if u.get_backend_name() != "postgresql":
        raise DatabaseError(f"{safe_location(raw)} is not a PostgreSQL URL (expected postgresql://…).")
    if not u.database:
        raise DatabaseError(f"{safe_location(raw)} names no database (expected postgresql://user@host:port/database).")
    return u.set(drivername="postgresql+psycopg")


def safe_location(url: str | URL) -> str:
    """The URL as shown to the user: never with its password."""
    if isinstance(url, URL):
        u = url
    else:
        try:
            u = make_url(str(url).strip())
        except Exception:
            text_ = str(url)
            if "@" in text_ and "://" in text_:  # user:password@ of a malformed URL
                scheme, rest = text_.split("://", 1)
                return f"{scheme}://{rest.split('@', 1)[0].split(':', 1)[0]}@{rest.split('@', 1)[1]}"
            return text_
    shown = URL.create("postgresql", username=u.username, host=u.host, port=u.port, database=u.database,
                       query=u.query)
    return shown.render_as_string(hide_password=True)


def keyring_user(u: URL) -> str:
    host = u.host or u.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    return f"{u.username or ''}@{host}"


def password_from_keyring(u: URL) -> str | None:
    """The password kept in the OS keychain for this user and host, or None (no keychain, no entry)."""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, keyring_user(u))
    except Exception:  # no keychain backend on this machine: libpq's ~/.pgpass still applies
        return None


def store_password(url: str, password: str) -> None:
    """Keep ``password`` in the OS keychain for the URL's user and host (never in settings)."""
    import keyring

    keyring.set_password(KEYRING_SERVICE, keyring_user(parse_url(url)), password)


def make_campus_engine(url: str) -> Engine:
    u = parse_url(url)
    if u.password is None:
        secret = password_from_keyring(u)
        if secret:
            u = u.set(password=secret)
        # else: libpq reads ~/.pgpass (or PGPASSFILE) itself
    return create_engine(
        u,
        pool_pre_ping=True,  # a server that went away and came back: the next session reconnects
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "ato-desktop"},
    )


# ---- failures in plain words -----------------------------------------------------------------------
def _pg_error(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        orig = getattr(exc, "orig", None)
        for e in (orig, exc):
            if e is not None and type(e).__module__.startswith("psycopg"):
                return e
        exc = exc.__cause__ or exc.__context__
    return None


def connection_error(exc: BaseException, location: str) -> DatabaseError | None:
    """One sentence for a failure to connect to or log in at the campus server, or None."""
    why = connection_problem(exc)
    if why is None:
        return None
    return CampusConnectionError(f"Cannot connect to the campus database {location}: {why}. Nothing was changed.")


def connection_problem(exc: BaseException) -> str | None:
    """What went wrong with the connection to the campus server, in words, or None."""
    err = _pg_error(exc)
    if err is None:
        return None
    import psycopg

    if not isinstance(err, psycopg.OperationalError):
        return None
    msg = one_line(str(err), 400)
    low = msg.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        why = ("the server refused the password (check the password in the OS keychain or in ~/.pgpass)"
               if "failed" in low else
               "the server asks for a password and none was found (put it in ~/.pgpass or the OS keychain)")
    elif "does not exist" in low and "database" in low:
        why = "that database does not exist on the server (ask the administrator to create it)"
    elif "role" in low and "does not exist" in low:
        why = "the server has no such user"
    elif "could not translate host name" in low or "name or service not known" in low:
        why = "the server's host name is unknown"
    elif "connection refused" in low or "no such file or directory" in low:
        why = "the server is not running there or refuses connections (check the host and port)"
    elif "timeout" in low or "timed out" in low:
        why = "the server did not answer in time"
    elif "ssl" in low:
        why = f"the TLS connection failed ({msg})"
    elif "pg_hba.conf" in low:
        why = "the server does not accept logins from this computer or user (pg_hba.conf)"
    elif "terminating connection" in low or "server closed the connection" in low or "consuming input failed" in low:
        why = "the server closed the connection (it was restarted or went away); try again"
    else:
        why = msg
    return why


def translate(exc: BaseException, location: str) -> DatabaseError | None:
    nice = connection_error(exc, location)
    if nice is not None:
        return nice
    from sqlalchemy.orm.exc import StaleDataError

    if isinstance(exc, StaleDataError):  # row-level security hid the row (or it was deleted meanwhile)
        return DatabaseError(f"The campus database {location} refused this change: the row belongs to another "
                             "department, or was removed meanwhile. Nothing was changed.")
    err = _pg_error(exc)
    if err is None:
        return None
    import psycopg

    if isinstance(err, psycopg.errors.InsufficientPrivilege):
        return DatabaseError(f"The campus database {location} refused this change: {one_line(str(err))}. "
                             "Nothing was changed.")
    if isinstance(err, (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected,
                        psycopg.errors.LockNotAvailable)):
        return DatabaseError(f"The campus database {location} is busy with another coordinator's change. "
                             "Nothing was changed: try again in a moment.")
    return None


# ---- the database -----------------------------------------------------------------------------------
class CampusDatabase(Database):
    """A campus database on a PostgreSQL server (same sessions as a file's Database)."""

    is_campus = True

    def __init__(self, url: str, engine: Engine, readonly: bool = False):  # noqa: D107 - no file to hold
        self.url = url
        self.location = safe_location(url)
        self.path = Path(self.location)  # only ever shown; nothing here reads a file
        self.engine = engine
        self.readonly = readonly
        self._factory = sessionmaker(bind=engine, expire_on_commit=False)
        write_bind = engine if readonly else engine.execution_options(**{WRITE_OPTION: True})
        self._write_factory = sessionmaker(bind=write_bind, expire_on_commit=False)
        self.lock = None
        self._hold = None
        self._sentinel = None
        self._sentinel_lock = threading.Lock()
        self._identity = None
        self.detached = ""
        self._detach_listeners = []

    def __repr__(self) -> str:
        return f"CampusDatabase({self.location!r})"

    def attach(self) -> None:
        return None

    def still_attached(self) -> bool:
        return True

    def check_attached(self) -> None:
        return None

    def mark_detached(self, why: str) -> None:
        return None

    def save_copy(self, dest: Path) -> Path:
        raise DatabaseError(f"{self.location} is a campus database on a server: back it up with "
                            "'ato-desktop campus backup' (pg_dump), not as a file copy.")

    @contextmanager
    def session(self) -> Iterator[Session]:
        with write_transaction(self._write_factory, readonly=self.readonly,
                               translate=lambda exc: translate(exc, self.location)) as s:
            yield s

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with read_transaction(self._factory, translate=lambda exc: translate(exc, self.location)) as s:
            yield s

    # What a file's PRAGMAs report, for the same questions asked of a campus database (``info``)
    PRAGMA_ANSWERS = {"journal_mode": "postgresql", "foreign_keys": "1", "synchronous": "server"}

    def pragma(self, name: str) -> str:
        if name in self.PRAGMA_ANSWERS:
            return self.PRAGMA_ANSWERS[name]
        raise DatabaseError(f"{self.location} is a PostgreSQL database: it has no SQLite PRAGMA {name}.")

    def close(self) -> None:
        self.engine.dispose()


def _revision(engine: Engine) -> tuple[set[str], str | None]:
    with engine.connect() as c:
        tables = set(inspect(c).get_table_names())
        rev = None
        if "alembic_version" in tables:
            rev = c.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return tables, rev


def open_campus(url: str, *, upgrade: bool = True, create: bool = True) -> CampusDatabase:
    """Open the campus database at ``url``; an empty one gets the schema (``create``), an older one is
    upgraded (``upgrade``). Errors are one-sentence :class:`DatabaseError` s; nothing is half-written
    (PostgreSQL runs each migration's DDL in one transaction)."""
    u = parse_url(url)
    location = safe_location(u)
    engine = make_campus_engine(url)
    try:
        try:
            tables, rev = _revision(engine)
        except Exception as exc:
            nice = translate(exc, location)
            if nice is not None:
                raise nice from exc
            raise DatabaseError(f"Cannot open the campus database {location}: {one_line(str(exc))}") from exc
        from ato_desktop.storage import migrate
        from ato_desktop.storage.models import Base

        user_tables = tables - {"alembic_version"}
        if rev is None and user_tables:
            raise NotADatabaseError(f"{location} holds tables of another application, not an {APP_NAME} "
                                    "campus database. Nothing was changed.")
        if rev is None and not create:
            raise DatabaseError(f"{location} is empty: run 'ato-desktop campus init --db URL' first.")
        if rev is not None and rev != HEAD_REVISION and not migrate.is_known_revision(rev):
            raise SchemaTooNewError(
                f"The campus database {location} was set up by a newer version of {APP_NAME} (schema {rev}). "
                "Update the app on this computer to use it; nothing was changed.")
        if rev != HEAD_REVISION:
            if not upgrade:
                raise DatabaseError(f"The campus database {location} has an older schema ({rev or 'none'}): "
                                    "run 'ato-desktop campus init --db URL' to upgrade it.")
            try:
                migrate.upgrade_to_head(engine)
            except DatabaseError:
                raise
            except Exception as exc:
                nice = translate(exc, location)
                if nice is not None:
                    raise nice from exc
                raise DatabaseError(f"Cannot set up the campus database {location}: {one_line(str(exc))}. "
                                    "Nothing was changed.") from exc
            tables, rev = _revision(engine)
        missing = sorted(t for t in Base.metadata.tables if t not in tables)
        if missing:
            raise NotADatabaseError(f"The campus database {location} is damaged: the table"
                                    f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                                    f"{'are' if len(missing) > 1 else 'is'} missing.")
    except BaseException:
        engine.dispose()
        raise
    return CampusDatabase(url, engine)


# ---- live view of other departments' commits (PostgreSQL LISTEN/NOTIFY) -----------------------------
NOTIFY_CHANNEL = "ato_campus"


def notify(session, payload: dict) -> None:
    """Tell every listening client about a change, when ``session``'s transaction commits (not before;
    not at all if it rolls back): PostgreSQL delivers NOTIFY at commit."""
    import json

    session.execute(text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": NOTIFY_CHANNEL, "payload": json.dumps(payload, sort_keys=True)})


class CommitListener:
    """A background thread that LISTENs on the campus database and calls ``on_change(payload)`` for each
    commit of any client (from that thread: a UI hands it to its own thread). A lost connection is
    retried every ``retry_s`` seconds; ``on_error(sentence)`` hears about it once per outage and
    ``on_error("")`` when it is back. :meth:`stop` ends the thread."""

    def __init__(self, url: str, on_change, on_error=None, retry_s: float = 2.0):
        self.url = url
        self.on_change = on_change
        self.on_error = on_error or (lambda _msg: None)
        self.retry_s = retry_s
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="campus-listener", daemon=True)

    def start(self) -> "CommitListener":
        self._thread.start()
        return self

    def wait_listening(self, timeout: float) -> bool:
        return self._listening.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _connect(self):
        import psycopg

        engine = make_campus_engine(self.url)  # the same URL, password source and timeouts
        try:
            u = engine.url
            params = dict(host=u.host or None, port=u.port or None, dbname=u.database, user=u.username or None,
                          password=u.password or None, connect_timeout=CONNECT_TIMEOUT_S)
            for k, v in u.query.items():
                params[k] = v[0] if isinstance(v, tuple) else v
            return psycopg.connect(autocommit=True, **{k: v for k, v in params.items() if v is not None})
        finally:
            engine.dispose()

    def _run(self) -> None:
        import json

        location = safe_location(self.url)
        down = False
        while not self._stop.is_set():
            try:
                with self._connect() as con:
                    con.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    if down:
                        self.on_error("")
                        down = False
                    self._listening.set()
                    while not self._stop.is_set():
                        for n in con.notifies(timeout=0.5):
                            try:
                                payload = json.loads(n.payload)
                            except ValueError:
                                payload = {"event": "unknown", "raw": n.payload}
                            self.on_change(payload)
            except Exception as exc:  # the server went away: say so once, retry
                self._listening.clear()
                if not down:
                    why = connection_problem(exc) or one_line(str(exc))
                    self.on_error(f"The live view of other departments' commits on {location} stopped: {why}. "
                                  "Reconnecting…")
                    down = True
                self._stop.wait(self.retry_s)
