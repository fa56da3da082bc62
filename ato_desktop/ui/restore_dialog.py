"""File > Restore from backup: a self-contained dialog listing the backups.

The dialog only *chooses* a backup; the caller performs the restore in a
worker (``services.backups.restore``), replacing its Database with the one
returned. Usage::

    dlg = RestoreDialog.for_database(db.path, parent=window)
    if dlg.exec() == QDialog.Accepted:
        path = dlg.selected_backup()
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import backups as svc

COLUMNS = ("Date", "Reason", "Size", "Contents")


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


class RestoreDialog(QDialog):
    def __init__(self, backups: list[svc.BackupInfo], *, folder: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.setObjectName("restoreDialog")
        self._backups = list(backups)
        layout = QVBoxLayout(self)

        intro = QLabel(
            "Choose a backup to restore. The current data will be replaced by the backup's; "
            "a backup of the current data is taken first, so this can be undone."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.table = QTableWidget(len(self._backups), len(COLUMNS), self)
        self.table.setObjectName("backupTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for row, info in enumerate(self._backups):
            cells = (
                info.created.strftime("%a %d %b %Y, %H:%M"),
                info.reason_label,
                _size(info.size),
                info.summary_text,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if info.problem:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable & ~Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table)

        self.empty_label = QLabel(
            "There are no backups yet." + (f" They will be kept in {folder}." if folder else "")
        )
        self.empty_label.setVisible(not self._backups)
        layout.addWidget(self.empty_label)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore_button = self.buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _: self.restore_button.isEnabled() and self.accept())
        self.resize(720, 380)

    @classmethod
    def for_database(cls, db_path: Path, parent: QWidget | None = None) -> "RestoreDialog":
        return cls(svc.list_for(db_path), folder=svc.backup_folder(db_path), parent=parent)

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected_backup() is not None)

    def selected_info(self) -> svc.BackupInfo | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if len(rows) != 1:
            return None
        info = self._backups[rows.pop()]
        return None if info.problem else info

    def selected_backup(self) -> Path | None:
        info = self.selected_info()
        return info.path if info else None
