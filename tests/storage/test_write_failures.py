"""A failed write (disk full, read-only) gives a clear error and loses nothing."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import event

from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.storage.database import DatabaseError, open_database, open_readonly
from ato_desktop.storage.errors import (
    DatabaseBusyError,
    DatabaseFullError,
    DatabaseIOError,
    DatabaseReadOnlyError,
    DatabaseWriteError,
    translate,
)

ROOMS = [{"code": f"IMP-{i}", "capacity": 40, "name": "Imported room " + "x" * 150} for i in range(1500)]


def digest(p: Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def fresh_counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("room", "faculty", "course", "session_assignment")}
    finally:
        con.close()


def limit_file_size(db, pages: int):
    """A real SQLITE_FULL: cap the file at ``pages`` pages on every connection of this Database."""

    def cap(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    event.listen(db.engine, "connect", cap)
    db.engine.dispose()
    return cap


@pytest.mark.sqlite_only("a full disk under the SQLite file (its page count, its size limit)")
def test_disk_full_during_bulk_import_is_clear_and_changes_nothing(demo_db):
    before = fresh_counts(demo_db.path)
    cap = limit_file_size(demo_db, int(demo_db.pragma("page_count")))
    with pytest.raises(DatabaseFullError) as info:
        res.bulk_create(demo_db, "room", ROOMS)
    message = str(info.value)
    assert "disk is full" in message and str(demo_db.path) in message and "Nothing was changed" in message
    assert fresh_counts(demo_db.path) == before
    assert res.count_items(demo_db, "room") == before["room"]  # the same Database is still usable
    # space freed: the same import now works completely
    event.remove(demo_db.engine, "connect", cap)
    demo_db.engine.dispose()
    res.bulk_create(demo_db, "room", ROOMS)
    assert fresh_counts(demo_db.path)["room"] == before["room"] + len(ROOMS)


@pytest.mark.sqlite_only("SQLite's disk-full error injected at the file's commit")
def test_failure_at_commit_of_an_optimizer_result_keeps_the_old_timetable(demo_db):
    sessions = tts.list_sessions(demo_db, "Reference timetable")
    info = tts.get_timetable(demo_db, "Reference timetable")
    old = {s.id: (s.day, s.period, s.room) for s in sessions}

    def fail_commit(conn):
        raise sqlite3.OperationalError("database or disk is full")

    event.listen(demo_db.engine, "commit", fail_commit)
    try:
        with pytest.raises(DatabaseFullError, match="disk is full"):
            tts.save_placements(demo_db, "Reference timetable", {sid: (None, None, None) for sid in old},
                                hard=0, soft=0)
    finally:
        event.remove(demo_db.engine, "commit", fail_commit)
    fresh = open_readonly(demo_db.path)
    try:
        assert {s.id: (s.day, s.period, s.room) for s in tts.list_sessions(fresh, "Reference timetable")} == old
        again = tts.get_timetable(fresh, "Reference timetable")
        assert (again.hard_cost, again.soft_cost, again.scheduled) == (info.hard_cost, info.soft_cost, info.scheduled)
    finally:
        fresh.close()


def test_writing_through_a_read_only_database_is_refused_clearly(demo_db_path):
    before = digest(demo_db_path)
    db = open_readonly(demo_db_path)
    try:
        fac = res.list_items(db, "faculty")[0]
        with pytest.raises(DatabaseReadOnlyError, match="read-only") as info:
            res.update_item(db, "faculty", fac["code"], {"name": "Never saved"})
        assert "Nothing was changed" in str(info.value)
        with pytest.raises(DatabaseReadOnlyError):
            res.create_item(db, "department", {"code": "RO", "name": "read only"})
        assert res.get_item(db, "faculty", fac["code"])["name"] == fac["name"]
    finally:
        db.close()
    assert digest(demo_db_path) == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_gives_a_clear_error(demo_db_path):
    db = open_database(demo_db_path)
    fac = res.list_items(db, "faculty")[0]
    db.close()
    mode = demo_db_path.stat().st_mode
    os.chmod(demo_db_path, stat.S_IREAD)
    try:
        with pytest.raises(DatabaseError):
            db = open_database(demo_db_path)
            try:
                res.update_item(db, "faculty", fac["code"], {"name": "Never saved"})
            finally:
                db.close()
    finally:
        os.chmod(demo_db_path, mode)
    db = open_database(demo_db_path)
    try:
        assert res.get_item(db, "faculty", fac["code"])["name"] == fac["name"]
    finally:
        db.close()


@pytest.mark.parametrize("message, cls, words", [
    ("database or disk is full", DatabaseFullError, "disk is full"),
    ("attempt to write a readonly database", DatabaseReadOnlyError, "read-only"),
    ("database is locked", DatabaseBusyError, "busy"),
    ("disk I/O error", DatabaseIOError, "disk reported an error"),
    ("unable to open database file", DatabaseWriteError, "cannot be opened"),
])
def test_translation_of_sqlite_errors(message, cls, words, tmp_path):
    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError("COMMIT", {}, sqlite3.OperationalError(message))
    for exc in (wrapped, sqlite3.OperationalError(message)):
        nice = translate(exc, tmp_path / "x.atodb")
        assert type(nice) is cls
        assert words in str(nice) and "x.atodb" in str(nice)


def test_other_errors_are_not_translated(tmp_path):
    from sqlalchemy.exc import IntegrityError

    assert translate(ValueError("no"), tmp_path) is None
    assert translate(IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")), tmp_path) is None
    # but a failure raised while handling a full disk is recognised by its cause
    try:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.OperationalError:
            raise sqlite3.OperationalError("no such savepoint: sa_savepoint_1")
    except sqlite3.OperationalError as exc:
        assert isinstance(translate(exc, tmp_path), DatabaseFullError)


def test_a_read_from_a_moved_database_is_a_clear_error(tmp_path):
    """The folder of an open database is moved away: reading says what and where, in plain words."""
    from sqlalchemy import func, select

    from ato_desktop.storage import models as m
    from ato_desktop.storage.errors import DatabaseReadError

    folder = tmp_path / "usb"
    folder.mkdir()
    db = open_database(folder / "dept.atodb")
    try:
        with db.read_session() as s:
            assert s.scalar(select(func.count()).select_from(m.Room)) == 0
        db.engine.dispose()  # the pool's connections are closed, as after an idle time-out
        folder.rename(tmp_path / "elsewhere")
        with pytest.raises(DatabaseReadError) as info:
            with db.read_session() as s:
                s.scalar(select(func.count()).select_from(m.Room))
        message = str(info.value)
        assert message.startswith(f"Cannot read {folder / 'dept.atodb'}") and "moved, deleted" in message
        assert not folder.exists()  # nothing was created at the old place
    finally:
        db.close()
