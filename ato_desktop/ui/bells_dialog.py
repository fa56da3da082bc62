"""Calendar ▸ Per-day periods…: the teaching periods a day does not have (a Saturday half-day, a break of
its own) and a day's own period times. One row per day, one column per teaching period; a ticked cell has
no teaching that day. Below, one row per day, one column per period: a day's own times (``08:00-08:45``;
an empty cell keeps the calendar's times, shown in the column header).

``BellsDialog(db, undo_stack)``; Save runs ``services.bells.change_bell_schedule`` (one transaction, one
undo step); an impossible schedule (a day with no teaching period left, periods that overlap) is refused
in one sentence.
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
        self.all_periods = [p.label for p in calendar.periods]
        lay = QVBoxLayout(self)
        note = QLabel("Tick the periods a day does not have, e.g. P5–P7 on a Saturday half-day, or a break of "
                      "that day's own. Nothing is scheduled there, as in a break.", self)
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
        times_note = QLabel("A day's own period times, e.g. 08:00-08:45 for a Saturday whose periods are shorter "
                            "(empty: the calendar's times, shown in the header). Printed timetables, the website "
                            "and the calendar files use them; a published or approved version keeps the times "
                            "it was published with.", self)
        times_note.setWordWrap(True)
        lay.addWidget(times_note)
        self.times_table = QTableWidget(len(self.days), len(self.all_periods), self)
        self.times_table.setObjectName("periodTimes")
        self.times_table.setVerticalHeaderLabels(self.days)
        self.times_table.setHorizontalHeaderLabels([f"{p.label}\n{p.start_time}-{p.end_time}"
                                                    for p in calendar.periods])
        own = bells.get_times(db)
        for r, day in enumerate(self.days):
            for c, label in enumerate(self.all_periods):
                pair = own.get(day, {}).get(label)
                self.times_table.setItem(r, c, QTableWidgetItem(f"{pair[0]}-{pair[1]}" if pair else ""))
        self.times_table.resizeColumnsToContents()
        lay.addWidget(self.times_table)
        self.error = error_label(self, "bellsError", hidden=False)
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not readonly)
        lay.addWidget(self.buttons)
        self.resize(680, 520)

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

    def set_times(self, day: str, times: dict[str, tuple[str, str]]) -> None:
        r = self.days.index(day)
        for c, label in enumerate(self.all_periods):
            pair = times.get(label)
            self.times_table.item(r, c).setText(f"{pair[0]}-{pair[1]}" if pair else "")

    def times(self) -> dict[str, dict[str, tuple[str, str]]]:
        """Day -> period -> (start, end) as typed; raises ValueError naming the cell that is not START-END."""
        out: dict[str, dict[str, tuple[str, str]]] = {}
        for r, day in enumerate(self.days):
            for c, label in enumerate(self.all_periods):
                text = self.times_table.item(r, c).text().strip()
                if not text:
                    continue
                start, dash, end = text.replace("–", "-").partition("-")
                if not dash:
                    raise ValueError(f"{day} {label}: {text!r} is not START-END, e.g. 08:00-08:45.")
                out.setdefault(day, {})[label] = (start.strip(), end.strip())
        return out

    def save(self) -> bool:
        """One operation on the window's writer (one undo step); a refusal stays in the dialog."""
        new = self.closed()
        try:
            times = self.times()
        except ValueError as exc:
            self.error.setText(str(exc))
            return False

        def failed(exc: BaseException) -> None:
            self.error.setText(str(exc))

        return bool(self.undo_stack.run(lambda db: bells.change_bell_schedule(db, closed=new, times=times),
                                        on_done=lambda _change: self.accept(), on_error=failed, db=self.db))
