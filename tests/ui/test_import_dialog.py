"""The import dialog driven offscreen with real files and a real database; workers on the QThreadPool."""

from __future__ import annotations

import threading

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest

from ato_desktop.services import backups
from ato_desktop.services import resources as res
from ato_desktop.ui.import_dialog import ImportDialog
from ato_desktop.ui.operations import operations_of

BAD = (
    "Code,Name,E-mail,Department\n"
    "SRA,Sunita Rao,sra@x.edu,CSE\n"
    "MKV,Mahesh Verma,mkv at x.edu,CSE\n"
    "PQR,P Q Rao,pqr@x.edu,CSE\n"
)


@pytest.fixture
def dialog(qtbot, db):
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science", "is_home": True})
    stack = QUndoStack()
    dlg = ImportDialog(db, "faculty", stack)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg, stack, db


def load(qtbot, dlg, path):
    with qtbot.waitSignal(dlg.validated, timeout=10_000) as blocker:
        dlg.load_file(path)
    return blocker.args[0]


def test_bad_row_blocks_import_then_fixed_file_imports_and_undo_removes(qtbot, dialog, tmp_path):
    dlg, stack, db = dialog
    f = tmp_path / "faculty.csv"
    f.write_text(BAD)
    assert load(qtbot, dlg, f) == 1
    assert dlg.preview_table.rowCount() == 3 and dlg.preview_table.verticalHeaderItem(1).text() == "3"
    assert dlg.mapping() == ["code", "name", "email", "department"]
    assert dlg.error_rows() == [("3", "E-mail", "E-mail", "'mkv at x.edu' is not an e-mail address "
                                                           "(expected name@example.edu).")]
    assert not dlg.import_button.isEnabled()
    tints = [dlg.preview_table.item(r, 0).background().color().name() for r in range(3)]
    assert tints[1] == "#f8d7da" and tints[0] != "#f8d7da" and tints[2] != "#f8d7da"
    QTest.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)  # disabled: does nothing
    assert res.count_items(db, "faculty") == 0 and backups.list_for(db) == []

    f.write_text(BAD.replace("mkv at x.edu", "mkv@x.edu"))
    with qtbot.waitSignal(dlg.validated, timeout=10_000) as blocker:
        QTest.mouseClick(dlg.reload_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == 0 and dlg.error_rows() == []
    assert dlg.import_button.isEnabled()
    changed = []
    operations_of(stack).operation_executed.connect(lambda change: changed.extend(sorted(change.kinds)))
    with qtbot.waitSignal(dlg.imported, timeout=10_000) as blocker:
        QTest.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [3]
    assert sorted(f["code"] for f in res.list_items(db, "faculty")) == ["MKV", "PQR", "SRA"]
    assert [b.reason for b in backups.list_for(db)] == ["before-import"]
    assert stack.count() == 1 and stack.undoText() == "Import 3 faculty from faculty.csv"
    assert not dlg.import_button.isEnabled()  # no double import

    res.create_item(db, "faculty", {"code": "KEEP", "name": "Not imported", "department": "CSE"})
    stack.undo()
    assert [f["code"] for f in res.list_items(db, "faculty")] == ["KEEP"]
    stack.redo()
    assert sorted(f["code"] for f in res.list_items(db, "faculty")) == ["KEEP", "MKV", "PQR", "SRA"]
    assert changed == ["faculty"] * 3


def test_mapping_combo_change_revalidates(qtbot, dialog, tmp_path):
    dlg, stack, db = dialog
    f = tmp_path / "staff.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Short", "Faculty", "Notes"])
    wb.active.append(["SRA", "Sunita Rao", "x"])
    wb.active.append(["MKV", "Mahesh Verma", None])
    wb.save(f)
    assert load(qtbot, dlg, f) == -1  # nothing matched: nothing to check
    assert dlg.mapping() == [None, None, None] and not dlg.import_button.isEnabled()
    with qtbot.waitSignal(dlg.validated, timeout=10_000) as blocker:
        dlg.set_mapping(0, "code")
    assert blocker.args[0] == 2  # name missing in both rows
    assert [r[0] for r in dlg.error_rows()] == ["2", "3"] and dlg.error_rows()[0][2] == "Name"
    with qtbot.waitSignal(dlg.validated, timeout=10_000) as blocker:
        dlg.set_mapping(1, "name")
    assert blocker.args[0] == 0 and dlg.import_button.isEnabled()
    with qtbot.waitSignal(dlg.imported, timeout=10_000):
        dlg.start_import()
    assert res.get_item(db, "faculty", "MKV")["name"] == "Mahesh Verma"


def test_unreadable_file_is_reported(qtbot, dialog, tmp_path):
    dlg, stack, db = dialog
    f = tmp_path / "broken.xlsx"
    f.write_bytes(b"PK\x03\x04 broken")
    with qtbot.waitSignal(dlg.failed, timeout=10_000) as blocker:
        dlg.load_file(f)
    assert "not a valid .xlsx" in blocker.args[0] and "not a valid .xlsx" in dlg.status.text()
    assert dlg.error_rows()[0][3].startswith("is not a valid .xlsx")
    assert not dlg.import_button.isEnabled() and stack.count() == 0


def test_results_arrive_on_the_ui_thread(qtbot, dialog, tmp_path):
    dlg, stack, db = dialog
    seen = []
    dlg.loaded.connect(lambda: seen.append(threading.current_thread() is threading.main_thread()))
    f = tmp_path / "faculty.csv"
    f.write_text(BAD)
    load(qtbot, dlg, f)
    assert seen == [True]


@pytest.mark.threaded_writes  # the import runs on the writer thread: the dialog is busy meanwhile
def test_dialog_cannot_be_closed_or_changed_while_importing(qtbot, dialog, tmp_path):
    dlg, stack, db = dialog
    f = tmp_path / "faculty.csv"
    f.write_text(BAD.replace("mkv at x.edu", "mkv@x.edu"))
    assert load(qtbot, dlg, f) == 0
    with qtbot.waitSignal(dlg.imported, timeout=10_000):
        dlg.start_import()
        assert dlg.importing and not dlg.close_button.isEnabled() and not dlg.mapping_table.isEnabled()
        dlg.reject()  # ignored: the undo step must still be recorded
        dlg.load_file(f)  # ignored too
        assert dlg.isVisible()
    assert stack.count() == 1 and res.count_items(db, "faculty") == 3
    assert not dlg.importing and dlg.close_button.isEnabled()
    dlg.reject()
    assert not dlg.isVisible()


def test_works_with_the_main_windows_undo_stack(qtbot, db, tmp_path):
    from ato_desktop.ui.undo import UndoStack

    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science", "is_home": True})
    stack = UndoStack()
    stack.set_database(db)
    dlg = ImportDialog(db, "room", stack)
    qtbot.addWidget(dlg)
    f = tmp_path / "rooms.csv"
    f.write_text("Room No,Seats\nLH-1,120\nLH-2,60\n")
    assert load(qtbot, dlg, f) == 0
    with qtbot.waitSignal(dlg.imported, timeout=10_000):
        dlg.start_import()
    seen = []
    stack.operation_executed.connect(lambda change: seen.extend(sorted(change.kinds)))
    stack.undo()
    assert res.count_items(db, "room") == 0 and seen == ["room"]
    stack.redo()
    assert res.count_items(db, "room") == 2 and seen == ["room", "room"]


def test_activities_import_from_the_dialog_all_or_nothing(qtbot, demo_db, tmp_path):
    """Teaching assignments: the preview names the bad row and its reason; fixed, every row imports."""
    from sqlalchemy import delete

    from ato_desktop.services import exports
    from ato_desktop.storage import models as m

    f = tmp_path / "acts.csv"
    n = exports.export_items(demo_db, "activity", f)
    with demo_db.session() as s:
        s.execute(delete(m.Activity))
    lines = f.read_text(encoding="utf-8-sig").splitlines()
    f.write_text("\n".join(lines[:2] + [lines[2].replace(",L,", ",Q,", 1) if ",L," in lines[2] else
                                        lines[2].replace(",P,", ",Q,", 1)] + lines[3:]) + "\n")
    dlg = ImportDialog(demo_db, "activity", QUndoStack())
    qtbot.addWidget(dlg)
    dlg.show()
    assert load(qtbot, dlg, f) == 1
    assert dlg.error_rows() == [("3", "Kind", "Kind", "'Q' is not one of: L, T, P.")]
    assert not dlg.import_button.isEnabled() and res.count_items(demo_db, "activity") == 0
    f.write_text("\n".join(lines) + "\n")
    with qtbot.waitSignal(dlg.validated, timeout=10_000) as blocker:
        QTest.mouseClick(dlg.reload_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == 0
    with qtbot.waitSignal(dlg.imported, timeout=10_000) as blocker:
        QTest.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [n] and res.count_items(demo_db, "activity") == n


def test_the_home_department_in_a_department_file_is_skipped_with_a_line(qtbot, db, tmp_path):
    """A list of every department, the home one included: the others import, the status says which row was
    left out (tests/services/test_import_departments.py)."""
    res.create_item(db, "department", {"code": "CSE", "name": "Computer Science", "is_home": True})
    dlg = ImportDialog(db, "department", QUndoStack())
    qtbot.addWidget(dlg)
    dlg.show()
    f = tmp_path / "departments.csv"
    f.write_text("Code,Name,Home department\nCSE,Computer Science,Yes\nECE,Electronics,No\n")
    assert load(qtbot, dlg, f) == 0 and dlg.import_button.isEnabled()
    with qtbot.waitSignal(dlg.imported, timeout=10_000) as blocker:
        QTest.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [1]
    assert sorted(d["code"] for d in res.list_items(db, "department")) == ["CSE", "ECE"]
    assert "Skipped row 2: CSE (Computer Science) is already a department of this database" in dlg.status.text()
