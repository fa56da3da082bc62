"""File ▸ Import ▸ FET file…: a FET ``.fet`` file becomes a new department database.

The import (``services.fet_import.import_fet``) runs in a worker with a progress dialog and a working
Cancel; afterwards a dialog shows the report (what was imported, what was not, what was approximated)
and offers to open the new database. Nothing is written when the file is refused or the import is
cancelled.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QPlainTextEdit,
                               QProgressDialog, QVBoxLayout, QWidget)

from ato_desktop.progress import Progress
from ato_desktop.ui import tasks

__all__ = ["install", "FetImportController", "FetReportDialog"]


class FetReportDialog(QDialog):
    """The import report in plain words, with 'Open the new database'."""

    def __init__(self, report, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("fetReportDialog")
        self.setWindowTitle("FET import")
        self.report = report
        lay = QVBoxLayout(self)
        head = QLabel(f"<b>{report.source}</b> was imported into <b>{report.out.name}</b>."
                      + ("<br>Some constraints could not be imported: the imported timetable may break them."
                         if report.not_imported else ""))
        head.setWordWrap(True)
        lay.addWidget(head)
        self.text = QPlainTextEdit("\n".join(report.lines()))
        self.text.setObjectName("fetReportText")
        self.text.setReadOnly(True)
        self.text.setMinimumSize(640, 320)
        lay.addWidget(self.text)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = self.buttons.addButton("Open the new database", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setObjectName("fetOpenButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)


class FetImportController(QObject):
    """Asks for the files, runs the import in a worker, shows progress and then the report."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.job = None
        self.report = None
        self.error: BaseException | None = None
        self.dialog: FetReportDialog | None = None

    def ask_and_run(self) -> None:
        src, _ = QFileDialog.getOpenFileName(self.window, "Import a FET file", "", "FET files (*.fet);;All files (*)")
        if not src:
            return
        from ato_desktop.services.setup import suggest_path

        suggestion = suggest_path(Path(src).parent, Path(src).stem)
        out, _ = QFileDialog.getSaveFileName(self.window, "Save the new department database as", str(suggestion),
                                             "ATO databases (*.atodb)")
        if not out:
            return
        if not out.lower().endswith(".atodb"):
            out += ".atodb"
        self.start(Path(src), Path(out))

    def start(self, src: Path, out: Path):
        from ato_desktop.services.fet_import import import_fet

        self.report, self.error = None, None
        progress = QProgressDialog(f"Importing {src.name}…", "Cancel", 0, 100, self.window)
        progress.setObjectName("fetImportProgress")
        progress.setWindowTitle("FET import")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        self.progress = progress

        def show(p: Progress) -> None:
            if not progress.wasCanceled():
                progress.setValue(int(p.fraction * 100))
                progress.setLabelText(p.message)

        def work(on_progress, should_stop):
            return import_fet(src, out, on_progress=lambda f, msg: on_progress(Progress(f, 1.0, msg)),
                              should_stop=should_stop)

        self.job = tasks.start(work, self._done, on_progress=show, serial=True)
        progress.canceled.connect(self.job.cancel)
        return self.job

    def _done(self, report, error) -> None:
        from ato_desktop.services.fet_import import FetImportCancelled

        self.progress.reset()
        self.progress.close()
        if error is not None:
            self.error = error
            if isinstance(error, FetImportCancelled):
                self.window.show_status("FET import cancelled; nothing was written.", 10000)
                return
            QMessageBox.warning(self.window, "FET import failed", f"{error}\n\nNothing was written.")
            self.window.show_status(f"FET import failed: {error}", 15000)
            return
        self.report = report
        self.window.show_status(f"Imported {report.source} into {report.out}.", 15000)
        self.dialog = FetReportDialog(report, self.window)
        self.dialog.accepted.connect(lambda: self.window.open_database(report.out))
        self.dialog.open()


def install(window) -> QAction:
    """Add File ▸ Import ▸ FET file… to the main window (usable with or without an open database)."""
    controller = FetImportController(window)
    window.fet_import = controller
    act = QAction("&FET file…", window)
    act.setObjectName("actionImportFet")
    act.setStatusTip("Import a FET (.fet) file as a new department database")
    act.triggered.connect(controller.ask_and_run)
    window.import_menu.addAction(act)
    window.act_import_fet = act
    return act
