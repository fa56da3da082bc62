"""Where the app's resource files (icons, fonts, templates) are, installed, frozen or from source.

Installed (wheel or PyInstaller bundle), the top-level ``resources/`` folder is
the package ``ato_desktop.resources``; in a source checkout it is
``<checkout>/resources``. Callers get a real :class:`~pathlib.Path` (Qt and the
installers need file names, not just bytes).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ICON_NAME = "ato-desktop"


def resources_dir() -> Path:
    spec = importlib.util.find_spec("ato_desktop.resources")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    here = Path(__file__).resolve().parents[1] / "resources"  # a source checkout (or the bundle's fallback)
    if here.is_dir():
        return here
    raise FileNotFoundError("The app's resource files are missing from this installation.")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def icon_path(fmt: str = "png") -> Path:
    """The app icon: ``png`` (256 px, for Qt windows), ``ico`` (Windows) or ``icns`` (macOS)."""
    if fmt not in ("png", "ico", "icns"):
        raise ValueError(f"unknown icon format {fmt!r}; use png, ico or icns")
    return resource_path("icons", f"{ICON_NAME}.{fmt}")
