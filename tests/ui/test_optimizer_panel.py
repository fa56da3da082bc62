"""The optimizer panel on a real demo database: live progress, Stop, accept as a new version, undo, discard."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QUndoStack

from ato_desktop.services import backups
from ato_desktop.services import timetables as tts
from ato_desktop.ui.timetable.screen import TimetableScreen

REF = "Reference timetable"
FIRST_RUN = 300_000  # ms: a fresh checkout compiles the optimizer's numba kernels on the first run (~2 min)


@pytest.fixture
def screen(qtbot, demo_db):
    stack = QUndoStack()
    w = TimetableScreen(demo_db, stack, timetable=REF)
    w.resize(1400, 900)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.shutdown()


def test_progress_arrives_and_stop_returns_the_best_so_far(qtbot, screen):
    panel = screen.optimizer
    panel.time_limit.setValue(600)
    panel.population.setValue(4)
    panel.seed.setValue(3)
    panel.keep_changes.setChecked(False)
    seen = []
    panel.progressed.connect(seen.append)
    with qtbot.waitSignal(panel.started, timeout=15_000):
        assert panel.start()
    assert panel.running and not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    assert not panel.start()  # one run at a time
    # snapshots arrive while the run goes on; the chart gets a point once a best solution exists
    qtbot.waitUntil(lambda: len(seen) >= 3 and panel.hard_series.count() >= 2, timeout=FIRST_RUN)
    assert all(p.elapsed >= 0 and p.evaluations >= 0 for p in seen)
    assert [p.elapsed for p in seen] == sorted(p.elapsed for p in seen)
    assert panel.soft_series.count() == panel.hard_series.count()
    assert panel.hard_series.at(panel.hard_series.count() - 1).y() == seen[-1].best_hard
    assert panel.lbl_generation.text() != "–"
    with qtbot.waitSignal(panel.finished, timeout=10000) as blocker:
        panel.stop_button.click()
    result = blocker.args[0]
    assert result is not None and result.stopped
    assert result.seconds < 590  # well before the time limit
    assert not panel.running and panel.accept_button.isEnabled() and panel.discard_button.isEnabled()
    panel.discard_button.click()
    assert panel.result is None and not panel.accept_button.isEnabled()
    assert len(tts.list_timetables(screen.db)) == 1  # nothing was written


def test_accept_saves_a_new_version_after_a_backup_and_undo_removes_it(qtbot, screen):
    w, m, db = screen, screen.model, screen.db
    panel = w.optimizer
    s = w.grid.shown_sessions()[0]
    assert w.lock_sessions([s], True)
    locked_at = (int(m.assignment.start[s]), int(m.assignment.room[s]))
    panel.time_limit.setValue(3)
    panel.population.setValue(4)
    panel.keep_changes.setChecked(True)
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN) as blocker:
        panel.start()
    result = blocker.args[0]
    assert result is not None
    n_backups = len(backups.list_for(db))
    with qtbot.waitSignal(panel.accepted, timeout=10000) as acc:
        assert panel.accept_result("Optimized test")
    new_id = acc.args[0]
    assert len(backups.list_for(db)) == n_backups + 1
    info = tts.get_timetable(db, new_id)
    assert info.name == "Optimized test" and (info.hard_cost, info.soft_cost) == (result.hard, result.soft)
    assert m.timetable_id == new_id and w.version_box.currentData() == new_id
    assert m.hard == result.hard  # the grid's engine state agrees with the optimizer
    assert (int(m.assignment.start[s]), int(m.assignment.room[s])) == locked_at and m.is_locked(s)
    assert w.undo_stack.undoText().startswith("Apply optimized timetable")
    w.undo_stack.undo()
    assert m.timetable.name == REF
    assert [t.name for t in tts.list_timetables(db)] == [REF]
    w.undo_stack.redo()
    assert m.timetable.name == "Optimized test"


def test_first_run_prepares_the_engine_in_another_process_then_colours_and_starts(qtbot, demo_db, tmp_path,
                                                                                  monkeypatch):
    """Cold marker: the grid opens without engine state (no compile on the UI thread), the warm-up
    runs in a child process, then the grid gets its state and a pending Start begins the run (the
    Start before it gives the quick first timetable)."""
    from ato_desktop.engine import warmup as engine_warmup
    from ato_desktop.ui.warmup import warmup_controller

    monkeypatch.setenv(engine_warmup.MARKER_DIR_ENV, str(tmp_path / "cold-markers"))
    assert not engine_warmup.is_warm()
    wc = warmup_controller()
    stack = QUndoStack()
    with qtbot.waitSignal(wc.started, timeout=10000):
        w = TimetableScreen(demo_db, stack, timetable=REF)
    qtbot.addWidget(w)
    w.show()
    try:
        assert w.model.state is None  # nothing compiled on the UI thread
        panel = w.optimizer
        panel.time_limit.setValue(600)
        if wc.running:  # the first Start gives a numpy first timetable at once (issue 16), the next one waits
            with qtbot.waitSignal(panel.finished, timeout=60_000):
                assert panel.start() is True
            assert panel.run.quick
        assert panel.start() is True
        assert "preparing" in panel.lbl_phase.text()
        assert not panel.running
        with qtbot.waitSignal(panel.started, timeout=FIRST_RUN):
            pass  # the run begins once the warm-up process has finished
        assert engine_warmup.is_warm()
        qtbot.waitUntil(lambda: w.model.state is not None, timeout=10000)
        with qtbot.waitSignal(panel.finished, timeout=20000):
            panel.stop()
    finally:
        w.shutdown()


def test_a_closed_screen_ignores_a_late_warm_up_end(qtbot, demo_db, tmp_path, monkeypatch):
    """A warm-up that ends after the screen's window was closed (its file gone) changes nothing."""
    from ato_desktop.engine import warmup as engine_warmup
    from ato_desktop.ui.warmup import warmup_controller

    monkeypatch.setenv(engine_warmup.MARKER_DIR_ENV, str(tmp_path / "cold"))
    w = TimetableScreen(demo_db, QUndoStack(), timetable=REF, with_optimizer=False)
    qtbot.addWidget(w)
    assert w.model.state is None
    w.shutdown()
    demo_db.close()
    warmup_controller().finished.emit(True, "prepared")  # no exception reaches the event loop
    w2 = TimetableScreen(None, QUndoStack())
    qtbot.addWidget(w2)
    w2._on_engine_ready(True, "prepared")  # no database: nothing to do


def test_an_impossible_timetable_is_explained_instead_of_optimized_and_can_run_anyway(qtbot, screen):
    """Mr. Arjun Ghosh (10 periods a week) left with two periods: Start lists why, nothing runs;
    "Optimize anyway" runs for the fewest hard conflicts."""
    from ato_desktop.services import availability as av

    av.set_marks(screen.db, "faculty", "AGH",
                 {(d, p): "unavailable" for d in range(6) for p in range(8) if not (d == 0 and p < 2)})
    panel = screen.optimizer
    panel.time_limit.setValue(2)
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN) as blocker:
        assert panel.start()
    assert blocker.args == [None] and panel.result is None and not panel.accept_button.isEnabled()
    dlg = panel.check_dialog
    assert dlg is not None and dlg.isVisible() and dlg.windowTitle() == "The timetable is impossible as entered"
    assert any("Mr. Arjun Ghosh (faculty) needs 10 periods a week" in f.message for f in dlg.errors())
    assert panel.lbl_phase.text().startswith("not started:") and panel.start_button.isEnabled()
    assert len(tts.list_timetables(screen.db)) == 1  # nothing was written

    (anyway,) = [b for b in dlg.buttons.buttons() if b.text() == "Optimize &anyway"]
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN) as blocker:
        anyway.click()
    result = blocker.args[0]
    assert result is not None and result.hard > 0  # the best it could do: some conflicts remain
    assert not dlg.isVisible() and panel.accept_button.isEnabled()
    # issue 18 §4: the end message says which rules and which resource make it impossible, and a bound
    end = panel.lbl_phase.text()
    assert "Still broken:" in end and "Impossible as entered:" in end and "Mr. Arjun Ghosh" in end, end
    assert f"hard {panel.run.bound.hard} or more" in end and 1 <= panel.run.bound.hard <= result.hard
    # the next plain Start checks again
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN) as blocker:
        assert panel.start()
    assert blocker.args == [None]


def test_a_failed_backup_or_write_keeps_the_result_unsaved_and_the_database_unchanged(qtbot, screen, monkeypatch):
    """Backup fails -> asked; 'No' saves nothing. 'Yes' but the write fails -> a warning, nothing saved.
    Either way the result stays, to save again once the problem is gone."""
    import ato_desktop.ui.timetable.optimizer_panel as op

    panel, db = screen.optimizer, screen.db
    real_backup, real_write = backups.before_optimizer, tts.create_version_with_rows
    panel.time_limit.setValue(2)
    panel.population.setValue(4)
    panel.keep_changes.setChecked(False)
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN):
        panel.start()
    versions = len(tts.list_timetables(db))
    asked, warned = [], []

    def no_backup(_db):
        raise OSError("No space left on device")

    monkeypatch.setattr(backups, "before_optimizer", no_backup)
    monkeypatch.setattr(op.QMessageBox, "question", lambda _p, title, text, *a: (asked.append(text), op.QMessageBox.No)[1])
    monkeypatch.setattr(op.QMessageBox, "warning", lambda _p, title, text, *a: warned.append((title, text)))
    assert panel.accept_result("Never saved")
    qtbot.waitUntil(lambda: panel.lbl_phase.text() == "not saved", timeout=15_000)
    assert "No space left on device" in asked[0] and warned == []
    assert panel.result is not None and panel.accept_button.isEnabled() and panel.discard_button.isEnabled()
    assert len(tts.list_timetables(db)) == versions

    def failing_write(*_a, **_k):
        raise OSError("disk I/O error")

    monkeypatch.setattr(op.QMessageBox, "question", lambda *a: op.QMessageBox.Yes)  # save without a backup
    monkeypatch.setattr(tts, "create_version_with_rows", failing_write)
    assert panel.accept_result("Never saved")
    qtbot.waitUntil(lambda: bool(warned), timeout=15_000)
    assert warned == [("Could not save the result", "disk I/O error")] and panel.lbl_phase.text() == "not saved"
    assert panel.result is not None and panel.accept_button.isEnabled()
    assert len(tts.list_timetables(db)) == versions
    # the disk has room again: the same result saves, after a backup
    monkeypatch.setattr(backups, "before_optimizer", real_backup)
    monkeypatch.setattr(tts, "create_version_with_rows", real_write)
    n_backups = len(backups.list_for(db))
    with qtbot.waitSignal(panel.accepted, timeout=15_000):
        assert panel.accept_result("Saved at last")
    assert len(tts.list_timetables(db)) == versions + 1 and len(backups.list_for(db)) == n_backups + 1


def _run_briefly(qtbot, panel):
    panel.time_limit.setValue(2)
    panel.population.setValue(4)
    panel.keep_changes.setChecked(False)
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN) as blocker:
        assert panel.start()
    assert blocker.args[0] is not None
    return blocker.args[0]


def _change_the_data(db):
    """A teacher becomes unavailable on Monday morning (an edit made while the optimizer ran)."""
    from ato_desktop.services import availability as av

    av.set_marks(db, "faculty", "AGH", {(0, 0): "unavailable", (0, 1): "unavailable"})


def _box(qtbot, panel):
    qtbot.waitUntil(lambda: panel.data_changed_box is not None and panel.data_changed_box.isVisible(), timeout=20000)
    box, panel.data_changed_box = panel.data_changed_box, None
    return box


def test_accepting_a_result_computed_before_a_data_change_warns_and_offers_to_rerun(qtbot, screen):
    from PySide6.QtWidgets import QPushButton

    panel, db = screen.optimizer, screen.db
    _run_briefly(qtbot, panel)
    _change_the_data(db)
    accepted = []
    panel.accepted.connect(accepted.append)
    assert panel.accept_result("Stale result")
    box = _box(qtbot, panel)
    assert "The data changed while the optimizer ran (faculty or student groups changed)" in box.text()
    assert [b.text() for b in box.buttons()] and {"Re-run", "Accept anyway"} <= {b.text() for b in box.buttons()}
    box.findChild(QPushButton, "cancelButton").click()  # Cancel: nothing saved, the result kept
    qtbot.waitUntil(lambda: not box.isVisible())
    assert [t.name for t in tts.list_timetables(db)] == [REF] and accepted == []
    assert panel.result is not None and panel.accept_button.isEnabled()

    assert panel.accept_result("Stale result")
    box = _box(qtbot, panel)
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN):  # Re-run: a new run on the data as it is now
        box.findChild(QPushButton, "rerunButton").click()
    assert panel.result is not None
    with qtbot.waitSignal(panel.accepted, timeout=20000):  # the new result is on today's data: no question
        assert panel.accept_result("Fresh result")
    assert panel.data_changed_box is None
    from ato_desktop.services import scores

    fresh = tts.get_timetable(db, "Fresh result")  # stored with the fingerprint of the data it was run on
    assert fresh.id not in scores.find_out_of_date(db).stale_ids and fresh.score_fingerprint


def test_accept_anyway_saves_the_result_and_its_score_is_rechecked(qtbot, screen):
    from PySide6.QtWidgets import QPushButton

    from ato_desktop.services import scores

    panel, db = screen.optimizer, screen.db
    _run_briefly(qtbot, panel)
    _change_the_data(db)
    assert panel.accept_result("Anyway")
    box = _box(qtbot, panel)
    with qtbot.waitSignal(panel.accepted, timeout=20000):
        box.findChild(QPushButton, "acceptAnywayButton").click()
    info = tts.get_timetable(db, "Anyway")
    assert info.id in scores.find_out_of_date(db).stale_ids  # the score it was saved with is of the old data


def test_the_panel_starts_at_the_optimizer_settings_defaults(qtbot, screen):
    from ato_desktop.services.solving import OptimizerSettings

    # a version just opened: nothing moved by hand, so "Keep my changes" is off, as by default
    assert screen.optimizer.settings() == OptimizerSettings()
    threads = screen.optimizer.threads  # issue 18: the threads setting reaches the run's settings
    threads.setValue(threads.maximum())
    assert screen.optimizer.settings().threads == threads.maximum() >= 1


def test_the_panel_and_the_cli_solve_give_the_same_timetable_for_the_same_settings(qtbot, screen, _demo_template,
                                                                                    tmp_path, capsys):
    """One pipeline (issue 15, item 5): the panel's Start + Accept and ``solve --db`` run the same two services,
    so the same seed and settings with a generation limit save the same timetable and score."""
    from ato_desktop.cli import main
    from ato_desktop.storage.database import open_database

    panel = screen.optimizer
    panel.seed.setValue(5)
    panel.population.setValue(2)
    panel.keep_changes.setChecked(False)
    panel.generations = 1  # the form's "reproducible run": no time limit
    with qtbot.waitSignal(panel.finished, timeout=FIRST_RUN) as blocker:
        assert panel.start()
    assert blocker.args[0] is not None and not blocker.args[0].stopped
    with qtbot.waitSignal(panel.accepted, timeout=30_000):
        assert panel.accept_result("From the app")
    app = tts.get_timetable(screen.db, "From the app")
    app_rows = sorted((v.activity_id, v.occurrence, v.day, v.period, v.room)
                      for v in tts.list_sessions(screen.db, app.id))

    cli_path = tmp_path / "cli.atodb"
    cli_path.write_bytes(_demo_template.read_bytes())
    assert main(["solve", "--db", str(cli_path), "--timetable", REF, "--generations", "1", "--seed", "5",
                 "--population", "2", "--no-keep-changes", "--name", "From the CLI"]) == 0
    assert "Saved as timetable version 'From the CLI'" in capsys.readouterr().out
    db = open_database(cli_path)
    try:
        cli = tts.get_timetable(db, "From the CLI")
        cli_rows = sorted((v.activity_id, v.occurrence, v.day, v.period, v.room) for v in tts.list_sessions(db, cli.id))
    finally:
        db.close()
    assert cli_rows == app_rows and len(app_rows) > 0
    assert (cli.hard_cost, cli.soft_cost) == (app.hard_cost, app.soft_cost)
    assert cli.notes.startswith("Optimizer: seed 5, ") and app.notes.startswith("Optimizer: seed 5, ")
