"""The activity form edits an activity's own number of students (migration 0009; FET's number of students of
an activity): 0 = its groups' strengths, shown as an empty cell in the list."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox

from ato_desktop.services import resources as res
from ato_desktop.services.compile import compile_database


def test_the_activity_form_sets_the_students_its_room_must_seat(window, qtbot):
    page = window.show_page("activities")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=20000)
    model, form = page.model, page.form
    col = model.columns.index(model.spec.field("student_count"))
    item = model.item(0)
    assert item["student_count"] == 0 and model.text(0, col) == ""
    assert page.select_id(item["id"])
    box = form.editors["student_count"]
    assert isinstance(box, QSpinBox) and box.value() == 0
    box.setValue(25)
    assert page.save()
    assert res.get_item(window.database, "activity", item["id"])["student_count"] == 25
    comp = compile_database(window.database, "Reference timetable")[0]
    si = comp.index_of[(item["id"], 0)]
    assert comp.problem.session_size[si] == 25
    qtbot.waitUntil(lambda: model.text(model.row_of(item["id"]), col) == "25", timeout=10000)
    window.undo_stack.undo()
    assert res.get_item(window.database, "activity", item["id"])["student_count"] == 0
