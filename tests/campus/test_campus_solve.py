"""The whole loop on a campus database, from the command line: ECE commits; CSE's optimizer run plans
around ECE's commitment (the shared hall and teacher are fixed facts), and its result commits; each
department's versions are scored on its own problem. Against a real PostgreSQL server."""

from __future__ import annotations

from ato_desktop.cli import main
from ato_desktop.services import campus
from ato_desktop.storage.database import open_database
from tests.campus.conftest import build_calendar, build_department


def test_solve_around_another_departments_commitment_then_commit(pg_campus_url, capsys):
    db = open_database(pg_campus_url)
    build_calendar(db)
    build_department(db, "ECE")
    build_department(db, "CSE")
    campus.commit(db, "ECE", "ECE Odd")
    db.close()
    assert main(["solve", "--db", pg_campus_url, "--timetable", "CSE Odd", "--time-limit", "5", "--generations", "30",
                 "--name", "CSE solved"]) == 0
    out = capsys.readouterr().out
    assert "Saved as timetable version 'CSE solved': hard 0" in out
    assert main(["campus", "commit", "--db", pg_campus_url, "--department", "CSE", "--timetable", "CSE solved"]) == 0
    assert "“CSE solved” of CSE is committed" in capsys.readouterr().out
    assert main(["info", "--db", pg_campus_url]) == 0
    out = capsys.readouterr().out
    assert "ECE Odd [draft] 2/2 scheduled, hard 0" in out  # its own problem: CSE's sessions are not its own
    assert "CSE Odd [draft] 2/2 scheduled, hard 4" in out  # the hall and Dr. Sharma are ECE's then
    assert "CSE solved [draft] 2/2 scheduled, hard 0" in out
