"""The main window on the demo department: every list shows rows, forms save through the services."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ato_desktop.services import resources as res
from tests.ui.conftest import answer_dialog

ENTITY_PAGES = {"departments": "department", "faculty": "faculty", "rooms": "room", "groups": "group",
                "courses": "course", "activities": "activity", "baskets": "basket", "constraints": "constraint"}


def count(path, table):
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_every_list_shows_the_demo_rows(window, demo_db_path):
    assert window.windowTitle() == "ATO Desktop — demo.atodb"
    expected_keys = ["calendar", "departments", "faculty", "rooms", "groups", "courses", "activities",
                     "baskets", "constraints", "timetables", "dashboard", "substitutions", "notifications"]
    assert list(window.pages) == expected_keys
    for key, entity in ENTITY_PAGES.items():
        page = window.show_page(key)
        assert page.isVisible()
        n = res.count_items(window.database, entity)
        assert n > 0
        assert page.model.rowCount() == n, key
        assert page.table.model().rowCount() == n
    cal = window.show_page("calendar")
    assert cal.periods.rowCount() == 8
    assert cal.periods.item(4, 0).text() == "Lunch"
    assert cal.day_checks["Saturday"].isChecked() and not cal.day_checks["Sunday"].isChecked()
    tt = window.show_page("timetables")
    assert tt.table.rowCount() == 1 and tt.table.item(0, 0).text().startswith("Reference timetable")


def test_filter_and_sort(window, qtbot):
    page = window.show_page("faculty")
    qtbot.keyClicks(page.filter_edit, "professor dr")
    shown = [page.proxy.index(r, 1).data() for r in range(page.proxy.rowCount())]
    assert shown and all(n.startswith("Dr.") for n in shown)
    assert len(shown) < page.model.rowCount()
    page.filter_edit.clear()
    assert page.proxy.rowCount() == page.model.rowCount()
    col = [f.name for f in page.model.columns].index("max_weekly_periods")
    page.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    loads = [int(page.proxy.index(r, col).data()) for r in range(page.proxy.rowCount())]
    assert loads == sorted(loads, reverse=True)


def test_add_a_faculty_member_through_the_form(window, qtbot, demo_db_path):
    page = window.show_page("faculty")
    before = count(demo_db_path, "faculty")
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    form = page.form
    qtbot.keyClicks(form.editors["code"], "NEW")
    qtbot.keyClicks(form.editors["name"], "Dr. New Person")
    qtbot.keyClicks(form.editors["email"], "new.person@demo-institute.edu.in")
    dept = form.editors["department"]
    dept.setCurrentIndex(dept.findData("ECE"))
    form.editors["max_weekly_periods"].setValue(12)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert count(demo_db_path, "faculty") == before + 1
    saved = res.get_item(window.database, "faculty", "NEW")
    assert saved["name"] == "Dr. New Person" and saved["department"] == "ECE" and saved["max_weekly_periods"] == 12
    assert page.current_item()["code"] == "NEW"
    assert page.model.rowCount() == before + 1
    assert window.undo_stack.undoText() == "Add faculty member Dr. New Person (NEW)"


def test_validation_error_is_shown_inline_and_nothing_is_saved(window, qtbot, demo_db_path):
    page = window.show_page("faculty")
    before = count(demo_db_path, "faculty")
    page.new_item()
    qtbot.keyClicks(page.form.editors["code"], "sra")  # taken by Dr. Srinivasa Rao (case-insensitive)
    qtbot.keyClicks(page.form.editors["name"], "Someone Else")
    assert not page.save()
    assert "already used by Dr. Srinivasa Rao (SRA)" in page.form.error_text("code")
    assert page.form.errors["code"].isVisible()
    assert count(demo_db_path, "faculty") == before
    assert window.undo_stack.count() == 0

    page.form.editors["code"].setText("SEL")
    page.form.editors["email"].setText("not-an-address")
    assert not page.save()
    assert page.form.error_text("code") == ""
    assert "is not an e-mail address" in page.form.error_text("email")
    assert count(demo_db_path, "faculty") == before

    page.form.editors["email"].setText("")
    assert page.save()
    assert page.form.error_text("email") == "" and count(demo_db_path, "faculty") == before + 1


def test_edit_existing_item_updates_only_changed_fields(window, demo_db_path):
    page = window.show_page("rooms")
    assert page.select_id(res.get_item(window.database, "room", "CR-101")["id"])
    page.form.editors["capacity"].setValue(80)
    assert page.save()
    assert res.get_item(window.database, "room", "CR-101")["capacity"] == 80
    assert window.undo_stack.undoText().startswith("Edit room CR-101")
    window.undo_stack.undo()
    assert res.get_item(window.database, "room", "CR-101")["capacity"] == 72
    assert page.form.editors["capacity"].value() == 72  # the form follows the undo


def test_delete_with_dependents_is_confirmed_and_undoable(window, qtbot, demo_db_path):
    page = window.show_page("courses")
    course = res.get_item(window.database, "course", "CS201")
    n_act = count(demo_db_path, "activity")
    page.select_id(course["id"])

    # cancel first: nothing changes
    seen = answer_dialog(qtbot, page.delete_selected, accept=False, inspect=lambda d: d.lines())
    assert seen["result"] is False
    lines = seen["info"]
    assert any("Activity CS201 L (CSE-3A) and its scheduled sessions" in x for x in lines)
    assert count(demo_db_path, "course") == 22

    seen = answer_dialog(qtbot, page.delete_selected, accept=True)
    assert seen["result"] is True
    assert count(demo_db_path, "course") == 21
    assert count(demo_db_path, "activity") < n_act
    assert page.model.rowCount() == 21

    window.undo_stack.undo()
    assert count(demo_db_path, "course") == 22 and count(demo_db_path, "activity") == n_act
    assert page.model.rowCount() == 22
    window.undo_stack.redo()
    assert count(demo_db_path, "course") == 21


def test_delete_refused_while_something_blocks_it(window, qtbot, demo_db_path):
    page = window.show_page("departments")
    page.select_id(res.get_item(window.database, "department", "ECE")["id"])

    def inspect(dlg):
        return dlg.blocked, dlg.lines(), dlg.delete_button

    seen = answer_dialog(qtbot, page.delete_selected, accept=True, inspect=inspect)
    blocked, lines, delete_button = seen["info"]
    assert blocked and delete_button is None
    assert any("Faculty member Dr. Élise Banerjee (ECB)" in x for x in lines)
    assert seen["result"] is False
    assert count(demo_db_path, "department") == 2


def test_undo_and_redo_survive_switching_views(window, qtbot, demo_db_path):
    fac = window.show_page("faculty")
    fac.select_id(res.get_item(window.database, "faculty", "SRA")["id"])
    fac.form.editors["name"].setText("Prof. Srinivasa Rao")
    assert fac.save()
    rooms = window.show_page("rooms")
    rooms.new_item()
    rooms.form.editors["code"].setText("CR-999")
    rooms.form.editors["capacity"].setValue(30)
    assert rooms.save()
    window.show_page("timetables")
    assert window.undo_stack.count() == 2

    window.act_undo.trigger()  # Ctrl+Z from another view
    assert count(demo_db_path, "room") == 10
    window.act_undo.trigger()
    assert res.get_item(window.database, "faculty", "SRA")["name"] == "Dr. Srinivasa Rao"
    fac = window.show_page("faculty")
    row = fac.model.row_of(res.get_item(window.database, "faculty", "SRA")["id"])
    assert fac.model.item(row)["name"] == "Dr. Srinivasa Rao"

    window.show_page("calendar")
    window.act_redo.trigger()
    window.act_redo.trigger()
    assert res.get_item(window.database, "faculty", "SRA")["name"] == "Prof. Srinivasa Rao"
    rooms = window.show_page("rooms")
    assert count(demo_db_path, "room") == 11
    assert any(it["code"] == "CR-999" for it in rooms.model.items())
    assert window.act_undo.shortcuts()[0].toString() in ("Ctrl+Z",)
    assert "Ctrl+Shift+Z" in [s.toString() for s in window.act_redo.shortcuts()]


def test_keyboard_undo_shortcut(window, qtbot, demo_db_path):
    page = window.show_page("departments")
    page.new_item()
    page.form.editors["code"].setText("MECH")
    page.form.editors["name"].setText("Mechanical Engineering")
    assert page.save()
    assert count(demo_db_path, "department") == 3
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert count(demo_db_path, "department") == 2
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert count(demo_db_path, "department") == 3


def test_unsaved_edits_are_not_lost_silently_when_choosing_another_row(window, qtbot, demo_db_path):
    page = window.show_page("rooms")
    first = page.current_item()
    assert first["code"] == "CR-101"
    page.form.editors["name"].setText("Big hall")

    def click(button):
        def inspect(box):
            text = box.text()
            box.button(button).click()
            return text
        return inspect

    # Cancel: stays on the edited room with the edits
    seen = answer_dialog(qtbot, lambda: page.table.selectRow(1), accept=None,
                         inspect=click(QMessageBox.StandardButton.Cancel))
    assert seen["info"] == "Save your changes to CR-101?"
    qtbot.waitUntil(lambda: page.table.currentIndex().row() == 0)
    assert page.current_item()["code"] == "CR-101" and page.form.editors["name"].text() == "Big hall"

    # Discard: moves on, nothing saved
    answer_dialog(qtbot, lambda: page.table.selectRow(1), accept=None, inspect=click(QMessageBox.StandardButton.Discard))
    assert page.current_item()["code"] == "CR-102"
    assert res.get_item(window.database, "room", "CR-101")["name"] == "Classroom 101"

    # Save: saved, then moves on
    page.form.editors["capacity"].setValue(99)
    answer_dialog(qtbot, lambda: page.table.selectRow(2), accept=None, inspect=click(QMessageBox.StandardButton.Save))
    assert res.get_item(window.database, "room", "CR-102")["capacity"] == 99
    assert page.current_item()["code"] == "CR-103" and not page.form_dirty
    assert window.undo_stack.undoText().startswith("Edit room CR-102")


def test_duplicate_prefills_a_new_item_with_a_free_code(window, qtbot, demo_db_path):
    page = window.show_page("faculty")
    src = res.get_item(window.database, "faculty", "SRA")
    page.select_id(src["id"])
    qtbot.mouseClick(page.dup_button, Qt.MouseButton.LeftButton)
    assert page.current_item() is None  # a new, unsaved item
    assert page.form.editors["code"].text() == "SRA-2"
    assert page.form_title.text() == "New faculty member (copy of Dr. Srinivasa Rao (SRA))"
    page.form.editors["name"].setText("Dr. S. Rao Junior")
    assert page.save()
    copy = res.get_item(window.database, "faculty", "SRA-2")
    same = ("designation", "department", "max_weekly_periods", "max_daily_periods", "max_consecutive", "email")
    assert {k: copy[k] for k in same} == {k: src[k] for k in same}
    assert copy["name"] == "Dr. S. Rao Junior" and count(demo_db_path, "faculty") == 20


def test_closing_with_unsaved_edits_asks_first(window, qtbot):
    page = window.show_page("departments")
    page.new_item()
    page.form.editors["code"].setText("CIVIL")
    page.form.editors["name"].setText("Civil Engineering")
    window.show_page("rooms")

    def cancel(box):
        box.button(QMessageBox.StandardButton.Cancel).click()
        return box.text()

    seen = answer_dialog(qtbot, window.close, accept=None, inspect=cancel)
    assert seen["info"] == "Save your changes to the new department?"
    assert window.isVisible() and window.current_page_key() == "departments"

    def save(box):
        box.button(QMessageBox.StandardButton.Save).click()

    answer_dialog(qtbot, window.close, accept=None, inspect=save)
    assert not window.isVisible() and window.database is None
    from ato_desktop.storage.database import open_database

    with open_database(page.db.path) as db:
        assert res.get_item(db, "department", "CIVIL")["name"] == "Civil Engineering"


def test_lists_follow_commands_pushed_by_other_parts(window, qtbot, tmp_path):
    page = window.show_page("rooms")
    n = page.model.rowCount()
    f = tmp_path / "rooms.csv"
    f.write_text("Room No,Seats,Type\nNEW-1,40,classroom\nNEW-2,30,lab\n")

    def drive(dlg):
        with qtbot.waitSignal(dlg.validated, timeout=10_000):
            dlg.load_file(f)
        with qtbot.waitSignal(dlg.imported, timeout=10_000):
            dlg.start_import()

    answer_dialog(qtbot, lambda: window.import_items("room"), accept=False, inspect=drive, timeout=20_000)
    assert page.model.rowCount() == n + 2
    window.undo_stack.undo()  # the import dialog's own command
    assert page.model.rowCount() == n
    window.undo_stack.redo()
    assert page.model.rowCount() == n + 2


def test_lists_follow_every_operation_and_its_undo(window):
    """No guessing: an operation of any part (here one run on the writer directly) announces its change,
    and so do its undo and redo; the lists follow."""
    from ato_desktop.services import resource_edits as edits

    page = window.show_page("rooms")
    n = page.model.rowCount()
    window.undo_stack.run(lambda db: edits.add_item(db, entity="room", values={"code": "X-1", "capacity": 10}))
    assert page.model.rowCount() == n + 1
    window.undo_stack.undo()
    assert page.model.rowCount() == n
    window.undo_stack.redo()
    assert page.model.rowCount() == n + 1
