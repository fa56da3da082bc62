"""Build a version's review package (``reports.review``, as ``ato-desktop versions review-package``) in
the background from the GUI, save it where the user chose, and open it."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget


class ReviewPackageController(QObject):
    message = Signal(str)  # a sentence for the status bar
    finished = Signal(object, object)  # ReviewPackage or None, the error or None

    def __init__(self, db, key, parent: QWidget | None = None, *, open_after: bool = True):
        super().__init__(parent)
        self.db, self.key, self.open_after = db, key, open_after
        self.job = None
        self.result = None
        self.error: BaseException | None = None

    def start(self, path: str | None = None) -> bool:
        """Ask where to save (unless ``path``), then build the PDF in a worker; False when nothing started.
        The PDF is opened afterwards when the user chose where to save it."""
        if self.db is None or self.job is not None:
            return False
        if path is not None:
            self.open_after = False
        else:
            parent = self.parent() if isinstance(self.parent(), QWidget) else None
            path, _ = QFileDialog.getSaveFileName(parent, "Save the review package", "review-package.pdf",
                                                  "PDF (*.pdf)")
            if not path:
                return False
        out = Path(path)
        if out.suffix.lower() != ".pdf":
            out = out.with_name(out.name + ".pdf")
        from ato_desktop.services.reports import write_review_package
        from ato_desktop.ui.dashboard_page import in_background

        db, key = self.db, self.key
        self.message.emit("Building the review package…")
        self.job = in_background(lambda: write_review_package(db, key, out), self._done)
        return True

    def _done(self, pkg, error) -> None:
        if not shiboken6.isValid(self):
            return
        self.job = None
        self.result, self.error = pkg, error
        if error is not None:
            self.message.emit(f"The review package could not be written: {error}")
        else:
            vs = f", compared with {pkg.against}" if pkg.against else ""
            self.message.emit(f"Review package of {pkg.timetable} saved to {pkg.path} ({pkg.pages} pages{vs}).")
            if self.open_after:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(pkg.path)))
        self.finished.emit(pkg, error)
