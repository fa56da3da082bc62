"""The timetable screen inside the real main window (Timetables page): open, move, undo, reload on edits."""

from __future__ import annotations

from ato_desktop.services import timetables as tts
from ato_desktop.ui.tasks import wait_idle
from ato_desktop.ui.timetable.model import GREEN, VIEW_GROUP
from ato_desktop.ui.timetable.screen import TimetableScreen


def test_open_a_version_move_a_card_and_undo_from_the_window(qtbot, window):
    page = window.show_page("timetables")
    db = window.database
    ref = tts.list_timetables(db)[0]
    page.open_timetable(ref.id)
    screen = page.screen
    assert isinstance(screen, TimetableScreen) and screen.showing_timetable
    m = screen.model
    assert m.timetable_id == ref.id and m.hard == 0
    screen.show_view(VIEW_GROUP, "CSE-3A")
    s = next(x for x in screen.grid.shown_sessions() if m.problem.session_duration[x] == 1)
    pv = m.preview(s)
    t = next(t for t in range(m.problem.n_slots) if pv.at(t)[0] == GREEN and t != int(m.assignment.start[s]))
    before = int(m.assignment.start[s])
    assert screen.handle_drop(s, t, -1)
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText().startswith("Move ")
    v = next(x for x in tts.list_sessions(db, ref.id) if x.id == m.views[s].id)
    assert v.day * m.problem.periods_per_day + v.period == t
    window.undo_stack.undo()
    assert int(m.assignment.start[s]) == before
    # an edit elsewhere (any entity) reloads the grid from the database
    version = m.version
    window.undo_stack.data_changed.emit("activity")
    qtbot.waitUntil(lambda: m.version > version, timeout=15_000)
    assert m.timetable_id == ref.id
    # the page's version list follows the screen's changes
    qtbot.waitUntil(lambda: page.infos and page.infos[0].id == ref.id, timeout=15_000)


def test_showing_the_page_loads_the_version_once(qtbot, window, monkeypatch):
    """The screen announces its load ("timetable"); the page must not answer by loading it all again."""
    from ato_desktop.ui.timetable import model as model_mod

    calls = []
    real = model_mod.open_version  # services.timetable_view: one read of the version

    def counting(*a, **kw):
        calls.append(a)
        return real(*a, **kw)

    monkeypatch.setattr(model_mod, "open_version", counting)
    page = window.show_page("timetables")
    qtbot.waitUntil(lambda: page.screen is not None and page.screen.showing_timetable, timeout=20000)
    assert wait_idle(20000)  # the announcement goes out on the next event-loop turn (and may start a load)
    assert len(calls) == 1
    # an edit elsewhere still reloads the grid once
    window.undo_stack.data_changed.emit("activity")
    qtbot.waitUntil(lambda: len(calls) >= 2, timeout=20000)
    assert wait_idle(20000)
    assert len(calls) == 2
