"""File ▸ Export list…: choose a .csv/.xlsx file and export a resource list in a worker.

    path = ask_export_path(parent, "faculty")        # QFileDialog; None if cancelled
    export_list(db, "faculty", path, search=filter_text,
                on_done=lambda n: status_bar.showMessage(f"Exported {n} rows to {path}"),
                on_failed=lambda exc: QMessageBox.warning(parent, "Export", str(exc)))

The callbacks are connected before the job starts, so a job that ends at once cannot be missed.

Cells are formula-safe (see ``io.export``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import platformdirs
from PySide6.QtWidgets import QFileDialog, QWidget

from ato_desktop.services import exports
from ato_desktop.services.resources import spec
from ato_desktop.ui.tasks import Task

__all__ = ["ask_export_path", "export_job", "export_list", "EXPORT_FILTER"]

EXPORT_FILTER = "Excel workbook (*.xlsx);;CSV file (*.csv)"


def ask_export_path(parent: QWidget | None, entity: str, folder: Path | None = None) -> Path | None:
    folder = folder or Path(platformdirs.user_documents_dir())
    default = folder / f"{spec(entity).plural.lower().replace(' ', '-')}.xlsx"
    name, chosen = QFileDialog.getSaveFileName(parent, f"Export {spec(entity).plural.lower()}", str(default),
                                               EXPORT_FILTER)
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        path = path.with_name(path.name + (".csv" if "csv" in chosen.lower() else ".xlsx"))
    return path


def export_job(db, entity: str, path: str | Path, *, search: str = "") -> Task:
    """The export as a task not started yet: connect to its signals, then ``start()`` it."""
    return Task(lambda _p, _s: exports.export_items(db, entity, Path(path), search=search), poll_ms=0)


def export_list(db, entity: str, path: str | Path, *, search: str = "",
                on_done: Callable[[int], Any] | None = None,
                on_failed: Callable[[BaseException], Any] | None = None) -> Task:
    """Export in a worker; ``on_done`` gets the row count, ``on_failed`` the ``ExportError`` (on the UI thread)."""
    job = export_job(db, entity, path, search=search)
    if on_done is not None:
        job.succeeded.connect(on_done)
    if on_failed is not None:
        job.failed.connect(on_failed)
    return job.start()
