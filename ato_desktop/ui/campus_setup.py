"""The campus administrator's dialogs (issue 19, docs/campus.md): a room's sharing grid (day × period: the
owner's, open to one other department, free for all, unavailable — as UniTime's) and the campus elective
slots (MDC/AEC/SEC/VAC and open electives). Reached from the campus menu on a campus database.

Every login sees them; only the campus administrator (the database's owner) gets the editing controls,
everyone else reads (``services.campus_sharing.is_campus_admin``; row-level security refuses the same).
Reads run as tasks (off the UI thread); each edit is an operation on the one writer (``undo_stack.run``)
with its undo, and the dialogs read again on every change of kind ``"campus"`` (an undo from the main
window too).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

MODES = (("The owner's", None), ("Open to a department", "department"), ("Free for all", "free"),
         ("Unavailable", "unavailable"))
COLOURS = {None: "#ffffff", "department": "#fff2c6", "free": "#d9f2d9", "unavailable": "#d6d6d6"}
CATEGORIES = (("Multidisciplinary (MDC)", "multidisciplinary"), ("Ability enhancement (AEC)", "ability_enhancement"),
              ("Skill enhancement (SEC)", "skill_enhancement"), ("Value-added (VAC)", "value_added"),
              ("Open elective", "elective"))
READ_ONLY_NOTE = "Only the campus administrator (the campus database's owner) changes this; you can read it."


class _CampusDialog(QDialog):
    """A dialog of the window's campus database: reads in a task, edits through the window's writer."""

    def __init__(self, window, title: str, name: str):
        super().__init__(window)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.window_ = window
        self.db = window.database
        self.admin = False
        self.loaded = False  # the first read arrived (tests wait on it)
        self.note = QLabel("Reading the campus…")
        self.note.setObjectName("campusSetupNote")
        self.note.setWordWrap(True)
        window.undo_stack.operation_executed.connect(self._changed)

    def _changed(self, change) -> None:
        if shiboken6.isValid(self) and change.concerns("campus"):
            self.load()

    def _read(self, fn, done) -> None:
        from ato_desktop.ui import tasks

        def arrived(result, error) -> None:
            if not shiboken6.isValid(self):
                return
            if error is not None:
                self.note.setText(str(error))
                return
            done(result)
            self.loaded = True

        tasks.run(fn, arrived)

    def _run(self, op) -> None:
        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self.note.setText(str(exc))

        def done(change) -> None:
            if shiboken6.isValid(self):
                self.note.setText(f"{change.title}: done (Edit ▸ Undo takes it back).")

        self.window_.undo_stack.run(op, on_done=done, on_error=failed, db=self.db)

    def _buttons(self, layout) -> None:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout.addWidget(self.note)
        layout.addWidget(box)


class RoomSharingDialog(_CampusDialog):
    """A room's sharing grid: select cells, choose what they are, Apply."""

    def __init__(self, window, room: str | None = None):
        super().__init__(window, "Room sharing", "roomSharingDialog")
        self.grid = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Room:"))
        self.rooms = QComboBox()
        self.rooms.setObjectName("sharingRoom")
        self.rooms.activated.connect(lambda _i: self.load(self.rooms.currentData()))
        top.addWidget(self.rooms, 1)
        self.owner = QLabel("")
        top.addWidget(self.owner, 2)
        layout.addLayout(top)
        self.table = QTableWidget()
        self.table.setObjectName("sharingGrid")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.editor = QHBoxLayout()
        self.mode = QComboBox()
        self.mode.setObjectName("sharingMode")
        for text, value in MODES:
            self.mode.addItem(text, value)
        self.department = QComboBox()
        self.department.setObjectName("sharingDepartment")
        self.mode.currentIndexChanged.connect(lambda _i: self.department.setEnabled(self.mode.currentData() == "department"))
        self.apply_button = QPushButton("Apply to the selected periods")
        self.apply_button.setObjectName("sharingApply")
        self.apply_button.clicked.connect(lambda *_: self.apply())
        for w in (QLabel("Selected periods:"), self.mode, self.department, self.apply_button):
            self.editor.addWidget(w)
        layout.addLayout(self.editor)
        self._buttons(layout)
        self.resize(900, 460)
        self._room = room
        self.load(room)

    def load(self, room: str | None = None) -> None:
        from ato_desktop.services import campus_sharing as cs

        room = room or (self.grid.room if self.grid is not None else self._room)
        db = self.db
        self._read(lambda: (cs.sharing_grid(db, room), cs.is_campus_admin(db)), self._show)

    def _show(self, result) -> None:
        grid, admin = result
        self.grid, self.admin = grid, admin
        self.rooms.blockSignals(True)
        self.rooms.clear()
        for code, name in grid.rooms:
            self.rooms.addItem(f"{code} — {name}" if name != code else code, code)
        self.rooms.setCurrentIndex(self.rooms.findData(grid.room))
        self.rooms.blockSignals(False)
        owner = {"shared": "shared by every department", "": "no department's"}.get(grid.owner, f"{grid.owner}'s")
        self.owner.setText(f"{grid.name} is {owner}; a cell left white is the owner's.")
        current = self.department.currentText()
        self.department.clear()
        self.department.addItems(list(grid.departments))
        if current:
            self.department.setCurrentText(current)
        self.department.setEnabled(self.mode.currentData() == "department")
        self.table.clear()
        self.table.setRowCount(len(grid.days))
        self.table.setColumnCount(len(grid.periods))
        self.table.setVerticalHeaderLabels([d for _, d in grid.days])
        self.table.setHorizontalHeaderLabels([p for _, p in grid.periods])
        for r, (day_id, _) in enumerate(grid.days):
            for c, (period_id, _) in enumerate(grid.periods):
                mode, dept = grid.cells.get((day_id, period_id), (None, None))
                text = {None: "", "free": "Free", "unavailable": "—"}.get(mode, dept or "")
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(QColor(COLOURS[mode])))
                item.setData(Qt.ItemDataRole.UserRole, (day_id, period_id))
                item.setToolTip({None: "The owner's", "free": "Free for every department",
                                 "unavailable": "Unavailable to every department"}.get(mode, f"Open to {dept}"))
                self.table.setItem(r, c, item)
        for w in (self.mode, self.department, self.apply_button):
            w.setVisible(admin)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if admin
                                    else QAbstractItemView.SelectionMode.NoSelection)
        self.note.setText("Select periods (drag across the grid), choose what they are, then Apply." if admin
                          else READ_ONLY_NOTE)

    def cell_text(self, day: str, period: str) -> str:
        r = [d for _, d in self.grid.days].index(day)
        c = [p for _, p in self.grid.periods].index(period)
        return self.table.item(r, c).text()

    def select(self, day: str, periods: list[str]) -> None:
        self.table.clearSelection()
        r = [d for _, d in self.grid.days].index(day)
        labels = [p for _, p in self.grid.periods]
        for p in periods:
            self.table.item(r, labels.index(p)).setSelected(True)

    def apply(self) -> bool:
        if self.grid is None or not self.admin:
            return False
        from ato_desktop.services import campus_sharing as cs

        mode = self.mode.currentData()
        dept = self.department.currentText() if mode == "department" else None
        cells = {item.data(Qt.ItemDataRole.UserRole): (None if mode is None else (mode, dept))
                 for item in self.table.selectedItems()}
        if not cells:
            self.note.setText("Select the periods to change first.")
            return False
        room = self.grid.room
        self._run(lambda db: cs.put_room_sharing(db, room=room, cells=cells))
        return True


class CampusSlotsDialog(_CampusDialog):
    """The campus elective slots: the list, and (for the administrator) Add and Remove."""

    def __init__(self, window):
        super().__init__(window, "Campus elective slots", "campusSlotsDialog")
        self.slots = ()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Every department keeps these periods free for the groups that take such courses, "
                                "and schedules those courses inside them."))
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("slotsTable")
        self.table.setHorizontalHeaderLabels(["Category", "Day", "Periods", "Label"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.form = QHBoxLayout()
        self.category = QComboBox()
        for text, value in CATEGORIES:
            self.category.addItem(text, value)
        self.day, self.first, self.last = QComboBox(), QComboBox(), QComboBox()
        self.label = QLineEdit()
        self.label.setPlaceholderText("label (optional)")
        self.add_button = QPushButton("Add slot")
        self.add_button.setObjectName("slotAdd")
        self.add_button.clicked.connect(lambda *_: self.add())
        self.remove_button = QPushButton("Remove the selected slot")
        self.remove_button.setObjectName("slotRemove")
        self.remove_button.clicked.connect(lambda *_: self.remove())
        self.editing = (self.category, self.day, self.first, self.last, self.label, self.add_button, self.remove_button)
        for w in (self.category, self.day, self.first, QLabel("to"), self.last, self.label, self.add_button,
                  self.remove_button):
            self.form.addWidget(w)
        layout.addLayout(self.form)
        self._buttons(layout)
        self.resize(900, 420)
        self.load()

    def load(self) -> None:
        from ato_desktop.services import campus_sharing as cs

        db = self.db
        self._read(lambda: (cs.campus_slots(db), cs.slot_choices(db), cs.is_campus_admin(db)), self._show)

    def _show(self, result) -> None:
        self.slots, (days, periods), self.admin = result
        names = {v: t for t, v in CATEGORIES}
        self.table.setRowCount(len(self.slots))
        for r, slot in enumerate(self.slots):
            for c, text in enumerate((names.get(slot.category, slot.category), slot.day, slot.periods, slot.label)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        if self.day.count() != len(days) or self.first.count() != len(periods):
            self.day.clear()
            for day_id, name in days:
                self.day.addItem(name, day_id)
            for box in (self.first, self.last):
                box.clear()
                for position, label in periods:
                    box.addItem(label, position)
        for w in self.editing:
            w.setVisible(self.admin)
        self.note.setText("" if self.admin else READ_ONLY_NOTE)

    def rows(self) -> list[tuple[str, str, str]]:
        return [(s.category, s.day, s.periods) for s in self.slots]

    def add(self) -> bool:
        if not self.admin:
            return False
        from ato_desktop.services import campus_sharing as cs

        what = {"category": self.category.currentData(), "day_id": self.day.currentData(),
                    "period_from": self.first.currentData(), "period_to": self.last.currentData(), "label": self.label.text()}
        self._run(lambda db: cs.add_slot(db, **what))
        return True

    def remove(self) -> bool:
        row = self.table.currentRow()
        if not self.admin or not 0 <= row < len(self.slots):
            return False
        from ato_desktop.services import campus_sharing as cs

        slot_id = self.slots[row].id
        self._run(lambda db: cs.remove_slot(db, slot_id=slot_id))
        return True


def open_room_sharing(window) -> RoomSharingDialog:
    dlg = RoomSharingDialog(window)
    window.room_sharing_dialog = dlg
    dlg.open()
    return dlg


def open_campus_slots(window) -> CampusSlotsDialog:
    dlg = CampusSlotsDialog(window)
    window.campus_slots_dialog = dlg
    dlg.open()
    return dlg
