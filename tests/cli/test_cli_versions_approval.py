"""`ato-desktop versions submit|return|approve|publish|archive|history`: the review of a version on a local
file, each step recorded with who, when and the comment; invalid steps refused with one sentence."""

from __future__ import annotations

import pytest

from ato_desktop.cli import main
from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import approval
from ato_desktop.services import timetables as tts
from ato_desktop.services.frozen import FrozenVersionError
from ato_desktop.storage.database import open_database


def _status(path):
    db = open_database(path)
    try:
        return tts.get_timetable(db, REFERENCE_NAME).status
    finally:
        db.close()


def _refused(capsys, argv, *words):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "Traceback" not in err
    for w in words:
        assert w in err
    return err


def test_submit_return_resubmit_approve_publish_archive_from_the_cli(demo_db_path, capsys):
    db, R = str(demo_db_path), REFERENCE_NAME
    _refused(capsys, ["versions", "approve", "--db", db, R],
             f"“{R}” is a draft: submit it for review before approving it.")
    _refused(capsys, ["versions", "archive", "--db", db, R], "only a published version can be archived")
    assert main(["versions", "submit", "--db", db, R, "--as", "Dr. Coordinator"]) == 0
    assert "submitted for review by Dr. Coordinator" in capsys.readouterr().out
    assert _status(demo_db_path) == "submitted"
    _refused(capsys, ["versions", "publish", "--db", db, R], "approve it or return it before publishing")
    _refused(capsys, ["versions", "return", "--db", db, R], "comment")  # a return says why
    assert _status(demo_db_path) == "submitted"

    # a submitted version is frozen
    database = open_database(demo_db_path)
    try:
        s = next(v for v in tts.list_sessions(database, R) if v.scheduled)
        with pytest.raises(FrozenVersionError, match="submitted for review and frozen"):
            tts.move_session(database, s.id, None, None, None)
    finally:
        database.close()

    assert main(["versions", "return", "--db", db, R, "--as", "Prof. Head", "--comment", "Too many gaps on Monday"]) == 0
    capsys.readouterr()
    database = open_database(demo_db_path)
    try:  # returned: editable again
        before = tts.move_session(database, s.id, None, None, None)
        tts.restore_session(database, before)
    finally:
        database.close()
    assert main(["versions", "submit", "--db", db, R, "--as", "Dr. Coordinator"]) == 0
    assert main(["versions", "approve", "--db", db, R, "--as", "Prof. Head", "--comment", "OK"]) == 0
    capsys.readouterr()
    assert _status(demo_db_path) == "approved"
    database = open_database(demo_db_path)
    try:
        with pytest.raises(FrozenVersionError, match="approved and frozen"):
            tts.move_session(database, s.id, None, None, None)
    finally:
        database.close()
    _refused(capsys, ["versions", "approve", "--db", db, R], "only a version submitted for review can be approved")
    assert main(["versions", "publish", "--db", db, R, "--as", "Dr. Coordinator"]) == 0
    capsys.readouterr()
    assert main(["versions", "archive", "--db", db, R, "--as", "Dr. Coordinator"]) == 0
    capsys.readouterr()

    assert main(["versions", "history", "--db", db, R]) == 0
    out = capsys.readouterr().out.splitlines()
    steps = [line for line in out if "→" in line]
    assert [line.split("UTC")[1].split(" by ")[0].strip() for line in steps] == [
        "draft → submitted", "submitted → returned", "returned → submitted", "submitted → approved",
        "approved → published", "published → archived"]
    assert steps[1].endswith("by Prof. Head: Too many gaps on Monday")
    assert steps[3].endswith("by Prof. Head: OK") and "by Dr. Coordinator" in steps[4]
    assert "without approval" not in steps[4]
    database = open_database(demo_db_path)
    try:
        entries = approval.history(database, R)
        assert [e.who for e in entries] == ["Dr. Coordinator", "Prof. Head", "Dr. Coordinator", "Prof. Head",
                                            "Dr. Coordinator", "Dr. Coordinator"]
        assert all(e.at is not None for e in entries)
    finally:
        database.close()


def test_publishing_a_draft_directly_is_recorded_as_published_without_approval(demo_db_path, capsys):
    db = str(demo_db_path)
    assert main(["versions", "publish", "--db", db, REFERENCE_NAME, "--as", "Dr. Coordinator"]) == 0
    assert main(["versions", "history", "--db", db, REFERENCE_NAME]) == 0
    out = capsys.readouterr().out
    assert "draft → published by Dr. Coordinator: published without approval" in out
