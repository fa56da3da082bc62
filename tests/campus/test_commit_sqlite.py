"""A department's own .atodb file is one department of a campus: commit works there too, with the same
check made inside the write transaction (one file, one writer). No PostgreSQL needed."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

from ato_desktop.services import campus
from ato_desktop.storage import migrate
from ato_desktop.storage.database import open_database
from ato_desktop.storage.models_campus import CommittedOccupancy
from tests.campus.conftest import build_calendar, build_department


@pytest.fixture
def file_db(tmp_path):
    db = open_database(tmp_path / "ece.atodb")
    build_calendar(db)
    build_department(db, "ECE", home=True)  # its versions have no department: the home department's
    build_department(db, "CSE")  # a neighbour whose committed timetable was brought in
    yield db
    db.close()


def test_commit_on_a_file_and_the_same_refusal(file_db):
    done = campus.commit(file_db, "ECE", "ECE Odd")
    assert (done.rooms, done.faculty) == (2, 3)
    with pytest.raises(campus.CommitRefused) as info:
        campus.commit(file_db, "CSE", "CSE Odd")
    assert "Seminar Hall is committed by ECE on Tue P3–P4 (ECE-5A Signals Lab)" in str(info.value)
    with file_db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(CommittedOccupancy)) == 5


def test_a_version_with_its_own_double_booking_is_refused(file_db):
    campus.commit(file_db, "ECE", "ECE Odd")
    from ato_desktop.storage import models as m

    with file_db.session() as s:  # both CSE lessons in CSE-101 on Tue, the lab P3–P4 and the lecture P4
        cse = s.scalar(select(m.Timetable).where(m.Timetable.name == "CSE Odd"))
        room = s.scalar(select(m.Room.id).where(m.Room.code == "CSE-101"))
        tue = s.scalar(select(m.Day.id).where(m.Day.short_name == "Tue"))
        p4 = s.scalar(select(m.Period.id).where(m.Period.label == "P4"))
        for a in cse.assignments:
            a.room_id = room
            if a.activity.kind == "L":
                a.day_id, a.period_id = tue, p4
    with pytest.raises(campus.CommitRefused) as info:
        campus.commit(file_db, "CSE", "CSE Odd")
    assert [str(c) for c in info.value.clashes] == [
        "Dr. S. Sharma is committed by ECE on Tue P3–P4 (ECE-5A Signals Lab)",
        "CSE 101 is used twice by this version on Tue P4 (CSE-5A Networks Lab and CSE-5A Theory)",
        "Dr. CSE One is used twice by this version on Tue P4 (CSE-5A Networks Lab and CSE-5A Theory)"]


def test_migration_0006_on_a_file_keeps_the_versions(tmp_path):
    path = tmp_path / "old.atodb"
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade_to(engine, "0005_approval")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO timetable (id, name, status, created_at, updated_at, notes) "
                "VALUES (1, 'Odd 2026', 'published', '2026-01-01', '2026-01-01', '')")
    con.commit()
    con.close()
    db = open_database(path)
    try:
        assert db.revision() == "0009_activity_students"
        with db.read_session() as s:
            from ato_desktop.storage import models as m

            tt = s.scalar(select(m.Timetable))
            assert (tt.name, tt.status, tt.department_id, tt.committed_at) == ("Odd 2026", "published", None, None)
    finally:
        db.close()
    engine = create_engine(f"sqlite:///{path}")
    from alembic import command

    command.downgrade(migrate.alembic_config(engine), "0005_approval")
    engine.dispose()
    con = sqlite3.connect(path)
    assert con.execute("SELECT name FROM timetable").fetchall() == [("Odd 2026",)]
    assert "committed_occupancy" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    con.close()


def test_other_departments_commitments_are_fixed_facts_when_compiling(file_db):
    """CSE committed its lab in the shared Seminar Hall with the shared Dr. Sharma on Tue P3–P4: compiling
    ECE's version makes the hall and Dr. Sharma unavailable then (and only then); ECE's own commitment
    does not block ECE."""
    from ato_desktop.services.compile import compile_database

    before, _, _ = compile_database(file_db, "ECE Odd")
    campus.commit(file_db, "CSE", "CSE Odd")
    comp, _, _ = compile_database(file_db, "ECE Odd")
    p = comp.problem
    P = p.periods_per_day
    tue = p.day_names.index("Tue")
    blocked = {tue * P + p.period_labels.index("P3"), tue * P + p.period_labels.index("P4")}
    hall = comp.room_codes.index("SH")
    sharma = comp.faculty_codes.index("SHR")
    assert {t for t in range(len(p.slot_usable)) if not p.room_available[hall, t]} == blocked
    assert {t for t in range(len(p.slot_usable)) if not p.resource_available[sharma, t]} == blocked
    assert before.problem.room_available.all()
    # the committing department's own compile is not blocked by its own commitment
    own, _, _ = compile_database(file_db, "CSE Odd")
    assert own.problem.room_available[own.room_codes.index("SH")].all()
