"""Offline and back: check a department out to a file (others' commitments are unavailable periods
there), work offline, check a version back in (a commit: refused with the clash list if someone
committed the same resources meanwhile, and then nothing is written). Against a real PostgreSQL server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ato_desktop.cli import main
from ato_desktop.services import campus
from ato_desktop.services.compile import compile_database
from ato_desktop.storage import models as m
from ato_desktop.storage.database import open_database
from tests.campus.conftest import build_calendar, build_department, race_past_the_clash_check


@pytest.fixture
def campus_db(pg_campus_url):
    db = open_database(pg_campus_url)
    build_calendar(db)
    build_department(db, "ECE")
    build_department(db, "CSE")
    campus.commit(db, "ECE", "ECE Odd")  # the hall and Dr. Sharma: Tue P3–P4
    yield db
    db.close()


def _lab_slot(db, version: str) -> tuple[str, str]:
    with db.read_session() as s:
        tt = s.scalar(select(m.Timetable).where(m.Timetable.name == version))
        lab = next(a for a in tt.assignments if a.activity.kind == "P")
        return lab.day.short_name, lab.period.label


def test_check_out_work_offline_and_check_in(campus_db, pg_campus_url, tmp_path, capsys):
    path = tmp_path / "cse.atodb"
    assert main(["campus", "checkout", "--db", pg_campus_url, "--department", "CSE", "--out", str(path)]) == 0
    assert "CSE checked out" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cse.atodb"]
    local = open_database(path)
    try:
        comp, _, _ = compile_database(local, "CSE Odd")  # offline, ECE's commitment is a fixed fact
        p = comp.problem
        tue = p.day_names.index("Tue") * p.periods_per_day
        hall = comp.room_codes.index("SH")
        assert [p.period_labels[t - tue] for t in range(len(p.slot_usable))
                if not p.room_available[hall, t]] == ["P3", "P4"]
        with local.session() as s:  # the coordinator moves the lab to Wed P1–P2 offline
            tt = s.scalar(select(m.Timetable).where(m.Timetable.name == "CSE Odd"))
            lab = next(a for a in tt.assignments if a.activity.kind == "P")
            lab.day_id = s.scalar(select(m.Day.id).where(m.Day.short_name == "Wed"))
            lab.period_id = s.scalar(select(m.Period.id).where(m.Period.label == "P1"))
    finally:
        local.close()
    assert main(["campus", "checkin", str(path), "--db", pg_campus_url, "--timetable", "CSE Odd"]) == 0
    assert "“CSE Odd” of CSE is committed to the campus" in capsys.readouterr().out
    assert _lab_slot(campus_db, "CSE Odd") == ("Wed", "P1")


def test_a_check_in_that_clashes_is_refused_and_writes_nothing(campus_db, pg_campus_url, tmp_path, capsys):
    from ato_desktop.services import campus_checkout

    path = tmp_path / "cse.atodb"
    campus_checkout.checkout(campus_db, "CSE", path)
    local = open_database(path)
    try:  # offline, the lab moves to Tue P4 (ignoring the unavailable marks)
        with local.session() as s:
            tt = s.scalar(select(m.Timetable).where(m.Timetable.name == "CSE Odd"))
            lab = next(a for a in tt.assignments if a.activity.kind == "P")
            lab.period_id = s.scalar(select(m.Period.id).where(m.Period.label == "P4"))
    finally:
        local.close()
    before = _lab_slot(campus_db, "CSE Odd")
    rc = main(["campus", "checkin", str(path), "--db", pg_campus_url, "--timetable", "CSE Odd"])
    err = capsys.readouterr().err
    assert rc == 2 and "Seminar Hall is committed by ECE on Tue P3–P4 (ECE-5A Signals Lab)" in err
    assert _lab_slot(campus_db, "CSE Odd") == before  # the version was not written either


def test_checking_in_a_file_that_was_not_checked_out_is_refused(campus_db, pg_campus_url, tmp_path, capsys):
    path = tmp_path / "own.atodb"
    open_database(path).close()
    assert main(["campus", "checkin", str(path), "--db", pg_campus_url, "--timetable", "CSE Odd"]) == 2
    assert "was not checked out of a campus database" in capsys.readouterr().err


def test_a_check_in_racing_a_commit_for_the_same_hall_exactly_one_wins(pg_campus_url, tmp_path, monkeypatch):
    """CSE checks in while ECE commits the same hall at the same period; both pass the check in Python (a
    barrier holds them there) and the database decides. The loser is refused in words and wrote nothing:
    a refused check-in leaves the campus's version as it was."""

    from ato_desktop.services import campus_checkout

    db = open_database(pg_campus_url)
    build_calendar(db)
    build_department(db, "ECE")
    build_department(db, "CSE")
    path = tmp_path / "cse.atodb"
    campus_checkout.checkout(db, "CSE", path)
    with db.session() as s:  # meanwhile CSE's campus version lost its lab placement (checked in: restored)
        tt = s.scalar(select(m.Timetable).where(m.Timetable.name == "CSE Odd"))
        for a in tt.assignments:
            a.day_id = a.period_id = None
    other = open_database(pg_campus_url)
    results = race_past_the_clash_check(monkeypatch, {
        "ECE": lambda: campus.commit(db, "ECE", "ECE Odd"),
        "CSE": lambda: campus_checkout.checkin(other, path, "CSE Odd")})
    won = [k for k, r in results.items() if isinstance(r, campus.CommitResult)]
    lost = [k for k, r in results.items() if isinstance(r, campus.CommitRefused)]
    try:
        assert len(won) == 1 and len(lost) == 1, results
        assert "Seminar Hall is committed by" in str(results[lost[0]])
        if lost == ["CSE"]:
            with db.read_session() as s:
                tt = s.scalar(select(m.Timetable).where(m.Timetable.name == "CSE Odd"))
                assert all(a.day_id is None for a in tt.assignments)  # the refused check-in wrote nothing
    finally:
        other.close()
        db.close()
