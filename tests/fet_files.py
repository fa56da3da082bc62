"""The FET tests' shared step: import a .fet file into a new database, then export that database as FET."""

from __future__ import annotations

from pathlib import Path

from ato_desktop.services.fet_export import export_fet
from ato_desktop.services.fet_import import import_fet
from ato_desktop.storage.database import open_database


def import_then_export(src: Path, tmp_path: Path, out_name: str = "again.fet"):
    """Import ``src`` into ``tmp_path/<stem>.atodb``, export it to ``tmp_path/out_name``; returns
    (the imported database, the exported file, the export's report)."""
    first = tmp_path / f"{src.stem}.atodb"
    import_fet(src, first)
    fet_out = tmp_path / out_name
    db = open_database(first)
    try:
        rep = export_fet(db, fet_out)
    finally:
        db.close()
    return first, fet_out, rep
