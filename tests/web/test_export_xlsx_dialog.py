"""File ▸ Export…: the dialog also writes the version as an Excel workbook, in its worker, offscreen."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings

from ato_desktop.ui.export_dialog import ExportPdfDialog


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


def test_the_export_dialog_writes_a_workbook_by_room(qtbot, demo_db, tmp_path):
    dlg = ExportPdfDialog(demo_db)
    qtbot.addWidget(dlg)
    dlg.open_check.setChecked(False)
    dlg.set_kind("xlsx-room")
    assert not dlg.item_combo.isEnabled() and not dlg.paper_combo.isEnabled()
    assert dlg.path_edit.text().endswith("timetable-by-room.xlsx")
    out = tmp_path / "rooms.xlsx"
    dlg.path_edit.setText(str(out))
    with qtbot.waitSignal(dlg.accepted, timeout=60_000):
        dlg.export_button.click()
    wb = load_workbook(out)
    assert len(wb.sheetnames) == dlg.last_result.pages > 1
    assert any(ws.merged_cells.ranges for ws in wb.worksheets)  # labs
    assert "sheet(s) written" in dlg.status.text()
    # back to a PDF kind: a .pdf name again, paper is offered again
    dlg.set_kind("book")
    assert dlg.path_edit.text().endswith(".pdf") and dlg.paper_combo.isEnabled()


def test_a_wrong_suffix_is_refused_in_the_dialog(qtbot, demo_db, tmp_path):
    dlg = ExportPdfDialog(demo_db)
    qtbot.addWidget(dlg)
    dlg.set_kind("xlsx-group")
    dlg.path_edit.setText(str(tmp_path / "x.csv"))
    dlg.export_button.click()
    assert "must end in .xlsx" in dlg.status.text()
    assert not list(tmp_path.glob("x*"))
