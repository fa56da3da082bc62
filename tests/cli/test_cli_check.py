"""`ato-desktop check --db`: the demo is sound; databases made impossible through the services are
reported before optimizing, in plain words with the items involved (real SQLite files)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ato_desktop.services import availability as av
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.services.solving import check_database
from ato_desktop.storage.database import open_database


def run(*args):
    return subprocess.run([sys.executable, "-m", "ato_desktop", *args], capture_output=True, text=True,
                          timeout=180)


def _activity(db, label: str) -> dict:
    (a,) = [a for a in res.list_items(db, "activity") if a["label"] == label]
    return a


# Each breaker edits the demo through the services and returns (finding code, words the message must hold).
def _faculty_overloaded(db):
    # Mr. Arjun Ghosh (AGH) teaches 10 periods a week; leave him two periods on Monday
    marks = {(d, p): "unavailable" for d in range(6) for p in range(8) if not (d == 0 and p < 2)}
    av.set_marks(db, "faculty", "AGH", marks)
    return "resource_overload", ["Mr. Arjun Ghosh (faculty) needs 10 periods a week", "only 2 usable periods"]


def _group_overloaded(db):
    # CSE-3A's batches inherit the section's marks: one free day (8 periods, 7 usable) for a full week
    av.set_marks(db, "group", "CSE-3A", {(d, p): "unavailable" for d in range(1, 6) for p in range(8)})
    return "resource_overload", ["CSE-3A-B1 (lab batch of CSE-3A) needs", "only 7 usable periods"]


def _lab_kind_missing(db):
    a = _activity(db, "CS201 P (CSE-3A-B1)")
    res.update_item(db, "activity", a["id"], {"required_features": ["oscilloscopes"]})
    return "no_room", ["No room is allowed for CS201 P (CSE-3A-B1) #1", "lab with oscilloscopes for 32 students",
                       "no room has the required kind and features"]


def _group_bigger_than_every_lab(db):
    res.create_item(db, "activity", {"course": "CS201", "kind": "P", "groups": ["CSE-3A"], "faculty": ["KPA"],
                                     "sessions_per_week": 1, "duration": 2, "room_kind": "lab",
                                     "required_features": ["computers"]})
    return "room_too_small", ["CS201 P (CSE-3A) #1 needs a lab with computers for 64 students",
                              "every suitable room is too small", "LAB-1, holds 36"]


def _basket_shares_faculty(db):
    ds, iot = _activity(db, "MD311 L (MDE-5-DS)"), _activity(db, "EC311 L (MDE-5-IOT)")
    res.update_item(db, "activity", iot["id"], {"faculty": ds["faculty"]})
    res.update_item(db, "faculty", "AIY", {"max_weekly_periods": 20})  # 16 periods now: within her limit
    return "sync_shared_resource", ["MD311 L (MDE-5-DS) and EC311 L (MDE-5-IOT) must run at the same time",
                                    "share Dr. Ananya Iyer"]


def _basket_shares_group(db):
    ds, iot = _activity(db, "MD311 L (MDE-5-DS)"), _activity(db, "EC311 L (MDE-5-IOT)")
    res.update_item(db, "activity", iot["id"], {"groups": iot["groups"] + ds["groups"]})
    return "sync_shared_resource", ["MD311 L (MDE-5-DS) and EC311 L (MDE-5-DS, MDE-5-IOT) must run at the same time",
                                    "share MDE-5-DS."]


def _session_too_long(db):
    a = _activity(db, "CS201 P (CSE-3A-B2)")
    res.update_item(db, "activity", a["id"], {"duration": 5})
    return "too_long", ["CS201 P (CSE-3A-B2) #1 lasts 5 periods", "longest run of consecutive teaching periods "
                        "in a day is 4"]


BREAKERS = [_faculty_overloaded, _group_overloaded, _lab_kind_missing, _group_bigger_than_every_lab,
            _basket_shares_faculty, _basket_shares_group, _session_too_long]


def test_demo_database_has_no_findings(demo_db_path):
    r = run("check", "--db", str(demo_db_path))
    assert r.returncode == 0, r.stderr
    assert "No problems found" in r.stdout and "ERROR" not in r.stdout and "Traceback" not in r.stderr


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda f: f.__name__.strip("_"))
def test_each_impossibility_alone_is_found(demo_db_path, breaker):
    db = open_database(demo_db_path)
    try:
        assert [f for f in check_database(db) if f.severity == "error"] == []
        code, words = breaker(db)
        errors = [f for f in check_database(db) if f.severity == "error"]
    finally:
        db.close()
    assert {f.code for f in errors} == {code}, [f.message for f in errors]
    if breaker is _group_overloaded:  # the engine sees the section as its two lab batches: one finding each
        assert sorted(f.message.split(" (")[0] for f in errors) == ["CSE-3A-B1", "CSE-3A-B2"]
    else:
        assert len(errors) == 1, [f.message for f in errors]
    for w in words:
        assert w in errors[0].message


def test_check_command_prints_every_finding_and_fails(demo_db_path):
    db = open_database(demo_db_path)
    try:
        # all at once (the basket's shared group left out: it would merge with the shared faculty finding)
        expected = [breaker(db) for breaker in BREAKERS if breaker is not _basket_shares_group]
        versions = len(tts.list_timetables(db))
    finally:
        db.close()
    r = run("check", "--db", str(demo_db_path))
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stdout.splitlines()
    for _code, words in expected:
        assert any(all(w in line for w in words) and line.startswith("ERROR: ") for line in lines), (words, r.stdout)
    assert lines[-1].endswith("error(s), 0 warning(s).") and int(lines[-1].split()[0]) >= len(expected)
    db = open_database(demo_db_path)  # checking changed nothing
    try:
        assert len(tts.list_timetables(db)) == versions
    finally:
        db.close()


def test_weekly_limit_of_one_names_the_teacher_and_fails(demo_db_path):
    """Issue 14 done-when: the demo with one teacher's weekly limit set to 1 -> check names them, exit 1."""
    db = open_database(demo_db_path)
    try:
        (agh,) = [f for f in res.list_items(db, "faculty") if f["code"] == "AGH"]
        res.update_item(db, "faculty", "AGH", {"max_weekly_periods": 1})
    finally:
        db.close()
    r = run("check", "--db", str(demo_db_path))
    assert r.returncode == 1, (r.stdout, r.stderr)
    (line,) = [x for x in r.stdout.splitlines() if "weekly limit" in x]
    assert line.startswith("ERROR: Mr. Arjun Ghosh (faculty) is assigned 10 periods a week, above the weekly "
                           "limit of 1: "), line
    assert agh["name"] == "Mr. Arjun Ghosh" and " periods" in line.split("limit of 1: ")[1]


def test_daily_limit_that_cannot_hold_the_week_names_the_teacher(demo_db_path):
    db = open_database(demo_db_path)
    try:
        res.update_item(db, "faculty", "AGH", {"max_daily_periods": 1})  # 10 periods, 6 days, at most 1 a day
        errors = [f for f in check_database(db) if f.severity == "error"]
    finally:
        db.close()
    msgs = [f.message for f in errors if "Arjun Ghosh" in f.message]
    assert any("needs 10 periods a week but, with at most 1 a day, can teach only 6" in m for m in msgs), msgs
