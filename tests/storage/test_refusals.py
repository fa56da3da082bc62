"""Files the app must refuse without modifying them: newer schema, corrupt, non-SQLite, other apps."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ato_desktop.storage.backup import backup_dir_for
from ato_desktop.storage.database import (
    APPLICATION_ID,
    DatabaseError,
    NotADatabaseError,
    SchemaTooNewError,
    open_database,
    open_readonly,
)
from ato_desktop.storage.instance import open_for_editing


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file() and not p.name.endswith("-shm")}


def all_openers(path: Path):
    return (open_database, open_readonly, open_for_editing,
            lambda p: open_database(p, upgrade=False), lambda p: open_database(p, create=False))


def assert_refused(path: Path, exc_type, words: str) -> None:
    """Every way of opening refuses with a clear message, and no file in the folder changes."""
    before = digests(path.parent)
    for opener in all_openers(path):
        with pytest.raises(exc_type, match=words) as info:
            opener(path)
        assert path.name in str(info.value)
    assert digests(path.parent) == before
    assert not backup_dir_for(path).exists()  # not even a backup was written
    assert not path.with_name(path.name + ".lock").exists()


def test_newer_schema_is_refused_and_not_modified(empty_db_path):
    con = sqlite3.connect(empty_db_path)
    con.execute("UPDATE alembic_version SET version_num='ffff0000beef'")
    con.commit()
    con.close()
    assert_refused(empty_db_path, SchemaTooNewError, "newer version")


def test_newer_schema_with_a_hot_wal_left_by_a_crash_is_refused_and_not_modified(demo_db_path):
    # a newer app wrote its revision and data, then died without checkpointing
    code = (
        "import sqlite3, os, sys\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "c.execute(\"UPDATE alembic_version SET version_num='zz_future'\")\n"
        "c.execute(\"INSERT INTO department (code, name, is_home) VALUES ('FUT', 'future', 0)\")\n"
        "c.commit()\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(demo_db_path)], check=True)
    wal = demo_db_path.with_name(demo_db_path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    assert_refused(demo_db_path, SchemaTooNewError, "zz_future")


def test_corrupt_database_is_refused_and_not_modified(demo_db_path):
    data = bytearray(demo_db_path.read_bytes())
    for i in range(4096 * 2, min(len(data), 4096 * 9)):
        data[i] ^= 0x5A
    demo_db_path.write_bytes(bytes(data))
    assert_refused(demo_db_path, NotADatabaseError, "damaged|not a database|cannot be opened")


def test_truncated_database_is_refused_and_not_modified(demo_db_path):
    data = demo_db_path.read_bytes()
    demo_db_path.write_bytes(data[: len(data) // 3 + 100])
    assert_refused(demo_db_path, NotADatabaseError, "damaged|not a database")


def test_header_only_file_is_refused(tmp_path):
    p = tmp_path / "stub.atodb"
    p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
    assert_refused(p, DatabaseError, "stub.atodb")


@pytest.mark.parametrize("content", [
    b"PK\x03\x04 this is really a zip/xlsx file" + b"\x00" * 200,
    "Name,Code\nSrinivasa,SRA\n".encode(),
    b"\xef\xbb\xbf<?xml version='1.0'?><timetable/>",
])
def test_non_sqlite_files_are_refused(tmp_path, content):
    p = tmp_path / "x.atodb"
    p.write_bytes(content)
    assert_refused(p, NotADatabaseError, "not an SQLite file")


def test_plain_sqlite_file_of_another_app_is_refused(tmp_path):
    p = tmp_path / "notes.sqlite"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO notes (body) VALUES ('hello')")
    con.commit()
    con.close()
    assert_refused(p, NotADatabaseError, "another application")


def test_alembic_managed_file_of_another_app_is_not_called_a_newer_ato_file(tmp_path):
    p = tmp_path / "invoices.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    con.execute("INSERT INTO alembic_version VALUES ('3f2a9c1b7d00')")
    con.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY, total REAL)")
    con.commit()
    con.close()
    assert_refused(p, NotADatabaseError, "another application")


def test_other_application_id_is_refused(demo_db_path):
    con = sqlite3.connect(demo_db_path)
    con.execute("PRAGMA application_id=1234")
    con.commit()
    con.close()
    assert_refused(demo_db_path, NotADatabaseError, "another application")


def test_ato_files_are_stamped_with_the_application_id(tmp_path):
    p = tmp_path / "new.atodb"
    open_database(p).close()
    con = sqlite3.connect(p)
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    con.close()


def test_refused_file_in_a_read_only_copy_stays_identical(empty_db_path, tmp_path):
    """The refusal path only reads: the bytes of main file and backups folder are as before."""
    copy = tmp_path / "sub" / "copy.atodb"
    copy.parent.mkdir()
    shutil.copyfile(empty_db_path, copy)
    con = sqlite3.connect(copy)
    con.execute("UPDATE alembic_version SET version_num='0099_later'")
    con.commit()
    con.close()
    before = os.stat(copy).st_mtime_ns
    with pytest.raises(SchemaTooNewError):
        open_database(copy)
    assert os.stat(copy).st_mtime_ns == before
