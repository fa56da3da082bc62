"""Export a resource list to CSV / XLSX (formula-safe; see ``io.export``)."""

from __future__ import annotations

from pathlib import Path

from ato_desktop.io.export import ExportError, export_rows
from ato_desktop.services import resources as res
from ato_desktop.storage.database import Database

__all__ = ["ExportError", "export_items", "export_table"]


def export_table(db: Database, entity: str, *, search: str = "") -> tuple[list[str], list[list]]:
    """The header labels and rows that :func:`export_items` writes."""
    sp = res.spec(entity)
    items = res.list_items(db, entity, search=search)
    headers = [f.label for f in sp.fields]
    rows = [[item.get(f.name) for f in sp.fields] for item in items]
    return headers, rows


def export_items(db: Database, entity: str, path: str | Path, *, search: str = "") -> int:
    """Write every item of ``entity`` (optionally filtered by ``search``) to ``path``; returns the row count."""
    headers, rows = export_table(db, entity, search=search)
    export_rows(path, headers, rows)
    return len(rows)
