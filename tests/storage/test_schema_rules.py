"""The schema itself enforces uniqueness, checks and delete rules (not only the services)."""

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ato_desktop.storage import models as m


def _dept(s, code="CSE"):
    d = m.Department(code=code, name=code)
    s.add(d)
    s.flush()
    return d


def test_duplicate_codes_are_rejected_by_the_schema(db):
    with pytest.raises(IntegrityError):
        with db.session() as s:
            d = _dept(s)
            s.add_all([m.Faculty(code="SRA", name="A", department_id=d.id),
                       m.Faculty(code="SRA", name="B", department_id=d.id)])
            s.flush()


def test_check_constraints_reject_impossible_values(db):
    with db.session() as s:
        _dept(s)
    for bad in (m.Room(code="R1", capacity=0), m.Room(code="R2", capacity=10, kind="garage")):
        with pytest.raises(IntegrityError):
            with db.session() as s:
                s.add(bad)
                s.flush()


def test_department_with_faculty_cannot_be_deleted(db):
    with db.session() as s:
        d = _dept(s)
        s.add(m.Faculty(code="SRA", name="A", department_id=d.id))
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.execute(delete(m.Department))


def test_deleting_a_section_cascades_to_batches_availability_and_links(db):
    with db.session() as s:
        d = _dept(s)
        day = m.Day(position=0, name="Monday", short_name="Mon")
        per = m.Period(position=0, label="P1", start_time="09:00", end_time="09:50")
        sec = m.StudentGroup(code="3A", department_id=d.id, strength=60)
        s.add_all([day, per, sec])
        s.flush()
        s.add(m.StudentGroup(code="3A-B1", department_id=d.id, strength=30, parent_id=sec.id))
        s.add(m.GroupAvailability(group_id=sec.id, day_id=day.id, period_id=per.id, state="unavailable"))
        c = m.Course(code="CS1", title="T", department_id=d.id)
        s.add(c)
        s.flush()
        a = m.Activity(course_id=c.id)
        a.groups.append(sec)
        s.add(a)
    with db.session() as s:
        s.execute(delete(m.StudentGroup).where(m.StudentGroup.code == "3A"))
    with db.read_session() as s:
        assert s.scalars(select(m.StudentGroup)).all() == []
        assert s.scalars(select(m.GroupAvailability)).all() == []
        assert s.execute(select(m.activity_group)).all() == []
        assert len(s.scalars(select(m.Activity)).all()) == 1  # the activity stays


def test_deleting_a_room_clears_assignments_and_deleting_a_timetable_cascades(db):
    with db.session() as s:
        d = _dept(s)
        day = m.Day(position=0, name="Monday", short_name="Mon")
        per = m.Period(position=0, label="P1", start_time="09:00", end_time="09:50")
        room = m.Room(code="R1", capacity=30)
        c = m.Course(code="CS1", title="T", department_id=d.id)
        s.add_all([day, per, room, c])
        s.flush()
        a = m.Activity(course_id=c.id)
        tt = m.Timetable(name="v1")
        s.add_all([a, tt])
        s.flush()
        s.add(m.SessionAssignment(timetable_id=tt.id, activity_id=a.id, occurrence=0,
                                  day_id=day.id, period_id=per.id, room_id=room.id))
    with db.session() as s:
        s.execute(delete(m.Room))
    with db.read_session() as s:
        row = s.scalars(select(m.SessionAssignment)).one()
        assert row.room_id is None and row.day_id is not None
    with db.session() as s:
        s.execute(delete(m.Timetable))
    with db.read_session() as s:
        assert s.scalars(select(m.SessionAssignment)).all() == []


def test_used_period_cannot_be_deleted(db):
    with db.session() as s:
        d = _dept(s)
        day = m.Day(position=0, name="Monday", short_name="Mon")
        per = m.Period(position=0, label="P1", start_time="09:00", end_time="09:50")
        c = m.Course(code="CS1", title="T", department_id=d.id)
        tt = m.Timetable(name="v1")
        s.add_all([day, per, c, tt])
        s.flush()
        a = m.Activity(course_id=c.id)
        s.add(a)
        s.flush()
        s.add(m.SessionAssignment(timetable_id=tt.id, activity_id=a.id, occurrence=0, day_id=day.id, period_id=per.id))
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.execute(delete(m.Period))


def test_assignment_needs_both_day_and_period(db):
    with db.session() as s:
        d = _dept(s)
        day = m.Day(position=0, name="Monday", short_name="Mon")
        c = m.Course(code="CS1", title="T", department_id=d.id)
        tt = m.Timetable(name="v1")
        s.add_all([day, c, tt])
        s.flush()
        a = m.Activity(course_id=c.id)
        s.add(a)
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.add(m.SessionAssignment(timetable_id=tt.id, activity_id=a.id, occurrence=0, day_id=day.id))
            s.flush()
