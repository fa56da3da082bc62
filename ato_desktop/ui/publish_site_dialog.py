"""File ▸ Publish website…: write the timetable website of a version to a folder, in a worker.

The site (``services.publishing.publish_site``: an index with search, a page and an ``.ics`` calendar per
faculty member, group and room, the master) is built in a hidden folder beside the target and moved into
place when complete; Stop ends it between pages and writes nothing. "Open when done" opens the index in
the system's browser.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from ato_desktop.services import Database
from ato_desktop.services.publishing import PublishCancelled, publish_site
from ato_desktop.ui.task_dialog import TaskDialog


class PublishSiteDialog(TaskDialog, QDialog):
    CANCELLED = PublishCancelled
    WHAT = "website"

    def __init__(self, db: Database, timetable_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        layout, form = self._setup(
            db, "Publish website", "publishSiteDialog",
            intro="A website of the timetable for the college web server, a shared drive or a USB stick: "
                  "a page per faculty member, group and room with its calendar (.ics), the master "
                  "timetable and a search. It works without a server, from the folder itself.")
        versions = self._add_version_combo(form, db, timetable_id)
        self._add_path_row(form, "&Folder:", "A new or empty folder (an earlier ATO website there is replaced)",
                           self.choose_folder)
        self.path_edit.setText(str(Path(platformdirs.user_documents_dir()) / "timetable-website"))
        self._add_open_check(layout, "&Open the website when done")
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
        out = self._target("Choose a folder for the website.")
        if out is None:
            return
        db, timetable = self.db, self.version_combo.currentData()
        self._start_task(lambda on_progress, should_stop: publish_site(
            db, out, timetable=timetable, on_progress=on_progress, should_stop=should_stop))

    def _busy_widgets(self) -> tuple:
        return (self.publish_button, self.version_combo, self.path_edit)

    @Slot(object)
    def _on_done(self, result) -> None:
        note = f" Note: {result.note}." if result.note else ""
        self._show_done(result, f"{result.pages} page(s) and {result.calendars} calendar(s) written to "
                                f"{result.path}.{note}", result.path / "index.html")
