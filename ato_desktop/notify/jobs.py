"""Scheduled job functions.

The job store pickles *references* to these functions (``module:function``)
and their arguments, so they are plain module-level functions taking the
database path (a string) and a template name, never objects. Every database
file with a schedule stores these references, so they stay here, as thin
shims: their work (reading and sending through the services) is
``services.notification_jobs``, which hands it over with :func:`provide` when
the services are imported (notify never imports the services). They run in
the scheduler's worker thread, never in the UI thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

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


# name -> the job's work, given by ``services.notification_jobs`` when the services are imported
_work: dict[str, Callable[..., str]] = {}


def provide(**work: Callable[..., str]) -> None:
    """Give the job functions below their work (``services.notification_jobs`` does, on import)."""
    _work.update(work)


def _call(name: str, *args) -> str:
    fn = _work.get(name)
    if fn is None:  # nothing imported the services in this process: a job cannot do anything
        raise RuntimeError(f"the scheduled job {name!r} has nothing to run: import ato_desktop.services first")
    return fn(*args)


def deliver_outbox(db_path: str) -> str:
    """Send every due message of the outbox (after a publish, and periodically for retries)."""
    return _call("deliver_outbox", db_path)


def send_weekly(db_path: str, template: str = "weekly_reminder") -> str:
    """The weekly reminder to every faculty member with classes (once per ISO week)."""
    return _call("send_weekly", db_path, template)


def send_daily_digest(db_path: str, template: str = "daily_digest") -> str:
    """Tomorrow's classes to each faculty member who has some (once per day)."""
    return _call("send_daily_digest", db_path, template)
