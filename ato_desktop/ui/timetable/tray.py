"""The "unscheduled" tray: sessions without a slot. Drag from it into a grid, drop a card on it to unschedule."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QDrag
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem

from ato_desktop.ui.timetable.grid import session_from_mime, session_mime
from ato_desktop.ui.timetable.model import TimetableModel

ROLE_SESSION = Qt.UserRole + 1


class UnscheduledTray(QListWidget):
    unscheduleRequested = Signal(int)
    dragStarted = Signal(int)
    dragFinished = Signal()

    def __init__(self, model: TimetableModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.setObjectName("unscheduledTray")
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDrop)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setFlow(QListWidget.TopToBottom)
        self.setAlternatingRowColors(False)
        self.setToolTip("Sessions without a slot. Drag one into the grid; drop a card here to unschedule it.")
        model.subscribe(lambda _w: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        for s in self.model.unscheduled():
            v = self.model.views[s]
            it = QListWidgetItem(f"{v.course_code} {v.kind}  {', '.join(v.groups)}  ·  {', '.join(v.faculty)}"
                                 f"  ({self.model.problem.session_duration[s]}p)")
            it.setData(ROLE_SESSION, s)
            it.setBackground(QColor(*self.model.color_of(s)))
            it.setToolTip(self.model.views[s].course_title)
            if v.locked:
                it.setText(it.text() + "  [locked]")
            self.addItem(it)

    def sessions(self) -> list[int]:
        return [self.item(i).data(ROLE_SESSION) for i in range(self.count())]

    def startDrag(self, actions) -> None:
        it = self.currentItem()
        if it is None:
            return
        s = int(it.data(ROLE_SESSION))
        drag = QDrag(self)
        drag.setMimeData(session_mime(s, self.model.timetable_id))
        drag.setHotSpot(QPoint(8, 8))
        self.dragStarted.emit(s)
        drag.exec(Qt.MoveAction)
        self.dragFinished.emit()

    def dragEnterEvent(self, ev) -> None:
        if session_from_mime(ev.mimeData(), self.model.timetable_id) is not None:
            ev.acceptProposedAction()
        else:
            ev.ignore()

    def dragMoveEvent(self, ev) -> None:
        s = session_from_mime(ev.mimeData(), self.model.timetable_id)
        if s is not None and s not in self.model.unscheduled():
            ev.acceptProposedAction()
        else:
            ev.ignore()

    def dropEvent(self, ev) -> None:
        s = session_from_mime(ev.mimeData(), self.model.timetable_id)
        if s is None or s in self.model.unscheduled():
            ev.ignore()
            return
        ev.acceptProposedAction()
        self.unscheduleRequested.emit(s)
