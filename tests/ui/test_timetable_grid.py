"""The timetable screen on a real copy of the demo database: drag and drop, colouring, undo, lock, tray, swap."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QUndoStack
from PySide6.QtWidgets import QApplication, QMessageBox

from ato_desktop.services import timetables as tts
from ato_desktop.ui.tasks import wait_idle
from ato_desktop.ui.timetable.grid import session_mime
from ato_desktop.ui.timetable.model import GREEN, RED, VIEW_FACULTY, VIEW_GROUP
from ato_desktop.ui.timetable.screen import HardDropDialog, TimetableScreen

REF = "Reference timetable"


@pytest.fixture
def screen(qtbot, demo_db):
    stack = QUndoStack()
    w = TimetableScreen(demo_db, stack, timetable=REF, with_optimizer=False)
    w.resize(1400, 900)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.show_view(VIEW_GROUP, "CSE-3A")
    return w


def db_place(db, s_view_id):
    v = next(x for x in tts.list_sessions(db, REF) if x.id == s_view_id)
    return v.day, v.period, v.room, v.locked


def drag_to(widget, s: int, pos: QPoint, timetable_id: int, drop: bool = True):
    """Real drag events with a real QMimeData: enter, move, (drop)."""
    md = session_mime(s, timetable_id)
    enter = QDragEnterEvent(pos, Qt.MoveAction, md, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(pos, Qt.MoveAction, md, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, move)
    accepted = move.isAccepted()
    if drop:
        ev = QDropEvent(QPointF(pos), Qt.MoveAction, md, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(widget, ev)
        return ev.isAccepted()
    return accepted


def find_free_green_cell(w, s):
    """A cell of the current grid, empty, where dropping ``s`` is green."""
    g = w.grid
    m = w.model
    for lane in range(len(g._lanes)):
        for per in range(m.problem.periods_per_day):
            info = g.drop_info(s, lane, per)
            if info["category"] == GREEN and g.item_at(g.cell_center(lane, per)) is None:
                if info["start"] != int(m.assignment.start[s]):
                    return lane, per, info
    raise AssertionError("no green cell")


def test_drag_and_drop_moves_the_session_and_undo_restores_the_database(qtbot, screen):
    w, m, db = screen, screen.model, screen.db
    s = next(x for x in w.grid.shown_sessions() if m.problem.session_duration[x] == 1)
    sid = m.views[s].id
    before = db_place(db, sid)
    lane, per, info = find_free_green_cell(w, s)
    pos = w.grid.cell_center(lane, per)
    # also a real mouse press on the card (selects it; the drag itself uses the drop handler)
    item = w.grid.item_of(s)
    qtbot.mousePress(w.grid, Qt.LeftButton, pos=item.rect.center().toPoint())
    qtbot.mouseRelease(w.grid, Qt.LeftButton, pos=item.rect.center().toPoint())
    assert drag_to(w.grid, s, pos, m.timetable_id)
    qtbot.waitUntil(lambda: int(m.assignment.start[s]) == info["start"], timeout=15_000)
    P = m.problem.periods_per_day
    after = db_place(db, sid)
    assert (after[0], after[1]) == divmod(info["start"], P)
    assert after[2] == m.room_code(info["room"])
    assert w.undo_stack.count() == 1 and w.undo_stack.undoText().startswith("Move ")
    assert w.grid.item_of(s) is not None and w.grid.cell_at(w.grid.item_of(s).rect.center()) == (lane, per)
    w.undo_stack.undo()
    assert db_place(db, sid) == before
    assert int(m.assignment.start[s]) == before[0] * P + before[1]
    assert m.hard == 0  # the reference timetable again, and the engine state agrees
    w.undo_stack.redo()
    assert db_place(db, sid) == after


def section_lecture(m, w):
    return next(x for x in w.grid.shown_sessions()
                if m.problem.session_duration[x] == 1 and m.views[x].groups == ("CSE-3A",))


def _teacher_busy_slot(m, s):
    """A slot where s's teacher teaches another group while s's own groups are free."""
    fac = m.views[s].faculty[0]
    own = set()
    for g in m.views[s].groups:
        own |= m.lookups.family(g)
    busy_groups = set()
    for x in m.scheduled():
        if own.intersection(m.views[x].groups):
            t, d = int(m.assignment.start[x]), int(m.problem.session_duration[x])
            busy_groups.update(range(t, t + d))
    for x in m.scheduled():
        if x != s and fac in m.views[x].faculty and m.problem.session_duration[x] == 1:
            t = int(m.assignment.start[x])
            if t not in busy_groups:
                return x, t
    raise AssertionError("no such slot in the demo")


def test_hovering_where_the_teacher_already_teaches_is_red_with_the_teachers_name(qtbot, screen):
    w, m = screen, screen.model
    s = section_lecture(m, w)
    other, t = _teacher_busy_slot(m, s)
    P = m.problem.periods_per_day
    lane, per = w.grid.lane_index(t // P), t % P
    pos = w.grid.cell_center(lane, per)
    assert w.grid.item_at(pos) is None  # the group is free there: only the teacher clashes
    drag_to(w.grid, s, pos, m.timetable_id, drop=False)
    info = w.grid.hover_info
    assert info["category"] == RED and info["d_hard"] >= 1
    # the reasons appear when the pointer rests on the cell
    qtbot.waitUntil(lambda: w.grid.hover_info.get("tooltip"), timeout=15_000)
    tip = w.grid.hover_tooltip()
    teacher = m.lookups.faculty[m.views[s].faculty[0]].name
    assert teacher in tip, tip
    assert m.views[other].course_code in tip
    # a free slot for everyone is not red
    lane2, per2, _ = find_free_green_cell(w, s)
    drag_to(w.grid, s, w.grid.cell_center(lane2, per2), m.timetable_id, drop=False)
    assert w.grid.hover_info["category"] == GREEN
    w.grid.dragLeaveEvent(None)
    w.grid.end_drag_preview()


def _answer_dialog(qtbot, choice: str, kind=HardDropDialog) -> list:
    """Answer the next modal ``kind`` dialog (close it if ``choice`` is None); the list gets it once done."""
    answered: list = []

    def click():
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, kind):
            QTimer.singleShot(50, click)
            return
        if choice is None:
            dlg.close()
        else:
            {"force": dlg.force_button, "repair": dlg.apply_button, "cancel": dlg.cancel_button}[choice].click()
        answered.append(dlg)
    QTimer.singleShot(50, click)
    return answered


def _until_answered(qtbot, answered: list) -> None:
    """The queued drop ran: its dialog was answered, is gone, and no task is left."""
    qtbot.waitUntil(lambda: bool(answered) and QApplication.activeModalWidget() is None, timeout=15_000)
    assert wait_idle(15_000)


def test_red_drop_asks_and_a_repair_is_one_undo_step(qtbot, screen):
    w, m, db = screen, screen.model, screen.db
    s = section_lecture(m, w)
    other, t = _teacher_busy_slot(m, s)
    P = m.problem.periods_per_day
    pos = w.grid.cell_center(w.grid.lane_index(t // P), t % P)
    start_before = m.assignment.start.copy()
    # cancel: nothing changes
    answered = _answer_dialog(qtbot, "cancel")
    assert drag_to(w.grid, s, pos, m.timetable_id)
    _until_answered(qtbot, answered)
    assert (m.assignment.start == start_before).all() and w.undo_stack.count() == 0
    # repair: the drop plus a move of the clashing session, in one step, hard cost still 0
    _answer_dialog(qtbot, "repair")
    drag_to(w.grid, s, pos, m.timetable_id)
    qtbot.waitUntil(lambda: w.undo_stack.count() == 1, timeout=15_000)
    assert w.undo_stack.undoText().startswith("Repair: ")
    assert int(m.assignment.start[s]) == t
    assert m.hard == 0
    moved = [x for x in range(m.problem.n_sessions) if m.assignment.start[x] != start_before[x]]
    assert s in moved and 2 <= len(moved) <= 3
    w.undo_stack.undo()
    assert (m.assignment.start == start_before).all()
    rows = {(v.activity_id, v.occurrence): v for v in tts.list_sessions(db, REF)}
    for x in moved:
        v = rows[m.compiled.keys[x]]
        assert v.day * P + v.period == start_before[x]
    # refuse setting: a red drop is refused without a dialog
    w.refuse_box.setChecked(True)
    answered = _answer_dialog(qtbot, None, QMessageBox)  # "Drop refused"
    drag_to(w.grid, s, pos, m.timetable_id)
    _until_answered(qtbot, answered)
    assert (m.assignment.start == start_before).all()


def test_lock_via_command_blocks_dragging_and_undo_unlocks(qtbot, screen):
    w, m, db = screen, screen.model, screen.db
    s = w.grid.shown_sessions()[0]
    assert w.lock_sessions([s], True)
    assert db_place(db, m.views[s].id)[3] is True and m.is_locked(s)
    assert not w.handle_drop(s, 0, -1, -1)  # a locked session does not move
    w.undo_stack.undo()
    assert db_place(db, m.views[s].id)[3] is False


def test_tray_unschedule_and_schedule_back(qtbot, screen):
    w, m, db = screen, screen.model, screen.db
    s = next(x for x in w.grid.shown_sessions() if m.problem.session_duration[x] == 1)
    tray = w.tray
    pos = tray.viewport().rect().center()
    assert drag_to(tray.viewport(), s, pos, m.timetable_id)
    qtbot.waitUntil(lambda: s in tray.sessions(), timeout=15_000)
    assert db_place(db, m.views[s].id)[:3] == (None, None, None)
    assert m.hard == 1  # "unscheduled"
    assert s not in w.grid.shown_sessions()
    lane, per, info = find_free_green_cell(w, s)
    drag_to(w.grid, s, w.grid.cell_center(lane, per), m.timetable_id)
    qtbot.waitUntil(lambda: s not in tray.sessions(), timeout=15_000)
    assert m.hard == 0 and db_place(db, m.views[s].id)[0] is not None
    w.undo_stack.undo()
    w.undo_stack.undo()
    assert m.hard == 0 and w.undo_stack.index() == 0


def test_drop_on_another_card_swaps_when_valid(qtbot, screen):
    w, m = screen, screen.model
    shown = [x for x in w.grid.shown_sessions() if m.problem.session_duration[x] == 1]
    pair = next(((a, b) for a in shown for b in shown
                 if a != b and m.swap_delta(a, b)[0] <= 0
                 and m.assignment.start[a] != m.assignment.start[b]), None)
    assert pair is not None
    a, b = pair
    sa, sb = int(m.assignment.start[a]), int(m.assignment.start[b])
    pos = w.grid.item_of(b).rect.center().toPoint()
    drag_to(w.grid, a, pos, m.timetable_id)
    qtbot.waitUntil(lambda: int(m.assignment.start[a]) == sb, timeout=15_000)
    assert int(m.assignment.start[b]) == sa and m.hard == 0
    assert w.undo_stack.undoText().startswith("Swap ")
    w.undo_stack.undo()
    assert (int(m.assignment.start[a]), int(m.assignment.start[b])) == (sa, sb)


def test_faculty_view_workload_meter_updates_live(qtbot, screen):
    w, m = screen, screen.model
    fac = "MSU"
    w.show_view(VIEW_FACULTY, fac)
    used, limit = m.weekly_load(fac)
    assert used > 0 and w.workload_bar.value() == used and f"{used} / {limit}" in w.workload_bar.format()
    s = w.grid.shown_sessions()[0]
    d = int(m.problem.session_duration[s])
    w.unschedule(s)
    assert w.workload_bar.value() == used - d
    w.undo_stack.undo()
    assert w.workload_bar.value() == used


def test_drag_preview_matches_the_engine_and_is_cached(qtbot, screen):
    w, m = screen, screen.model
    s = w.grid.shown_sessions()[0]
    w.grid.begin_drag_preview(s)
    pv = m.preview(s)
    assert pv.d_hard.shape == (m.problem.n_slots,)
    assert m.preview(s) is pv  # hover reads the same arrays
    # every slot's colour is the engine's exact delta for the room it shows
    for t in range(m.problem.n_slots):
        assert (pv.d_hard[t], pv.d_soft[t]) == m.state.delta_move(s, t, int(pv.rooms[t]))
    # at the session's own place nothing changes
    t0, r0 = int(m.assignment.start[s]), int(m.assignment.room[s])
    assert pv.at(t0) == (GREEN, 0, 0, r0)
    # a slot is never shown red when some room there has no hard conflict (full engine grid)
    for x in range(0, m.problem.n_sessions, 7):
        px = m.preview(x)
        gh, _gs = m.state.move_grid(x)
        for t in range(m.problem.n_slots):
            if gh[t].min() <= 0:
                assert px.d_hard[t] <= 0, (x, t, int(px.rooms[t]), gh[t])
    w.grid.end_drag_preview()


def test_conflicts_panel_lists_a_forced_clash_and_double_click_selects_its_sessions(qtbot, screen):
    from ato_desktop.ui.timetable.commands import PlaceCommand, push
    from ato_desktop.ui.timetable.model import Placement

    w, m = screen, screen.model
    s = section_lecture(m, w)
    other, t = _teacher_busy_slot(m, s)
    room = m.preview(s).at(t)[3]
    assert push(w.undo_stack, PlaceCommand(m, [Placement(s, t, room)], "force")) is None
    assert m.hard >= 1 and "Hard" in w.score_label.text() and f">{m.hard}<" in w.score_label.text()
    panel = w.conflicts
    hard_rows = [it for it in panel.items() if it.parent() is not None and it.parent().parent() is not None
                 and it.parent().parent().text(0).startswith("Hard")]
    row = next(it for it in hard_rows if {s, other} <= set(it.data(0, Qt.UserRole + 1) or []))
    w.show_view(VIEW_FACULTY, "MSU")  # somewhere else: the screen must switch to show them
    panel.itemDoubleClicked.emit(row, 0)
    assert m.selection >= {s, other}
    assert s in w.grid.shown_sessions()
    w.undo_stack.undo()
    assert m.hard == 0
    assert not any(it.text(0).startswith("Hard conflicts (") and not it.text(0).endswith("(0)") for it in panel.items())


def test_cards_in_a_hard_conflict_have_a_red_edge_and_badge_in_the_grid(qtbot, screen):
    """Issue 16: a clashing card is marked in the grid itself (red edge, "!" badge, reason in its tooltip)."""
    from PySide6.QtGui import QColor

    from ato_desktop.ui.timetable.commands import PlaceCommand, push
    from ato_desktop.ui.timetable.model import Placement

    w, m = screen, screen.model
    assert m.hard_conflict_sessions() == frozenset()
    s = section_lecture(m, w)
    other, t = _teacher_busy_slot(m, s)
    room = m.preview(s).at(t)[3]

    def badge_is_red(x: int) -> bool:
        w.grid.repaint()
        img = w.grid.grab().toImage()
        r = w.grid.item_of(x).rect
        dpr = img.devicePixelRatio()
        c = QColor(img.pixel(int((r.right() - 13) * dpr), int((r.bottom() - 9) * dpr)))  # the badge, left of its "!"
        return c.red() > 170 and c.green() < 80 and c.blue() < 80

    assert not badge_is_red(s)
    assert push(w.undo_stack, PlaceCommand(m, [Placement(s, t, room)], "force")) is None
    assert {s, other} <= m.hard_conflict_sessions()
    assert s in w.grid.shown_sessions() and badge_is_red(s)
    assert "Hard conflict:" in w.grid.card_tooltip(s)
    w.undo_stack.undo()
    assert m.hard_conflict_sessions() == frozenset() and not badge_is_red(s)
    assert "Hard conflict" not in w.grid.card_tooltip(s)


def test_click_selects_then_keyboard_locks_and_unschedules(qtbot, screen):
    w, m, db = screen, screen.model, screen.db
    a, b = [x for x in w.grid.shown_sessions() if m.problem.session_duration[x] == 1][:2]
    qtbot.mouseClick(w.grid, Qt.LeftButton, pos=w.grid.item_of(a).rect.center().toPoint())
    qtbot.mouseClick(w.grid, Qt.LeftButton, Qt.ControlModifier, pos=w.grid.item_of(b).rect.center().toPoint())
    assert m.selection == {a, b}
    qtbot.keyClick(w.grid, Qt.Key_L)
    assert m.is_locked(a) and m.is_locked(b) and w.undo_stack.count() == 1
    assert db_place(db, m.views[a].id)[3] and db_place(db, m.views[b].id)[3]
    qtbot.keyClick(w.grid, Qt.Key_Delete)  # locked cards stay
    assert int(m.assignment.start[a]) >= 0 and w.undo_stack.count() == 1
    qtbot.keyClick(w.grid, Qt.Key_L)  # unlock both
    qtbot.keyClick(w.grid, Qt.Key_Delete)
    assert set(w.tray.sessions()) >= {a, b} and w.undo_stack.count() == 3
    assert db_place(db, m.views[a].id)[:3] == (None, None, None)
    w.undo_stack.undo()  # one step puts both back
    assert int(m.assignment.start[a]) >= 0 and int(m.assignment.start[b]) >= 0 and m.hard == 0
