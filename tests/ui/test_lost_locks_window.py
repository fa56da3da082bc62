"""Issue 14, item 1, with the real main window offscreen: its periodic mail job runs while a command line
works on the same file; an edit made afterwards is committed (another process sees it) and the -wal
is never deleted. And when a -wal does disappear, the window stops writing and offers to save a copy."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ato_desktop.notify import scheduler as sch
from ato_desktop.services import resources as res
from ato_desktop.storage.errors import DatabaseDetachedError

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))

READ_FROM_ANOTHER_PROCESS = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
    "print(c.execute('PRAGMA integrity_check').fetchone()[0]); "
    "print(c.execute('SELECT name FROM faculty WHERE code=?', (sys.argv[2],)).fetchone()[0])"
)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO, env=ENV, text=True, capture_output=True, timeout=180)


def test_window_with_its_mail_job_beside_the_command_line_keeps_every_edit(qtbot, window, demo_db_path,
                                                                          monkeypatch):
    monkeypatch.setattr(sch, "RETRY_EVERY", dt.timedelta(seconds=1))  # the app's job runs every 2 minutes
    view = window.pages["notifications"].ensure_loaded()
    sched = view.scheduler
    assert sched is not None and sched.running
    wal = demo_db_path.with_name(demo_db_path.name + "-wal")
    wal_inode = os.stat(wal).st_ino

    def next_run() -> None:
        before = sched.last_runs.get(sch.RETRY_ID)
        qtbot.waitUntil(lambda: sched.last_runs.get(sch.RETRY_ID) is not before, timeout=30_000)

    next_run()  # the job has opened the file again in this process
    db = str(demo_db_path)
    for args in (("info", "--db", db), ("check", "--db", db), ("backup", "create", "--db", db)):
        done = _run("-m", "ato_desktop", *args)
        assert done.returncode == 0, done.stderr[-2000:]
        next_run()
        assert os.stat(wal).st_ino == wal_inode, f"the window's -wal was deleted after `{args[0]}`"
    res.create_item(window.database, "faculty", {"code": "LATE", "name": "Added late", "department": "CSE"})
    assert os.stat(wal).st_ino == wal_inode
    assert not window.database.detached and window.detached_box is None
    done = _run("-c", READ_FROM_ANOTHER_PROCESS, db, "LATE")  # committed where other processes see it
    assert done.returncode == 0 and done.stdout.split() == ["ok", "Added", "late"], done.stderr[-2000:]


def test_a_deleted_wal_makes_the_window_stop_writing_and_offer_a_copy(qtbot, window, demo_db_path, tmp_path,
                                                                      monkeypatch):
    db = window.database
    res.create_item(db, "department", {"code": "KEPT", "name": "committed before"})
    os.unlink(demo_db_path.with_name(demo_db_path.name + "-wal"))  # what another program did
    try:
        res.create_item(db, "department", {"code": "VOID", "name": "refused"})
    except DatabaseDetachedError as exc:
        message = str(exc)
    else:  # pragma: no cover
        raise AssertionError("a write into a deleted -wal was accepted")
    qtbot.waitUntil(lambda: window.detached_box is not None and window.detached_box.isVisible(), timeout=10_000)
    box = window.detached_box
    assert box.text() == message
    assert "was changed by another program" in message and "stopped writing" in message and "Save a copy" in message
    assert "stopped writing" in window.windowTitle() and window.readonly

    dest = tmp_path / "rescued.atodb"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(dest), "")))
    save = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    assert save.text() == "Save a copy…"
    save.click()
    qtbot.waitUntil(lambda: dest.exists(), timeout=15_000)
    from ato_desktop.ui.tasks import wait_idle

    wait_idle(15_000)
    con = sqlite3.connect(dest)
    try:
        codes = {r[0] for r in con.execute("SELECT code FROM department")}
        assert "KEPT" in codes and "VOID" not in codes  # the commit only the deleted -wal held is in the copy
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def test_the_window_notices_a_deleted_wal_by_itself(qtbot, window, demo_db_path):
    os.unlink(demo_db_path.with_name(demo_db_path.name + "-wal"))
    window.check_database_attached()  # what its timer does every few seconds
    qtbot.waitUntil(lambda: window.detached_box is not None, timeout=10_000)
    assert window.database.detached


def test_restore_in_the_window_goes_through_sqlite_beside_its_mail_job(qtbot, window, demo_db_path, tmp_path,
                                                                       monkeypatch):
    """File > Restore from backup while the scheduler holds the file: nothing is renamed under it, the -wal
    stays, a damaged backup changes nothing and leaves the window writable."""
    from ato_desktop.storage import backup as b
    from ato_desktop.storage import open_files
    from ato_desktop.ui.tasks import wait_idle

    monkeypatch.setattr(sch, "RETRY_EVERY", dt.timedelta(seconds=1))
    sched = window.pages["notifications"].ensure_loaded().scheduler
    wait_idle()  # the daily backup taken at open
    backup = b.create_backup(demo_db_path, "manual")
    wal = demo_db_path.with_name(demo_db_path.name + "-wal")
    inodes = os.stat(demo_db_path).st_ino, os.stat(wal).st_ino
    res.create_item(window.database, "faculty", {"code": "UNDONE", "name": "after the backup", "department": "CSE"})

    damaged = tmp_path / "damaged.atodb"
    raw = bytearray(backup.read_bytes())
    raw[raw.index(b"state IN ('un") + len("state IN ('")] = 0xFF
    damaged.write_bytes(bytes(raw))
    old_db = window.database
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Ok))
    job = window.restore_backup_file(damaged)
    qtbot.waitUntil(lambda: job.done, timeout=20_000)
    assert job.error is not None and "damaged" in str(job.error)
    assert window.database is old_db and not old_db.detached
    assert "UNDONE" in {f["code"] for f in res.list_items(old_db, "faculty")}
    res.create_item(old_db, "faculty", {"code": "STILL", "name": "still writable", "department": "CSE"})

    job = window.restore_backup_file(backup)
    qtbot.waitUntil(lambda: job.done, timeout=20_000)
    assert job.error is None, job.error
    assert window.database is not old_db
    assert not {"UNDONE", "STILL"} & {f["code"] for f in res.list_items(window.database, "faculty")}
    assert (os.stat(demo_db_path).st_ino, os.stat(wal).st_ino) == inodes  # written into, not swapped
    assert open_files.is_held(demo_db_path) and sched.running
    before = sched.last_runs.get(sch.RETRY_ID)
    qtbot.waitUntil(lambda: sched.last_runs.get(sch.RETRY_ID) is not before, timeout=30_000)
    assert sched.last_runs[sch.RETRY_ID].ok, sched.last_runs[sch.RETRY_ID].text  # its job still works
    res.create_item(window.database, "faculty", {"code": "AFTER", "name": "after restoring", "department": "CSE"})
    assert os.stat(wal).st_ino == inodes[1]
