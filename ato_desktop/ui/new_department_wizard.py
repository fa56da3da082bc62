"""File ▸ New: a short wizard that creates a new department database.

    wizard = NewDepartmentWizard(parent)
    if wizard.exec() == QDialog.Accepted:
        open_database_in_window(wizard.created_path)

Pages: institution and department; working days; periods with their times
and breaks; where to save the file (default: the user's Documents folder).
Each page checks its input with the services' rules and says what is wrong.
Finish creates the file in a worker (``services.setup.create_department_database``:
calendar, settings, the home department and the default constraints); a
failure leaves no file behind and keeps the wizard open with the message.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ato_desktop.services import DB_SUFFIX, setup
from ato_desktop.services.calendar import ALL_DAYS, validate_calendar
from ato_desktop.services.errors import ServiceError, ValidationError
from ato_desktop.ui import tasks

__all__ = ["NewDepartmentWizard", "default_folder"]

TIME_FORMAT = "HH:mm"


def default_folder() -> Path:
    return Path(platformdirs.user_documents_dir()) / "ATO Desktop"


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("pageError")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    return label


class _DepartmentPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Institution and department")
        self.setSubTitle("The names printed on timetables. The department code is short, e.g. CSE.")
        form = QFormLayout(self)
        self.institution = QLineEdit()
        self.institution.setObjectName("institution")
        self.institution.setPlaceholderText("e.g. Government Engineering College, Pune")
        self.code = QLineEdit()
        self.code.setObjectName("departmentCode")
        self.code.setMaxLength(20)
        self.code.setPlaceholderText("e.g. CSE")
        self.name = QLineEdit()
        self.name.setObjectName("departmentName")
        self.name.setPlaceholderText("e.g. Computer Science and Engineering")
        self.term = QLineEdit()
        self.term.setObjectName("term")
        self.term.setPlaceholderText("optional, e.g. Odd semester 2026-27")
        form.addRow("&Institution:", self.institution)
        form.addRow("Department &code:", self.code)
        form.addRow("Department &name:", self.name)
        form.addRow("&Term:", self.term)
        self.error = _error_label()
        form.addRow(self.error)
        self.registerField("departmentCode*", self.code)
        self.registerField("departmentName*", self.name)

    def validatePage(self) -> bool:
        folder = Path(self.wizard().path_page.path.text() or default_folder()).parent
        probe = setup.NewDepartment(folder / f"__probe__{DB_SUFFIX}", self.institution.text(), self.code.text(),
                                    self.name.text(), periods=list(setup.DEFAULT_PERIODS))
        try:
            setup.validate_new_department(probe)
        except ValidationError as exc:
            if exc.field != "file":
                self.error.setText(str(exc))
                return False
        self.error.clear()
        return True


class _DaysPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Working days")
        self.setSubTitle("The days of the week on which classes are held.")
        grid = QGridLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        for i, day in enumerate(ALL_DAYS):
            box = QCheckBox(day)
            box.setObjectName(f"day_{day}")
            box.setChecked(day in setup.DEFAULT_DAYS)
            self.boxes[day] = box
            grid.addWidget(box, i, 0)
        self.error = _error_label()
        grid.addWidget(self.error, len(ALL_DAYS), 0)

    def days(self) -> list[str]:
        return [d for d in ALL_DAYS if self.boxes[d].isChecked()]

    def validatePage(self) -> bool:
        if not self.days():
            self.error.setText("Choose at least one working day.")
            return False
        self.error.clear()
        return True


class _PeriodsPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Periods and breaks")
        self.setSubTitle("The periods of a teaching day with their times. Mark breaks (tea, lunch): "
                         "nothing is scheduled in them.")
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("periodsTable")
        self.table.setHorizontalHeaderLabels(["Label", "Starts", "Ends", "Break"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_period_button = QPushButton("Add &period")
        self.add_period_button.clicked.connect(lambda: self.append(is_break=False))
        self.add_break_button = QPushButton("Add &break")
        self.add_break_button.clicked.connect(lambda: self.append(is_break=True))
        self.remove_button = QPushButton("&Remove selected")
        self.remove_button.clicked.connect(self.remove_selected)
        for b in (self.add_period_button, self.add_break_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.error = _error_label()
        layout.addWidget(self.error)
        self.set_periods(setup.DEFAULT_PERIODS)

    def set_periods(self, periods) -> None:
        self.table.setRowCount(0)
        for label, start_, end, is_break in periods:
            self._add_row(label, start_, end, is_break)

    def _add_row(self, label: str, start_: str, end: str, is_break: bool) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        self.table.setItem(r, 0, QTableWidgetItem(label))
        for col, text in ((1, start_), (2, end)):
            edit = QTimeEdit(QTime.fromString(text, TIME_FORMAT))
            edit.setDisplayFormat(TIME_FORMAT)
            self.table.setCellWidget(r, col, edit)
        box = QCheckBox()
        box.setChecked(bool(is_break))
        self.table.setCellWidget(r, 3, box)

    def append(self, is_break: bool = False) -> None:
        periods = self.periods()
        start_ = QTime.fromString(periods[-1][2], TIME_FORMAT) if periods else QTime(9, 0)
        end = start_.addSecs((15 if is_break else 50) * 60)
        n_teaching = sum(1 for p in periods if not p[3])
        label = "Break" if is_break else f"P{n_teaching + 1}"
        self._add_row(label, start_.toString(TIME_FORMAT), end.toString(TIME_FORMAT), is_break)

    def remove_selected(self) -> None:
        for r in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(r)

    def periods(self) -> list[tuple[str, str, str, bool]]:
        out = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            out.append((
                item.text().strip() if item else "",
                self.table.cellWidget(r, 1).time().toString(TIME_FORMAT),
                self.table.cellWidget(r, 2).time().toString(TIME_FORMAT),
                self.table.cellWidget(r, 3).isChecked(),
            ))
        return out

    def validatePage(self) -> bool:
        try:
            validate_calendar(self.wizard().days_page.days(), self.periods())
        except ValidationError as exc:
            self.error.setText(str(exc))
            return False
        self.error.clear()
        return True


class _PathPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Save the database")
        self.setSubTitle("All of the department's data lives in this one file. Backups are kept in a folder "
                         "beside it.")
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setObjectName("databasePath")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.clicked.connect(self.browse)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse_button)
        layout.addWidget(QLabel("&File:", buddy=self.path))
        layout.addLayout(row)
        self.error = _error_label()
        layout.addWidget(self.error)
        layout.addStretch(1)
        self._edited = False
        self.path.textEdited.connect(lambda _t: setattr(self, "_edited", True))

    def initializePage(self) -> None:
        if not self._edited or not self.path.text():
            folder = Path(self.path.text()).parent if self.path.text() else default_folder()
            self.path.setText(str(setup.suggest_path(folder, self.wizard().department_page.code.text().strip())))

    def browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the new database as", self.path.text(),
                                              f"ATO Desktop database (*{DB_SUFFIX})")
        if name:
            if not name.lower().endswith(DB_SUFFIX):
                name += DB_SUFFIX
            self.path.setText(name)
            self._edited = True

    def validatePage(self) -> bool:
        return self.wizard()._finish_requested()


class NewDepartmentWizard(QWizard):
    """Creates a new department database; on success ``created_path`` is its file."""

    created = Signal(object)  # Path
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("newDepartmentWizard")
        self.setWindowTitle("New department")
        self.resize(680, 560)
        self.created_path: Path | None = None
        self._job: tasks.Task | None = None
        self.department_page = _DepartmentPage()
        self.days_page = _DaysPage()
        self.periods_page = _PeriodsPage()
        self.path_page = _PathPage()
        for page in (self.department_page, self.days_page, self.periods_page, self.path_page):
            self.addPage(page)

    def spec(self) -> setup.NewDepartment:
        d = self.department_page
        return setup.NewDepartment(
            Path(self.path_page.path.text().strip()).expanduser() if self.path_page.path.text().strip() else Path(""),
            d.institution.text().strip(), d.code.text().strip(), d.name.text().strip(),
            days=self.days_page.days(), periods=self.periods_page.periods(), term=d.term.text().strip(),
        )

    def _finish_requested(self) -> bool:
        if self.created_path is not None:
            return True
        if self._job is not None:
            return False  # still creating
        spec = self.spec()
        page = self.path_page
        try:
            if not str(page.path.text()).strip():
                raise ValidationError("New department", "file", "choose where to save the database.")
            setup.validate_new_department(spec)
        except ValidationError as exc:
            page.error.setText(str(exc))
            return False
        page.error.setText(f"Creating {spec.path.name}…")
        self._set_busy(True)
        job = tasks.Task(lambda _p, _s: setup.create_department_database(spec), poll_ms=0)
        job.succeeded.connect(self._on_created)
        job.failed.connect(self._on_failed)
        self._job = job
        job.start()
        return False

    def reject(self) -> None:
        if self._job is not None:  # creating the file: wait, so that created_path is known
            return
        super().reject()

    def _set_busy(self, busy: bool) -> None:
        for which in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton,
                      QWizard.WizardButton.CancelButton):
            button = self.button(which)
            if button is not None:
                button.setEnabled(not busy)

    def _on_created(self, path: Path) -> None:
        self._job = None
        self._set_busy(False)
        self.created_path = Path(path)
        self.path_page.error.clear()
        self.created.emit(self.created_path)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self._job = None
        self._set_busy(False)
        message = str(exc) if isinstance(exc, (ServiceError, OSError)) else f"{type(exc).__name__}: {exc}"
        self.path_page.error.setText(message)
        self.failed.emit(message)
