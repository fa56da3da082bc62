"""Backups: online copy, retention, listing with a summary, restore (with a safety backup)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from ato_desktop.services import backups as svc
from ato_desktop.services import resources as res
from ato_desktop.storage import backup as b
from ato_desktop.storage import restore
from ato_desktop.storage.database import open_database


def digest(p: Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_online_backup_is_consistent_and_self_contained(demo_db_path, tmp_path):
    db = open_database(demo_db_path)
    try:
        res.create_item(db, "department", {"code": "MECH", "name": "Mechanical"})
        # another connection is in the middle of a write transaction while we back up
        writer = sqlite3.connect(demo_db_path)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO department (code, name, is_home) VALUES ('HALF', 'uncommitted', 0)")
        dest = b.create_backup(demo_db_path, "manual")
        writer.rollback()
        writer.close()
    finally:
        db.close()
    assert dest.parent == b.backup_dir_for(demo_db_path)
    assert dest.name.endswith("-manual.atodb")
    assert not list(dest.parent.glob("*.partial"))
    # the backup alone (no -wal beside it) holds the committed state and nothing uncommitted
    alone = tmp_path / "elsewhere" / "copy.atodb"
    alone.parent.mkdir()
    shutil.copyfile(dest, alone)
    con = sqlite3.connect(alone)
    codes = {r[0] for r in con.execute("SELECT code FROM department")}
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert "MECH" in codes and "HALF" not in codes


def test_list_backups_reports_date_reason_size_and_summary_without_changing_them(demo_db_path):
    first = b.create_backup(demo_db_path, "before-import")
    db = open_database(demo_db_path)
    try:
        res.delete_item(db, "room", res.list_items(db, "room")[0]["code"])
    finally:
        db.close()
    second = b.create_backup(demo_db_path, "manual")
    before = {p: digest(p) for p in (first, second)}
    items = b.list_backups(demo_db_path)
    assert [i.path for i in items] == [second, first]  # newest first
    assert [i.reason for i in items] == ["manual", "before-import"]
    assert items[1].reason_label == "Before an import"
    for i in items:
        assert i.size == i.path.stat().st_size > 0
        assert isinstance(i.created, dt.datetime)
        assert set(i.summary) == {"faculty", "rooms", "groups", "courses", "timetables"}
        assert i.summary["faculty"] == count(i.path, "faculty") > 0
        assert i.summary["timetables"] == 1
    assert items[0].summary["rooms"] == items[1].summary["rooms"] - 1
    assert {p: digest(p) for p in (first, second)} == before


def test_unreadable_backup_is_listed_with_a_problem(demo_db_path):
    dest = b.create_backup(demo_db_path, "manual")
    dest.write_bytes(b"garbage" * 100)
    (item,) = b.list_backups(demo_db_path)
    assert item.problem and item.summary == {}
    assert "unreadable" in item.summary_text


def test_retention_keeps_7_daily_4_weekly_and_10_per_reason(demo_db_path):
    start = dt.datetime(2026, 1, 1, 9, 0)  # a Thursday
    for day in range(60):
        now = start + dt.timedelta(days=day)
        assert b.maybe_daily_backup(demo_db_path, now=now) is not None
        assert b.maybe_daily_backup(demo_db_path, now=now + dt.timedelta(hours=3)) is None  # once a day
    for k in range(13):
        b.create_backup(demo_db_path, "before-optimizer", now=start + dt.timedelta(days=59, minutes=k))
    for k in range(3):
        b.create_backup(demo_db_path, "import", now=start + dt.timedelta(days=30, minutes=k))  # alias
    items = b.list_backups(demo_db_path, with_summary=False)
    daily = sorted(i.created.date() for i in items if i.reason == "daily")
    last = (start + dt.timedelta(days=59)).date()
    last7 = [last - dt.timedelta(days=k) for k in range(7)]
    assert set(last7) <= set(daily)
    # the extra ones are the newest backup of each of the 4 newest ISO weeks
    weekly = set(daily) - set(last7)
    weeks = {d.isocalendar()[:2] for d in daily}
    assert len(weeks) == 4 and len(daily) <= 7 + 4
    for d in weekly:
        later_same_week = [x for x in daily if x.isocalendar()[:2] == d.isocalendar()[:2] and x > d]
        assert not later_same_week
    opt = [i for i in items if i.reason == "before-optimizer"]
    assert len(opt) == 10
    assert min(i.created for i in opt) == start + dt.timedelta(days=59, minutes=3)  # the 3 oldest went
    assert len([i for i in items if i.reason == "before-import"]) == 3


def test_backups_to_keep_pure_rules():
    t0 = dt.datetime(2026, 3, 2, 10)  # Monday
    items = [(Path(f"d{k}"), t0 + dt.timedelta(hours=12 * k), "daily") for k in range(4)]
    keep = b.backups_to_keep(items)
    # two per day on two days: the newest of each day is kept
    assert keep == {Path("d1"), Path("d3")}


def test_restore_takes_a_safety_backup_and_brings_data_back(demo_db_path):
    db = open_database(demo_db_path)
    faculty = res.list_items(db, "faculty")
    db.close()
    good = b.create_backup(demo_db_path, "manual")
    db = open_database(demo_db_path)
    res.update_item(db, "faculty", faculty[0]["code"], {"name": "Changed After Backup"})
    res.create_item(db, "department", {"code": "NEW", "name": "New one"})
    db = svc.restore(db, good)  # closes and reopens
    try:
        names = {f["code"]: f["name"] for f in res.list_items(db, "faculty")}
        assert names[faculty[0]["code"]] == faculty[0]["name"]
        assert "NEW" not in {d["code"] for d in res.list_items(db, "department")}
        assert db.pragma("journal_mode") == "wal"
        assert db.pragma("integrity_check") == "ok"
    finally:
        db.close()
    safety = [i for i in b.list_backups(demo_db_path) if i.reason == "before-restore"]
    assert len(safety) == 1
    con = sqlite3.connect(safety[0].path)
    assert con.execute("SELECT count(*) FROM department WHERE code='NEW'").fetchone()[0] == 1
    con.close()


def test_restore_refuses_bad_backups_and_changes_nothing(demo_db_path, tmp_path):
    good = b.create_backup(demo_db_path, "manual")
    db = open_database(demo_db_path)
    res.create_item(db, "department", {"code": "KEEP", "name": "must survive"})
    db.close()
    before = digest(demo_db_path)
    n_backups = len(b.list_backups(demo_db_path))

    damaged = tmp_path / "damaged.atodb"
    data = bytearray(good.read_bytes())
    for i in range(4096 * 3, min(len(data), 4096 * 12)):
        data[i] = (i * 7) % 256
    damaged.write_bytes(bytes(data))
    newer = tmp_path / "newer.atodb"
    shutil.copyfile(good, newer)
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num='9999_future'")
    con.commit()
    con.close()
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    text = tmp_path / "text.atodb"
    text.write_text("hello")

    for bad, words in ((damaged, "damaged"), (newer, "newer version"), (other, "another application"),
                       (text, "not an SQLite file"), (tmp_path / "missing.atodb", "does not exist")):
        with pytest.raises(b.BackupError, match=words):
            restore.restore_backup(demo_db_path, bad)
        with pytest.raises(svc.BackupServiceError):
            svc.restore(demo_db_path, bad)
    assert digest(demo_db_path) == before
    assert len(b.list_backups(demo_db_path)) == n_backups  # no safety backup for a refused restore


def test_restore_over_a_damaged_database_keeps_its_bytes(demo_db_path):
    good = b.create_backup(demo_db_path, "manual")
    raw = bytearray(demo_db_path.read_bytes())
    raw[0:16] = b"garbage garbage!"
    demo_db_path.write_bytes(bytes(raw))
    safety = restore.restore_backup(demo_db_path, good)
    assert safety is not None and safety.read_bytes() == bytes(raw)
    db = open_database(demo_db_path)
    try:
        assert res.count_items(db, "faculty") == count(good, "faculty")
    finally:
        db.close()


@pytest.mark.sqlite_only("a file's daily and before-change backups (a campus is backed up on its server: campus backup)")
def test_services_create_daily_and_before_hooks(demo_db):
    assert svc.daily_backup(demo_db) is not None
    assert svc.daily_backup(demo_db) is None
    p1 = svc.before_optimizer(demo_db)
    p2 = svc.before_import(demo_db)
    assert p1.name.endswith("-before-optimizer.atodb") and p2.name.endswith("-before-import.atodb")
    assert {i.reason for i in svc.list_for(demo_db)} == {"daily", "before-optimizer", "before-import"}
    with pytest.raises(svc.BackupServiceError, match="unknown backup reason"):
        svc.create(demo_db, "whenever")
    assert svc.backup_folder(demo_db) == b.backup_dir_for(demo_db.path)


def test_cli_backup_create_list_restore(demo_db_path, capsys):
    from ato_desktop.cli import main

    assert main(["backup", "create", "--db", str(demo_db_path)]) == 0
    out = capsys.readouterr().out
    assert "Backup written to" in out
    assert main(["backup", "list", "--db", str(demo_db_path)]) == 0
    out = capsys.readouterr().out
    assert "manual" in out and "faculty" in out
    name = b.list_backups(demo_db_path)[0].path.name
    assert name in out
    db = open_database(demo_db_path)
    res.create_item(db, "department", {"code": "GONE", "name": "after the backup"})
    db.close()
    assert main(["backup", "restore", "--db", str(demo_db_path), "--file", name]) == 0
    out = capsys.readouterr().out
    assert "Restored" in out and "before-restore" in out
    assert count(demo_db_path, "department WHERE code='GONE'") == 0
    assert main(["backup", "restore", "--db", str(demo_db_path), "--file", "nope.atodb"]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["backup", "list", "--db", str(demo_db_path.with_name("absent.atodb"))]) == 2


def test_migration_backup_is_tagged(tmp_path):
    from ato_desktop.storage.backup import backup_before

    p = tmp_path / "x.atodb"
    open_database(p).close()
    dest = backup_before(p, "migration")
    assert dest.name.endswith("-before-migration.atodb")
    assert b.list_backups(p)[0].reason_label == "Before upgrading the database"


def test_pruning_spares_a_partial_that_another_backup_is_still_writing(demo_db_path):
    """A second backup's pruning removes only stale ``.partial`` files, never one being written now."""
    import os
    import time

    folder = b.backup_dir_for(demo_db_path)
    folder.mkdir()
    stem = demo_db_path.stem
    writing = folder / f"{stem}-20260101-120000-000000-daily.atodb.partial"
    writing.write_bytes(b"SQLite format 3\x00 half written")
    stale = folder / f"{stem}-20250101-120000-000000-manual.atodb.partial"
    stale.write_bytes(b"left over by a crash")
    old = time.time() - 2 * b.STALE_PARTIAL_SECONDS
    os.utime(stale, (old, old))
    b.create_backup(demo_db_path, "manual")
    assert writing.exists()
    assert not stale.exists()


@pytest.mark.parametrize("runner", ["threads", "processes"])
def test_two_concurrent_backups_of_one_database_both_succeed(demo_db_path, runner):
    """The GUI's daily backup and a CLI ``backup create`` at the same moment: neither fails."""
    import concurrent.futures as cf

    rounds = 12
    pool_cls = cf.ThreadPoolExecutor if runner == "threads" else cf.ProcessPoolExecutor
    with pool_cls(max_workers=2) as pool:
        futures = [pool.submit(_backup_many, str(demo_db_path), reason, rounds) for reason in ("manual", "before-import")]
        made = [Path(p) for f in futures for p in f.result(timeout=120)]  # re-raises a worker's BackupError
    assert len(made) == 2 * rounds
    folder = b.backup_dir_for(demo_db_path)
    assert not list(folder.glob("*.partial"))
    kept = b.list_backups(demo_db_path)
    assert len(kept) == 2 * b.KEEP_TAGGED  # retention still applied to each reason
    assert all(not i.problem and i.summary["faculty"] > 0 for i in kept)


def _backup_many(db: str, reason: str, rounds: int) -> list[str]:
    return [str(b.create_backup(Path(db), reason)) for _ in range(rounds)]
