"""Withdrawing a commitment puts back the one it replaced (migration 0008's ``timetable.replaced_id``), or, if
that one now clashes with another department's commitment, leaves nothing committed for the department and
says why in one sentence. Against a real PostgreSQL server, races as in test_commit.py."""

from __future__ import annotations


from sqlalchemy import select

from ato_desktop.services import campus, campus_withdraw
from ato_desktop.storage import models as m
from ato_desktop.storage.database import open_database
from tests.campus.conftest import race_past_the_clash_check
from tests.campus.test_commit import _rows


def _copy_without_the_hall(db, src: str, name: str) -> None:
    """A copy of version ``src`` with its lecture only (the lab in the Seminar Hall left out)."""
    with db.session() as s:
        tt = s.scalar(select(m.Timetable).where(m.Timetable.name == src))
        copy = m.Timetable(name=name, department_id=tt.department_id)
        s.add(copy)
        s.flush()
        for a in tt.assignments:
            if a.activity.kind != "P":
                s.add(m.SessionAssignment(timetable_id=copy.id, activity_id=a.activity_id, occurrence=a.occurrence,
                                          day_id=a.day_id, period_id=a.period_id, room_id=a.room_id))


def _committed(db, name: str) -> bool:
    with db.read_session() as s:
        return s.scalar(select(m.Timetable.committed_at).where(m.Timetable.name == name)) is not None


def test_withdrawing_puts_back_the_version_it_replaced_and_never_cycles(campus_db):
    _copy_without_the_hall(campus_db, "ECE Odd", "ECE v2")
    campus.commit(campus_db, "ECE", "ECE Odd")
    campus.commit(campus_db, "ECE", "ECE v2")
    campus.commit(campus_db, "ECE", "ECE Odd")  # back to the first: v2 is now the one below it
    done = campus.withdraw(campus_db, "ECE")
    assert (done.rows, done.restored, done.restored_rows) == (5, "ECE v2", 2)
    assert "“ECE v2” is committed again (2 room and faculty bookings)" in done.sentence
    assert _committed(campus_db, "ECE v2") and not _committed(campus_db, "ECE Odd") and _rows(campus_db, "ECE") == 2
    last = campus.withdraw(campus_db, "ECE")  # v2 replaced nothing left: the department is free
    assert (last.rows, last.restored, last.not_restored) == (2, "", "") and _rows(campus_db, "ECE") == 0
    assert campus.withdraw(campus_db, "ECE").sentence == "ECE had nothing committed to the campus."


def test_a_replaced_version_that_now_clashes_is_not_put_back_and_nothing_stays_committed(campus_db):
    campus.commit(campus_db, "ECE", "ECE Odd")
    _copy_without_the_hall(campus_db, "ECE Odd", "ECE v2")
    campus.commit(campus_db, "ECE", "ECE v2")  # frees the hall and SHR on Tue P3–P4 ...
    campus.commit(campus_db, "CSE", "CSE Odd")  # ... which CSE takes
    done = campus.withdraw(campus_db, "ECE")
    assert done.restored == "" and done.not_restored == "ECE Odd"
    assert done.sentence == (
        "ECE's commitment is withdrawn, but “ECE Odd”, which it replaced, was not put back: Seminar Hall is "
        "committed by CSE on Tue P3–P4 (CSE-5A Networks Lab); Dr. S. Sharma is committed by CSE on Tue P3–P4 "
        "(CSE-5A Networks Lab). Nothing is committed for ECE now.")
    assert _rows(campus_db, "ECE") == 0 and _rows(campus_db, "CSE") == 5
    assert not _committed(campus_db, "ECE Odd") and not _committed(campus_db, "ECE v2")
    assert campus.withdraw(campus_db, "ECE").rows == 0  # the link is spent: no second attempt later


def test_a_put_back_racing_another_departments_commit_one_wins_and_no_double_booking(campus_db, pg_campus_url,
                                                                                    monkeypatch):
    """ECE withdraws v2 (putting back "ECE Odd", which needs the hall) while CSE commits the hall: both pass
    the check in Python before either writes (a barrier holds them there); the database decides."""
    campus.commit(campus_db, "ECE", "ECE Odd")
    _copy_without_the_hall(campus_db, "ECE Odd", "ECE v2")
    campus.commit(campus_db, "ECE", "ECE v2")
    other = open_database(pg_campus_url)
    results = race_past_the_clash_check(monkeypatch, {
        "ECE": lambda: campus.withdraw(campus_db, "ECE"),
        "CSE": lambda: campus.commit(other, "CSE", "CSE Odd")}, modules=(campus_withdraw,))
    other.close()
    ece, cse = results["ECE"], results["CSE"]
    assert isinstance(ece, campus_withdraw.Withdrawn), results  # the withdrawal itself always happens
    if ece.restored:  # ECE's put-back won: CSE was refused with the clash in words
        assert isinstance(cse, campus.CommitRefused), results
        assert "Seminar Hall is committed by ECE on Tue P3–P4 (ECE-5A Signals Lab)" in str(cse)
        assert (_rows(campus_db, "ECE"), _rows(campus_db, "CSE")) == (5, 0)
    else:  # CSE won: ECE's earlier version was not put back, and says why
        assert isinstance(cse, campus.CommitResult), results
        assert ece.not_restored == "ECE Odd" and "Seminar Hall is committed by CSE" in ece.sentence
        assert (_rows(campus_db, "ECE"), _rows(campus_db, "CSE")) == (0, 5)
    with campus_db.read_session() as s:  # the end state: no room or faculty member booked twice
        from sqlalchemy import text

        assert s.scalar(text(
            "SELECT count(*) FROM committed_occupancy a JOIN committed_occupancy b ON a.id < b.id "
            "AND a.day_id = b.day_id AND a.period_from <= b.period_to AND b.period_from <= a.period_to "
            "AND (a.room_id = b.room_id OR a.faculty_id = b.faculty_id)")) == 0


def test_a_version_committed_when_nothing_was_keeps_no_old_link(campus_db):
    """v0, then "ECE Odd" over it, then v2 over that; CSE takes the hall; withdrawing v2 cannot put "ECE Odd"
    back. "ECE Odd" committed again later replaced nothing: withdrawing it leaves nothing (not v0)."""
    _copy_without_the_hall(campus_db, "ECE Odd", "ECE v0")
    _copy_without_the_hall(campus_db, "ECE Odd", "ECE v2")
    for name in ("ECE v0", "ECE Odd", "ECE v2"):
        campus.commit(campus_db, "ECE", name)
    campus.commit(campus_db, "CSE", "CSE Odd")
    assert campus.withdraw(campus_db, "ECE").not_restored == "ECE Odd"
    campus.withdraw(campus_db, "CSE")
    campus.commit(campus_db, "ECE", "ECE Odd")
    done = campus.withdraw(campus_db, "ECE")
    assert (done.rows, done.restored, done.not_restored) == (5, "", "") and _rows(campus_db, "ECE") == 0
