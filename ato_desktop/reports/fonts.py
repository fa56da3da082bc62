"""The TTF font embedded in every PDF (DejaVu Sans Condensed, shipped in ``resources/fonts``).

It covers Latin with diacritics (Sébastien, Zoë, Élise), dashes, bullets and
the rupee sign (₹), which ReportLab's built-in Helvetica does not.

Installed, ``resources/`` is the package ``ato_desktop.resources`` (see
pyproject.toml); in a source checkout it is the top-level folder. Fonts are
read as bytes through :mod:`importlib.resources`, so they also load from a
zip or a frozen bundle.
"""

from __future__ import annotations

import io
import threading
from importlib import resources as ilr
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "ATOSans"
FONT_BOLD = "ATOSans-Bold"
_FILES = {FONT: "DejaVuSansCondensed.ttf", FONT_BOLD: "DejaVuSansCondensed-Bold.ttf"}
_lock = threading.Lock()
_done = False


def font_bytes(filename: str) -> bytes:
    """The bytes of a font file from the package resources (or the source checkout)."""
    try:
        return ilr.files("ato_desktop.resources").joinpath("fonts", filename).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        local = Path(__file__).resolve().parents[2] / "resources" / "fonts" / filename
        if local.is_file():
            return local.read_bytes()
        raise FileNotFoundError(
            f"the report font {filename} is missing from this installation (expected in ato_desktop/resources/fonts)"
        ) from None


def register_fonts() -> None:
    """Register the fonts with ReportLab once per process (thread-safe)."""
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(font_bytes(filename))))
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
        addMapping(FONT, 0, 1, FONT)
        addMapping(FONT, 1, 1, FONT_BOLD)
        _done = True
