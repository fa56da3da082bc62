"""File ▸ Export PDF: choose what to print, paper and orientation; render in a worker. It also writes the
version as an Excel workbook (a sheet per group, faculty member or room; ``services.publishing``).

Usage (the main window)::

    dlg = ExportPdfDialog(db, timetable_id=current_version_id, parent=window)
    dlg.exec()

The PDF is rendered by a task (``ato_desktop.ui.tasks``) calling :func:`ato_desktop.reports.render_report`
(written to disk only when complete); the dialog shows a progress bar, Cancel stops the
render between pages and writes nothing, and "Open when done" opens the file with the
system's PDF viewer. The paper size, orientation and output folder of the last
successful export are remembered (QSettings, ``export/*``) and offered next time.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QWidget,
)

from ato_desktop.reports import KIND_LABELS, KINDS, NAMED_KINDS, ReportCancelled, ReportError
from ato_desktop.services.reports import render_report
from ato_desktop.services import Database
from ato_desktop.services import resources as res
from ato_desktop.services.errors import ServiceError
from ato_desktop.ui import settings as app_settings
from ato_desktop.ui.task_dialog import TaskDialog

ALL_ITEMS = "(all, one page each)"
# an editable copy (issue 20): the version as an Excel workbook, a sheet per group, faculty member or room
XLSX_KINDS = {"xlsx-group": "Excel workbook: a sheet per student group",
              "xlsx-faculty": "Excel workbook: a sheet per faculty member",
              "xlsx-room": "Excel workbook: a sheet per room"}
KIND_ORDER = ("book", "group", "faculty", "room", "master", "workload", "utilization", "conflicts")
ENTITY_OF = {"group": "group", "faculty": "faculty", "room": "room"}


def _export(db: Database, *, on_progress, should_stop, **kwargs):
    """The task's work: a PDF report, or the version as an Excel workbook (issue 20)."""
    if kwargs["kind"] in XLSX_KINDS:
        from ato_desktop.progress import Progress
        from ato_desktop.services.publishing import export_timetable_xlsx

        on_progress(Progress(1, 10, "Writing the workbook"))
        return export_timetable_xlsx(db, kwargs["out_path"], by=kwargs["kind"][5:], timetable=kwargs["timetable_id"])
    return render_report(db, on_progress=on_progress, should_stop=should_stop, **kwargs)


class ExportPdfDialog(TaskDialog, QDialog):
    CANCELLED = ReportCancelled
    STOPPING = "Cancelling…"
    STOPPED = "Cancelled; no file was written."
    WHAT = "PDF"
    USER_ERRORS = (ReportError, ServiceError)

    def __init__(self, db: Database, timetable_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        layout, form = self._setup(db, "Export PDF", "exportPdfDialog")
        versions = self._add_version_combo(form, db, timetable_id)

        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("kindCombo")
        for kind in KIND_ORDER:
            if kind in KINDS:
                self.kind_combo.addItem(KIND_LABELS[kind], kind)
        for kind, label in XLSX_KINDS.items():
            self.kind_combo.addItem(label, kind)
        form.addRow("&What:", self.kind_combo)

        self.item_combo = QComboBox(self)
        self.item_combo.setObjectName("itemCombo")
        self.item_combo.setEditable(False)
        self.item_label = QLabel("&Which:", self)
        self.item_label.setBuddy(self.item_combo)
        form.addRow(self.item_label, self.item_combo)

        self.paper_combo = QComboBox(self)
        self.paper_combo.setObjectName("paperCombo")
        self.paper_combo.addItems(["A4", "A3"])
        form.addRow("&Paper:", self.paper_combo)

        orient = QWidget(self)
        row = QHBoxLayout(orient)
        row.setContentsMargins(0, 0, 0, 0)
        self.landscape_radio = QRadioButton("&Landscape", orient)
        self.portrait_radio = QRadioButton("P&ortrait", orient)
        self.landscape_radio.setChecked(True)
        group = QButtonGroup(orient)
        group.addButton(self.landscape_radio)
        group.addButton(self.portrait_radio)
        row.addWidget(self.landscape_radio)
        row.addWidget(self.portrait_radio)
        row.addStretch(1)
        form.addRow("Orientation:", orient)

        self._add_path_row(form, "&Save as:", "Where to save the PDF", self.choose_file)

        paper, landscape, folder = app_settings.export_choices()
        if self.paper_combo.findText(paper) >= 0:
            self.paper_combo.setCurrentText(paper)
        (self.landscape_radio if landscape else self.portrait_radio).setChecked(True)
        self._folder = folder if folder is not None and folder.is_dir() else None

        self._add_open_check(layout, "&Open the PDF when done")
        self.export_button = self._add_progress_and_buttons(layout, "&Export")

        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.item_combo.currentIndexChanged.connect(self._suggest_path)
        self._kind_changed()
        if not versions:
            self.export_button.setEnabled(False)
            self.status.setText("There is no timetable version to print yet; create or optimize one first.")

    # ---- choices -------------------------------------------------------------------
    def kind(self) -> str:
        return self.kind_combo.currentData()

    def item(self) -> str | None:
        return self.item_combo.currentData() if self.kind() in NAMED_KINDS else None

    def set_kind(self, kind: str, item: str | None = None) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        if item is not None:
            i = self.item_combo.findData(item)
            if i < 0:
                raise ValueError(f"{item!r} is not in the list of {kind} items")
            self.item_combo.setCurrentIndex(i)

    @Slot()
    def _kind_changed(self) -> None:
        kind = self.kind()
        named = kind in NAMED_KINDS
        self.item_combo.blockSignals(True)
        self.item_combo.clear()
        if named:
            self.item_combo.addItem(ALL_ITEMS, None)
            items = res.list_items(self.db, ENTITY_OF[kind])
            if kind == "group":
                items = [g for g in items if not g.get("parent")] + [g for g in items if g.get("parent")]
            for it in items:
                label = it["code"] if kind != "faculty" else f"{it['code']} — {it['name']}"
                self.item_combo.addItem(label, it["code"])
        self.item_combo.blockSignals(False)
        self.item_combo.setEnabled(named)
        self.item_label.setEnabled(named)
        for w in (self.paper_combo, self.landscape_radio, self.portrait_radio):
            w.setEnabled(kind not in XLSX_KINDS)
        self._suggest_path()

    def _suggest_path(self) -> None:
        current = self.path_edit.text().strip()
        if current and not getattr(self, "_path_suggested", False):
            if Path(current).suffix.lower() in (".pdf", ".xlsx") and Path(current).suffix.lower() != self._suffix():
                self.path_edit.setText(str(Path(current).with_suffix(self._suffix())))
            return  # the user chose a file: keep it
        if current:
            folder = Path(current).parent
        else:
            folder = getattr(self, "_folder", None) or Path(platformdirs.user_documents_dir())
        stem = self.kind() if self.kind() != "book" else "timetable-book"
        if self.item():
            stem += "-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in self.item())
        if self.kind() in XLSX_KINDS:
            stem = f"timetable-by-{self.kind()[5:]}"
        self.path_edit.setText(str(folder / f"{stem}{self._suffix()}"))
        self._path_suggested = True

    def _suffix(self) -> str:
        return ".xlsx" if self.kind() in XLSX_KINDS else ".pdf"

    @Slot()
    def choose_file(self) -> None:
        xlsx = self.kind() in XLSX_KINDS
        path, _ = QFileDialog.getSaveFileName(self, "Export", self.path_edit.text(),
                                              "Excel workbook (*.xlsx)" if xlsx else "PDF files (*.pdf)")
        if path:
            if not path.lower().endswith(self._suffix()):
                path += self._suffix()
            self.path_edit.setText(path)
            self._path_suggested = False

    # ---- running ---------------------------------------------------------------------
    @Slot()
    def start(self) -> None:
        path = self._target("Choose where to save the file.")
        if path is None:
            return
        if path.suffix.lower() != self._suffix():
            self._error(f"{path.name}: the file name must end in {self._suffix()}.")
            return
        if not path.parent.is_dir():
            self._error(f"The folder {path.parent} does not exist.")
            return
        kwargs = dict(kind=self.kind(), out_path=path, timetable_id=self.version_combo.currentData(),
                      name=self.item(), paper=self.paper_combo.currentText(),
                      landscape=self.landscape_radio.isChecked())
        db = self.db
        self._start_task(lambda on_progress, should_stop: _export(
            db, on_progress=on_progress, should_stop=should_stop, **kwargs))

    def _busy_widgets(self) -> tuple:
        return (self.export_button, self.kind_combo, self.item_combo, self.version_combo, self.paper_combo,
                self.landscape_radio, self.portrait_radio, self.path_edit)

    def _set_busy(self, busy: bool) -> None:
        super()._set_busy(busy)
        if not busy:
            self.item_combo.setEnabled(self.kind() in NAMED_KINDS)
            for w in (self.paper_combo, self.landscape_radio, self.portrait_radio):
                w.setEnabled(self.kind() not in XLSX_KINDS)

    @Slot(object)
    def _on_done(self, result) -> None:
        app_settings.save_export_choices(self.paper_combo.currentText(), self.landscape_radio.isChecked(),
                                         Path(result.path).parent)
        what = "sheet(s)" if self.kind() in XLSX_KINDS else "page(s)"
        self._show_done(result, f"{result.pages} {what} written to {result.path}.", result.path)

