"""services.approval: each step one transaction with its history row; approval writes the snapshot that
publishing keeps; returning drops it; undo puts the version back and removes the row."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import approval
from ato_desktop.services import version_lifecycle as versions
from ato_desktop.services import timetables as tts
from ato_desktop.services.frozen import FrozenVersionError, frozen_sessions, has_snapshot
from ato_desktop.storage import models as m
from ato_desktop.storage.database import open_database


@pytest.fixture
def demo(demo_db_path):
    db = open_database(demo_db_path)
    yield db
    db.close()


def _snap(db, tid):
    with db.read_session() as s:
        return has_snapshot(s, tid)


def test_what_is_approved_is_what_is_published(demo):
    tid = tts.get_timetable(demo, REFERENCE_NAME).id
    approval.submit(demo, REFERENCE_NAME, who="C")
    assert not _snap(demo, tid)
    t = approval.approve(demo, REFERENCE_NAME, who="Prof. Head")
    assert (t.from_status, t.to_status, t.who) == ("submitted", "approved", "Prof. Head") and _snap(demo, tid)
    with demo.session() as s:  # a teacher renamed after the approval
        f = s.scalar(select(m.Faculty).order_by(m.Faculty.id))
        code, old = f.code, f.name
        f.name = "Someone Else"
    versions.publish_version(demo, tid, by="C")
    with demo.read_session() as s:
        names = {n for fs in frozen_sessions(s, tid) for c, n in zip(fs.faculty_codes, fs.faculty_names)
                 if c == code}
    assert names == {old}
    assert [e.to_status for e in approval.history(demo, tid)] == ["submitted", "approved", "published"]


def test_return_drops_the_approval_snapshot_and_undo_puts_it_back(demo):
    tid = tts.get_timetable(demo, REFERENCE_NAME).id
    approval.submit(demo, tid)
    approval.approve(demo, tid, who="H")
    with pytest.raises(approval.ServiceError, match="comment"):
        approval.return_with_comment(demo, tid, "  ")
    t = approval.return_with_comment(demo, tid, "Fix Monday", who="H")
    assert tts.get_timetable(demo, tid).status == "returned" and not _snap(demo, tid)
    s = next(v for v in tts.list_sessions(demo, tid) if v.scheduled)
    tts.restore_session(demo, tts.move_session(demo, s.id, None, None, None))  # editable
    approval.undo(demo, t)
    assert tts.get_timetable(demo, tid).status == "approved" and _snap(demo, tid)
    with pytest.raises(FrozenVersionError, match="approved and frozen"):
        tts.move_session(demo, s.id, None, None, None)
    assert [e.to_status for e in approval.history(demo, tid)] == ["submitted", "approved"]


def test_refusals_change_nothing(demo):
    tid = tts.get_timetable(demo, REFERENCE_NAME).id
    with pytest.raises(approval.TransitionRefused) as e:
        approval.approve(demo, tid)
    assert str(e.value) == f"“{REFERENCE_NAME}” is a draft: submit it for review before approving it."
    approval.submit(demo, tid)
    with pytest.raises(approval.TransitionRefused, match="already submitted"):
        approval.submit(demo, tid)
    with pytest.raises(approval.TransitionRefused, match="approve it or return it"):
        versions.publish_version(demo, tid)
    with pytest.raises(FrozenVersionError, match="submitted for review"):
        tts.rename_timetable(demo, tid, "Other")
    assert tts.get_timetable(demo, tid).status == "submitted"
    assert len(approval.history(demo, tid)) == 1
