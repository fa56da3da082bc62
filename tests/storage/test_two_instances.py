"""Two app instances on one database (real processes): lock + read-only, busy handling."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ato_desktop.services import resources as res
from ato_desktop.storage import database
from ato_desktop.storage.database import open_database, open_readonly
from ato_desktop.storage.errors import DatabaseBusyError, DatabaseReadOnlyError
from ato_desktop.storage.instance import (
    DatabaseInUseError,
    InstanceLock,
    is_in_use,
    lock_path_for,
    open_for_editing,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CHILD = HERE / "instance_child.py"


def start(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, str(CHILD), *args], cwd=REPO, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = proc.stdout.readline().strip()
    if line != "ready":
        proc.kill()
        pytest.fail(f"child failed: {line} {proc.stderr.read()}")
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for f in (proc.stdin, proc.stdout, proc.stderr):
        f.close()


def codes(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT code FROM department")}
    finally:
        con.close()


def test_second_instance_is_told_the_file_is_in_use_and_can_read_only(demo_db_path):
    other = start("edit", str(demo_db_path))
    try:
        with pytest.raises(DatabaseInUseError) as info:
            open_for_editing(demo_db_path)
        msg = str(info.value)
        assert demo_db_path.name in msg and "read-only" in msg
        assert info.value.owner is not None and info.value.owner.pid == other.pid
        assert f"process {other.pid}" in msg and "this computer" in msg
        assert is_in_use(demo_db_path).pid == other.pid

        ro = open_readonly(demo_db_path)  # the offered alternative
        try:
            assert "OTHER" in {d["code"] for d in res.list_items(ro, "department")}
            with pytest.raises(DatabaseReadOnlyError):
                res.create_item(ro, "department", {"code": "MINE", "name": "not allowed"})
        finally:
            ro.close()
    finally:
        stop(other)  # SIGKILL: the lock must not outlive the process
    assert is_in_use(demo_db_path) is False
    db = open_for_editing(demo_db_path)
    try:
        assert db.lock is not None and db.lock.held
        res.create_item(db, "department", {"code": "MINE", "name": "after the other one died"})
        assert open_for_editing_fails_in_same_process(demo_db_path)
    finally:
        db.close()
    assert not lock_path_for(demo_db_path).exists()
    assert {"OTHER", "MINE"} <= codes(demo_db_path)


def open_for_editing_fails_in_same_process(path: Path) -> bool:
    """A second window of the same process is refused too (flock is per open file)."""
    try:
        open_for_editing(path).close()
    except DatabaseInUseError:
        return True
    return False


def test_lock_released_on_close_and_reacquired(tmp_path):
    p = tmp_path / "a.atodb"
    with InstanceLock(p) as lock:
        assert lock.held and lock_path_for(p).exists()
        assert "pid" in lock_path_for(p).read_text()
    assert not lock.held and not lock_path_for(p).exists()
    with InstanceLock(p):
        pass


def test_busy_database_gives_a_clear_error_then_works(demo_db_path, monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    db = open_database(demo_db_path)
    holder = start("hold-write", str(demo_db_path))
    try:
        t0 = time.monotonic()
        with pytest.raises(DatabaseBusyError) as info:
            res.create_item(db, "department", {"code": "WAIT", "name": "must wait"})
        waited = time.monotonic() - t0
        assert 0.2 < waited < 5
        assert "busy" in str(info.value) and "try again" in str(info.value).lower()
        assert "WAIT" not in codes(demo_db_path)
        holder.stdin.write("commit\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "committed"
        res.create_item(db, "department", {"code": "WAIT", "name": "must wait"})  # try again: works
    finally:
        stop(holder)
        db.close()
    assert {"HELD", "WAIT"} <= codes(demo_db_path)


def test_two_processes_writing_at_once_lose_nothing(demo_db_path):
    """Writers outside the lock (CLI, scripts) are serialized by BEGIN IMMEDIATE + busy timeout."""
    n = 40
    child = start("writer", str(demo_db_path), "C", str(n))
    db = open_database(demo_db_path)
    try:
        child.stdin.write("go\n")
        child.stdin.flush()
        for i in range(n):
            res.create_item(db, "department", {"code": f"P{i}", "name": f"Department P{i}"})
        assert child.stdout.readline().strip() == "done", child.stderr.read()
    finally:
        stop(child)
        db.close()
    got = codes(demo_db_path)
    assert {f"P{i}" for i in range(n)} | {f"C{i}" for i in range(n)} <= got
    con = sqlite3.connect(demo_db_path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
