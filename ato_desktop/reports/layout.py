"""Page geometry, paragraph styles, the document template (header, footer,
bookmarks, table of contents), and fitting text into fixed-size cells."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape as to_landscape, portrait as to_portrait
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.lib.fonts import ps2tt
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer
from reportlab.platypus import Paragraph as _RLParagraph

from ato_desktop.reports import textlayer
from ato_desktop.reports.fonts import (
    FONT,
    FONT_BOLD,
    fallback_font,
    has_fallback,
    mixed_words,
    register_fonts,
    runs,
    shaping_available,
)

PAPERS = {"A4": A4, "A3": A3}

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#5F6B7A")
RULE = colors.HexColor("#9AA5B1")
# Fills a black-and-white printer keeps apart: lectures nearly white, tutorials light, labs mid-grey
# in luminance (about 97 %, 89 % and 73 %), with mixed cells (79 %) between; the legend shows the key.
KIND_COLORS = {"L": colors.HexColor("#F3F7FD"), "T": colors.HexColor("#CDEBD6"), "P": colors.HexColor("#EDB465")}
MIXED_COLOR = colors.HexColor("#CFC3E6")
MIN_FONT = 7.0  # no text smaller than this (points), anywhere
BREAK_COLOR = colors.HexColor("#D9DDE3")
UNAVAILABLE_COLOR = colors.HexColor("#F1F1F1")
HEAD_COLOR = colors.HexColor("#34495E")
WARN_COLOR = colors.HexColor("#FBE3E1")
WARN_INK = colors.HexColor("#A61B1B")


class ReportCancelled(Exception):
    """The user cancelled a render; nothing was written."""


def esc(text: object) -> str:
    return escape(str(text))


def _is_bold(font_name: str) -> bool:
    try:
        return bool(ps2tt(font_name)[1])
    except ValueError:  # a font without a family mapping
        return font_name.endswith("-Bold")


# Parsed paragraph markup by (text, style): a book sets the same codes, names and labels in the same styles
# thousands of times, and ReportLab's markup parser (html.parser) was a fifth of its time. Fragments are
# cloned in and out; paragraphs with callbacks or links are not kept.
_PARSED: dict = {}
_PARSED_MAX = 4_000  # a full cache held ~45 MB of fragments per process in a campus book; as fast at 4,000


class Paragraph(_RLParagraph):
    """ReportLab's Paragraph, with text in an Indian script set in its fallback font and shaped.

    After parsing, a fragment holding such text is cut into runs (``fonts.runs``); each Indian-script
    run takes the Noto font of its script in the fragment's weight, and the paragraph turns shaping on.
    Every report paragraph is made with this class, so user-typed names print in any of those scripts.
    """

    def _setup(self, text, style, bulletText, frags, cleaner):
        fresh = frags is None  # a split paragraph passes its (already cut) fragments back in
        key = (text, id(style), self.caseSensitive) if fresh and bulletText is None else None
        hit = _PARSED.get(key) if key is not None else None
        if hit is not None and hit[0] is style:  # the same markup in the same style: ReportLab's parse again
            frags = [f.clone() for f in hit[2]]
            super()._setup(hit[3], hit[1], None, frags, cleaner)
        else:
            super()._setup(text, style, bulletText, frags, cleaner)
            if key is not None and not any(getattr(f, "cbDefn", None) is not None or getattr(f, "link", None)
                                           for f in self.frags):
                if len(_PARSED) >= _PARSED_MAX:
                    _PARSED.clear()
                _PARSED[key] = (style, self.style, [f.clone() for f in self.frags], self.text)
        if not fresh or not any(has_fallback(getattr(f, "text", "") or "") for f in self.frags):
            return
        out = []
        for f in self.frags:
            t = getattr(f, "text", "") or ""
            if getattr(f, "cbDefn", None) is not None or not has_fallback(t):
                out.append(f)
                continue
            bold = _is_bold(f.fontName)
            for script, piece in runs(t):
                out.append(f.clone(text=piece, fontName=fallback_font(script, bold)) if script else f.clone(text=piece))
        self.frags = out
        # ReportLab shapes a word in the font of its first piece: a word mixing Latin and Indian letters
        # would come out as boxes, so such a paragraph is left unshaped (legible, without conjuncts)
        shaping = 0 if mixed_words("".join(getattr(f, "text", "") or "" for f in self.frags)) else 1
        if getattr(self.style, "shaping", 0) != shaping:
            self.style = ParagraphStyle(f"{self.style.name}+shaping{shaping}", parent=self.style, shaping=shaping)


    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        """ReportLab's wrap, once per width: a table measures a cell's paragraph several times at the same
        width (its rows' heights, again when it splits, again to draw) after :meth:`Styles.fit` has already,
        and the lines depend on the width alone (and on the fragments and style, which stay as they were)."""
        last = self.__dict__.get("_wrapped")
        if last is not None and last[0] == availWidth and last[1] is self.frags and last[2] is self.style \
                and last[3] is self.__dict__.get("blPara"):
            self.width, self.height = last[4]
            return last[4]
        size = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, self.frags, self.style, self.__dict__.get("blPara"), size)
        return size


def markup(text: str, bold: bool = False) -> str:
    """``text`` escaped, its Indian-script runs in explicit fallback fonts: for paragraphs that are not
    made by :class:`Paragraph` (ReportLab's own table of contents, used when the one-pass contents page
    came out wrong). Those are not shaped: ReportLab cannot shape a paragraph holding an ``<onDraw>``."""
    return "".join(f'<font face="{fallback_font(script, bold)}">{esc(piece)}</font>' if script else esc(piece)
                   for script, piece in runs(text))


def draw_text(canv, x: float, y: float, text: str, font: str, size: float, align: str = "left") -> float:
    """``canvas.drawString`` with the Indian-script fallback (see :class:`Paragraph`); returns the width.

    Each Indian-script run is shaped here with ReportLab's ``shapeStr`` (``drawString(shaping=True)``
    does nothing without ReportLab's bidi add-on). ``align``: "left" (x is the start) or "right" (x is
    the end)."""
    bold = _is_bold(font)
    pieces = []
    for script, piece in runs(text or ""):
        name = fallback_font(script, bold) if script else font
        shaped = shapeStr(piece, name, size) if script and shaping_available() else piece
        if isinstance(shaped, ShapedStr):
            textlayer.remember(name, shaped, piece)
            width = sum(g.x_advance for g in shaped.__shapeData__) * size / 1000
        else:
            width = stringWidth(piece, name, size)
        pieces.append((name, shaped, width))
    total = sum(w for *_, w in pieces)
    # one text object: the pieces follow each other on one line for search and copy-paste too
    tx = canv.beginText(x - total if align == "right" else x, y)
    for name, piece, _ in pieces:
        tx.setFont(name, size)
        tx.textOut(piece)
    canv.drawText(tx)
    canv.setFont(font, size)
    return total


def _WordStyle(name: str, parent: ParagraphStyle | None = None, **kw) -> ParagraphStyle:  # noqa: N802
    """A paragraph style that breaks lines only between words."""
    kw.setdefault("splitLongWords", 0)
    return ParagraphStyle(name, parent, **kw)


@dataclass(frozen=True)
class PageSetup:
    paper: str = "A4"
    landscape: bool = True

    @property
    def size(self) -> tuple[float, float]:
        try:
            base = PAPERS[self.paper.upper()]
        except KeyError:
            raise ValueError(f"paper {self.paper!r} is not one of {', '.join(PAPERS)}") from None
        return to_landscape(base) if self.landscape else to_portrait(base)

    @property
    def scale(self) -> float:
        """Text scale: A3 prints bigger text than A4."""
        return 1.3 if self.paper.upper() == "A3" else 1.0

    @property
    def margin(self) -> float:
        return 12 * mm * (1.2 if self.paper.upper() == "A3" else 1.0)

    @property
    def header_height(self) -> float:
        return 15 * mm * self.scale

    @property
    def footer_height(self) -> float:
        return 7 * mm * self.scale

    def frame(self) -> tuple[float, float, float, float]:
        w, h = self.size
        m = self.margin
        return m, m + self.footer_height, w - 2 * m, h - 2 * m - self.header_height - self.footer_height


class Styles:
    """Paragraph styles for one page setup, with a cache for fitted cell styles.

    Every style wraps at word boundaries only (``splitLongWords=0``): a name is never cut mid-word
    ("Dr. Meen/akshi"), and a word in an Indian script is never split into unshaped pieces (boxes).
    Columns are made wide enough for their longest word instead."""

    def __init__(self, setup: PageSetup):
        register_fonts()
        k = setup.scale
        self.k = k
        self.title = _WordStyle("title", fontName=FONT_BOLD, fontSize=15 * k, leading=18 * k, textColor=INK)
        self.subtitle = _WordStyle("subtitle", fontName=FONT, fontSize=9 * k, leading=11 * k, textColor=MUTED)
        self.h1 = _WordStyle("h1", fontName=FONT_BOLD, fontSize=20 * k, leading=24 * k, textColor=INK,
                                 spaceAfter=6 * k)
        self.h2 = _WordStyle("h2", fontName=FONT_BOLD, fontSize=11.5 * k, leading=14 * k, textColor=INK,
                                 spaceBefore=8 * k, spaceAfter=3 * k)
        self.body = _WordStyle("body", fontName=FONT, fontSize=8.5 * k, leading=10.5 * k, textColor=INK)
        self.small = _WordStyle("small", fontName=FONT, fontSize=7 * k, leading=8.5 * k, textColor=INK)
        self.small_right = _WordStyle("small_r", parent=self.small, alignment=TA_RIGHT)
        self.small_center = _WordStyle("small_c", parent=self.small, alignment=TA_CENTER)
        self.head = _WordStyle("head", fontName=FONT_BOLD, fontSize=7 * k, leading=8.5 * k,
                                   textColor=colors.white, alignment=TA_CENTER)
        self.head_left = _WordStyle("head_l", parent=self.head, alignment=TA_LEFT)
        self.toc = [
            _WordStyle("toc0", fontName=FONT_BOLD, fontSize=10 * k, leading=13 * k, textColor=INK,
                           spaceBefore=5 * k),
            _WordStyle("toc1", fontName=FONT, fontSize=8.5 * k, leading=10.5 * k, textColor=INK,
                           leftIndent=14 * k),
        ]
        self._cells: dict[tuple[float, str, bool], ParagraphStyle] = {}
        # fit's answer (the font size) by its question: a book fits the same codes and names into the same
        # cells on page after page, and each size tried costs a parse and a line break
        self._fitted: dict[tuple, float] = {}

    def cell(self, size: float, align: str = "center", bold: bool = False) -> ParagraphStyle:
        key = (size, align, bold)
        st = self._cells.get(key)
        if st is None:
            st = _WordStyle(f"cell{size}{align}{bold}", fontName=FONT_BOLD if bold else FONT, fontSize=size,
                                leading=size * 1.18, textColor=INK,
                                alignment={"center": TA_CENTER, "left": TA_LEFT, "right": TA_RIGHT}[align])
            self._cells[key] = st
        return st

    def fit(self, markup: str, width: float, height: float, *, base: float = 8.0, minimum: float = MIN_FONT,
            align: str = "center", bold: bool = False) -> Paragraph:
        """The paragraph at the largest font size (from ``base`` down, never below :data:`MIN_FONT`) whose
        lines and longest word fit ``width`` x ``height``; at the smallest size it may be taller than
        ``height`` (the caller gives it the room: a taller row, another page)."""
        key = (markup, width, height, base, minimum, align, bold)
        known = self._fitted.get(key)
        if known is not None:
            p = Paragraph(markup, self.cell(known, align, bold))
            p.wrap(width, height)
            return p
        size = base * self.k
        floor = max(MIN_FONT, minimum * self.k)
        while True:
            p = Paragraph(markup, self.cell(round(size, 2), align, bold))
            _, h = p.wrap(width, height)
            if (h <= height and p.minWidth() <= width + 0.01) or size <= floor:
                if len(self._fitted) >= 20_000:
                    self._fitted.clear()
                self._fitted[key] = round(size, 2)
                return p
            # one step down, or straight to the floor when far off (each try parses the markup again)
            size = max(floor, size - 0.5 * self.k if h <= height * 1.15 else floor)


class Lazy(Flowable):
    """A section whose flowables are made only when the document reaches it (:meth:`ReportDoc.filterFlowables`),
    so that a long book is laid out and drawn page by page, never held whole."""

    _ZEROSIZE = 1

    def __init__(self, make: Callable[[], list], before: Callable[[], None] | None = None):
        super().__init__()
        self.make, self.before = make, before
        self.width = self.height = 0

    def expand(self) -> list:
        if self.before is not None:
            self.before()
        return list(self.make())

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        pass


class PageRef(Flowable):
    """The page number of a :class:`Marker`, right-aligned in ``width``; drawn as a form the canvas defines
    when the document is saved, so a book's contents come first and are still laid out in one pass."""

    def __init__(self, key: str, width: float, font: str, size: float, color=INK):
        super().__init__()
        self.key, self.width, self.font, self.size, self.color = key, width, font, size, color
        self.height = size * 1.2

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self):
        self.canv.page_ref(self.key, self.width, self.font, self.size, self.color)


class Marker(Flowable):
    """A zero-size flowable: a PDF bookmark / outline entry / TOC entry at this point."""

    _ZEROSIZE = 1

    def __init__(self, key: str, title: str, level: int = 0, toc: bool = True, progress: str = ""):
        super().__init__()
        self.key, self.title, self.level, self.toc, self.progress = key, title, level, toc, progress
        self.width = self.height = 0

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        pass


@dataclass
class DocInfo:
    institution: str
    department: str
    term: str
    version: str
    generated: str
    report_title: str


class NumberedCanvas(Canvas):
    """A canvas whose pages can say "Page x of y".

    Each page draws a form XObject named after its number (``showPage``); ``save`` knows the
    total and defines those forms, calling ``stamp(canvas, page, total)`` inside each, before
    writing the file. Pages are emitted as usual, so bookmarks and links keep their pages.
    """

    stamp: Callable[["NumberedCanvas", int, int], None] | None = None
    # a part of a book laid out in another process (reports.book_parts): called once its pages are laid out,
    # before the numbers are stamped; it may set ``page_numbers`` (this file's page -> the book's page),
    # ``total_pages`` (the book's) and ``marker_pages`` (for the contents' page references)
    before_save: Callable[["NumberedCanvas"], None] | None = None
    # internal links are recorded here (page, absolute rect, destination key) instead of being made,
    # when not None: the book's contents, whose destinations are in other files until they are joined
    links: list[tuple[int, tuple[float, float, float, float], str]] | None = None
    outline = True  # False: no outline entries (a part of a book: the joined book gets them)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.marker_pages: dict[str, int] = {}  # marker key -> page number (1-based)
        self._page_refs: list[tuple[str, float, str, float, object]] = []
        self.page_numbers: dict[int, int] | None = None
        self.total_pages: int | None = None

    def linkRect(self, contents, destinationname, Rect=None, addtopage=1, name=None, relative=1,  # noqa: N802,N803
                 **kw):
        if self.links is None:
            return super().linkRect(contents, destinationname, Rect, addtopage, name, relative, **kw)
        self.links.append((self.getPageNumber(), tuple(self._absRect(Rect, relative)), destinationname))
        return None

    def page_ref(self, key: str, width: float, font: str, size: float, color) -> None:
        """Draw the page number of marker ``key`` here (known when the document is saved)."""
        self._page_refs.append((key, width, font, size, color))
        self.doForm(f"atoPageRef{len(self._page_refs)}")

    def addOutlineEntry(self, *args, **kwargs):  # noqa: N802 (ReportLab's name)
        if self.outline:
            super().addOutlineEntry(*args, **kwargs)

    def showPage(self):  # noqa: N802 (ReportLab's name)
        if self.stamp is not None:
            self.doForm(f"atoPageNumber{self.getPageNumber()}")
        super().showPage()

    def save(self):
        if (self.stamp is not None or self._page_refs or self.before_save is not None) and len(self._code):
            self.showPage()  # as Canvas.save would, so the last page gets its number too
        if self.before_save is not None:
            self.before_save(self)
        if self.stamp is not None:
            total = self.getPageNumber() - 1
            numbers = self.page_numbers or {}
            for number in range(1, total + 1):
                self.beginForm(f"atoPageNumber{number}")
                self.stamp(self, numbers.get(number, number), self.total_pages or total)
                self.endForm()
        for i, (key, width, font, size, color) in enumerate(self._page_refs, start=1):
            self.beginForm(f"atoPageRef{i}")
            page = self.marker_pages.get(key)
            if page is not None:
                self.setFillColor(color)
                self.setFont(font, size)
                self.drawRightString(width, size * 0.25, str(page))
            self.endForm()
        super().save()


class ReportDoc(BaseDocTemplate):
    """One page template with the header band and footer; bookmarks from :class:`Marker`."""

    def __init__(self, target, setup: PageSetup, info: DocInfo, styles: Styles, *,
                 on_marker: Callable[[Marker, int], None] | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 canvas_setup: Callable[[NumberedCanvas], None] | None = None):
        super().__init__(target, pagesize=setup.size, leftMargin=setup.margin, rightMargin=setup.margin,
                         topMargin=setup.margin, bottomMargin=setup.margin, title=info.report_title,
                         author=info.institution or "ATO Desktop", subject=f"{info.department} — {info.term}",
                         creator="ATO Desktop", invariant=0)
        self.setup, self.info, self.styles = setup, info, styles
        self._on_marker, self._should_stop, self._canvas_setup = on_marker, should_stop, canvas_setup
        x, y, w, h = setup.frame()
        frame = Frame(x, y, w, h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])
        self._outline_opened = False

    # header and footer on every page
    def _decorate(self, canv, doc) -> None:
        s = self.setup
        k = s.scale
        w, h = s.size
        m = s.margin
        top = h - m
        info = self.info
        canv.saveState()
        canv.setFillColor(INK)
        # the institution's name gives way to the term and version on the right (portrait pages)
        right_w = max(stringWidth(t, FONT, 8 * k) for t in (info.term or "", f"Timetable version: {info.version}",
                                                            f"Generated {info.generated}"))
        room = w - 2 * m - right_w - 12 * k
        size = 11.5 * k
        while size > MIN_FONT + 1 and stringWidth(info.institution or "", FONT_BOLD, size) > room:
            size -= 0.5
        draw_text(canv, m, top - 11 * k, info.institution or "", FONT_BOLD, size)
        canv.setFillColor(MUTED)
        draw_text(canv, m, top - 23 * k, info.department or "", FONT, 9 * k)
        right = w - m
        draw_text(canv, right, top - 9 * k, info.term or "", FONT, 8 * k, "right")
        draw_text(canv, right, top - 19.5 * k, f"Timetable version: {info.version}", FONT, 8 * k, "right")
        draw_text(canv, right, top - 30 * k, f"Generated {info.generated}", FONT, 8 * k, "right")
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(m, h - m - s.header_height + 4 * k, right, h - m - s.header_height + 4 * k)
        canv.line(m, m + s.footer_height - 6 * k, right, m + s.footer_height - 6 * k)
        canv.setFont(FONT, 7 * k)
        draw_text(canv, m, m, f"ATO Desktop · {info.report_title}", FONT, 7 * k)
        canv.restoreState()  # "Page x of y" is stamped by NumberedCanvas once the total is known

    def _stamp(self, canv, number: int, total: int) -> None:
        s = self.setup
        canv.saveState()
        canv.setFillColor(MUTED)
        canv.setFont(FONT, 7 * s.scale)
        canv.drawRightString(s.size[0] - s.margin, s.margin, f"Page {number} of {total}")
        canv.restoreState()

    def _canvasmaker(self, *args, **kwargs) -> NumberedCanvas:
        canv = NumberedCanvas(*args, **kwargs)
        canv.stamp = self._stamp
        if self._canvas_setup is not None:
            self._canvas_setup(canv)
        return canv

    def build(self, flowables, *args, **kwargs):
        kwargs.setdefault("canvasmaker", self._canvasmaker)
        try:
            return super().build(flowables, *args, **kwargs)
        finally:
            _PARSED.clear()  # the parse cache lives for one document (the app keeps no book's worth of it)

    def multiBuild(self, story, *args, **kwargs):  # noqa: N802 (ReportLab's name)
        kwargs.setdefault("canvasmaker", self._canvasmaker)
        try:
            return super().multiBuild(story, *args, **kwargs)
        finally:
            _PARSED.clear()

    def filterFlowables(self, flowables) -> None:  # noqa: N802 (ReportLab's name)
        """Make a :class:`Lazy` section's flowables when the document reaches it."""
        while flowables and isinstance(flowables[0], Lazy):
            if self._should_stop is not None and self._should_stop():
                raise ReportCancelled()
            flowables[0:1] = flowables[0].expand() or [Spacer(0, 0)]

    def afterFlowable(self, flowable) -> None:
        if self._should_stop is not None and self._should_stop():
            raise ReportCancelled()
        if isinstance(flowable, Marker):
            c = self.canv
            if hasattr(c, "marker_pages"):
                c.marker_pages[flowable.key] = self.page
            c.bookmarkPage(flowable.key)
            c.addOutlineEntry(flowable.title, flowable.key, level=flowable.level, closed=flowable.level > 0)
            if flowable.toc:
                self.notify("TOCEntry", (flowable.level, markup(flowable.title, bold=flowable.level == 0),
                                         self.page, flowable.key))
            if self._on_marker is not None:
                self._on_marker(flowable, self.page)
