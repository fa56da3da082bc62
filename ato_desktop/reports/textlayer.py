"""Searchable, copyable text for shaped Indian-script runs: an invisible text layer.

HarfBuzz turns "प्रिया" into glyphs in visual order (the vowel sign ि before the conjunct प्र) and
into conjunct glyphs that have no character of their own; ReportLab gives those private-use code
points, so the PDF's text reads as garbage and a search for the name finds nothing. A ToUnicode
mapping cannot restore the logical order, so instead every shaped run is preceded by the same text
*as typed*, in the same font and size, drawn invisibly (text render mode 3) at the same place; the
pen is then moved back and the shaped glyphs are drawn over it. Viewers search and copy the
invisible layer; what is printed is the shaped text.

Two ReportLab hooks (installed once by :func:`install`):

* the paragraph shaper (``reportlab.platypus.paragraph.shapeFragWord``) is wrapped so that every
  shaped piece of a word is remembered with the characters it came from (HarfBuzz cluster indices);
* ``PDFTextObject._formatText`` emits the invisible layer before a shaped string it recognises.

Lines of one font are emitted as one string with the words separated by blanks, so a string is
looked up whole first and word by word after.

The shaped glyphs themselves must then extract as nothing, else a copy gives the name twice (once
as typed, once as glyph characters in visual order with private-use code points for the conjuncts).
So a shaped run that has a layer is drawn in the font's *glyph twin* (:func:`glyph_twin`: the same
face and glyphs, embedded as its own subsets) whose ToUnicode maps every code to the empty string,
inside a marked-content span with an empty ``/ActualText`` (what viewers such as poppler copy
instead of the glyphs).
"""

from __future__ import annotations

import copy
import threading
from weakref import WeakKeyDictionary

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, ShapedStr, TTFont
from reportlab.pdfgen.textobject import PDFTextObject

_lock = threading.Lock()
_installed = False
_SOURCES: dict[tuple[str, str], str] = {}
_MAX = 200_000


def remember(font_name: str, shaped: str, source: str) -> None:
    """Record that ``shaped`` (glyph characters in ``font_name``) was made from ``source``."""
    if len(_SOURCES) > _MAX:
        _SOURCES.clear()
    _SOURCES[(font_name, str(shaped))] = source


def source_of(font_name: str, shaped: str) -> str | None:
    """The typed text behind a shaped string (word by word when needed), or None if unknown."""
    whole = _SOURCES.get((font_name, str(shaped)))
    if whole is not None:
        return whole
    words = str(shaped).split(" ")
    if len(words) == 1:
        return None
    out = []
    for w in words:
        src = _SOURCES.get((font_name, w))
        if src is None:
            if any(0xE000 <= ord(ch) <= 0xF8FF for ch in w):
                return None  # a conjunct we cannot name: leave this string without a layer
            src = w
        out.append(src)
    return " ".join(out)


def _recording(shape):
    def shapeFragWord(w, *args, **kwargs):  # noqa: N802 (ReportLab's name)
        out = shape(w, *args, **kwargs)
        if out is w or not isinstance(out, list) or len(out) < 2:
            return out
        try:
            text = "".join(s for f, s in w[1:] if not hasattr(f, "cbDefn"))
            pieces = []
            for item in out[1:]:
                if not isinstance(item, (tuple, list)) or len(item) != 2 or not isinstance(item[1], ShapedStr):
                    continue
                f, s = item
                clusters = [sd.cluster for sd in (s.__shapeData__ or ()) if 0 <= sd.cluster < len(text)]
                if clusters:
                    pieces.append((min(clusters), f.fontName, s))
            pieces.sort(key=lambda x: x[0])
            for i, (start, font_name, s) in enumerate(pieces):
                end = pieces[i + 1][0] if i + 1 < len(pieces) else len(text)
                remember(font_name, s, text[start:end])
        except Exception:  # noqa: BLE001 (the layer is a convenience; never break the render)
            pass
        return out

    shapeFragWord.__wrapped__ = shape
    return shapeFragWord


def _invisible(tx: PDFTextObject, font, source: str) -> str:
    """PDF operators drawing ``source`` invisibly at the pen, then moving the pen back."""
    canv = tx._canvas
    out = ["3 Tr"]
    for subset, t in font.splitString(source, canv._doc):
        if subset != tx._curSubset:
            out.append(f"{font.getSubsetInternalName(subset, canv._doc)} {fp_str(tx._fontsize)} Tf "
                       f"{fp_str(tx._leading)} TL")
            tx._curSubset = subset
        out.append(f"({canv._escape(t)}) Tj")
    width = pdfmetrics.stringWidth(source, tx._fontname, 1000)  # thousandths of the text size
    out.append(f"[{fp_str(width)}] TJ 0 Tr")
    return " ".join(out)


class _GlyphTwin(TTFont):
    """A font's twin for shaped glyphs that have a text layer: its ToUnicode maps every code to ""."""

    def addObjects(self, doc):  # ReportLab's TTFont.addObjects, with other names and the empty map
        try:
            state = self.state[doc]
        except KeyError:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX, b"-Glyphs")).decode("pdfdoc")
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = "Font %s subset %d" % (self.fontName, n)
            font.Name = internal
            font.BaseFont = base
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
            cmap = pdfdoc.PDFStream()
            cmap.content = "\n".join([
                "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
                f"/CIDSystemInfo << /Registry ({base}) /Ordering ({base}) /Supplement 0 >> def",
                f"/CMapName /{base} def", "/CMapType 2 def",
                "1 begincodespacerange", "<00> <%02X>" % (len(subset) - 1), "endcodespacerange",
                "%d beginbfchar" % len(subset)] + ["<%02X> <>" % i for i in range(len(subset))] + [
                "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"])
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base)
            font.FontDescriptor = self.face.addSubsetObjects(doc, base, subset)
            doc.Reference(font, internal)
            doc.idToObject["BasicFonts"].dict[internal] = font
        del self.state[doc]


def glyph_twin(font: TTFont) -> TTFont:
    """The twin of ``font`` for shaped glyphs (registered once): it shares the face, so the private-use
    code points ReportLab gives the conjuncts while shaping resolve in it too."""
    name = font.fontName + "~glyphs"
    twin = pdfmetrics._fonts.get(name)
    if twin is None:
        with _lock:
            twin = pdfmetrics._fonts.get(name)
            if twin is None:
                twin = copy.copy(font)
                twin.__class__ = _GlyphTwin
                twin.fontName = name
                twin.state = WeakKeyDictionary()
                pdfmetrics._fonts[name] = twin
    return twin


def _layered(format_text):
    def _formatText(self, text):  # noqa: N802 (ReportLab's name)
        if isinstance(text, ShapedStr) and text:
            try:
                font = pdfmetrics.getFont(self._fontname)
                source = source_of(self._fontname, text) if font._dynamicFont and font.shapable else None
            except Exception:  # noqa: BLE001
                source = None
            if source and any(ord(ch) >= 0x0900 for ch in source):  # Latin shaped for kerning needs no layer
                layer = _invisible(self, font, source)
                name = self._fontname
                self._fontname, self._curSubset = glyph_twin(font).fontName, -1
                try:
                    glyphs = format_text(self, text)
                finally:
                    self._fontname, self._curSubset = name, -1  # the next string selects its font again
                return f"{layer} /Span <</ActualText ()>> BDC {glyphs} EMC"
        return format_text(self, text)

    _formatText.__wrapped__ = format_text
    return _formatText


def install() -> None:
    """Hook ReportLab once per process (thread-safe, idempotent)."""
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        from reportlab.platypus import paragraph

        paragraph.shapeFragWord = _recording(paragraph.shapeFragWord)
        PDFTextObject._formatText = _layered(PDFTextObject._formatText)
        _installed = True
