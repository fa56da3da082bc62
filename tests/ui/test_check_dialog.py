"""Tools ▸ Check the data…: impossible-problem findings in a dialog, computed in a worker."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ato_desktop.services import availability as av
from ato_desktop.storage.database import open_database
from ato_desktop.ui.check_dialog import CheckDialog


def test_the_demo_is_sound_and_an_overloaded_teacher_is_named(qtbot, demo_db_path):
    db = open_database(demo_db_path)
    try:
        dlg = CheckDialog()
        qtbot.addWidget(dlg)
        with qtbot.waitSignal(dlg.checked, timeout=60_000) as blocker:
            dlg.check(db)
        assert [f for f in blocker.args[0] if f.severity == "error"] == []
        assert dlg.errors() == [] and "error" not in dlg.status.text()

        # leave Mr. Arjun Ghosh (10 periods a week) two periods on Monday
        av.set_marks(db, "faculty", "AGH",
                     {(d, p): "unavailable" for d in range(6) for p in range(8) if not (d == 0 and p < 2)})
        with qtbot.waitSignal(dlg.checked, timeout=60_000):
            dlg.check(db)
        errors = dlg.errors()
        assert len(errors) >= 1 and dlg.status.text().startswith(f"{len(errors)} error")
        first = dlg.tree.topLevelItem(0)
        assert first.text(0) == "Error: More periods than available"
        assert "Mr. Arjun Ghosh (faculty) needs 10 periods a week" in first.text(1)
        dlg.copy()
        copied = QApplication.clipboard().text()
        assert copied.splitlines()[0] == dlg.status.text() and "ERROR: Mr. Arjun Ghosh" in copied
    finally:
        db.close()


def test_a_check_that_cannot_run_says_why(qtbot, tmp_path, demo_db_path):
    db = open_database(demo_db_path)
    try:
        dlg = CheckDialog()
        qtbot.addWidget(dlg)
        with qtbot.waitSignal(dlg.failed, timeout=60_000) as blocker:
            dlg.check(db, "No such version")
        assert "No such version" in blocker.args[0] and dlg.status.text().startswith("The check could not run:")
    finally:
        db.close()


def test_tools_check_the_data_in_the_main_window(qtbot, window):
    act = window.findChild(type(window.act_check_data), "actionCheckData")
    assert act is window.act_check_data and act.shortcut().toString() == "Ctrl+Shift+K"
    act.trigger()
    dlg = window.check_dialog
    qtbot.waitUntil(lambda: dlg.findings is not None, timeout=60_000)
    assert dlg.isVisible() and dlg.errors() == []
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Check: "), timeout=5_000)
    dlg.close()
