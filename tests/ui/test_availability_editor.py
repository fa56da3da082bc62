"""Painting availability with real mouse drags on the real grid, offscreen; undo and redo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest

from ato_desktop.services import availability as av
from ato_desktop.services import calendar as cal
from ato_desktop.services import resources as res
from ato_desktop.ui.availability_editor import AvailabilityEditor


@pytest.fixture
def setup(qtbot, db):
    cal.set_calendar(db, ["Monday", "Tuesday", "Wednesday"], [
        ("P1", "09:00", "10:00", False), ("P2", "10:00", "11:00", False), ("Lunch", "11:00", "11:30", True),
        ("P3", "11:30", "12:30", False),
    ])
    res.create_item(db, "department", {"code": "CSE", "name": "CS"})
    # a room whose code is another room's id: the editor must edit the room it was given
    r1 = res.create_item(db, "room", {"code": "2", "capacity": 30})
    r2 = res.create_item(db, "room", {"code": "R-B", "capacity": 30})
    assert r2["id"] == 2
    fac = res.create_item(db, "faculty", {"code": "SRA", "name": "Sunita Rao", "department": "CSE"})
    stack = QUndoStack()
    editor = AvailabilityEditor(db, stack)
    qtbot.addWidget(editor)
    editor.resize(700, 400)
    editor.show()
    qtbot.waitExposed(editor)
    return db, stack, editor, fac, r1, r2


def drag(grid, start, end, via=()):
    vp = grid.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grid.cell_center(*start))
    for cell in (*via, end):
        QTest.mouseMove(vp, grid.cell_center(*cell))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grid.cell_center(*end))


def test_drag_paints_rectangle_skipping_breaks_then_undo_redo(setup):
    db, stack, editor, fac, *_ = setup
    editor.set_owner("faculty", fac["id"])
    grid = editor.grid
    assert grid.rowCount() == 3 and grid.columnCount() == 4
    assert grid.horizontalHeaderItem(2).text() == "Lunch\n11:00–11:30" and grid.item(0, 2).text() == "Break"

    editor.set_mark("unavailable")
    drag(grid, (0, 1), (1, 3))  # Mon P2 .. Tue P3, across lunch
    expected = {(0, 1): "unavailable", (0, 3): "unavailable", (1, 1): "unavailable", (1, 3): "unavailable"}
    assert av.get_marks(db, "faculty", "SRA") == expected
    assert editor.marks() == expected and grid.item(1, 3).text() == "✕"
    assert stack.count() == 1 and "4 periods" in stack.undoText()

    editor.set_mark("preferred")
    drag(grid, (2, 0), (2, 0))  # a click is a one-cell drag
    assert av.get_marks(db, "faculty", "SRA")[(2, 0)] == "preferred"

    editor.set_mark("clear")
    drag(grid, (0, 1), (0, 3))
    assert (0, 1) not in av.get_marks(db, "faculty", "SRA")

    stack.undo()
    assert av.get_marks(db, "faculty", "SRA") == expected | {(2, 0): "preferred"}
    assert editor.marks() == av.get_marks(db, "faculty", "SRA")
    stack.undo()
    stack.undo()
    assert av.get_marks(db, "faculty", "SRA") == {} and editor.marks() == {}
    assert grid.item(1, 3).text() == ""
    stack.redo()
    assert av.get_marks(db, "faculty", "SRA") == expected and grid.item(1, 3).text() == "✕"


def test_brush_paints_only_the_path_and_undo_survives_switching_owner(setup):
    db, stack, editor, fac, r1, r2 = setup
    editor.set_owner("room", r2["id"])
    editor.set_shape("brush")
    editor.set_mark("undesired")
    drag(editor.grid, (0, 0), (2, 1), via=[(1, 0), (1, 1)])
    assert av.get_marks(db, "room", "R-B") == {c: "undesired" for c in [(0, 0), (1, 0), (1, 1), (2, 1)]}
    assert av.get_marks(db, "room", "2") == {}  # not the room whose code is "2"

    editor.set_owner("faculty", fac["id"])
    stack.undo()  # undoes the room's paint while the editor shows someone else
    assert av.get_marks(db, "room", "R-B") == {}
    editor.set_owner("room", r2["id"])
    assert editor.marks() == {}
    stack.redo()
    assert len(editor.marks()) == 4


def test_no_owner_disables_grid_and_empty_drag_adds_no_step(setup):
    db, stack, editor, fac, *_ = setup
    editor.set_owner(None, None)
    assert not editor.grid.isEnabled()
    editor.set_owner("faculty", fac["id"])
    editor.set_mark("clear")
    drag(editor.grid, (0, 0), (0, 1))  # clearing nothing changes nothing
    assert stack.count() == 0
    with pytest.raises(ValueError):
        editor.set_owner("course", 1)


def test_paint_on_a_deleted_owner_says_so_and_keeps_no_step(setup, qtbot):
    db, stack, editor, fac, *_ = setup
    editor.set_owner("faculty", fac["id"])
    res.delete_item(db, "faculty", "SRA")
    with qtbot.waitSignal(editor.error, timeout=15_000) as blocker:
        drag(editor.grid, (0, 0), (0, 0))
    assert "does not exist" in blocker.args[0]
    assert stack.count() == 0 and "does not exist" in editor.title.text()


def test_keyboard_paints_the_current_cell(setup):
    db, stack, editor, fac, *_ = setup
    editor.set_owner("faculty", fac["id"])
    editor.set_mark("preferred")
    grid = editor.grid
    grid.setFocus()
    grid.setCurrentCell(1, 0)
    QTest.keyClick(grid, Qt.Key.Key_Right)
    QTest.keyClick(grid, Qt.Key.Key_Space)
    assert av.get_marks(db, "faculty", "SRA") == {(1, 1): "preferred"}
    QTest.keyClick(grid, Qt.Key.Key_Right)  # onto the lunch break: Space does nothing
    QTest.keyClick(grid, Qt.Key.Key_Space)
    assert stack.count() == 1


@pytest.mark.parametrize("kind", ["group", "activity"])
def test_groups_and_activities_on_the_demo_calendar(qtbot, demo_db, kind):
    stack = QUndoStack()
    editor = AvailabilityEditor(demo_db, stack)
    qtbot.addWidget(editor)
    editor.resize(900, 420)
    editor.show()
    qtbot.waitExposed(editor)
    item = res.list_items(demo_db, kind)[0]
    key = item["id"] if kind == "activity" else item["code"]
    before = av.get_marks(demo_db, kind, key)
    editor.set_owner(kind, item["id"])
    assert item["_label"] in editor.title.text()
    c = editor.calendar
    teaching = [p.position for p in c.periods if not p.is_break]
    editor.set_mark("undesired")
    drag(editor.grid, (0, teaching[0]), (1, teaching[0]))
    assert av.get_marks(demo_db, kind, key) == before | {(0, teaching[0]): "undesired", (1, teaching[0]): "undesired"}
    stack.undo()
    assert av.get_marks(demo_db, kind, key) == before


def test_set_database_switches_files(qtbot, setup, demo_db):
    db, stack, editor, fac, *_ = setup
    editor.set_owner("faculty", fac["id"])
    editor.set_database(demo_db)
    assert not editor.grid.isEnabled() and editor.db is demo_db
    item = res.list_items(demo_db, "faculty")[0]
    editor.set_owner("faculty", item["id"])
    assert editor.grid.rowCount() == len(cal.get_calendar(demo_db).days)


def test_closing_the_database_empties_the_grid(qtbot, setup):
    """The main window's File > Close hands every page ``None``: an empty, disabled grid, no error."""
    db, stack, editor, fac, *_ = setup
    editor.set_owner("faculty", fac["id"])
    assert editor.grid.rowCount() == 3
    errors = []
    editor.error.connect(errors.append)
    editor.set_database(None)
    assert editor.db is None and editor.grid.rowCount() == 0 and not editor.grid.isEnabled()
    assert errors == []
