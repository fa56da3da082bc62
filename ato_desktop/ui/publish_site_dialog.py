"""File ▸ Publish website…: write the timetable website of a version to a folder, in a worker.

The site (``services.publishing.publish_site``: an index with search, a page and an ``.ics`` calendar per
faculty member, group and room, the master) is built in a hidden folder beside the target and moved into
place when complete; Stop ends it between pages and writes nothing. "Open when done" opens the index in
the system's browser.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import Database
from ato_desktop.services.publishing import PublishCancelled, publish_site
from ato_desktop.ui.task_dialog import TaskDialog


class PublishSiteDialog(TaskDialog, QDialog):
    CANCELLED = PublishCancelled
    WHAT = "website"

    def __init__(self, db: Database, timetable_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Publish website")
        self.setObjectName("publishSiteDialog")
        self.db = db
        self.last_result = None
        self._task = None  # the running task (TaskDialog)

        layout = QVBoxLayout(self)
        intro = QLabel("A website of the timetable for the college web server, a shared drive or a USB stick: "
                       "a page per faculty member, group and room with its calendar (.ics), the master "
                       "timetable and a search. It works without a server, from the folder itself.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        versions = self._add_version_combo(form, db, timetable_id)

        out = QWidget(self)
        row = QHBoxLayout(out)
        row.setContentsMargins(0, 0, 0, 0)
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("pathEdit")
        self.path_edit.setPlaceholderText("A new or empty folder (an earlier ATO website there is replaced)")
        self.path_edit.setText(str(Path(platformdirs.user_documents_dir()) / "timetable-website"))
        browse = QPushButton("&Browse…", out)
        browse.clicked.connect(self.choose_folder)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow("&Folder:", out)

        self.open_check = QCheckBox("&Open the website when done", self)
        self.open_check.setChecked(True)
        layout.addWidget(self.open_check)
        self.publish_button = self._add_progress_and_buttons(layout, "&Publish")
        if not versions:
            self.publish_button.setEnabled(False)
            self.status.setText("There is no timetable version yet; create or optimize one first.")

    @Slot()
    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder for the website", self.path_edit.text())
        if path:
            self.path_edit.setText(path)

    @Slot()
    def start(self) -> None:
        if self.running():
            return
        text = self.path_edit.text().strip()
        if not text:
            self._error("Choose a folder for the website.")
            return
        db, out, timetable = self.db, Path(text).expanduser(), self.version_combo.currentData()
        self._start_task(lambda on_progress, should_stop: publish_site(
            db, out, timetable=timetable, on_progress=on_progress, should_stop=should_stop))

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(True)
        if busy:
            self.progress.setValue(0)
        for w in (self.publish_button, self.version_combo, self.path_edit):
            w.setEnabled(not busy)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Stop" if busy else "Close")

    @Slot(object)
    def _on_done(self, result) -> None:
        self._finish()
        self.last_result = result
        self.progress.setValue(1000)
        note = f" Note: {result.note}." if result.note else ""
        self.status.setText(f"{result.pages} page(s) and {result.calendars} calendar(s) written to {result.path}.{note}")
        if self.open_check.isChecked():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path / "index.html")))
        self.accept()

