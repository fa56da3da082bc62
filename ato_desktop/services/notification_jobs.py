"""The work of the scheduled notification jobs: queue what is due, deliver the outbox and the webhooks.

APScheduler's job store pickles each job's function by reference (``module:function``) in every
database file, and those references name ``ato_desktop.notify.jobs``: that module keeps the three
job functions as thin shims (so stored jobs keep running, with no job-store migration) and this one
gives them their work when the services are imported (``notify.jobs.provide``). Each job opens its
own connection to the file, in the scheduler's worker thread (WAL: the app keeps working meanwhile).
"""

from __future__ import annotations

import logging
from pathlib import Path

from ato_desktop.notify import jobs

log = logging.getLogger("ato_desktop.notify.jobs")  # the scheduler's log, as before


def _run(db_path: str, queue) -> str:
    from ato_desktop.services import outbox
    from ato_desktop.services.channels import deliver_webhooks
    from ato_desktop.storage.database import open_database

    stopping = jobs.stop_event(db_path)
    # The app opened (and migrated) the file already; the job only needs a connection.
    db = open_database(Path(db_path), create=False, upgrade=False, backup=False)
    try:
        queued = queue(db) if queue else None
        report = outbox.deliver_due(db, should_stop=stopping.is_set)
        hooks = deliver_webhooks(db, should_stop=stopping.is_set)
    finally:
        db.close()
    text = (f"{queued.queued} queued; " if queued else "") + report.summary() + f"; {hooks.summary()}"
    log.info("notifications job on %s: %s", db_path, text)
    return text


def deliver_outbox(db_path: str) -> str:
    """Send every due message of the outbox (after a publish, and periodically for retries)."""
    return _run(db_path, None)


def send_weekly(db_path: str, template: str = "weekly_reminder") -> str:
    """The weekly reminder to every faculty member with classes (once per ISO week)."""
    from ato_desktop.services import notifications as notes

    return _run(db_path, lambda db: notes.queue_weekly(db, template))


def send_daily_digest(db_path: str, template: str = "daily_digest") -> str:
    """Tomorrow's classes to each faculty member who has some (once per day)."""
    from ato_desktop.services import notifications as notes
    from ato_desktop.services.substitution_notices import queue_channel_digest

    def queue(db):
        result = notes.queue_daily_digest(db, template)
        queue_channel_digest(db)  # tomorrow's arrangements to the webhook channels that receive the digest
        return result

    return _run(db_path, queue)


jobs.provide(deliver_outbox=deliver_outbox, send_weekly=send_weekly, send_daily_digest=send_daily_digest)
