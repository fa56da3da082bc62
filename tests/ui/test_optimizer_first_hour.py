"""Issue 16, the first hour: "Keep my changes" follows the hand moves and says so; a result is previewed
in the grid ("Preview — Accept or Discard") and Discard puts the version back exactly as it was."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QUndoStack

from ato_desktop.services import timetables as tts
from ato_desktop.ui.timetable.commands import place, push
from ato_desktop.ui.timetable.model import GREEN, Placement
from ato_desktop.ui.timetable.screen import TimetableScreen

REF = "Reference timetable"
FIRST_RUN = 300_000  # ms: a fresh checkout compiles the numba kernels on the first run


@pytest.fixture
def screen(qtbot, demo_db):
    w = TimetableScreen(demo_db, QUndoStack(), timetable=REF)
    w.resize(1366, 768)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.shutdown()


def _green_move(m, w):
    s = next(x for x in w.grid.shown_sessions() if m.problem.session_duration[x] == 1 and not m.is_locked(x))
    pv = m.preview(s)
    t = next(t for t in range(m.problem.n_slots) if pv.at(t)[0] == GREEN and t != int(m.assignment.start[s]))
    return Placement(s, t, pv.at(t)[3])


def test_keep_my_changes_is_on_only_after_hand_moves_and_says_why(qtbot, screen):
    w, m, panel = screen, screen.model, screen.optimizer
    reason = panel.keep_advisor.label
    # a version just opened: nothing moved, so the first Start may move anything (the demo's 431 -> low soft)
    assert not panel.keep_changes.isChecked() and not panel.settings().keep_changes
    assert reason.text().startswith("Off: you have moved no session since the last run")
    assert push(w.undo_stack, place(m, [_green_move(m, w)], "move")) is None
    assert panel.keep_changes.isChecked() and panel.settings().keep_changes
    assert reason.text().startswith("On because you moved 1 session since the last run")
    w.undo_stack.undo()  # back where it was: nothing moved any more
    assert not panel.keep_changes.isChecked() and "moved no session" in reason.text()
    # the user's own choice stands (and is said to be theirs)
    panel.keep_changes.click()
    assert panel.keep_changes.isChecked() and reason.text().startswith("On (your choice)")
    w.undo_stack.redo()
    assert panel.keep_changes.isChecked() and "you moved 1 session" in reason.text()


def test_a_result_is_previewed_in_the_grid_and_discard_restores_the_version(qtbot, screen):
    w, m, db, panel = screen, screen.model, screen.db, screen.optimizer
    before = (m.assignment.start.copy(), m.assignment.room.copy())
    saved_rows = [(v.id, v.day, v.period, v.room) for v in tts.list_sessions(db, REF)]
    panel.time_limit.setValue(4)
    panel.population.setValue(4)
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN) as blocker:
        assert panel.start()
    result = blocker.args[0]
    assert result is not None and result.hard == 0
    banner = panel.preview_banner
    assert banner.isVisible() and banner.title.text().startswith("<b>Preview — Accept or Discard.</b>")
    # the grid shows the candidate: the model holds the result's placement, scored by the engine
    assert m.previewing and (m.hard, m.soft) == (result.hard, result.soft)
    rows = panel.compiled.rows_from_assignment(result.assignment)
    P = m.problem.periods_per_day
    for key, (day, period, room) in rows.items():
        s = m.compiled.index_of[key]
        assert int(m.assignment.start[s]) == (day * P + period if day is not None else -1)
        assert m.views[s].room == room
    assert not (np.array_equal(m.assignment.start, before[0]) and np.array_equal(m.assignment.room, before[1]))
    assert f"Soft {result.soft}" in w.score_label.text()
    # nothing was written
    assert [(v.id, v.day, v.period, v.room) for v in tts.list_sessions(db, REF)] == saved_rows
    assert len(tts.list_timetables(db)) == 1
    banner.discard_button.click()
    assert not banner.isVisible() and not m.previewing and panel.result is None
    assert np.array_equal(m.assignment.start, before[0]) and np.array_equal(m.assignment.room, before[1])
    assert m.hard == 0 and m.timetable.name == REF


def test_accept_from_the_preview_banner_saves_and_shows_the_new_version(qtbot, screen):
    w, m, db, panel = screen, screen.model, screen.db, screen.optimizer
    panel.time_limit.setValue(3)
    panel.population.setValue(4)
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN) as blocker:
        assert panel.start()
    result = blocker.args[0]
    assert m.previewing
    with qtbot.waitSignal(panel.accepted, timeout=20_000) as acc:
        panel.preview_banner.accept_button.click()
    new_id = acc.args[0]
    assert m.timetable_id == new_id and not m.previewing and not panel.preview_banner.isVisible()
    assert (m.hard, m.soft) == (result.hard, result.soft)
    assert len(tts.list_timetables(db)) == 2
    # a new version: nothing moved by hand in it yet
    assert not panel.keep_changes.isChecked()


def test_a_large_versions_preview_gets_its_engine_state_from_a_worker(qtbot, screen, monkeypatch):
    """Nothing slow on the UI thread: above the limit, the preview shows at once and is scored in a worker."""
    from ato_desktop.ui.timetable import optimizer_extras

    w, m, panel = screen, screen.model, screen.optimizer
    monkeypatch.setattr(optimizer_extras, "PREVIEW_STATE_IN_WORKER_ABOVE", 10)
    panel.time_limit.setValue(2)
    panel.population.setValue(4)
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN) as blocker:
        assert panel.start()
    result = blocker.args[0]
    assert m.previewing and panel.preview_banner.isVisible()
    qtbot.waitUntil(lambda: m.state is not None, timeout=30_000)
    assert (m.hard, m.soft) == (result.hard, result.soft)
    assert not panel.keep_changes.isChecked()  # the preview's moves are not the user's
    panel.discard()
    assert not m.previewing and m.hard == 0
