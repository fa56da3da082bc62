"""Online backups with SQLite's backup API (consistent while the app is running)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from ato_desktop.storage.database import DB_SUFFIX


def backup_dir_for(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.stem} backups"


def backup_database(src: Path, dest: Path) -> Path:
    """Copy ``src`` into ``dest`` with SQLite's online backup API; returns ``dest``."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    source = sqlite3.connect(f"{Path(src).resolve().as_uri()}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    tmp.replace(dest)
    return dest


def backup_before(db_path: Path, reason: str) -> Path:
    """Take a backup named after the time and the reason (e.g. ``migration``)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = backup_dir_for(db_path) / f"{Path(db_path).stem}-{stamp}-{reason}{DB_SUFFIX}"
    return backup_database(db_path, dest)
