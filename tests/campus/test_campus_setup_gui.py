"""The campus administrator's dialogs (ui/campus_setup.py): a room's sharing grid and the campus elective
slots, from the campus menu, edited through operations on the one writer with their undo; read-only for a
coordinator's login. Real Qt widgets offscreen at 1366×768, a real PostgreSQL server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ato_desktop.services import campus, campus_sharing
from ato_desktop.services.errors import ServiceError
from ato_desktop.storage import models as m
from ato_desktop.storage.database import open_database
from ato_desktop.storage.models_campus import CampusSlot, RoomShare
from tests.campus.test_campus_gui import _close, _window
from tests.ui.conftest import _isolated_settings  # noqa: F401  (the UI tests' fixture)


def _cells(db, room: str) -> list[tuple[str, str, str, str | None]]:
    with db.read_session() as s:
        q = (select(m.Day.short_name, m.Period.label, RoomShare.mode, m.Department.code)
             .join(m.Room, m.Room.id == RoomShare.room_id).join(m.Day, m.Day.id == RoomShare.day_id)
             .join(m.Period, m.Period.id == RoomShare.period_id)
             .outerjoin(m.Department, m.Department.id == RoomShare.department_id)
             .where(m.Room.code == room).order_by(m.Day.position, m.Period.position))
        return [tuple(r) for r in s.execute(q)]


def _trigger(qtbot, w, name: str, attr: str):
    from PySide6.QtGui import QAction

    act = w.findChild(QAction, name)
    assert act is not None and act.isVisible() and act.isEnabled()
    act.trigger()
    dlg = getattr(w, attr)
    qtbot.waitUntil(lambda: dlg.loaded, timeout=20_000)
    return dlg


def _fits(dlg) -> None:
    assert dlg.width() <= 1366 and dlg.height() <= 768
    hint = dlg.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768


def test_the_administrator_edits_a_rooms_sharing_grid_and_undoes_it(qtbot, campus_db, pg_campus_url):
    w = _window(qtbot, pg_campus_url, department="CSE")  # the superuser: the campus administrator
    w.resize(1366, 768)
    try:
        assert w.campus_menu.menuAction().isVisible()
        dlg = _trigger(qtbot, w, "actionRoomSharing", "room_sharing_dialog")
        _fits(dlg)
        assert dlg.admin and dlg.apply_button.isVisibleTo(dlg)
        assert dlg.grid.room == "CSE-101" and "CSE's" in dlg.owner.text()
        dlg.select("Wed", ["P1", "P2"])
        dlg.mode.setCurrentIndex(dlg.mode.findData("department"))
        dlg.department.setCurrentText("ECE")
        assert dlg.apply()
        qtbot.waitUntil(lambda: dlg.cell_text("Wed", "P2") == "ECE", timeout=20_000)
        assert _cells(campus_db, "CSE-101") == [("Wed", "P1", "department", "ECE"), ("Wed", "P2", "department", "ECE")]
        dlg.select("Mon", ["P4"])
        dlg.mode.setCurrentIndex(dlg.mode.findData("unavailable"))
        dlg.apply()
        qtbot.waitUntil(lambda: dlg.cell_text("Mon", "P4") == "—", timeout=20_000)
        assert w.undo_stack.count() == 2
        w.undo_stack.undo()  # Edit ▸ Undo: the dialog reads the grid again
        qtbot.waitUntil(lambda: dlg.cell_text("Mon", "P4") == "", timeout=20_000)
        assert [c[:2] for c in _cells(campus_db, "CSE-101")] == [("Wed", "P1"), ("Wed", "P2")]
        w.undo_stack.undo()
        qtbot.waitUntil(lambda: dlg.cell_text("Wed", "P1") == "", timeout=20_000)
        assert _cells(campus_db, "CSE-101") == []
        w.undo_stack.redo()
        qtbot.waitUntil(lambda: dlg.cell_text("Wed", "P1") == "ECE", timeout=20_000)
        # the grid shows another room when chosen
        dlg.load("SH")
        qtbot.waitUntil(lambda: dlg.grid.room == "SH", timeout=20_000)
        assert "shared by every department" in dlg.owner.text()
        dlg.close()
    finally:
        _close(w)


def test_the_administrator_adds_and_removes_campus_slots_with_undo(qtbot, campus_db, pg_campus_url):
    w = _window(qtbot, pg_campus_url, department="ECE")
    w.resize(1366, 768)
    try:
        dlg = _trigger(qtbot, w, "actionCampusSlots", "campus_slots_dialog")
        _fits(dlg)
        assert dlg.admin and dlg.rows() == []
        dlg.category.setCurrentIndex(dlg.category.findData("multidisciplinary"))
        dlg.day.setCurrentText("Wed")
        dlg.first.setCurrentText("P3")
        dlg.last.setCurrentText("P4")
        dlg.label.setText("MDC basket")
        assert dlg.add()
        qtbot.waitUntil(lambda: dlg.rows() == [("multidisciplinary", "Wed", "P3–P4")], timeout=20_000)
        assert dlg.table.item(0, 0).text() == "Multidisciplinary (MDC)"
        dlg.last.setCurrentText("P2")  # the last period before the first: one sentence, nothing written
        dlg.add()
        qtbot.waitUntil(lambda: "first period comes before the last" in dlg.note.text(), timeout=20_000)
        with campus_db.read_session() as s:
            assert len(list(s.scalars(select(CampusSlot)))) == 1
        dlg.table.setCurrentCell(0, 0)
        assert dlg.remove()
        qtbot.waitUntil(lambda: dlg.rows() == [], timeout=20_000)
        w.undo_stack.undo()  # the slot is back
        qtbot.waitUntil(lambda: dlg.rows() == [("multidisciplinary", "Wed", "P3–P4")], timeout=20_000)
        with campus_db.read_session() as s:
            assert [c.label for c in s.scalars(select(CampusSlot))] == ["MDC basket"]
        dlg.close()
    finally:
        _close(w)


def test_a_coordinator_reads_the_grid_and_the_slots_but_cannot_change_them(qtbot, pg_server, campus_db,
                                                                           pg_campus_url):
    pg_server.admin("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ece_coord') "
                    "THEN CREATE ROLE ece_coord LOGIN; END IF; END $$")
    campus.grant(campus_db, "ece_coord", "ECE")
    campus_sharing.set_room_sharing(campus_db, "SH", "Tue", ["P1"], "free")
    campus_sharing.add_campus_slot(campus_db, "value_added", "Mon", ["P4"])
    dbname = pg_campus_url.split("@/", 1)[1].split("?", 1)[0]
    url = pg_server.url(dbname, user="ece_coord")
    w = _window(qtbot, url)
    w.resize(1366, 768)
    try:
        dlg = _trigger(qtbot, w, "actionRoomSharing", "room_sharing_dialog")
        assert not dlg.admin and not dlg.apply_button.isVisibleTo(dlg) and not dlg.apply()
        assert "Only the campus administrator" in dlg.note.text()
        dlg.load("SH")
        qtbot.waitUntil(lambda: dlg.grid.room == "SH", timeout=20_000)
        assert dlg.cell_text("Tue", "P1") == "Free"
        slots = _trigger(qtbot, w, "actionCampusSlots", "campus_slots_dialog")
        assert not slots.admin and not slots.add_button.isVisibleTo(slots)
        assert slots.rows() == [("value_added", "Mon", "P4")]
        dlg.close()
        slots.close()
    finally:
        _close(w)
    coordinator = open_database(url)
    try:  # the operations refuse the coordinator in one sentence (and row-level security would too)
        with pytest.raises(ServiceError, match="^Only the campus administrator .* Nothing was changed.$"):
            campus_sharing.put_room_sharing(coordinator, room="SH", cells={})
        with pytest.raises(ServiceError, match="^Only the campus administrator"):
            campus_sharing.remove_slot(coordinator, slot_id=1)
    finally:
        coordinator.close()
    assert [c[2] for c in _cells(campus_db, "SH")] == ["free"]
