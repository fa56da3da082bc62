"""Export a resource list (faculty, rooms, groups, courses, ...) to CSV or XLSX.

The header row holds the fields' labels, which the importer recognises, so an
exported file can be edited and imported into another database. Lists and
references are written as comma-separated codes, yes/no values as
``true``/``false``.

Every text cell goes through :func:`ato_desktop.io.safe_cells.safe_cell`:
text starting with ``= + - @``, a tab or a carriage return is prefixed with
an apostrophe so that no spreadsheet runs it as a formula. In XLSX the cells
are also written explicitly as strings (openpyxl would otherwise store text
beginning with ``=`` as a formula).

Files are written to a temporary file beside the target and renamed into
place, so a failed export never leaves half a file under the chosen name.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Any, Sequence

from ato_desktop.io.safe_cells import safe_cell

__all__ = ["ExportError", "FORMATS", "export_rows", "cell_text"]

FORMATS = (".csv", ".xlsx")


class ExportError(Exception):
    """An export failed (unknown format, folder not writable, disk full); nothing was written."""


def cell_text(value: Any) -> Any:
    """A field value as written to a cell (before formula protection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return value


def _atomic_target(path: Path):
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix + ".partial", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def export_rows(path: str | Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """Write ``headers`` and ``rows`` to ``path`` (.csv or .xlsx), formula-safe. Returns the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{path.name}: choose a file name ending in .csv or .xlsx.")
    if not path.parent.is_dir():
        raise ExportError(f"Cannot export to {path}: the folder {path.parent} does not exist.")
    clean_rows = [[safe_cell(cell_text(v)) for v in row] for row in rows]
    clean_headers = [safe_cell(str(h)) for h in headers]
    tmp = None
    try:
        tmp = _atomic_target(path)
        if suffix == ".csv":
            # UTF-8 with BOM: Excel opens it with the right encoding.
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(clean_headers)
                writer.writerows(clean_rows)
                fh.flush()
                os.fsync(fh.fileno())
        else:
            _write_xlsx(tmp, clean_headers, clean_rows)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise ExportError(f"Cannot export to {path}: {exc.strerror or exc}. Nothing was written.") from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return path


def _write_xlsx(path: Path, headers: list, rows: list[list]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Export")

    def cell(value, bold=False):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # XML cannot hold control characters
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # never a formula, whatever the text
        if bold:
            c.font = Font(bold=True)
        return c

    ws.append([cell(h, bold=True) for h in headers])
    for row in rows:
        ws.append([cell(v) for v in row])
    wb.save(path)
