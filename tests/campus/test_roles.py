"""Roles and row-level security: a coordinator's login cannot write another department's rows, even with
hand-made SQL (checked with raw SQL as that login), and cannot touch campus-level data; it still reads
everything and commits its own department's versions. Against a real PostgreSQL server."""

from __future__ import annotations

import psycopg
import pytest

from ato_desktop.cli import main
from ato_desktop.services import campus
from ato_desktop.storage.database import DatabaseError, open_database
from tests.campus.conftest import build_calendar, build_department


@pytest.fixture
def campus_with_logins(pg_server, pg_campus_url, capsys):
    db = open_database(pg_campus_url)
    build_calendar(db)
    build_department(db, "ECE")
    build_department(db, "CSE")
    db.close()
    for role in ("ece_coord", "cse_coord"):
        pg_server.admin(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
                        f"THEN CREATE ROLE {role} LOGIN; END IF; END $$")
    assert main(["campus", "grant", "--db", pg_campus_url, "--role", "ece_coord", "--department", "ECE"]) == 0
    assert "now coordinates ECE" in capsys.readouterr().out
    assert main(["campus", "grant", "--db", pg_campus_url, "--role", "cse_coord", "--department", "CSE"]) == 0
    name = pg_campus_url.split("@/", 1)[1].split("?", 1)[0]
    return pg_server, name


def _as(server, dbname: str, role: str):
    return psycopg.connect(host=server.socket_dir, port=server.port, user=role, dbname=dbname, autocommit=True)


def test_hand_made_sql_cannot_write_another_departments_rows(campus_with_logins):
    server, dbname = campus_with_logins
    with _as(server, dbname, "ece_coord") as con:
        # it reads the whole campus
        assert con.execute("SELECT count(*) FROM faculty").fetchone()[0] == 3
        # its own rows: yes
        assert con.execute("UPDATE faculty SET name = 'Dr. E. One' WHERE code = 'ECE1'").rowcount == 1
        # another department's: not one row, whatever the statement
        assert con.execute("UPDATE faculty SET name = 'hacked' WHERE code = 'CSE1'").rowcount == 0
        assert con.execute("DELETE FROM session_assignment WHERE timetable_id = "
                           "(SELECT id FROM timetable WHERE name = 'CSE Odd')").rowcount == 0
        assert con.execute("UPDATE timetable SET status = 'archived' WHERE name = 'CSE Odd'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            con.execute("INSERT INTO course (code, title, credits, lecture_hours, tutorial_hours, practical_hours, "
                        "category, department_id) SELECT 'CSE999', 'Planted', 3, 3, 0, 0, 'major', id "
                        "FROM department WHERE code = 'CSE'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            con.execute("UPDATE course SET department_id = (SELECT id FROM department WHERE code = 'CSE') "
                        "WHERE code = 'ECE501'")  # giving a row away is writing the other's rows
        # campus-level data is the administrator's
        assert con.execute("UPDATE room SET capacity = 1 WHERE code = 'SH'").rowcount == 0
        assert con.execute("DELETE FROM campus_member").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("UPDATE alembic_version SET version_num = 'x'")
    assert server.admin("SELECT name FROM faculty WHERE code = 'CSE1'", dbname=dbname) == [("Dr. CSE One",)]
    assert server.admin("SELECT count(*) FROM course WHERE code = 'CSE999'", dbname=dbname) == [(0,)]


def test_a_coordinator_commits_its_own_department_only(campus_with_logins):
    server, dbname = campus_with_logins
    url = f"postgresql://ece_coord@/{dbname}?host={server.socket_dir}&port={server.port}"
    db = open_database(url)
    try:
        with pytest.raises(DatabaseError, match="refused this change"):
            campus.commit(db, "CSE", "CSE Odd")  # the database refuses: CSE's rows are not ECE's to write
        done = campus.commit(db, "ECE", "ECE Odd")
        assert done.rooms == 2
    finally:
        db.close()
    assert server.admin("SELECT count(*) FROM committed_occupancy o JOIN department d ON d.id = o.department_id "
                        "WHERE d.code = 'CSE'", dbname=dbname) == [(0,)]


def test_grant_refuses_a_missing_login_and_a_file(pg_campus_url, tmp_path, capsys):
    assert main(["campus", "init", "--db", pg_campus_url]) == 0
    assert main(["campus", "add-department", "--db", pg_campus_url, "--code", "ECE", "--name", "ECE"]) == 0
    capsys.readouterr()
    assert main(["campus", "grant", "--db", pg_campus_url, "--role", "nobody_here", "--department", "ECE"]) == 2
    assert "has no login nobody_here" in capsys.readouterr().err
    assert main(["campus", "grant", "--db", pg_campus_url, "--role", "x; DROP TABLE room", "--department", "ECE"]) == 2
    assert "letters, digits and _ only" in capsys.readouterr().err
