"""Issue 14, item 1: a command line run beside the open app must never delete the app's -wal.

Closing any descriptor of the database file drops every POSIX lock the process holds on it
(SQLite, "How To Corrupt An SQLite Database File", 2.2). The app's periodic mail job used to
sniff the file's header with ordinary file I/O inside the app's process; the next
``ato-desktop info`` then saw nobody holding the file and deleted the -wal on close, and the
app's later commits went into a deleted file.
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ato_desktop.services import resources as res
from ato_desktop.storage import open_files
from ato_desktop.storage.database import inspect_file, open_database
from ato_desktop.storage.errors import DatabaseDetachedError

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
APP_CHILD = HERE / "app_child.py"
ENV = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))


class Child:
    """The app-like process, with a reader thread so that no read can hang the test."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, str(APP_CHILD), *args], cwd=REPO, env=ENV, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def line(self, timeout: float = 60) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            line = None
        if line is None:
            self.kill()
            pytest.fail(f"the app-like child stopped: {self.proc.stderr.read()[-2000:]}")
        return line

    def ask(self, command: str) -> str:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.line()

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ato_desktop", *args], cwd=REPO, env=ENV, text=True,
                          capture_output=True, timeout=180)


READ_ONLY_OPEN = (
    "import sys; from ato_desktop.services import resources as res; "
    "from ato_desktop.storage.database import open_readonly; "
    "db = open_readonly(sys.argv[1]); print(res.count_items(db, 'faculty')); db.close()"
)


def test_cli_beside_the_app_never_deletes_its_wal_and_a_committed_edit_survives_sigkill(demo_db_path):
    db = str(demo_db_path)
    child = Child(db, "1")
    try:
        assert child.line() == "ready same"  # the periodic job has run (it opened the file in the app's process)
        steps = [("info", "--db", db), ("check", "--db", db), ("backup", "create", "--db", db)]
        for args in steps:
            done = run_cli(*args)
            assert done.returncode == 0, (args, done.stdout[-500:], done.stderr[-2000:])
            assert child.ask("tick") == "ticked same", f"the app's -wal was deleted after `{' '.join(args[:2])}`"
        done = subprocess.run([sys.executable, "-c", READ_ONLY_OPEN, db], cwd=REPO, env=ENV, text=True,
                              capture_output=True, timeout=180)
        assert done.returncode == 0 and int(done.stdout) > 0, done.stderr[-2000:]
        assert child.ask("tick") == "ticked same"
        assert child.ask("edit LATE") == "edited same"
        assert child.ask("wal") == "wal same"
    finally:
        child.kill()  # SIGKILL: no clean close, the edit lives only in the -wal
    con = sqlite3.connect(demo_db_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT name FROM faculty WHERE code='LATE'").fetchone() == ("Added LATE",)
    finally:
        con.close()


@pytest.mark.skipif(os.name == "nt", reason="POSIX advisory locks")
def test_inspecting_an_open_file_keeps_this_process_locks(demo_db_path):
    """In one process: the file held open here is inspected through SQLite only (the cause, directly)."""
    db = open_database(demo_db_path)
    try:
        assert open_files.is_held(demo_db_path)
        res.create_item(db, "department", {"code": "D1", "name": "first"})
        inspect_file(demo_db_path)  # what the periodic job does when it opens the file again
        # Another process now tries what SQLite's last connection does on close before it deletes the
        # -wal: an exclusive lock on the database's SHARED byte range (which this process must still hold).
        probe = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
                 "try:\n    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 510, 0x40000002)\n"
                 "except OSError:\n    print('held')\nelse:\n    print('free')")
        done = subprocess.run([sys.executable, "-c", probe, str(demo_db_path)], text=True, capture_output=True,
                              timeout=60)
        assert done.stdout.strip() == "held", done.stderr
    finally:
        db.close()
    assert not open_files.is_held(demo_db_path)


def test_a_deleted_wal_stops_writing_with_a_clear_message_and_a_copy_can_be_saved(demo_db_path, tmp_path):
    db = open_database(demo_db_path)
    seen = []
    db.on_detached(seen.append)
    try:
        res.create_item(db, "department", {"code": "SAVED", "name": "before the accident"})
        wal = demo_db_path.with_name(demo_db_path.name + "-wal")
        os.unlink(wal)  # what another process did after this one's locks were lost
        with pytest.raises(DatabaseDetachedError) as info:
            res.create_item(db, "department", {"code": "VOID", "name": "into the void"})
        msg = str(info.value)
        assert str(demo_db_path) in msg and "changed by another program" in msg
        assert "stopped writing" in msg and "Save a copy" in msg
        assert seen == [db] and db.detached
        assert not wal.exists()  # nothing was written into a new or the deleted journal
        with pytest.raises(DatabaseDetachedError):  # and it stays refused
            res.create_item(db, "department", {"code": "VOID2", "name": "still refused"})
        from ato_desktop.services import backups

        with pytest.raises(backups.BackupServiceError, match="stopped writing"):
            backups.create(db)  # a backup by file name would miss what only this connection sees
        # What the connection still sees (including the commit only the deleted -wal holds) can be saved.
        copy = db.save_copy(tmp_path / "rescued.atodb")
    finally:
        db.close()
    con = sqlite3.connect(copy)
    try:
        codes = {r[0] for r in con.execute("SELECT code FROM department")}
        assert "SAVED" in codes and "VOID" not in codes and "VOID2" not in codes
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def test_a_replaced_wal_is_detected_too(demo_db_path):
    db = open_database(demo_db_path)
    try:
        wal = demo_db_path.with_name(demo_db_path.name + "-wal")
        os.unlink(wal)
        wal.write_bytes(b"")  # another program's fresh journal
        with pytest.raises(DatabaseDetachedError, match="replaced"):
            res.create_item(db, "department", {"code": "VOID", "name": "into the void"})
    finally:
        db.close()


def test_once_the_wal_is_gone_this_process_opens_the_file_no_more_until_it_closed_it(demo_db_path):
    """The periodic job opens the file again in the app's process: it must not write beside a lost -wal."""
    db = open_database(demo_db_path)
    seen = []
    db.on_detached(seen.append)
    try:
        os.unlink(demo_db_path.with_name(demo_db_path.name + "-wal"))
        with pytest.raises(DatabaseDetachedError, match="stopped writing"):
            open_database(demo_db_path)  # what the mail job does
        assert db.detached and seen == [db]  # the open asked the Database holding the file, which found out
        with pytest.raises(DatabaseDetachedError):
            open_database(demo_db_path)
    finally:
        db.close()
    again = open_database(demo_db_path)  # closed everywhere in this process: a fresh start is fine
    try:
        res.create_item(again, "department", {"code": "NEW", "name": "after reopening"})
    finally:
        again.close()


def test_importing_the_open_database_file_is_refused_without_reading_it(demo_db_path):
    from ato_desktop.io.tabular import TabularError, read_table

    db = open_database(demo_db_path)
    try:
        with pytest.raises(TabularError, match="database open in ATO Desktop"):
            read_table(demo_db_path)  # a coordinator picks the .atodb in the import dialog
    finally:
        db.close()


@pytest.mark.sqlite_only("SQLite's disk I/O error injected into the file's connection")
def test_a_disk_io_error_while_writing_stops_writing_too(demo_db):
    from sqlalchemy import event

    from ato_desktop.storage.errors import DatabaseIOError

    def fail_commit(conn):
        raise sqlite3.OperationalError("disk I/O error")  # what SQLite says once its -wal and -shm disagree

    event.listen(demo_db.engine, "commit", fail_commit)
    try:
        with pytest.raises(DatabaseIOError):
            res.create_item(demo_db, "department", {"code": "IO", "name": "failed"})
    finally:
        event.remove(demo_db.engine, "commit", fail_commit)
    assert demo_db.detached == "SQLite reported a disk I/O error"
    with pytest.raises(DatabaseDetachedError, match="disk I/O error"):
        res.create_item(demo_db, "department", {"code": "IO2", "name": "refused"})
