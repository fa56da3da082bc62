"""Import heavy, Qt-free modules in a worker thread, then continue on the UI thread.

Some features pull in big libraries the first time they are used (numpy for the engine,
APScheduler and keyring for notifications). Importing them on the UI thread freezes the
window for a few hundred milliseconds; importing them in a worker first leaves the UI
thread only the small Qt part::

    preload(["ato_desktop.engine.warmup"], then=connect_warm_up_status)

``then()`` runs on the UI thread once the imports are done, also when one of them
failed (it then imports what it needs itself and handles the error as before).
Only modules that create no Qt objects at import time belong in the list.
"""

from __future__ import annotations

import importlib
from typing import Callable, Iterable, Union

from ato_desktop.services.database_files import warm_storage
from ato_desktop.ui import tasks


# What opening a database needs (Alembic alone takes a few hundred ms to import), and the Qt-free
# part of the Notifications page, built a moment after a database opens (APScheduler, keyring).
# Imported while the window shows and before the start-up file opens, rather than later, when the
# worker would slow down whatever the user does then.
NOTIFICATIONS = ("ato_desktop.notify.jobs", "ato_desktop.notify.scheduler", "ato_desktop.notify.render",
                 "ato_desktop.notify.secrets", "ato_desktop.services.notifications")
STARTUP = (warm_storage, "ato_desktop.services.listing", "ato_desktop.services.availability",
           "ato_desktop.services.timetables", *NOTIFICATIONS)


def _import_all(modules: tuple) -> list[str]:
    failed = []
    for name in modules:
        try:
            if callable(name):
                name()
            else:
                importlib.import_module(name)
        except Exception:  # the caller's own import reports it, on the UI thread
            failed.append(getattr(name, "__name__", str(name)))
    return failed


def preload(modules: Iterable[Union[str, Callable[[], None]]], then: Callable[[], None] | None = None) -> tasks.Task:
    """Import ``modules`` (names, or callables to run) in a worker thread; then call ``then()`` on the UI thread."""
    names = tuple(modules)
    return tasks.run(lambda: _import_all(names), (lambda result, error: then()) if then is not None else None)
