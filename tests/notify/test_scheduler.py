"""APScheduler jobs in the same SQLite file: they fire, persist, and a missed one runs once.

The schedulers here run on a ManualClock: a test moves the clock and runs what is due (``run_due``), it
never waits for a real trigger; the mail still goes to a real SMTP server on 127.0.0.1."""

import datetime as dt
import sqlite3
import time

from apscheduler.events import EVENT_JOB_EXECUTED

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.notify.scheduler import (DIGEST_ID, RETRY_EVERY, RETRY_ID, WEEKLY_ID, ManualClock,
                                          NotificationScheduler)
from ato_desktop.services import faculty_changes
from ato_desktop.services import mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services import outbox
from tests.notify.conftest import configure


def _prepare(db, server):
    configure(db, server)
    notes.publish_and_notify(db, REFERENCE_NAME)
    with db.session() as s:  # the first publication's messages are not what this test is about
        from ato_desktop.storage import models as m
        from sqlalchemy import delete

        s.execute(delete(m.OutboxMessage))
    mail_templates.save_template(db, "weekly_plain", subject="Your classes, $week", body_text="$classes\n", attach_pdf=False)
    return len(faculty_changes.change_summary(db, None, REFERENCE_NAME))


def _wait(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def _clock(db) -> ManualClock:
    """A manual clock at the real time now (whole seconds), in the schedulers' time zone."""
    tz = NotificationScheduler(db.path).scheduler.timezone
    return ManualClock(dt.datetime.now(tz).replace(microsecond=0))


def test_weekly_job_scheduled_seconds_ahead_fires_and_sends(demo_db, smtp_server, memory_keyring):
    teachers = _prepare(demo_db, smtp_server)
    clock = _clock(demo_db)
    sched = NotificationScheduler(demo_db.path, clock=clock)
    sched.start()
    try:
        at = clock() + dt.timedelta(hours=3)
        job = sched.schedule_weekly(["mon", "tue", "wed", "thu", "fri", "sat", "sun"][at.weekday()],
                                    at.hour, at.minute, at.second, template="weekly_plain")
        assert job.next_run_time == at  # computed from the clock
        clock.advance(dt.timedelta(hours=3) - dt.timedelta(seconds=1))
        assert sched.run_due() and smtp_server.received == []  # a second early: nothing
        assert sched.last_runs.get(WEEKLY_ID) is None
        clock.advance(dt.timedelta(seconds=1))
        assert sched.run_due()
        assert len(smtp_server.received) == teachers, len(smtp_server.received)
        assert sched.last_runs[WEEKLY_ID].ok and sched.last_runs[WEEKLY_ID].at == at
        assert sched.job(WEEKLY_ID).next_run_time == at + dt.timedelta(weeks=1)
    finally:
        sched.shutdown()
    got = [r.rcpt_tos[0] for r in smtp_server.received]
    assert len(got) == len(set(got)) == teachers
    assert all(r.message["Subject"].startswith("Your classes, week of") for r in smtp_server.received)


def test_jobs_persist_in_the_same_file_across_restarts(demo_db, smtp_server, memory_keyring):
    sched = NotificationScheduler(demo_db.path)
    sched.start()
    sched.schedule_weekly("mon", 7, 0)
    sched.schedule_daily_digest(18, 30)
    sched.shutdown()
    con = sqlite3.connect(demo_db.path)
    ids = {r[0] for r in con.execute("SELECT id FROM apscheduler_jobs")}
    con.close()
    assert {WEEKLY_ID, DIGEST_ID, RETRY_ID} <= ids

    again = NotificationScheduler(demo_db.path)
    again.start(paused=True)
    try:
        jobs = {j.id: j for j in again.list_jobs()}
        assert jobs[WEEKLY_ID].next_run_time.weekday() == 0 and jobs[WEEKLY_ID].next_run_time.hour == 7
        assert (jobs[DIGEST_ID].next_run_time.hour, jobs[DIGEST_ID].next_run_time.minute) == (18, 30)
    finally:
        again.shutdown()
    # the database still opens and migrates normally with the job table in it
    from ato_desktop.storage.database import open_database

    open_database(demo_db.path).close()


def test_job_missed_while_closed_runs_once_at_next_start(demo_db, smtp_server, memory_keyring):
    teachers = _prepare(demo_db, smtp_server)
    clock = _clock(demo_db)
    slot = clock() - dt.timedelta(minutes=1)  # the weekly slot passed a minute ago...
    sched = NotificationScheduler(demo_db.path, clock=clock)
    sched.start(paused=True)
    sched.schedule_weekly(["mon", "tue", "wed", "thu", "fri", "sat", "sun"][slot.weekday()],
                          slot.hour, slot.minute, slot.second, template="weekly_plain")
    # ... and the app was closed for three weeks: three runs were missed
    sched.scheduler.modify_job(WEEKLY_ID, next_run_time=slot - dt.timedelta(weeks=2))
    sched.shutdown()
    assert smtp_server.received == []

    runs = []
    again = NotificationScheduler(demo_db.path, clock=clock)
    again.scheduler.add_listener(lambda ev: runs.append(ev.job_id) if ev.job_id == WEEKLY_ID else None,
                                 EVENT_JOB_EXECUTED)
    again.start()
    try:
        assert again.run_due()  # the start: every run due has finished
        assert len(smtp_server.received) == teachers
        assert runs == [WEEKLY_ID]  # coalesced: once, not three times
        assert again.job(WEEKLY_ID).next_run_time == slot + dt.timedelta(weeks=1)
        assert again.run_due() and runs == [WEEKLY_ID]  # none is left to come
    finally:
        again.shutdown()
    got = [r.rcpt_tos[0] for r in smtp_server.received]
    assert len(got) == len(set(got)) == teachers


def test_trigger_delivery_sends_the_outbox(demo_db, smtp_server, memory_keyring):
    configure(demo_db, smtp_server)
    mail_templates.save_template(demo_db, "plain", subject="s", body_text="b", attach_pdf=False)
    notes.queue_template(demo_db, "plain", to=["SRA", "AIY"])
    clock = _clock(demo_db)
    sched = NotificationScheduler(demo_db.path, clock=clock)
    sched.start()
    try:
        sched.trigger_delivery(dt.timedelta(minutes=1))
        assert sched.run_due() and smtp_server.received == []
        clock.advance(dt.timedelta(minutes=1))
        assert sched.run_due() and len(smtp_server.received) == 2
    finally:
        sched.shutdown()
    assert outbox.outbox_counts(demo_db)["sent"] == 2


def test_several_schedules_are_listed_described_and_removable(demo_db):
    from ato_desktop.notify.scheduler import daily_id, weekly_id

    sched = NotificationScheduler(demo_db.path)
    sched.start(paused=True)
    try:
        a = sched.schedule_weekly("Monday", 7, 0, job_id=weekly_id("mon", 7, 0, "weekly_reminder"))
        b = sched.schedule_weekly("fri", 16, 30, template="timetable", job_id=weekly_id("fri", 16, 30, "timetable"))
        c = sched.schedule_daily_digest(18, 0, job_id=daily_id(18, 0, "daily_digest"))
        assert (a.kind, a.description) == ("weekly", "Every Monday at 07:00: weekly_reminder")
        assert (b.kind, b.template, b.next_run_time.weekday()) == ("weekly", "timetable", 4)
        assert c.kind == "daily" and c.description.startswith("Every day at 18:00")
        assert {j.id for j in sched.schedules()} == {a.id, b.id, c.id}  # the retry job is not a "schedule"
        assert sched.remove(b.id) and not sched.remove(b.id)
        assert {j.id for j in sched.schedules()} == {a.id, c.id}
        import pytest

        with pytest.raises(ValueError):
            sched.schedule_weekly("someday", 7)
        with pytest.raises(ValueError):
            sched.schedule_daily_digest(25, 0)
    finally:
        sched.shutdown()


def test_ensure_scheduler_is_one_per_file_and_shutdown_of_one_does_not_stop_another(demo_db, tmp_path):
    import shutil

    from ato_desktop.notify import jobs
    from ato_desktop.notify.scheduler import active_scheduler, ensure_scheduler, shutdown_all

    other = tmp_path / "other.atodb"
    shutil.copyfile(demo_db.path, other)
    a = ensure_scheduler(demo_db.path, paused=True)
    try:
        assert ensure_scheduler(demo_db.path) is a and active_scheduler(str(demo_db.path)) is a
        b = ensure_scheduler(other, paused=True)
        assert b is not a
        b.shutdown()
        assert jobs.stop_event(other).is_set() and not jobs.stop_event(demo_db.path).is_set()
        assert active_scheduler(other) is None and active_scheduler(demo_db.path) is a
    finally:
        shutdown_all()
    assert active_scheduler(demo_db.path) is None and not a.running


def test_two_triggers_in_a_row_send_each_message_once_and_record_the_run(demo_db, smtp_server, memory_keyring):
    configure(demo_db, smtp_server)
    mail_templates.save_template(demo_db, "plain", subject="s", body_text="b", attach_pdf=False)
    notes.queue_template(demo_db, "plain", to=["SRA", "AIY"])
    sched = NotificationScheduler(demo_db.path, clock=_clock(demo_db))
    sched.start()
    try:
        first = sched.trigger_delivery()
        notes.queue_template(demo_db, "plain", to=["RKM"])
        second = sched.trigger_delivery()
        assert first != second
        assert sched.run_due()
        assert len(smtp_server.received) == 3 and second in sched.last_runs
    finally:
        sched.shutdown()
    assert sorted(r.rcpt_tos[0][:3] for r in smtp_server.received) == ["aiy", "rkm", "sra"]
    assert sched.last_runs[second].ok and "sent" in sched.last_runs[second].text


def test_quitting_mid_delivery_loses_nothing_and_sends_nothing_twice(demo_db, smtp_server, memory_keyring):
    import asyncio

    class SlowHandler(type(smtp_server.handler)):
        async def handle_DATA(self, server, session, envelope):
            await asyncio.sleep(0.4)
            return await super().handle_DATA(server, session, envelope)

    smtp_server.stop()
    smtp_server.handler = SlowHandler()
    smtp_server.start()
    configure(demo_db, smtp_server)
    mail_templates.save_template(demo_db, "plain", subject="s", body_text="b", attach_pdf=False)
    codes = sorted(faculty_changes.change_summary(demo_db, None, REFERENCE_NAME))[:8]
    notes.queue_template(demo_db, "plain", to=codes)
    sched = NotificationScheduler(demo_db.path)
    sched.start()
    sched.trigger_delivery()
    assert _wait(lambda: len(smtp_server.received) >= 2, 8)
    sched.shutdown()  # the app quits while the delivery is running
    counts = outbox.outbox_counts(demo_db)
    assert counts["sending"] == 0 and 2 <= counts["sent"] < len(codes)
    assert counts["sent"] + counts["queued"] == len(codes)
    assert len(smtp_server.received) == counts["sent"]

    clock = _clock(demo_db)
    again = NotificationScheduler(demo_db.path, clock=clock)  # next start: the retry job picks the rest up
    again.start()
    try:
        clock.advance(RETRY_EVERY)
        assert again.run_due(60)
        assert outbox.outbox_counts(demo_db)["sent"] == len(codes)
    finally:
        again.shutdown()
    got = [r.rcpt_tos[0] for r in smtp_server.received]
    assert len(got) == len(set(got)) == len(codes)


def test_the_stored_job_references_still_name_importable_jobs_that_do_the_services_work():
    """Every database file with a schedule stores ``ato_desktop.notify.jobs:<function>``: those stay
    importable (thin shims, so no job-store migration) and run the services' work (notify imports no
    services: ``services.notification_jobs`` hands it over when the services are imported)."""
    import subprocess
    import sys

    from apscheduler.util import obj_to_ref, ref_to_obj

    from ato_desktop.notify import jobs
    from ato_desktop.services import notification_jobs as work

    for name in ("deliver_outbox", "send_weekly", "send_daily_digest"):
        ref = f"ato_desktop.notify.jobs:{name}"
        assert ref_to_obj(ref) is getattr(jobs, name) and obj_to_ref(getattr(jobs, name)) == ref
        assert jobs._work[name] is getattr(work, name)
    code = ("from apscheduler.util import ref_to_obj\n"
            "import ato_desktop.services\n"
            "from ato_desktop.notify import jobs\n"
            "ref_to_obj('ato_desktop.notify.jobs:send_weekly')\n"
            "print(sorted(jobs._work))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "['deliver_outbox', 'send_daily_digest', 'send_weekly']"


def test_a_one_off_job_removed_by_another_scheduler_does_not_end_this_one(demo_db, smtp_server, memory_keyring):
    """The app and the CLI (or two windows) each run a scheduler on the same file: when the other one ran a
    one-off delivery and removed its row first, APScheduler's removal raised JobLookupError, which ended this
    scheduler's thread and all scheduled mail with it. Simulated here: the job store's row is gone when this
    scheduler removes the job it just ran."""
    from apscheduler.jobstores.base import JobLookupError

    configure(demo_db, smtp_server)
    mail_templates.save_template(demo_db, "plain", subject="s", body_text="b", attach_pdf=False)
    notes.queue_template(demo_db, "plain", to=["SRA"])
    sched = NotificationScheduler(demo_db.path, clock=_clock(demo_db))
    store = sched.scheduler._jobstores["default"]
    real_remove = store.remove_job
    vanished = []

    def remove_job(job_id):
        if job_id.startswith("deliver-now") and not vanished:
            vanished.append(job_id)
            real_remove(job_id)  # the other scheduler removed it first
            raise JobLookupError(job_id)
        return real_remove(job_id)

    store.remove_job = remove_job
    sched.start()
    try:
        sched.trigger_delivery()
        assert sched.run_due() and len(smtp_server.received) == 1 and vanished
        notes.queue_template(demo_db, "plain", to=["AIY"])
        sched.trigger_delivery()  # this scheduler still runs jobs
        assert sched.run_due() and len(smtp_server.received) == 2
        assert sched.scheduler._thread.is_alive()
    finally:
        sched.shutdown()
