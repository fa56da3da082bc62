"""Import faculty, rooms, student groups or courses from a CSV or XLSX file.

    dlg = ImportDialog(db, "faculty", undo_stack, parent)
    dlg.imported.connect(lambda n: refresh_lists())
    dlg.exec()

The coordinator chooses a file; the dialog reads it in a worker, shows the
first rows, proposes a field for every column (matched by header names; a
combo box per column changes it), then checks EVERY row in a worker exactly
as the import would (``services.imports.check_rows``, rolled back) and lists
each problem with its row number as in the file, the column and the message.
Import is enabled only when there are no errors; it takes a ``before-import``
backup and creates all rows in one transaction (all or nothing), as one operation on the
window's writer (``services.imports.apply_import``): one undo step that removes exactly the
imported rows (redo puts the same rows back); ``operation_executed`` tells the lists.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.io.tabular import ImportRowsError, RowError, Table, TabularError, read_table
from ato_desktop.services import Database
from ato_desktop.services import imports
from ato_desktop.services import resources as res
from ato_desktop.services.errors import DatabaseError, ServiceError
from ato_desktop.ui import tasks
from ato_desktop.ui.operations import operations_of

__all__ = ["ImportDialog", "PREVIEW_ROWS"]

PREVIEW_ROWS = 20
ERROR_TINT = "#f8d7da"
IGNORE = "— ignore this column —"
FILE_FILTER = "Tables (*.csv *.xlsx);;CSV files (*.csv);;Excel workbooks (*.xlsx);;All files (*)"


def _read_job(path: Path, on_progress=None, should_stop=None) -> Table:
    return read_table(path, on_progress=on_progress, should_stop=should_stop)


def _check_job(db: Database, entity: str, table: Table, mapping: list, on_progress=None, should_stop=None):
    rows, errors = imports.prepare(db, entity, table, mapping)
    if not errors:
        errors = imports.check_rows(db, entity, rows, table=table, mapping=mapping,
                                    on_progress=on_progress, should_stop=should_stop)
    return rows, errors


class ImportDialog(QDialog):
    imported = Signal(int)  # number of rows imported
    loaded = Signal()  # the file was read and the preview shown
    validated = Signal(int)  # number of errors (0: ready to import)
    failed = Signal(str)  # a file-level problem (unreadable, wrong format, ...)

    def __init__(self, db: Database, entity: str, undo_stack: QUndoStack, parent: QWidget | None = None):
        super().__init__(parent)
        if entity not in imports.IMPORTABLE:
            raise ValueError(f"cannot import {entity!r}; choose one of {imports.IMPORTABLE}")
        self.db, self.entity, self.undo_stack = db, entity, undo_stack
        self.spec = res.spec(entity)
        self.fields = imports.import_fields(entity)
        self.setObjectName("importDialog")
        self.setWindowTitle(f"Import {self.spec.plural.lower()} from CSV or Excel")
        self.resize(900, 640)
        self.path: Path | None = None
        self.table: Table | None = None
        self.rows: list[tuple[int, dict]] = []
        self.errors: list[RowError] = []
        self._job: tasks.Task | None = None
        self._generation = 0  # ignore results of superseded jobs
        self.importing = False  # while True the dialog cannot be changed or closed
        self._last_dir = Path.home()

        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Choose a CSV or Excel (.xlsx) file with a header row and one {self.spec.label.lower()} per row. "
            "Check that each column goes to the right field. Nothing is imported unless every row is valid; "
            "a backup is taken first and Edit ▸ Undo removes the imported rows again."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        file_row = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("No file chosen")
        self.file_edit.setObjectName("importFile")
        self.choose_button = QPushButton("&Choose file…")
        self.choose_button.setObjectName("chooseButton")
        self.choose_button.clicked.connect(self.choose_file)
        self.reload_button = QPushButton("&Reload")
        self.reload_button.setToolTip("Read the file again after correcting it")
        self.reload_button.setObjectName("reloadButton")
        self.reload_button.setEnabled(False)
        self.reload_button.clicked.connect(self.reload)
        file_row.addWidget(QLabel("File:"))
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)
        file_row.addWidget(self.reload_button)
        layout.addLayout(file_row)

        splitter = QSplitter(Qt.Orientation.Vertical)
        map_box = QGroupBox("Columns")
        map_layout = QVBoxLayout(map_box)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setObjectName("mappingTable")
        self.mapping_table.setHorizontalHeaderLabels(["Column in the file", "Examples", "Field"])
        self.mapping_table.verticalHeader().setVisible(False)
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.mapping_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        map_layout.addWidget(self.mapping_table)
        splitter.addWidget(map_box)

        preview_box = QGroupBox(f"First {PREVIEW_ROWS} rows")
        preview_layout = QVBoxLayout(preview_box)
        self.preview_table = QTableWidget(0, 0)
        self.preview_table.setObjectName("previewTable")
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        preview_layout.addWidget(self.preview_table)
        splitter.addWidget(preview_box)

        error_box = QGroupBox("Problems")
        error_layout = QVBoxLayout(error_box)
        self.error_table = QTableWidget(0, 4)
        self.error_table.setObjectName("errorTable")
        self.error_table.setHorizontalHeaderLabels(["Row", "Column", "Field", "Problem"])
        self.error_table.verticalHeader().setVisible(False)
        self.error_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.error_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        error_layout.addWidget(self.error_table)
        splitter.addWidget(error_box)
        layout.addWidget(splitter, 1)

        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.status = QLabel("Choose a file to import.")
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton("&Import")
        self.import_button.setObjectName("importButton")
        self.import_button.setEnabled(False)
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

    # -- public --------------------------------------------------------------
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.windowTitle(), str(self._last_dir), FILE_FILTER)
        if name:
            self.load_file(Path(name))

    def load_file(self, path: str | Path) -> None:
        """Read ``path`` in a worker, then show the preview and check every row."""
        if self.importing:
            return
        self.path = Path(path)
        self._last_dir = self.path.parent
        self.file_edit.setText(str(self.path))
        self.reload_button.setEnabled(True)
        self.table = None
        self.rows, self.errors = [], []
        self._show_errors([])
        self.mapping_table.setRowCount(0)
        self.preview_table.setRowCount(0)
        self.preview_table.setColumnCount(0)
        self.import_button.setEnabled(False)
        self._run(_read_job, self.path, on_done=self._on_read, busy=f"Reading {self.path.name}…")

    def reload(self) -> None:
        if self.path is not None:
            self.load_file(self.path)

    def mapping(self) -> list[str | None]:
        """The field chosen for each column (None: ignored)."""
        out = []
        for r in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(r, 2)
            out.append(combo.currentData() if combo is not None else None)
        return out

    def set_mapping(self, column: int, field: str | None) -> None:
        combo: QComboBox = self.mapping_table.cellWidget(column, 2)
        combo.setCurrentIndex(combo.findData(field))

    def start_import(self) -> None:
        if self.table is None or self.errors or not self.rows or self.importing or self._job is not None:
            return
        self._set_importing(True)
        self._generation += 1
        generation = self._generation
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status.setText(f"Backing up, then importing {len(self.rows)} rows…")
        entity, rows, table, mapping = self.entity, self.rows, self.table, self.mapping()
        n = len(rows)
        what = self.spec.plural.lower() if n != 1 else self.spec.label.lower()
        summary = f"Import {n} {what} from {self.path.name if self.path else 'file'}"
        operations_of(self.undo_stack).run(
            lambda db: imports.apply_import(db, entity=entity, rows=rows, table=table, mapping=mapping,
                                            summary=summary),
            on_done=lambda change, g=generation: self._finish(g) and self._on_imported(change.result),
            on_error=lambda exc, g=generation: self._finish(g) and self._on_failed(exc), db=self.db)

    def _set_importing(self, on: bool) -> None:
        self.importing = on
        for w in (self.mapping_table, self.choose_button, self.reload_button, self.close_button):
            w.setEnabled(not on)
        self.import_button.setEnabled(False)

    # -- jobs ------------------------------------------------------------------
    def _run(self, fn, *args, on_done, busy: str, with_progress: bool = True, **kwargs) -> None:
        if self._job is not None:
            self._job.cancel()
        self._generation += 1
        generation = self._generation
        if with_progress:
            def work(on_progress, should_stop):
                return fn(*args, on_progress=on_progress, should_stop=should_stop, **kwargs)
        else:
            def work(_on_progress, _should_stop):
                return fn(*args, **kwargs)
        job = tasks.Task(work)
        job.progress.connect(lambda p, g=generation: self._on_progress(g, int(p.done), int(p.total)))
        job.succeeded.connect(lambda result, g=generation: self._finish(g) and on_done(result))
        job.failed.connect(lambda exc, g=generation: self._finish(g) and self._on_failed(exc))
        self._job = job
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status.setText(busy)
        job.start()

    def _finish(self, generation: int) -> bool:
        if generation != self._generation:
            return False  # a newer job replaced this one
        self._job = None
        self.progress.setVisible(False)
        return True

    def _on_progress(self, generation: int, done: int, total: int) -> None:
        if generation != self._generation:
            return
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.status.setText(f"Checking row {done} of {total}…")
        else:
            self.status.setText(f"Reading… {done} rows")

    def _on_failed(self, exc: BaseException) -> None:
        if self.importing:
            self._set_importing(False)
        if isinstance(exc, ImportRowsError):
            self._show_errors(exc.errors)
            self.status.setText(f"{len(exc.errors)} row(s) have problems; nothing was imported.")
            self.validated.emit(len(exc.errors))
            return
        if isinstance(exc, (TabularError, ServiceError, DatabaseError)):
            message = str(exc)
        else:
            message = f"Unexpected error: {type(exc).__name__}: {exc}. Nothing was imported."
        self.status.setText(message)
        self._show_errors([RowError(getattr(exc, "row", None), getattr(exc, "column", "") or "", "",
                                    getattr(exc, "problem", None) or message)])
        self.import_button.setEnabled(False)
        self.failed.emit(message)

    # -- steps -----------------------------------------------------------------
    def _on_read(self, table: Table) -> None:
        self.table = table
        self._fill_preview(table)
        self._fill_mapping(table)
        kind = "Excel workbook" if table.kind == "xlsx" else f"CSV ({table.encoding})"
        self.status.setText(f"{len(table.rows)} rows read from {Path(table.path).name} [{kind}].")
        self.loaded.emit()
        self._validate()

    def _fill_preview(self, table: Table) -> None:
        pt = self.preview_table
        pt.setColumnCount(len(table.headers))
        pt.setHorizontalHeaderLabels(table.headers)
        shown = table.preview(PREVIEW_ROWS)
        pt.setRowCount(len(shown))
        pt.setVerticalHeaderLabels([str(r.number) for r in shown])
        for i, row in enumerate(shown):
            for j in range(len(table.headers)):
                pt.setItem(i, j, QTableWidgetItem(row.cells[j] if j < len(row.cells) else ""))
        pt.resizeColumnsToContents()

    def _fill_mapping(self, table: Table) -> None:
        guess = imports.mapping_for(self.entity, table)
        mt = self.mapping_table
        mt.setRowCount(len(table.headers))
        for i, header in enumerate(table.headers):
            mt.setItem(i, 0, QTableWidgetItem(header))
            samples = [r.cells[i] for r in table.rows[:5] if i < len(r.cells) and r.cells[i].strip()]
            mt.setItem(i, 1, QTableWidgetItem(", ".join(s[:30] for s in samples[:3])))
            combo = QComboBox()
            combo.setObjectName(f"mapColumn{i}")
            combo.addItem(IGNORE, None)
            for f in self.fields:
                combo.addItem(f"{f.label}{' *' if f.required else ''}", f.name)
                if f.help:
                    combo.setItemData(combo.count() - 1, f.help, Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(max(0, combo.findData(guess[i])))
            combo.currentIndexChanged.connect(self._validate)
            mt.setCellWidget(i, 2, combo)
        mt.resizeColumnToContents(0)

    def _validate(self) -> None:
        if self.table is None or self.importing:
            return
        self.import_button.setEnabled(False)
        mapping = self.mapping()
        if not any(mapping):
            self.rows, self.errors = [], []
            self._show_errors([])
            self.status.setText("No column is mapped to a field: choose a field for each column you want to import.")
            self.validated.emit(-1)
            return
        self._run(_check_job, self.db, self.entity, self.table, mapping, on_done=self._on_checked,
                  busy="Checking every row…")

    def _on_checked(self, result) -> None:
        rows, errors = result
        self.rows, self.errors = rows, errors
        self._show_errors(errors)
        if errors:
            self.status.setText(f"{len(errors)} problem(s) in {len({e.row for e in errors})} row(s); nothing can be "
                                "imported until they are fixed. Correct the file, then Reload.")
        elif not rows:
            self.status.setText("The file has no data rows.")
        else:
            required = [f.label for f in self.fields if f.required and f.name not in self.mapping()
                        and f.name != "department"]
            self.status.setText(f"All {len(rows)} rows are valid. Press Import to add them."
                                + (f" (No column for {', '.join(required)}.)" if required else ""))
        self.import_button.setEnabled(bool(rows) and not errors)
        self.validated.emit(len(errors))

    def _on_imported(self, result: imports.ImportResult) -> None:
        self._set_importing(False)
        n = result.count
        what = self.spec.plural.lower() if n != 1 else self.spec.label.lower()
        self.status.setText(f"Imported {n} {what}." + (f" A backup was taken first: {result.backup.name}."
                                                       if result.backup else "")
                            + "".join(f"\nSkipped {line}" for line in result.skipped))
        self.rows = []
        self.import_button.setEnabled(False)
        self.imported.emit(n)

    def _show_errors(self, errors: list[RowError]) -> None:
        et = self.error_table
        ordered = sorted(errors, key=lambda e: (e.row is not None, e.row or 0))
        et.setRowCount(len(ordered))
        for i, e in enumerate(ordered):
            cells = ("" if e.row is None else str(e.row), e.column, e.field, e.message)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 0 and e.row is not None:
                    item.setData(Qt.ItemDataRole.UserRole, e.row)
                et.setItem(i, j, item)
        et.resizeColumnsToContents()
        self._mark_preview({e.row for e in errors if e.row is not None})

    def _mark_preview(self, bad_rows: set[int]) -> None:
        """Tint the preview rows that have problems."""
        pt = self.preview_table
        if self.table is None:
            return
        for i, row in enumerate(self.table.preview(PREVIEW_ROWS)[: pt.rowCount()]):
            brush = QBrush(QColor(ERROR_TINT)) if row.number in bad_rows else QBrush()
            for j in range(pt.columnCount()):
                item = pt.item(i, j)
                if item is not None:
                    item.setBackground(brush)

    def error_rows(self) -> list[tuple[str, str, str, str]]:
        """The error list as shown (row, column, field, problem)."""
        et = self.error_table
        return [tuple(et.item(r, c).text() for c in range(4)) for r in range(et.rowCount())]

    def reject(self) -> None:
        if self.importing:  # the import's undo step must be recorded: wait for it
            self.status.setText("Importing… the dialog closes when you press Close after it has finished.")
            return
        if self._job is not None:
            self._job.cancel()
        super().reject()
