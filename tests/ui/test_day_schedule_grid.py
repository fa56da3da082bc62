"""The timetable grid with a Saturday half-day: Saturday's closed periods are hatched cells that refuse a
drop with the reason; the same periods on other days stay teaching columns; lunch stays a break column."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack

from ato_desktop.services import bells
from ato_desktop.ui.timetable.grid import BLOCKED
from ato_desktop.ui.timetable.model import VIEW_GROUP
from ato_desktop.ui.timetable.screen import TimetableScreen


def test_saturday_half_day_in_the_grid(qtbot, demo_db):
    bells.set_day_closed(demo_db, "Saturday", ["P5", "P6", "P7"])
    w = TimetableScreen(demo_db, QUndoStack(), timetable="Reference timetable", with_optimizer=False)
    qtbot.addWidget(w)
    w.show()
    try:
        w.show_view(VIEW_GROUP, "CSE-3A")
        g, m = w.grid, w.model
        labels = list(m.problem.period_labels)
        p5, lunch = labels.index("P5"), next(i for i, x in enumerate(labels) if not x.startswith("P"))
        assert not g._is_break(p5) and g._is_break(lunch)
        s = w.grid.shown_sessions()[0]
        sat = next(i for i, ln in enumerate(g._lanes) if ln.day == 5)
        mon = next(i for i, ln in enumerate(g._lanes) if ln.day == 0)
        info = g.drop_info(s, sat, p5)
        assert info["category"] == BLOCKED and "day's own bell schedule" in info["tooltip"]
        assert "bell schedule" not in g.drop_info(s, mon, p5)["tooltip"]
        g.grab()  # paints the hatched cells without error
    finally:
        w.shutdown()


def test_per_day_periods_dialog_saves_undoes_and_refuses(window, qtbot):
    from ato_desktop.services import bells

    page = window.show_page("calendar")
    db = window.database
    dlg = page.edit_bells(modal=False)
    qtbot.addWidget(dlg)
    assert dlg.closed() == {} and dlg.days[-1] == "Saturday" and "Lunch" not in dlg.periods
    dlg.set_closed("Saturday", ["P5", "P6", "P7"])
    assert dlg.save()
    assert bells.get_closed(db) == {"Saturday": ["P5", "P6", "P7"]}
    assert window.undo_stack.undoText() == "Change the per-day periods"
    window.undo_stack.undo()
    assert bells.get_closed(db) == {}
    window.undo_stack.redo()
    assert bells.get_closed(db) == {"Saturday": ["P5", "P6", "P7"]}
    dlg = page.edit_bells(modal=False)
    qtbot.addWidget(dlg)
    assert dlg.closed() == {"Saturday": ["P5", "P6", "P7"]}
    dlg.set_closed("Monday", list(dlg.periods))
    assert not dlg.save() and "Monday would have no teaching period left" in dlg.error.text()
    assert bells.get_closed(db) == {"Saturday": ["P5", "P6", "P7"]}


def test_per_day_periods_dialog_edits_a_days_own_times(window, qtbot):
    from ato_desktop.services import bells

    page = window.show_page("calendar")
    db = window.database
    dlg = page.edit_bells(modal=False)
    qtbot.addWidget(dlg)
    assert dlg.times() == {} and "Lunch" in dlg.all_periods
    dlg.set_times("Saturday", {"P1": ("08:00", "08:45"), "P2": ("08:45", "09:30")})
    dlg.set_closed("Saturday", ["P7"])
    assert dlg.save()
    assert bells.get_times(db) == {"Saturday": {"P1": ("08:00", "08:45"), "P2": ("08:45", "09:30")}}
    assert bells.get_closed(db) == {"Saturday": ["P7"]}
    window.undo_stack.undo()  # one step for both
    assert bells.get_times(db) == {} and bells.get_closed(db) == {}
    window.undo_stack.redo()
    dlg = page.edit_bells(modal=False)
    qtbot.addWidget(dlg)
    assert dlg.times() == {"Saturday": {"P1": ("08:00", "08:45"), "P2": ("08:45", "09:30")}}
    dlg.set_times("Monday", {"P1": ("09:00", "10:30")})  # overlaps P2
    assert not dlg.save() and "Monday P2 starts at 09:50, before P1 ends (10:30)" in dlg.error.text()
    dlg.times_table.item(0, 0).setText("nine")
    assert not dlg.save() and "Monday P1: 'nine' is not START-END" in dlg.error.text()
    assert bells.get_times(db) == {"Saturday": {"P1": ("08:00", "08:45"), "P2": ("08:45", "09:30")}}
