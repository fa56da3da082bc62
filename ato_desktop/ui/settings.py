"""Typed application settings in one place (QSettings, INI format in the user's config folder).

Tests redirect the folder with ``QSettings.setPath(IniFormat, UserScope, tmp)``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORG = "ATO Desktop"
APP = "ATO Desktop"
MAX_RECENT = 8

K_GEOMETRY = "window/geometry"
K_STATE = "window/state"
K_PAGE = "window/page"
K_RECENT = "files/recent"
K_LAST = "files/last"
K_RECENT_CAMPUS = "campus/recent"  # campus databases' URLs, never with a password


def settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG, APP)


def _list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def recent_files() -> list[Path]:
    return [Path(p) for p in _list(settings().value(K_RECENT))]


def add_recent_file(path: Path) -> list[Path]:
    path = Path(path).resolve()
    items = [p for p in recent_files() if p != path]
    items.insert(0, path)
    items = items[:MAX_RECENT]
    s = settings()
    s.setValue(K_RECENT, [str(p) for p in items])
    s.setValue(K_LAST, str(path))
    return items


def remove_recent_file(path: Path) -> None:
    s = settings()
    s.setValue(K_RECENT, [str(p) for p in recent_files() if p != Path(path).resolve()])


def clear_recent_files() -> None:
    settings().setValue(K_RECENT, [])


def recent_campuses() -> list[str]:
    return _list(settings().value(K_RECENT_CAMPUS))


def add_recent_campus(url: str) -> list[str]:
    """Put a campus database's URL first in the recent list (the caller passes it without a password)."""
    items = [url, *[u for u in recent_campuses() if u != url]][:MAX_RECENT]
    settings().setValue(K_RECENT_CAMPUS, items)
    return items


def clear_recent_campuses() -> None:
    settings().setValue(K_RECENT_CAMPUS, [])


def last_file() -> Path | None:
    v = settings().value(K_LAST)
    return Path(v) if v else None


def save_window(geometry: QByteArray, state: QByteArray, page: str) -> None:
    s = settings()
    s.setValue(K_GEOMETRY, geometry)
    s.setValue(K_STATE, state)
    s.setValue(K_PAGE, page)


def window_geometry() -> QByteArray | None:
    v = settings().value(K_GEOMETRY)
    return v if isinstance(v, QByteArray) else None


def window_state() -> QByteArray | None:
    v = settings().value(K_STATE)
    return v if isinstance(v, QByteArray) else None


def last_page() -> str:
    return str(settings().value(K_PAGE) or "")


K_EXPORT_PAPER = "export/paper"
K_EXPORT_LANDSCAPE = "export/landscape"
K_EXPORT_FOLDER = "export/folder"


def export_choices() -> tuple[str, bool, Path | None]:
    """The Export PDF dialog's last paper size, orientation (landscape?) and output folder."""
    s = settings()
    paper = str(s.value(K_EXPORT_PAPER) or "")
    landscape = s.value(K_EXPORT_LANDSCAPE)
    landscape = True if landscape is None else str(landscape).lower() in ("true", "1")
    folder = s.value(K_EXPORT_FOLDER)
    return paper, landscape, (Path(str(folder)) if folder else None)


def save_export_choices(paper: str, landscape: bool, folder: Path) -> None:
    s = settings()
    s.setValue(K_EXPORT_PAPER, paper)
    s.setValue(K_EXPORT_LANDSCAPE, bool(landscape))
    s.setValue(K_EXPORT_FOLDER, str(Path(folder)))


K_EXPORT_LIST_FOLDER = "export/list_folder"


def export_list_folder() -> Path | None:
    """The folder the last list export (Export… on a resource page) went to."""
    folder = settings().value(K_EXPORT_LIST_FOLDER)
    return Path(str(folder)) if folder else None


def save_export_list_folder(folder: Path) -> None:
    settings().setValue(K_EXPORT_LIST_FOLDER, str(Path(folder)))


K_SPLITTER = "splitters/"


def splitter_state(name: str) -> QByteArray | None:
    v = settings().value(K_SPLITTER + name)
    return v if isinstance(v, QByteArray) and not v.isEmpty() else None


def save_splitter_state(name: str, state: QByteArray) -> None:
    settings().setValue(K_SPLITTER + name, state)


K_REFUSE_HARD = "timetable/refuse_hard_drops"


def refuse_hard_drops() -> bool:
    """The timetable screen's choice to refuse a drop that breaks a hard rule (off until chosen)."""
    v = settings().value(K_REFUSE_HARD)
    return False if v is None else str(v).lower() in ("true", "1")


def save_refuse_hard_drops(on: bool) -> None:
    settings().setValue(K_REFUSE_HARD, bool(on))
