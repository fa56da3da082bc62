"""The conflicts panel: every hard and soft violation with its sentence; double-click selects the sessions."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from ato_desktop.rule_names import rule_name
from ato_desktop.ui.timetable.model import TimetableModel, violation_rows

ROLE_SESSIONS = Qt.UserRole + 1


SYNC_LIMIT = 600  # sessions: above this the evaluation runs in a worker thread
MAX_ROWS_PER_RULE = 300


class ConflictsPanel(QTreeWidget):
    """Refreshed after every change: at once on small departments, in a worker on large ones,
    and only while visible (a hidden panel refreshes when it is shown again)."""

    sessionsActivated = Signal(list)
    refreshed = Signal()

    def __init__(self, model: TimetableModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.setObjectName("conflictsPanel")
        self.setHeaderLabels(["Conflict", "Sessions"])
        self.setColumnWidth(0, 640)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.itemDoubleClicked.connect(self._activated)
        self._dirty = True
        self._job = None
        model.subscribe(self._on_model)
        self.refresh()

    def _on_model(self, what: str) -> None:
        if what in ("placement", "load"):
            self._dirty = True
            if self.isVisible() or self.model.problem.n_sessions <= SYNC_LIMIT:
                self.refresh()

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        self._dirty = False
        m = self.model
        if m.state is None:
            self.clear()
            return
        if m.problem.n_sessions <= SYNC_LIMIT or m._score_cache is not None:
            self._fill(m.violations())
            return
        # large department: evaluate a copy of the assignment in a worker, fill when it is still current
        from ato_desktop.engine.evaluate import evaluate
        from ato_desktop.ui.tasks import Task

        version, problem, assignment = m.version, m.problem, m.assignment.copy()
        self.clear()
        QTreeWidgetItem(self, ["Evaluating…", ""])

        def work(_p, _s):  # the evaluation and its thousands of rows: off the UI thread
            score = evaluate(problem, assignment)
            return score, violation_rows(score, problem, assignment)

        def done(out, error) -> None:
            if error is not None or m.version != version or m.problem is not problem:
                if m.version != version:
                    self._dirty = True
                    if self.isVisible():
                        self.refresh()
                return
            m._score_cache, rows = out
            self._fill(rows)

        self._job = Task(work, parent=self)
        self._job.finished.connect(done)
        self._job.start()

    def _fill(self, rows) -> None:
        self.setUpdatesEnabled(False)
        try:
            self.clear()
            hard_root = QTreeWidgetItem(self, [f"Hard conflicts ({sum(r.hard for r in rows)})", ""])
            soft_root = QTreeWidgetItem(self, [f"Preferences not met ({sum(not r.hard for r in rows)})", ""])
            hard_root.setForeground(0, QColor(170, 0, 0))
            groups: dict[tuple[bool, str], tuple[QTreeWidgetItem, list[int], list[int]]] = {}
            label = self.model.short_label
            for r in rows:
                key = (r.hard, r.constraint)
                entry = groups.get(key)
                if entry is None:
                    g = QTreeWidgetItem(hard_root if r.hard else soft_root, [rule_name(r.constraint), ""])
                    g.setToolTip(0, ("A hard rule: must hold. " if r.hard else "A preference: a cost. ")
                                 + "Double-click to select its sessions.")
                    entry = groups[key] = (g, [], [0])
                g, sessions, n = entry
                n[0] += 1
                sessions.extend(r.sessions)
                if n[0] <= MAX_ROWS_PER_RULE:
                    it = QTreeWidgetItem(g, [r.message, ", ".join(label(s) for s in r.sessions[:3])])
                    it.setToolTip(0, r.message)
                    it.setData(0, ROLE_SESSIONS, list(r.sessions))
            for (hard, _), (g, sessions, n) in groups.items():
                if n[0] > MAX_ROWS_PER_RULE:
                    QTreeWidgetItem(g, [f"… and {n[0] - MAX_ROWS_PER_RULE} more", ""])
                g.setText(0, f"{g.text(0)} ({n[0]})")
                g.setData(0, ROLE_SESSIONS, sessions)
                g.setExpanded(hard)
            hard_root.setExpanded(True)
        finally:
            self.setUpdatesEnabled(True)
        self.refreshed.emit()

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
