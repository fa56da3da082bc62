"""A process that holds a database the way the app does (run as a script by test_lost_locks.py).

    app_child.py DB INTERVAL

Opens DB for editing (``open_for_editing``, as the window does) and starts its notification
scheduler with the periodic outbox job every INTERVAL seconds (the app's job runs every two
minutes; each run opens the file again in this process, as ``notify.jobs`` does). Prints
``ready <wal-state>`` once the job has run, then obeys one command a line on stdin:

* ``tick``: wait until the periodic job has run once more; print ``ticked <wal-state>``
* ``edit CODE``: add faculty member CODE through the services; print ``edited <wal-state>`` or
  ``refused <ErrorClass> <message>``
* ``wal``: print ``wal <wal-state>``

``<wal-state>`` compares ``os.stat`` of the ``-wal`` (stat does not open the file) with the
inode recorded right after opening: ``same``, ``gone`` or ``replaced``. Killed with SIGKILL by
the parent.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from pathlib import Path


def main(argv: list[str]) -> None:
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    from ato_desktop.notify.scheduler import NotificationScheduler
    from ato_desktop.services import resources as res
    from ato_desktop.storage.database import DatabaseError
    from ato_desktop.storage.instance import open_for_editing

    db_path, interval = Path(argv[0]), float(argv[1])
    db = open_for_editing(db_path)
    wal = db_path.with_name(db_path.name + "-wal")
    wal_inode = os.stat(wal).st_ino

    def wal_state() -> str:
        try:
            return "same" if os.stat(wal).st_ino == wal_inode else "replaced"
        except FileNotFoundError:
            return "gone"

    runs = [0]
    cond = threading.Condition()

    def on_run(event) -> None:
        with cond:
            runs[0] += 1
            cond.notify_all()

    def wait_runs(n: int) -> None:
        with cond:
            if not cond.wait_for(lambda: runs[0] >= n, timeout=60):
                print("timeout waiting for the periodic job", flush=True)
                raise SystemExit(3)

    sched = NotificationScheduler(db_path)
    sched.scheduler.add_listener(on_run, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    sched.start(retry_every=dt.timedelta(seconds=interval))
    wait_runs(1)
    print(f"ready {wal_state()}", flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "tick":
            with cond:
                target = runs[0] + 1
            wait_runs(target)
            print(f"ticked {wal_state()}", flush=True)
        elif cmd[0] == "edit":
            try:
                res.create_item(db, "faculty", {"code": cmd[1], "name": f"Added {cmd[1]}", "department": "CSE"})
            except DatabaseError as exc:
                print(f"refused {type(exc).__name__} {exc}", flush=True)
            else:
                print(f"edited {wal_state()}", flush=True)
        elif cmd[0] == "wal":
            print(f"wal {wal_state()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
