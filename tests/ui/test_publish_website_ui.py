"""File ▸ Publish website… in the real main window: the version shown is written to the chosen folder in
a worker, with progress; a folder holding other files is refused in the dialog and keeps its files."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from ato_desktop.services import timetables as tts
from ato_desktop.ui import extras


def _when_modal(qtbot, fn):
    def poll():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, poll)
        else:
            fn(dlg)
    QTimer.singleShot(0, poll)


def test_file_publish_website_writes_the_version_shown(qtbot, window, tmp_path, monkeypatch):
    extras.install(window, warm_up=False)
    names = [a.objectName() for a in window.menu("File").actions()]
    assert names.count("actionPublishWebsite") == 1
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    window.show_page("timetables")
    ref = tts.get_timetable(window.database, "Reference timetable").id
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "mine.txt").write_text("keep")
    out = tmp_path / "site"
    seen, refused = [], []

    def drive(dlg):
        assert dlg.objectName() == "publishSiteDialog"
        assert dlg.version_combo.currentData() == ref
        dlg.path_edit.setText(str(taken))
        dlg.progress.valueChanged.connect(seen.append)

        def after_refusal():
            refused.append(dlg.status.text())
            dlg.path_edit.setText(str(out))
            dlg.publish_button.click()

        dlg.publish_button.click()
        qtbot.waitUntil(lambda: "other files" in dlg.status.text() and dlg.publish_button.isEnabled(),
                        timeout=30_000)
        after_refusal()

    _when_modal(qtbot, drive)
    window.act_publish_website.trigger()
    assert refused and "already holds other files" in refused[0]
    assert [p.name for p in taken.iterdir()] == ["mine.txt"]
    result = window.publish_site_dialog.last_result
    assert result is not None and result.path == out
    assert (out / "index.html").exists() and list(out.glob("faculty-*.html"))
    assert seen and seen[-1] == 1000
    assert [u.toLocalFile() for u in opened] == [str(out / "index.html")]
