"""Waiting for a window's layout to settle, on a condition rather than a fixed sleep."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QWidget

from ato_desktop.ui import tasks


def _geometry(windows) -> tuple:
    return tuple((w.size().toTuple(),) + tuple(c.geometry().getRect() for c in w.findChildren(QWidget)
                                               if c.isVisible()) for w in windows)


def settle_layout(window=None, rounds: int = 100) -> None:
    """Wait until the layouts and the deferred fittings (posted events, zero timers) are done: the
    tasks are idle and one more round of events moves no widget. No fixed sleep."""
    tasks.wait_idle(10_000)
    windows = [window] if window is not None else [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    before = None
    for _ in range(rounds):
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents()
        now = _geometry(windows)
        if now == before:
            return
        before = now
    raise AssertionError(f"the layout still moves after {rounds} rounds of events")
