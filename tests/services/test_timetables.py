import pytest

from ato_desktop.services import calendar as cal
from ato_desktop.services import timetables as tts
from ato_desktop.services.errors import ValidationError
from tests.conftest import ON_POSTGRESQL


def test_copy_move_lock_and_restore(demo_db):
    ref = tts.get_timetable(demo_db, "Reference timetable")
    assert ref.scheduled == ref.sessions > 100
    copy = tts.copy_timetable(demo_db, ref.id, "Draft 2")
    assert copy.scheduled == ref.scheduled
    s = tts.list_sessions(demo_db, copy.id)[0]
    before = tts.move_session(demo_db, s.id, 5, 6, "CR-105")
    moved = next(x for x in tts.list_sessions(demo_db, copy.id) if x.id == s.id)
    assert (moved.day, moved.period, moved.room) == (5, 6, "CR-105")
    # the reference is untouched
    orig = next(x for x in tts.list_sessions(demo_db, ref.id) if (x.activity_id, x.occurrence) == (s.activity_id, s.occurrence))
    assert (orig.day, orig.period, orig.room) == (before.day, before.period, before.room)
    tts.set_locked(demo_db, [s.id], True)
    assert next(x for x in tts.list_sessions(demo_db, copy.id) if x.id == s.id).locked
    tts.restore_session(demo_db, before)
    back = next(x for x in tts.list_sessions(demo_db, copy.id) if x.id == s.id)
    assert (back.day, back.period, back.room, back.locked) == (before.day, before.period, before.room, False)


def test_move_refuses_unknown_slots_and_rooms(demo_db):
    s = tts.list_sessions(demo_db)[0]
    with pytest.raises(ValidationError, match="no day 10"):
        tts.move_session(demo_db, s.id, 9, 0, None)
    with pytest.raises(ValidationError, match="no room 'MARS-1'"):
        tts.move_session(demo_db, s.id, 0, 0, "MARS-1")
    assert tts.list_sessions(demo_db)[0] == s


def test_unschedule_and_names(demo_db):
    with pytest.raises(ValidationError, match="already used"):
        tts.create_timetable(demo_db, "reference TIMETABLE")
    new = tts.create_timetable(demo_db, "Empty")
    assert new.scheduled == 0 and new.sessions == tts.get_timetable(demo_db, "Reference timetable").sessions
    s = tts.list_sessions(demo_db, "Reference timetable")[0]
    tts.move_session(demo_db, s.id, None, None, None)
    assert not next(x for x in tts.list_sessions(demo_db, "Reference timetable") if x.id == s.id).scheduled


def test_publish_sets_timestamp(demo_db):
    info = tts.set_status(demo_db, "Reference timetable", "published")
    assert info.status == "published" and info.published_at is not None
    assert tts.latest_published(demo_db).name == "Reference timetable"
    with pytest.raises(ValidationError):
        tts.set_status(demo_db, "Reference timetable", "famous")


def test_calendar_validation(db):
    with pytest.raises(ValidationError, match="not a time like 09:00"):
        cal.set_calendar(db, ["Monday"], [("P1", "9am", "10:00", False)])
    with pytest.raises(ValidationError, match="before the previous period ends"):
        cal.set_calendar(db, ["Monday"], [("P1", "09:00", "10:00", False), ("P2", "09:30", "10:30", False)])
    with pytest.raises(ValidationError, match="every period is a break"):
        cal.set_calendar(db, ["Monday"], [("L", "12:00", "13:00", True)])
    c = cal.set_calendar(db, ["Monday", "Tuesday"], [("P1", "09:00", "10:00", False), ("L", "10:00", "10:30", True)])
    assert c.n_days == 2 and c.periods[1].is_break


def test_calendar_cannot_shrink_under_scheduled_sessions(demo_db):
    with pytest.raises(ValidationError, match="scheduled session"):
        cal.set_calendar(demo_db, ["Monday"], [("P1", "09:00", "10:00", False)])
    assert cal.get_calendar(demo_db).n_days == 6


def _statements(db):
    """Record every SQL statement the database runs (including BEGIN [IMMEDIATE])."""
    from sqlalchemy import event

    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda c, cur, stmt, *a: seen.append(stmt.strip().upper()))
    return seen


def test_list_sessions_reads_without_a_write_transaction_when_in_sync(demo_db):
    from ato_desktop.services import resources as res

    before = tts.list_sessions(demo_db, "Reference timetable")
    seen = _statements(demo_db)
    again = tts.list_sessions(demo_db, "Reference timetable")
    assert again == before
    assert not [x for x in seen if x.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert "BEGIN IMMEDIATE" not in seen

    # a new activity: its sessions appear (unscheduled) and are stored, in one write transaction
    act = res.list_items(demo_db, "activity")[0]
    new = res.create_item(demo_db, "activity", {"course": act["course"], "kind": "T", "groups": act["groups"],
                                                "faculty": act["faculty"], "sessions_per_week": 2})
    seen.clear()
    rows = tts.list_sessions(demo_db, "Reference timetable")
    mine = [x for x in rows if x.activity_id == new["id"]]
    assert [(x.occurrence, x.scheduled) for x in mine] == [(0, False), (1, False)]
    assert len(rows) == len(before) + 2
    if ON_POSTGRESQL:  # no BEGIN IMMEDIATE there (psycopg begins by itself): the write is the sessions' INSERT
        assert [x.split("(")[0].strip() for x in seen if x.startswith(("INSERT", "UPDATE", "DELETE"))] == [
            "INSERT INTO SESSION_ASSIGNMENT"]
    else:
        assert seen.count("BEGIN IMMEDIATE") == 1
    seen.clear()
    assert tts.list_sessions(demo_db, "Reference timetable") == rows
    assert "BEGIN IMMEDIATE" not in seen

    # fewer sessions per week: the extra occurrence goes
    res.update_item(demo_db, "activity", new["id"], {"sessions_per_week": 1})
    rows = tts.list_sessions(demo_db, "Reference timetable")
    assert [x.occurrence for x in rows if x.activity_id == new["id"]] == [0]
    assert len(rows) == len(before) + 1



def test_session_views_read_with_core_queries_equal_the_orm_reading(demo_db):
    """list_sessions reads rows with Core queries; every field must equal the ORM reading."""
    from ato_desktop.services import resources as res

    ref = tts.get_timetable(demo_db, "Reference timetable")
    rows = tts.list_sessions(demo_db, ref.id)
    tts.set_locked(demo_db, [rows[0].id, rows[3].id], True)
    tts.move_session(demo_db, rows[1].id, None, None, None)  # unscheduled
    act = res.list_items(demo_db, "activity")[0]
    two_groups = sorted(g["code"] for g in res.list_items(demo_db, "group"))[:2][::-1]  # given out of order
    two_teachers = sorted(f["code"] for f in res.list_items(demo_db, "faculty"))[:2][::-1]
    res.create_item(demo_db, "activity", {"course": act["course"], "kind": "P", "groups": two_groups,
                                          "faculty": two_teachers, "sessions_per_week": 1})
    fast = tts.list_sessions(demo_db, ref.id)
    with demo_db.read_session() as s:
        slow = tts._session_views_orm(s, ref.id)
    assert fast == slow
    assert any(v.locked for v in fast) and any(not v.scheduled for v in fast)
    assert any(v.room for v in fast) and any(len(v.groups) > 1 or len(v.faculty) > 1 for v in fast)


def test_list_sessions_of_a_read_only_database_lists_what_a_sync_would_without_writing(demo_db_path):
    """A version missing rows (a new activity) and holding rows past an activity's sessions (one fewer),
    opened read-only: the list is what the writable sync gives (ids aside) and the file is not touched."""
    import dataclasses
    import hashlib
    import shutil

    from ato_desktop.services import resources as res
    from ato_desktop.storage.database import open_database, open_readonly

    db = open_database(demo_db_path)
    try:
        acts = res.list_items(db, "activity")
        act = acts[0]
        new = res.create_item(db, "activity", {"course": act["course"], "kind": "T", "groups": act["groups"],
                                               "faculty": act["faculty"], "sessions_per_week": 2})
        tts.list_sessions(db, "Reference timetable")  # stored in sync ...
        shrink = next(a for a in acts if a["sessions_per_week"] >= 2)
        res.update_item(db, "activity", shrink["id"], {"sessions_per_week": shrink["sessions_per_week"] - 1})
        res.create_item(db, "activity", {"course": act["course"], "kind": "L", "groups": act["groups"],
                                         "faculty": act["faculty"], "sessions_per_week": 3})
    finally:
        db.close()  # ... then out of sync again: one row too many, three missing
    copy = demo_db_path.with_name("copy.atodb")
    shutil.copyfile(demo_db_path, copy)
    before = hashlib.sha256(demo_db_path.read_bytes()).hexdigest()

    ro = open_readonly(demo_db_path)
    try:
        listed = tts.list_sessions(ro, "Reference timetable")
    finally:
        ro.close()
    assert hashlib.sha256(demo_db_path.read_bytes()).hexdigest() == before

    rw = open_database(copy, backup=False)
    try:
        synced = tts.list_sessions(rw, "Reference timetable")
    finally:
        rw.close()
    strip = [dataclasses.replace(v, id=0) for v in listed]
    assert strip == [dataclasses.replace(v, id=0) for v in synced]
    missing = [v for v in listed if v.id < 0]
    assert len(missing) == 3 and not any(v.scheduled for v in missing)
    assert len({v.id for v in listed}) == len(listed)
    assert new["id"] in {v.activity_id for v in listed}


def test_settings_refuse_unknown_names_and_multi_line_values_and_change_nothing(demo_db):
    before = cal.all_settings(demo_db)
    with pytest.raises(ValidationError, match="Setting institution: is not a setting here; use one of institution_name"):
        cal.set_settings(demo_db, term="Even Semester 2027", institution="Typo College")
    with pytest.raises(ValidationError, match="must be on one line"):
        cal.set_settings(demo_db, term="Even\nSemester")
    assert cal.all_settings(demo_db) == before  # all or nothing: the valid term was not written either
    cal.set_settings(demo_db, term="Even Semester 2027")
    assert cal.get_setting(demo_db, "term") == "Even Semester 2027"
