"""The timetable's faculty view shows the UGC norm: below it the load meter is amber with the reason in its
tooltip; above the weekly maximum it stays red (the hard finding)."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack

from ato_desktop.services import resources as res
from ato_desktop.ui.timetable.model import VIEW_FACULTY
from ato_desktop.ui.timetable.screen import TimetableScreen


def test_faculty_view_warns_below_the_norm_and_is_red_above_the_maximum(qtbot, demo_db):
    w = TimetableScreen(demo_db, QUndoStack(), timetable="Reference timetable")
    qtbot.addWidget(w)
    w.show()
    try:
        w.show_view(VIEW_FACULTY, "AGH")  # an Assistant Professor with 10 periods: norm 16
        used, limit = w.model.weekly_load("AGH")
        assert used < 16 <= limit
        assert w.workload_label.text() == "Load (norm 16):"
        assert f"{16 - used} below the UGC norm of 16" in w.workload_bar.toolTip()
        assert "#d90" in w.workload_bar.styleSheet()
        res.update_item(demo_db, "faculty", "AGH", {"max_weekly_periods": used - 1})
        w.model.load(w.model.timetable_id)
        w.show_view(VIEW_FACULTY, "AGH")
        assert "#d55" in w.workload_bar.styleSheet() and "below" not in w.workload_bar.toolTip()
    finally:
        w.shutdown()
