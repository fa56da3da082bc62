"""Calendar ▸ Per-day periods…: the teaching periods a day does not have (a Saturday half-day, a break of
its own). One row per day, one column per teaching period; a ticked cell has no teaching that day.

``BellsDialog(db, undo_stack)``; Save calls ``services.bells.set_closed`` (one transaction) and pushes one
undo step; an impossible schedule (a day with no teaching period left) is refused in one sentence.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from ato_desktop.services import bells
from ato_desktop.services import calendar as cal
from ato_desktop.services.errors import DatabaseError, ServiceError
from ato_desktop.ui.forms import error_label


class BellsDialog(QDialog):
    def __init__(self, db, undo_stack, parent=None, *, readonly: bool = False):
        super().__init__(parent)
        self.setObjectName("bellsDialog")
        self.setWindowTitle("Per-day periods")
        self.db, self.undo_stack = db, undo_stack
        calendar = cal.get_calendar(db)
        self.days = [d.name for d in calendar.days]
        self.periods = [p.label for p in calendar.periods if not p.is_break]
        lay = QVBoxLayout(self)
        note = QLabel("Tick the periods a day does not have, e.g. P5–P7 on a Saturday half-day, or a break of "
                      "that day's own. Nothing is scheduled there, as in a break; the period times stay the "
                      "calendar's.", self)
        note.setWordWrap(True)
        lay.addWidget(note)
        self.table = QTableWidget(len(self.days), len(self.periods), self)
        self.table.setObjectName("closedPeriods")
        self.table.setVerticalHeaderLabels(self.days)
        self.table.setHorizontalHeaderLabels(self.periods)
        closed = bells.get_closed(db)
        for r, day in enumerate(self.days):
            for c, label in enumerate(self.periods):
                item = QTableWidgetItem("")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if label in closed.get(day, ())
                                   else Qt.CheckState.Unchecked)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        lay.addWidget(self.table)
        self.error = error_label(self, "bellsError", hidden=False)
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not readonly)
        lay.addWidget(self.buttons)
        self.resize(620, 340)

    def set_closed(self, day: str, labels: list[str]) -> None:
        r = self.days.index(day)
        for c, label in enumerate(self.periods):
            self.table.item(r, c).setCheckState(Qt.CheckState.Checked if label in labels
                                                else Qt.CheckState.Unchecked)

    def closed(self) -> dict[str, list[str]]:
        out = {}
        for r, day in enumerate(self.days):
            labels = [label for c, label in enumerate(self.periods)
                      if self.table.item(r, c).checkState() == Qt.CheckState.Checked]
            if labels:
                out[day] = labels
        return out

    def save(self) -> bool:
        """One operation on the window's writer (one undo step); a refusal stays in the dialog."""
        new = self.closed()

        def failed(exc: BaseException) -> None:
            self.error.setText(str(exc))

        return bool(self.undo_stack.run(lambda db: bells.change_closed_periods(db, closed=new),
                                        on_done=lambda _change: self.accept(), on_error=failed, db=self.db))
