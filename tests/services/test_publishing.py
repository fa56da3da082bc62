"""Publishing: a fresh check, the explicit override, frozen snapshots, copies to a new draft, notices."""

import datetime as dt

import pytest

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import faculty_changes
from ato_desktop.services import mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.services import version_lifecycle as versions
from ato_desktop.services.errors import ValidationError
from ato_desktop.services.frozen import FrozenVersionError
from ato_desktop.storage import models as m


def _unschedule_one(db, name=REFERENCE_NAME):
    s = next(v for v in tts.list_sessions(db, name) if v.scheduled)
    tts.move_session(db, s.id, None, None, None)
    return s


def test_check_counts_unscheduled_sessions_fresh_not_the_stored_score(demo_db):
    tts.save_rows(demo_db, REFERENCE_NAME, {}, hard=0, soft=0)  # a stored "hard 0" that is not true
    s = _unschedule_one(demo_db)
    check = versions.check_version(demo_db, REFERENCE_NAME)
    assert check.unscheduled == 1 and check.hard >= 1 and check.blocked
    assert s.label in check.unscheduled_lines
    assert tts.get_timetable(demo_db, REFERENCE_NAME).hard_cost == 0  # the check writes nothing
    assert "first publication" in check.mail.sentence() and check.mail.count >= 18


def test_publish_refuses_unscheduled_without_override_and_records_it_with(demo_db):
    _unschedule_one(demo_db)
    with pytest.raises(versions.PublishRefused, match="1 unscheduled session"):
        versions.publish_version(demo_db, REFERENCE_NAME)
    info = tts.get_timetable(demo_db, REFERENCE_NAME)
    assert info.status == "draft" and outbox.list_outbox(demo_db) == []
    out = versions.publish_version(demo_db, REFERENCE_NAME, force=True, by="the coordinator")
    assert out.override and "1 unscheduled" in out.override and "the coordinator" in out.override
    with demo_db.read_session() as s:
        tt = s.get(m.Timetable, info.id)
        assert tt.status == "published" and tt.publish_override == out.override
        assert s.query(m.PublishedSession).filter_by(timetable_id=info.id).count() == info.sessions
    with pytest.raises(ValidationError, match="already published"):
        versions.publish_version(demo_db, REFERENCE_NAME, force=True)


def test_a_clean_version_publishes_without_override(demo_db):
    out = versions.publish_version(demo_db, REFERENCE_NAME)
    assert out.override is None and not out.check.blocked and out.queued >= 18


def test_a_published_version_refuses_edits_and_copies_to_an_editable_draft(demo_db):
    versions.publish_version(demo_db, REFERENCE_NAME)
    s = next(v for v in tts.list_sessions(demo_db, REFERENCE_NAME) if v.scheduled)
    for attempt in (lambda: tts.move_session(demo_db, s.id, None, None, None),
                    lambda: tts.set_locked(demo_db, [s.id], True),
                    lambda: tts.restore_session(demo_db, s),
                    lambda: tts.save_placements(demo_db, REFERENCE_NAME, {s.id: (None, None, None)}),
                    lambda: tts.rename_timetable(demo_db, REFERENCE_NAME, "Renamed")):
        with pytest.raises(FrozenVersionError, match="published and frozen.*Copy it to a new draft"):
            attempt()
    after = next(v for v in tts.list_sessions(demo_db, REFERENCE_NAME) if v.id == s.id)
    assert after == s
    draft = versions.copy_to_draft(demo_db, REFERENCE_NAME)
    assert draft.status == "draft" and draft.name != REFERENCE_NAME and draft.scheduled == draft.sessions
    copy = next(v for v in tts.list_sessions(demo_db, draft.id) if (v.activity_id, v.occurrence) ==
                (s.activity_id, s.occurrence))
    tts.move_session(demo_db, copy.id, None, None, None)  # the draft is editable


def test_a_new_teacher_after_publishing_does_not_rewrite_what_was_published(demo_db):
    versions.publish_version(demo_db, REFERENCE_NAME)
    s = next(v for v in tts.list_sessions(demo_db, REFERENCE_NAME) if v.scheduled and v.faculty == ("SRA",))
    res.update_item(demo_db, "activity", s.activity_id, {"faculty": ["TKA"]})
    res.update_item(demo_db, "faculty", "SRA", {"name": "Renamed Later"})
    frozen = {(f.activity_id, f.occurrence): f for f in tts.published_sessions(demo_db, REFERENCE_NAME)}
    fs = frozen[(s.activity_id, s.occurrence)]
    assert fs.faculty_codes == ("SRA",) and fs.faculty_names != ("Renamed Later",)
    from ato_desktop.services.reports import load_report_data

    data = load_report_data(demo_db, REFERENCE_NAME, with_availability=False)
    assert any(v.activity_id == s.activity_id for v in data.faculty_sessions("SRA"))
    assert not any(v.activity_id == s.activity_id for v in data.faculty_sessions("TKA"))
    assert data.faculty["SRA"]["name"] == fs.faculty_names[0]
    # the weekly reminder reads the snapshot too: SRA still has that class, TKA does not
    r = notes.preview(demo_db, subject="$version", body_text="$classes", faculty_code="SRA",
                      timetable=REFERENCE_NAME)
    assert s.course_code in r.text


def test_change_of_teacher_notifies_the_old_and_the_new_teacher(demo_db):
    versions.publish_version(demo_db, REFERENCE_NAME)
    s = next(v for v in tts.list_sessions(demo_db, REFERENCE_NAME) if v.scheduled and v.faculty == ("SRA",))
    draft = versions.copy_to_draft(demo_db, REFERENCE_NAME, "v2")
    res.update_item(demo_db, "activity", s.activity_id, {"faculty": ["TKA"]})
    changes = faculty_changes.change_summary(demo_db, REFERENCE_NAME, draft.id)
    assert "SRA" in changes and "TKA" in changes
    assert any("SRA → TKA" in line for line in changes["SRA"])
    assert any("SRA → TKA" in line for line in changes["TKA"])
    out = versions.publish_version(demo_db, "v2", force=True)
    assert {"SRA", "TKA"} <= set(out.result.queue.faculty)


def test_swapping_two_identical_sessions_is_not_a_change(demo_db):
    versions.publish_version(demo_db, REFERENCE_NAME)
    draft = versions.copy_to_draft(demo_db, REFERENCE_NAME, "v2")
    views = [v for v in tts.list_sessions(demo_db, draft.id) if v.scheduled]
    by_act: dict[int, list] = {}
    for v in views:
        by_act.setdefault(v.activity_id, []).append(v)
    a, b = next(vs[:2] for vs in by_act.values() if len(vs) >= 2)
    tts.save_placements(demo_db, draft.id, {a.id: (b.day, b.period, b.room), b.id: (a.day, a.period, a.room)})
    moved = {v.id: v for v in tts.list_sessions(demo_db, draft.id)}
    assert (moved[a.id].day, moved[a.id].period) == (b.day, b.period)
    assert faculty_changes.change_summary(demo_db, REFERENCE_NAME, draft.id) == {}
    assert versions.check_version(demo_db, draft.id).mail.count == 0


def test_a_message_about_a_draft_never_says_published(demo_db):
    tpl = mail_templates.get_template(demo_db, notes.PUBLISH_TEMPLATE)
    draft = notes.preview(demo_db, subject=tpl.subject, body_text=tpl.body_text, body_html=tpl.body_html,
                          timetable=REFERENCE_NAME)
    assert "publish" not in draft.text.lower() and "publish" not in draft.html.lower()
    assert "draft" in draft.text
    versions.publish_version(demo_db, REFERENCE_NAME)
    published = notes.preview(demo_db, subject=tpl.subject, body_text=tpl.body_text, body_html=tpl.body_html,
                              timetable=REFERENCE_NAME)
    assert "has been published" in published.text


def test_a_template_with_an_unknown_variable_is_refused_naming_it(demo_db):
    with pytest.raises(ValidationError, match=r"\$facluty_name is not a known variable"):
        mail_templates.save_template(demo_db, "typo", subject="Hello $version", body_text="Dear $facluty_name,")
    with pytest.raises(ValidationError, match=r"\$wek"):
        mail_templates.save_template(demo_db, "typo", subject="Hello ${wek}", body_text="x")
    mail_templates.save_template(demo_db, "ok", subject="Costs $$5 for $version", body_text="Dear $faculty_name, $published")
    assert [t.name for t in mail_templates.list_templates(demo_db)].count("typo") == 0


def test_a_weekly_reminder_sent_on_a_sunday_names_the_coming_week(demo_db):
    versions.publish_version(demo_db, REFERENCE_NAME)
    sunday = dt.date(2026, 11, 29)
    assert sunday.weekday() == 6
    result = notes.queue_weekly(demo_db, today=sunday)
    assert result.queued >= 18
    with demo_db.read_session() as s:
        row = s.query(m.OutboxMessage).filter(m.OutboxMessage.event.like("weekly:%")).first()
        assert "week of 30 Nov 2026" in row.subject + row.body_text
        assert row.event == "weekly:2026-W49"
    # the same week asked on its Monday queues nothing new; a Wednesday names its own week
    assert notes.queue_weekly(demo_db, today=dt.date(2026, 11, 30)).queued == 0
    assert notes.week_label(notes.coming_week(dt.date(2026, 12, 2))) == "week of 30 Nov 2026"


def test_a_published_version_is_not_synced_with_later_activity_changes_and_archiving_keeps_it(demo_db):
    versions.publish_version(demo_db, REFERENCE_NAME)
    before = tts.list_sessions(demo_db, REFERENCE_NAME)
    act = next(a for a in res.list_items(demo_db, "activity") if a["sessions_per_week"] < 5)
    res.update_item(demo_db, "activity", act["id"], {"sessions_per_week": act["sessions_per_week"] + 1})
    assert tts.list_sessions(demo_db, REFERENCE_NAME) == before  # nothing added to a published version
    assert len(tts.published_sessions(demo_db, REFERENCE_NAME)) == len(before)
    tts.set_status(demo_db, REFERENCE_NAME, "archived")
    assert len(tts.published_sessions(demo_db, REFERENCE_NAME)) == len(before)
    with pytest.raises(FrozenVersionError):
        tts.move_session(demo_db, before[0].id, None, None, None)


def test_published_pdfs_print_the_period_times_of_publish_time(demo_db):
    from ato_desktop.services.reports import load_report_data
    from ato_desktop.services import calendar as cal

    versions.publish_version(demo_db, REFERENCE_NAME)
    c = cal.get_calendar(demo_db)
    first = c.periods[0]
    moved = [(p.label, p.start_time, p.end_time, p.is_break) for p in c.periods]
    moved[0] = ("Early", "07:00", first.end_time, first.is_break)
    cal.set_calendar(demo_db, [d.name for d in c.days], moved)
    assert cal.get_calendar(demo_db).periods[0].start_time == "07:00"
    data = load_report_data(demo_db, REFERENCE_NAME, with_availability=False)
    assert (data.calendar.periods[0].label, data.calendar.periods[0].start_time) == (first.label, first.start_time)
    # a draft prints the calendar as it is now
    draft = versions.copy_to_draft(demo_db, REFERENCE_NAME)
    data = load_report_data(demo_db, draft.id, with_availability=False)
    assert data.calendar.periods[0].start_time == "07:00"
    lines = [x for v in faculty_changes.change_summary(demo_db, REFERENCE_NAME, draft.id).values() for x in v]
    assert any("07:00" in x for x in lines)  # the notice tells the new time
