"""Change summaries between published versions, and publish_and_notify's queue (one transaction)."""

import pytest

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import faculty_changes
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from ato_desktop.services import timetables as tts


def _v2_with_changes(db):
    """Copy the reference; move one of SRA's sessions, change the room of one of RKM's."""
    tts.copy_timetable(db, REFERENCE_NAME, "v2")
    sessions = [s for s in tts.list_sessions(db, "v2") if s.scheduled]
    sra = next(s for s in sessions if s.faculty == ("SRA",) and s.duration == 1)
    rkm = next(s for s in sessions if s.faculty == ("RKM",) and s.duration == 1 and s.room != "CR-105"
               and s.kind == "L")
    busy = {(s.day, s.period) for s in sessions if "SRA" in s.faculty}
    free = next((d, p) for d in range(6) for p in (0, 1, 2, 3, 5, 6) if (d, p) not in busy)
    tts.move_session(db, sra.id, free[0], free[1], sra.room)
    tts.move_session(db, rkm.id, rkm.day, rkm.period, "CR-105")
    return sra, rkm, free


def test_change_summary_lists_each_changed_session_for_its_faculty(demo_db):
    sra, rkm, free = _v2_with_changes(demo_db)
    changes = faculty_changes.change_summary(demo_db, REFERENCE_NAME, "v2")
    assert set(changes) == {"SRA", "RKM"}
    [line] = changes["SRA"]
    assert line.startswith(f"{sra.course_code} Lecture") or line.startswith(sra.course_code)
    assert "→" in line and f"room {sra.room}" in line
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    assert line.split("→")[1].strip().startswith(days[free[0]])
    [line] = changes["RKM"]
    assert f"room {rkm.room} → CR-105" in line
    assert faculty_changes.change_summary(demo_db, "v2", "v2") == {}


def test_first_publication_lists_every_class_as_new(demo_db):
    changes = faculty_changes.change_summary(demo_db, None, REFERENCE_NAME)
    sessions = [s for s in tts.list_sessions(demo_db, REFERENCE_NAME) if s.scheduled]
    assert set(changes) == {f for s in sessions for f in s.faculty}
    assert sum(len(v) for v in changes.values()) == sum(len(s.faculty) for s in sessions)
    assert all(": new, " in line for v in changes.values() for line in v)


def test_publish_and_notify_queues_only_affected_faculty_once(demo_db):
    first = notes.publish_and_notify(demo_db, REFERENCE_NAME)
    assert first.previous is None and first.queue.queued == len(first.changes) >= 18
    assert tts.get_timetable(demo_db, REFERENCE_NAME).status == "published"
    _v2_with_changes(demo_db)
    second = notes.publish_and_notify(demo_db, "v2")
    assert second.previous == REFERENCE_NAME and sorted(second.queue.faculty) == ["RKM", "SRA"]
    assert tts.latest_published(demo_db).name == "v2"
    again = notes.publish_and_notify(demo_db, "v2")
    assert again.queue.queued == 0 and again.queue.already_queued == 2
    rows = [r for r in outbox.list_outbox(demo_db) if r.event == "publish" and r.subject.find("v2") >= 0]
    assert sorted(r.faculty_code for r in rows) == ["RKM", "SRA"]
    with demo_db.read_session() as s:
        from ato_desktop.storage import models as m

        body = s.get(m.OutboxMessage, rows[0].id).body_text
    assert "→" in body and "Dear " in body


def test_publish_is_one_transaction(demo_db):
    """A failure while queuing leaves the version unpublished and nothing queued."""
    from ato_desktop.services.errors import NotFoundError

    with pytest.raises(NotFoundError):
        notes.publish_and_notify(demo_db, REFERENCE_NAME, template="no such template")
    assert tts.get_timetable(demo_db, REFERENCE_NAME).status == "draft"
    assert outbox.list_outbox(demo_db) == []


def test_weekly_and_digest_are_idempotent_and_follow_the_calendar(demo_db):
    import datetime as dt

    assert notes.queue_weekly(demo_db).queued == 0  # nothing published yet
    notes.publish_and_notify(demo_db, REFERENCE_NAME)
    monday = dt.date(2026, 11, 23)
    w = notes.queue_weekly(demo_db, today=monday)
    assert w.queued >= 18 and notes.queue_weekly(demo_db, today=monday + dt.timedelta(days=3)).queued == 0
    sessions = [s for s in tts.list_sessions(demo_db, REFERENCE_NAME) if s.day == 1]  # Tuesday
    d = notes.queue_daily_digest(demo_db, today=monday)  # tomorrow = Tuesday
    assert sorted(d.faculty) == sorted({f for s in sessions for f in s.faculty})
    assert notes.queue_daily_digest(demo_db, today=monday + dt.timedelta(days=5)).queued == 0  # Sunday: no classes
