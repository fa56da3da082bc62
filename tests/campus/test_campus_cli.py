"""``ato-desktop campus …`` against a real PostgreSQL server: init, add-department, commit (refused with
the clash in words, exit code 2), migrate-from a department's file, backup through pg_dump."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from ato_desktop.cli import main
from ato_desktop.storage import models as m
from ato_desktop.storage.database import open_database
from tests.campus.conftest import build_department


def _run(capsys, *argv) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def _one_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("ato-desktop: error: "), err
    return lines[0]


def test_init_add_department_and_commit_from_the_command_line(pg_url, capsys):
    rc, out, err = _run(capsys, "campus", "init", "--db", pg_url)
    assert rc == 0 and "is ready (schema 0009_activity_students" in out, err
    rc, out, err = _run(capsys, "campus", "init", "--db", pg_url)  # again: nothing to do, still fine
    assert rc == 0, err
    assert _run(capsys, "campus", "add-department", "--db", pg_url, "--code", "MECH", "--name", "Mechanical")[0] == 0
    rc, _, err = _run(capsys, "campus", "add-department", "--db", pg_url, "--code", "MECH", "--name", "Again")
    assert rc == 2 and "MECH exists already" in _one_error(err)
    db = open_database(pg_url)
    from tests.campus.conftest import build_calendar

    build_calendar(db)
    build_department(db, "ECE")
    build_department(db, "CSE")
    db.close()
    rc, out, err = _run(capsys, "campus", "commit", "--db", pg_url, "--department", "ECE", "--timetable", "ECE Odd")
    assert rc == 0 and "“ECE Odd” of ECE is committed to the campus" in out, err
    rc, out, err = _run(capsys, "campus", "commit", "--db", pg_url, "--department", "CSE", "--timetable", "CSE Odd")
    line = _one_error(err)
    assert rc == 2 and "Seminar Hall is committed by ECE on Tue P3–P4 (ECE-5A Signals Lab)" in line
    assert "Nothing was written" in line


def test_a_file_is_refused_where_a_campus_url_is_needed(tmp_path, capsys):
    rc, _, err = _run(capsys, "campus", "init", "--db", str(tmp_path / "x.atodb"))
    assert rc == 2 and "is not a campus database URL" in _one_error(err)
    assert list(tmp_path.iterdir()) == []


def test_a_refused_login_from_the_command_line_is_one_sentence(pg_server, capsys, no_pgpass, memory_keyring):
    url = pg_server.url(pg_server.create_database(), password="wrong-secret", tcp=True)
    rc, _, err = _run(capsys, "campus", "commit", "--db", url, "--department", "ECE", "--timetable", "X")
    line = _one_error(err)
    assert rc == 2 and "refused the password" in line and "wrong-secret" not in line


def test_migrate_from_a_department_file_then_commit(pg_url, demo_db_path, capsys):
    assert _run(capsys, "campus", "init", "--db", pg_url)[0] == 0
    rc, out, err = _run(capsys, "campus", "migrate-from", str(demo_db_path), "--db", pg_url, "--department", "CSE")
    assert rc == 0 and "Department CSE moved into the campus database" in out, err
    src, dst = open_database(demo_db_path), open_database(pg_url)
    try:
        def census(db):
            with db.read_session() as s:
                return {t.__name__: s.scalar(select(func.count()).select_from(t)) for t in (
                    m.Faculty, m.Room, m.StudentGroup, m.Course, m.Activity, m.Timetable, m.SessionAssignment,
                    m.FacultyAvailability, m.PublishedSession)}
        assert census(dst) == census(src)
        with dst.read_session() as s:
            versions = list(s.scalars(select(m.Timetable).order_by(m.Timetable.id)))
            cse = s.scalar(select(m.Department.id).where(m.Department.code == "CSE"))
        assert {v.department_id for v in versions} == {cse}
    finally:
        src.close()
        dst.close()
    name = versions[0].name
    rc, out, err = _run(capsys, "campus", "commit", "--db", pg_url, "--department", "CSE", "--timetable", name)
    assert rc == 0, err
    # the same file again: refused in one sentence, nothing changed
    rc, _, err = _run(capsys, "campus", "migrate-from", str(demo_db_path), "--db", pg_url, "--department", "CSE")
    assert rc == 2 and "Nothing was changed" in _one_error(err)


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_backup_wraps_pg_dump_and_restores(pg_server, pg_url, tmp_path, capsys):
    db = open_database(pg_url)
    from tests.campus.conftest import build_calendar

    build_calendar(db)
    build_department(db, "ECE")
    db.close()
    out_file = tmp_path / "campus.dump"
    rc, out, err = _run(capsys, "campus", "backup", "--db", pg_url, "--out", str(out_file))
    assert rc == 0 and out_file.stat().st_size > 0, err
    assert not list(tmp_path.glob("*.part"))
    restored = pg_server.create_database("restored")
    r = subprocess.run(["pg_restore", "--no-owner", f"--host={pg_server.socket_dir}", f"--port={pg_server.port}",
                        "--username=postgres", f"--dbname={restored}", str(out_file)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert pg_server.admin("SELECT code FROM student_group", dbname=restored) == [("ECE-5A",)]
    rc, _, err = _run(capsys, "campus", "backup", "--db", pg_url, "--out", str(out_file))
    assert rc == 2 and "exists already" in _one_error(err)
