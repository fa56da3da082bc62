"""Tools ▸ Check the data…: what makes the timetable impossible, in plain words, before optimizing.

The findings are :func:`ato_desktop.engine.checks.check_problem`'s (the same as
``ato-desktop check --db DB``): errors mean no timetable can satisfy every hard
rule as the data stands ("Dr. Rao must teach 26 periods but is available for 24"),
warnings a soft cost no timetable can avoid. The check compiles the database in a
worker; the dialog shows "Checking…" meanwhile.

    dlg = CheckDialog(parent)
    dlg.check(db, timetable_id)      # in a worker; or dlg.show_findings(findings)
    dlg.exec()
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from ato_desktop.ui.tasks import Task

__all__ = ["CheckDialog", "CODE_TITLES", "summary"]

CODE_TITLES = {
    "resource_overload": "More periods than available",
    "weekly_load": "Above a teacher's weekly limit",
    "no_room": "No suitable room",
    "room_too_small": "Every suitable room is too small",
    "capacity_short": "Group larger than its rooms",
    "sync_shared_resource": "Elective basket shares a teacher or group",
    "sync_no_common_start": "Elective basket has no common slot",
    "too_long": "Longer than any block between breaks",
    "no_start_slot": "No possible slot",
    "locked_infeasible": "Locked where it cannot be",
    "locked_clash": "Locked sessions clash",
}
_COLORS = {"error": QColor("#a61b1b"), "warning": QColor("#8a5a00")}


def summary(findings) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return "No problems found: every session can be placed as far as the checks can tell."
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}: no timetable can satisfy every hard rule "
                     "until they are fixed")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''} (a cost no timetable can avoid)")
    return "; ".join(parts) + "."


class CheckDialog(QDialog):
    """The findings of the impossible-problem checks, errors first."""

    checked = Signal(object)  # the list of findings, once a check() ends
    failed = Signal(str)

    def __init__(self, parent=None, *, intro: str = ""):
        super().__init__(parent)
        self.setObjectName("checkDialog")
        self.setWindowTitle("Check the data")
        self.findings: list | None = None
        self.job: Task | None = None
        lay = QVBoxLayout(self)
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        lay.addWidget(self.intro)
        self.status = QLabel("", self)
        self.status.setObjectName("checkSummary")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("findings")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["What", "Details"])
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.tree, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons = buttons
        self.copy_button = QPushButton("&Copy list", self)
        self.copy_button.setToolTip("Copy the findings as text (to paste in an e-mail)")
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(820, 420)

    def add_action(self, text: str, tip: str = "") -> QPushButton:
        """An extra button beside Copy list (e.g. the optimizer's "Optimize anyway")."""
        b = QPushButton(text, self)
        b.setToolTip(tip)
        self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        return b

    # -- running -------------------------------------------------------------
    def check(self, db, timetable=None) -> Task:
        """Compile and check ``db`` in a worker; the list appears when done."""
        from ato_desktop.services.solving import check_database

        self.status.setText("Checking…")
        self.tree.clear()
        self.copy_button.setEnabled(False)
        job = Task(lambda _p, _s: check_database(db, timetable), poll_ms=0)
        job.succeeded.connect(self._done)
        job.failed.connect(self._failed)
        self.job = job
        return job.start()

    def _done(self, findings) -> None:
        self.job = None
        self.show_findings(findings)
        self.checked.emit(findings)

    def _failed(self, exc: BaseException) -> None:
        self.job = None
        self.status.setText(f"The check could not run: {exc}")
        self.failed.emit(str(exc))

    # -- showing -------------------------------------------------------------
    def show_findings(self, findings) -> None:
        self.findings = list(findings)
        self.tree.clear()
        for f in self.findings:
            title = CODE_TITLES.get(f.code, f.code.replace("_", " ").capitalize())
            item = QTreeWidgetItem([f"{'Error' if f.severity == 'error' else 'Warning'}: {title}", f.message])
            color = _COLORS.get(f.severity)
            if color is not None:
                item.setForeground(0, QBrush(color))
            item.setToolTip(1, f.message)
            item.setData(0, Qt.ItemDataRole.UserRole, f)
            self.tree.addTopLevelItem(item)
        self.status.setText(summary(self.findings))
        self.copy_button.setEnabled(bool(self.findings))

    def errors(self) -> list:
        return [f for f in (self.findings or []) if f.severity == "error"]

    def text(self) -> str:
        lines = [summary(self.findings or [])]
        lines += [f"- {f.severity.upper()}: {f.message}" for f in self.findings or []]
        return "\n".join(lines)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
