"""`ato-desktop versions list|show|publish|copy`: the publish check and its override, headless."""

from __future__ import annotations

import pytest

from ato_desktop.cli import main
from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import timetables as tts
from ato_desktop.services.frozen import FrozenVersionError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import open_database


def _unschedule_one(path):
    db = open_database(path)
    try:
        s = next(v for v in tts.list_sessions(db, REFERENCE_NAME) if v.scheduled)
        tts.move_session(db, s.id, None, None, None)
        return s
    finally:
        db.close()


def test_publish_refuses_an_unscheduled_session_without_force_then_records_the_override(demo_db_path, capsys):
    moved = _unschedule_one(demo_db_path)
    db = str(demo_db_path)
    assert main(["versions", "publish", "--db", db, REFERENCE_NAME]) == 2
    out, err = capsys.readouterr()
    assert "Unscheduled sessions: 1 of 155" in out and "Hard conflicts: 0" in out
    assert "e-mailed" in out
    assert err.count("\n") == 1 and "--force" in err and "1 unscheduled session" in err
    assert "Traceback" not in err
    database = open_database(demo_db_path)
    try:
        assert tts.get_timetable(database, REFERENCE_NAME).status == "draft"
    finally:
        database.close()

    assert main(["versions", "publish", "--db", db, REFERENCE_NAME, "--force", "--by", "Dr. Coordinator"]) == 0
    out, _ = capsys.readouterr()
    assert "Override recorded" in out
    database = open_database(demo_db_path)
    try:
        info = tts.get_timetable(database, REFERENCE_NAME)
        assert info.status == "published"
        with database.read_session() as s:
            override = s.get(m.Timetable, info.id).publish_override
        assert "1 unscheduled session" in override and "Dr. Coordinator" in override
        # a published version refuses a move through the service
        s = next(v for v in tts.list_sessions(database, REFERENCE_NAME) if v.scheduled)
        with pytest.raises(FrozenVersionError):
            tts.move_session(database, s.id, None, None, None)
        assert tts.get_timetable(database, REFERENCE_NAME).scheduled == 154
    finally:
        database.close()

    assert main(["versions", "list", "--db", db]) == 0
    out, _ = capsys.readouterr()
    assert "unscheduled" in out.splitlines()[0] and REFERENCE_NAME in out and "published" in out
    assert main(["versions", "show", "--db", db, REFERENCE_NAME]) == 0
    out, _ = capsys.readouterr()
    assert "Sessions per day: Monday" in out and "Override: Published anyway" in out
    assert main(["versions", "copy", "--db", db, REFERENCE_NAME, "--as", "Next draft"]) == 0
    assert "new draft Next draft" in capsys.readouterr().out
    assert main(["versions", "publish", "--db", db, "No such version"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_publish_of_a_clean_version_needs_no_force(demo_db_path, capsys):
    assert main(["versions", "publish", "--db", str(demo_db_path), REFERENCE_NAME]) == 0
    out, _ = capsys.readouterr()
    assert "Published Reference timetable:" in out and "Override" not in out
