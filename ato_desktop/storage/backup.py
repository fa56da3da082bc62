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
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ato_desktop.storage import open_files
from ato_desktop.storage.database import (
    DB_SUFFIX,
    DatabaseError,
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


