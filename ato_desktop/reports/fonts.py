"""The TTF fonts embedded in the PDFs (shipped in ``resources/fonts``).

DejaVu Sans Condensed is the main font: Latin with diacritics (Sébastien, Zoë,
Élise), dashes, bullets and the rupee sign (₹), which ReportLab's built-in
Helvetica does not have. Text in an Indian script (Devanagari, Bengali,
Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam) falls back to the
matching Noto Sans font, registered on first use; with ``uharfbuzz`` installed
ReportLab shapes it (conjuncts, matras, reph), so "प्रिया" prints as it is typed.
:func:`runs` splits a string into pieces of one font each; ``reports.layout``
applies it to every paragraph and header line.

Known limit (ReportLab's): a word mixing Latin and Indian letters ("CSE-हिंदी")
leaves its paragraph unshaped. Shaped glyphs (conjuncts have no code point of
their own) are doubled by an invisible layer of the text as typed
(:mod:`ato_desktop.reports.textlayer`), so names can be searched and copied.

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

# (first, last code point, script); ZWJ/ZWNJ join the run they stand in.
_RANGES = (
    (0x0900, 0x097F, "Devanagari"), (0x0980, 0x09FF, "Bengali"), (0x0A00, 0x0A7F, "Gurmukhi"),
    (0x0A80, 0x0AFF, "Gujarati"), (0x0B00, 0x0B7F, "Oriya"), (0x0B80, 0x0BFF, "Tamil"),
    (0x0C00, 0x0C7F, "Telugu"), (0x0C80, 0x0CFF, "Kannada"), (0x0D00, 0x0D7F, "Malayalam"),
    (0x1CD0, 0x1CFF, "Devanagari"), (0xA8E0, 0xA8FF, "Devanagari"),
)
SCRIPTS = tuple(dict.fromkeys(name for _, _, name in _RANGES))
# what every fallback font has besides its script (checked against the shipped files in the tests):
# a run of these goes with the Indian-script word it touches
_SHARED = frozenset(" !\"#%'()*+,./0123456789:;<=>?[\\]^_{|}~\u00a0\u00ad\u00d7\u00f7\u200b\u200c\u200d"
                    "\u2010\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u20b9\u2212")
_registered: set[str] = set()


def script_of(ch: str) -> str | None:
    """The Indian script of one character, or None (the main font covers it)."""
    o = ord(ch)
    if o < 0x0900:
        return None
    for first, last, name in _RANGES:
        if first <= o <= last:
            return name
    return None


def has_fallback(text: str) -> bool:
    return any(ord(ch) >= 0x0900 and script_of(ch) is not None for ch in text)


def _neutral(ch: str) -> bool:
    return ch in _SHARED


def runs(text: str) -> list[tuple[str | None, str]]:
    """``text`` cut into (script or None, piece) runs: "Dr. प्रिया" -> [(None, "Dr. "), ("Devanagari", "प्रिया")].

    Punctuation, digits and spaces that every fallback font has (:data:`_SHARED`) go with the word they
    touch, so that "डॉ. प्रिया (CSE)" keeps "डॉ." in one font: ReportLab shapes a word in the font of its
    first piece, so a word must not change font where it can be helped."""
    n = len(text)
    script: list[str | None] = [script_of(ch) for ch in text]
    i = 0
    while i < n:
        if not _neutral(text[i]):
            i += 1
            continue
        j = i
        while j < n and _neutral(text[j]):
            j += 1
        left = script[i - 1] if i > 0 else None
        right = script[j] if j < n else None
        if left != right:
            blanks = [k for k in range(i, j) if text[k].isspace()]
            cut = blanks[0] if blanks else j  # up to the first blank: the left word's; after it: the right's
            for k in range(i, j):
                script[k] = left if k < cut else right
        else:
            for k in range(i, j):
                script[k] = left
        i = j
    out: list[tuple[str | None, str]] = []
    start = 0
    for k in range(1, n + 1):
        if k == n or script[k] != script[start]:
            out.append((script[start], text[start:k]))
            start = k
    return out


def mixed_words(text: str) -> bool:
    """Whether a word (between blanks) holds both Indian-script letters and letters the main font has
    ("CSE-हिंदी"): ReportLab cannot shape such a word across two fonts."""
    for word in text.split():
        kinds = {script_of(ch) is not None for ch in word if not _neutral(ch)}
        if len(kinds) == 2:
            return True
    return False


def fallback_font(script: str, bold: bool = False) -> str:
    """The registered ReportLab font name for ``script`` (registering it and its bold on first use)."""
    family = f"ATOSans{script}"
    if family not in _registered:
        with _lock:
            if family not in _registered:
                for name, weight in ((family, "Regular"), (family + "-Bold", "Bold")):
                    pdfmetrics.registerFont(TTFont(name, io.BytesIO(font_bytes(f"NotoSans{script}-{weight}.ttf"))))
                addMapping(family, 0, 0, family)
                addMapping(family, 1, 0, family + "-Bold")
                addMapping(family, 0, 1, family)
                addMapping(family, 1, 1, family + "-Bold")
                _registered.add(family)
    return family + "-Bold" if bold else family


def shaping_available() -> bool:
    """Whether ReportLab can shape complex scripts here (``uharfbuzz`` importable)."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:  # third-party uharfbuzz: a declared dependency, but a broken or hand-made install
        return False  # may lack its binary wheel; the self-test reports that instead of failing to start
    return True


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
    from ato_desktop.reports import textlayer

    textlayer.install()
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
