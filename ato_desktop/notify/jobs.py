"""Scheduled job functions.

The job store pickles *references* to these functions (``module:function``)
and their arguments, so they are plain module-level functions taking the
database path (a string) and a template name, never objects. They run in the
scheduler's worker thread, never in the UI thread, and open their own
connection to the file (WAL: the app keeps working meanwhile).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_stops: dict[str, threading.Event] = {}
_stops_lock = threading.Lock()


def key_for(db_path) -> str:
    return str(Path(db_path).resolve())


def stop_event(db_path) -> threading.Event:
    """Set while the scheduler of ``db_path`` shuts down: a running delivery stops between two
    messages (the rest stays queued, nothing is lost). One event per database file."""
    key = key_for(db_path)
    with _stops_lock:
        ev = _stops.get(key)
        if ev is None:
            ev = _stops[key] = threading.Event()
        return ev


def _run(db_path: str, queue) -> str:
    from ato_desktop.services import outbox
    from ato_desktop.storage.database import open_database

    stopping = stop_event(db_path)
    # The app opened (and migrated) the file already; the job only needs a connection.
    db = open_database(Path(db_path), create=False, upgrade=False, backup=False)
    try:
        queued = queue(db) if queue else None
        report = outbox.deliver_due(db, should_stop=stopping.is_set)
        from ato_desktop.services.channels import deliver_webhooks

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
