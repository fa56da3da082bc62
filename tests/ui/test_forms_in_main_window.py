"""The availability editor and the import dialog inside the real main window (integration)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ato_desktop.services import availability as av
from ato_desktop.services import resources as res
from tests.ui.conftest import answer_dialog


def test_paint_availability_from_the_faculty_page_and_undo_with_the_window(window, qtbot):
    page = window.show_page("faculty")
    fac = res.get_item(window.database, "faculty", "SRA")
    assert page.select_id(fac["id"])
    editor = page.availability
    assert editor is not None and editor.item_id == fac["id"]
    qtbot.waitUntil(lambda: editor.grid.isVisible(), timeout=15_000)
    before = av.get_marks(window.database, "faculty", "SRA")
    teaching = [p.position for p in editor.calendar.periods if not p.is_break]
    editor.set_mark("preferred")
    grid = editor.grid
    vp = grid.viewport()
    start, end = grid.cell_center(4, teaching[0]), grid.cell_center(4, teaching[1])
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    after = av.get_marks(window.database, "faculty", "SRA")
    assert after == before | {(4, teaching[0]): "preferred", (4, teaching[1]): "preferred"}
    window.show_page("rooms")
    window.undo_stack.undo()
    assert av.get_marks(window.database, "faculty", "SRA") == before


def test_import_from_the_file_menu(window, qtbot, tmp_path):
    from ato_desktop.ui.import_dialog import ImportDialog

    f = tmp_path / "rooms.csv"
    f.write_text("Room No,Seats,Type\nNEW-1,40,classroom\n")
    n_before = res.count_items(window.database, "room")

    def drive(dlg):
        assert isinstance(dlg, ImportDialog)
        with qtbot.waitSignal(dlg.validated, timeout=10_000):
            dlg.load_file(f)
        with qtbot.waitSignal(dlg.imported, timeout=10_000):
            dlg.start_import()
        return dlg.status.text()

    seen = answer_dialog(qtbot, lambda: window.import_items("room"), accept=False, inspect=drive, timeout=20_000)
    assert "Imported 1 room" in seen["info"]
    assert res.count_items(window.database, "room") == n_before + 1
    window.undo_stack.undo()
    assert res.count_items(window.database, "room") == n_before


def test_a_new_faculty_members_code_is_proposed_from_the_name_and_stays_editable(window, qtbot):
    """Issue 16: typing the name fills an empty, untouched Code field; a code the user typed is kept."""
    page = window.show_page("faculty")
    page.new_item()
    form = page.form
    code, name = form.editors["code"], form.editors["name"]
    assert code.text() == ""
    QTest.keyClicks(name, "Dr. Meenakshi Sundaram")
    taken = {f["code"].upper() for f in res.list_items(window.database, "faculty")}
    assert code.text().startswith("MS") and code.text().upper() not in taken
    # the user types a code of their own: further name changes leave it alone
    code.clear()
    QTest.keyClicks(code, "MEE")
    QTest.keyClicks(name, "an")
    assert code.text() == "MEE"
    # saved as typed
    page.save()
    assert res.get_item(window.database, "faculty", "MEE")["name"] == "Dr. Meenakshi Sundaraman"
    # an existing member's code never changes when the name is edited
    QTest.keyClicks(form.editors["name"], " Iyer")
    assert form.editors["code"].text() == "MEE"
    page.revert()  # no unsaved edits left for the window to ask about when it closes


def test_a_code_set_before_the_name_is_never_replaced_by_a_proposal(window, qtbot):
    page = window.show_page("rooms")
    page.new_item()
    page.form.editors["code"].setText("CR-999")  # set first (a program, a paste)
    page.form.editors["capacity"].setValue(30)
    QTest.keyClicks(page.form.editors["name"], "Seminar Hall")
    assert page.form.editors["code"].text() == "CR-999"
    page.revert()
