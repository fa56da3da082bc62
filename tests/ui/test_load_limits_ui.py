"""Teaching-load limits in the editors (issue 14, item 6): assigning a teacher beyond their weekly limit
in the activity form warns at once, in the form (real window on the demo database)."""

from __future__ import annotations

from ato_desktop.services.operations import Change
import pytest
from PySide6.QtCore import Qt

from ato_desktop.services import resources as res

pytestmark = pytest.mark.timeout(90)


def _activities_of(db, code):
    return [a for a in res.list_items(db, "activity") if code in a["faculty"]]


def test_activity_form_warns_when_a_teacher_would_exceed_the_weekly_limit(window, qtbot):
    db = window.database
    page = window.show_page("activities")
    qtbot.waitUntil(lambda: not page.loading and page.model.rowCount() > 0)
    # Mr. Arjun Ghosh (AGH): 10 periods a week, limit 18
    act = next(a for a in _activities_of(db, "AGH") if a["duration"] == 1 and a["faculty"] == ["AGH"])
    assert page.select_id(act["id"])
    assert page.load_warning.isHidden()
    spin = page.form.editors["sessions_per_week"]
    spin.setValue(act["sessions_per_week"] + 8)  # 10 + 8 = 18: at the limit, no warning
    assert page.load_warning.isHidden()
    spin.setValue(act["sessions_per_week"] + 9)  # 19 > 18: warned at once, in the form
    assert page.load_warning.isVisible()
    others = 10 - act["sessions_per_week"]
    assert page.load_warning.text() == (
        f"Mr. Arjun Ghosh would teach 19 periods a week, above the weekly limit of 18 "
        f"(this activity {act['sessions_per_week'] + 9}, the others {others}).")
    page.revert()
    assert page.load_warning.isHidden()

    # adding a second teacher whose limit is already used up: typed into the Faculty field
    res.update_item(db, "faculty", "AGH", {"max_weekly_periods": 10})
    window.undo_stack.operation_executed.emit(Change("an edit", {"faculty"}))
    other = next(a for a in res.list_items(db, "activity") if "AGH" not in a["faculty"] and a["duration"] == 1)
    qtbot.waitUntil(lambda: not page.loading)
    assert page.select_id(other["id"])
    assert page.load_warning.isHidden()
    edit = page.form.editors["faculty"].edit
    edit.setFocus()
    edit.end(False)
    qtbot.keyClicks(edit, ", AGH")
    assert page.load_warning.isVisible() and page.load_warning.text().startswith(
        f"Mr. Arjun Ghosh would teach {10 + other['sessions_per_week']} periods a week, above the weekly limit of 10")
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)  # ", AG": not a teacher, nothing to warn about
    assert page.load_warning.isHidden()
    page.revert()  # no unsaved edits left for the window to ask about when it closes
