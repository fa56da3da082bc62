"""The generic resource editor: a sortable, filterable list and an edit form for one entity.

Every page is driven by the entity's ``EntitySpec``. Edits call the services
first (a ``ValidationError`` goes under its field and nothing is saved), then
push a named undo command onto the window's single undo stack.

Big lists (more than ``ResourcePage.ASYNC_MIN_ROWS`` rows, e.g. the 4,000
activities of a 20-department database) are read in a worker thread, with the
form's reference choices; the model is then filled in one reset on the UI
thread. ``loading`` is True meanwhile and ``loaded`` is emitted when the rows
are shown. Smaller lists load at once, as before.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.services import resources as res
from ato_desktop.services.listing import list_choices, list_rows
from ato_desktop.services.errors import DatabaseError, ServiceError
from ato_desktop.ui.forms import EntityForm
from ato_desktop.ui.resource_model import FilterProxy, ResourceTableModel, prepare_texts
from ato_desktop.ui.sizing import COLUMN_CAP, fit_columns, remember_splitter, table_width
from ato_desktop.ui import tasks
from ato_desktop.ui.lazy_page import LazyReload
from ato_desktop.ui.resource_page_edits import ResourceEdits
from ato_desktop.ui.undo import UndoStack


class ResourcePage(ResourceEdits, LazyReload, QWidget):
    """List + form for one entity. ``status(str)`` reports what happened for the status bar."""

    status = Signal(str)
    loaded = Signal()  # the list shows the rows of the last reload (emitted after every reload)
    ASYNC_MIN_ROWS = 1500  # lists with more rows are read in a worker thread

    def __init__(self, entity: str, undo_stack: UndoStack, parent=None, *,
                 choice_overrides: dict[str, tuple[str, ...]] | None = None):
        super().__init__(parent)
        self.entity = entity
        self.spec = res.spec(entity)
        self.undo_stack = undo_stack
        self.db = None
        self.readonly = False
        self._dirty = True
        self._choices_dirty = True
        self._editing: dict | None = None  # the item shown in the form; None = a new item
        self.form_dirty = False  # the form holds edits not saved yet
        self._programmatic = False  # selection changed by the page itself: do not ask about edits
        self._restoring = False  # selection put back after "Cancel": keep the form as it is
        self.setObjectName(f"page_{entity}")
        self.loading = False  # a worker is reading the list
        self.load_job = None
        self._load_gen = 0
        self._after_load: list = []  # run once the pending load is shown
        self._prefetched_choices: dict | None = None
        self._shown = 0  # how many times an item was put in the form

        self.model = ResourceTableModel(entity, self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)

        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("filter")
        self.filter_edit.setPlaceholderText(f"Filter {self.spec.plural.lower()}…  (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)
        bar.addWidget(self.filter_edit, 1)
        self.count_label = QLabel(self)
        bar.addWidget(self.count_label)
        self.new_button = self._button("New", "Add a new " + self.spec.label.lower() + " (Ctrl+N)", self.new_item)
        self.dup_button = self._button("Duplicate", "Copy the selected item into a new one (Ctrl+D)", self.duplicate)
        self.delete_button = self._button("Delete", "Delete the selected item (Del)", self.delete_selected)
        self.export_button = self._button("Export…", "Export the listed " + self.spec.plural.lower()
                                          + " (the filter applies) to an Excel or CSV file", self.export_list)
        self.export_button.setObjectName("exportButton")
        self.export_job = None
        for b in (self.new_button, self.dup_button, self.delete_button, self.export_button):
            bar.addWidget(b)
        self.extra_bar = QHBoxLayout()
        bar.addLayout(self.extra_bar)
        outer.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.table = QTableView(split)
        self.table.setObjectName("table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        # every row the same height: the view never measures thousands of rows
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        right = QWidget(split)
        rlay = QVBoxLayout(right)
        self.form_title = QLabel(right)
        self.form_title.setObjectName("formTitle")
        self.form_title.setStyleSheet("font-weight: bold; font-size: 14px;")
        rlay.addWidget(self.form_title)
        self.form = EntityForm(entity, right, choice_overrides=choice_overrides)
        self.form.edited.connect(self._form_edited)
        if entity in ("faculty", "room", "group"):  # codes proposed from the name (issue 16)
            from ato_desktop.services.codes import propose_code

            self.form.set_code_proposer(lambda values: propose_code(self.db, entity, values) if self.db else "")
        scroll = QScrollArea(right)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        rlay.addWidget(scroll, 1)
        self.extra_form_area = QVBoxLayout()  # pages add e.g. the availability editor here
        rlay.addLayout(self.extra_form_area)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.revert_button = QPushButton("Revert", right)
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton("Save", right)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.save_button.setToolTip("Save the form (Ctrl+Enter)")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        rlay.addLayout(buttons)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 450])
        self.table.horizontalHeader().setResizeContentsPrecision(60)  # fit columns to the first rows only
        self._sized = False
        outer.addWidget(split, 1)
        self.splitter = split
        split.setObjectName(f"split_{entity}")
        self._splitter_restored = remember_splitter(split, f"resource_{entity}")

        for seq, slot in (("Ctrl+F", self._focus_filter), ("Ctrl+N", self.new_item), ("Ctrl+D", self.duplicate)):
            act = QAction(self)
            act.setShortcut(QKeySequence(seq))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
        del_act = QAction(self.table)
        del_act.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        del_act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        del_act.triggered.connect(self.delete_selected)
        self.table.addAction(del_act)
        self._update_buttons()

    def _button(self, text: str, tip: str, slot) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setToolTip(tip)
        b.setObjectName(text.lower() + "Button")
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        b.clicked.connect(slot)
        return b

    def add_page_action(self, action: QAction) -> QToolButton:
        b = QToolButton(self)
        b.setDefaultAction(action)
        self.extra_bar.addWidget(b)
        return b

    # -- database ------------------------------------------------------------
    def set_database(self, db, readonly: bool = False) -> None:
        self.db = db
        self.readonly = readonly
        self._dirty = True
        self._choices_dirty = True
        self._prefetched_choices = None
        self._editing = None
        self._load_gen += 1  # a list still being read from the previous database is dropped
        self.loading = False
        self.load_job = None
        self._after_load = []
        if self.isVisible():
            self.reload()
        self._update_buttons()

    # what a resource list never shows: a timetable's sessions (moves, locks, a loaded version), the
    # day-to-day substitutions, the mail outbox
    UNRELATED_ENTITIES = frozenset({"timetable", "substitutions", "notifications"})

    def concerned(self, change) -> bool:
        touched = change.touched()
        return bool(touched) and not touched <= self.UNRELATED_ENTITIES

    def on_operation(self, change) -> None:
        if not self.concerned(change):
            return  # e.g. the timetable screen's moves: re-reading the list is wasted
        self._dirty = True
        self._choices_dirty = True
        self._prefetched_choices = None
        if change.touched() <= {"availability"} and self.form_dirty:
            return  # availability painted beside a form being edited: keep the edits, reload later
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        """Reload the list from the services, keeping the selected item and the filter.

        A list longer than ``ASYNC_MIN_ROWS`` is read in a worker; the rows appear when it is done
        (``loading`` is True until then, ``loaded`` is emitted after).
        """
        self._load_gen += 1
        gen = self._load_gen
        self._dirty = False
        db = self.db
        if db is None:
            self._apply_rows(gen, db, [], None)
            return
        try:
            big = res.count_items(db, self.entity) > self.ASYNC_MIN_ROWS
        except (ServiceError, DatabaseError):
            big = False
        if not big:
            self._apply_rows(gen, db, list_rows(db, self.entity), None)
            return
        self.loading = True
        self.count_label.setText("Loading…")
        refs = sorted({f.ref for f in self.spec.fields if f.kind == "ref"})
        entity = self.entity

        def fetch():  # in the worker: the rows, their cell texts and filter strings, the form's choices
            rows = list_rows(db, entity)
            return rows, prepare_texts(entity, rows), {r: list_choices(db, r) for r in refs}

        def done(result, error):
            if not shiboken6.isValid(self):  # the page was closed while the list was read
                return
            if error is not None:
                if gen == self._load_gen:
                    self.loading = False
                    self._dirty = True
                    self.count_label.setText("")
                    self.status.emit(f"Cannot read the {self.spec.plural.lower()}: {error}")
                return
            rows, prepared, choices = result
            self._apply_rows(gen, db, rows, choices, prepared)

        self.load_job = tasks.run(fetch, done)

    def when_loaded(self, fn) -> None:
        """Run ``fn()`` now, or once the list being read in a worker is shown."""
        if self.loading:
            self._after_load.append(fn)
        else:
            fn()

    def _apply_rows(self, gen: int, db, rows: list[dict], choices: dict | None, prepared=None) -> None:
        if gen != self._load_gen or db is not self.db:
            return  # a newer reload (or another database) replaced this one
        self.loading = False
        self.load_job = None
        keep = self._editing["id"] if self._editing else None
        if choices is not None:
            self._prefetched_choices = choices
            self._choices_dirty = True
        self.model.set_rows(rows, prepared)
        if not self._sized and self.model.rowCount():
            self._sized = True
            self.fit_table()
        self._update_count()
        if keep is not None and self.form_dirty:
            pass  # the user edits the form while the list was being read: keep the edits
        elif keep is not None and self.model.row_of(keep) >= 0:
            self.select_id(keep)
        elif self._editing is not None or not self.form_title.text():
            if self.proxy.rowCount():
                shown = self._shown
                self._select_row(0)
                if self._shown == shown:  # row 0 was current already: selecting it showed nothing
                    self._show_item(self.proxy.index(0, 0))
            else:
                self.new_item()
        self._update_buttons()
        after, self._after_load = self._after_load, []
        for fn in after:
            fn()
        self.loaded.emit()

    def fit_table(self) -> None:
        """Columns fitted to their contents (capped; the last one stretches); unless the user moved the
        splitter before (remembered per page), the list gets the width its columns need, up to 65 %
        (the form keeps its minimum width)."""
        source_row = {}  # the cell texts straight from the model's cache

        def text_at(r: int, c: int) -> str:
            if r not in source_row:
                source_row[r] = self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            return self.model.text(source_row[r], c)

        fit_columns(self.table, cap=COLUMN_CAP, text_at=text_at)
        if self._splitter_restored:
            return
        total = sum(self.splitter.sizes()) or self.width()
        want = table_width(self.table)
        # the form keeps at least its minimum width and 35 % of the page; the list may take the rest
        form_min = max(self.splitter.widget(1).minimumSizeHint().width(), int(total * 0.35))
        left = max(int(total * 0.35), min(want, total - form_min))
        self.splitter.setSizes([left, max(total - left, 1)])

    def _ensure_choices(self) -> None:
        if not self._choices_dirty or self.db is None:
            return
        refs = {f.ref for f in self.spec.fields if f.kind in ("ref", "refs")}
        if any(f.kind == "dict" for f in self.spec.fields):  # a constraint's relations pick activities
            refs.add("activity")
        db = self.db
        choices = {r: (lambda r=r: list_choices(db, r)) for r in refs}
        if self._prefetched_choices:  # read with the rows in the worker
            choices.update(self._prefetched_choices)
            self._prefetched_choices = None
        self.form.set_reference_choices(choices)
        self._choices_dirty = False

    # -- selection / form ----------------------------------------------------
    def _focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown} of {total}" if shown != total else f"{total} {self.spec.plural.lower()}")

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not current.isValid() or self._restoring:
            return
        if self.form_dirty and not self._programmatic:
            item = self.model.item(self.proxy.mapToSource(current).row())
            if self._editing is None or item["id"] != self._editing["id"]:
                answer = self.ask_unsaved()
                if answer == "cancel":
                    QTimer.singleShot(0, lambda: self._back_to_edited(previous))
                    return
                if answer == "save":
                    target = item["id"]
                    if not self.save():
                        QTimer.singleShot(0, lambda: self._back_to_edited(previous))
                        return
                    self.select_id(target)
                    return
        self._show_item(current)

    def _back_to_edited(self, previous: QModelIndex) -> None:
        """Put the selection back on the item whose edits are kept (without asking again)."""
        self._restoring = True
        try:
            sm = self.table.selectionModel()
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            if self._editing is not None and self.model.row_of(self._editing["id"]) >= 0:
                idx = self.proxy.mapFromSource(self.model.index(self.model.row_of(self._editing["id"]), 0))
                sm.setCurrentIndex(idx, flags)
            else:
                self.table.clearSelection()
        finally:
            self._restoring = False

    def _select_row(self, row: int) -> None:
        self._programmatic = True
        try:
            self.table.selectRow(row)
        finally:
            self._programmatic = False

    def ask_unsaved(self) -> str:
        """'save', 'discard' or 'cancel' for the form's unsaved edits."""
        what = self._editing["_label"] if self._editing else f"the new {self.spec.label.lower()}"
        box = QMessageBox(self)
        box.setObjectName("unsavedBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save your changes to {what}?")
        save = box.addButton(QMessageBox.StandardButton.Save)
        discard = box.addButton(QMessageBox.StandardButton.Discard)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return "save" if clicked is save else "discard" if clicked is discard else "cancel"

    def _show_item(self, proxy_index: QModelIndex) -> None:
        self._shown += 1
        item = self.model.item(self.proxy.mapToSource(proxy_index).row())
        self._ensure_choices()
        self._editing = item
        self.form.set_values(item)
        self.form_dirty = False
        self.form_title.setText(f"{self.spec.label}: {item['_label']}")
        self._update_buttons()
        self.item_shown(item)

    def item_shown(self, item: dict | None) -> None:
        """Hook for pages that show more about the current item (e.g. availability)."""

    def current_item(self) -> dict | None:
        return self._editing

    def select_id(self, item_id: int) -> bool:
        row = self.model.row_of(item_id)
        if row < 0:
            return False
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        if not idx.isValid():  # filtered out: clear the filter to show it
            self.filter_edit.clear()
            idx = self.proxy.mapFromSource(self.model.index(row, 0))
        self._programmatic = True
        try:
            self.table.selectionModel().setCurrentIndex(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        finally:
            self._programmatic = False
        self.table.scrollTo(idx)
        self._show_item(idx)
        return True
