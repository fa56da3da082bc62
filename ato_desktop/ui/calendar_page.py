"""The Calendar page: working days, periods with clock times, breaks, and the department's names.

Applying calls ``services.calendar.set_calendar`` (validated there; the
message appears on the page and nothing changes) and pushes one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import calendar as cal
from ato_desktop.ui.forms import error_label
from ato_desktop.ui.lazy_page import LazyReload

SETTING_FIELDS = (("institution_name", "Institution"), ("department_name", "Department"), ("term", "Term"))


class CalendarPage(LazyReload, QWidget):
    RELOAD_KINDS = ("calendar",)

    status = Signal(str)

    def __init__(self, undo_stack, parent=None):
        super().__init__(parent)
        self.setObjectName("page_calendar")
        self.undo_stack = undo_stack
        self.db = None
        self.readonly = False
        self._dirty = True
        outer = QVBoxLayout(self)

        names = QGroupBox("Department", self)
        nf = QFormLayout(names)
        self.setting_edits: dict[str, QLineEdit] = {}
        for key, label in SETTING_FIELDS:
            e = QLineEdit(names)
            e.setObjectName(f"setting_{key}")
            nf.addRow(label, e)
            self.setting_edits[key] = e
        outer.addWidget(names)

        days_box = QGroupBox("Working days", self)
        dl = QHBoxLayout(days_box)
        self.day_checks: dict[str, QCheckBox] = {}
        for d in cal.ALL_DAYS:
            c = QCheckBox(d, days_box)
            c.setObjectName(f"day_{d}")
            dl.addWidget(c)
            self.day_checks[d] = c
        dl.addStretch(1)
        outer.addWidget(days_box)

        per_box = QGroupBox("Periods of a day (breaks hold no teaching)", self)
        pl = QVBoxLayout(per_box)
        self.periods = QTableWidget(0, 4, per_box)
        self.periods.setObjectName("periods")
        self.periods.setHorizontalHeaderLabels(["Label", "Start (HH:MM)", "End (HH:MM)", "Break"])
        self.periods.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.periods.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        pl.addWidget(self.periods)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add period", per_box)
        self.add_button.clicked.connect(self.add_period)
        self.remove_button = QPushButton("Remove selected", per_box)
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        self.bells_button = QPushButton("Per-day periods…", per_box)  # a Saturday half-day, a day's own break
        self.bells_button.setObjectName("bellsButton")
        self.bells_button.clicked.connect(lambda *_: self.edit_bells())
        row.addWidget(self.bells_button)
        pl.addLayout(row)
        from ato_desktop.ui.term_box import TermBox

        self.term_box = TermBox(undo_stack, self)
        self.term_box.status.connect(self.status)
        middle = QHBoxLayout()
        middle.addWidget(per_box, 3)
        middle.addWidget(self.term_box, 2)
        outer.addLayout(middle, 1)

        self.error = error_label(self, "calendarError")
        outer.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.revert_button = QPushButton("Revert", self)
        self.revert_button.clicked.connect(self.reload)
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setObjectName("applyCalendar")
        self.apply_button.clicked.connect(self.apply)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)
        outer.addLayout(buttons)

    def edit_bells(self, *, modal: bool = True):
        """The per-day periods dialog (returned unshown when ``modal`` is False: tests)."""
        if self.db is None:
            return None
        from ato_desktop.ui.bells_dialog import BellsDialog

        dlg = BellsDialog(self.db, self.undo_stack, self, readonly=self.readonly)
        if modal:
            dlg.exec()
        return dlg

    # -- data ----------------------------------------------------------------
    def set_database(self, db, readonly: bool = False) -> None:
        self.db, self.readonly = db, readonly
        self._dirty = True
        for w in (self.apply_button, self.revert_button, self.add_button, self.remove_button):
            w.setEnabled(db is not None and not readonly)
        self.term_box.set_database(db, readonly)
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        self._dirty = False
        self.error.hide()
        if self.db is None:
            self.periods.setRowCount(0)
            return
        c = cal.get_calendar(self.db)
        names = {d.name for d in c.days}
        for d, box in self.day_checks.items():
            box.setChecked(d in names)
        self.periods.setRowCount(0)
        for p in c.periods:
            self.add_period(p.label, p.start_time, p.end_time, p.is_break)
        settings = cal.all_settings(self.db)
        for key, e in self.setting_edits.items():
            e.setText(settings.get(key, ""))
        self.term_box.reload()

    def add_period(self, label: str = "", start: str = "", end: str = "", is_break: bool = False) -> None:
        r = self.periods.rowCount()
        self.periods.insertRow(r)
        if not label:
            label = f"P{sum(1 for i in range(r) if not self._is_break(i)) + 1}"
        for col, text in enumerate((label, start, end)):
            self.periods.setItem(r, col, QTableWidgetItem(text))
        chk = QTableWidgetItem()
        chk.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        chk.setCheckState(Qt.CheckState.Checked if is_break else Qt.CheckState.Unchecked)
        self.periods.setItem(r, 3, chk)

    def _is_break(self, r: int) -> bool:
        it = self.periods.item(r, 3)
        return it is not None and it.checkState() == Qt.CheckState.Checked

    def remove_selected(self) -> None:
        for r in sorted({i.row() for i in self.periods.selectedIndexes()}, reverse=True):
            self.periods.removeRow(r)

    def form_values(self) -> tuple[list[str], list[tuple[str, str, str, bool]], dict[str, str]]:
        days = [d for d in cal.ALL_DAYS if self.day_checks[d].isChecked()]
        periods = []
        for r in range(self.periods.rowCount()):
            cells = [(self.periods.item(r, c).text().strip() if self.periods.item(r, c) else "") for c in range(3)]
            periods.append((cells[0], cells[1], cells[2], self._is_break(r)))
        settings = {k: e.text().strip() for k, e in self.setting_edits.items()}
        return days, periods, settings

    def apply(self) -> bool:
        if self.db is None or self.readonly:
            return False
        days, periods, settings = self.form_values()

        def failed(exc: BaseException) -> None:
            self.error.setText(str(exc))
            self.error.show()
            self.status.emit(f"Calendar not changed: {exc}")

        def done(change) -> None:
            self.error.hide()
            self.status.emit("Calendar saved." if change.can_undo else "No changes to apply.")

        return self.undo_stack.run(lambda db: cal.change_calendar(db, days=days, periods=periods, settings=settings),
                                   on_done=done, on_error=failed, db=self.db)
