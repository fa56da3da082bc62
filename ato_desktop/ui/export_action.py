"""File ▸ Export list…: choose a .csv/.xlsx file and export a resource list in a worker.

    path = ask_export_path(parent, "faculty")        # QFileDialog; None if cancelled
    job = export_list(db, "faculty", path, search=filter_text)
    job.signals.done.connect(lambda n: status_bar.showMessage(f"Exported {n} rows to {path}"))
    job.signals.failed.connect(lambda exc: QMessageBox.warning(parent, "Export", str(exc)))

Cells are formula-safe (see ``io.export``).
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtWidgets import QFileDialog, QWidget

from ato_desktop.services import exports
from ato_desktop.services.resources import spec
from ato_desktop.ui.form_jobs import Job, start

__all__ = ["ask_export_path", "export_list", "EXPORT_FILTER"]

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


def export_list(db, entity: str, path: str | Path, *, search: str = "") -> Job:
    """Export in a worker; ``job.signals.done`` gets the row count, ``failed`` an ``ExportError``."""
    return start(Job(exports.export_items, db, entity, Path(path), search=search))
