"""Notification schedules with APScheduler 3, persisted in the department's own SQLite file.

Jobs live in the table ``apscheduler_jobs`` of the same database (APScheduler's
``SQLAlchemyJobStore``; Alembic ignores that table), so they survive restarts
and move with the file. Every job is ``coalesce=True`` with a
``misfire_grace_time``: a weekly reminder missed while the laptop was closed
runs *once* when the app next starts (if within the grace time), not once per
missed week. Job functions are module-level (``ato_desktop.notify.jobs``) and
take the database path.

Jobs:

* ``weekly-reminder``  – cron, e.g. Monday 07:00 (:meth:`schedule_weekly`);
* ``daily-digest``     – cron, e.g. 18:00, tomorrow's classes (:meth:`schedule_daily_digest`);
* ``outbox-retry``     – every few minutes while the app runs: sends messages whose back-off expired;
* ``deliver-now``      – one-off, the *on publish* event (:meth:`trigger_delivery`).

Usage in the app: ``sched = NotificationScheduler(db.path); sched.start()`` and
``sched.shutdown()`` on quit; after ``services.notifications.publish_and_notify``
call ``sched.trigger_delivery()``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ato_desktop.notify import jobs

JOBS_TABLE = "apscheduler_jobs"
WEEKLY_ID = "weekly-reminder"
DIGEST_ID = "daily-digest"
RETRY_ID = "outbox-retry"
DELIVER_NOW_ID = "deliver-now"
DAY_ABBR = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

WEEKLY_GRACE = dt.timedelta(days=3)
DIGEST_GRACE = dt.timedelta(hours=12)
RETRY_EVERY = dt.timedelta(minutes=2)


class _Scheduler(BackgroundScheduler):
    """APScheduler 3's loop runs ``_process_jobs`` once more *after* ``shutdown()`` stopped the
    executors; a job due at that moment fails to submit and its run is used up (its next run
    time moves on). Skip that last pass, so a run missed at quit time stays due for the next start."""

    def _process_jobs(self):
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    name: str
    next_run_time: dt.datetime | None
    trigger: str


class NotificationScheduler:
    def __init__(self, db_path: str | Path, *, timezone=None):
        from ato_desktop.storage.database import make_engine

        self.db_path = str(Path(db_path).resolve())
        self._engine = make_engine(Path(self.db_path))  # WAL, busy timeout: same rules as the app
        kwargs = {"timezone": timezone} if timezone is not None else {}
        self.scheduler = _Scheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self._engine, tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(max_workers=1)},  # one delivery at a time
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": int(WEEKLY_GRACE.total_seconds())},
            **kwargs,
        )

    # ---- lifecycle ----------------------------------------------------------
    def start(self, *, paused: bool = False, retry_every: dt.timedelta = RETRY_EVERY) -> None:
        jobs.stopping.clear()
        self.scheduler.start(paused=paused)
        self.scheduler.add_job(jobs.deliver_outbox, IntervalTrigger(seconds=int(retry_every.total_seconds())),
                               args=[self.db_path], id=RETRY_ID, name="Send waiting e-mails",
                               replace_existing=True, misfire_grace_time=int(retry_every.total_seconds()))

    def shutdown(self, wait: bool = True) -> None:
        """Stop; a delivery in progress stops between two messages (the rest stays queued)."""
        jobs.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        self._engine.dispose()

    @property
    def running(self) -> bool:
        return self.scheduler.running

    # ---- schedules -----------------------------------------------------------
    def schedule_weekly(self, day_of_week: str = "mon", hour: int = 7, minute: int = 0, second: int = 0,
                        template: str = "weekly_reminder") -> ScheduledJob:
        day = day_of_week.strip().lower()[:3]
        if day not in DAY_ABBR:
            raise ValueError(f"{day_of_week!r} is not a day of the week")
        self.scheduler.add_job(jobs.send_weekly, CronTrigger(day_of_week=day, hour=hour, minute=minute,
                                                             second=second, timezone=self.scheduler.timezone),
                               args=[self.db_path, template], id=WEEKLY_ID, name=f"Weekly reminder ({template})",
                               replace_existing=True, misfire_grace_time=int(WEEKLY_GRACE.total_seconds()))
        return self.job(WEEKLY_ID)

    def schedule_daily_digest(self, hour: int = 18, minute: int = 0, second: int = 0,
                              template: str = "daily_digest") -> ScheduledJob:
        self.scheduler.add_job(jobs.send_daily_digest, CronTrigger(hour=hour, minute=minute, second=second,
                                                                   timezone=self.scheduler.timezone),
                               args=[self.db_path, template], id=DIGEST_ID,
                               name=f"Daily digest of tomorrow's classes ({template})",
                               replace_existing=True, misfire_grace_time=int(DIGEST_GRACE.total_seconds()))
        return self.job(DIGEST_ID)

    def trigger_delivery(self, delay: dt.timedelta = dt.timedelta(0)) -> None:
        """The *on publish* event: send the outbox now (in the scheduler's worker thread)."""
        when = dt.datetime.now(self.scheduler.timezone) + delay
        self.scheduler.add_job(jobs.deliver_outbox, "date", run_date=when, args=[self.db_path],
                               id=DELIVER_NOW_ID, name="Send e-mails now", replace_existing=True,
                               misfire_grace_time=24 * 3600)

    def remove(self, job_id: str) -> bool:
        if self.scheduler.get_job(job_id) is None:
            return False
        self.scheduler.remove_job(job_id)
        return True

    # ---- inspection ----------------------------------------------------------
    def job(self, job_id: str) -> ScheduledJob | None:
        j = self.scheduler.get_job(job_id)
        return None if j is None else ScheduledJob(j.id, j.name, j.next_run_time, str(j.trigger))

    def list_jobs(self) -> list[ScheduledJob]:
        return [ScheduledJob(j.id, j.name, j.next_run_time, str(j.trigger)) for j in self.scheduler.get_jobs()]
