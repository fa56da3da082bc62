"""Help ▸ Getting started: a short guide from an empty department to a published timetable.

The guide is a local HTML page with screenshots, shipped in ``resources/help/`` (in the wheel and the
bundle), shown in a :class:`QTextBrowser`; nothing is fetched from the network.
``python -m ato_desktop.ui.screenshots docs/images --help-images`` refreshes its pictures.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from ato_desktop.resource_files import resource_path

GUIDE = ("help", "getting-started.html")


def guide_path() -> Path:
    """The guide installed with the package, else the one of the source checkout this module is in."""
    path = resource_path(*GUIDE)
    if not path.is_file():
        beside = Path(__file__).resolve().parents[2].joinpath("resources", *GUIDE)
        if beside.is_file():
            return beside
    return path


class GettingStartedDialog(QDialog):
    """The guide in a browser window (non-modal: the user follows it in the main window)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("gettingStarted")
        self.setWindowTitle("Getting started")
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("guideBrowser")
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._external)
        path = guide_path()
        if path.is_file():
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.setSource(QUrl.fromLocalFile(str(path)))
        else:
            self.browser.setHtml("<p>The guide is not part of this installation.</p>")
        lay.addWidget(self.browser)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.rejected.connect(self.close)
        lay.addWidget(box)
        self.resize(760, 560)

    def _external(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
