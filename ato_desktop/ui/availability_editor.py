"""The availability editor: a days x periods grid painted by dragging the mouse.

Usage::

    editor = AvailabilityEditor(db, undo_stack, parent)
    editor.set_owner("faculty", faculty_id)   # or "room", "group", "activity"

Choose a mark (Unavailable, Undesired, Preferred or Clear) and a shape
(Rectangle: the rectangle between where the drag started and where the
mouse is; Brush: every cell the mouse passes over), then press and drag on
the grid (or move with the arrow keys and press Space). While dragging, the cells show the result; on release the whole
drag becomes ONE operation (``services.availability.paint_marks``, one transaction, on the window's
writer) and so one undo step. Break periods are
shown (greyed, with their times) and cannot be marked.

Every editor showing that owner refreshes on ``operation_executed`` (after the drag, its undo and
redo), so undo keeps working after the editor was closed or switched to another owner.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import Database
from ato_desktop.services import availability as av
from ato_desktop.services import calendar as cal
from ato_desktop.services.errors import DatabaseError, ServiceError
from ato_desktop.services.resources import spec

__all__ = ["AvailabilityEditor", "AvailabilityGrid", "MARKS", "CLEAR", "OWNER_KINDS"]

CLEAR = "clear"
MARKS = ("unavailable", "undesired", "preferred", CLEAR)
OWNER_KINDS = ("faculty", "room", "group", "activity")
MARK_LABELS = {"unavailable": "Unavailable", "undesired": "Undesired", "preferred": "Preferred", CLEAR: "Clear"}
MARK_HELP = {
    "unavailable": "Hard: nothing is ever scheduled here.",
    "undesired": "Soft: avoided if possible.",
    "preferred": "Soft: used if possible.",
    CLEAR: "Remove marks.",
}
MARK_SYMBOLS = {"unavailable": "✕", "undesired": "–", "preferred": "★"}
MARK_COLORS = {"unavailable": "#e57373", "undesired": "#ffcc80", "preferred": "#a5d6a7"}
BREAK_COLOR = "#d9d9d9"

Marks = dict[tuple[int, int], str]


class AvailabilityGrid(QTableWidget):
    """Days (rows) x periods (columns). Emits ``painted(cells)`` when a drag ends."""

    painted = Signal(object)  # set of (day, period)
    previewing = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("availabilityGrid")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        small = self.horizontalHeader().font()  # "09:00–09:50" fits a column on a 1366 px screen
        if small.pointSizeF() > 0:
            small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
            self.horizontalHeader().setFont(small)
        self.breaks: set[int] = set()
        self.shape = "rectangle"
        self._anchor: tuple[int, int] | None = None
        self._path: set[tuple[int, int]] = set()

    # -- geometry helpers (also used by tests) -----------------------------
    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        index = self.indexAt(pos)
        if not index.isValid():
            return None
        return index.row(), index.column()

    def cell_center(self, day: int, period: int) -> QPoint:
        return self.visualRect(self.model().index(day, period)).center()

    def dragged_cells(self) -> set[tuple[int, int]]:
        return {c for c in self._path if c[1] not in self.breaks}

    # -- mouse ---------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self.isEnabled():
            return super().mousePressEvent(event)
        cell = self.cell_at(event.position().toPoint())
        if cell is None:
            return
        self._anchor = cell
        self._path = {cell}
        self.previewing.emit(self.dragged_cells())
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if self._anchor is None:
            return super().mouseMoveEvent(event)
        cell = self.cell_at(event.position().toPoint())
        if cell is not None:
            if self.shape == "rectangle":
                (r0, c0), (r1, c1) = self._anchor, cell
                self._path = {(r, c) for r in range(min(r0, r1), max(r0, r1) + 1)
                              for c in range(min(c0, c1), max(c0, c1) + 1)}
            else:
                self._path.add(cell)
            self.previewing.emit(self.dragged_cells())
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if self._anchor is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mouseReleaseEvent(event)
        self.mouseMoveEvent(event)
        cells = self.dragged_cells()
        self._anchor = None
        self._path = set()
        self.painted.emit(cells)
        event.accept()

    def mouseDoubleClickEvent(self, event) -> None:  # a double click is two presses; nothing special
        event.accept()

    def keyPressEvent(self, event) -> None:
        """Keyboard use: the arrow keys move the current cell, Space paints it (one undo step)."""
        if event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.isEnabled():
            index = self.currentIndex()
            if index.isValid() and index.column() not in self.breaks:
                self.painted.emit({(index.row(), index.column())})
            event.accept()
            return
        super().keyPressEvent(event)


class AvailabilityEditor(QWidget):
    """Paint the unavailable / undesired / preferred periods of one faculty member, room, group or activity."""

    marks_changed = Signal()  # the grid shows new marks (after a paint, undo, redo or reload)
    error = Signal(str)

    def __init__(self, db: Database, undo_stack: QUndoStack, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("availabilityEditor")
        self.db = db
        self.undo_stack = undo_stack
        self.kind: str | None = None
        self.item_id: int | None = None
        self.calendar: cal.Calendar | None = None
        self._marks: Marks = {}

        layout = QVBoxLayout(self)
        self.title = QLabel("Choose a faculty member, room or group to edit its availability.")
        self.title.setObjectName("availabilityTitle")
        layout.addWidget(self.title)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Paint:"))
        self.mark_group = QButtonGroup(self)
        self.mark_buttons: dict[str, QRadioButton] = {}
        for i, mark in enumerate(MARKS):
            symbol = MARK_SYMBOLS.get(mark, "")
            b = QRadioButton(f"{symbol} {MARK_LABELS[mark]}".strip())
            b.setObjectName(f"mark_{mark}")
            b.setToolTip(MARK_HELP[mark])
            b.setShortcut(f"Alt+{i + 1}")
            if mark in MARK_COLORS:
                b.setStyleSheet(f"QRadioButton {{ background: {MARK_COLORS[mark]}; padding: 2px 6px; }}")
            self.mark_group.addButton(b, i)
            self.mark_buttons[mark] = b
            bar.addWidget(b)
        self.mark_buttons["unavailable"].setChecked(True)
        bar.addSpacing(16)
        bar.addWidget(QLabel("Shape:"))
        self.shape_combo = QComboBox()
        self.shape_combo.setObjectName("shapeCombo")
        self.shape_combo.addItem("Rectangle", "rectangle")
        self.shape_combo.addItem("Brush (cells dragged over)", "brush")
        self.shape_combo.currentIndexChanged.connect(self._shape_changed)
        bar.addWidget(self.shape_combo)
        bar.addStretch(1)
        layout.addLayout(bar)

        self.grid = AvailabilityGrid(self)
        self.grid.previewing.connect(self._preview)
        self.grid.painted.connect(self._commit_paint)
        layout.addWidget(self.grid, 1)

        self.hint = QLabel("Press and drag across the grid to paint the chosen mark. Breaks cannot be marked. "
                           "Each drag is one step of Edit ▸ Undo.")
        self.hint.setWordWrap(True)
        self.hint.setObjectName("availabilityHint")
        layout.addWidget(self.hint)

        from ato_desktop.ui.operations import operations_of

        operations_of(undo_stack).operation_executed.connect(self._on_operation)
        self.grid.setEnabled(False)

    # -- public --------------------------------------------------------------
    @property
    def current_mark(self) -> str:
        return MARKS[self.mark_group.checkedId()]

    def set_mark(self, mark: str) -> None:
        self.mark_buttons[mark].setChecked(True)

    def set_shape(self, shape: str) -> None:
        self.shape_combo.setCurrentIndex(self.shape_combo.findData(shape))

    def marks(self) -> Marks:
        """The marks the grid shows (and the database holds)."""
        return dict(self._marks)

    def set_database(self, db: Database) -> None:
        """Another database was opened: show nothing until the next :meth:`set_owner`."""
        self.db = db
        self.set_owner(None, None)

    def set_owner(self, kind: str | None, item_id: int | None) -> None:
        """Show and edit the marks of one owner; ``item_id`` None shows an empty, disabled grid."""
        if kind is not None and kind not in OWNER_KINDS:
            raise ValueError(f"availability owner must be one of {OWNER_KINDS}, not {kind!r}")
        self.kind = kind
        self.item_id = int(item_id) if item_id is not None else None
        self.refresh()

    def refresh(self) -> None:
        """Reload the calendar and the owner's marks from the database."""
        if self.db is None:  # the database was closed: an empty grid
            self.calendar, self._marks, self.item_id = None, {}, None
            self.title.setText("Choose a faculty member, room or group to edit its availability.")
            self._build_grid()
            self.grid.setEnabled(False)
            return
        try:
            self.calendar = cal.get_calendar(self.db)
            label = ""
            if self.kind is not None and self.item_id is not None:
                key = av.owner_key(self.db, self.kind, self.item_id)
                self._marks = av.get_marks(self.db, self.kind, key)
                from ato_desktop.services.resources import get_item

                label = get_item(self.db, self.kind, key)["_label"]
            else:
                self._marks = {}
        except (ServiceError, DatabaseError) as exc:
            self._marks = {}
            self.item_id = None
            self.title.setText(str(exc))
            self.error.emit(str(exc))
            self._build_grid()
            return
        if label:
            self.title.setText(f"Availability of {spec(self.kind).label.lower()} {label}")
        else:
            self.title.setText("Choose a faculty member, room or group to edit its availability.")
        self._build_grid()
        self.marks_changed.emit()

    # -- internals -----------------------------------------------------------
    def _shape_changed(self) -> None:
        self.grid.shape = self.shape_combo.currentData()

    def _build_grid(self) -> None:
        c = self.calendar
        g = self.grid
        current = (g.currentRow(), g.currentColumn())
        g.clear()
        if c is None:
            g.setRowCount(0)
            g.setColumnCount(0)
            return
        g.setRowCount(c.n_days)
        g.setColumnCount(c.periods_per_day)
        g.setVerticalHeaderLabels([d.name for d in c.days])
        g.setHorizontalHeaderLabels([f"{p.label}\n{p.start_time}–{p.end_time}" for p in c.periods])
        for i, p in enumerate(c.periods):
            g.horizontalHeaderItem(i).setToolTip(f"{p.label}: {p.start_time}–{p.end_time}")
        g.breaks = {p.position for p in c.periods if p.is_break}
        for d in range(c.n_days):
            for p in range(c.periods_per_day):
                item = QTableWidgetItem()
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                g.setItem(d, p, item)
        self._paint_cells(self._marks)
        g.setEnabled(self.item_id is not None)
        if 0 <= current[0] < g.rowCount() and 0 <= current[1] < g.columnCount():
            g.setCurrentCell(*current)  # keyboard users keep their place after a paint or undo

    def _paint_cells(self, marks: Marks) -> None:
        c = self.calendar
        if c is None:
            return
        for d in range(c.n_days):
            for p in range(c.periods_per_day):
                item = self.grid.item(d, p)
                if item is None:
                    continue
                period = c.periods[p]
                where = f"{c.days[d].name}, {period.label} ({period.start_time}–{period.end_time})"
                if period.is_break:
                    item.setBackground(QBrush(QColor(BREAK_COLOR)))
                    item.setText("Break")
                    item.setToolTip(f"{where}: break, no teaching")
                    continue
                state = marks.get((d, p))
                item.setBackground(QBrush(QColor(MARK_COLORS[state])) if state else QBrush())
                item.setText(MARK_SYMBOLS.get(state, ""))
                item.setToolTip(f"{where}: {MARK_LABELS[state].lower() if state else 'available'}")

    def _apply(self, cells: set[tuple[int, int]]) -> Marks:
        after = dict(self._marks)
        mark = self.current_mark
        for cell in cells:
            if mark == CLEAR:
                after.pop(cell, None)
            else:
                after[cell] = mark
        return after

    def _preview(self, cells) -> None:
        self._paint_cells(self._apply(cells))

    def _commit_paint(self, cells) -> None:
        if self.kind is None or self.item_id is None:
            return
        after = self._apply(cells)
        if after == self._marks:
            self._paint_cells(self._marks)
            return
        n = len(cells)
        mark = self.current_mark
        what = "Clear" if mark == CLEAR else f"Mark {MARK_LABELS[mark].lower()}"
        text = f"{what}: {n} period{'s' if n != 1 else ''} of {self.title.text().removeprefix('Availability of ')}"
        from ato_desktop.ui.operations import operations_of

        kind, item_id = self.kind, self.item_id

        def failed(exc: BaseException) -> None:  # nothing was written: show the marks as they are
            self._on_failed(str(exc))
            self._on_changed(kind, item_id)

        operations_of(self.undo_stack).run(
            lambda db: av.paint_marks(db, owner=kind, item_id=item_id, marks=after, summary=text),
            on_error=failed, db=self.db)

    def _on_operation(self, change) -> None:
        if "availability" in change.kinds and change.result is not None:
            self._on_changed(*change.result)

    def _on_changed(self, kind: str, item_id: int) -> None:
        if kind != self.kind or item_id != self.item_id:
            return
        top = self.window()
        if top is not self and not top.isVisible():  # an editor of a closed window: its file may be gone
            return
        self.refresh()

    def _on_failed(self, message: str) -> None:
        self.hint.setText(f"Not saved: {message}")
        self.error.emit(message)
