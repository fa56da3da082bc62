"""Approval by role on a campus database (migration 0007_campus_roles): a coordinator submits but cannot
approve or publish, a viewer cannot submit, the head of department approves and publishes its own
department's versions; the history records the login. The database refuses the same with hand-made SQL
(checked as that login). Against a real PostgreSQL server."""

from __future__ import annotations

import psycopg
import pytest

from ato_desktop.cli import main
from ato_desktop.services import approval, notifications
from ato_desktop.storage.database import open_database
from tests.campus.conftest import build_calendar, build_department

LOGINS = {"ece_coord": ("ECE", "coordinator"), "ece_hod": ("ECE", "hod"), "ece_view": ("ECE", "viewer"),
          "cse_hod": ("CSE", "hod")}


@pytest.fixture
def campus_roles(pg_server, pg_campus_url, capsys):
    db = open_database(pg_campus_url)
    build_calendar(db)
    build_department(db, "ECE")
    build_department(db, "CSE")
    db.close()
    for role, (dept, kind) in LOGINS.items():
        pg_server.admin(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
                        f"THEN CREATE ROLE {role} LOGIN; END IF; END $$")
        args = ["campus", "grant", "--db", pg_campus_url, "--role", role, "--department", dept]
        assert main(args + (["--kind", kind] if kind != "coordinator" else [])) == 0
    out = capsys.readouterr().out
    assert "ece_hod now is the head of ECE" in out and "ece_view now views ECE" in out
    name = pg_campus_url.split("@/", 1)[1].split("?", 1)[0]
    return pg_server, name


def _db(server, dbname: str, role: str):
    return open_database(f"postgresql://{role}@/{dbname}?host={server.socket_dir}&port={server.port}")


def _as(server, dbname: str, role: str):
    return psycopg.connect(host=server.socket_dir, port=server.port, user=role, dbname=dbname, autocommit=True)


def test_each_step_by_its_role_and_the_login_recorded(campus_roles):
    server, dbname = campus_roles
    with _db(server, dbname, "ece_view") as db:
        with pytest.raises(approval.TransitionRefused, match="^The login ece_view is a viewer: .*cannot submit"):
            approval.submit(db, "ECE Odd")
    with _db(server, dbname, "ece_coord") as db:
        done = approval.submit(db, "ECE Odd", who="Somebody Else")
        assert done.who == "ece_coord"
        with pytest.raises(approval.TransitionRefused, match="^The login ece_coord is a coordinator: only the head "
                                                             "of department can approve"):
            approval.approve(db, "ECE Odd")
    with _db(server, dbname, "cse_hod") as db:
        with pytest.raises(approval.TransitionRefused, match="its own department's versions only"):
            approval.approve(db, "ECE Odd")
    with _db(server, dbname, "ece_hod") as db:
        assert approval.approve(db, "ECE Odd", who="Dr. Head").who == "ece_hod"
    with _db(server, dbname, "ece_coord") as db:
        with pytest.raises(approval.TransitionRefused, match="coordinator: only the head of department can publish"):
            notifications.publish_and_notify(db, "ECE Odd", template=None)
    with _db(server, dbname, "ece_hod") as db:
        notifications.publish_and_notify(db, "ECE Odd", template=None)
        steps = [(h.to_status, h.who) for h in approval.history(db, "ECE Odd")]
    assert steps == [("submitted", "ece_coord"), ("approved", "ece_hod"), ("published", "ece_hod")]


def test_the_database_refuses_a_status_change_by_the_wrong_role(campus_roles):
    server, dbname = campus_roles
    with _as(server, dbname, "ece_coord") as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not move a version from draft to approved"):
            con.execute("UPDATE timetable SET status = 'approved' WHERE name = 'ECE Odd'")
        assert con.execute("UPDATE timetable SET status = 'submitted' WHERE name = 'ECE Odd'").rowcount == 1
        con.execute("INSERT INTO timetable_event (timetable_id, from_status, to_status, who, at, comment) "
                    "SELECT id, 'draft', 'submitted', 'Dr. Somebody', now(), '' FROM timetable WHERE name = 'ECE Odd'")
    with _as(server, dbname, "ece_view") as con:  # a viewer writes no row at all
        assert con.execute("UPDATE timetable SET status = 'draft' WHERE name = 'ECE Odd'").rowcount == 0
        assert con.execute("UPDATE faculty SET name = 'x' WHERE code = 'ECE1'").rowcount == 0
    with _as(server, dbname, "ece_hod") as con:
        assert con.execute("UPDATE timetable SET status = 'approved' WHERE name = 'ECE Odd'").rowcount == 1
    with _as(server, dbname, "ece_coord") as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="from approved to published"):
            con.execute("UPDATE timetable SET status = 'published' WHERE name = 'ECE Odd'")
    assert server.admin("SELECT who FROM timetable_event", dbname=dbname) == [("ece_coord",)]
    assert server.admin("SELECT status FROM timetable WHERE name = 'ECE Odd'", dbname=dbname) == [("approved",)]


def test_the_database_refuses_a_version_inserted_by_hand_as_approved(campus_roles):
    """Migration 0008: the status check covers INSERT too; a coordinator's login cannot create a version
    that is already approved or published (approval is the head of department's)."""
    server, dbname = campus_roles
    new_version = ("INSERT INTO timetable (name, status, notes, created_at, updated_at, department_id) "
                   "SELECT %s, %s, '', now(), now(), id FROM department WHERE code = 'ECE'")
    with _as(server, dbname, "ece_coord") as con:
        for status in ("approved", "published"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege,
                               match=f"ece_coord \\(coordinator\\) may not create a version as {status}"):
                con.execute(new_version, (f"ECE forged {status}", status))
        assert con.execute(new_version, ("ECE Draft 2", "draft")).rowcount == 1
        assert con.execute(new_version, ("ECE Sent", "submitted")).rowcount == 1
    with _as(server, dbname, "ece_hod") as con:
        assert con.execute(new_version, ("ECE Approved by the head", "approved")).rowcount == 1
    assert sorted(r[0] for r in server.admin("SELECT name FROM timetable WHERE department_id = "
                                             "(SELECT id FROM department WHERE code = 'ECE')", dbname=dbname)) == \
        ["ECE Approved by the head", "ECE Draft 2", "ECE Odd", "ECE Sent"]
