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

Several weekly / daily schedules may exist (``job_id`` of your choice, see
:func:`weekly_id`); the defaults use the fixed ids above.

Usage in the app: ``sched = ensure_scheduler(db.path)`` when a database is
opened (one running scheduler per file in this process, found again with
:func:`active_scheduler`), ``sched.shutdown()`` when it is closed and
:func:`shutdown_all` on quit; after ``services.notifications.publish`` (or
``publish_and_notify``) call ``sched.trigger_delivery()``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from threading import TIMEOUT_MAX

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobSubmissionEvent,
)
from apscheduler.executors.base import MaxInstancesReachedError
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ato_desktop.notify import jobs

JOBS_TABLE = "apscheduler_jobs"
WEEKLY_ID = "weekly-reminder"
DIGEST_ID = "daily-digest"
RETRY_ID = "outbox-retry"
DELIVER_NOW_ID = "deliver-now"
DAY_ABBR = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

WEEKLY_GRACE = dt.timedelta(days=3)
DIGEST_GRACE = dt.timedelta(hours=12)
RETRY_EVERY = dt.timedelta(minutes=2)


class ManualClock:
    """A clock the caller moves (tests): ``clock()`` is the time now, ``advance(delta)`` moves it on.

    Keep it at or after the real time: APScheduler's executor still counts a run as missed when the
    real time is past its run time by more than the job's grace time."""

    def __init__(self, start: dt.datetime):
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        with self._lock:
            self._now += delta
            return self._now


class _Scheduler(BackgroundScheduler):
    """APScheduler 3's background scheduler whose due times come from ``now`` (the real time, or a clock
    the caller drives: then it never wakes by itself, and :meth:`NotificationScheduler.run_due` runs
    what is due at the clock's time)."""

    def __init__(self, *, now, manual: bool, **options):
        self.now = now
        self.manual = manual
        super().__init__(**options)

    def wakeup(self):
        if not self.manual:
            super().wakeup()

    def _real_add_job(self, job, jobstore_alias, replace_existing):
        if not hasattr(job, "next_run_time"):  # APScheduler would take the real time
            job._modify(next_run_time=job.trigger.get_next_fire_time(None, self.now()))
        super()._real_add_job(job, jobstore_alias, replace_existing)

    def _process_jobs(self):
        """APScheduler 3's ``BaseScheduler._process_jobs`` (one executor, our clock), with two changes.

        APScheduler's loop runs it once more *after* ``shutdown()`` stopped the executors; a job due at
        that moment fails to submit and its run is used up (its next run time moves on): that last pass is
        skipped, so a run missed at quit time stays due for the next start. And a one-off job that another
        scheduler on the same file (the CLI, a second window) ran and removed first made APScheduler's
        removal raise JobLookupError, which ended this thread (and all scheduled mail until the app
        restarted): the job ran once, so that error is passed over."""
        if self.state != STATE_RUNNING:
            return None
        now = self.now()
        next_wakeup = None
        events = []
        with self._jobstores_lock:
            for alias, store in self._jobstores.items():
                try:
                    due = store.get_due_jobs(now)
                except Exception as exc:
                    log.warning("Error getting due jobs from job store %r: %s", alias, exc)
                    retry = now + dt.timedelta(seconds=self.jobstore_retry_interval)
                    next_wakeup = retry if next_wakeup is None else min(next_wakeup, retry)
                    continue
                for job in due:
                    run_times = job._get_run_times(now)
                    run_times = run_times[-1:] if run_times and job.coalesce else run_times
                    if not run_times:
                        continue
                    try:
                        self._lookup_executor(job.executor).submit_job(job, run_times)
                    except MaxInstancesReachedError:
                        log.warning("Execution of job %s skipped: it is still running", job)
                        events.append(JobSubmissionEvent(EVENT_JOB_MAX_INSTANCES, job.id, alias, run_times))
                    except BaseException:
                        log.exception("Error submitting job %s", job)
                    else:
                        events.append(JobSubmissionEvent(EVENT_JOB_SUBMITTED, job.id, alias, run_times))
                    following = job.trigger.get_next_fire_time(run_times[-1], now)
                    if following:
                        job._modify(next_run_time=following)
                        store.update_job(job)
                    else:
                        try:
                            self.remove_job(job.id, alias)
                        except JobLookupError:
                            pass  # another scheduler on the same file removed it first
                store_next = store.get_next_run_time()
                if store_next is not None:
                    store_next = store_next.astimezone(self.timezone)
                    next_wakeup = store_next if next_wakeup is None else min(next_wakeup, store_next)
        for event in events:
            self._dispatch_event(event)
        if next_wakeup is None or self.state != STATE_RUNNING:
            return None
        return min(max(next_wakeup.timestamp() - self.now().timestamp(), 0), TIMEOUT_MAX)


class _Executor(ThreadPoolExecutor):
    """APScheduler's thread pool, counting the runs submitted and not finished yet (for ``wait_idle``)."""

    def __init__(self, max_workers: int):
        super().__init__(max_workers)
        self.busy = 0
        self.changed = threading.Condition()

    def _do_submit_job(self, job, run_times):
        with self.changed:
            self.busy += 1
        try:
            super()._do_submit_job(job, run_times)
        except BaseException:
            self._finished()
            raise

    def _run_job_success(self, job_id, events):
        try:
            super()._run_job_success(job_id, events)  # the listeners (last_runs) have seen its events
        finally:
            self._finished()

    def _run_job_error(self, job_id, exc, traceback=None):
        try:
            super()._run_job_error(job_id, exc, traceback)
        finally:
            self._finished()

    def _finished(self) -> None:
        with self.changed:
            self.busy -= 1
            self.changed.notify_all()


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    name: str
    next_run_time: dt.datetime | None
    trigger: str
    kind: str = ""  # "weekly", "daily", "retry", "once"
    template: str = ""
    description: str = ""


@dataclass(frozen=True)
class JobRun:
    job_id: str
    at: dt.datetime
    ok: bool
    text: str  # the job's summary, or the error


log = logging.getLogger(__name__)
_active: dict[str, "NotificationScheduler"] = {}
_active_lock = threading.Lock()


def weekly_id(day_of_week: str, hour: int, minute: int, template: str) -> str:
    return f"weekly:{template}:{day_of_week[:3].lower()}:{hour:02d}{minute:02d}"


def daily_id(hour: int, minute: int, template: str) -> str:
    return f"daily:{template}:{hour:02d}{minute:02d}"


def _describe(j) -> ScheduledJob:
    func = getattr(j, "func_ref", "") or ""
    template = j.args[1] if len(j.args) > 1 else ""
    fields = {f.name: str(f) for f in getattr(j.trigger, "fields", [])}
    at = f"{int(fields.get('hour', '0') or 0):02d}:{int(fields.get('minute', '0') or 0):02d}" \
        if fields.get("hour", "*").isdigit() and fields.get("minute", "*").isdigit() else ""
    if func.endswith(":send_weekly"):
        day = fields.get("day_of_week", "")
        name = DAY_NAMES[DAY_ABBR.index(day)] if day in DAY_ABBR else day
        return ScheduledJob(j.id, j.name, j.next_run_time, str(j.trigger), "weekly", template,
                            f"Every {name} at {at}: {template}")
    if func.endswith(":send_daily_digest"):
        return ScheduledJob(j.id, j.name, j.next_run_time, str(j.trigger), "daily", template,
                            f"Every day at {at}: {template} (tomorrow's classes)")
    if j.id == RETRY_ID:
        return ScheduledJob(j.id, j.name, j.next_run_time, str(j.trigger), "retry", "", "Send waiting e-mails")
    return ScheduledJob(j.id, j.name, j.next_run_time, str(j.trigger), "once", "", j.name)


class NotificationScheduler:
    def __init__(self, db_path: str | Path, *, timezone=None, clock=None):
        """``clock``: a callable giving the (aware) time now, e.g. a :class:`ManualClock`. A scheduler given
        a clock does not wake by itself: the caller moves the clock and calls :meth:`run_due`."""
        from ato_desktop.storage import open_files
        from ato_desktop.storage.database import WRITE_OPTION, make_engine

        self.db_path = jobs.key_for(db_path)
        self._hold = open_files.hold(self.db_path)  # its job store's connections: no direct reads of the file here
        self._engine = make_engine(Path(self.db_path))  # WAL, busy timeout: same rules as the app
        # Every job-store transaction takes the write lock up front (BEGIN IMMEDIATE, waiting up to the busy
        # timeout): a deferred one that reads first (create-if-missing, update a job) fails at once with
        # "database is locked" when the app commits meanwhile (WAL cannot upgrade a stale read snapshot).
        store_engine = self._engine.execution_options(**{WRITE_OPTION: True})
        kwargs = {"timezone": timezone} if timezone is not None else {}
        self._executor = _Executor(max_workers=1)  # one delivery at a time
        self.clock = clock
        self.scheduler = _Scheduler(
            now=self.now, manual=clock is not None,
            jobstores={"default": SQLAlchemyJobStore(engine=store_engine, tablename=JOBS_TABLE)},
            executors={"default": self._executor},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": int(WEEKLY_GRACE.total_seconds())},
            **kwargs,
        )
        self.last_runs: dict[str, JobRun] = {}  # job id -> its last run in this session (for the UI)
        self.scheduler.add_listener(self._on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)

    def now(self) -> dt.datetime:
        """The time the due times are computed from: the clock's, or the real time."""
        return self.clock() if self.clock is not None else dt.datetime.now(self.scheduler.timezone)

    def _on_event(self, ev) -> None:
        now = self.now()
        if ev.code == EVENT_JOB_EXECUTED:
            run = JobRun(ev.job_id, now, True, str(ev.retval or "done"))
        elif ev.code == EVENT_JOB_MISSED:
            run = JobRun(ev.job_id, now, False, "missed: the app was closed for longer than the grace time")
        else:
            run = JobRun(ev.job_id, now, False, f"{type(ev.exception).__name__}: {ev.exception}")
            log.warning("notification job %s failed: %s", ev.job_id, run.text)
        self.last_runs[ev.job_id] = run

    # ---- lifecycle ----------------------------------------------------------
    def start(self, *, paused: bool = False, retry_every: dt.timedelta | None = None) -> None:
        retry_every = retry_every or RETRY_EVERY  # read now: a test may set a short interval for the app's scheduler
        jobs.stop_event(self.db_path).clear()
        self.scheduler.start(paused=paused)
        first = self.now() + retry_every
        self.scheduler.add_job(jobs.deliver_outbox, IntervalTrigger(seconds=retry_every.total_seconds(),
                                                                    start_date=first, timezone=self.scheduler.timezone),
                               args=[self.db_path], id=RETRY_ID, name="Send waiting e-mails",
                               replace_existing=True, misfire_grace_time=max(1, int(retry_every.total_seconds())))
        with _active_lock:
            _active.setdefault(self.db_path, self)

    def shutdown(self, wait: bool = True) -> None:
        """Stop; a delivery in progress stops between two messages (the rest stays queued)."""
        with _active_lock:
            if _active.get(self.db_path) is self:
                del _active[self.db_path]
        jobs.stop_event(self.db_path).set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        self._engine.dispose()
        self._hold.release()

    @property
    def running(self) -> bool:
        return self.scheduler.running

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no job runs and (unless paused) none is due; False after ``timeout`` seconds.

        What a caller (a test, the app at quit) waits on instead of sleeping: when it returns True,
        every run due so far has finished and its ``last_runs`` entry is written.
        """
        deadline = time.monotonic() + timeout
        ex = self._executor
        while True:
            # due first: a job leaves the store only once submitted (busy), so read busy after it
            if not self._due() and ex.busy == 0:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with ex.changed:
                if ex.busy:
                    ex.changed.wait(min(left, 0.5))  # woken when a run finishes
                else:
                    ex.changed.wait(min(left, 0.02))  # a due job is being picked up by the scheduler's thread

    def run_due(self, timeout: float = 30.0) -> bool:
        """Run, on the scheduler's worker, every job due at :meth:`now` (coalesced, as the scheduler's own
        loop does) and wait until they have finished (False after ``timeout`` seconds). With a
        :class:`ManualClock` this is how time passes: ``clock.advance(...)``, then ``run_due()``."""
        self.scheduler._process_jobs()
        return self.wait_idle(timeout)

    def _due(self) -> bool:
        if self.scheduler.state != STATE_RUNNING or self.scheduler.manual:
            return False  # a manual scheduler's due jobs wait for the next run_due()
        now = self.now()
        return any(j.next_run_time is not None and j.next_run_time <= now for j in self.scheduler.get_jobs())

    # ---- schedules -----------------------------------------------------------
    def schedule_weekly(self, day_of_week: str = "mon", hour: int = 7, minute: int = 0, second: int = 0,
                        template: str = "weekly_reminder", job_id: str = WEEKLY_ID) -> ScheduledJob:
        """Every week on ``day_of_week`` at ``hour:minute``: ``template`` to everyone with classes
        (the latest published version). Replaces the job ``job_id`` if it exists."""
        day = (day_of_week or "").strip().lower()[:3]
        if day not in DAY_ABBR:
            raise ValueError(f"{day_of_week!r} is not a day of the week")
        _check_time(hour, minute, second)
        self.scheduler.add_job(jobs.send_weekly, CronTrigger(day_of_week=day, hour=hour, minute=minute,
                                                             second=second, timezone=self.scheduler.timezone),
                               args=[self.db_path, template], id=job_id, name=f"Weekly reminder ({template})",
                               replace_existing=True, misfire_grace_time=int(WEEKLY_GRACE.total_seconds()))
        return self.job(job_id)

    def schedule_daily_digest(self, hour: int = 18, minute: int = 0, second: int = 0,
                              template: str = "daily_digest", job_id: str = DIGEST_ID) -> ScheduledJob:
        """Every day at ``hour:minute``: tomorrow's classes to each faculty member who has some."""
        _check_time(hour, minute, second)
        self.scheduler.add_job(jobs.send_daily_digest, CronTrigger(hour=hour, minute=minute, second=second,
                                                                   timezone=self.scheduler.timezone),
                               args=[self.db_path, template], id=job_id,
                               name=f"Daily digest of tomorrow's classes ({template})",
                               replace_existing=True, misfire_grace_time=int(DIGEST_GRACE.total_seconds()))
        return self.job(job_id)

    def trigger_delivery(self, delay: dt.timedelta = dt.timedelta(0)) -> str:
        """The *on publish* event: send the outbox now, in the scheduler's worker thread.

        Each call is its own one-off job (so a call during a running delivery is not dropped);
        it is persisted, so if the app quits first it runs at the next start. Returns its id."""
        when = self.now() + delay
        job_id = f"{DELIVER_NOW_ID}-{uuid.uuid4().hex[:12]}"
        self.scheduler.add_job(jobs.deliver_outbox, "date", run_date=when, args=[self.db_path],
                               id=job_id, name="Send e-mails now", misfire_grace_time=24 * 3600)
        return job_id

    def remove(self, job_id: str) -> bool:
        if self.scheduler.get_job(job_id) is None:
            return False
        self.scheduler.remove_job(job_id)
        return True

    # ---- inspection ----------------------------------------------------------
    def job(self, job_id: str) -> ScheduledJob | None:
        j = self.scheduler.get_job(job_id)
        return None if j is None else _describe(j)

    def list_jobs(self) -> list[ScheduledJob]:
        return [_describe(j) for j in self.scheduler.get_jobs()]

    def schedules(self) -> list[ScheduledJob]:
        """The weekly and daily schedules (what the Notifications view lists)."""
        return [j for j in self.list_jobs() if j.kind in ("weekly", "daily")]


def _check_time(hour: int, minute: int, second: int = 0) -> None:
    if not (0 <= int(hour) <= 23 and 0 <= int(minute) <= 59 and 0 <= int(second) <= 59):
        raise ValueError(f"{hour}:{minute:02d} is not a time of day")


def active_scheduler(db_path) -> NotificationScheduler | None:
    """The scheduler running for ``db_path`` in this process, if any."""
    with _active_lock:
        return _active.get(jobs.key_for(db_path))


def ensure_scheduler(db_path, *, paused: bool = False) -> NotificationScheduler:
    """The running scheduler of ``db_path``, started now if there is none (call when a file is opened)."""
    with _active_lock:
        found = _active.get(jobs.key_for(db_path))
    if found is not None:
        return found
    sched = NotificationScheduler(db_path)
    sched.start(paused=paused)
    return sched


def shutdown_all(wait: bool = True) -> None:
    """Stop every scheduler of this process (on quit): deliveries stop between two messages."""
    with _active_lock:
        running = list(_active.values())
    for sched in running:
        sched.shutdown(wait=wait)
