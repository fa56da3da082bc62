"""Issue 16: Help ▸ Getting started shows the local guide, with its screenshots, from an empty department to
a published timetable."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument


def test_getting_started_opens_the_local_guide_with_its_pictures(window, qtbot):
    act = window.findChild(type(window.act_about), "actionGettingStarted")
    assert act is not None and act in window.menu("Help").actions()
    act.trigger()
    dlg = window.guide_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=5_000)
    text = dlg.browser.toPlainText()
    for step in ("Create your department", "Let the optimizer build a timetable", "Publish and print"):
        assert step in text
    assert dlg.browser.source().isLocalFile()
    for name in ("images/optimizer.png", "images/main-window.png"):
        img = dlg.browser.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        assert img is not None and not img.isNull(), name
    assert window.show_guide() is dlg  # one guide window, raised again
