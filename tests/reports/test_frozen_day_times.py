"""A published or approved version is frozen, its period times too: a day's own times (services.bells, a
Saturday half-day) and the calendar's, edited after publication, do not change what the version prints
(PDF parsed back with pypdf), publishes on the website or puts in the .ics calendars; a draft shows the
new times."""

from __future__ import annotations

import datetime as dt

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import approval, bells
from ato_desktop.services import calendar as cal
from ato_desktop.services import timetables as tts
from ato_desktop.services import version_lifecycle as versions
from ato_desktop.services.publishing import timetable_view
from ato_desktop.services.reports import build_report
from tests.reports.conftest import page_texts, read_pdf

BEFORE = {"P1": ("08:00", "08:45"), "P2": ("08:45", "09:30")}
AFTER = {"P1": ("07:30", "08:15"), "P2": ("08:15", "09:00")}


def _group_text(db, version) -> str:
    pdf, _pages, _data = build_report(db, "group", name="CSE-3A", timetable_id=version)
    (text,) = page_texts(read_pdf(pdf))
    return text


def _saturday(db) -> int:
    return next(d.position for d in cal.get_calendar(db).days if d.name == "Saturday")


def _last_period_end(db) -> str:
    return cal.get_calendar(db).periods[-1].end_time


def test_a_published_version_prints_the_times_it_was_published_with(demo_db):
    bells.set_day_times(demo_db, "Saturday", BEFORE)
    versions.publish_version(demo_db, REFERENCE_NAME, by="C")
    versions.copy_to_draft(demo_db, REFERENCE_NAME, "Draft")
    bells.set_day_times(demo_db, "Saturday", AFTER)  # edited after publication

    published = _group_text(demo_db, REFERENCE_NAME)
    assert "Saturday: P1 08:00–08:45, P2 08:45–09:30" in published
    assert "07:30" not in published
    draft = _group_text(demo_db, "Draft")
    assert "Saturday: P1 07:30–08:15, P2 08:15–09:00" in draft and "08:00–08:45" not in draft

    # the website and the .ics calendars read the version's view: its frozen times
    sat = _saturday(demo_db)
    now = dt.datetime(2027, 1, 1, 6, 0, tzinfo=dt.timezone.utc)
    assert timetable_view(demo_db, REFERENCE_NAME, now=now).day_times[sat] == {0: BEFORE["P1"], 1: BEFORE["P2"]}
    assert timetable_view(demo_db, "Draft", now=now).day_times[sat] == {0: AFTER["P1"], 1: AFTER["P2"]}


def test_the_calendars_period_times_are_frozen_too_and_undo_of_publish_unfreezes(demo_db):
    before_end = _last_period_end(demo_db)
    info = tts.get_timetable(demo_db, REFERENCE_NAME)
    outcome = versions.publish_version(demo_db, REFERENCE_NAME, by="C")
    assert outcome.result is not None
    # a later evening: the calendar's last period ends later
    calendar = cal.get_calendar(demo_db)
    rows = [(p.label, p.start_time, p.end_time, p.is_break) for p in calendar.periods]
    label, start, end, is_break = rows[-1]
    later = f"{int(end[:2]) + 1:02d}{end[2:]}"
    rows[-1] = (label, start, later, is_break)
    cal.set_calendar(demo_db, [d.name for d in calendar.days], rows)
    assert _last_period_end(demo_db) == later
    published = " ".join(page_texts(read_pdf(build_report(demo_db, "master", timetable_id=info.id)[0])))
    assert f"–{before_end}" in published and f"–{later}" not in published

    # back to a draft (the undo of a publication): the live times again, no frozen times left behind
    versions.set_status_exact(demo_db, info.id, ("draft", None))
    draft = " ".join(page_texts(read_pdf(build_report(demo_db, "master", timetable_id=info.id)[0])))
    assert f"–{later}" in draft
    from ato_desktop.services.frozen import frozen_times_key

    assert frozen_times_key(info.id) not in cal.all_settings(demo_db)


def test_an_approved_version_keeps_its_times(demo_db):
    versions.copy_to_draft(demo_db, REFERENCE_NAME, "Candidate")
    bells.set_day_times(demo_db, "Saturday", BEFORE)
    approval.submit(demo_db, "Candidate", who="Dr. Coordinator")
    approval.approve(demo_db, "Candidate", who="Dr. Head")
    bells.set_day_times(demo_db, "Saturday", AFTER)
    text = _group_text(demo_db, "Candidate")
    assert "Saturday: P1 08:00–08:45, P2 08:45–09:30" in text and "07:30" not in text
    versions.publish_version(demo_db, "Candidate", by="Dr. Head")  # publishing keeps what was approved
    text = _group_text(demo_db, "Candidate")
    assert "Saturday: P1 08:00–08:45, P2 08:45–09:30" in text and "07:30" not in text


def test_mails_about_a_version_say_the_days_own_times_as_published(demo_db):
    """What e-mails and change notices say about a session (``FrozenSession.slot_text``): a Saturday P1
    class at Saturday's own times, frozen with the version; the draft's at the times set since."""
    from ato_desktop.services import frozen

    bells.set_day_times(demo_db, "Saturday", BEFORE)
    versions.publish_version(demo_db, REFERENCE_NAME, by="C")
    versions.copy_to_draft(demo_db, REFERENCE_NAME, "Draft")
    bells.set_day_times(demo_db, "Saturday", AFTER)
    sat = _saturday(demo_db)
    published = [fs for fs in tts.published_sessions(demo_db, REFERENCE_NAME) if fs.day == sat and fs.period == 0]
    assert published and all("(08:00–" in fs.slot_text for fs in published)
    assert all(fs.slot_text.endswith("–08:45)") for fs in published if fs.duration == 1)
    draft = tts.get_timetable(demo_db, "Draft")
    with demo_db.read_session() as s:
        live = [fs for fs in frozen.live_sessions(s, draft.id) if fs.day == sat and fs.period == 0]
    assert live and all("(07:30–" in fs.slot_text for fs in live)
    assert all(fs.slot_text.endswith("–08:15)") for fs in live if fs.duration == 1)
