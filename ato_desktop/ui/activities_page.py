"""The Activities page, with "Generate from L-T-P…" for a course and chosen sections."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ato_desktop.services import activities as acts
from ato_desktop.services.errors import DatabaseError, ServiceError
from ato_desktop.services.listing import list_rows  # the same dicts as list_items, without the ORM
from ato_desktop.ui.availability_host import AvailabilityHostPage
from ato_desktop.ui.forms import error_label
from ato_desktop.services.activities import ROOM_KINDS


def _checklist(parent, items: list[tuple[str, str]]) -> QListWidget:
    lw = QListWidget(parent)
    for key, label in items:
        it = QListWidgetItem(label)
        it.setData(Qt.ItemDataRole.UserRole, key)
        it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        it.setCheckState(Qt.CheckState.Unchecked)
        lw.addItem(it)
    return lw


def checked_keys(lw: QListWidget) -> list[str]:
    return [lw.item(i).data(Qt.ItemDataRole.UserRole) for i in range(lw.count())
            if lw.item(i).checkState() == Qt.CheckState.Checked]


def set_checked(lw: QListWidget, keys: list[str]) -> None:
    wanted = {k.lower() for k in keys}
    for i in range(lw.count()):
        it = lw.item(i)
        it.setCheckState(Qt.CheckState.Checked if str(it.data(Qt.ItemDataRole.UserRole)).lower() in wanted
                         else Qt.CheckState.Unchecked)


class GenerateDialog(QDialog):
    """Choose a course, its sections and teachers; shows what will be created before OK."""

    def __init__(self, db, parent=None, *, course: str | None = None):
        super().__init__(parent)
        self.setObjectName("generateDialog")
        self.setWindowTitle("Generate activities from L-T-P hours")
        self.db = db
        self.created: list[dict] = []
        self.skipped: list[str] = []
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.course = QComboBox(self)
        self.course.setObjectName("course")
        self._courses = {c["code"]: c for c in list_rows(db, "course")}
        for code, c in self._courses.items():
            self.course.addItem(f"{c['_label']}  (L-T-P {c['lecture_hours']}-{c['tutorial_hours']}-"
                                f"{c['practical_hours']})", code)
        form.addRow("Course", self.course)
        # the credit template: a course with credits but no L-T-P hours gets them from a category's split
        self.category = QComboBox(self)
        self.category.setObjectName("creditCategory")
        self.category.setToolTip("For a course with credits but no L-T-P hours: whose default split of "
                                 "credits into lecture, tutorial and practical to use (the credit template)")
        self.category.addItem("(the course's own category)", None)
        for key, name in acts.template_categories(db):
            self.category.addItem(name, key)
        form.addRow("Credit split", self.category)
        groups = [g for g in list_rows(db, "group") if not g.get("parent")]
        self.groups = _checklist(self, [(g["code"], f"{g['code']}  {g['name']}") for g in groups])
        self.groups.setObjectName("groups")
        self.groups.setMaximumHeight(150)
        form.addRow("Sections", self.groups)
        self.use_batches = QCheckBox("Tutorials and practicals per lab batch", self)
        self.use_batches.setObjectName("useBatches")
        self.use_batches.setChecked(True)
        form.addRow("", self.use_batches)
        fac = [(f["code"], f["_label"]) for f in list_rows(db, "faculty")]
        self.faculty = _checklist(self, fac)
        self.faculty.setObjectName("faculty")
        self.faculty.setMaximumHeight(130)
        form.addRow("Teachers (L, T)", self.faculty)
        self.lab_faculty = _checklist(self, fac)
        self.lab_faculty.setObjectName("labFaculty")
        self.lab_faculty.setMaximumHeight(130)
        self.lab_faculty.setToolTip("Leave empty to use the teachers above")
        form.addRow("Lab instructors (P)", self.lab_faculty)
        self.duration = QSpinBox(self)
        self.duration.setObjectName("labDuration")
        self.duration.setRange(1, 6)
        self.duration.setSuffix(" periods per lab")
        form.addRow("Lab duration", self.duration)
        # issue 16: which lab a practical needs, and which teacher takes which batch
        self.lab_room = QComboBox(self)
        self.lab_room.setObjectName("labRoom")
        self.lab_room.setToolTip("The kind of room the practicals need, or one particular lab (then preferred)")
        self.lab_room.addItem("Any lab", "kind:lab")
        rooms = list_rows(db, "room")
        for kind in ROOM_KINDS:
            if kind != "lab":
                self.lab_room.addItem(f"Any {kind.replace('_', ' ')}", f"kind:{kind}")
        for r in sorted(rooms, key=lambda r: (r.get("kind") != "lab", r["code"])):
            self.lab_room.addItem(f"{r['code']}  ({r.get('kind', '').replace('_', ' ')}, {r.get('capacity')} seats)",
                                  f"room:{r['code']}")
        form.addRow("Lab room (P)", self.lab_room)
        self._all_groups = list_rows(db, "group")
        self._faculty_choices = fac
        self.batch_table = QTableWidget(0, 2, self)
        self.batch_table.setObjectName("batchTeachers")
        self.batch_table.setHorizontalHeaderLabels(["Batch", "Lab teacher"])
        self.batch_table.verticalHeader().setVisible(False)
        self.batch_table.horizontalHeader().setStretchLastSection(True)
        self.batch_table.setMaximumHeight(130)
        self.batch_table.setToolTip("Who takes the practicals of each batch (default: the lab instructors above)")
        form.addRow("Teacher per batch (P)", self.batch_table)
        lay.addLayout(form)
        self.preview = QLabel(self)
        self.preview.setObjectName("preview")
        self.preview.setWordWrap(True)
        lay.addWidget(self.preview)
        self.error = error_label(self, "generateError", hidden=False)
        lay.addWidget(self.error)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = bb.addButton("Generate", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("generateButton")
        bb.accepted.connect(self.generate)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.course.currentIndexChanged.connect(self._course_changed)
        self.category.currentIndexChanged.connect(self._course_changed)
        for w in (self.groups, self.faculty, self.lab_faculty):
            w.itemChanged.connect(lambda *_: self.update_preview())
        self.groups.itemChanged.connect(lambda *_: self._fill_batches())
        self.use_batches.toggled.connect(lambda *_: self._fill_batches())
        self.lab_room.currentIndexChanged.connect(lambda *_: self.update_preview())
        self.use_batches.toggled.connect(lambda *_: self.update_preview())
        self.duration.valueChanged.connect(lambda *_: self.update_preview())
        if course is not None:
            i = self.course.findData(course)
            if i >= 0:
                self.course.setCurrentIndex(i)
        self._course_changed()
        self.resize(560, 600)

    def _course_changed(self, *_):
        c = self._courses.get(self.course.currentData())
        if c:
            try:  # a course with credits only: its practical hours come from the credit template
                practical = acts.course_hours(self.db, c["code"], self.category.currentData())[2]
            except (ServiceError, DatabaseError):
                practical = c["practical_hours"]
            self.duration.blockSignals(True)
            self.duration.setValue(acts.default_lab_duration(practical))
            self.duration.setEnabled(practical > 0)
            self.lab_room.setEnabled(practical > 0)
            self.batch_table.setEnabled(practical > 0)
            self.duration.blockSignals(False)
        self.update_preview()

    def _args(self) -> dict:
        kind, _, key = (self.lab_room.currentData() or "kind:lab").partition(":")
        return dict(faculty=checked_keys(self.faculty), lab_faculty=checked_keys(self.lab_faculty) or None,
                    lab_duration=self.duration.value(), use_batches=self.use_batches.isChecked(),
                    lab_room_kind=key if kind == "kind" else None, lab_room=key if kind == "room" else None,
                    batch_teachers=self.batch_teachers(), category=self.category.currentData())

    def _units(self) -> list[str]:
        """The lab batches of the checked sections (a section without batches stands for itself)."""
        out = []
        for sec in checked_keys(self.groups):
            batches = sorted(g["code"] for g in self._all_groups if (g.get("parent") or "").lower() == sec.lower())
            out += batches if batches and self.use_batches.isChecked() else [sec]
        return out

    def _fill_batches(self) -> None:
        keep = self.batch_teachers()
        self.batch_table.setRowCount(0)
        for unit in self._units():
            row = self.batch_table.rowCount()
            self.batch_table.insertRow(row)
            item = QTableWidgetItem(unit)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.batch_table.setItem(row, 0, item)
            combo = QComboBox(self.batch_table)
            combo.addItem("(the lab instructors above)", None)
            for code, label in self._faculty_choices:
                combo.addItem(label, code)
            if unit in keep:
                combo.setCurrentIndex(max(0, combo.findData(keep[unit][0])))
            combo.currentIndexChanged.connect(lambda *_: self.update_preview())
            self.batch_table.setCellWidget(row, 1, combo)
        self.update_preview()

    def set_batch_teacher(self, unit: str, faculty: str | None) -> None:
        for row in range(self.batch_table.rowCount()):
            if self.batch_table.item(row, 0).text() == unit:
                combo = self.batch_table.cellWidget(row, 1)
                combo.setCurrentIndex(max(0, combo.findData(faculty)))
                return
        raise KeyError(unit)

    def batch_teachers(self) -> dict[str, list[str]]:
        out = {}
        table = getattr(self, "batch_table", None)
        for row in range(table.rowCount() if table is not None else 0):
            code = table.cellWidget(row, 1).currentData()
            if code:
                out[table.item(row, 0).text()] = [code]
        return out

    def update_preview(self) -> None:
        code = self.course.currentData()
        if code is None:
            self.preview.setText("There are no courses yet.")
            self.ok_button.setEnabled(False)
            return
        try:
            plan = acts.plan_from_ltp(self.db, code, checked_keys(self.groups), **self._args())
        except (ServiceError, DatabaseError) as exc:
            self.preview.setText("")
            self.error.setText(str(exc))
            self.ok_button.setEnabled(False)
            return
        self.error.setText("")
        lines = [f"• {p['_label']}: {p['sessions_per_week']} × {p['duration']} period(s)"
                 + (f" in {p.get('preferred_room') or 'a ' + p['room_kind'].replace('_', ' ')}, "
                    f"{', '.join(p['faculty'])}" if p["kind"] == "P" else "")
                 for p in plan.to_create]
        text = (f"Will create {len(lines)} activit{'y' if len(lines) == 1 else 'ies'}:\n" + "\n".join(lines)
                if lines else "Nothing to create.")
        if plan.existing:
            text += "\nAlready there (skipped): " + ", ".join(plan.existing)
        if plan.notes:  # what the credit template said about the course's hours
            text += "\n" + "\n".join(plan.notes)
        self.preview.setText(text)
        self.ok_button.setEnabled(bool(lines))

    def generate(self) -> None:
        """One operation on the writer (one undo step); the dialog closes when it is done."""
        from ato_desktop.services.resource_edits import generate_activities
        from ato_desktop.ui.operations import operations_of

        course, groups, args = self.course.currentData(), checked_keys(self.groups), self._args()

        def done(change) -> None:
            self.created, self.skipped = change.result
            self.accept()

        operations_of(getattr(self.parent(), "undo_stack", None)).run(
            lambda db: generate_activities(db, course=course, groups=groups, **args),
            on_done=done, on_error=lambda exc: self.error.setText(str(exc)), db=self.db)


class ActivitiesPage(AvailabilityHostPage):
    def __init__(self, undo_stack, parent=None):
        super().__init__("activity", undo_stack, parent)
        self.generate_action = QAction("Generate from L-T-P…", self)
        self.generate_action.setObjectName("actionGenerateLtp")
        self.generate_action.setToolTip("Create a course's lectures, tutorials and practicals for chosen sections")
        self.generate_action.triggered.connect(lambda *_: self.open_generate_dialog())
        self.add_page_action(self.generate_action)
        self.last_dialog = None
        # Teaching load: a teacher this activity would take above their weekly limit is named at once,
        # under the Faculty field (a warning, not a refusal: the check before optimizing refuses it).
        self.load_warning = QLabel(self.form)
        self.load_warning.setObjectName("loadWarning")
        self.load_warning.setStyleSheet("color: #8a5a00; font-weight: bold;")
        self.load_warning.setWordWrap(True)
        self.load_warning.hide()
        self.form.editors["faculty"].parentWidget().layout().addWidget(self.load_warning)
        self._limits: dict[str, tuple[str, int]] | None = None  # faculty code -> (name, weekly limit)

    def on_operation(self, change) -> None:
        if change.concerns("faculty"):
            self._limits = None
        super().on_operation(change)

    def set_database(self, db, readonly: bool = False) -> None:
        self._limits = None
        super().set_database(db, readonly)

    def item_shown(self, item: dict | None) -> None:
        super().item_shown(item)
        self.update_load_warning()

    def _form_edited(self) -> None:
        super()._form_edited()
        self.update_load_warning()

    def revert(self) -> None:
        super().revert()
        self.update_load_warning()

    def load_warnings(self) -> list[str]:
        """One sentence per teacher of the form whose weekly periods (their other activities plus this
        one as the form stands) would exceed their weekly limit."""
        if self.db is None:
            return []
        if self._limits is None:
            try:
                self._limits = {f["code"]: (f["name"], int(f["max_weekly_periods"] or 0))
                                for f in list_rows(self.db, "faculty")}
            except (ServiceError, DatabaseError):
                return []
        try:
            teachers = self.form.value_of("faculty") or []
            mine = int(self.form.value_of("sessions_per_week")) * int(self.form.value_of("duration"))
        except (ServiceError, ValueError, TypeError):
            return []
        own = self._editing["id"] if self._editing else None
        others: dict[str, int] = {}
        for row in self.model.items():
            if row["id"] == own:
                continue
            for code in row.get("faculty") or ():
                others[code.lower()] = others.get(code.lower(), 0) + row["sessions_per_week"] * row["duration"]
        limits = {code.lower(): v for code, v in self._limits.items()}
        out = []
        for code in teachers:
            name, limit = limits.get(str(code).lower(), (str(code), 0))
            total = others.get(str(code).lower(), 0) + mine
            if limit > 0 and total > limit:
                out.append(f"{name} would teach {total} periods a week, above the weekly limit of {limit} "
                           f"(this activity {mine}, the others {total - mine}).")
        return out

    def update_load_warning(self) -> None:
        warnings = self.load_warnings()
        self.load_warning.setText("\n".join(warnings))
        self.load_warning.setVisible(bool(warnings))

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if hasattr(self, "generate_action"):
            self.generate_action.setEnabled(self.db is not None and not self.readonly)

    def open_generate_dialog(self, course: str | None = None) -> list[dict]:
        if self.db is None or self.readonly:
            return []
        if course is None and self._editing is not None:
            course = self._editing.get("course")
        dlg = GenerateDialog(self.db, self, course=course)
        self.last_dialog = dlg
        if dlg.exec() != QDialog.DialogCode.Accepted or not dlg.created:
            return []
        self.push_generated(dlg.created, dlg.skipped)
        return dlg.created

    def push_generated(self, created: list[dict], skipped: list[str]) -> None:
        """After the dialog's operation (already one undo step): say what it made and show the first."""
        ids = [c["id"] for c in created]
        course = created[0]["course"] if created else ""
        msg = f"Created {len(created)} activities for {course}."
        if skipped:
            msg += f" Skipped {len(skipped)} that already existed."
        self.status.emit(msg)
        if ids:
            self.select_id(ids[0])
