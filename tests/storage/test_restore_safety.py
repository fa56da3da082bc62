"""Issue 14, item 2: restoring a damaged backup never breaks the live database.

A backup is verified as a database (every schema text decoded strictly, a statement prepared on
every table, integrity check, the ATO tables, a schema revision this app knows) on a private copy
BEFORE the live file is touched; it then goes into the live file through SQLite's backup API.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ato_desktop.services import backups as svc
from ato_desktop.services import resources as res
from ato_desktop.storage import backup as b
from ato_desktop.storage import restore
from ato_desktop.storage.database import (
    Database,
    DatabaseError,
    NotADatabaseError,
    inspect_file,
    make_engine,
    open_database,
)
from ato_desktop.storage.errors import DatabaseDamagedError, DatabaseReadError, translate

REPO = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def content(path: Path) -> tuple:
    """Schema and every row of every table, as bytes (nothing decoded), read without changing the file."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    con.text_factory = bytes
    try:
        schema = sorted(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(), key=repr)
        rows = {}
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
            q = name.decode().replace('"', '""')
            rows[name] = sorted(map(repr, con.execute(f'SELECT * FROM "{q}"').fetchall()))
        return schema, rows
    finally:
        con.close()


def _flip(src: Path, dest: Path, changes: list[tuple[int, int]]) -> None:
    data = bytearray(src.read_bytes())
    for pos, xor in changes:
        data[pos % len(data)] ^= xor
    dest.write_bytes(bytes(data))


def _schema_byte(raw: bytes, needle: bytes, offset: int) -> int:
    return raw.index(needle) + offset


@pytest.fixture
def good_backup(demo_db_path) -> Path:
    return b.create_backup(demo_db_path, "manual")


@pytest.mark.parametrize("needle, offset", [
    (b"state IN ('un", len("state IN ('")),  # inside a CHECK constraint's string: valid SQL, not UTF-8
    (b"CONSTRAINT pk_faculty ", 0),  # a keyword: the schema no longer parses
    (b"CREATE TABLE room", len("CREATE TABLE ")),  # a table's name in its CREATE text
])
def test_a_backup_with_one_damaged_schema_byte_is_refused_and_the_live_file_is_untouched(
        demo_db_path, good_backup, tmp_path, needle, offset):
    db = open_database(demo_db_path)
    res.create_item(db, "department", {"code": "KEEP", "name": "must survive"})
    db.close()
    raw = good_backup.read_bytes()
    bad = tmp_path / "bad.atodb"
    data = bytearray(raw)
    data[_schema_byte(raw, needle, offset)] = 0xFF
    bad.write_bytes(bytes(data))
    before, side = digest(demo_db_path), sorted(p.name for p in demo_db_path.parent.iterdir())
    n_backups = len(b.list_backups(demo_db_path))

    with pytest.raises(b.BackupError, match="damaged") as info:
        restore.verify_backup(bad)
    assert "\n" not in str(info.value)
    with pytest.raises(b.BackupError, match="damaged") as info:
        restore.restore_backup(demo_db_path, bad)
    assert "\n" not in str(info.value) and "Traceback" not in str(info.value)
    with pytest.raises(svc.BackupServiceError):
        svc.restore(demo_db_path, bad)
    assert digest(demo_db_path) == before
    assert sorted(p.name for p in demo_db_path.parent.iterdir()) == side  # no temporary file left beside it
    assert len(b.list_backups(demo_db_path)) == n_backups  # nothing was backed up for a refused restore
    db = open_database(demo_db_path)
    try:
        assert {d["code"] for d in res.list_items(db, "department")} >= {"KEEP"}
    finally:
        db.close()


@pytest.mark.parametrize("needle, offset", [(b"state IN ('un", len("state IN ('")), (b"CONSTRAINT pk_faculty ", 0)])
def test_info_and_backup_restore_on_a_damaged_schema_say_one_sentence_and_exit_2(demo_db_path, good_backup, tmp_path,
                                                                                 needle, offset):
    raw = good_backup.read_bytes()
    bad = tmp_path / "bad.atodb"
    data = bytearray(raw)
    data[_schema_byte(raw, needle, offset)] = 0xFF
    bad.write_bytes(bytes(data))
    before = digest(demo_db_path)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for args in (["info", "--db", str(bad)], ["backup", "restore", "--db", str(demo_db_path), "--file", str(bad)]):
        done = subprocess.run([sys.executable, "-m", "ato_desktop", *args], cwd=REPO, env=env, text=True,
                              capture_output=True, timeout=120)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "damaged" in lines[0] and "Traceback" not in done.stderr, done.stderr
    assert digest(demo_db_path) == before


def test_inspect_file_refuses_undecodable_schema_text(good_backup, tmp_path):
    raw = good_backup.read_bytes()
    data = bytearray(raw)
    data[_schema_byte(raw, b"state IN ('un", len("state IN ('"))] = 0xFF
    bad = tmp_path / "bad.atodb"
    bad.write_bytes(bytes(data))
    with pytest.raises(NotADatabaseError, match="not valid UTF-8"):
        inspect_file(bad)


def test_undecodable_sqlite_text_is_translated_not_raised(tmp_path):
    """Python's sqlite3 raises UnicodeDecodeError for SQLite text that is not UTF-8; storage says 'damaged'."""
    path = tmp_path / "t.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x TEXT)")
    con.execute("INSERT INTO t VALUES (CAST(X'41FF42' AS TEXT))")
    try:
        con.execute("SELECT x FROM t").fetchall()
    except sqlite3.Error as exc:  # "Could not decode to UTF-8 column 'x'"
        assert isinstance(translate(exc, path), DatabaseDamagedError)
    con.execute("PRAGMA writable_schema=ON")  # a schema whose error message quotes bytes that are not UTF-8
    con.execute("UPDATE sqlite_master SET sql=CAST(X'435245415445205441424C45207428782920FFFE' AS TEXT)")
    con.commit()
    con.close()
    con = sqlite3.connect(path)
    with pytest.raises(UnicodeDecodeError):  # what the driver does with such a message
        con.execute("SELECT * FROM t")
    con.close()
    db = Database(path, make_engine(path))
    try:
        with pytest.raises(DatabaseDamagedError) as info:
            with db.session() as s:
                s.execute(text("SELECT * FROM t"))
        assert str(path) in str(info.value) and "damaged" in str(info.value)
        with pytest.raises(DatabaseReadError, match="damaged"):
            with db.read_session() as s:
                s.execute(text("SELECT * FROM t"))
    finally:
        db.close()
    with pytest.raises(NotADatabaseError, match="damaged"):
        inspect_file(path)
    try:
        b"\xff".decode("utf-8")  # the same error from other code (a user's CSV) is not the database's
    except UnicodeDecodeError as exc:
        assert translate(exc, path) is None


def test_restore_into_a_database_open_in_this_process_goes_through_sqlite(demo_db_path, good_backup):
    """The app's File > Restore: the live file stays open here; the restore keeps its locks and its -wal."""
    db = open_database(demo_db_path)
    try:
        res.create_item(db, "department", {"code": "GONE", "name": "after the backup"})
        wal = demo_db_path.with_name(demo_db_path.name + "-wal")
        wal_inode, main_inode = os.stat(wal).st_ino, os.stat(demo_db_path).st_ino
        safety = restore.restore_backup(demo_db_path, good_backup)
        assert safety is not None and safety.name.endswith("-before-restore.atodb")
        assert "GONE" not in {d["code"] for d in res.list_items(db, "department")}  # the open Database sees it
        assert os.stat(wal).st_ino == wal_inode and os.stat(demo_db_path).st_ino == main_inode
        res.create_item(db, "department", {"code": "AFTER", "name": "still writable"})
        db.check_attached()
    finally:
        db.close()
    assert content(demo_db_path)[1][b"department"] != content(good_backup)[1][b"department"]  # AFTER is there
    assert "GONE" in {r[0] for r in sqlite3.connect(safety).execute("SELECT code FROM department")}


def test_restore_over_an_unusable_file_open_here_is_refused(demo_db_path, good_backup):
    raw = bytearray(demo_db_path.read_bytes())
    raw[0:16] = b"garbage garbage!"
    demo_db_path.write_bytes(bytes(raw))
    from ato_desktop.storage import open_files

    with open_files.hold(demo_db_path):  # as if a connection of this process had it open
        with pytest.raises(b.BackupError, match="open") as info:
            restore.restore_backup(demo_db_path, good_backup)
    assert "\n" not in str(info.value)
    assert demo_db_path.read_bytes() == bytes(raw)


# ---------------------------------------------------------------------------------------------
# Byte flips anywhere in a backup (often in the schema): restored exactly, or refused with nothing changed.
@pytest.fixture(scope="module")
def flip_files(tmp_path_factory, _demo_template):
    folder = tmp_path_factory.mktemp("flips")
    live = folder / "live.atodb"
    shutil.copyfile(_demo_template, live)  # the session's demo file (tests/conftest.py)
    res_db = open_database(live)
    res.create_item(res_db, "department", {"code": "LIVE", "name": "only in the live file"})
    res_db.close()  # checkpointed: the live file is one self-contained file
    good = b.create_backup(live, "manual", prune=False)
    raw = good.read_bytes()
    schema_at = [i for i in range(len(raw)) if raw.startswith(b"CREATE ", i)]
    return live, good, schema_at


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_restoring_a_byte_flipped_backup_restores_exactly_or_changes_nothing(flip_files, data):
    live_template, good, schema_at = flip_files
    size = good.stat().st_size
    anywhere = st.integers(0, size - 1)
    in_schema = st.builds(lambda start, d: start + d, st.sampled_from(schema_at), st.integers(0, 400))
    in_header = st.integers(0, 99)
    position = st.one_of(anywhere, in_schema, in_header)
    changes = data.draw(st.lists(st.tuples(position, st.integers(1, 255)), min_size=1, max_size=3), label="flips")
    folder = Path(tempfile.mkdtemp(prefix="flip-"))
    try:
        live = folder / "live.atodb"
        shutil.copyfile(live_template, live)
        bad = folder / "bad.atodb"
        _flip(good, bad, changes)
        before, before_content = digest(live), content(live)
        try:
            restore.restore_backup(live, bad)
        except DatabaseError as exc:
            message = str(exc)
            assert message and "\n" not in message and "Traceback" not in message
            assert digest(live) == before, f"a refused restore changed the live file: {message}"
            assert not [p for p in folder.iterdir() if ".restoring" in p.name]
            assert content(live) == before_content
        else:
            assert content(live) == content(bad)  # restored exactly what the backup holds
            con = sqlite3.connect(live)
            try:
                assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            finally:
                con.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_cli_restore_is_refused_while_the_app_edits_the_file(demo_db_path, good_backup, capsys):
    from ato_desktop.cli import main
    from tests.storage.test_two_instances import start, stop

    other = start("edit", str(demo_db_path))  # an ATO Desktop instance editing the file
    try:
        before = digest(demo_db_path)
        assert main(["backup", "restore", "--db", str(demo_db_path), "--file", str(good_backup)]) == 2
        err = capsys.readouterr().err
        assert "open for editing" in err and f"process {other.pid}" in err and "Nothing was changed" in err
        assert digest(demo_db_path) == before
    finally:
        stop(other)


def test_a_backup_with_another_page_size_restores_exactly(demo_db_path, good_backup, tmp_path):
    other = tmp_path / "other-page-size.atodb"
    shutil.copyfile(good_backup, other)
    con = sqlite3.connect(other)
    con.execute("PRAGMA page_size=8192")
    con.execute("VACUUM")
    assert con.execute("PRAGMA page_size").fetchone()[0] == 8192
    con.close()
    db = open_database(demo_db_path)
    try:
        res.create_item(db, "department", {"code": "GONE", "name": "after the backup"})
        restore.restore_backup(demo_db_path, other)  # into the open (WAL) database, through SQLite
        assert "GONE" not in {d["code"] for d in res.list_items(db, "department")}
    finally:
        db.close()
    assert content(demo_db_path) == content(other)
