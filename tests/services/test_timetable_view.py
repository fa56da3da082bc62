"""services.timetable_view: a version for the grid, read in one transaction."""

from __future__ import annotations

from contextlib import contextmanager

from ato_desktop.services import timetables as tts
from ato_desktop.services.compile import compile_database
from ato_desktop.services.timetable_view import open_version


def _count_transactions(db, monkeypatch) -> dict[str, int]:
    counts = {"read": 0, "write": 0}
    read, write = db.read_session, db.session

    @contextmanager
    def counted_read():
        counts["read"] += 1
        with read() as s:
            yield s

    @contextmanager
    def counted_write():
        counts["write"] += 1
        with write() as s:
            yield s

    monkeypatch.setattr(db, "read_session", counted_read)
    monkeypatch.setattr(db, "session", counted_write)
    return counts


def test_opening_a_version_is_one_read_transaction(demo_db, monkeypatch) -> None:
    tt = tts.list_timetables(demo_db)[0]
    tts.list_sessions(demo_db, tt.id)  # any rows the demo lacks are written first
    counts = _count_transactions(demo_db, monkeypatch)
    opened = open_version(demo_db, tt.id, build_state=False)
    assert counts == {"read": 1, "write": 0}
    comp, assignment, tt_id = compile_database(demo_db, tt.id)  # the same as the per-part reads
    assert tt_id == opened.info.id and comp.keys == opened.compiled.keys
    assert (assignment.start == opened.assignment.start).all() and (assignment.room == opened.assignment.room).all()
    assert [(v.activity_id, v.occurrence) for v in opened.views] == list(comp.keys)
    assert opened.lookups.sections() and opened.state is None
