"""Export PDF, mail settings, notifications and warm-up reached from the real main window."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from ato_desktop.services import timetables as tts
from ato_desktop.ui import window_features
from tests.reports.conftest import page_texts, read_pdf


def _when_modal(qtbot, fn):
    """Call ``fn(dialog)`` on the next modal dialog (the caller then opens it with exec())."""
    def poll():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, poll)
        else:
            fn(dlg)
    QTimer.singleShot(0, poll)


def test_file_export_pdf_prints_the_version_shown(qtbot, window, tmp_path, monkeypatch):
    window_features.install(window, warm_up=False)
    window_features.install(window, warm_up=False)  # idempotent
    assert [a.objectName() for a in window.menu("File").actions()].count("actionExportPdf") == 1
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: True))
    window.show_page("timetables")
    ref = tts.get_timetable(window.database, "Reference timetable").id
    assert window_features.current_timetable_id(window) == ref
    out = tmp_path / "group-CSE-3A.pdf"

    def drive(dlg):
        assert dlg.objectName() == "exportPdfDialog"
        assert dlg.version_combo.currentData() == ref
        dlg.set_kind("group", "CSE-3A")
        dlg.path_edit.setText(str(out))
        dlg.export_button.click()

    _when_modal(qtbot, drive)
    window.act_export_pdf.trigger()  # returns when the dialog has closed itself
    text = "\n".join(page_texts(read_pdf(out.read_bytes())))
    assert "CSE-3A" in text and "CS203" in text
    assert str(out) in window.statusBar().currentMessage()


def test_mail_settings_and_notifications_page(qtbot, window):
    window_features.install(window, warm_up=False)
    seen = {}

    def look(dlg):
        seen["name"] = dlg.objectName() or type(dlg).__name__
        dlg.reject()

    _when_modal(qtbot, look)
    window.act_mail_settings.trigger()
    assert "ail" in seen["name"]  # the mail settings dialog opened on the window's database
    page = window.pages["notifications"]
    assert page.view is None  # built on first show, not at start-up
    page = window.show_page("notifications")
    assert page.view is not None and page.view.db is window.database
    assert any(window.nav.item(i).text() == "Notifications" for i in range(window.nav.count()))


def test_prepare_optimizer_action_says_ready_when_warm(qtbot, window):
    window_features.install(window, warm_up=False)
    window.findChild(type(window.act_export_pdf), "actionWarmUp").trigger()
    assert window.statusBar().currentMessage() == "The optimizer is ready."
