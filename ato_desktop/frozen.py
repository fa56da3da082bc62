"""Set-up for a frozen (PyInstaller) build, run by the bundle's runtime hook before any app import.

numba caches compiled kernels (``cache=True``). In a bundle the app folder may be
read-only (Program Files, a signed macOS .app), so the cache goes to a per-user
folder: ``<user cache dir>/numba/<fingerprint>``, where the fingerprint hashes the
engine's source files shipped in the bundle. numba stamps its cache entries of a
frozen program with the executable, which is the same launcher in every release;
the fingerprint makes sure an upgraded app never loads kernels compiled from an
older engine. Folders of other fingerprints are removed.

Nothing here imports Qt or numba.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from ato_desktop import APP_NAME, __version__


def engine_fingerprint(engine_dir: Path) -> str:
    h = hashlib.sha256(__version__.encode())
    for f in sorted(engine_dir.glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def numba_cache_root() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "numba"


def configure_numba_cache(engine_dir: Path, root: Path | None = None, environ=os.environ) -> Path | None:
    """Point NUMBA_CACHE_DIR at a writable per-user folder (unless the user set one); returns it."""
    if environ.get("NUMBA_CACHE_DIR"):
        return Path(environ["NUMBA_CACHE_DIR"])
    root = root or numba_cache_root()
    target = root / engine_fingerprint(engine_dir)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # numba falls back to its own user-wide cache folder
    try:
        for old in root.iterdir():
            if old.is_dir() and old != target:
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass
    environ["NUMBA_CACHE_DIR"] = str(target)
    return target


def configure_frozen_runtime() -> None:
    """Called from the PyInstaller runtime hook (``installer/rthook_ato_desktop.py``)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[1]))
    configure_numba_cache(base / "ato_desktop" / "engine")
