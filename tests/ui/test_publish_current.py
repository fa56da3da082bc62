"""One current version in the real main window (offscreen): the grid, the versions list, Publish,
Export PDF and the mail preview agree; publishing asks first and refuses a version that is not ready
unless overridden; accepting an optimizer result makes it current everywhere; a published version
offers "Copy to a new draft" when edited."""

from __future__ import annotations

import pytest

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import timetables as tts
from ato_desktop.storage import models as m
from tests.ui.conftest import answer_dialog


@pytest.fixture
def three(window):
    """Reference, "Version B" and "Version C" (the latest created and changed); the grid shows C."""
    db = window.database
    b = tts.copy_timetable(db, REFERENCE_NAME, "Version B")
    c = tts.copy_timetable(db, REFERENCE_NAME, "Version C")
    return db, b.id, c.id


def _page_on(qtbot, window, tid):
    page = window.show_page("timetables")
    qtbot.waitUntil(lambda: page.screen is not None and page.screen.showing_timetable, timeout=30_000)
    screen = page.screen
    i = screen.version_box.findData(tid)
    assert i >= 0
    screen.version_box.setCurrentIndex(i)  # the grid's own version picker, as the user picks it
    screen.version_box.activated.emit(i)
    qtbot.waitUntil(lambda: screen.model.timetable_id == tid, timeout=30_000)
    return page, screen


def _wait_dialog(qtbot, page):
    qtbot.waitUntil(lambda: page.publish_dialog is not None and page.publish_dialog.isVisible(), timeout=60_000)
    return page.publish_dialog


def test_switching_the_grid_to_b_makes_b_current_for_publish_export_and_the_mail_preview(qtbot, window, three):
    from ato_desktop.ui import window_features

    db, b, c = three
    page, screen = _page_on(qtbot, window, b)
    # the list marks and selects B (not the latest, C)
    qtbot.waitUntil(lambda: page.selected_id() == b, timeout=10_000)
    assert page.current.id() == b and window_features.current_timetable_id(window) == b
    row = next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).data(256) == b)
    assert "◀ open" in page.table.item(row, 0).text()

    # Export PDF's default version is B
    seen = answer_dialog(qtbot, lambda: window_features.export_pdf(window), accept=False,
                         inspect=lambda dlg: dlg.version_combo.currentData())
    assert seen["info"] == b

    # the mail preview renders B
    view = window.show_page("notifications")
    view = view.ensure_loaded() if hasattr(view, "ensure_loaded") else view
    view.templates_tab.template_subject.setText("Timetable $version")
    view.templates_tab.update_preview()
    qtbot.waitUntil(lambda: "Version B" in view.templates_tab.preview_subject.text(), timeout=30_000)

    # Publish publishes B after the confirmation
    page = window.show_page("timetables")
    assert page.publish_selected()
    dlg = _wait_dialog(qtbot, page)
    assert "Version B" in dlg.windowTitle() and "Version B" in dlg.details.toPlainText()
    assert "Hard conflicts: 0" in dlg.details.toPlainText()
    assert "e-mailed" in dlg.details.toPlainText()
    assert not dlg.anyway.isVisible() and dlg.publish_button.isEnabled()
    dlg.publish_button.click()
    qtbot.waitUntil(lambda: tts.get_timetable(db, b).status == "published", timeout=10_000)
    assert tts.get_timetable(db, c).status == "draft" and tts.get_timetable(db, REFERENCE_NAME).status == "draft"


def test_a_version_with_an_unscheduled_session_needs_publish_anyway_and_the_override_is_recorded(
        qtbot, window, three):
    db, b, _c = three
    s = next(v for v in tts.list_sessions(db, b) if v.scheduled)
    tts.move_session(db, s.id, None, None, None)
    page, _screen = _page_on(qtbot, window, b)
    assert page.publish_selected()
    dlg = _wait_dialog(qtbot, page)
    text = dlg.details.toPlainText()
    assert "Unscheduled sessions: 1 of" in text and s.label in text
    assert dlg.anyway.isVisible() and not dlg.publish_button.isEnabled()
    dlg.reject()
    assert tts.get_timetable(db, b).status == "draft"

    assert page.publish_selected()
    qtbot.waitUntil(lambda: page.publish_dialog is not dlg and page.publish_dialog.isVisible(), timeout=60_000)
    dlg = page.publish_dialog
    dlg.anyway.setChecked(True)
    assert dlg.publish_button.isEnabled()
    dlg.publish_button.click()
    qtbot.waitUntil(lambda: tts.get_timetable(db, b).status == "published", timeout=10_000)
    with db.read_session() as ss:
        assert "1 unscheduled session" in ss.get(m.Timetable, b).publish_override


def test_accepting_an_optimizer_result_makes_it_current_in_the_list_the_grid_and_publish(qtbot, window, three):
    from ato_desktop.ui.timetable.commands import AcceptResultCommand, push

    db, b, _c = three
    page, screen = _page_on(qtbot, window, b)
    rows = {(v.activity_id, v.occurrence): (v.day, v.period, v.room) for v in tts.list_sessions(db, b)}
    # what the optimizer panel pushes when Accept is clicked (the run itself is tested elsewhere)
    assert push(window.undo_stack, AcceptResultCommand(screen.model, rows, "Optimized", 0, 0)) is None
    new = tts.get_timetable(db, "Optimized").id
    assert screen.model.timetable_id == new and page.current.id() == new
    qtbot.waitUntil(lambda: page.selected_id() == new, timeout=10_000)
    assert page.publish_selected(confirm=False)
    assert tts.get_timetable(db, new).status == "published" and tts.get_timetable(db, b).status == "draft"


def test_editing_a_published_version_offers_a_copy_to_a_new_draft(qtbot, window, three):
    db, b, _c = three
    page, screen = _page_on(qtbot, window, b)
    assert page.publish_selected(confirm=False)
    qtbot.waitUntil(lambda: "frozen" in screen.score_label.text(), timeout=10_000)
    s = next(i for i, v in enumerate(screen.model.views) if v.scheduled and not v.locked)
    assert screen.unschedule(s) is False  # refused by the service
    box = screen.offer_box
    assert box.isVisible() and "published and frozen" in box.text()
    assert tts.get_timetable(db, b).scheduled == tts.get_timetable(db, b).sessions
    from PySide6.QtWidgets import QPushButton

    box.findChild(QPushButton, "copyToDraft").click()
    qtbot.waitUntil(lambda: screen.model.timetable_id != b, timeout=30_000)
    draft = tts.get_timetable(db, screen.model.timetable_id)
    assert draft.status == "draft" and page.current.id() == draft.id
    assert screen.unschedule(next(i for i, v in enumerate(screen.model.views) if v.scheduled and not v.locked))
