"""Calendar ▸ Per-day periods… (issue 17 §5): a Saturday half-day and that day's own period times, saved as
one operation with its undo; a cell that is not START-END and overlapping periods are refused in one
sentence and change nothing. Real widgets, the demo's database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ato_desktop.services import bells

pytestmark = pytest.mark.timeout(90)

HALF_DAY = ["P5", "P6", "P7"]
SHORT = {"P1": ("08:00", "08:45"), "P2": ("08:45", "09:30")}


def test_a_saturday_half_day_with_its_own_times_saved_and_undone(window, qtbot):
    page = window.show_page("calendar")
    dlg = page.edit_bells(modal=False)
    qtbot.addWidget(dlg)
    # the notes say what each table does (the times are not "the calendar's" any more)
    notes = " ".join(lbl.text() for lbl in dlg.findChildren(type(dlg.error)) if lbl is not dlg.error)
    assert "period times stay the calendar's" not in notes
    assert "published" in notes  # a published version keeps the times it was published with
    dlg.show()
    assert dlg.frameGeometry().width() <= 1366 and dlg.frameGeometry().height() <= 768
    dlg.set_closed("Saturday", HALF_DAY)
    dlg.set_times("Saturday", SHORT)
    assert dlg.save()
    assert bells.get_closed(window.database) == {"Saturday": HALF_DAY}
    assert bells.get_times(window.database) == {"Saturday": SHORT}
    window.undo_stack.undo()
    assert bells.get_closed(window.database) == {} and bells.get_times(window.database) == {}
    window.undo_stack.redo()
    assert bells.get_closed(window.database) == {"Saturday": HALF_DAY}


@pytest.mark.parametrize("cell, words", [
    ("8", "Saturday P1: '8' is not START-END"),
    ("08:00-10:30", "Saturday P2 starts at 09:50, before P1 ends (10:30)."),  # runs into the calendar's P2
])
def test_an_impossible_schedule_is_refused_and_changes_nothing(window, qtbot, cell, words):
    page = window.show_page("calendar")
    dlg = page.edit_bells(modal=False)
    qtbot.addWidget(dlg)
    row = dlg.days.index("Saturday")
    dlg.times_table.item(row, dlg.all_periods.index("P1")).setText(cell)
    dlg.table.item(row, dlg.periods.index("P7")).setCheckState(Qt.CheckState.Checked)
    assert not dlg.save()
    assert dlg.error.text().startswith(words) or words in dlg.error.text(), dlg.error.text()
    assert "\n" not in dlg.error.text()
    assert bells.get_closed(window.database) == {} and bells.get_times(window.database) == {}
