"""Verb-named operations that the UI and the CLI call (no Qt here).

Modules: ``resources`` (CRUD + search of every entity), ``calendar`` (days,
periods, settings), ``timetables`` (versions and sessions), ``errors``.

The open database handle is storage's ``Database`` (files end in ``DB_SUFFIX``); callers above the
services (the UI) take them from here and the database's errors from ``services.errors``, so they
never import the storage layer.
"""

from ato_desktop.storage.database import DB_SUFFIX, Database

# gives the scheduled jobs (``notify.jobs``, referenced by name in every file's job store) their work
from ato_desktop.services import notification_jobs as _notification_jobs  # noqa: E402,F401

__all__ = ["DB_SUFFIX", "Database"]
