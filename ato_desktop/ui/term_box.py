"""The term's dates on the Calendar page: first and last day, holidays, days that follow another weekday.

Each change is one service call (``services.term``) pushed on the undo stack as one step.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ato_desktop.services import term as terms
from ato_desktop.ui.forms import error_label


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def _date_edit(parent, name: str) -> QDateEdit:
    e = QDateEdit(parent)
    e.setObjectName(name)
    e.setCalendarPopup(True)
    e.setDisplayFormat("yyyy-MM-dd")
    return e


class TermBox(QGroupBox):
    status = Signal(str)

    def __init__(self, undo_stack, parent=None):
        super().__init__("Term dates", parent)
        self.setObjectName("termBox")
        self.undo_stack = undo_stack
        self.db = None
        self.readonly = False
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.start_edit = _date_edit(self, "termStart")
        self.end_edit = _date_edit(self, "termEnd")
        self.set_button = QPushButton("Set term", self)
        self.set_button.setObjectName("termSet")
        self.set_button.clicked.connect(self.set_term)
        row.addWidget(QLabel("From", self))
        row.addWidget(self.start_edit)
        row.addWidget(QLabel("to", self))
        row.addWidget(self.end_edit)
        row.addWidget(self.set_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.days = QTableWidget(0, 3, self)
        self.days.setObjectName("termDays")
        self.days.setHorizontalHeaderLabels(["Date", "Day", "What"])
        self.days.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.days.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.days.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.days.horizontalHeader().setStretchLastSection(True)
        self.days.verticalHeader().hide()
        lay.addWidget(self.days, 1)
        add = QHBoxLayout()
        self.day_edit = _date_edit(self, "termDayDate")
        self.kind_box = QComboBox(self)
        self.kind_box.setObjectName("termDayKind")
        self.label_edit = QLineEdit(self)
        self.label_edit.setObjectName("termDayLabel")
        self.label_edit.setPlaceholderText("label, e.g. Diwali")
        self.add_button = QPushButton("Add", self)
        self.add_button.setObjectName("termDayAdd")
        self.add_button.clicked.connect(self.add_day)
        self.remove_button = QPushButton("Remove selected", self)
        self.remove_button.clicked.connect(self.remove_day)
        for w in (self.day_edit, self.kind_box, self.label_edit, self.add_button, self.remove_button):
            add.addWidget(w)
        lay.addLayout(add)
        self.error = error_label(self)
        lay.addWidget(self.error)

    def set_database(self, db, readonly: bool = False) -> None:
        self.db, self.readonly = db, readonly
        for w in (self.set_button, self.add_button, self.remove_button):
            w.setEnabled(db is not None and not readonly)

    def reload(self) -> None:
        self.error.hide()
        self.days.setRowCount(0)
        if self.db is None:
            return
        t = terms.get_term(self.db)
        today = terms.today(self.db)
        self.start_edit.setDate(_qdate(t.start or today))
        self.end_edit.setDate(_qdate(t.end or today + dt.timedelta(days=120)))
        self.day_edit.setDate(_qdate(today))
        self.kind_box.clear()
        self.kind_box.addItem("Holiday", None)
        from ato_desktop.services import calendar as cal

        for d in cal.get_calendar(self.db).days:
            self.kind_box.addItem(f"Follows {d.name}", d.name)
        for d in t.days:
            r = self.days.rowCount()
            self.days.insertRow(r)
            what = "holiday" if d.kind == "holiday" else f"follows {d.follows}"
            for c, text in enumerate((d.date.isoformat(), terms.WEEKDAYS[d.date.weekday()],
                                      what + (f" — {d.label}" if d.label else ""))):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, d.date)
                self.days.setItem(r, c, item)

    def _do(self, fn) -> bool:
        if self.db is None or self.readonly:
            return False

        def failed(exc: BaseException) -> None:
            self.error.setText(str(exc))
            self.error.show()
            self.status.emit(str(exc))

        return self.undo_stack.run(fn, on_done=lambda change: self.status.emit(change.title + "."),
                                   on_error=failed, db=self.db)

    def set_term(self) -> bool:
        start, end = _date(self.start_edit.date()), _date(self.end_edit.date())
        return self._do(lambda db: terms.set_term(db, start, end))

    def add_day(self) -> bool:
        d, follows, label = _date(self.day_edit.date()), self.kind_box.currentData(), self.label_edit.text()
        if follows:
            return self._do(lambda db: terms.add_exception(db, d, follows, label))
        return self._do(lambda db: terms.add_holiday(db, d, label))

    def remove_day(self) -> bool:
        rows = {i.row() for i in self.days.selectedIndexes()}
        if not rows:
            return False
        d = self.days.item(min(rows), 0).data(Qt.ItemDataRole.UserRole)
        return self._do(lambda db: terms.remove_term_day(db, d))
