"""The timetable screen as the main window hosts it: database switching, empty states, versions."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack

from ato_desktop.rule_names import rule_name
from ato_desktop.services import timetables as tts
from ato_desktop.ui.tasks import wait_idle
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


def test_conflicts_of_a_large_department_are_evaluated_in_a_worker(qtbot, demo_db, monkeypatch):
    from ato_desktop.ui.timetable import conflicts

    monkeypatch.setattr(conflicts, "SYNC_LIMIT", 0)  # the demo counts as large
    w = TimetableScreen(demo_db, QUndoStack(), None, with_optimizer=False)
    qtbot.addWidget(w)
    w.show()
    panel = w.conflicts
    qtbot.waitUntil(lambda: panel.topLevelItemCount() == 2, timeout=20000)
    m = w.model
    s = w.grid.shown_sessions()[0]
    with qtbot.waitSignal(panel.refreshed, timeout=20000):
        w.unschedule(s)
        assert panel.topLevelItem(0).text(0) == "Evaluating…"  # the GUI did not wait for it
    assert panel.topLevelItem(0).text(0) == "Hard conflicts (1)"
    assert m.score().hard == m.hard == 1


def test_qt_workaround_keeps_none_alive_through_many_void_calls(qapp):
    import sys

    from PySide6.QtCore import QObject

    from ato_desktop.ui import qt_workarounds

    obj = QObject()
    for _ in range(200_000):  # enough to free None without the workaround when the bug is present
        obj.setObjectName("x")
    assert sys.getrefcount(None) > 1000
    if qt_workarounds.pyside_leaks_none():
        assert qt_workarounds._applied


def test_screenshot_command_writes_pngs(qtbot, tmp_path, monkeypatch):
    import tempfile

    from PySide6.QtGui import QImage

    from ato_desktop.ui.screenshots import render_all

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    files = render_all(tmp_path / "shots", optimizer_seconds=1, log=lambda _m: None)
    assert list(temp.iterdir()) == []  # its demo copies are gone (it left an ato-shots-* folder each run)
    names = {f.name for f in files}
    assert {"timetable-group.png", "timetable-drag.png", "timetable-faculty.png", "timetable-master.png",
            "timetable-repair.png", "timetable-conflicts.png", "optimizer.png", "substitutions.png"} <= names
    for f in files:
        img = QImage(str(f))
        assert not img.isNull() and img.width() >= 600 and img.height() >= 300, f


def test_engine_state_of_a_big_version_is_built_in_a_worker_after_the_warm_up(qtbot, demo_db, monkeypatch):
    """After the first-run warm-up the screen builds the engine state; above the threshold in a worker
    thread (the UI thread stays free), with the same score as a state built at once."""
    from ato_desktop.ui.timetable import screen as screen_mod

    w = TimetableScreen(demo_db, QUndoStack(), None, with_optimizer=False)
    qtbot.addWidget(w)
    m = w.model
    assert m.state is not None
    hard, soft = m.hard, m.soft
    m.state = None  # as if the kernels were not compiled when the version was opened
    monkeypatch.setattr(screen_mod, "STATE_IN_WORKER_ABOVE", 10)  # the demo has 155 sessions
    events = []
    m.subscribe(events.append)
    w._on_engine_ready(True, "")
    assert m.state is None  # not built on the UI thread
    qtbot.waitUntil(lambda: m.state is not None, timeout=30000)
    assert "load" in events and (m.hard, m.soft) == (hard, soft)
    # at or under the threshold it is built at once
    m.state = None
    monkeypatch.setattr(screen_mod, "STATE_IN_WORKER_ABOVE", 10_000)
    w._on_engine_ready(True, "")
    assert m.state is not None and m.hard == hard


def test_a_large_version_is_loaded_in_a_worker_and_only_the_last_request_counts(qtbot, demo_db, monkeypatch):
    from ato_desktop.ui.timetable import screen as screen_mod

    monkeypatch.setattr(screen_mod, "ASYNC_ABOVE", 0)  # the demo counts as large
    copy = tts.copy_timetable(demo_db, "Reference timetable", "Copy B")
    w = TimetableScreen(None, QUndoStack(), None, with_optimizer=False)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.timetableOpened, timeout=30000) as blocker:
        assert w.set_database(demo_db, "Reference timetable")
        assert not w.showing_timetable and "Loading" in w.empty_label.text()  # the GUI did not wait
        w.open_timetable(copy.id)  # asked again before the first load finished
    assert wait_idle(30000)  # the first load's result (if it arrives later) must not replace the second
    assert blocker.args == [copy.id]
    assert w.showing_timetable and w.model.timetable_id == copy.id and w.model.hard == 0
    assert len(w.grid.shown_sessions()) > 0


def _texts(panel) -> list[str]:
    return [it.text(0) for it in panel.items()]


def test_conflicts_panel_lists_daily_and_weekly_load_limits_in_sentences(qtbot, demo_db):
    """Issue 14 item 6: a teacher above their daily limit (engine rule daily_load) and above their weekly
    limit (a rule on the data) are hard conflicts named with the numbers, not only a red bar."""
    import numpy as np

    from ato_desktop.services import resources as res
    from ato_desktop.services.compile import compile_database

    comp, a, _ = compile_database(demo_db, "Reference timetable")
    p = comp.problem
    q = 0  # the first faculty member: their busiest day in the reference timetable
    load = np.zeros(p.n_slots, int)
    for s in range(p.n_sessions):
        if q in p.resources_of(s).tolist() and a.start[s] >= 0:
            load[a.start[s]:a.start[s] + p.session_duration[s]] += 1
    per_day = load.reshape(p.n_days, p.periods_per_day).sum(axis=1)
    day, most, week = int(per_day.argmax()), int(per_day.max()), int(load.sum())
    assert most >= 2
    code, name = comp.faculty_codes[q], p.resource_names[q]
    res.update_item(demo_db, "faculty", code, {"max_daily_periods": most - 1, "max_weekly_periods": week - 1})

    w = TimetableScreen(demo_db, QUndoStack(), None, with_optimizer=False)
    qtbot.addWidget(w)
    w.show()
    panel = w.conflicts
    qtbot.waitUntil(lambda: panel.topLevelItemCount() == 2, timeout=20000)
    texts = _texts(panel)
    assert any(t.startswith(f"{name} teaches {most} periods on {p.day_names[day]}; the limit is {most - 1}: ")
               for t in texts), texts
    assert any(t.startswith(f"{name} teaches {week} periods this week; the weekly limit is {week - 1}: ")
               for t in texts), texts
    # the panel's groups are named in the coordinator's words
    assert f"{rule_name('daily_load')} (1)" in texts and f"{rule_name('weekly_load')} (1)" in texts


def test_score_label_counts_unscheduled_sessions_as_hard_even_with_their_rule_off(qtbot, demo_db):
    from ato_desktop.services import resources as res

    res.update_item(demo_db, "constraint", "unscheduled", {"enabled": False})
    w = TimetableScreen(demo_db, QUndoStack(), None, with_optimizer=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.model.hard is not None, timeout=20000)
    w.unschedule(w.grid.shown_sessions()[0])
    assert w.model.hard == 0  # the engine's figure: the rule is off
    assert ">1<" in w.score_label.text() and "(1 unscheduled)" in w.score_label.text()
