"""The conflicts panel: every hard and soft violation with its sentence; double-click selects the sessions."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from ato_desktop.ui.timetable.model import TimetableModel

ROLE_SESSIONS = Qt.UserRole + 1


class ConflictsPanel(QTreeWidget):
    sessionsActivated = Signal(list)

    def __init__(self, model: TimetableModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.setObjectName("conflictsPanel")
        self.setHeaderLabels(["Conflict", "Sessions"])
        self.setColumnWidth(0, 640)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.itemDoubleClicked.connect(self._activated)
        model.subscribe(self._on_model)
        self.refresh()

    def _on_model(self, what: str) -> None:
        if what in ("placement", "load"):
            self.refresh()

    def refresh(self) -> None:
        self.clear()
        if self.model.state is None:
            return
        rows = self.model.violations()
        hard_root = QTreeWidgetItem(self, [f"Hard conflicts ({sum(r.hard for r in rows)})", ""])
        soft_root = QTreeWidgetItem(self, [f"Soft costs ({sum(not r.hard for r in rows)})", ""])
        hard_root.setForeground(0, QColor(170, 0, 0))
        groups: dict[tuple[bool, str], QTreeWidgetItem] = {}
        for r in rows:
            root = hard_root if r.hard else soft_root
            g = groups.get((r.hard, r.constraint))
            if g is None:
                g = groups[(r.hard, r.constraint)] = QTreeWidgetItem(root, [r.constraint.replace("_", " "), ""])
                g.setData(0, ROLE_SESSIONS, [])
            it = QTreeWidgetItem(g, [r.message, ", ".join(self.model.short_label(s) for s in r.sessions[:3])])
            it.setToolTip(0, r.message)
            it.setData(0, ROLE_SESSIONS, list(r.sessions))
            g.setData(0, ROLE_SESSIONS, g.data(0, ROLE_SESSIONS) + list(r.sessions))
        for g in groups.values():
            g.setText(0, f"{g.text(0)} ({g.childCount()})")
        hard_root.setExpanded(True)
        for (hard, _), g in groups.items():
            g.setExpanded(hard)

    def _activated(self, item: QTreeWidgetItem, _col: int) -> None:
        sessions = item.data(0, ROLE_SESSIONS) or []
        if sessions:
            self.sessionsActivated.emit(sorted(set(int(s) for s in sessions)))

    def items(self) -> list[QTreeWidgetItem]:
        out = []
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            it = stack.pop(0)
            out.append(it)
            stack.extend(it.child(i) for i in range(it.childCount()))
        return out
