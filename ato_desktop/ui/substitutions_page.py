"""The Substitutions page: absences of a date, the lessons to cover with ranked candidates, and printouts.

Reading a date's plan runs in a worker; recording an absence or an arrangement is one service call
(one transaction) pushed on the undo stack as one command. Planning the whole day ("Plan
automatically") and printing run in workers too.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import day_timetable as daytt
from ato_desktop.services import substitution_day as sday
from ato_desktop.services import substitutions as sb
from ato_desktop.services import term as terms
from ato_desktop.services.errors import ServiceError
from ato_desktop.ui.forms import error_label
from ato_desktop.ui import tasks
from ato_desktop.ui.lazy_page import LazyReload

ENTITY = "substitutions"


def _table(parent, headers: list[str], name: str) -> QTableWidget:
    t = QTableWidget(0, len(headers), parent)
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.horizontalHeader().setStretchLastSection(True)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.verticalHeader().hide()
    return t


def arrangement_text(x: sday.Lesson) -> str:
    a = x.arrangement
    if a is None:
        return "not covered"
    if x.problem:
        return f"not covered: {x.problem}"
    return {"substitute": f"{a.substitute} ({a.substitute_name})",
            "self_study": f"self-study{' in ' + a.room if a.room else ''}",
            "swap": f"swap: {a.substitute} now, {x.faculty} on {a.other_date}",
            "merge": f"merged: {a.other}"}[a.kind]


class SubstitutionsPage(LazyReload, QWidget):
    RELOAD_KINDS = (ENTITY, "calendar", "faculty", "timetable")

    status = Signal(str)
    plan_loaded = Signal()  # after each (re)load of the date's plan (tests wait on it)

    def __init__(self, undo_stack, parent=None):
        super().__init__(parent)
        self.setObjectName("page_substitutions")
        self.undo_stack = undo_stack
        self.db = None
        self.readonly = False
        self.plan: sday.DayPlan | None = None
        self.day: daytt.DayTimetable | None = None
        self._dirty = True
        self._loading = 0
        outer = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("Date", self))
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("substDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd (dddd)")
        self.date_edit.dateChanged.connect(lambda *_: self.reload())
        top.addWidget(self.date_edit)
        self.day_label = QLabel(self)
        self.day_label.setObjectName("substDay")
        self.day_label.setWordWrap(True)  # "No classes: <why>" must not force the window wider (a laptop at 125 %)
        top.addWidget(self.day_label, 1)
        self.auto_button = QPushButton("Plan automatically", self)
        self.auto_button.setObjectName("substAuto")
        self.auto_button.setToolTip("Give every uncovered lesson its best free colleague (self-study when nobody is)")
        self.auto_button.clicked.connect(self.auto_plan)
        self.sheet_button = QPushButton("Print sheet…", self)
        self.sheet_button.setToolTip("The day's arrangement for the staff room, with a slip per substitute (PDF)")
        self.sheet_button.clicked.connect(lambda: self.print_sheet())
        self.register_button = QPushButton("Register…", self)
        self.register_button.setToolTip("Every substitution of the term, per faculty member (XLSX or PDF)")
        self.register_button.clicked.connect(lambda: self.export_register())
        self.notify_button = QPushButton("Notify substitutes", self)
        self.notify_button.setObjectName("substNotify")
        self.notify_button.setToolTip("E-mail each substitute of this date not told yet (through the outbox)")
        self.notify_button.clicked.connect(lambda: self.notify_substitutes())
        self.channels_button = QPushButton("Channels…", self)
        self.channels_button.setToolTip("Microsoft Teams, Slack or JSON webhooks that receive notices")
        self.channels_button.clicked.connect(lambda: self.open_channels())
        for b in (self.auto_button, self.notify_button, self.sheet_button, self.register_button,
                  self.channels_button):
            top.addWidget(b)
        outer.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        # ---- absences
        left = QGroupBox("Absent on this date", split)
        ll = QVBoxLayout(left)
        self.absences = _table(left, ["Faculty", "Periods", "Reason", "Note"], "substAbsences")
        ll.addWidget(self.absences, 1)
        form = QFormLayout()
        self.faculty_box = QComboBox(left)
        self.faculty_box.setObjectName("substFaculty")
        self.faculty_box.setEditable(True)
        self.periods_edit = QLineEdit(left)
        self.periods_edit.setObjectName("substPeriods")
        self.periods_edit.setPlaceholderText("whole day, or periods such as P3,P4")
        self.reason_box = QComboBox(left)
        self.reason_box.setObjectName("substReason")
        self.reason_box.addItems(list(sb.REASONS))
        self.note_edit = QLineEdit(left)
        form.addRow("Faculty", self.faculty_box)
        form.addRow("Periods", self.periods_edit)
        form.addRow("Reason", self.reason_box)
        form.addRow("Note", self.note_edit)
        ll.addLayout(form)
        row = QHBoxLayout()
        self.add_absence_button = QPushButton("Record absence", left)
        self.add_absence_button.setObjectName("substAddAbsence")
        self.add_absence_button.clicked.connect(self.add_absence)
        self.remove_absence_button = QPushButton("Remove selected", left)
        self.remove_absence_button.clicked.connect(self.remove_absence)
        row.addWidget(self.add_absence_button)
        row.addWidget(self.remove_absence_button)
        ll.addLayout(row)
        # ---- lessons and candidates; the date's whole timetable
        tabs = QTabWidget(split)
        tabs.setObjectName("substTabs")
        right = QWidget(tabs)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        lbox = QGroupBox("Lessons to cover", right)
        lbl = QVBoxLayout(lbox)
        self.lessons = _table(lbox, ["Period", "Class", "Course", "Absent", "Arrangement"], "substLessons")
        self.lessons.itemSelectionChanged.connect(self._show_candidates)
        lbl.addWidget(self.lessons)
        rl.addWidget(lbox, 2)
        cbox = QGroupBox("Candidates for the selected lesson (best first) and alternatives", right)
        cl = QVBoxLayout(cbox)
        self.candidates = _table(cbox, ["#", "Code", "Name", "Why"], "substCandidates")
        self.candidates.doubleClicked.connect(lambda *_: self.assign_selected())
        cl.addWidget(self.candidates, 2)
        self.alternatives = QListWidget(cbox)
        self.alternatives.setObjectName("substAlternatives")
        self.alternatives.setMaximumHeight(64)
        cl.addWidget(self.alternatives)
        brow = QHBoxLayout()
        self.assign_button = QPushButton("Assign candidate", cbox)
        self.assign_button.setObjectName("substAssign")
        self.assign_button.clicked.connect(self.assign_selected)
        self.self_study_button = QPushButton("Self-study", cbox)
        self.self_study_button.setObjectName("substSelfStudy")
        self.self_study_button.clicked.connect(self.self_study)
        self.room_edit = QLineEdit(cbox)
        self.room_edit.setPlaceholderText("room (default: its own)")
        self.room_edit.setMaximumWidth(160)
        self.alt_button = QPushButton("Use alternative", cbox)
        self.alt_button.clicked.connect(self.use_alternative)
        self.clear_button = QPushButton("Clear", cbox)
        self.clear_button.clicked.connect(self.clear_selected)
        for w in (self.assign_button, self.self_study_button, self.room_edit, self.alt_button, self.clear_button):
            brow.addWidget(w)
        brow.addStretch(1)
        cl.addLayout(brow)
        rl.addWidget(cbox, 3)
        tabs.addTab(right, "Lessons to cover")
        self.day_table = _table(tabs, ["Period", "Class", "Course", "Teacher", "Room", "Arrangement"], "substDay")
        tabs.addTab(self.day_table, "The day's timetable")
        split.addWidget(left)
        split.addWidget(tabs)
        split.setStretchFactor(1, 2)
        outer.addWidget(split, 1)

        self.error = error_label(self, "substError")
        outer.addWidget(self.error)
        self._editing = [self.auto_button, self.notify_button, self.channels_button, self.add_absence_button, self.remove_absence_button, self.assign_button,
                         self.self_study_button, self.alt_button, self.clear_button]

    # ---- database and loading ------------------------------------------------------------
    def set_database(self, db, readonly: bool = False) -> None:
        self.db, self.readonly = db, readonly
        self.plan = None
        for w in self._editing:
            w.setEnabled(db is not None and not readonly)
        if db is not None:
            self.date_edit.blockSignals(True)
            try:
                t = terms.get_term(db)
                today = terms.today(db)
                if t.is_set:
                    self.date_edit.setDateRange(QDate(t.start.year, t.start.month, t.start.day),
                                                QDate(t.end.year, t.end.month, t.end.day))
                    if not t.start <= today <= t.end:
                        today = t.start
                self.date_edit.setDate(QDate(today.year, today.month, today.day))
            finally:
                self.date_edit.blockSignals(False)
        self.faculty_box.clear()  # filled by the next reload (read in its worker)
        self._dirty = True
        if self.isVisible():
            self.reload()

    def current_date(self) -> dt.date:
        q = self.date_edit.date()
        return dt.date(q.year(), q.month(), q.day())

    def set_date(self, d: dt.date) -> None:
        self.date_edit.setDate(QDate(d.year, d.month, d.day))

    def reload(self) -> None:
        """Read the date's plan in a worker; the tables fill when it is back."""
        self._dirty = False
        if self.db is None:
            return
        db, date = self.db, self.current_date()
        self._loading += 1
        token = self._loading

        def read():
            from ato_desktop.services import resources as res

            faculty = [(f["code"], f["name"]) for f in res.list_items(db, "faculty")]
            info = terms.date_info(db, date)
            try:
                return faculty, info, sday.plan_day(db, date), daytt.day_timetable(db, date), None
            except ServiceError as exc:
                return faculty, info, None, None, str(exc)

        def done(result, error):
            if token != self._loading or self.db is not db:
                return  # a later request (or another database) wins
            if error is not None:
                self._show_error(str(error))
                self.plan = None
            else:
                faculty, info, plan, self.day, problem = result
                self._set_faculty(faculty)
                self.plan = plan
                self.day_label.setText(f"{info.day_name}'s timetable" + (f" — {info.why}" if info.why else "")
                                       if info.teaching else f"No classes: {info.why}")
                if problem:
                    self._show_error(problem)
                else:
                    self.error.hide()
            self._fill()
            self.plan_loaded.emit()

        tasks.run(read, done)

    def _set_faculty(self, faculty: list[tuple[str, str]]) -> None:
        have = [self.faculty_box.itemData(i) for i in range(self.faculty_box.count())]
        if have == [code for code, _ in faculty]:
            return
        keep = self.faculty_box.currentData()
        self.faculty_box.clear()
        for code, name in faculty:
            self.faculty_box.addItem(f"{code} — {name}", code)
        if keep is not None and self.faculty_box.findData(keep) >= 0:
            self.faculty_box.setCurrentIndex(self.faculty_box.findData(keep))

    def _fill(self) -> None:
        plan = self.plan
        self.day_table.setRowCount(0)
        for row in (self.day.rows if self.day is not None and plan is not None else ()):
            r = self.day_table.rowCount()
            self.day_table.insertRow(r)
            cells = (row.period_label + (f" (+{row.duration - 1})" if row.duration > 1 else ""),
                     ", ".join(row.groups), f"{row.course} {row.kind}", ", ".join(row.teachers) or "—",
                     row.room or "", row.note)
            for c, text in enumerate(cells):
                self.day_table.setItem(r, c, QTableWidgetItem(text))
        self.absences.setRowCount(0)
        self.lessons.setRowCount(0)
        self.candidates.setRowCount(0)
        self.alternatives.clear()
        if plan is None:
            return
        for a in plan.absences:
            r = self.absences.rowCount()
            self.absences.insertRow(r)
            for c, text in enumerate((f"{a.faculty} — {a.faculty_name}", a.when, a.reason, a.note)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, a.id)
                self.absences.setItem(r, c, item)
        for x in plan.lessons:
            r = self.lessons.rowCount()
            self.lessons.insertRow(r)
            cells = (x.period_label + (f" (+{x.duration - 1})" if x.duration > 1 else ""), ", ".join(x.groups),
                     f"{x.course} {x.kind}", x.faculty, arrangement_text(x))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, x.ref)
                if c == 4 and not x.covered:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.lessons.setItem(r, c, item)
        if plan.lessons:
            self.lessons.selectRow(0)

    def selected_lesson(self) -> sday.Lesson | None:
        rows = {i.row() for i in self.lessons.selectedIndexes()}
        if not rows or self.plan is None:
            return None
        ref = self.lessons.item(min(rows), 0).data(Qt.ItemDataRole.UserRole)
        return next((x for x in self.plan.lessons if x.ref == ref), None)

    def _show_candidates(self) -> None:
        self.candidates.setRowCount(0)
        self.alternatives.clear()
        x = self.selected_lesson()
        if x is None:
            return
        for i, c in enumerate(x.candidates, start=1):
            r = self.candidates.rowCount()
            self.candidates.insertRow(r)
            for col, text in enumerate((str(i), c.code, c.name, "; ".join(c.reasons))):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, c.code)
                self.candidates.setItem(r, col, item)
        if x.candidates:
            self.candidates.selectRow(0)
        db, date = self.db, self.current_date()

        def read():
            return sb.alternatives(db, date, x.absence_id, x.activity_id, x.occurrence)

        def done(result, error):
            if error is None and self.selected_lesson() is not None and self.selected_lesson().ref == x.ref:
                for alt in result:
                    item = QListWidgetItem(alt.text)
                    item.setData(Qt.ItemDataRole.UserRole, alt)
                    self.alternatives.addItem(item)

        tasks.run(read, done)

    # ---- edits ---------------------------------------------------------------------------
    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.status.emit(message)

    def _do(self, fn, on_ok=None):
        """Run one service operation on the writer (it reads the day's timetable: big departments take a
        moment); when it is back it is one undo step (the views reload). Returns the handle, or None
        when nothing was started."""
        if self.db is None or self.readonly:
            return None
        db = self.db

        def failed(error):
            if self.db is not db:
                return
            if isinstance(error, ServiceError):
                self._show_error(str(error))
            else:
                self._show_error(f"Could not save the change: {error}")

        def done(change):
            if self.db is not db:
                return
            self.error.hide()
            self.status.emit(change.title + ".")
            if on_ok is not None:
                on_ok()

        return self.undo_stack.run(fn, on_done=done, on_error=failed, db=db)

    def add_absence(self):
        code = self.faculty_box.currentData() if self.faculty_box.currentIndex() >= 0 and \
            self.faculty_box.currentText() == self.faculty_box.itemText(self.faculty_box.currentIndex()) \
            else self.faculty_box.currentText().split(" ")[0]
        date, periods = self.current_date(), self.periods_edit.text().strip() or None
        reason, note = self.reason_box.currentText(), self.note_edit.text()

        def cleared():
            self.periods_edit.clear()
            self.note_edit.clear()

        return self._do(lambda db: sb.add_absence(db, code, date, periods=periods, reason=reason, note=note),
                        cleared)

    def remove_absence(self):
        rows = {i.row() for i in self.absences.selectedIndexes()}
        if not rows:
            self._show_error("Select the absence to remove.")
            return None
        aid = self.absences.item(min(rows), 0).data(Qt.ItemDataRole.UserRole)
        return self._do(lambda db: sb.remove_absence(db, aid))

    def assign_selected(self):
        x = self.selected_lesson()
        rows = {i.row() for i in self.candidates.selectedIndexes()}
        if x is None or not rows:
            self._show_error("Select a lesson and a candidate.")
            return None
        code = self.candidates.item(min(rows), 1).text()
        return self._do(lambda db: sb.assign_substitute(db, x.date, x.absence_id, x.activity_id, x.occurrence, code))

    def self_study(self):
        x = self.selected_lesson()
        if x is None:
            self._show_error("Select a lesson.")
            return None
        room = self.room_edit.text().strip() or None
        return self._do(lambda db: sb.set_self_study(db, x.date, x.absence_id, x.activity_id, x.occurrence, room))

    def use_alternative(self):
        x = self.selected_lesson()
        item = self.alternatives.currentItem()
        if x is None or item is None:
            self._show_error("Select a lesson and one of its alternatives.")
            return None
        alt = item.data(Qt.ItemDataRole.UserRole)
        return self._do(lambda db: sb.assign_alternative(db, x.date, x.absence_id, x.activity_id, x.occurrence,
                                                         alt.kind, alt.activity_id, alt.occurrence, alt.date))

    def clear_selected(self):
        x = self.selected_lesson()
        if x is None or x.arrangement is None:
            self._show_error("Select a lesson that has an arrangement.")
            return None
        return self._do(lambda db: sb.clear_arrangement(db, x.date, x.absence_id, x.activity_id, x.occurrence))

    def auto_plan(self):
        """Plan every uncovered lesson in a worker; one undo step when it is back."""
        if self.db is None or self.readonly:
            return None
        db, date = self.db, self.current_date()
        self.auto_button.setEnabled(False)
        self.status.emit("Planning the day…")

        def failed(error):
            self.auto_button.setEnabled(self.db is not None and not self.readonly)
            if self.db is db:
                self._show_error(str(error))

        def done(change):
            self.auto_button.setEnabled(self.db is not None and not self.readonly)
            if self.db is not db:
                return
            if not change.added and not change.removed:
                self.status.emit("Every lesson of this date is arranged already: nothing to plan.")
                return
            self.status.emit(f"{change.count('substitution')} lesson(s) arranged.")

        return self.undo_stack.run(lambda d: sb.auto_plan(d, date), on_done=done, on_error=failed, db=db)

    def notify_substitutes(self):
        """Queue the e-mails (one operation on the writer); the outbox's sender delivers them."""
        if self.db is None or self.readonly:
            return None
        db, date = self.db, self.current_date()

        def done(change):
            result = change.result
            extra = f"; no e-mail address for {', '.join(result.no_email)}" if result.no_email else ""
            self.status.emit(f"{result.queued} notice(s) queued in the outbox{extra}.")

        from ato_desktop.services.substitution_notices import queue_notices

        return self.undo_stack.run(lambda d: queue_notices(d, date=date), on_done=done,
                                   on_error=lambda error: self._show_error(str(error)), db=db)

    def open_channels(self, *, modal: bool = True):
        from ato_desktop.ui.channels_dialog import ChannelsDialog

        if self.db is None or self.readonly:
            return None
        dlg = ChannelsDialog(self.db, self)
        if modal:
            dlg.exec()
        return dlg

    # ---- printouts -----------------------------------------------------------------------
    def print_sheet(self, path: str | None = None):
        if self.db is None:
            return None
        date = self.current_date()
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save the arrangement sheet", f"arrangement-{date}.pdf",
                                                  "PDF (*.pdf)")
            if not path:
                return None
        from ato_desktop.services.reports import write_sheet

        return self._write(lambda db: write_sheet(db, date, path), f"Arrangement sheet saved to {path}.")

    def export_register(self, path: str | None = None):
        if self.db is None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save the register of substitutions", "substitutions.xlsx",
                                                  "Excel workbook (*.xlsx);;PDF (*.pdf)")
            if not path:
                return None
        from ato_desktop.services.reports import write_register

        return self._write(lambda db: write_register(db, path), f"Register saved to {path}.")

    def _write(self, fn, message: str):
        db = self.db
        self.status.emit("Writing…")

        def done(_result, error):
            from ato_desktop.reports.data import ReportError

            if isinstance(error, (ServiceError, ReportError, OSError)):
                self._show_error(str(error))
            elif error is not None:
                self._show_error(f"Could not write the file: {error}")
            else:
                self.error.hide()
                self.status.emit(message)

        return tasks.run(lambda: fn(db), done)
