"""`ato-desktop versions compare A B [--json]` and ``services.compare``: two sessions moved in a copy of
the demo's reference timetable are exactly the diff."""

from __future__ import annotations

import json

from ato_desktop.cli import main
from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import compare
from ato_desktop.services import version_lifecycle as versions
from ato_desktop.services import timetables as tts
from ato_desktop.storage.database import open_database


def _copy_and_move_two(path):
    """Copy the reference to "Candidate"; move one session to another day, another to another room."""
    db = open_database(path)
    try:
        versions.copy_to_draft(db, REFERENCE_NAME, "Candidate")
        sessions = [v for v in tts.list_sessions(db, "Candidate") if v.scheduled and v.room]
        first, second = sessions[0], next(v for v in sessions[1:] if v.activity_id != sessions[0].activity_id)
        days = {v.day for v in sessions}
        new_day = next(d for d in sorted(days) if d != first.day)
        tts.move_session(db, first.id, new_day, first.period, first.room)
        other_room = next(v.room for v in sessions if v.room != second.room)
        tts.move_session(db, second.id, second.day, second.period, other_room)
        return first, second, new_day, other_room
    finally:
        db.close()


def test_compare_lists_exactly_the_two_moved_sessions(demo_db_path, capsys):
    first, second, new_day, other_room = _copy_and_move_two(demo_db_path)
    db = open_database(demo_db_path)
    try:
        cmp = compare.compare_versions(db, REFERENCE_NAME, "Candidate")
    finally:
        db.close()
    assert {(mv.activity_id, mv.occurrence) for mv in cmp.moved} == {
        (first.activity_id, first.occurrence), (second.activity_id, second.occurrence)}
    by_key = {(mv.activity_id, mv.occurrence): mv for mv in cmp.moved}
    mv2 = by_key[(second.activity_id, second.occurrence)]
    assert mv2.before.endswith(f"room {second.room}") and mv2.after.endswith(f"room {other_room}")
    for code in first.faculty:
        assert cmp.moved.index(by_key[(first.activity_id, first.occurrence)]) in cmp.by_faculty[code]
    for code in second.groups:
        assert cmp.moved.index(mv2) in cmp.by_group[code]
    assert cmp.a.name == REFERENCE_NAME and cmp.b.name == "Candidate"
    assert cmp.a.scheduled == cmp.b.scheduled == cmp.a.sessions
    assert any(not r.hard for r in cmp.a.rules) and cmp.a.faculty and cmp.a.groups
    assert 0 < cmp.a.room_utilization < 1
    assert abs(cmp.a.room_utilization - cmp.b.room_utilization) < 1e-9  # same room-periods occupied

    assert main(["versions", "compare", "--db", str(demo_db_path), REFERENCE_NAME, "Candidate"]) == 0
    out = capsys.readouterr().out
    assert "Moved sessions: 2" in out and "room utilization" in out and "soft" in out
    assert main(["versions", "compare", "--db", str(demo_db_path), REFERENCE_NAME, "Candidate", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["moved"]) == 2 and data["a"]["name"] == REFERENCE_NAME
    assert {(d["activity_id"], d["occurrence"]) for d in data["moved"]} == set(by_key)
    assert all("→" in d["text"] for d in data["moved"])


def test_compare_of_an_unknown_version_is_one_sentence(demo_db_path, capsys):
    assert main(["versions", "compare", "--db", str(demo_db_path), REFERENCE_NAME, "Nope"]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and err.count("\n") == 1
