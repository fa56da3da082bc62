"""The versions list's Compare…: two selected versions, compared in a worker, side by side in a dialog
listing exactly the sessions moved."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel

from ato_desktop.demo import REFERENCE_NAME
from ato_desktop.services import timetables as tts
from ato_desktop.services import version_lifecycle as versions


def test_compare_two_selected_versions_shows_the_two_moved_sessions(qtbot, window):
    db = window.database
    versions.copy_to_draft(db, REFERENCE_NAME, "Candidate")
    sessions = [v for v in tts.list_sessions(db, "Candidate") if v.scheduled and v.room]
    first = sessions[0]
    second = next(v for v in sessions[1:] if v.course_code != first.course_code)
    tts.move_session(db, first.id, next(v.day for v in sessions if v.day != first.day), first.period, first.room)
    tts.move_session(db, second.id, second.day, second.period, next(v.room for v in sessions if v.room != second.room))

    page = window.show_page("timetables")
    page.reload()
    qtbot.waitUntil(lambda: len(page.infos) == 2, timeout=30_000)
    page.table.clearSelection()
    model, sel = page.table.model(), page.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for r in range(2):
        sel.select(model.index(r, 0), flags)
    assert len(page.selected_ids()) == 2
    assert page.buttons["Compare"].isEnabled()
    page.buttons["Compare"].click()
    qtbot.waitUntil(lambda: page.compare_dialog is not None and page.compare_dialog.isVisible(), timeout=60_000)
    dlg = page.compare_dialog
    texts = dlg.moved_texts()
    assert len(texts) == 2
    assert all("→" in t for t in texts)
    for s in (first, second):
        assert sum(1 for t in texts if t.startswith(f"{s.course_code} ") and f"#{s.occurrence + 1}:" in t) == 1
    headers = [dlg.figures.horizontalHeaderItem(c).text() for c in range(3)]
    assert headers[1:] == [REFERENCE_NAME, "Candidate"]
    assert dlg.figures.rowCount() > 10
    dlg.close()
