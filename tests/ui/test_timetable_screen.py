"""The timetable screen as the main window hosts it: database switching, empty states, versions."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack

from ato_desktop.services import timetables as tts
from ato_desktop.ui.timetable.model import VIEW_GROUP, VIEW_MASTER, VIEW_ROOM
from ato_desktop.ui.timetable.screen import TimetableScreen


def test_screen_without_a_timetable_offers_to_create_one(qtbot, db):
    stack = QUndoStack()
    w = TimetableScreen(db, stack, None, with_optimizer=False)
    qtbot.addWidget(w)
    assert not w.showing_timetable
    assert "no timetable version" in w.empty_label.text()
    assert w.create_button.isVisibleTo(w)
    w.show()
    w.create_empty_version()
    assert len(tts.list_timetables(db)) == 1
    assert w.showing_timetable and w.model.problem.n_sessions == 0
    assert not w.grab().isNull()  # paints an empty calendar


def test_screen_with_no_database(qtbot):
    w = TimetableScreen(None, QUndoStack())
    qtbot.addWidget(w)
    assert not w.showing_timetable and "No database" in w.empty_label.text()
    assert not w.create_button.isVisibleTo(w)


def test_set_database_and_open_timetable(qtbot, demo_db, db):
    stack = QUndoStack()
    w = TimetableScreen(None, stack, None, with_optimizer=False)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    assert w.set_database(demo_db)
    assert w.showing_timetable and w.model.timetable.name == "Reference timetable"
    assert w.model.hard == 0 and "Hard" in w.score_label.text()
    # a second version (copy) opened by id, chosen from the version box
    info = tts.copy_timetable(demo_db, "Reference timetable", "Copy A")
    assert w.open_timetable(info.id)
    assert w.model.timetable_id == info.id
    assert w.version_box.currentData() == info.id and w.version_box.count() == 2
    # a change is an undo step; switching the database drops the old steps and shows the empty page
    s = w.grid.shown_sessions()[0]
    assert w.lock_sessions([s], True) and stack.count() == 1
    w.set_database(db)
    assert stack.count() == 0 and not w.showing_timetable
    w.set_database(demo_db, info.id)
    assert w.showing_timetable and w.model.timetable_id == info.id and w.model.is_locked(s)


def test_every_view_kind_shows_cards(qtbot, demo_db):
    w = TimetableScreen(demo_db, QUndoStack(), None, with_optimizer=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    m = w.model
    w.show_view(VIEW_MASTER)
    assert len(w.grid.shown_sessions()) >= len(m.scheduled())  # a shared session shows once per section
    w.show_view(VIEW_ROOM, m.compiled.room_codes[0])
    assert all(m.views[s].room == m.compiled.room_codes[0] for s in w.grid.shown_sessions())
    w.show_view(VIEW_GROUP, "CSE-3A")
    # a multi-period session (lab) spans its periods
    lab = next(s for s in w.grid.shown_sessions() if m.problem.session_duration[s] > 1)
    it = w.grid.item_of(lab)
    dur = int(m.problem.session_duration[lab])
    start = int(m.assignment.start[lab]) % m.problem.periods_per_day
    assert it.rect.width() >= sum(w.grid.col_w(p) for p in range(start, start + dur)) - 6
