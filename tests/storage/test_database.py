import hashlib
import sqlite3
from pathlib import Path

import pytest

from ato_desktop.storage.database import (
    DatabaseError,
    NotADatabaseError,
    SchemaTooNewError,
    default_database_path,
    open_database,
    open_readonly,
)


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_new_database_is_wal_with_foreign_keys_and_full_sync(tmp_path):
    db = open_database(tmp_path / "new.atodb")
    try:
        assert db.pragma("journal_mode") == "wal"
        assert db.pragma("foreign_keys") == "1"
        assert db.pragma("synchronous") == "2"  # FULL
        assert int(db.pragma("busy_timeout")) >= 1000
        from ato_desktop.storage.migrate import head_revision

        assert db.revision() == head_revision()
    finally:
        db.close()


def test_default_database_lives_in_user_data_dir():
    p = default_database_path()
    assert p.suffix == ".atodb"
    assert "ATO Desktop" in str(p)


def test_zero_byte_file_is_refused_not_turned_into_a_database(tmp_path):
    p = tmp_path / "empty.atodb"
    p.touch()
    with pytest.raises(NotADatabaseError, match=r"is empty \(0 bytes\): it is not an ATO Desktop database"):
        open_database(p)
    with pytest.raises(NotADatabaseError, match=r"is empty \(0 bytes\)"):
        open_readonly(p)
    assert p.read_bytes() == b"" and sorted(x.name for x in tmp_path.iterdir()) == ["empty.atodb"]


@pytest.mark.parametrize("content", [b"not a database at all\n" * 20, b"\x00\xff" * 700])
def test_non_sqlite_file_is_refused_and_untouched(tmp_path, content):
    p = tmp_path / "junk.atodb"
    p.write_bytes(content)
    before = digest(p)
    with pytest.raises(NotADatabaseError, match="not an ATO Desktop database"):
        open_database(p)
    assert digest(p) == before
    assert not Path(str(p) + "-wal").exists()


def test_corrupt_sqlite_file_is_refused_and_untouched(demo_db_path):
    data = bytearray(demo_db_path.read_bytes())
    # keep the header, smash pages in the middle
    for i in range(4096 * 3, min(len(data), 4096 * 12)):
        data[i] = (i * 7) % 256
    demo_db_path.write_bytes(bytes(data))
    before = digest(demo_db_path)
    with pytest.raises(DatabaseError):
        open_database(demo_db_path)
    assert digest(demo_db_path) == before


def test_other_applications_sqlite_file_is_refused_and_untouched(tmp_path):
    p = tmp_path / "other.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.commit()
    con.close()
    before = digest(p)
    with pytest.raises(NotADatabaseError, match="another application"):
        open_database(p)
    assert digest(p) == before


def test_newer_schema_is_refused_and_untouched(empty_db_path):
    con = sqlite3.connect(empty_db_path)
    con.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
    con.commit()
    con.close()
    before = digest(empty_db_path)
    with pytest.raises(SchemaTooNewError, match="newer version"):
        open_database(empty_db_path)
    assert digest(empty_db_path) == before


def test_folder_is_refused(tmp_path):
    with pytest.raises(NotADatabaseError, match="folder"):
        open_database(tmp_path)


def test_committed_data_survives_reopen(tmp_path):
    from ato_desktop.services import resources

    p = tmp_path / "x.atodb"
    db = open_database(p)
    resources.create_item(db, "department", {"code": "CSE", "name": "Computer Science"})
    db.close()
    db = open_database(p)
    try:
        assert [d["code"] for d in resources.list_items(db, "department")] == ["CSE"]
    finally:
        db.close()


def test_a_database_missing_a_table_is_refused_naming_it(empty_db_path):
    con = sqlite3.connect(empty_db_path)
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("DROP TABLE mail_template")
    con.commit()
    con.close()
    before = digest(empty_db_path)
    for opener in (open_database, open_readonly):
        with pytest.raises(NotADatabaseError, match=r"is damaged: the table mail_template is missing"):
            opener(empty_db_path)
    assert digest(empty_db_path) == before
    assert sorted(p.name for p in empty_db_path.parent.iterdir()) == [empty_db_path.name]


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    import os

    p = tmp_path / "pipe.atodb"
    os.mkfifo(p)
    for opener in (open_database, open_readonly):
        with pytest.raises(NotADatabaseError, match="not a regular file"):
            opener(p)  # opening it would wait for a writer forever
