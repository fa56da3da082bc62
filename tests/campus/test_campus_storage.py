"""The same models and migrations on PostgreSQL; a campus database opened by URL; its failures in words.

Against a real PostgreSQL server (tests/campus/conftest.py), never a stand-in."""

from __future__ import annotations

import os

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from ato_desktop.storage import migrate
from ato_desktop.storage.campus import CampusDatabase, KEYRING_SERVICE, is_database_url, parse_url
from ato_desktop.storage.database import HEAD_REVISION, DatabaseError, SchemaTooNewError, open_database
from ato_desktop.storage.models import Base, Department, Faculty, Timetable
from tests.campus.conftest import SUPERUSER_PASSWORD


def _diff(engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def test_the_migrations_build_exactly_the_models_schema_on_postgresql(pg_url):
    db = open_database(pg_url)
    try:
        assert isinstance(db, CampusDatabase) and db.is_campus
        assert db.revision() == HEAD_REVISION
        assert _diff(db.engine) == []
        # and back down to nothing, and up again: every downgrade runs on PostgreSQL too
        command.downgrade(migrate.alembic_config(db.engine), "base")
        assert db.revision() is None
        migrate.upgrade_to_head(db.engine)
        assert _diff(db.engine) == []
    finally:
        db.close()


def test_an_old_campus_database_with_data_is_upgraded_and_keeps_it(pg_url):
    engine = create_engine(parse_url(pg_url))
    migrate.upgrade_to(engine, "0001_initial")
    with engine.begin() as c:
        c.execute(text("INSERT INTO department (id, code, name, is_home) VALUES (1, 'ECE', 'Electronics', true)"))
        c.execute(text("INSERT INTO timetable (id, name, status, created_at, updated_at, notes) "
                       "VALUES (1, 'Odd 2026', 'published', now(), now(), '')"))
    engine.dispose()
    db = open_database(pg_url)
    try:
        with db.read_session() as s:
            assert s.scalar(select(Department.code)) == "ECE"
            assert s.scalar(select(Timetable.status)) == "published"
            assert s.scalar(text("SELECT count(*) FROM mail_template")) == 3  # 0002's templates
        with db.session() as s:  # and the models write there as on a file
            s.add(Faculty(code="SRA", name="Dr. S. Rao", department_id=1))
        with db.read_session() as s:
            assert s.scalar(select(Faculty.name)) == "Dr. S. Rao"
    finally:
        db.close()


def test_is_database_url():
    assert is_database_url("postgresql://u@h/campus")
    assert is_database_url("postgres://u@h/campus")
    assert not is_database_url("department.atodb")
    assert not is_database_url(None)


def _refusal(url: str) -> str:
    with pytest.raises(DatabaseError) as info:
        open_database(url).close()
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert SUPERUSER_PASSWORD not in message and "wrong-secret" not in message
    return message


def test_a_refused_password_is_one_sentence_without_the_password(pg_server, no_pgpass):
    name = pg_server.create_database()
    message = _refusal(pg_server.url(name, password="wrong-secret", tcp=True))
    assert "refused the password" in message and f"postgresql://postgres@127.0.0.1:{pg_server.port}/{name}" in message


def test_no_password_anywhere_says_where_to_put_it(pg_server, no_pgpass, memory_keyring):
    message = _refusal(pg_server.url(pg_server.create_database(), tcp=True))
    assert "~/.pgpass" in message and "keychain" in message


def test_an_unreachable_server_a_missing_database_and_bad_urls(pg_server):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    assert "not running" in _refusal(f"postgresql://postgres@127.0.0.1:{closed}/campus")
    assert "does not exist" in _refusal(pg_server.url("no_such_campus"))
    assert "names no database" in _refusal("postgresql://postgres@127.0.0.1:5432")
    assert "not a valid database URL" in _refusal("postgresql://user:pw@host:notaport/campus")


def test_a_newer_campus_schema_is_refused_and_left_alone(pg_url):
    open_database(pg_url).close()
    engine = create_engine(parse_url(pg_url))
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(SchemaTooNewError) as info:
        open_database(pg_url)
    assert "newer version" in str(info.value)
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999_from_the_future"
    engine.dispose()


def test_another_applications_database_is_refused(pg_server):
    name = pg_server.create_database()
    pg_server.admin("CREATE TABLE contacts (name text)", dbname=name)
    assert "another application" in _refusal(pg_server.url(name))
    assert pg_server.admin("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", dbname=name) == [("contacts",)]


def test_the_password_comes_from_pgpass(pg_server, tmp_path, monkeypatch, memory_keyring):
    name = pg_server.create_database()
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_server.port}:{name}:postgres:{SUPERUSER_PASSWORD}\n")
    os.chmod(pgpass, 0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    db = open_database(pg_server.url(name, tcp=True))
    assert db.revision() == HEAD_REVISION
    assert SUPERUSER_PASSWORD not in db.location and SUPERUSER_PASSWORD not in repr(db)
    db.close()


def test_the_password_comes_from_the_os_keychain(pg_server, no_pgpass, memory_keyring):
    name = pg_server.create_database()
    memory_keyring.set_password(KEYRING_SERVICE, "postgres@127.0.0.1", SUPERUSER_PASSWORD)
    db = open_database(pg_server.url(name, tcp=True))
    assert db.revision() == HEAD_REVISION
    db.close()


def test_without_the_server_binaries_the_campus_tests_skip_and_say_why(monkeypatch):
    from tests.campus import pgserver

    monkeypatch.setattr(pgserver, "_binaries", lambda: None)
    with pytest.raises(pgserver.ServerUnavailable, match="install the Debian packages postgresql and postgresql-contrib"):
        pgserver.start_server()


def test_a_server_that_drops_the_connection_mid_edit(pg_server, pg_url):
    """The administrator (or a restart) cuts the connection inside a transaction: that edit is one
    sentence and nothing of it is written; the next edit reconnects by itself."""
    db = open_database(pg_url)
    dbname = pg_url.split("@/", 1)[1].split("?", 1)[0]
    try:
        with db.session() as s:
            s.add(Department(code="ECE", name="Electronics"))
        with pytest.raises(DatabaseError) as info:
            with db.session() as s:
                s.add(Department(code="CSE", name="Computer Science"))
                s.flush()
                pg_server.admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                f"WHERE datname = '{dbname}' AND pid <> pg_backend_pid()")
                s.add(Department(code="ME", name="Mechanical"))
                s.flush()
        message = str(info.value)
        assert "closed the connection" in message and "Nothing was changed" in message and "\n" not in message
        with db.session() as s:  # reconnected
            s.add(Department(code="CIV", name="Civil"))
        with db.read_session() as s:
            assert sorted(s.scalars(select(Department.code))) == ["CIV", "ECE"]
    finally:
        db.close()


def test_info_on_a_campus_database(pg_url, capsys):
    from ato_desktop.cli import main

    assert main(["campus", "init", "--db", pg_url]) == 0
    capsys.readouterr()
    assert main(["info", "--db", pg_url]) == 0
    out = capsys.readouterr().out
    assert "Schema revision: 0009_activity_students" in out and "campus-test-secret" not in out
