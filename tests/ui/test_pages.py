"""Calendar, constraints, activities (L-T-P), timetables pages; file actions; read-only; start-up probe."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from ato_desktop.services import calendar as cal
from ato_desktop.services import resources as res
from ato_desktop.services import timetables as tts
from ato_desktop.storage import backup as b
from ato_desktop.storage.instance import InstanceLock, is_in_use
from ato_desktop.ui import settings as st
from tests.ui.conftest import answer_dialog

pytestmark = pytest.mark.timeout(90)

REPO = Path(__file__).resolve().parents[2]


def count(path, table, where=""):
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]
    finally:
        con.close()


def test_generate_activities_from_ltp_through_the_dialog(window, qtbot, demo_db_path):
    db = window.database
    res.create_item(db, "course", {"code": "CS209", "title": "Computer Organisation", "department": "CSE",
                                   "lecture_hours": 3, "tutorial_hours": 1, "practical_hours": 2})
    page = window.show_page("activities")
    before = count(demo_db_path, "activity")

    def drive(dlg):
        dlg.course.setCurrentIndex(dlg.course.findData("CS209"))
        for i in range(dlg.groups.count()):
            it = dlg.groups.item(i)
            if it.data(Qt.ItemDataRole.UserRole) in ("CSE-3A", "CSE-3B"):
                it.setCheckState(Qt.CheckState.Checked)
        assert "choose at least one faculty member" in dlg.error.text()
        assert not dlg.ok_button.isEnabled()
        for i in range(dlg.faculty.count()):
            if dlg.faculty.item(i).data(Qt.ItemDataRole.UserRole) == "KPA":
                dlg.faculty.item(i).setCheckState(Qt.CheckState.Checked)
        preview = dlg.preview.text()
        assert dlg.duration.value() == 2
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
        return preview

    seen = answer_dialog(qtbot, page.open_generate_dialog, accept=None, inspect=drive)
    assert "Will create 10 activities" in seen["info"]
    assert "CS209 P (CSE-3B-B2): 1 × 2 period(s)" in seen["info"]
    assert len(seen["result"]) == 10
    assert count(demo_db_path, "activity") == before + 10
    assert page.model.rowCount() == before + 10
    assert window.undo_stack.undoText() == "Generate 10 activities of CS209"
    window.undo_stack.undo()
    assert count(demo_db_path, "activity") == before
    window.undo_stack.redo()
    assert count(demo_db_path, "activity") == before + 10
    kinds = sorted(a["kind"] for a in res.list_items(db, "activity", course="CS209"))
    assert kinds == ["L"] * 2 + ["P"] * 4 + ["T"] * 4


def test_calendar_page_saves_validates_and_undoes(window, qtbot, demo_db_path):
    page = window.show_page("calendar")
    page.periods.item(0, 2).setText("09:55")  # P1 ends after P2 starts
    assert not page.apply()
    assert page.error.isVisible() and "period 2" in page.error.text() and "before the previous period ends" in page.error.text()
    assert cal.get_calendar(window.database).periods[0].end_time == "09:50"

    page.reload()
    page.day_checks["Saturday"].setChecked(False)  # the reference timetable uses Saturday
    assert not page.apply()
    assert "scheduled session(s) use the current calendar" in page.error.text()

    page.reload()
    page.periods.item(7, 0).setText("P7 (last)")
    page.setting_edits["term"].setText("Even Semester 2027")
    assert page.apply()
    assert cal.get_calendar(window.database).periods[7].label == "P7 (last)"
    assert cal.get_setting(window.database, "term") == "Even Semester 2027"
    window.show_page("faculty")
    window.undo_stack.undo()
    assert cal.get_calendar(window.database).periods[7].label == "P7"
    page = window.show_page("calendar")
    assert page.periods.item(7, 0).text() == "P7"
    assert page.setting_edits["term"].text().startswith("Odd Semester")


def test_constraints_enable_disable_and_parameters(window, qtbot):
    page = window.show_page("constraints")
    item = res.get_item(window.database, "constraint", "gaps")
    page.select_id(item["id"])
    assert page.toggle_enabled()
    assert res.get_item(window.database, "constraint", "gaps")["enabled"] is False
    assert window.undo_stack.undoText() == "Disable constraint Idle periods between a student group's classes"
    window.undo_stack.undo()
    assert res.get_item(window.database, "constraint", "gaps")["enabled"] is True

    # Only what the engine honours is editable (issue 14, item 6): the weight and on/off; whether the rule
    # is hard is the engine's (read-only), and parameters are a typed form, never raw JSON.
    from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

    from ato_desktop.ui.forms import ParamsEditor

    page.select_id(item["id"])
    form = page.form
    assert form.findChildren(QPlainTextEdit) == [] and form.findChildren(QTextEdit) == []
    params = form.editors["params"]
    assert isinstance(params, ParamsEditor) and params.editors == {}  # the engine reads no parameter of gaps
    assert "No parameters to set here" in params.note.text()
    assert not form.editors["is_hard"].isEnabled() and not form.editors["label"].isEnabled()
    assert form.editors["weight"].isEnabled() and form.editors["enabled"].isEnabled()
    daily = res.get_item(window.database, "constraint", "daily_load")
    page.select_id(daily["id"])
    assert "Max periods / day" in params.note.text() and form.editors["is_hard"].isChecked()
    page.select_id(item["id"])
    form.editors["weight"].setValue(7)
    assert page.save()
    saved = res.get_item(window.database, "constraint", "gaps")
    assert saved["params"] == {} and saved["weight"] == 7 and saved["is_hard"] is False


def test_timetable_versions(window, qtbot):
    page = window.show_page("timetables")
    page.select_id(page.infos[0].id)
    assert page.copy_selected("Draft 2")
    names = [t.name for t in tts.list_timetables(window.database)]
    assert names == ["Reference timetable", "Draft 2"]
    assert page.table.rowCount() == 2
    assert page.selected_info().name == "Draft 2"
    copy = tts.get_timetable(window.database, "Draft 2")
    assert copy.scheduled == copy.sessions > 0
    assert page.rename_selected("Draft B")
    seen = answer_dialog(qtbot, lambda: page.rename_selected("Reference timetable"), inspect=lambda box: box.text())
    assert seen["result"] is False  # taken: refused, with the reason
    assert "'Reference timetable' is already used by another version" in seen["info"]
    assert page.publish_selected(confirm=False)  # the confirmation: tests/ui/test_publish_current.py
    assert tts.get_timetable(window.database, "Draft B").status == "published"
    assert not page.buttons["Rename"].isEnabled()  # a published version is frozen
    assert page.delete_selected(confirm=False)
    assert [t.name for t in tts.list_timetables(window.database)] == ["Reference timetable"]
    window.undo_stack.undo()  # delete
    restored = tts.get_timetable(window.database, "Draft B")
    assert restored.status == "published" and restored.scheduled == copy.scheduled
    window.undo_stack.undo()  # publish
    assert tts.get_timetable(window.database, "Draft B").status == "draft"
    window.undo_stack.undo()  # rename
    window.undo_stack.undo()  # copy
    assert [t.name for t in tts.list_timetables(window.database)] == ["Reference timetable"]
    assert page.table.rowCount() == 1


def test_database_in_use_is_offered_read_only(qtbot, demo_db_path):
    from ato_desktop.ui.app import create_main_window

    lock = InstanceLock(demo_db_path).acquire()  # "another instance" edits it
    try:
        w = create_main_window()
        qtbot.addWidget(w)

        def inspect(box):
            text = box.text()
            ro = [b for b in box.buttons() if b.text() == "Open read-only"][0]
            ro.click()
            return text

        seen = answer_dialog(qtbot, lambda: w.open_database(demo_db_path), accept=None, inspect=inspect)
        assert "already open for editing by" in seen["info"]
        assert seen["result"] is True
        assert w.readonly and w.database.readonly
        assert w.windowTitle() == "ATO Desktop — demo.atodb (read-only)"
        page = w.show_page("faculty")
        assert page.model.rowCount() == 19
        assert not page.new_button.isEnabled() and not page.save_button.isEnabled()
        assert not w.act_restore.isEnabled()
        w.close()
    finally:
        lock.release()


def test_restore_from_backup_in_a_worker_keeps_the_lock(window, qtbot, demo_db_path):
    from ato_desktop.ui.tasks import wait_idle

    wait_idle()  # the daily backup taken at open (two backups at once can collide in pruning)
    backup = b.create_backup(demo_db_path, "manual")
    page = window.show_page("rooms")
    page.new_item()
    page.form.editors["code"].setText("CR-500")
    page.form.editors["capacity"].setValue(50)
    assert page.save()
    assert count(demo_db_path, "room") == 11
    job = window.restore_backup_file(backup)
    qtbot.waitUntil(lambda: job.done, timeout=20000)
    assert job.error is None, job.error
    assert count(demo_db_path, "room") == 10
    assert window.database is job.result and page.model.rowCount() == 10
    assert window.undo_stack.count() == 0
    assert is_in_use(demo_db_path) is not False  # still ours
    assert any(p.reason == "before-restore" for p in b.list_backups(demo_db_path, with_summary=False))


def test_save_a_copy_and_recent_files(window, qtbot, demo_db_path, tmp_path):
    assert st.recent_files()[0] == demo_db_path.resolve()
    job = window.save_copy_to(tmp_path / "copy")
    qtbot.waitUntil(lambda: job.done, timeout=20000)
    assert job.error is None and Path(job.result) == tmp_path / "copy.atodb"
    assert count(tmp_path / "copy.atodb", "faculty") == count(demo_db_path, "faculty")
    assert window.open_database(tmp_path / "copy.atodb")
    assert window.windowTitle() == "ATO Desktop — copy.atodb"
    assert st.recent_files()[:2] == [(tmp_path / "copy.atodb").resolve(), demo_db_path.resolve()]
    assert is_in_use(demo_db_path) is False  # the previous database was closed and unlocked


def test_window_layout_and_page_are_remembered(qtbot, demo_db_path):
    from ato_desktop.ui.app import create_main_window

    w = create_main_window(demo_db_path)
    qtbot.addWidget(w)
    w.show_page("rooms")
    w.resize(700, 500)
    w.close()
    w2 = create_main_window()
    qtbot.addWidget(w2)
    assert w2.current_page_key() == "rooms"
    assert (w2.size().width(), w2.size().height()) == (700, 500)
    w2.close()


def test_add_page_and_menu_action(window):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel

    window.add_page("mail", "Mail settings", QLabel("mail"))
    assert window.show_page("mail").text() == "mail"
    act = QAction("Export PDF…", window)
    window.add_menu_action("File", act)
    window.add_menu_action("Reports", QAction("Weekly report", window))
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles[-1] == "Help" and "Reports" in titles
    assert act in window.menu("File").actions()


def test_startup_probe_prints_first_window_time(demo_db_path, tmp_path):
    env = dict(os.environ, ATO_STARTUP_PROBE="1", QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "ato_desktop", "--db", str(demo_db_path)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    line = [x for x in out.stdout.splitlines() if x.startswith("first-window ")]
    assert line and 0 < float(line[0].split()[1]) < 60


def test_timetable_grid_is_loaded_when_shown_and_keeps_the_undo_history(window, qtbot):
    page = window.pages["timetables"]
    assert page.screen is None  # not built before the page is shown
    fac = window.show_page("faculty")
    fac.select_id(res.get_item(window.database, "faculty", "AIY")["id"])
    fac.form.editors["max_weekly_periods"].setValue(12)
    assert fac.save()
    window.show_page("timetables")
    ref = tts.get_timetable(window.database, "Reference timetable")
    assert page.screen.db is window.database and page.screen.model is not None
    assert page.screen.model.timetable_id == ref.id and page.open_id == ref.id
    assert window.undo_stack.count() == 1  # the edit on the faculty page can still be undone
    assert page.table.item(0, 0).text() == "Reference timetable  ◀ open"
    page.select_id(ref.id)
    assert page.copy_selected("Second")
    page.select_id(tts.get_timetable(window.database, "Second").id)
    page.open_selected()
    assert page.screen.model.timetable_id == tts.get_timetable(window.database, "Second").id
    window.undo_stack.undo()  # the copy
    window.undo_stack.undo()  # the faculty edit
    assert res.get_item(window.database, "faculty", "AIY")["max_weekly_periods"] == 14


def test_a_hidden_timetable_screen_lets_go_of_a_closed_database(window, qtbot, demo_db_path, tmp_path):
    """Another file opened while the Timetables page is hidden: its screen drops the old database at once
    (a late load or announcement must not read a closed file) and shows the new one when the page shows."""
    import shutil

    window.show_page("timetables")
    page = window.pages["timetables"]
    old = window.database
    assert page.screen.db is old
    window.show_page("faculty")
    other = tmp_path / "other.atodb"
    shutil.copyfile(demo_db_path, other)
    assert window.open_database(other, ask=False)
    assert page.screen.db is None  # hidden, and already let go of the old file
    window.show_page("timetables")
    qtbot.waitUntil(lambda: page.screen.db is window.database and page.screen.model is not None, timeout=15_000)
    assert window.database.path == other


def test_generate_asks_which_lab_and_which_teacher_takes_which_batch(window, qtbot, demo_db_path):
    """Issue 16: the practicals' lab (a kind or one lab) and a teacher per lab batch, from the dialog."""
    db = window.database
    res.create_item(db, "course", {"code": "CS219", "title": "Networks Laboratory", "department": "CSE",
                                   "lecture_hours": 0, "tutorial_hours": 0, "practical_hours": 2})
    page = window.show_page("activities")

    def drive(dlg):
        assert dlg.minimumSizeHint().height() <= 614  # fits a 1366 x 768 screen at 125 %
        dlg.course.setCurrentIndex(dlg.course.findData("CS219"))
        for i in range(dlg.groups.count()):
            if dlg.groups.item(i).data(Qt.ItemDataRole.UserRole) == "CSE-3A":
                dlg.groups.item(i).setCheckState(Qt.CheckState.Checked)
        for i in range(dlg.faculty.count()):
            if dlg.faculty.item(i).data(Qt.ItemDataRole.UserRole) == "KPA":
                dlg.faculty.item(i).setCheckState(Qt.CheckState.Checked)
        assert [dlg.batch_table.item(r, 0).text() for r in range(dlg.batch_table.rowCount())] == \
            ["CSE-3A-B1", "CSE-3A-B2"]
        dlg.lab_room.setCurrentIndex(dlg.lab_room.findData("room:LAB-2"))
        dlg.set_batch_teacher("CSE-3A-B2", "SFE")
        preview = dlg.preview.text()
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
        return preview

    seen = answer_dialog(qtbot, page.open_generate_dialog, accept=None, inspect=drive)
    assert "CS219 P (CSE-3A-B2): 1 × 2 period(s) in LAB-2, SFE" in seen["info"]
    labs = {tuple(a["groups"]): a for a in res.list_items(db, "activity", course="CS219")}
    assert labs[("CSE-3A-B1",)]["faculty"] == ["KPA"] and labs[("CSE-3A-B2",)]["faculty"] == ["SFE"]
    assert {a["preferred_room"] for a in labs.values()} == {"LAB-2"}
    assert {a["room_kind"] for a in labs.values()} == {"lab"}
