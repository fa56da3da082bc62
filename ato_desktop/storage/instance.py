"""One editing instance per database file; others may open it read-only.

Decision (see docs/data-safety.md): a second ATO Desktop window or instance
that opens a database already open for editing is told who has it open and is
offered read-only access. Underneath, every write transaction starts with
``BEGIN IMMEDIATE`` under a busy timeout, so any other writer (the CLI, a
script) is serialized safely and a database busy for too long gives a clear
"busy, try again" error instead of a half-done action.

The lock is an OS lock on a small file beside the database
(``<name>.atodb.lock``): the OS releases it when the process ends, even by a
crash or a kill, so a stale lock never blocks the user. The file also holds
who owns it (host, user, process id, since when) for the message.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from ato_desktop import APP_NAME
from ato_desktop.storage.database import Database, DatabaseError, open_database

_WIN = os.name == "nt"
_WIN_LOCK_OFFSET = 1 << 20  # Windows locks are mandatory: lock a byte far from the owner text


class DatabaseInUseError(DatabaseError):
    """The database is open for editing elsewhere; ``owner`` says by whom (may be ``None``)."""

    def __init__(self, path: Path, owner: "LockOwner | None"):
        self.path = Path(path)
        self.owner = owner
        who = owner.describe() if owner else "another ATO Desktop window or program"
        super().__init__(
            f"{self.path.name} is already open for editing by {who}. "
            "You can open it read-only to look at it and print, or close it there first."
        )


@dataclass(frozen=True)
class LockOwner:
    host: str
    user: str
    pid: int
    since: str  # ISO local time

    def describe(self) -> str:
        try:
            when = dt.datetime.fromisoformat(self.since).strftime("%d %b %Y %H:%M")
        except ValueError:
            when = self.since
        here = self.host == socket.gethostname()
        where = "this computer" if here else self.host
        return f"{APP_NAME} of {self.user} on {where} (process {self.pid}) since {when}"


def lock_path_for(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def _try_lock(fd: int) -> bool:
    if _WIN:  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # per open file, released when the process dies
        return True
    except OSError:
        return False


def _unlock(fd: int) -> None:
    if _WIN:  # pragma: no cover
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def read_owner(db_path: Path) -> LockOwner | None:
    try:
        data = json.loads(lock_path_for(db_path).read_text(encoding="utf-8").strip() or "{}")
        return LockOwner(str(data["host"]), str(data["user"]), int(data["pid"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class InstanceLock:
    """Exclusive right to edit one database file, held until :meth:`release` or process end."""

    def __init__(self, db_path: Path):
        self.db_path = Path(db_path)
        self.path = lock_path_for(self.db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> "InstanceLock":
        if self._fd is not None:
            return self
        for _ in range(10):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise DatabaseError(f"Cannot create the lock file {self.path}: {exc.strerror or exc}.") from exc
            if not _try_lock(fd):
                os.close(fd)
                raise DatabaseInUseError(self.db_path, read_owner(self.db_path))
            # the previous owner may have deleted the file between our open and lock: retry then
            try:
                same = _WIN or os.path.samestat(os.fstat(fd), os.stat(self.path))
            except OSError:
                same = False
            if same:
                self._fd = fd
                self._write_owner()
                return self
            _unlock(fd)
            os.close(fd)
        raise DatabaseError(f"Cannot lock {self.db_path} (the lock file keeps changing).")

    def _write_owner(self) -> None:
        try:
            user = getpass.getuser()
        except Exception:
            user = "unknown user"
        owner = {"host": socket.gethostname(), "user": user, "pid": os.getpid(),
                 "since": dt.datetime.now().isoformat(timespec="seconds"), "app": APP_NAME}
        data = (json.dumps(owner) + "\n").encode()
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.ftruncate(self._fd, 0)
        os.write(self._fd, data)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            if not _WIN:
                os.unlink(self.path)  # while still locked, so no one locks a file that then disappears
        except OSError:
            pass
        try:
            _unlock(fd)
        finally:
            os.close(fd)
            if _WIN:  # pragma: no cover
                try:
                    os.unlink(self.path)
                except OSError:
                    pass

    def __enter__(self) -> "InstanceLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def open_for_editing(path: str | Path, **kwargs) -> Database:
    """Open ``path`` for editing by this instance only (what the GUI calls).

    Raises :class:`DatabaseInUseError` if another instance edits it: offer
    :func:`ato_desktop.storage.database.open_readonly` then. The lock is
    released by ``Database.close()`` (or when the process ends).
    """
    from ato_desktop.storage.database import ReadOnlyLocationError, read_only_reason

    p = Path(path).expanduser()
    if p.is_file() and (why := read_only_reason(p)):  # no lock file can be made there: say why first
        raise ReadOnlyLocationError(f"{p} can only be opened read-only here: {why}. Nothing was changed.", why)
    lock = InstanceLock(p).acquire()
    try:
        db = open_database(path, **kwargs)
    except BaseException:
        lock.release()
        raise
    db.lock = lock
    return db


def is_in_use(path: str | Path) -> LockOwner | None | bool:
    """``False`` if nobody edits ``path``; otherwise the owner (or ``True`` if unknown)."""
    lock = InstanceLock(Path(path))
    try:
        lock.acquire()
    except DatabaseInUseError as exc:
        return exc.owner or True
    lock.release()
    return False
