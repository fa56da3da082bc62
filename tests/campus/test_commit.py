"""Committing a version to the campus: the first commit wins, the database refuses a double booking,
a refused commit lists each clash in words and writes nothing. Against a real PostgreSQL server."""

from __future__ import annotations


import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from ato_desktop.services import campus
from ato_desktop.storage import models as m
from ato_desktop.storage.database import open_database
from ato_desktop.storage.models_campus import CommittedOccupancy
from tests.campus.conftest import race_past_the_clash_check

ECE_LAB = "Seminar Hall is committed by ECE on Tue P3–P4 (ECE-5A Signals Lab)"
ECE_SHARED = "Dr. S. Sharma is committed by ECE on Tue P3–P4 (ECE-5A Signals Lab)"


def _rows(db, dept: str | None = None) -> int:
    with db.read_session() as s:
        q = select(func.count()).select_from(CommittedOccupancy)
        if dept:
            q = q.join(m.Department, m.Department.id == CommittedOccupancy.department_id).where(m.Department.code == dept)
        return s.scalar(q)


def test_the_second_department_is_refused_with_the_clashes_in_words(campus_db):
    done = campus.commit(campus_db, "ECE", "ECE Odd")
    assert (done.rooms, done.faculty) == (2, 3)  # the hall and ECE-101; SHR, ECE1 (lab) and ECE1 (lecture)
    assert "is committed to the campus" in done.sentence
    with pytest.raises(campus.CommitRefused) as info:
        campus.commit(campus_db, "CSE", "CSE Odd")
    assert [str(c) for c in info.value.clashes] == [ECE_LAB, ECE_SHARED]
    assert ECE_LAB in str(info.value) and "Nothing was written" in str(info.value)
    assert _rows(campus_db, "CSE") == 0 and _rows(campus_db, "ECE") == 5
    with campus_db.read_session() as s:
        assert s.scalar(select(m.Timetable.committed_at).where(m.Timetable.name == "CSE Odd")) is None


def test_the_database_itself_refuses_a_double_booking(campus_db):
    """Not a check in Python: a hand-made INSERT of an overlapping row is refused by PostgreSQL."""
    campus.commit(campus_db, "ECE", "ECE Odd")
    with campus_db.read_session() as s:
        ids = s.execute(text("SELECT t.id, d.id, r.id, day.id FROM timetable t, department d, room r, day "
                             "WHERE t.name = 'CSE Odd' AND d.code = 'CSE' AND r.code = 'SH' AND day.short_name = 'Tue'")).one()
    insert = text("INSERT INTO committed_occupancy (timetable_id, department_id, room_id, day_id, period_from, "
                  "period_to, activity_id, occurrence, label, committed_at) VALUES (:t, :d, :r, :day, :a, :b, 0, 0, 'x', now())")
    with pytest.raises(IntegrityError) as info:
        with campus_db.engine.begin() as c:
            c.execute(insert, dict(t=ids[0], d=ids[1], r=ids[2], day=ids[3], a=3, b=3))  # P4 (position 3) overlaps P3–P4
    assert "ex_committed_occupancy_room_overlap" in str(info.value)
    with campus_db.engine.begin() as c:  # P1–P2 of that day are free
        c.execute(insert, dict(t=ids[0], d=ids[1], r=ids[2], day=ids[3], a=0, b=1))


def test_recommitting_and_committing_another_version_replace_the_departments_commitment(campus_db):
    campus.commit(campus_db, "ECE", "ECE Odd")
    again = campus.commit(campus_db, "ECE", "ECE Odd")  # its own rows do not clash with themselves
    assert again.replaced == () and _rows(campus_db, "ECE") == 5
    with campus_db.session() as s:
        src = s.scalar(select(m.Timetable).where(m.Timetable.name == "ECE Odd"))
        copy = m.Timetable(name="ECE Odd v2", department_id=src.department_id)
        s.add(copy)
        s.flush()
        for a in list(src.assignments)[:1]:  # only the lab
            s.add(m.SessionAssignment(timetable_id=copy.id, activity_id=a.activity_id, occurrence=a.occurrence,
                                      day_id=a.day_id, period_id=a.period_id, room_id=a.room_id))
    v2 = campus.commit(campus_db, "ECE", "ECE Odd v2")
    assert v2.replaced == ("ECE Odd",) and _rows(campus_db, "ECE") == 3
    assert campus.withdraw(campus_db, "ECE").rows == 3  # and "ECE Odd", which v2 replaced, is back
    assert campus.withdraw(campus_db, "ECE").rows == 5  # nothing before it: nothing is put back
    done = campus.commit(campus_db, "CSE", "CSE Odd")  # the hall is free again
    assert done.rooms == 2


def test_a_version_is_committed_only_by_its_own_department(campus_db):
    with pytest.raises(campus.ServiceError, match="does not belong to CSE"):
        campus.commit(campus_db, "CSE", "ECE Odd")
    with pytest.raises(campus.NotFoundError):
        campus.commit(campus_db, "MECH", "ECE Odd")


def test_two_coordinators_committing_the_same_hall_at_once_exactly_one_wins(campus_db, pg_campus_url, monkeypatch):
    """Both pass the check in Python before either writes (a barrier holds them there): the database
    decides. The loser is refused with the winner's clash in words, and wrote nothing."""
    other = open_database(pg_campus_url)
    results = race_past_the_clash_check(monkeypatch, {
        "ECE": lambda: campus.commit(campus_db, "ECE", "ECE Odd"),
        "CSE": lambda: campus.commit(other, "CSE", "CSE Odd")})
    other.close()
    won = [d for d, r in results.items() if isinstance(r, campus.CommitResult)]
    lost = [d for d, r in results.items() if isinstance(r, campus.CommitRefused)]
    assert len(won) == 1 and len(lost) == 1, results
    winner, loser = won[0], lost[0]
    title = "Signals Lab" if winner == "ECE" else "Networks Lab"
    assert f"Seminar Hall is committed by {winner} on Tue P3–P4 ({winner}-5A {title})" in str(results[loser])
    assert _rows(campus_db, loser) == 0 and _rows(campus_db, winner) == 5


def test_a_campus_version_is_its_departments_problem_with_the_others_commitments_fixed(campus_db):
    from ato_desktop.services import timetables as tts
    from ato_desktop.services.compile import compile_database

    campus.commit(campus_db, "ECE", "ECE Odd")
    comp, assignment, _ = compile_database(campus_db, "CSE Odd")
    p = comp.problem
    assert sorted(comp.room_codes) == ["CSE-101", "SH"]  # its own room and the shared hall, not ECE's
    assert sorted(comp.faculty_codes) == ["CSE1", "SHR"]  # its own and the shared teacher of its lab
    assert [k for k in comp.keys] and all(label.startswith("CSE") for label in p.session_labels)
    P = p.periods_per_day
    tue = p.day_names.index("Tue")
    blocked = {tue * P + p.period_labels.index("P3"), tue * P + p.period_labels.index("P4")}
    hall, shr = comp.room_codes.index("SH"), comp.faculty_codes.index("SHR")
    assert {t for t in range(len(p.slot_usable)) if not p.room_available[hall, t]} == blocked
    assert {t for t in range(len(p.slot_usable)) if not p.resource_available[shr, t]} == blocked
    # a copy of a campus version belongs to the same department and holds only its activities
    copy = tts.copy_timetable(campus_db, "CSE Odd", "CSE Odd copy")
    new = tts.create_timetable(campus_db, "Campus-wide empty")  # no department: every activity
    with campus_db.read_session() as s:
        t = s.get(m.Timetable, copy.id)
        assert t.department_id == s.scalar(select(m.Department.id).where(m.Department.code == "CSE"))
        assert len(t.assignments) == 2
        assert len(s.get(m.Timetable, new.id).assignments) == 4
