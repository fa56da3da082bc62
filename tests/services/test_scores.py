"""Scores that are true now (issue 14, item 5): a version's stored score holds only for the data it was
computed on; `info` recomputes an out-of-date score before printing it; unscheduled sessions count as
hard. Real demo databases, the real CLI in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

from ato_desktop.services import availability as av
from ato_desktop.services import resources as res
from ato_desktop.services import scores
from ato_desktop.services import timetables as tts
from ato_desktop.storage.database import open_database

REF = "Reference timetable"


def info_json(path) -> dict:
    r = subprocess.run([sys.executable, "-m", "ato_desktop", "info", "--db", str(path), "--json"],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    return {v["name"]: v for v in json.loads(r.stdout)["timetables"]}


def info_text(path) -> str:
    r = subprocess.run([sys.executable, "-m", "ato_desktop", "info", "--db", str(path)],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    return r.stdout


def _teacher_of_a_placed_session(db):
    """(faculty code, day, period) of the first scheduled single-teacher session of the reference."""
    for v in tts.list_sessions(db, REF):
        if v.scheduled and len(v.faculty) == 1:
            return v.faculty[0], v.day, v.period
    raise AssertionError("no placed session")


def _score_as_of_now(db):
    recheck, _ = scores.refresh_scores(db)
    return tts.get_timetable(db, REF), recheck


def test_info_recomputes_a_score_after_a_teacher_becomes_unavailable(demo_db_path):
    db = open_database(demo_db_path)
    try:
        info, _ = _score_as_of_now(db)
        assert info.hard_cost == 0 and info.score_fingerprint is not None
        code, day, period = _teacher_of_a_placed_session(db)
        av.set_marks(db, "faculty", code, {(day, period): "unavailable"})
        assert tts.get_timetable(db, REF).hard_cost == 0  # stored, now stale
        assert scores.find_out_of_date(db).stale_ids == [info.id]
    finally:
        db.close()
    (v,) = info_json(demo_db_path).values()
    assert v["hard"] >= 1, v
    assert "hard 0 " not in info_text(demo_db_path)
    db = open_database(demo_db_path)  # stored with the fingerprint of the data as it is now
    try:
        assert scores.find_out_of_date(db).stale_ids == []
        after = tts.get_timetable(db, REF)
        assert after.hard_cost == v["hard"] and after.updated_at == info.updated_at  # a recheck is not an edit
    finally:
        db.close()


def test_info_after_a_room_is_removed_from_a_session(demo_db_path):
    db = open_database(demo_db_path)
    try:
        _score_as_of_now(db)
        (sv,) = [v for v in tts.list_sessions(db, REF) if v.scheduled][:1]
        rows = {(x.activity_id, x.occurrence): (x.day, x.period, x.room) for x in tts.list_sessions(db, REF)}
        rows[(sv.activity_id, sv.occurrence)] = (sv.day, sv.period, None)
        tts.save_rows(db, REF, rows)
    finally:
        db.close()
    (v,) = info_json(demo_db_path).values()
    assert v["hard"] == 1 and v["unscheduled"] == 1, v


def test_new_activity_unscheduled_sessions_count_as_hard(demo_db_path):
    db = open_database(demo_db_path)
    try:
        _score_as_of_now(db)
        res.create_item(db, "activity", {"course": "CS201", "kind": "T", "groups": ["CSE-3A"], "faculty": ["KPA"],
                                         "sessions_per_week": 2, "duration": 1, "room_kind": "classroom"})
    finally:
        db.close()
    (v,) = info_json(demo_db_path).values()
    assert v["hard"] == 2 and v["unscheduled"] == 2, v
    text = info_text(demo_db_path)
    assert "hard 2 / soft" in text and "(2 unscheduled, counted as hard)" in text, text


def test_unscheduled_count_as_hard_even_when_their_rule_is_switched_off(demo_db_path):
    db = open_database(demo_db_path)
    try:
        res.update_item(db, "constraint", "unscheduled", {"enabled": False})
        sv = next(v for v in tts.list_sessions(db, REF) if v.scheduled)
        tts.move_session(db, sv.id, None, None, None)
        recheck, new = scores.refresh_scores(db)
        (sc,) = new.values()
        assert sc.unscheduled == 1 and sc.hard >= 1
    finally:
        db.close()


def test_a_fresh_score_is_not_recomputed_and_copies_keep_theirs(demo_db_path):
    db = open_database(demo_db_path)
    try:
        _score_as_of_now(db)
        tts.copy_timetable(db, REF, "Copy")
        assert scores.find_out_of_date(db).stale_ids == []
        res.update_item(db, "faculty", "AGH", {"name": "Mr. A. Ghosh"})  # a name does not change a score
        assert scores.find_out_of_date(db).stale_ids == []
        res.update_item(db, "constraint", "gaps", {"weight": 7})  # a weight does
        assert len(scores.find_out_of_date(db).stale_ids) == 2
    finally:
        db.close()


def test_info_prints_the_recomputed_score_while_another_process_writes(demo_db_path):
    """`info` beside the open app: storing the recheck waits for the writer, then gives up quietly; the
    figure printed is the recomputed one all the same."""
    import sqlite3

    db = open_database(demo_db_path)
    try:
        _score_as_of_now(db)
        code, day, period = _teacher_of_a_placed_session(db)
        av.set_marks(db, "faculty", code, {(day, period): "unavailable"})
    finally:
        db.close()
    writer = sqlite3.connect(demo_db_path)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        (v,) = info_json(demo_db_path).values()
        assert v["hard"] >= 1, v
    finally:
        writer.rollback()
        writer.close()
