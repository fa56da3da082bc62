"""Constraints ▸ Credit template… : how credits become weekly hours, the NEP categories with their default
credit splits (and the institution's own), and the UGC workload norms by designation.

``TemplateDialog(db, undo_stack)``; Save calls ``services.templates.set_template`` (one transaction) and
pushes one undo step that puts the previous template back. An impossible template is refused with one
sentence under the tables, and nothing is saved.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ato_desktop.services import resources as res
from ato_desktop.services import templates as tpl
from ato_desktop.services.errors import DatabaseError, ServiceError

COURSE_CATEGORIES = res.spec("course").field("category").choices
DESIGNATIONS = res.spec("faculty").field("designation").choices
CAT_COLUMNS = ("Key", "Name", "Course category", "Credits", "L credits", "T credits", "P credits")


def _spin(lo: int, hi: int, value: int, parent: QWidget | None = None) -> QSpinBox:
    s = QSpinBox(parent)
    s.setRange(lo, hi)
    s.setValue(int(value))
    return s


class TemplateDialog(QDialog):
    def __init__(self, db, undo_stack, parent: QWidget | None = None, *, readonly: bool = False):
        super().__init__(parent)
        self.setWindowTitle("Credit template and workload norms")
        self.setObjectName("templateDialog")
        self.db, self.undo_stack = db, undo_stack
        lay = QVBoxLayout(self)

        hours = QGroupBox("1 credit is, in weekly hours (periods)", self)
        form = QFormLayout(hours)
        self.lecture, self.tutorial, self.practical = (_spin(1, 6, 1, self) for _ in range(3))
        form.addRow("Lecture", self.lecture)
        form.addRow("Tutorial", self.tutorial)
        form.addRow("Practical", self.practical)
        lay.addWidget(hours)

        cats = QGroupBox("Categories and their default credits (Generate from L-T-P uses them for a course "
                         "with credits but no L-T-P hours)", self)
        cl = QVBoxLayout(cats)
        self.categories = QTableWidget(0, len(CAT_COLUMNS), self)
        self.categories.setObjectName("categories")
        self.categories.setHorizontalHeaderLabels(CAT_COLUMNS)
        self.categories.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        cl.addWidget(self.categories)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add category", self)
        self.add_button.clicked.connect(lambda *_: self.add_category(tpl.Category("", "", "major", 3, 3, 0, 0)))
        self.remove_button = QPushButton("Remove category", self)
        self.remove_button.clicked.connect(lambda *_: self.remove_category())
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        cl.addLayout(row)
        lay.addWidget(cats)

        norms = QGroupBox("UGC direct teaching norms, hours a week (0 = none); below the norm is a warning "
                          "in the workload report and the faculty view", self)
        nf = QFormLayout(norms)
        self.norms: dict[str, QSpinBox] = {}
        for d in DESIGNATIONS:
            self.norms[d] = _spin(0, 60, 0, self)
            nf.addRow(d, self.norms[d])
        self.relaxation = _spin(0, 10, 2, self)
        nf.addRow("Relaxation for extension / administrative duties", self.relaxation)
        self.relaxed = QLineEdit(self)
        self.relaxed.setPlaceholderText("faculty codes, e.g. SRA, MKV")
        nf.addRow("Faculty with such duties", self.relaxed)
        lay.addWidget(norms)

        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00;")
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel
                                        | QDialogButtonBox.StandardButton.RestoreDefaults, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).setText("UGC defaults")
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            lambda *_: self.show_template(tpl.DEFAULT))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not readonly)
        lay.addWidget(self.buttons)
        self.resize(760, 720)
        self.show_template(tpl.get_template(db))

    # -- the form <-> a Template ---------------------------------------------------------------
    def add_category(self, c: tpl.Category) -> None:
        t = self.categories
        r = t.rowCount()
        t.insertRow(r)
        t.setItem(r, 0, QTableWidgetItem(c.key))
        t.setItem(r, 1, QTableWidgetItem(c.name))
        combo = QComboBox(t)
        for k in COURSE_CATEGORIES:
            combo.addItem(k.replace("_", " "), k)
        combo.setCurrentIndex(max(0, combo.findData(c.stored_as)))
        t.setCellWidget(r, 2, combo)
        for col, value in zip((3, 4, 5, 6), (c.credits, c.lecture, c.tutorial, c.practical)):
            t.setCellWidget(r, col, _spin(0, 40, value, t))

    def remove_category(self) -> None:
        r = self.categories.currentRow()
        if r >= 0:
            self.categories.removeRow(r)

    def show_template(self, t: tpl.Template) -> None:
        self.lecture.setValue(t.lecture_hours)
        self.tutorial.setValue(t.tutorial_hours)
        self.practical.setValue(t.practical_hours)
        self.categories.setRowCount(0)
        for c in t.categories:
            self.add_category(c)
        for d, spin in self.norms.items():
            spin.setValue(t.norm(d))
        self.relaxation.setValue(t.relaxation)
        self.relaxed.setText(", ".join(t.relaxed))
        self.error.setText("")

    def template(self) -> tpl.Template:
        t = self.categories
        cats = []
        for r in range(t.rowCount()):
            key = t.item(r, 0).text() if t.item(r, 0) else ""
            name = t.item(r, 1).text() if t.item(r, 1) else ""
            cats.append(tpl.Category(key.strip(), name.strip(), t.cellWidget(r, 2).currentData(),
                                     *(t.cellWidget(r, col).value() for col in (3, 4, 5, 6))))
        return tpl.Template(self.lecture.value(), self.tutorial.value(), self.practical.value(), tuple(cats),
                            tuple((d, s.value()) for d, s in self.norms.items() if s.value()),
                            self.relaxation.value(),
                            tuple(c.strip() for c in self.relaxed.text().split(",") if c.strip()))

    # -- save --------------------------------------------------------------------------------
    def save(self) -> bool:
        """One operation on the window's writer (one undo step); a refusal stays in the dialog."""
        new = self.template()

        def failed(exc: BaseException) -> None:
            self.error.setText(str(exc))

        return bool(self.undo_stack.run(lambda db: tpl.change_template(db, template=new),
                                        on_done=lambda _change: self.accept(), on_error=failed, db=self.db))
